//! Input rules for customer data, checked by the server and, for instant feedback, by the portal.
//! Each check returns the `FieldError` the API sends, so both sides say the same thing.

use crate::dto::{CreateTokenRequest, Scope, SignupRequest};
use crate::problem::FieldError;

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NAME_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_OCTETS: usize = 254;
pub const TOKEN_NAME_MAX_CHARS: usize = 64;

/// Normalises an email address for storage and comparison: trimmed, domain lower-cased.
/// The local part keeps its case (RFC 5321), but lookups compare case-insensitively.
pub fn normalize_email(input: &str) -> String {
    let trimmed = input.trim();
    match trimmed.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
        None => trimmed.to_owned(),
    }
}

/// Checks an email address's syntax (the practical subset of RFC 5321 mailboxes that mail
/// systems accept: dot-atom local part, a domain of at least two LDH labels).
pub fn check_email(field: &str, input: &str) -> Option<FieldError> {
    let email = input.trim();
    if email.is_empty() {
        return Some(FieldError::new(field, "required", "is required"));
    }
    if email.len() > EMAIL_MAX_OCTETS {
        return Some(FieldError::new(
            field,
            "too_long",
            format!("must be at most {EMAIL_MAX_OCTETS} characters"),
        ));
    }
    let invalid = |why: &str| {
        Some(FieldError::new(
            field,
            "invalid_email",
            format!("is not a valid email address: {why}"),
        ))
    };
    let Some((local, domain)) = email.rsplit_once('@') else {
        return invalid("it has no @");
    };
    if local.is_empty() || local.len() > 64 {
        return invalid("the part before @ must be 1 to 64 characters");
    }
    const ATEXT_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    let local_ok = local.split('.').all(|atom| {
        !atom.is_empty()
            && atom
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ATEXT_SPECIALS.contains(c))
    });
    if !local_ok {
        return invalid("the part before @ has a character or dot that is not allowed");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return invalid("the domain after @ needs at least one dot");
    }
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if !labels.iter().all(label_ok) {
        return invalid("the domain after @ is not a valid host name");
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return invalid("the domain after @ must not be an IP address");
    }
    None
}

/// Checks a new password's length; `email` is refused as a password.
pub fn check_password(field: &str, password: &str, email: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    if chars == 0 {
        return Some(FieldError::new(field, "required", "is required"));
    }
    if chars < PASSWORD_MIN_CHARS {
        return Some(FieldError::new(
            field,
            "too_short",
            format!("must be at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Some(FieldError::new(
            field,
            "too_long",
            format!("must be at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    if !email.trim().is_empty() && password.trim().eq_ignore_ascii_case(email.trim()) {
        return Some(FieldError::new(
            field,
            "same_as_email",
            "must not be the same as the email address",
        ));
    }
    None
}

/// Checks a required, single-line text of at most `max` characters.
pub fn check_text(field: &str, input: &str, max: usize) -> Option<FieldError> {
    let text = input.trim();
    if text.is_empty() {
        return Some(FieldError::new(field, "required", "is required"));
    }
    if text.chars().count() > max {
        return Some(FieldError::new(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Some(FieldError::new(
            field,
            "control_character",
            "must not contain line breaks or control characters",
        ));
    }
    None
}

/// Every field error of a sign-up request, in form order.
pub fn check_signup(req: &SignupRequest) -> Vec<FieldError> {
    [
        check_text("name", &req.name, NAME_MAX_CHARS),
        check_email("email", &req.email),
        check_password("password", &req.password, &req.email),
        check_email("billing_email", &req.billing_email),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every field error of an API token request, plus the parsed scopes when they are all known.
pub fn check_token_request(req: &CreateTokenRequest) -> (Vec<FieldError>, Vec<Scope>) {
    let mut errors: Vec<FieldError> = check_text("name", &req.name, TOKEN_NAME_MAX_CHARS)
        .into_iter()
        .collect();
    let mut scopes = Vec::new();
    if req.scopes.is_empty() {
        errors.push(FieldError::new(
            "scopes",
            "required",
            "must name at least one scope",
        ));
    }
    for s in &req.scopes {
        match Scope::parse(s) {
            Some(scope) if !scopes.contains(&scope) => scopes.push(scope),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "scopes",
                "unknown_scope",
                format!("unknown scope {s:?}; known scopes are read, write, acme and operator"),
            )),
        }
    }
    scopes.sort();
    (errors, scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_accepts_ordinary_addresses() {
        for ok in [
            "taro@example.jp",
            "first.last+tag@sub.example.co.jp",
            "a@b.jp",
            "o'brien@example.com",
        ] {
            assert_eq!(check_email("email", ok), None, "{ok}");
        }
    }

    #[test]
    fn email_refuses_with_a_reason() {
        let table = [
            ("", "required"),
            ("no-at-sign", "invalid_email"),
            ("@example.jp", "invalid_email"),
            ("a..b@example.jp", "invalid_email"),
            ("a@localhost", "invalid_email"),
            ("a@-bad.jp", "invalid_email"),
            ("a@exa mple.jp", "invalid_email"),
            ("a@1.2.3.4", "invalid_email"),
            ("a b@example.jp", "invalid_email"),
        ];
        for (input, code) in table {
            let err = check_email("email", input).unwrap_or_else(|| panic!("{input} accepted"));
            assert_eq!(err.code, code, "{input}");
            assert_eq!(err.field, "email");
        }
        let long = format!("{}@example.jp", "a".repeat(250));
        assert_eq!(
            check_email("email", &long).map(|e| e.code),
            Some("too_long".into())
        );
    }

    #[test]
    fn password_rules() {
        assert_eq!(check_password("password", "correct horse", "a@b.jp"), None);
        let code = |p: &str| check_password("password", p, "taro@example.jp").map(|e| e.code);
        assert_eq!(code(""), Some("required".into()));
        assert_eq!(code("short"), Some("too_short".into()));
        assert_eq!(code(&"x".repeat(129)), Some("too_long".into()));
        assert_eq!(code("Taro@Example.jp"), Some("same_as_email".into()));
        // Ten Japanese characters are ten characters, not thirty bytes.
        assert_eq!(code("パスワードパスワード"), None);
    }

    #[test]
    fn signup_reports_every_bad_field_in_order() {
        let req = SignupRequest {
            name: " ".into(),
            email: "bad".into(),
            password: "short".into(),
            billing_email: "billing@example.jp".into(),
            locale: None,
        };
        let fields: Vec<_> = check_signup(&req).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email", "password"]);
    }

    #[test]
    fn token_scopes_are_parsed_deduplicated_and_checked() {
        let req = CreateTokenRequest {
            name: "reseller".into(),
            scopes: vec!["write".into(), "read".into(), "write".into()],
        };
        assert_eq!(
            check_token_request(&req),
            (vec![], vec![Scope::Read, Scope::Write])
        );
        let bad = CreateTokenRequest {
            name: "".into(),
            scopes: vec!["admin".into()],
        };
        let (errors, _) = check_token_request(&bad);
        let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["required", "unknown_scope"]);
    }

    #[test]
    fn email_normalisation_lowercases_the_domain_only() {
        assert_eq!(normalize_email("  Taro@Example.JP "), "Taro@example.jp");
    }
}
