//! Japan time for people (R-ALL-2: stored in UTC, shown in JST).

use chrono::{DateTime, FixedOffset, Utc};
use shared::dto::Locale;

pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// `2026年12月8日 10:00(日本時間)` or `2026-12-08 10:00 JST`.
pub fn format(t: DateTime<Utc>, locale: Locale) -> String {
    let local = t.with_timezone(&offset());
    match locale {
        Locale::Ja => local.format("%Y年%-m月%-d日 %H:%M(日本時間)").to_string(),
        Locale::En => local.format("%Y-%m-%d %H:%M JST").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_japan_time() {
        let t = DateTime::parse_from_rfc3339("2026-12-07T16:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(format(t, Locale::Ja), "2026年12月8日 01:30(日本時間)");
        assert_eq!(format(t, Locale::En), "2026-12-08 01:30 JST");
    }
}
