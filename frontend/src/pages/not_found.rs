//! Any path the portal does not know.

use leptos::prelude::*;

use crate::app::{use_i18n, use_title};
use crate::i18n::Key;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(Key::NotFoundTitle);
    view! {
        <section class="container narrow page">
            <h1 data-testid="not-found">{move || i18n.t(Key::NotFoundTitle)}</h1>
            <p>{move || i18n.t(Key::NotFoundBody)}</p>
            <p><a class="btn btn-secondary" href="/">{move || i18n.t(Key::BackHome)}</a></p>
        </section>
    }
}
