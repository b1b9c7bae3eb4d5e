//! Times arrive as RFC 3339 in UTC and are shown in Japan time (R-ALL-2). Japan has no daylight
//! saving time, so JST is always UTC+9 and no time zone database is needed in the bundle.

use shared::dto::Locale;

const JST_OFFSET_SECS: i64 = 9 * 3600;

/// `2026-11-24T05:06:07Z` → `2026/11/24 14:06` (ja) or `2026-11-24 14:06 JST` (en). Text that is
/// not RFC 3339 is shown as it came.
pub fn format_jst(locale: Locale, rfc3339: &str) -> String {
    match parse_rfc3339(rfc3339) {
        Some(unix) => {
            let local = unix + JST_OFFSET_SECS;
            let days = local.div_euclid(86_400);
            let secs = local.rem_euclid(86_400);
            let (y, m, d) = civil_from_days(days);
            let (hh, mm) = (secs / 3600, secs % 3600 / 60);
            match locale {
                Locale::Ja => format!("{y}/{m:02}/{d:02} {hh:02}:{mm:02}"),
                Locale::En => format!("{y}-{m:02}-{d:02} {hh:02}:{mm:02} JST"),
            }
        }
        None => rfc3339.to_owned(),
    }
}

/// A calendar day `2027-01-04` as the API sends it, with its weekday: `2027年1月4日(月)` (ja) or
/// `Mon 4 Jan 2027` (en), the same words the emails use (`shared::support`). Used for the day a
/// customer-center answer is promised (R-SUP-2). Other text is shown as it came.
pub fn format_day(locale: Locale, ymd: &str) -> String {
    shared::support::parse_day(ymd)
        .map(|day| shared::support::format_day(day, locale))
        .unwrap_or_else(|| ymd.to_owned())
}

/// Seconds since the Unix epoch of an RFC 3339 date-time (fractions ignored).
fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(range)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = rest[1..].split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_is_shown_in_japan_time() {
        assert_eq!(
            format_jst(Locale::Ja, "2026-11-24T05:06:07Z"),
            "2026/11/24 14:06"
        );
        assert_eq!(
            format_jst(Locale::En, "2026-11-24T05:06:07.123456Z"),
            "2026-11-24 14:06 JST"
        );
    }

    #[test]
    fn crosses_days_months_and_years() {
        assert_eq!(
            format_jst(Locale::Ja, "2026-12-31T15:00:00Z"),
            "2027/01/01 00:00"
        );
        assert_eq!(
            format_jst(Locale::Ja, "2028-02-28T20:30:00+00:00"),
            "2028/02/29 05:30"
        );
        // Offsets other than UTC are honoured.
        assert_eq!(
            format_jst(Locale::Ja, "2026-11-24T14:06:00+09:00"),
            "2026/11/24 14:06"
        );
        assert_eq!(
            format_jst(Locale::Ja, "2026-11-24T00:00:00-05:00"),
            "2026/11/24 14:00"
        );
    }

    #[test]
    fn other_text_is_passed_through() {
        for s in [
            "",
            "yesterday",
            "2026-11-24",
            "2026-13-01T00:00:00Z",
            "2026-11-24T05:06:07",
        ] {
            assert_eq!(format_jst(Locale::Ja, s), s);
        }
    }

    #[test]
    fn days_are_shown_with_their_weekday() {
        assert_eq!(format_day(Locale::Ja, "2027-01-04"), "2027年1月4日(月)");
        assert_eq!(format_day(Locale::En, "2027-01-04"), "Mon 4 Jan 2027");
        assert_eq!(format_day(Locale::Ja, "2026-11-30"), "2026年11月30日(月)");
        assert_eq!(format_day(Locale::Ja, "2027-01-02"), "2027年1月2日(土)");
        assert_eq!(format_day(Locale::En, "2028-02-29"), "Tue 29 Feb 2028");
        for s in [
            "",
            "tomorrow",
            "2027-1-4",
            "2027-13-01",
            "2027-01-04T00:00:00Z",
        ] {
            assert_eq!(format_day(Locale::Ja, s), s);
        }
    }

    #[test]
    fn calendar_round_trips() {
        for days in [-1, 0, 1, 59, 365, 10_957, 20_000, 20_781] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
