//! Turning API errors and field errors into text for the reader.

use shared::problem::FieldError;

use super::{tr, trf, Key, Locale};
use crate::api::ApiError;

/// A field error in the reader's language, chosen by its `code`; unknown codes fall back to the
/// server's `reason`.
pub fn field_message(locale: Locale, err: &FieldError) -> String {
    let with_number = |key: Key| match first_number(&err.reason) {
        Some(n) => trf(locale, key, &[("n", &n.to_string())]),
        None => err.reason.clone(),
    };
    match err.code.as_str() {
        "required" => tr(locale, Key::FieldRequired).to_owned(),
        "too_short" => with_number(Key::FieldTooShort),
        "too_long" => with_number(Key::FieldTooLong),
        "invalid_email" => tr(locale, Key::FieldInvalidEmail).to_owned(),
        "same_as_email" => tr(locale, Key::FieldSameAsEmail).to_owned(),
        "control_character" => tr(locale, Key::FieldControlChar).to_owned(),
        "unknown_scope" => tr(locale, Key::FieldUnknownScope).to_owned(),
        "https_required" => tr(locale, Key::FieldHttpsRequired).to_owned(),
        "address_refused" => trf(locale, Key::FieldAddressRefused, &[("reason", &err.reason)]),
        "unresolvable" => tr(locale, Key::FieldUnresolvable).to_owned(),
        "taken" | "email_taken" | "already_registered" => tr(locale, Key::FieldTaken).to_owned(),
        "domain_or_invoice_required" => tr(locale, Key::FieldDomainOrInvoice).to_owned(),
        "invalid_invoice_number" => tr(locale, Key::FieldInvoiceNumberFormat).to_owned(),
        "unknown_invoice" | "not_your_invoice" => tr(locale, Key::FieldUnknownInvoice).to_owned(),
        _ if err.reason.is_empty() => err.code.clone(),
        _ => err.reason.clone(),
    }
}

/// The localized text of a problem type the portal knows (`urn:certdirect:problem:<kind>`), so
/// no server English reaches the reader for them.
pub fn known_problem(kind: &str) -> Option<Key> {
    let kind = kind.rsplit(':').next().unwrap_or(kind);
    Some(match kind {
        "not-payable" => Key::ProblemNotPayable,
        "not-refundable" => Key::ProblemNotRefundable,
        "invalid-transition" => Key::ProblemInvalidTransition,
        "concurrent-change" => Key::ProblemConcurrentChange,
        "insufficient-scope" => Key::ProblemInsufficientScope,
        "body-too-large" => Key::ProblemBodyTooLarge,
        "malformed-body" | "unsupported-media-type" => Key::ProblemMalformed,
        "already-revoked" => Key::ProblemAlreadyRevoked,
        "session-required" => Key::ErrSessionExpired,
        "internal" => Key::ProblemInternal,
        _ => return None,
    })
}

/// A general message for a failed call. Pages with more specific wording (login, links from
/// emails) check the status themselves first. Known problem types have their own text; any
/// other problem gets a localized line, with the server's detail after a label.
pub fn error_message(locale: Locale, err: &ApiError) -> String {
    match err {
        ApiError::Network(_) => tr(locale, Key::ErrNetwork).to_owned(),
        ApiError::Decode(_) => tr(locale, Key::ErrInvalidResponse).to_owned(),
        ApiError::Problem {
            problem,
            retry_after_secs,
        } => match problem.status {
            _ if !problem.errors.is_empty() => tr(locale, Key::ErrCheckFields).to_owned(),
            _ if known_problem(&problem.kind).is_some() => tr(
                locale,
                known_problem(&problem.kind).unwrap_or(Key::ErrCheckFields),
            )
            .to_owned(),
            401 => tr(locale, Key::ErrSessionExpired).to_owned(),
            403 if err.kind_ends_with("email-not-verified") => {
                tr(locale, Key::LoginNotVerified).to_owned()
            }
            403 => tr(locale, Key::ErrForbidden).to_owned(),
            404 => tr(locale, Key::ErrNotFound).to_owned(),
            429 => match retry_after_secs {
                Some(secs) => trf(
                    locale,
                    Key::ErrRateLimited,
                    &[("time", &duration(locale, *secs))],
                ),
                None => tr(locale, Key::ErrRateLimitedNoTime).to_owned(),
            },
            status => {
                let base = trf(
                    locale,
                    Key::ErrUnexpected,
                    &[("status", &status.to_string())],
                );
                if problem.detail.is_empty() {
                    base
                } else {
                    format!(
                        "{base} {} {}",
                        tr(locale, Key::ErrDetailLabel),
                        problem.detail
                    )
                }
            }
        },
    }
}

/// "in 90 seconds" style durations: seconds below two minutes, else whole minutes rounded up.
pub fn duration(locale: Locale, secs: u64) -> String {
    match secs {
        0 | 1 => tr(locale, Key::OneSecond).to_owned(),
        2..=119 => trf(locale, Key::Seconds, &[("n", &secs.to_string())]),
        _ => {
            let minutes = secs.div_ceil(60);
            trf(locale, Key::Minutes, &[("n", &minutes.to_string())])
        }
    }
}

/// The first decimal number in `text` ("must be at least 10 characters" → 10).
fn first_number(text: &str) -> Option<u64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits: String = text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;
    use shared::validate::{check_password, PASSWORD_MIN_CHARS};

    #[test]
    fn field_errors_are_translated_by_code_with_their_number() {
        let err = check_password("password", "short", "a@b.jp").unwrap();
        assert_eq!(
            field_message(Locale::Ja, &err),
            format!("{PASSWORD_MIN_CHARS}文字以上で入力してください。")
        );
        assert_eq!(
            field_message(Locale::En, &err),
            format!("Must be at least {PASSWORD_MIN_CHARS} characters.")
        );
        let required = FieldError::new("name", "required", "is required");
        assert_eq!(field_message(Locale::Ja, &required), "入力してください。");
    }

    #[test]
    fn unknown_codes_fall_back_to_the_reason() {
        let err = FieldError::new("email", "blocked_domain", "this domain is not accepted");
        assert_eq!(
            field_message(Locale::Ja, &err),
            "this domain is not accepted"
        );
        let no_number = FieldError::new("name", "too_long", "is too long");
        assert_eq!(field_message(Locale::En, &no_number), "is too long");
    }

    #[test]
    fn general_errors_by_status() {
        let problem = |status: u16, kind: &str| {
            from_response(
                status,
                Some("application/problem+json"),
                &format!(
                    r#"{{"type":"urn:certdirect:problem:{kind}","title":"t","status":{status},"detail":"d"}}"#
                ),
                Some("30"),
            )
        };
        assert_eq!(
            error_message(Locale::En, &problem(401, "unauthorized")),
            "Your session has expired. Please log in again."
        );
        assert!(
            error_message(Locale::Ja, &problem(403, "email-not-verified"))
                .contains("メールアドレスの確認")
        );
        assert_eq!(
            error_message(Locale::En, &problem(429, "rate-limited")),
            "Too many requests. Please try again in 30 seconds."
        );
        assert_eq!(
            error_message(Locale::En, &problem(500, "internal")),
            "The server had a problem. Please try again later."
        );
        assert_eq!(
            error_message(Locale::En, &problem(502, "bad-gateway")),
            "Something went wrong (status 502). Please try again later. Details from the server: d"
        );
        assert_eq!(
            error_message(Locale::Ja, &problem(409, "not-payable")),
            tr(Locale::Ja, Key::ProblemNotPayable)
        );
        assert_eq!(
            error_message(Locale::Ja, &problem(409, "invalid-transition")),
            tr(Locale::Ja, Key::ProblemInvalidTransition)
        );
        assert_eq!(
            error_message(Locale::Ja, &ApiError::Network("x".into())),
            tr(Locale::Ja, Key::ErrNetwork)
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Locale::En, 1), "1 second");
        assert_eq!(duration(Locale::En, 45), "45 seconds");
        assert_eq!(duration(Locale::En, 120), "2 minutes");
        assert_eq!(duration(Locale::En, 121), "3 minutes");
        assert_eq!(duration(Locale::Ja, 900), "15分");
        assert_eq!(duration(Locale::Ja, 30), "30秒");
    }

    #[test]
    fn finds_the_first_number() {
        assert_eq!(first_number("must be at least 10 characters"), Some(10));
        assert_eq!(first_number("none"), None);
    }
}
