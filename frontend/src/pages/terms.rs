//! `/terms`: the service terms (サービス約款). The ACME directory's `meta.termsOfService` points
//! here, so ACME clients can show it to the people who run them.

use leptos::prelude::*;

use crate::components::terms::TermsText;
use crate::context::{use_i18n, use_title};
use crate::i18n::Key;

#[component]
pub fn TermsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(Key::TermsTitle);
    view! {
        <section class="container narrow page" data-testid="terms-page">
            <div class="page-head">
                <h1>{move || i18n.t(Key::TermsTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::TermsLead)}</p>
            </div>
            <article class="card terms">
                <TermsText/>
            </article>
        </section>
    }
}
