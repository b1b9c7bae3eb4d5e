//! Reading `document.cookie` for the CSRF double-submit token (SPEC.md §4, R-CUS-1).

/// The cookie the server sets at login and expects back in the `X-CSRF-Token` header.
pub const CSRF_COOKIE: &str = "csrf_token";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The value of cookie `name` in a `document.cookie` string (`a=1; b=2`).
pub fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_csrf_cookie_among_others() {
        let jar = "theme=dark; csrf_token=abc123-_XYZ; other=1";
        assert_eq!(
            cookie_value(jar, CSRF_COOKIE).as_deref(),
            Some("abc123-_XYZ")
        );
        assert_eq!(
            cookie_value("csrf_token=q", CSRF_COOKIE).as_deref(),
            Some("q")
        );
        assert_eq!(
            cookie_value("csrf_token=\"quoted\"", CSRF_COOKIE).as_deref(),
            Some("quoted")
        );
    }

    #[test]
    fn does_not_match_a_longer_name_or_an_empty_value() {
        assert_eq!(
            cookie_value("xcsrf_token=1; csrf_token_old=2", CSRF_COOKIE),
            None
        );
        assert_eq!(cookie_value("csrf_token=", CSRF_COOKIE), None);
        assert_eq!(cookie_value("", CSRF_COOKIE), None);
    }

    #[test]
    fn keeps_equals_signs_inside_the_value() {
        assert_eq!(
            cookie_value("csrf_token=a=b==", CSRF_COOKIE).as_deref(),
            Some("a=b==")
        );
    }
}
