//! When the CA signs a CRL (R-CA-5, BR 4.9.7): within 24 hours of the first issuance, again
//! before the last one is 4 days old, and at once after a revocation (`certs::revoke` signs that
//! one itself; the schedule catches a revocation whose CRL could not be signed then); each valid
//! for [`NEXT_UPDATE`], at most 10 days. A pure function of the latest CRL's thisUpdate, the first
//! issuance, the latest revocation and the time, table-tested; `certs::scheduled_crl` applies it
//! on every housekeeping tick (every few minutes) in every worker process.

use chrono::{DateTime, Duration, Utc};

/// A CRL older than this is re-signed on the next tick. Three days leaves a day of margin under
/// R-CA-5's four for a scheduler that was down or a tick that failed.
pub const RESIGN_AFTER: Duration = Duration::days(3);

/// nextUpdate − thisUpdate of every CRL: a week, under the BR's 10 days, so a CRL stays valid for
/// four days after the latest moment it should have been replaced.
pub const NEXT_UPDATE: Duration = Duration::days(7);

/// Why a CRL is to be signed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Certificates have been issued and no CRL was signed since the first of them.
    FirstIssuance,
    /// A certificate was revoked after the latest CRL was signed.
    Revocation,
    /// The latest CRL is [`RESIGN_AFTER`] old or older.
    Resign,
}

/// Whether a CRL is due at `now`, given the thisUpdate of the latest CRL, the time of the first
/// issuance and of the latest revocation (`None` when there is none yet). Before the first
/// issuance no CRL is needed; once one exists it is kept fresh. A latest CRL from a process whose
/// clock runs ahead is not replaced until it is [`RESIGN_AFTER`] old by our clock.
pub fn due(
    latest_this_update: Option<DateTime<Utc>>,
    first_issuance: Option<DateTime<Utc>>,
    last_revocation: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Due> {
    match (latest_this_update, first_issuance) {
        (None, None) => None,
        (None, Some(_)) => Some(Due::FirstIssuance),
        (Some(latest), first) => {
            if first.is_some_and(|f| latest < f) {
                Some(Due::FirstIssuance)
            } else if last_revocation.is_some_and(|r| latest < r) {
                Some(Due::Revocation)
            } else if now - latest >= RESIGN_AFTER {
                Some(Due::Resign)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn schedule() {
        use Due::*;
        let now = "2026-11-30T12:00:00Z";
        // (latest thisUpdate, first issuance, latest revocation, due?)
        type Row = (
            Option<&'static str>,
            Option<&'static str>,
            Option<&'static str>,
            Option<Due>,
        );
        let rows: [Row; 14] = [
            // Nothing issued, nothing published: nothing to do.
            (None, None, None, None),
            // Issued, never published: publish.
            (
                None,
                Some("2026-11-30T11:55:00Z"),
                None,
                Some(FirstIssuance),
            ),
            (
                None,
                Some("2026-11-20T00:00:00Z"),
                None,
                Some(FirstIssuance),
            ),
            // Published (the URL was fetched) before the first issuance: publish again.
            (
                Some("2026-11-30T09:00:00Z"),
                Some("2026-11-30T11:00:00Z"),
                None,
                Some(FirstIssuance),
            ),
            // Published after the first issuance and fresh.
            (
                Some("2026-11-30T11:05:00Z"),
                Some("2026-11-30T11:00:00Z"),
                None,
                None,
            ),
            (
                Some("2026-11-27T12:00:01Z"),
                Some("2026-11-01T00:00:00Z"),
                None,
                None,
            ),
            // Three days old: re-sign (R-CA-5 allows four).
            (
                Some("2026-11-27T12:00:00Z"),
                Some("2026-11-01T00:00:00Z"),
                None,
                Some(Resign),
            ),
            (
                Some("2026-11-20T00:00:00Z"),
                Some("2026-11-01T00:00:00Z"),
                None,
                Some(Resign),
            ),
            // A revocation after the latest CRL (its own CRL could not be signed): at once.
            (
                Some("2026-11-30T11:00:00Z"),
                Some("2026-11-01T00:00:00Z"),
                Some("2026-11-30T11:30:00Z"),
                Some(Revocation),
            ),
            // ... and one the latest CRL already lists: nothing.
            (
                Some("2026-11-30T11:00:00Z"),
                Some("2026-11-01T00:00:00Z"),
                Some("2026-11-30T11:00:00Z"),
                None,
            ),
            (
                Some("2026-11-30T11:00:00Z"),
                Some("2026-11-01T00:00:00Z"),
                Some("2026-11-29T00:00:00Z"),
                None,
            ),
            // A CRL published without any issuance (the URL was fetched) is kept fresh too.
            (Some("2026-11-29T12:00:00Z"), None, None, None),
            (Some("2026-11-27T00:00:00Z"), None, None, Some(Resign)),
            // Another process's clock ran ahead: not replaced yet.
            (
                Some("2026-11-30T12:05:00Z"),
                Some("2026-11-30T11:00:00Z"),
                None,
                None,
            ),
        ];
        for (latest, first, revoked, expect) in rows {
            assert_eq!(
                due(latest.map(t), first.map(t), revoked.map(t), t(now)),
                expect,
                "latest {latest:?}, first issuance {first:?}, revocation {revoked:?}"
            );
        }
    }

    /// Ticking every five minutes from the first issuance on, the rule R-CA-5 states holds: a CRL
    /// within 24 hours, never one older than four days, each valid for at most ten.
    #[test]
    fn ticks_keep_r_ca_5() {
        let first = t("2026-11-24T01:00:00Z");
        let mut signed: Vec<DateTime<Utc>> = Vec::new();
        let mut now = first;
        while now < first + Duration::days(30) {
            if due(signed.last().copied(), Some(first), None, now).is_some() {
                signed.push(now);
            }
            let latest = *signed.last().expect("a CRL from the first tick on");
            assert!(now - latest < Duration::days(4), "at {now}");
            now += Duration::minutes(5);
        }
        assert!(signed[0] - first <= Duration::hours(24));
        assert!(signed.len() >= 30 / 4, "{} CRLs in 30 days", signed.len());
        assert!(NEXT_UPDATE <= Duration::days(10));
    }
}
