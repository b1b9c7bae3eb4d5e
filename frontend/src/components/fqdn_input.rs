//! The usage FQDN input with its live preview (SPEC.md §2 item 5, R-FQDN-1..3): as the customer
//! types, the A-label (Punycode) form, the Unicode form, whether the name is valid and why not,
//! and exactly which names the registration covers. All of it is computed here, in wasm, with
//! `shared::fqdn` — the same code the server runs — and no request leaves the page.

use leptos::prelude::*;
use shared::dto::Locale;
use shared::fqdn::{normalize, CertType, FqdnError, Normalized};

use crate::context::use_i18n;
use crate::i18n::Key;

/// What the preview shows for `input`: nothing while it is blank, else the normalised name or
/// the reason it is refused.
pub fn preview(input: &str, cert_type: CertType) -> Option<Result<Normalized, FqdnError>> {
    if input.trim().is_empty() {
        None
    } else {
        Some(normalize(input, cert_type))
    }
}

/// The Unicode form as the customer reads it (`*.例え.jp` for a wildcard).
pub fn display_unicode(n: &Normalized) -> String {
    match n.cert_type {
        CertType::Dv => n.unicode.clone(),
        CertType::DvWildcard => format!("*.{}", n.unicode),
    }
}

/// The reason a name is refused, in the reader's language (by the error's code, R-FQDN-1).
pub fn error_text(locale: Locale, err: &FqdnError) -> String {
    err.message(locale)
}

/// The select of the certificate type (`fqdn-type`), labelled as the seed names the products.
#[component]
pub fn CertTypeSelect(cert_type: RwSignal<CertType>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="fqdn-type">{move || i18n.t(Key::CertTypeLabel)}</label>
            <select id="fqdn-type" name="fqdn-type" data-testid="fqdn-type"
                prop:value=move || cert_type.get().as_str()
                on:change=move |ev| {
                    if let Some(t) = CertType::parse(&event_target_value(&ev)) {
                        cert_type.set(t);
                    }
                }>
                {CertType::ALL.into_iter().map(|t| view! {
                    <option value=t.as_str() selected=move || cert_type.get() == t>
                        {move || t.label(i18n.locale())}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// The FQDN text input and the live preview under it. `refused` is true while the server has
/// refused the name (held by another customer, R-FQDN-4): the preview then drops its "valid"
/// mark, so only the refusal shows.
#[component]
pub fn FqdnInput(
    value: RwSignal<String>,
    cert_type: RwSignal<CertType>,
    #[prop(optional, into)] refused: Option<Signal<bool>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let result = Memo::new(move |_| value.with(|v| preview(v, cert_type.get())));
    let invalid = move || result.with(|r| matches!(r, Some(Err(_))));
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for="fqdn-input">
                {move || i18n.t(Key::FqdnLabel)}
                <span class="required-mark">{move || i18n.t(Key::Required)}</span>
            </label>
            <input id="fqdn-input" name="fqdn" type="text" data-testid="fqdn-input"
                autocomplete="off" autocapitalize="off" spellcheck="false" inputmode="url"
                placeholder=move || match cert_type.get() {
                    CertType::Dv => "example.jp",
                    CertType::DvWildcard => "*.example.jp",
                }
                aria-invalid=move || if invalid() { "true" } else { "false" }
                aria-describedby="fqdn-input-hint fqdn-preview"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
            <p class="field-hint" id="fqdn-input-hint">{move || i18n.t(Key::FqdnHint)}</p>
        </div>
        <div class="fqdn-preview" id="fqdn-preview" aria-live="polite" data-testid="fqdn-preview">
            {move || match result.get() {
                None => view! {
                    <p class="muted small">{move || i18n.t(Key::FqdnPreviewEmpty)}</p>
                }.into_any(),
                Some(Err(err)) => {
                    let code = err.code();
                    view! {
                    <p class="field-error" data-testid="fqdn-error" data-code=code>
                        <span class="field-error-icon" aria-hidden="true"></span>
                        {move || error_text(i18n.locale(), &err)}
                    </p>
                }.into_any()
                }
                Some(Ok(n)) => {
                    let unicode_differs = n.coverage_unicode != n.coverage;
                    let coverage_unicode = n.coverage_unicode.join(", ");
                    view! {
                        {move || (!refused.is_some_and(|r| r.get())).then(|| view! {
                            <p class="fqdn-valid" data-testid="fqdn-valid">
                                <span class="badge badge-ok">{move || i18n.t(Key::FqdnValid)}</span>
                            </p>
                        })}
                        <dl class="facts">
                            <dt>{move || i18n.t(Key::FqdnAsciiLabel)}</dt>
                            <dd><code class="mono domain" data-testid="fqdn-ascii">{n.display_ascii()}</code></dd>
                            <dt>{move || i18n.t(Key::FqdnUnicodeLabel)}</dt>
                            <dd><span class="domain" data-testid="fqdn-unicode">{display_unicode(&n)}</span></dd>
                            <dt>{move || i18n.t(Key::FqdnCoverageLabel)}</dt>
                            <dd>
                                <ul class="coverage" data-testid="fqdn-coverage">
                                    {n.coverage.iter().map(|name| view! { <li><span class="mono domain">{name.clone()}</span></li> }).collect_view()}
                                </ul>
                                {unicode_differs.then(|| view! {
                                    <p class="muted small" data-testid="fqdn-coverage-unicode">{coverage_unicode}</p>
                                })}
                            </dd>
                        </dl>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_example_previews_its_punycode_and_both_names() {
        let n = preview("例え.jp", CertType::Dv).unwrap().unwrap();
        assert_eq!(n.display_ascii(), "xn--r8jz45g.jp");
        assert_eq!(display_unicode(&n), "例え.jp");
        assert_eq!(n.coverage, ["xn--r8jz45g.jp", "www.xn--r8jz45g.jp"]);
    }

    #[test]
    fn a_wildcard_shows_its_star_in_both_forms() {
        for typed in ["*.例え.jp", "例え.jp"] {
            let n = preview(typed, CertType::DvWildcard).unwrap().unwrap();
            assert_eq!(n.display_ascii(), "*.xn--r8jz45g.jp");
            assert_eq!(display_unicode(&n), "*.例え.jp");
            assert_eq!(n.coverage, ["*.xn--r8jz45g.jp", "xn--r8jz45g.jp"]);
        }
    }

    #[test]
    fn blank_shows_nothing_and_bad_names_say_why_in_both_languages() {
        assert!(preview("  ", CertType::Dv).is_none());
        let err = preview("co.jp", CertType::Dv).unwrap().unwrap_err();
        assert_eq!(err.code(), "public_suffix");
        assert!(error_text(Locale::Ja, &err).contains("公開サフィックス"));
        assert!(error_text(Locale::En, &err).contains("public suffix"));
        let err = preview("*.example.jp", CertType::Dv).unwrap().unwrap_err();
        assert_eq!(err.code(), "wildcard_needs_type");
    }
}
