//! `/`: what CertDirect is, and the way in.

use leptos::prelude::*;

use crate::components::steps::{steps, StepList, StepStatus};
use crate::context::{use_i18n, use_session, use_title, AuthState};
use crate::i18n::Key;

const FEATURES: [(Key, Key, &str); 4] = [
    (Key::FeatureDvTitle, Key::FeatureDvBody, "feature-dv"),
    (
        Key::FeatureWildcardTitle,
        Key::FeatureWildcardBody,
        "feature-wildcard",
    ),
    (Key::FeatureAcmeTitle, Key::FeatureAcmeBody, "feature-acme"),
    (Key::FeatureIdnTitle, Key::FeatureIdnBody, "feature-idn"),
];

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    use_title(Key::BrandTagline);

    view! {
        <section class="hero">
            <div class="container hero-inner">
                <h1 data-testid="home-title">{move || i18n.t(Key::HomeTitle)}</h1>
                <p class="lead">{move || i18n.t(Key::HomeLead)}</p>
                <div class="actions">
                    {move || match session.state() {
                        AuthState::LoggedIn => view! {
                            <a class="btn btn-primary btn-lg" href="/mypage" data-testid="home-mypage">
                                {move || i18n.t(Key::HomeCtaMyPage)}
                            </a>
                        }.into_any(),
                        _ => view! {
                            <a class="btn btn-primary btn-lg" href="/signup" data-testid="home-signup">
                                {move || i18n.t(Key::HomeCtaSignup)}
                            </a>
                            <a class="btn btn-secondary btn-lg" href="/login" data-testid="home-login">
                                {move || i18n.t(Key::HomeCtaLogin)}
                            </a>
                        }.into_any(),
                    }}
                </div>
            </div>
        </section>
        <section class="container section">
            <h2>{move || i18n.t(Key::HomeFeaturesTitle)}</h2>
            <div class="cards">
                {FEATURES
                    .into_iter()
                    .map(|(title, body, class)| view! {
                        <article class=format!("card feature {class}")>
                            <span class="feature-icon" aria-hidden="true"></span>
                            <h3>{move || i18n.t(title)}</h3>
                            <p>{move || i18n.t(body)}</p>
                        </article>
                    })
                    .collect_view()}
            </div>
        </section>
        <section class="container section">
            <h2>{move || i18n.t(Key::HomeFlowTitle)}</h2>
            <p class="section-lead">{move || i18n.t(Key::HomeFlowLead)}</p>
            <StepList steps=steps(|_| StepStatus::Info) testid="home-steps"/>
        </section>
    }
}
