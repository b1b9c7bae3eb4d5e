//! A labelled form input with its hint and its error right next to it.

use leptos::prelude::*;
use shared::problem::FieldError;

use crate::context::{use_i18n, I18n};
use crate::i18n::{field_message, Key};

/// The `aria-describedby` of an input: its hint and, when shown, its error.
pub fn described_by(id: &str, has_hint: bool, has_error: bool) -> Option<String> {
    let ids: Vec<String> = [(has_hint, "hint"), (has_error, "error")]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, part)| format!("{id}-{part}"))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The first error of `field` among `errors`, in the reader's language.
pub fn error_for(
    i18n: I18n,
    errors: Signal<Vec<FieldError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        let locale = i18n.locale();
        errors.with(|all| {
            all.iter()
                .find(|e| e.field == field)
                .map(|e| field_message(locale, e))
        })
    })
}

#[component]
pub fn TextField(
    /// The input's id and name.
    id: &'static str,
    /// `data-testid` of the input; its error gets `<testid>-error`.
    testid: &'static str,
    label: Key,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<Key>,
    #[prop(optional)] required: bool,
    /// `inputmode` (e.g. `numeric` for card fields).
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// An example of the expected form (`MM`, `YYYY`).
    #[prop(optional)]
    placeholder: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let has_error = move || error.with(Option::is_some);
    view! {
        <div class="field" class:field-invalid=has_error>
            <label for=id>
                {move || i18n.t(label)}
                {required.then(|| view! { <span class="required-mark">{move || i18n.t(Key::Required)}</span> })}
            </label>
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                data-testid=testid
                required=required
                inputmode=inputmode
                placeholder=placeholder
                maxlength=maxlength.map(|n| n.to_string())
                aria-invalid=move || if has_error() { "true" } else { "false" }
                aria-describedby=move || described_by(id, hint.is_some(), has_error())
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|key| view! { <p class="field-hint" id=format!("{id}-hint")>{move || i18n.t(key)}</p> })}
            {move || error.get().map(|text| view! {
                <p class="field-error" id=format!("{id}-error") data-testid=format!("{testid}-error")>
                    <span class="field-error-icon" aria-hidden="true"></span>
                    {text}
                </p>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_the_input_by_hint_and_error() {
        assert_eq!(
            described_by("password", true, true).as_deref(),
            Some("password-hint password-error")
        );
        assert_eq!(
            described_by("password", false, true).as_deref(),
            Some("password-error")
        );
        assert_eq!(described_by("password", false, false), None);
    }
}
