//! `/signup`: new customer (SPEC.md §2 step 1).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::dto::{Locale, SignupRequest, SignupResponse};
use shared::validate::check_signup;

use crate::api;
use crate::components::field::{error_for, TextField};
use crate::components::notice::{ErrorNotice, SuccessNotice};
use crate::context::{use_i18n, use_title};
use crate::forms::{general_error, shown_errors};
use crate::i18n::{error_message, Key};

/// The request as the server gets it; the emails go out in the language being shown.
pub fn signup_request(
    name: &str,
    email: &str,
    password: &str,
    billing_email: &str,
    locale: Locale,
) -> SignupRequest {
    SignupRequest {
        name: name.trim().to_owned(),
        email: email.trim().to_owned(),
        password: password.to_owned(),
        billing_email: billing_email.trim().to_owned(),
        locale: Some(locale),
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(Key::SignupTitle);

    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let billing_email = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);

    let request = move || {
        signup_request(
            &name.get(),
            &email.get(),
            &password.get(),
            &billing_email.get(),
            i18n.locale(),
        )
    };
    let submit = Action::new_local(|req: &SignupRequest| {
        let req = req.clone();
        async move { api::signup(&req).await }
    });
    let last = submit.value();
    let pending = submit.pending();

    let errors = Signal::derive(move || {
        let client = if attempted.get() {
            check_signup(&request())
        } else {
            Vec::new()
        };
        last.with(|last| shown_errors(attempted.get(), client, pending.get(), last.as_ref()))
    });
    let general = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| {
            general_error(pending.get(), last.as_ref()).map(|e| error_message(locale, e))
        })
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let req = request();
        if check_signup(&req).is_empty() {
            submit.dispatch(req);
        }
    };

    let done = move || {
        last.with(|last| match last {
            Some(Ok(resp)) => Some(resp.clone()),
            _ => None,
        })
    };

    view! {
        <section class="container narrow page">
            <h1>{move || i18n.t(Key::SignupTitle)}</h1>
            {move || match done() {
                Some(resp) => view! { <SignupDone resp=resp/> }.into_any(),
                None => view! {
                    <p class="page-lead">{move || i18n.t(Key::SignupLead)}</p>
                    <form class="card form" novalidate=true on:submit=on_submit data-testid="signup-form">
                        <ErrorNotice message=general testid="signup-error"/>
                        <TextField id="name" testid="signup-name" label=Key::FieldName value=name
                            error=error_for(i18n, errors, "name") autocomplete="name" required=true/>
                        <TextField id="email" testid="signup-email" label=Key::FieldEmail value=email
                            error=error_for(i18n, errors, "email") input_type="email" autocomplete="email" required=true/>
                        <TextField id="password" testid="signup-password" label=Key::FieldPassword value=password
                            error=error_for(i18n, errors, "password") input_type="password" autocomplete="new-password"
                            hint=Key::FieldPasswordHint required=true/>
                        <TextField id="billing_email" testid="signup-billing-email" label=Key::FieldBillingEmail
                            value=billing_email error=error_for(i18n, errors, "billing_email") input_type="email"
                            autocomplete="email" hint=Key::FieldBillingEmailHint required=true/>
                        <p class="form-note" data-testid="signup-consent">
                            {move || i18n.t(Key::SignupConsentPre)}
                            <a href="/terms" target="_blank" rel="noopener" data-testid="signup-terms-link">{move || i18n.t(Key::TermsTitle)}</a>
                            {move || i18n.t(Key::SignupConsentAnd)}
                            <a href="/privacy" target="_blank" rel="noopener" data-testid="signup-privacy-link">{move || i18n.t(Key::PrivacyTitle)}</a>
                            {move || i18n.t(Key::SignupConsentPost)}
                        </p>
                        <button type="submit" class="btn btn-primary btn-block" data-testid="signup-submit"
                            disabled=move || pending.get()>
                            {move || i18n.t(Key::SignupSubmit)}
                        </button>
                    </form>
                    <p class="form-alt"><a href="/login">{move || i18n.t(Key::HaveAccount)}</a></p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SignupDone(resp: SignupResponse) -> impl IntoView {
    let i18n = use_i18n();
    let SignupResponse { id, email, .. } = resp;
    view! {
        <SuccessNotice testid="signup-done">
            <h2 class="notice-title">{move || i18n.t(Key::SignupDoneTitle)}</h2>
            <p>{
                let email = email.clone();
                move || i18n.tf(Key::SignupDoneBody, &[("email", &email)])
            }</p>
            <p data-testid="signup-customer-id">{
                let id = id.clone();
                move || i18n.tf(Key::SignupDoneCustomerId, &[("id", &id)])
            }</p>
            <p class="muted">{move || i18n.t(Key::SignupDoneNoMail)}</p>
        </SuccessNotice>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_trimmed_except_the_password() {
        let req = signup_request(
            " Taro ",
            " taro@example.jp ",
            " pass word ",
            "bill@example.jp ",
            Locale::En,
        );
        assert_eq!(req.name, "Taro");
        assert_eq!(req.email, "taro@example.jp");
        assert_eq!(req.password, " pass word ");
        assert_eq!(req.billing_email, "bill@example.jp");
        assert_eq!(req.locale, Some(Locale::En));
        assert!(check_signup(&req).is_empty());
    }
}
