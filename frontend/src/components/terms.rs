//! The service terms (サービス約款), shown before the ACME usage application and at `/terms`
//! (the ACME directory's `termsOfService`).

use leptos::prelude::*;

use crate::context::use_i18n;
use crate::i18n::Key;

/// The articles of the terms, in order: (title, body).
pub const ARTICLES: [(Key, Key); 8] = [
    (Key::Terms1Title, Key::Terms1Body),
    (Key::Terms2Title, Key::Terms2Body),
    (Key::Terms3Title, Key::Terms3Body),
    (Key::Terms4Title, Key::Terms4Body),
    (Key::Terms5Title, Key::Terms5Body),
    (Key::Terms6Title, Key::Terms6Body),
    (Key::Terms7Title, Key::Terms7Body),
    (Key::Terms8Title, Key::Terms8Body),
];

#[component]
pub fn TermsText() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="terms-text">
            <p class="muted small">{move || i18n.t(Key::TermsVersion)}</p>
            {ARTICLES
                .into_iter()
                .map(|(title, body)| view! {
                    <section class="terms-article">
                        <h3>{move || i18n.t(title)}</h3>
                        <p>{move || i18n.t(body)}</p>
                    </section>
                })
                .collect_view()}
        </div>
    }
}
