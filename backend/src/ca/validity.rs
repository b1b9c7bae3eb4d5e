//! A leaf's validity (R-CA-2): the configured days, capped at the contract end (R-FQDN-7) and
//! kept one day under the CA/Browser Forum maximum in force on the day of issuance (BR 6.3.2).
//! A pure function of the issuance time, table-tested.

use chrono::{DateTime, Duration, Utc};

/// How far notBefore is backdated, for relying parties whose clocks run a little slow.
pub const BACKDATE: Duration = Duration::minutes(1);

/// The margin kept under the BR maximum: the CA issues at most one day less (R-CA-2).
pub const MARGIN: Duration = Duration::days(1);

/// notBefore and notAfter of a leaf issued at `now` for `configured_days`, never past `cap`.
///
/// The BR count a validity period inclusively (notAfter − notBefore + 1 second) from notBefore,
/// which is backdated by [`BACKDATE`], so notAfter is at most
/// notBefore + (maximum − [`MARGIN`]) − 1 second.
pub fn leaf_validity(
    now: DateTime<Utc>,
    configured_days: i64,
    cap: Option<DateTime<Utc>>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let not_before = now - BACKDATE;
    let br_limit = not_before + crate::br::max_leaf_validity(now) - MARGIN - Duration::seconds(1);
    let mut not_after = (now + Duration::days(configured_days)).min(br_limit);
    if let Some(cap) = cap {
        not_after = not_after.min(cap);
    }
    (not_before, not_after)
}

/// The validity period as the BR count it: notAfter − notBefore + 1 second.
pub fn br_validity_period(not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> Duration {
    not_after - not_before + Duration::seconds(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    const SEC: i64 = 1;
    const DAY: i64 = 86_400;

    #[test]
    fn validity_by_date_configuration_and_contract() {
        // (now, configured days, contract end, expected notAfter − now in seconds)
        let under = |max_days: i64| (max_days - 1) * DAY - 60 - SEC;
        for (now, days, cap, expect) in [
            // The configured 90 days fit under every limit until 2029-03-15.
            ("2026-01-10T00:00:00Z", 90, None, 90 * DAY),
            ("2026-11-24T01:00:00Z", 90, None, 90 * DAY),
            ("2028-01-01T00:00:00Z", 90, None, 90 * DAY),
            // 180 configured: fine under 200, cut to one day under 100 from 2027-03-15.
            ("2026-11-24T01:00:00Z", 180, None, 180 * DAY),
            ("2027-03-14T23:59:59Z", 180, None, 180 * DAY),
            ("2027-03-15T00:00:00Z", 180, None, under(100)),
            // 199 configured (the configuration's ceiling): one day under 200 exactly.
            ("2026-03-15T00:00:00Z", 199, None, under(200)),
            ("2026-03-14T23:59:59Z", 199, None, 199 * DAY),
            // 47 days from 2029-03-15: even the default 90 is cut.
            ("2029-03-15T00:00:00Z", 90, None, under(47)),
            ("2029-03-14T23:59:59Z", 90, None, 90 * DAY),
            // The contract end caps everything.
            (
                "2026-11-24T01:00:00Z",
                90,
                Some("2026-12-01T00:00:00Z"),
                6 * DAY + 23 * 3600,
            ),
            (
                "2029-06-01T00:00:00Z",
                90,
                Some("2030-01-01T00:00:00Z"),
                under(47),
            ),
        ] {
            let (nb, na) = leaf_validity(t(now), days, cap.map(t));
            assert_eq!(nb, t(now) - Duration::minutes(1), "{now}");
            assert_eq!((na - t(now)).num_seconds(), expect, "{now} {days} {cap:?}");
            let period = br_validity_period(nb, na);
            assert!(
                period <= crate::br::max_leaf_validity(t(now)) - MARGIN,
                "{now}: {period} over the limit"
            );
        }
    }

    #[test]
    fn the_br_period_is_inclusive() {
        let nb = t("2027-04-01T00:00:00Z");
        let (b, a) = leaf_validity(nb + BACKDATE, 365, None);
        assert_eq!(b, nb);
        assert_eq!(br_validity_period(b, a), Duration::days(99));
    }
}
