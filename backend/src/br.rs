//! The CA/Browser Forum Baseline Requirements' dated limits (ballot SC-081): the longest validity
//! of a subscriber certificate (BR 6.3.2) and how long a domain validation may be reused
//! (BR 4.2.1, 3.2.2.4), each by the date of issuance. Pure functions of time, table-tested;
//! the CA (`ca::validity`) and the ACME domain (`orders::store`) apply them.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// One step of a schedule: from `from` (00:00 UTC, inclusive) on, the limit is `days`.
#[derive(Debug, Clone, Copy)]
struct Step {
    from: (i32, u32, u32),
    days: i64,
}

/// A limit that shortens on fixed dates; the first step holds before every date.
struct Schedule {
    before_all: i64,
    steps: [Step; 3],
}

const fn step(y: i32, m: u32, d: u32, days: i64) -> Step {
    Step {
        from: (y, m, d),
        days,
    }
}

/// BR 6.3.2: maximum validity period of a subscriber certificate issued on or after each date.
const VALIDITY: Schedule = Schedule {
    before_all: 398,
    steps: [
        step(2026, 3, 15, 200),
        step(2027, 3, 15, 100),
        step(2029, 3, 15, 47),
    ],
};

/// BR 4.2.1: how old a domain validation may be when a certificate is issued on or after each
/// date.
const REUSE: Schedule = Schedule {
    before_all: 398,
    steps: [
        step(2026, 3, 15, 200),
        step(2027, 3, 15, 100),
        step(2029, 3, 15, 10),
    ],
};

fn start(step: &Step) -> DateTime<Utc> {
    let (y, m, d) = step.from;
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid schedule date")
        .and_utc()
}

impl Schedule {
    fn at(&self, t: DateTime<Utc>) -> Duration {
        let days = self
            .steps
            .iter()
            .rev()
            .find(|s| t >= start(s))
            .map_or(self.before_all, |s| s.days);
        Duration::days(days)
    }

    /// The segments of the schedule, in time order.
    fn segments(&self) -> Vec<Segment> {
        let starts: Vec<DateTime<Utc>> = self.steps.iter().map(start).collect();
        let mut out = vec![Segment {
            start: None,
            end: starts.first().copied(),
            limit: Duration::days(self.before_all),
        }];
        for (i, s) in self.steps.iter().enumerate() {
            out.push(Segment {
                start: Some(starts[i]),
                end: starts.get(i + 1).copied(),
                limit: Duration::days(s.days),
            });
        }
        out
    }
}

/// A stretch of time over which a schedule's limit holds: from `start` (or for ever) until
/// `end` (exclusive, or for ever).
struct Segment {
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    limit: Duration,
}

/// The longest validity period (BR 6.3.2, counted inclusively: notAfter − notBefore + 1 second)
/// of a subscriber certificate issued at `issued_at`.
pub fn max_leaf_validity(issued_at: DateTime<Utc>) -> Duration {
    VALIDITY.at(issued_at)
}

/// The BR 4.2.1 reuse period in force for a certificate issued at `issued_at`.
pub fn reuse_period(issued_at: DateTime<Utc>) -> Duration {
    REUSE.at(issued_at)
}

/// Validations at or before this instant are too old for a certificate issued at `now`
/// (the query filter: `validated_at > reuse_cutoff(now)`).
pub fn reuse_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now - reuse_period(now)
}

/// Whether a validation made at `validated_at` may still back a certificate issued at `now`.
pub fn reusable(validated_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    validated_at > reuse_cutoff(now)
}

/// The first instant at which a validation made at `validated_at` can no longer back an
/// issuance: the earliest `t` with `t − validated_at ≥ reuse_period(t)`. The period only
/// shortens over time, so before this instant [`reusable`] holds and from it on it never
/// holds again.
pub fn reuse_deadline(validated_at: DateTime<Utc>) -> DateTime<Utc> {
    for seg in REUSE.segments() {
        if seg.end.is_some_and(|end| end <= validated_at) {
            continue;
        }
        let mut t = validated_at + seg.limit;
        if let Some(s) = seg.start {
            t = t.max(s);
        }
        if seg.end.is_none_or(|end| t < end) {
            return t;
        }
    }
    unreachable!("the last segment of a schedule has no end")
}

/// BR 1.6.1 "Short-lived Subscriber Certificate": the longest validity period (counted as in
/// BR 6.3.2) of a certificate that qualifies, by its notBefore: 10 days from 2024-03-15, 7 days
/// from 2026-03-15; before 2024-03-15 there was no such category. The BR make its revocation
/// optional (4.9.1.1) and its CRL distribution point too (7.1.2.11.2).
const SHORT_LIVED: [Step; 2] = [step(2024, 3, 15, 10), step(2026, 3, 15, 7)];

/// The longest validity period of a short-lived subscriber certificate whose notBefore is
/// `not_before`, or `None` before the category existed.
pub fn max_short_lived_validity(not_before: DateTime<Utc>) -> Option<Duration> {
    SHORT_LIVED
        .iter()
        .rev()
        .find(|s| not_before >= start(s))
        .map(|s| Duration::days(s.days))
}

/// Whether a certificate valid from `not_before` to `not_after` is a short-lived subscriber
/// certificate (its validity period, notAfter − notBefore + 1 second, within the maximum).
pub fn is_short_lived(not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> bool {
    max_short_lived_validity(not_before)
        .is_some_and(|max| not_after - not_before + Duration::seconds(1) <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn leaf_validity_by_issuance_date() {
        for (at, days) in [
            ("2025-01-01T00:00:00Z", 398),
            ("2026-03-14T23:59:59Z", 398),
            ("2026-03-15T00:00:00Z", 200),
            ("2026-11-24T01:00:00Z", 200),
            ("2027-03-14T23:59:59Z", 200),
            ("2027-03-15T00:00:00Z", 100),
            ("2028-12-31T12:00:00Z", 100),
            ("2029-03-14T23:59:59Z", 100),
            ("2029-03-15T00:00:00Z", 47),
            ("2040-01-01T00:00:00Z", 47),
        ] {
            assert_eq!(max_leaf_validity(t(at)), Duration::days(days), "{at}");
        }
    }

    #[test]
    fn reuse_period_by_issuance_date() {
        for (at, days) in [
            ("2025-06-01T00:00:00Z", 398),
            ("2026-03-14T23:59:59Z", 398),
            ("2026-03-15T00:00:00Z", 200),
            ("2027-03-14T23:59:59Z", 200),
            ("2027-03-15T00:00:00Z", 100),
            ("2029-03-14T23:59:59Z", 100),
            ("2029-03-15T00:00:00Z", 10),
            ("2035-01-01T00:00:00Z", 10),
        ] {
            assert_eq!(reuse_period(t(at)), Duration::days(days), "{at}");
        }
    }

    #[test]
    fn reusable_by_age_and_date() {
        for (validated, now, ok) in [
            // Well inside the period.
            ("2026-11-24T00:00:00Z", "2026-12-10T00:00:00Z", true),
            // 200 days is too old from 2026-03-15 on (the limit is exclusive).
            ("2026-04-01T00:00:00Z", "2026-10-18T00:00:00Z", false),
            ("2026-04-01T00:00:00Z", "2026-10-17T23:59:59Z", true),
            // Validated before 2026-03-15 under the 398-day rule, issued after it: 200 days.
            ("2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z", true),
            ("2026-01-01T00:00:00Z", "2026-07-21T00:00:00Z", false),
            // The 10-day period from 2029-03-15.
            ("2029-03-16T00:00:00Z", "2029-03-25T23:59:59Z", true),
            ("2029-03-16T00:00:00Z", "2029-03-26T00:00:00Z", false),
            // Validated 20 days before 2029-03-15: fine the day before, too old on the day.
            ("2029-02-23T00:00:00Z", "2029-03-14T23:59:59Z", true),
            ("2029-02-23T00:00:00Z", "2029-03-15T00:00:00Z", false),
        ] {
            assert_eq!(reusable(t(validated), t(now)), ok, "{validated} at {now}");
        }
    }

    #[test]
    fn reuse_deadlines() {
        for (validated, deadline) in [
            // Under one period all the way.
            ("2026-11-24T01:00:00Z", "2027-03-15T00:00:00Z"),
            ("2027-04-01T00:00:00Z", "2027-07-10T00:00:00Z"),
            ("2029-04-01T12:00:00Z", "2029-04-11T12:00:00Z"),
            // The period shortens on a date while the validation is still fresh enough for
            // the shorter one: the shorter one counts from the validation.
            ("2027-01-01T00:00:00Z", "2027-04-11T00:00:00Z"),
            ("2029-03-10T00:00:00Z", "2029-03-20T00:00:00Z"),
            // ... or already too old for it: the deadline is the date itself.
            ("2029-01-01T00:00:00Z", "2029-03-15T00:00:00Z"),
            ("2025-09-01T00:00:00Z", "2026-03-20T00:00:00Z"),
            ("2025-06-01T00:00:00Z", "2026-03-15T00:00:00Z"),
        ] {
            assert_eq!(
                reuse_deadline(t(validated)),
                t(deadline),
                "validated {validated}"
            );
        }
    }

    /// The deadline and the predicate agree everywhere: reusable exactly before the deadline.
    #[test]
    fn deadline_agrees_with_the_predicate() {
        let mut v = t("2025-01-01T00:00:00Z");
        while v < t("2030-01-01T00:00:00Z") {
            let d = reuse_deadline(v);
            assert!(d > v);
            assert!(reusable(v, d - Duration::seconds(1)), "validated {v}");
            assert!(!reusable(v, d), "validated {v}");
            assert!(!reusable(v, d + Duration::days(3)), "validated {v}");
            v += Duration::hours(37);
        }
    }

    #[test]
    fn short_lived_by_date_and_period() {
        let day = Duration::days(1);
        let sec = Duration::seconds(1);
        for (nb, period, short) in [
            // Before 2024-03-15 nothing is short-lived.
            ("2024-03-14T23:59:59Z", Duration::days(1), false),
            // 10 days, inclusive, from 2024-03-15.
            ("2024-03-15T00:00:00Z", day * 10, true),
            ("2024-03-15T00:00:00Z", day * 10 + sec, false),
            ("2026-03-14T23:59:59Z", day * 9, true),
            // 7 days from 2026-03-15.
            ("2026-03-15T00:00:00Z", day * 9, false),
            ("2026-11-24T01:00:00Z", day * 7, true),
            ("2026-11-24T01:00:00Z", day * 7 + sec, false),
            // Six days backdated a minute (the `shortlived` profile) fits.
            (
                "2026-11-24T00:59:00Z",
                day * 6 + Duration::minutes(1) + sec,
                true,
            ),
        ] {
            // `period` counts inclusively: notAfter = notBefore + period − 1 second.
            let (nb, na) = (t(nb), t(nb) + period - sec);
            assert_eq!(is_short_lived(nb, na), short, "{nb} for {period}");
        }
        assert_eq!(
            max_short_lived_validity(t("2029-01-01T00:00:00Z")),
            Some(day * 7)
        );
        assert_eq!(max_short_lived_validity(t("2020-01-01T00:00:00Z")), None);
    }
}
