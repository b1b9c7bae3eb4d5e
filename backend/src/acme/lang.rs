//! The language of ACME answers (R-ACME-11): English, or Japanese when the request's
//! `Accept-Language` prefers it (RFC 9110 §12.5.4, q-values honoured). Pure, table-tested.

use axum::http::{header, HeaderMap};
use shared::dto::Locale;

/// One language range of `Accept-Language` with its weight and position.
struct Range<'a> {
    primary: &'a str,
    wildcard: bool,
    q: f32,
    at: usize,
}

fn ranges(header: &str) -> Vec<Range<'_>> {
    header
        .split(',')
        .enumerate()
        .filter_map(|(at, item)| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim();
            if range.is_empty() {
                return None;
            }
            let mut q = 1.0;
            for param in parts {
                let (name, value) = param.split_once('=')?;
                if name.trim().eq_ignore_ascii_case("q") {
                    q = value
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))?;
                }
            }
            let primary = range.split('-').next().unwrap_or(range);
            Some(Range {
                primary,
                wildcard: range == "*",
                q,
                at,
            })
        })
        .collect()
}

/// How much the header wants `code` (`ja`, `en`): its weight and the position of the range that
/// gave it. A range naming the language (`ja`, `ja-JP`) wins over `*`.
fn weight(ranges: &[Range<'_>], code: &str) -> Option<(f32, usize)> {
    let best = |explicit: bool| {
        ranges
            .iter()
            .filter(|r| {
                if explicit {
                    r.primary.eq_ignore_ascii_case(code)
                } else {
                    r.wildcard
                }
            })
            .map(|r| (r.q, r.at))
            .reduce(|a, b| if b.0 > a.0 { b } else { a })
    };
    best(true).or_else(|| best(false))
}

/// Japanese when `Accept-Language` weighs it above English (or equal and listed first);
/// English otherwise, also when the header is absent or names neither.
pub fn preferred(accept_language: Option<&str>) -> Locale {
    let Some(header) = accept_language else {
        return Locale::En;
    };
    let ranges = ranges(header);
    match (weight(&ranges, "ja"), weight(&ranges, "en")) {
        (Some((qj, _)), _) if qj <= 0.0 => Locale::En,
        (Some(_), None) => Locale::Ja,
        (Some((qj, aj)), Some((qe, ae))) if qj > qe || (qj == qe && aj < ae) => Locale::Ja,
        _ => Locale::En,
    }
}

/// The language a request prefers.
pub fn of(headers: &HeaderMap) -> Locale {
    preferred(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_only_when_preferred() {
        use Locale::{En, Ja};
        for (header, want) in [
            (None, En),
            (Some(""), En),
            (Some("ja"), Ja),
            (Some("ja-JP"), Ja),
            (Some("JA-jp"), Ja),
            (Some("en"), En),
            (Some("en-US,en;q=0.9"), En),
            (Some("fr"), En),
            (Some("*"), En),
            // q-values decide, not the order.
            (Some("en;q=0.5, ja"), Ja),
            (Some("ja;q=0.4, en;q=0.6"), En),
            (Some("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7"), Ja),
            (Some("en-US,en;q=0.9,ja;q=0.8"), En),
            // Equal weights: the first listed.
            (Some("ja, en"), Ja),
            (Some("en, ja"), En),
            // q=0 means "not Japanese".
            (Some("ja;q=0"), En),
            (Some("ja;q=0, *"), En),
            // A wildcard weighs a language the header does not name.
            (Some("ja;q=0.8, *;q=0.5"), Ja),
            (Some("en;q=0.1, *"), Ja),
            (Some("fr, ja;q=0.3"), Ja),
            // Malformed weights drop their range.
            (Some("ja;q=2, en;q=0.1"), En),
            (Some("ja;q=abc"), En),
        ] {
            assert_eq!(preferred(header), want, "{header:?}");
        }
    }
}
