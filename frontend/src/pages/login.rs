//! `/login` (SPEC.md §2 step 1, R-CUS-1).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use shared::dto::{Locale, LoginRequest};
use shared::problem::FieldError;

use crate::api::{self, ApiError};
use crate::components::field::{error_for, TextField};
use crate::components::header::OPERATOR_HOME;
use crate::components::notice::ErrorNotice;
use crate::components::require_login::safe_next;
use crate::context::{logged_in, use_i18n, use_session, use_title, AuthState};
use crate::forms::{required, shown_errors};
use crate::i18n::{duration, error_message, tr, trf, Key};

/// What a failed login tells the reader: wrong credentials, unconfirmed address, or when to try
/// again after too many attempts.
pub fn login_error(locale: Locale, err: &ApiError) -> String {
    match err.status() {
        Some(401) => tr(locale, Key::LoginWrongCredentials).to_owned(),
        Some(403) if err.kind_ends_with("email-not-verified") => {
            tr(locale, Key::LoginNotVerified).to_owned()
        }
        Some(429) => match err.retry_after_secs() {
            Some(secs) => trf(
                locale,
                Key::LoginRateLimited,
                &[("time", &duration(locale, secs))],
            ),
            None => tr(locale, Key::LoginRateLimitedNoTime).to_owned(),
        },
        _ => error_message(locale, err),
    }
}

/// Where a login leads: the page the reader came from, else My Page for a customer and the
/// operator console for an operator (whose My Page has no customer steps).
pub fn landing(next: Option<&str>, operator: bool) -> String {
    match next {
        None if operator => OPERATOR_HOME.to_owned(),
        next => safe_next(next),
    }
}

fn check_login(email: &str, password: &str) -> Vec<FieldError> {
    [required("email", email), required("password", password)]
        .into_iter()
        .flatten()
        .collect()
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    use_title(Key::LoginTitle);

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);

    let submit = Action::new_local(move |req: &LoginRequest| {
        let req = req.clone();
        async move {
            let result = api::login(&req).await;
            if let Ok(me) = &result {
                logged_in(session, i18n, me.clone());
            }
            result
        }
    });
    let last = submit.value();
    let pending = submit.pending();

    let errors = Signal::derive(move || {
        let client = check_login(&email.get(), &password.get());
        last.with(|last| shown_errors(attempted.get(), client, pending.get(), last.as_ref()))
    });
    let message = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| match last {
            Some(Err(e)) if !pending.get() && e.field_errors().is_empty() => {
                Some(login_error(locale, e))
            }
            _ => None,
        })
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        if check_login(&email.get_untracked(), &password.get_untracked()).is_empty() {
            submit.dispatch(LoginRequest {
                email: email.get_untracked().trim().to_owned(),
                password: password.get_untracked(),
            });
        }
    };
    let next = move || {
        landing(
            query
                .with(|q| q.get_str("next").map(str::to_owned))
                .as_deref(),
            session.is_operator(),
        )
    };

    view! {
        <section class="container narrow page">
            {move || (session.state() == AuthState::LoggedIn).then(|| view! { <Redirect path=next()/> })}
            <h1>{move || i18n.t(Key::LoginTitle)}</h1>
            <form class="card form" novalidate=true on:submit=on_submit data-testid="login-form">
                <ErrorNotice message=message testid="login-error"/>
                <TextField id="email" testid="login-email" label=Key::FieldLoginEmail value=email
                    error=error_for(i18n, errors, "email") input_type="email" autocomplete="username" required=true/>
                <TextField id="password" testid="login-password" label=Key::FieldPassword value=password
                    error=error_for(i18n, errors, "password") input_type="password" autocomplete="current-password"
                    required=true/>
                <button type="submit" class="btn btn-primary btn-block" data-testid="login-submit"
                    disabled=move || pending.get()>
                    {move || i18n.t(Key::LoginSubmit)}
                </button>
                <p class="form-links">
                    <a href="/forgot-password" data-testid="login-forgot">{move || i18n.t(Key::LoginForgot)}</a>
                </p>
            </form>
            <p class="form-alt"><a href="/signup">{move || i18n.t(Key::LoginNoAccount)}</a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;

    fn problem(status: u16, kind: &str, retry_after: Option<&str>) -> ApiError {
        from_response(
            status,
            Some("application/problem+json"),
            &format!(
                r#"{{"type":"urn:certdirect:problem:{kind}","title":"t","status":{status},"detail":"d"}}"#
            ),
            retry_after,
        )
    }

    #[test]
    fn wrong_credentials_unverified_and_rate_limited() {
        assert_eq!(
            login_error(Locale::Ja, &problem(401, "unauthorized", None)),
            "メールアドレスまたはパスワードが正しくありません。"
        );
        assert!(
            login_error(Locale::En, &problem(403, "email-not-verified", None))
                .contains("not confirmed")
        );
        assert_eq!(
            login_error(Locale::En, &problem(429, "rate-limited", Some("300"))),
            "Too many login attempts. Please try again in 5 minutes."
        );
        assert!(login_error(Locale::Ja, &problem(429, "rate-limited", None)).contains("しばらく"));
    }

    #[test]
    fn operators_land_on_the_console() {
        assert_eq!(landing(None, false), "/mypage");
        assert_eq!(landing(None, true), "/operator");
        assert_eq!(landing(Some("/mypage/tokens"), true), "/mypage/tokens");
        assert_eq!(landing(Some("https://evil.example/"), false), "/mypage");
    }

    #[test]
    fn both_fields_are_required() {
        let fields: Vec<_> = check_login(" ", "").into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["email", "password"]);
        assert!(check_login("a@b.jp", "x").is_empty());
    }
}
