//! The dates of billing and registrations, computed in Japan time (R-ALL-2).

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};

use crate::jst;

/// 23:59:59 Japan time on `date`, as UTC.
fn end_of_jst_day(date: NaiveDate) -> DateTime<Utc> {
    let end = date
        .and_hms_opt(23, 59, 59)
        .expect("23:59:59 is a valid time");
    jst::offset()
        .from_local_datetime(&end)
        .single()
        .expect("JST has no gaps")
        .to_utc()
}

/// R-FQDN-6: the last day of the same month one year after `registered_at` (payment
/// confirmed), 23:59:59 Japan time. 2026-11-24 → 2027-11-30T23:59:59+09:00.
pub fn activation_deadline(registered_at: DateTime<Utc>) -> DateTime<Utc> {
    let local = registered_at.with_timezone(&jst::offset()).date_naive();
    let first_of_month =
        NaiveDate::from_ymd_opt(local.year() + 1, local.month(), 1).expect("a valid month start");
    let last = first_of_month
        .checked_add_months(Months::new(1))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .expect("a valid month end");
    end_of_jst_day(last)
}

/// R-BILL-4: the due date, `days` after the invoice (its Japan-time date), at 23:59:59 JST.
pub fn due_date(issued_at: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let local = issued_at.with_timezone(&jst::offset()).date_naive();
    end_of_jst_day(
        local
            .checked_add_days(Days::new(u64::from(days)))
            .expect("a date in range"),
    )
}

/// `from` plus whole years (29 February becomes 28 February in other years).
pub fn add_years(from: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    from.checked_add_months(Months::new(12 * years))
        .expect("a date in range")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jst_time(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// R-FQDN-6 with the spec's example and month-end cases.
    #[test]
    fn activation_deadlines() {
        let table = [
            ("2026-11-24T10:00:00+09:00", "2027-11-30T23:59:59+09:00"),
            ("2027-01-31T12:00:00+09:00", "2028-01-31T23:59:59+09:00"),
            ("2028-02-29T12:00:00+09:00", "2029-02-28T23:59:59+09:00"),
            ("2027-02-01T00:00:00+09:00", "2028-02-29T23:59:59+09:00"),
            ("2026-12-31T23:59:59+09:00", "2027-12-31T23:59:59+09:00"),
            // 2026-11-30 20:00 UTC is already 1 December in Japan.
            ("2026-11-30T20:00:00Z", "2027-12-31T23:59:59+09:00"),
        ];
        for (paid, deadline) in table {
            assert_eq!(
                activation_deadline(jst_time(paid)),
                jst_time(deadline),
                "{paid}"
            );
        }
    }

    #[test]
    fn due_dates_end_a_japan_day() {
        assert_eq!(
            due_date(jst_time("2026-11-24T10:00:00+09:00"), 14),
            jst_time("2026-12-08T23:59:59+09:00")
        );
        assert_eq!(
            due_date(jst_time("2026-11-24T16:00:00Z"), 14),
            jst_time("2026-12-09T23:59:59+09:00")
        );
    }

    #[test]
    fn years_are_calendar_years() {
        assert_eq!(
            add_years(jst_time("2028-02-29T00:00:00Z"), 1),
            jst_time("2029-02-28T00:00:00Z")
        );
        assert_eq!(
            add_years(jst_time("2026-11-24T00:00:00Z"), 2),
            jst_time("2028-11-24T00:00:00Z")
        );
    }
}
