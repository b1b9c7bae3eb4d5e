//! `/mypage` (マイページ): the account and where the customer stands on the journey.

use leptos::prelude::*;
use shared::dto::{AcmeApplicationState, Me};

use crate::app::{use_i18n, use_session, use_title};
use crate::components::require_login::RequireLogin;
use crate::components::steps::{steps, Step, StepList, StepStatus};
use crate::i18n::Key;
use crate::time::format_jst;

/// The seven steps for this customer. Sign-up is done (the customer is logged in); the ACME
/// application and its EAB credentials are done once the server says so; the portal does not
/// offer the later steps yet, and says so rather than pretending.
pub fn progress(me: &Me) -> Vec<Step> {
    let applied = me.acme_application == AcmeApplicationState::Applied;
    steps(|i| match i {
        0 => StepStatus::Done,
        1 | 2 if applied => StepStatus::Done,
        _ => StepStatus::Unavailable,
    })
}

#[component]
pub fn MyPage() -> impl IntoView {
    use_title(Key::MyPageTitle);
    view! {
        <RequireLogin>
            <MyPageContent/>
        </RequireLogin>
    }
}

#[component]
fn MyPageContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let field = move |get: fn(&Me) -> String| {
        move || {
            session
                .me
                .with(|me| me.as_ref().map(get).unwrap_or_default())
        }
    };
    let name = field(|me| me.name.clone());
    let created = move || {
        session.me.with(|me| {
            me.as_ref()
                .map(|me| format_jst(i18n.locale(), &me.created_at))
                .unwrap_or_default()
        })
    };
    let journey = move || {
        session
            .me
            .with(|me| me.as_ref().map(progress).unwrap_or_default())
    };

    view! {
        <section class="container page">
            <div class="page-head">
                <h1>{move || i18n.t(Key::MyPageTitle)}</h1>
                <p class="page-lead" data-testid="mypage-welcome">{move || i18n.tf(Key::MyPageWelcome, &[("name", &name())])}</p>
            </div>
            <div class="grid-2">
                <section class="card" aria-labelledby="account-title">
                    <h2 id="account-title">{move || i18n.t(Key::AccountTitle)}</h2>
                    <dl class="facts">
                        <dt>{move || i18n.t(Key::CustomerIdLabel)}</dt>
                        <dd><span class="mono customer-id" data-testid="customer-id">{field(|me| me.id.clone())}</span></dd>
                        <dt>{move || i18n.t(Key::NameLabel)}</dt>
                        <dd data-testid="account-name">{name}</dd>
                        <dt>{move || i18n.t(Key::LoginEmailLabel)}</dt>
                        <dd data-testid="account-email">{field(|me| me.email.clone())}</dd>
                        <dt>{move || i18n.t(Key::BillingEmailLabel)}</dt>
                        <dd data-testid="account-billing-email">{field(|me| me.billing_email.clone())}</dd>
                        <dt>{move || i18n.t(Key::CreatedAtLabel)}</dt>
                        <dd data-testid="account-created">{created}</dd>
                    </dl>
                    <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
                </section>
                <section class="card" aria-labelledby="tokens-card-title">
                    <h2 id="tokens-card-title">{move || i18n.t(Key::ApiTokensCardTitle)}</h2>
                    <p>{move || i18n.t(Key::ApiTokensCardBody)}</p>
                    <p><a class="btn btn-secondary" href="/mypage/tokens" data-testid="mypage-tokens-link">
                        {move || i18n.t(Key::ApiTokensCardLink)}
                    </a></p>
                </section>
            </div>
            <section class="section" aria-labelledby="progress-title">
                <h2 id="progress-title">{move || i18n.t(Key::ProgressTitle)}</h2>
                <p class="section-lead">{move || i18n.t(Key::ProgressLead)}</p>
                {move || view! { <StepList steps=journey() testid="progress"/> }}
                <p class="muted small">{move || i18n.t(Key::StepUnavailableNote)}</p>
            </section>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::dto::{Locale, Role};

    fn me(application: AcmeApplicationState) -> Me {
        Me {
            id: "C00000001".into(),
            name: "Taro".into(),
            email: "taro@example.jp".into(),
            billing_email: "billing@example.jp".into(),
            locale: Locale::Ja,
            role: Role::Customer,
            email_verified: true,
            acme_application: application,
            created_at: "2026-11-24T05:06:07Z".into(),
        }
    }

    #[test]
    fn only_sign_up_is_done_for_a_new_customer() {
        let statuses: Vec<_> = progress(&me(AcmeApplicationState::None))
            .iter()
            .map(|s| s.status)
            .collect();
        assert_eq!(statuses[0], StepStatus::Done);
        assert!(statuses[1..].iter().all(|s| *s == StepStatus::Unavailable));
    }

    #[test]
    fn an_application_completes_steps_two_and_three() {
        let statuses: Vec<_> = progress(&me(AcmeApplicationState::Applied))
            .iter()
            .map(|s| s.status)
            .collect();
        assert_eq!(&statuses[..3], [StepStatus::Done; 3]);
        assert!(statuses[3..].iter().all(|s| *s == StepStatus::Unavailable));
    }
}
