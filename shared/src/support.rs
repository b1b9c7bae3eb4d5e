//! Office hours of the customer center (R-SUP-2): 9:00–18:00 Japan time on Japanese business
//! days — not Saturday or Sunday, not a Japanese public holiday, not 29 December – 3 January.
//! Pure functions over dates and instants, shared by the server and the portal.
//!
//! Public holidays come from the table below, which covers [`HOLIDAYS_FIRST_YEAR`] through
//! [`HOLIDAYS_LAST_YEAR`] and includes substitute holidays (振替休日) and citizens' holidays
//! (国民の休日). It follows the Cabinet Office list (内閣府「国民の祝日について」); the equinox
//! days of 2028–2030 are the astronomical dates the National Astronomical Observatory's
//! formula gives, which the Cabinet Office confirms each February for the following year.
//! For a year outside the table only weekends and the year-end closure are known:
//! [`holidays_known`] says so, and the server logs a warning when it answers for such a day.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc, Weekday};

use crate::dto::{Locale, OfficeHours};

/// The first hour of office hours, Japan time.
pub const OPENS_HOUR: u32 = 9;
/// The hour office hours end (exclusive), Japan time.
pub const CLOSES_HOUR: u32 = 18;
/// The first year the holiday table covers.
pub const HOLIDAYS_FIRST_YEAR: i32 = 2026;
/// The last year the holiday table covers.
pub const HOLIDAYS_LAST_YEAR: i32 = 2030;

/// Japanese public holidays 2026–2030: (year, month, day, name).
const HOLIDAYS: &[(i32, u32, u32, &str)] = &[
    // 2026
    (2026, 1, 1, "元日"),
    (2026, 1, 12, "成人の日"),
    (2026, 2, 11, "建国記念の日"),
    (2026, 2, 23, "天皇誕生日"),
    (2026, 3, 20, "春分の日"),
    (2026, 4, 29, "昭和の日"),
    (2026, 5, 3, "憲法記念日"),
    (2026, 5, 4, "みどりの日"),
    (2026, 5, 5, "こどもの日"),
    (2026, 5, 6, "振替休日"),
    (2026, 7, 20, "海の日"),
    (2026, 8, 11, "山の日"),
    (2026, 9, 21, "敬老の日"),
    (2026, 9, 22, "国民の休日"),
    (2026, 9, 23, "秋分の日"),
    (2026, 10, 12, "スポーツの日"),
    (2026, 11, 3, "文化の日"),
    (2026, 11, 23, "勤労感謝の日"),
    // 2027
    (2027, 1, 1, "元日"),
    (2027, 1, 11, "成人の日"),
    (2027, 2, 11, "建国記念の日"),
    (2027, 2, 23, "天皇誕生日"),
    (2027, 3, 21, "春分の日"),
    (2027, 3, 22, "振替休日"),
    (2027, 4, 29, "昭和の日"),
    (2027, 5, 3, "憲法記念日"),
    (2027, 5, 4, "みどりの日"),
    (2027, 5, 5, "こどもの日"),
    (2027, 7, 19, "海の日"),
    (2027, 8, 11, "山の日"),
    (2027, 9, 20, "敬老の日"),
    (2027, 9, 23, "秋分の日"),
    (2027, 10, 11, "スポーツの日"),
    (2027, 11, 3, "文化の日"),
    (2027, 11, 23, "勤労感謝の日"),
    // 2028
    (2028, 1, 1, "元日"),
    (2028, 1, 10, "成人の日"),
    (2028, 2, 11, "建国記念の日"),
    (2028, 2, 23, "天皇誕生日"),
    (2028, 3, 20, "春分の日"),
    (2028, 4, 29, "昭和の日"),
    (2028, 5, 3, "憲法記念日"),
    (2028, 5, 4, "みどりの日"),
    (2028, 5, 5, "こどもの日"),
    (2028, 7, 17, "海の日"),
    (2028, 8, 11, "山の日"),
    (2028, 9, 18, "敬老の日"),
    (2028, 9, 22, "秋分の日"),
    (2028, 10, 9, "スポーツの日"),
    (2028, 11, 3, "文化の日"),
    (2028, 11, 23, "勤労感謝の日"),
    // 2029
    (2029, 1, 1, "元日"),
    (2029, 1, 8, "成人の日"),
    (2029, 2, 11, "建国記念の日"),
    (2029, 2, 12, "振替休日"),
    (2029, 2, 23, "天皇誕生日"),
    (2029, 3, 20, "春分の日"),
    (2029, 4, 29, "昭和の日"),
    (2029, 4, 30, "振替休日"),
    (2029, 5, 3, "憲法記念日"),
    (2029, 5, 4, "みどりの日"),
    (2029, 5, 5, "こどもの日"),
    (2029, 7, 16, "海の日"),
    (2029, 8, 11, "山の日"),
    (2029, 9, 17, "敬老の日"),
    (2029, 9, 23, "秋分の日"),
    (2029, 9, 24, "振替休日"),
    (2029, 10, 8, "スポーツの日"),
    (2029, 11, 3, "文化の日"),
    (2029, 11, 23, "勤労感謝の日"),
    // 2030
    (2030, 1, 1, "元日"),
    (2030, 1, 14, "成人の日"),
    (2030, 2, 11, "建国記念の日"),
    (2030, 2, 23, "天皇誕生日"),
    (2030, 3, 20, "春分の日"),
    (2030, 4, 29, "昭和の日"),
    (2030, 5, 3, "憲法記念日"),
    (2030, 5, 4, "みどりの日"),
    (2030, 5, 5, "こどもの日"),
    (2030, 5, 6, "振替休日"),
    (2030, 7, 15, "海の日"),
    (2030, 8, 11, "山の日"),
    (2030, 8, 12, "振替休日"),
    (2030, 9, 16, "敬老の日"),
    (2030, 9, 23, "秋分の日"),
    (2030, 10, 14, "スポーツの日"),
    (2030, 11, 3, "文化の日"),
    (2030, 11, 4, "振替休日"),
    (2030, 11, 23, "勤労感謝の日"),
];

/// Japan Standard Time (no daylight saving).
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// The date in Japan at `t`.
pub fn jst_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&jst()).date_naive()
}

/// Whether the holiday table covers `year`. Outside it, only weekends and the year-end closure
/// are known.
pub fn holidays_known(year: i32) -> bool {
    (HOLIDAYS_FIRST_YEAR..=HOLIDAYS_LAST_YEAR).contains(&year)
}

/// The Japanese name of the public holiday on `date`, if it is one (and the table covers it).
pub fn holiday_name(date: NaiveDate) -> Option<&'static str> {
    HOLIDAYS
        .iter()
        .find(|(y, m, d, _)| date.year() == *y && date.month() == *m && date.day() == *d)
        .map(|(_, _, _, name)| *name)
}

/// 29 December – 3 January: the year-end and new-year closure.
pub fn is_year_end_closure(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}

/// Whether the customer center works on `date` (a date in Japan).
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !is_year_end_closure(date)
        && holiday_name(date).is_none()
}

/// The first business day strictly after `date`.
pub fn next_business_day(date: NaiveDate) -> NaiveDate {
    let mut day = date;
    // Never more than a couple of weeks ahead (Golden Week plus a weekend, the year end);
    // the bound only guards against a table that could close every day.
    for _ in 0..60 {
        day = day.succ_opt().unwrap_or(day);
        if is_business_day(day) {
            return day;
        }
    }
    day
}

/// Whether the customer center is open at `t` (9:00 ≤ Japan time < 18:00 on a business day).
pub fn is_open(t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&jst());
    is_business_day(local.date_naive()) && (OPENS_HOUR..CLOSES_HOUR).contains(&local.hour())
}

/// The business day (in Japan) by which an inquiry received at `t` is answered: the same day
/// when received during office hours, or before they open on a business day; otherwise the
/// next business day.
pub fn answer_by(t: DateTime<Utc>) -> NaiveDate {
    let local = t.with_timezone(&jst());
    let today = local.date_naive();
    if is_business_day(today) && local.hour() < CLOSES_HOUR {
        today
    } else {
        next_business_day(today)
    }
}

/// Whether the answer date for an inquiry at `t` was computed from days the holiday table
/// covers (false: only weekends and the year-end closure were known).
pub fn answer_by_is_certain(t: DateTime<Utc>) -> bool {
    holidays_known(jst_date(t).year()) && holidays_known(answer_by(t).year())
}

/// `2027年1月4日(月)` or `Mon 4 Jan 2027`.
pub fn format_day(date: NaiveDate, locale: Locale) -> String {
    let i = date.weekday().num_days_from_monday() as usize;
    match locale {
        Locale::Ja => {
            const DAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
            format!(
                "{}年{}月{}日({})",
                date.year(),
                date.month(),
                date.day(),
                DAYS[i]
            )
        }
        Locale::En => {
            const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            format!(
                "{} {} {} {}",
                DAYS[i],
                date.day(),
                MONTHS[date.month0() as usize],
                date.year()
            )
        }
    }
}

/// `2027-01-04` as the API sends a day ([`iso_date`]); `None` for anything else.
pub fn parse_day(ymd: &str) -> Option<NaiveDate> {
    let ymd = ymd.trim();
    if ymd.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(ymd, "%Y-%m-%d").ok()
}

/// `YYYY-MM-DD`.
pub fn iso_date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// `GET /support/hours` at `now`.
pub fn office_hours(now: DateTime<Utc>) -> OfficeHours {
    OfficeHours {
        open_now: is_open(now),
        opens: format!("{OPENS_HOUR}:00"),
        closes: format!("{CLOSES_HOUR}:00"),
        time_zone: "Asia/Tokyo".into(),
        answer_by: iso_date(answer_by(now)),
        today: iso_date(jst_date(now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// An instant given in Japan time, `YYYY-MM-DDTHH:MM`.
    fn jst_at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{s}:00+09:00"))
            .unwrap()
            .to_utc()
    }

    #[test]
    fn business_days() {
        let table = [
            ("2026-12-01", true, "a Tuesday"),
            ("2026-12-05", false, "a Saturday"),
            ("2026-12-06", false, "a Sunday"),
            ("2026-12-28", true, "the last working day of the year"),
            ("2026-12-29", false, "year-end closure"),
            ("2026-12-31", false, "year-end closure"),
            ("2027-01-01", false, "元日"),
            ("2027-01-02", false, "year-end closure on a Saturday"),
            ("2027-01-03", false, "year-end closure"),
            ("2027-01-04", true, "the first working day"),
            ("2027-01-11", false, "成人の日"),
            (
                "2026-09-22",
                false,
                "国民の休日 between 敬老の日 and 秋分の日",
            ),
            ("2027-03-21", false, "春分の日 on a Sunday"),
            ("2027-03-22", false, "its substitute holiday"),
            ("2027-03-23", true, "the day after"),
            ("2026-05-06", false, "substitute for 憲法記念日 on a Sunday"),
            ("2026-05-07", true, "after Golden Week"),
            ("2029-02-12", false, "substitute for 建国記念の日"),
            ("2029-04-30", false, "substitute for 昭和の日"),
            ("2029-09-24", false, "substitute for 秋分の日"),
            ("2030-05-06", false, "substitute for こどもの日"),
            ("2030-08-12", false, "substitute for 山の日"),
            ("2030-11-04", false, "substitute for 文化の日"),
            ("2028-10-09", false, "スポーツの日"),
            ("2028-10-10", true, "a Tuesday"),
        ];
        for (date, open, why) in table {
            assert_eq!(is_business_day(day(date)), open, "{date}: {why}");
        }
    }

    #[test]
    fn answer_dates() {
        let table = [
            // (received, Japan time) → answer by
            (
                "2026-12-01T10:00",
                "2026-12-01",
                "weekday during hours: same day",
            ),
            ("2026-12-01T08:59", "2026-12-01", "before opening: that day"),
            ("2026-12-01T17:59", "2026-12-01", "just before closing"),
            (
                "2026-12-01T18:00",
                "2026-12-02",
                "at closing: next business day",
            ),
            (
                "2026-12-01T18:30",
                "2026-12-02",
                "evening: next business day",
            ),
            ("2026-12-04T19:00", "2026-12-07", "Friday evening: Monday"),
            ("2026-12-05T11:00", "2026-12-07", "Saturday: Monday"),
            ("2026-12-28T19:00", "2027-01-04", "over the year end"),
            ("2027-01-02T10:00", "2027-01-04", "during the closure"),
            ("2027-05-01T12:00", "2027-05-06", "Golden Week 2027"),
            (
                "2026-05-01T18:30",
                "2026-05-07",
                "Golden Week 2026 with 振替休日",
            ),
            (
                "2027-03-19T20:00",
                "2027-03-23",
                "Friday before the 春分 substitute",
            ),
            ("2026-09-18T18:01", "2026-09-24", "Silver Week 2026"),
            ("2029-09-21T18:00", "2029-09-25", "秋分 substitute 2029"),
        ];
        for (at, want, why) in table {
            assert_eq!(answer_by(jst_at(at)), day(want), "{at}: {why}");
        }
    }

    #[test]
    fn open_only_during_hours_on_business_days() {
        assert!(is_open(jst_at("2026-12-01T09:00")));
        assert!(is_open(jst_at("2026-12-01T17:59")));
        assert!(!is_open(jst_at("2026-12-01T08:59")));
        assert!(!is_open(jst_at("2026-12-01T18:00")));
        assert!(!is_open(jst_at("2026-12-05T10:00")), "Saturday");
        assert!(!is_open(jst_at("2027-01-04T08:00")));
        assert!(!is_open(jst_at("2026-11-23T10:00")), "勤労感謝の日");
        // 2026-12-01 01:00 UTC is 10:00 in Japan.
        let utc = DateTime::parse_from_rfc3339("2026-12-01T01:00:00Z")
            .unwrap()
            .to_utc();
        assert!(is_open(utc));
        let hours = office_hours(utc);
        assert_eq!(hours.today, "2026-12-01");
        assert_eq!(hours.answer_by, "2026-12-01");
        assert_eq!(
            (hours.opens.as_str(), hours.closes.as_str()),
            ("9:00", "18:00")
        );
    }

    /// The table: every year has its 16 fixed and movable holidays (plus substitutes and
    /// citizens' holidays), sorted, each on the weekday the law puts it.
    #[test]
    fn holiday_table_is_complete_and_consistent() {
        let mut previous: Option<NaiveDate> = None;
        for (y, m, d, name) in HOLIDAYS {
            let date = NaiveDate::from_ymd_opt(*y, *m, *d).unwrap();
            assert!(previous.is_none_or(|p| p < date), "{date} out of order");
            previous = Some(date);
            let weekday = date.weekday();
            match *name {
                "成人の日" | "海の日" | "敬老の日" | "スポーツの日" => {
                    assert_eq!(weekday, Weekday::Mon, "{date} {name}")
                }
                // A substitute is the first non-holiday after a holiday on a Sunday.
                "振替休日" => {
                    let mut back = date.pred_opt().unwrap();
                    while holiday_name(back).is_some_and(|n| n != "振替休日")
                        && back.weekday() != Weekday::Sun
                    {
                        back = back.pred_opt().unwrap();
                    }
                    assert_eq!(back.weekday(), Weekday::Sun, "{date}");
                    assert!(holiday_name(back).is_some(), "{date}");
                }
                // A citizens' holiday lies between two holidays.
                "国民の休日" => {
                    assert!(holiday_name(date.pred_opt().unwrap()).is_some());
                    assert!(holiday_name(date.succ_opt().unwrap()).is_some());
                }
                _ => {}
            }
            // No holiday on a Sunday lacks its substitute.
            if weekday == Weekday::Sun {
                let mut next = date.succ_opt().unwrap();
                while holiday_name(next).is_some_and(|n| n != "振替休日") {
                    next = next.succ_opt().unwrap();
                }
                assert_eq!(holiday_name(next), Some("振替休日"), "{date} {name}");
            }
        }
        for year in HOLIDAYS_FIRST_YEAR..=HOLIDAYS_LAST_YEAR {
            let named: Vec<&str> = HOLIDAYS
                .iter()
                .filter(|h| h.0 == year && h.3 != "振替休日" && h.3 != "国民の休日")
                .map(|h| h.3)
                .collect();
            assert_eq!(named.len(), 16, "{year}: {named:?}");
        }
    }

    /// Outside the table only weekends and the year-end closure are known.
    #[test]
    fn beyond_the_table_weekends_and_the_closure_only() {
        assert!(!holidays_known(2031));
        assert!(holidays_known(2030));
        assert!(
            is_business_day(day("2031-01-13")),
            "成人の日 2031 is not in the table"
        );
        assert!(!is_business_day(day("2031-01-02")));
        assert!(!is_business_day(day("2031-01-11")), "a Saturday");
        assert!(!answer_by_is_certain(jst_at("2030-12-27T19:00")));
        assert!(answer_by_is_certain(jst_at("2030-12-26T10:00")));
    }

    #[test]
    fn days_print_with_their_weekday() {
        assert_eq!(
            format_day(day("2027-01-04"), Locale::Ja),
            "2027年1月4日(月)"
        );
        assert_eq!(format_day(day("2027-01-04"), Locale::En), "Mon 4 Jan 2027");
        assert_eq!(iso_date(day("2027-01-04")), "2027-01-04");
    }
}
