//! Any path the portal does not know, and a page whose code could not be fetched.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::context::{use_i18n, use_title};
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

/// Shown instead of a lazily loaded page whose code (a wasm chunk) could not be fetched: the
/// network failed, or a new version was published and the old chunks are gone. Reloading loads
/// the current version; the link is `rel="external"` so the router lets the browser load it.
#[component]
pub fn PageLoadFailed() -> impl IntoView {
    let i18n = use_i18n();
    use_title(Key::PageLoadFailedTitle);
    let location = use_location();
    // `search` comes without its `?`.
    let here = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    view! {
        <section class="container narrow page" data-testid="page-load-failed">
            <h1>{move || i18n.t(Key::PageLoadFailedTitle)}</h1>
            <p>{move || i18n.t(Key::PageLoadFailedBody)}</p>
            <p><a class="btn btn-primary" rel="external" href=here>{move || i18n.t(Key::PageLoadFailedReload)}</a></p>
        </section>
    }
}
