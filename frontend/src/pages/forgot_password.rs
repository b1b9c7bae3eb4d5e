//! `/forgot-password`: ask for a password reset link.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::validate::check_email;

use crate::api;
use crate::components::field::{error_for, TextField};
use crate::components::notice::{ErrorNotice, SuccessNotice};
use crate::context::{use_i18n, use_title};
use crate::forms::{general_error, shown_errors};
use crate::i18n::{error_message, Key};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(Key::ForgotTitle);

    let email = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);
    let submit = Action::new_local(|email: &String| {
        let email = email.clone();
        async move { api::request_password_reset(&email).await }
    });
    let last = submit.value();
    let pending = submit.pending();

    let errors = Signal::derive(move || {
        let client: Vec<_> = check_email("email", &email.get()).into_iter().collect();
        last.with(|last| shown_errors(attempted.get(), client, pending.get(), last.as_ref()))
    });
    let general = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| {
            general_error(pending.get(), last.as_ref()).map(|e| error_message(locale, e))
        })
    });
    let done = move || last.with(|last| matches!(last, Some(Ok(_))));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let value = email.get_untracked().trim().to_owned();
        if check_email("email", &value).is_none() {
            submit.dispatch(value);
        }
    };

    view! {
        <section class="container narrow page">
            <h1>{move || i18n.t(Key::ForgotTitle)}</h1>
            {move || if done() {
                view! {
                    <SuccessNotice testid="forgot-done"><p>{move || i18n.t(Key::ForgotDone)}</p></SuccessNotice>
                    <p><a href="/login">{move || i18n.t(Key::GoToLogin)}</a></p>
                }.into_any()
            } else {
                view! {
                    <p class="page-lead">{move || i18n.t(Key::ForgotLead)}</p>
                    <form class="card form" novalidate=true on:submit=on_submit>
                        <ErrorNotice message=general testid="forgot-error"/>
                        <TextField id="email" testid="forgot-email" label=Key::FieldLoginEmail value=email
                            error=error_for(i18n, errors, "email") input_type="email" autocomplete="email" required=true/>
                        <button type="submit" class="btn btn-primary btn-block" data-testid="forgot-submit"
                            disabled=move || pending.get()>
                            {move || i18n.t(Key::ForgotSubmit)}
                        </button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}
