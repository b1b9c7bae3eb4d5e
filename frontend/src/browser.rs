//! Small wrappers over browser APIs (storage, document, clipboard). No HTTP here: that is `api/`.

use shared::dto::Locale;

/// localStorage key of the chosen language.
const LOCALE_KEY: &str = "certdirect.locale";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The language the reader chose earlier on this browser, if any.
pub fn stored_locale() -> Option<Locale> {
    storage()?
        .get_item(LOCALE_KEY)
        .ok()
        .flatten()
        .and_then(|s| Locale::parse(&s))
}

pub fn store_locale(locale: Locale) {
    if let Some(storage) = storage() {
        // A full or disabled storage only means the choice is not remembered.
        let _ = storage.set_item(LOCALE_KEY, locale.as_str());
    }
}

/// Sets `<html lang>` so screen readers and fonts follow the language.
pub fn set_document_lang(locale: Locale) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale.as_str());
    }
}

pub fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// Removes the CSS-only splash screen of index.html once the app is mounted.
pub fn remove_splash() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot-splash"))
    {
        el.remove();
    }
}

/// Opens the browser's print dialog (print, or save as PDF).
pub fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// Asks the reader to confirm (the browser's own dialog).
pub fn confirm(message: &str) -> bool {
    web_sys::window().is_some_and(|w| w.confirm_with_message(message).unwrap_or(false))
}

/// Copies `text` to the clipboard; `false` when the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Moves the keyboard focus to the page title (`<main>`'s first `h1`, made focusable with
/// `tabindex="-1"`), so keyboard and screen reader users start on the new page, not on the
/// body. `false` while the page has no title yet.
pub fn focus_page_title() -> bool {
    use wasm_bindgen::JsCast;
    let Some(h1) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("main h1").ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    if !h1.has_attribute("tabindex") {
        let _ = h1.set_attribute("tabindex", "-1");
    }
    h1.focus().is_ok()
}
