//! `/reset-password?token=…`: the link in the reset email; choose a new password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::dto::PasswordResetConfirm;
use shared::problem::FieldError;
use shared::validate::check_password;

use crate::api;
use crate::components::field::{error_for, TextField};
use crate::components::notice::{ErrorNotice, SuccessNotice};
use crate::context::{use_i18n, use_title};
use crate::forms::{general_error, shown_errors};
use crate::i18n::{tr, Key};
use crate::pages::verify_email::link_error;

/// The new password's rules, plus the confirmation matching it.
pub fn check_new_password(password: &str, confirm: &str) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = check_password("password", password, "")
        .into_iter()
        .collect();
    if errors.is_empty() && password != confirm {
        errors.push(FieldError::new(
            "password_confirm",
            "mismatch",
            "does not match the new password",
        ));
    }
    errors
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    use_title(Key::ResetTitle);

    let token = move || {
        query.with(|q| {
            q.get_str("token")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        })
    };
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);

    let submit = Action::new_local(|req: &PasswordResetConfirm| {
        let req = req.clone();
        async move { api::confirm_password_reset(&req).await }
    });
    let last = submit.value();
    let pending = submit.pending();

    let errors = Signal::derive(move || {
        let client = check_new_password(&password.get(), &confirm.get());
        last.with(|last| shown_errors(attempted.get(), client, pending.get(), last.as_ref()))
    });
    let password_error = error_for(i18n, errors, "password");
    let confirm_error = Signal::derive(move || {
        errors.with(|all| {
            all.iter()
                .any(|e| e.field == "password_confirm")
                .then(|| tr(i18n.locale(), Key::PasswordMismatch).to_owned())
        })
    });
    let general = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| general_error(pending.get(), last.as_ref()).map(|e| link_error(locale, e)))
    });
    let done = move || last.with(|last| matches!(last, Some(Ok(_))));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let (Some(token), pw) = (token(), password.get_untracked()) else {
            return;
        };
        if check_new_password(&pw, &confirm.get_untracked()).is_empty() {
            submit.dispatch(PasswordResetConfirm {
                token,
                password: pw,
            });
        }
    };

    view! {
        <section class="container narrow page">
            <h1>{move || i18n.t(Key::ResetTitle)}</h1>
            {move || if done() {
                view! {
                    <SuccessNotice testid="reset-done"><p>{move || i18n.t(Key::ResetDone)}</p></SuccessNotice>
                    <p><a class="btn btn-primary" href="/login">{move || i18n.t(Key::GoToLogin)}</a></p>
                }.into_any()
            } else if token().is_none() {
                view! {
                    <ErrorNotice message=Signal::derive(move || Some(i18n.t(Key::ResetNoToken).to_owned())) testid="reset-error"/>
                    <p><a href="/forgot-password">{move || i18n.t(Key::ForgotTitle)}</a></p>
                }.into_any()
            } else {
                view! {
                    <form class="card form" novalidate=true on:submit=on_submit>
                        <ErrorNotice message=general testid="reset-error"/>
                        <TextField id="password" testid="reset-password" label=Key::FieldNewPassword value=password
                            error=password_error input_type="password" autocomplete="new-password"
                            hint=Key::FieldPasswordHint required=true/>
                        <TextField id="password_confirm" testid="reset-password-confirm" label=Key::FieldPasswordConfirm
                            value=confirm error=confirm_error input_type="password" autocomplete="new-password" required=true/>
                        <button type="submit" class="btn btn-primary btn-block" data-testid="reset-submit"
                            disabled=move || pending.get()>
                            {move || i18n.t(Key::ResetSubmit)}
                        </button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_must_match_a_valid_password() {
        assert!(check_new_password("correct horse battery", "correct horse battery").is_empty());
        assert_eq!(check_new_password("short", "short")[0].code, "too_short");
        assert_eq!(
            check_new_password("correct horse battery", "correct horse")[0].field,
            "password_confirm"
        );
    }
}
