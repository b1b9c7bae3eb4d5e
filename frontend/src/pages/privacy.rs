//! `/privacy`: how the service handles personal data (個人情報の取り扱い), linked from the
//! sign-up consent. Short, and exactly what the service stores.

use leptos::prelude::*;

use crate::context::{use_i18n, use_title};
use crate::i18n::Key;

/// The sections of the policy, in order: (title, body).
pub const SECTIONS: [(Key, Key); 5] = [
    (Key::Privacy1Title, Key::Privacy1Body),
    (Key::Privacy2Title, Key::Privacy2Body),
    (Key::Privacy3Title, Key::Privacy3Body),
    (Key::Privacy4Title, Key::Privacy4Body),
    (Key::Privacy5Title, Key::Privacy5Body),
];

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(Key::PrivacyTitle);
    view! {
        <section class="container narrow page" data-testid="privacy-page">
            <div class="page-head">
                <h1>{move || i18n.t(Key::PrivacyTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::PrivacyLead)}</p>
            </div>
            <article class="card terms">
                {SECTIONS
                    .into_iter()
                    .map(|(title, body)| view! {
                        <section class="terms-article">
                            <h2 class="terms-article-title">{move || i18n.t(title)}</h2>
                            <p>{move || i18n.t(body)}</p>
                        </section>
                    })
                    .collect_view()}
            </article>
        </section>
    }
}
