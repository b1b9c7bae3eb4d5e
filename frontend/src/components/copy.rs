//! A "copy" button for values the customer pastes elsewhere (EAB, directory URL, commands).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::context::use_i18n;
use crate::i18n::Key;

/// Copies `text` to the clipboard and says whether that worked. `label` names what is copied
/// for screen readers ("鍵IDをコピー").
#[component]
pub fn CopyButton(
    text: String,
    testid: String,
    #[prop(into)] label: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move { state.set(Some(browser::copy_text(&text).await)) });
    };
    view! {
        <button
            type="button"
            class="btn btn-secondary btn-sm copy-btn"
            data-testid=testid
            aria-label=move || match state.get() {
                Some(true) => i18n.t(Key::Copied).to_owned(),
                _ => label.get(),
            }
            on:click=copy
        >
            {move || match state.get() {
                Some(true) => i18n.t(Key::Copied),
                _ => i18n.t(Key::Copy),
            }}
        </button>
        {move || (state.get() == Some(false)).then(|| view! {
            <p class="field-error copy-failed" role="alert">{move || i18n.t(Key::CopyFailed)}</p>
        })}
    }
}
