//! Form state rules shared by the pages: which field errors to show, and when.

use shared::problem::FieldError;

use crate::api::ApiError;

/// The field errors to show next to the inputs.
///
/// Once the reader has tried to submit, the portal checks the current input itself (the same
/// `shared::validate` rules the server applies) so errors go away as they are fixed. When the
/// input passes, the server's field errors for the last submit are shown, except while a new
/// submit is on its way.
pub fn shown_errors<T>(
    attempted: bool,
    client: Vec<FieldError>,
    pending: bool,
    last: Option<&Result<T, ApiError>>,
) -> Vec<FieldError> {
    if attempted && !client.is_empty() {
        return client;
    }
    if pending {
        return Vec::new();
    }
    match last {
        Some(Err(e)) => e.field_errors().to_vec(),
        _ => Vec::new(),
    }
}

/// The error of the last submit that is not about one field (shown above the form).
pub fn general_error<T>(pending: bool, last: Option<&Result<T, ApiError>>) -> Option<&ApiError> {
    match last {
        Some(Err(e)) if !pending && e.field_errors().is_empty() => Some(e),
        _ => None,
    }
}

/// A "required" error when `value` is blank.
pub fn required(field: &str, value: &str) -> Option<FieldError> {
    value
        .trim()
        .is_empty()
        .then(|| FieldError::new(field, "required", "is required"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;

    fn server_field_error() -> Result<(), ApiError> {
        Err(from_response(
            422,
            Some("application/problem+json"),
            r#"{"type":"urn:certdirect:problem:validation","title":"t","status":422,"detail":"",
               "errors":[{"field":"email","code":"taken","reason":"already registered"}]}"#,
            None,
        ))
    }

    #[test]
    fn client_errors_win_once_the_reader_has_tried() {
        let client = vec![FieldError::new(
            "password",
            "too_short",
            "must be at least 10 characters",
        )];
        let shown = shown_errors(true, client.clone(), false, Some(&server_field_error()));
        assert_eq!(shown, client);
        // Before the first submit nothing is shouted at the reader.
        assert!(shown_errors::<()>(false, client, false, None).is_empty());
    }

    #[test]
    fn server_errors_show_when_the_input_passes_and_nothing_is_pending() {
        let last = server_field_error();
        assert_eq!(
            shown_errors(true, vec![], false, Some(&last))[0].field,
            "email"
        );
        assert!(shown_errors(true, vec![], true, Some(&last)).is_empty());
        assert!(
            general_error(false, Some(&last)).is_none(),
            "field errors are not general"
        );
        let network: Result<(), ApiError> = Err(ApiError::Network("offline".into()));
        assert!(general_error(false, Some(&network)).is_some());
        assert!(general_error(true, Some(&network)).is_none());
    }

    #[test]
    fn required_means_not_blank() {
        assert!(required("email", "  ").is_some());
        assert!(required("email", "a").is_none());
    }
}
