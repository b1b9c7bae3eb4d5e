//! Status messages: errors, successes, information.

use leptos::prelude::*;

/// An error box that appears when `message` has text. Screen readers announce it.
#[component]
pub fn ErrorNotice(
    #[prop(into)] message: Signal<Option<String>>,
    testid: &'static str,
) -> impl IntoView {
    move || {
        message.get().map(|text| {
            view! {
                <div class="notice notice-error" role="alert" data-testid=testid>
                    <span class="notice-icon" aria-hidden="true"></span>
                    <p>{text}</p>
                </div>
            }
        })
    }
}

/// A success or information box.
#[component]
pub fn SuccessNotice(testid: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="notice notice-success" role="status" data-testid=testid>
            <span class="notice-icon" aria-hidden="true"></span>
            <div>{children()}</div>
        </div>
    }
}

/// A centred "loading" line with a spinner.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = crate::context::use_i18n();
    view! {
        <p class="loading" role="status" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            {move || i18n.t(crate::i18n::Key::Loading)}
        </p>
    }
}
