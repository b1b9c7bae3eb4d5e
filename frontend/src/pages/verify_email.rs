//! `/verify-email?token=…`: the link in the sign-up email.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::dto::Locale;

use crate::api::{self, ApiError};
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::context::{use_i18n, use_title};
use crate::i18n::{error_message, tr, Key};

/// A refused link (bad, used or expired token) reads the same whatever the status.
pub fn link_error(locale: Locale, err: &ApiError) -> String {
    match err.status() {
        Some(400 | 404 | 409 | 410 | 422) => tr(locale, Key::ErrTokenInvalid).to_owned(),
        _ => error_message(locale, err),
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    use_title(Key::VerifyTitle);

    let token = move || {
        query.with(|q| {
            q.get_str("token")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        })
    };
    let result = LocalResource::new(move || {
        let token = token();
        async move {
            match token {
                Some(token) => Some(api::verify_email(&token).await),
                None => None,
            }
        }
    });

    view! {
        <section class="container narrow page">
            <h1>{move || i18n.t(Key::VerifyTitle)}</h1>
            {move || match result.get() {
                None => view! { <Loading/> }.into_any(),
                Some(None) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(i18n.t(Key::VerifyNoToken).to_owned())) testid="verify-error"/>
                }.into_any(),
                Some(Some(Ok(_))) => view! {
                    <SuccessNotice testid="verify-ok">
                        <p>{move || i18n.t(Key::VerifyOk)}</p>
                    </SuccessNotice>
                    <p><a class="btn btn-primary" href="/login" data-testid="verify-login">{move || i18n.t(Key::GoToLogin)}</a></p>
                }.into_any(),
                Some(Some(Err(e))) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(link_error(i18n.locale(), &e))) testid="verify-error"/>
                }.into_any(),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;

    #[test]
    fn refused_tokens_read_as_an_invalid_link() {
        let err = from_response(
            400,
            Some("application/problem+json"),
            r#"{"type":"x","title":"t","status":400,"detail":"d"}"#,
            None,
        );
        assert_eq!(
            link_error(Locale::En, &err),
            tr(Locale::En, Key::ErrTokenInvalid)
        );
        let down = ApiError::Network("offline".into());
        assert_eq!(
            link_error(Locale::En, &down),
            tr(Locale::En, Key::ErrNetwork)
        );
    }
}
