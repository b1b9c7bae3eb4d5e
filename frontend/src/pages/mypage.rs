//! `/mypage` (マイページ): the account and where the customer stands on the journey.

use leptos::prelude::*;
use shared::billing::{InvoiceStatus, PaymentMethod, RegistrationState};
use shared::dto::{AcmeApplicationState, Invoice, Me, Registration};
use shared::fqdn::CertType;

use crate::api;
use crate::components::bank::BankTransferDetails;
use crate::components::commands::IssueCommands;
use crate::components::header::OPERATOR_HOME;
use crate::components::notice::Loading;
use crate::components::require_login::RequireLogin;
use crate::components::steps::{steps, Step, StepList, StepStatus};
use crate::context::{use_i18n, use_session, use_title};
use crate::i18n::Key;
use crate::paths::{
    ACME_PAGE, CERTIFICATES_PAGE, INVOICES_PAGE, REGISTER_PAGE, REGISTRATIONS_PAGE,
};
use crate::time::format_jst;

/// What the customer has bought and obtained, for STEP 5–7 (`None` while unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purchases {
    /// At least one usage FQDN registration that was not cancelled (STEP 5).
    pub registered: bool,
    /// At least one registration paid for (STEP 6).
    pub paid: bool,
    /// At least one certificate issued (STEP 7).
    pub issued: bool,
}

/// The purchases as the customer's registrations and certificates show them.
pub fn purchases(registrations: &[Registration], certificates: usize) -> Purchases {
    use RegistrationState::*;
    let any = |f: fn(RegistrationState) -> bool| registrations.iter().any(|r| f(r.state));
    Purchases {
        registered: any(|s| s != Cancelled),
        paid: any(|s| matches!(s, Registered | Active | Expired | Lapsed)),
        issued: certificates > 0 || any(|s| matches!(s, Active | Expired)),
    }
}

/// The seven steps for this customer. Sign-up is done (the customer is logged in); the ACME
/// application (STEP 2) and its EAB credentials (STEP 3) are done once the server says so;
/// STEP 4 is done while at least one ACME account bound through the EAB is active
/// (`active_accounts`, `None` while unknown). STEP 5–7 open with the ACME application and are
/// done as the registrations, payments and certificates show (`bought`).
pub fn progress(me: &Me, active_accounts: Option<usize>, bought: Option<Purchases>) -> Vec<Step> {
    let applied = me.acme_application == AcmeApplicationState::Applied;
    let has_account = active_accounts.is_some_and(|n| n > 0);
    let bought = bought.unwrap_or_default();
    let mut list = steps(|i| match i {
        0 => StepStatus::Done,
        1 | 2 if applied => StepStatus::Done,
        3 if applied && has_account => StepStatus::Done,
        1..=3 => StepStatus::Todo,
        _ if !applied => StepStatus::Locked,
        4 if bought.registered => StepStatus::Done,
        5 if bought.paid => StepStatus::Done,
        6 if bought.issued => StepStatus::Done,
        _ => StepStatus::Todo,
    });
    // STEP 2 is where everything starts; STEP 3 and 4 live on the same page once applied.
    list[1].href = Some(ACME_PAGE);
    if applied {
        list[2].href = Some(ACME_PAGE);
        list[3].href = Some(ACME_PAGE);
        list[4].href = Some(REGISTER_PAGE);
        list[5].href = Some(INVOICES_PAGE);
        list[6].href = Some(CERTIFICATES_PAGE);
    }
    list
}

/// The one thing the customer should do next, shown as the only primary button of My Page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// STEP 2: the ACME usage application.
    Apply,
    /// STEP 5: register a usage FQDN.
    Register,
    /// STEP 6 by card: pay the invoice on the invoices page.
    PayByCard(Invoice),
    /// STEP 6 by bank transfer: where to send the money.
    AwaitTransfer(Invoice),
    /// STEP 7: run the ACME client for a paid name.
    Issue { fqdn: String, cert_type: CertType },
    /// Everything done: see the certificates (or register another name).
    AllDone,
}

impl NextAction {
    /// The `data-action` of the next-action box, for tests.
    pub fn as_str(&self) -> &'static str {
        match self {
            NextAction::Apply => "apply",
            NextAction::Register => "register",
            NextAction::PayByCard(_) => "pay-card",
            NextAction::AwaitTransfer(_) => "await-transfer",
            NextAction::Issue { .. } => "issue",
            NextAction::AllDone => "done",
        }
    }
}

/// What the customer should do next: apply; else pay what is unpaid (the newest invoice first);
/// else obtain a certificate for a paid name; else register a name when none is live; else
/// nothing is pending. (STEP 4, the ACME account, is not a separate action: the commands shown
/// for STEP 7 register it with the EAB on first use.)
pub fn next_action(
    applied: bool,
    registrations: &[Registration],
    invoices: &[Invoice],
) -> NextAction {
    use RegistrationState::*;
    if !applied {
        return NextAction::Apply;
    }
    if let Some(inv) = invoices.iter().find(|i| i.status == InvoiceStatus::Unpaid) {
        return match inv.payment_method {
            PaymentMethod::Card => NextAction::PayByCard(inv.clone()),
            PaymentMethod::BankTransfer => NextAction::AwaitTransfer(inv.clone()),
        };
    }
    if let Some(reg) = registrations.iter().find(|r| r.state == Registered) {
        return NextAction::Issue {
            fqdn: reg.fqdn.clone(),
            cert_type: reg.cert_type,
        };
    }
    if registrations
        .iter()
        .any(|r| matches!(r.state, AwaitingPayment | Active))
    {
        NextAction::AllDone
    } else {
        NextAction::Register
    }
}

/// What My Page loads for STEP 5–7 and the next action.
#[derive(Debug, Clone, Default)]
struct Overview {
    registrations: Vec<Registration>,
    invoices: Vec<Invoice>,
    certificates: usize,
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
    let operator = Memo::new(move |_| session.is_operator());

    view! {
        <section class="container page">
            <div class="page-head">
                <h1 tabindex="-1">{move || i18n.t(Key::MyPageTitle)}</h1>
                <p class="page-lead" data-testid="mypage-welcome">{move || i18n.tf(Key::MyPageWelcome, &[("name", &name())])}</p>
            </div>
            {move || if operator.get() {
                view! {
                    <section class="card next-action" data-testid="mypage-operator" aria-labelledby="operator-note-title">
                        <h2 id="operator-note-title">{move || i18n.t(Key::MyPageOperatorTitle)}</h2>
                        <p>{move || i18n.t(Key::MyPageOperatorBody)}</p>
                        <p><a class="btn btn-primary" href=OPERATOR_HOME data-testid="mypage-operator-link">{move || i18n.t(Key::MyPageOperatorLink)}</a></p>
                    </section>
                    <div class="grid-2"><AccountCard/><TokensCard/></div>
                }.into_any()
            } else {
                view! { <CustomerJourney/> }.into_any()
            }}
        </section>
    }
}

/// The customer's progress, the next action, then the cards (all with secondary buttons).
#[component]
fn CustomerJourney() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Active ACME accounts, for STEP 4; asked only once the customer has applied (and not
    // again when other account data, such as the language, changes).
    let applied = Memo::new(move |_| session.has_applied());
    let accounts = LocalResource::new(move || {
        let applied = applied.get();
        async move {
            if !applied {
                return Some(0);
            }
            match api::acme_accounts().await {
                Ok(list) => Some(list.iter().filter(|a| a.status == "valid").count()),
                Err(e) => {
                    session.forget_if_logged_out(&e);
                    None
                }
            }
        }
    });
    // Registrations, invoices and certificates, for STEP 5–7 and the next action.
    let overview = LocalResource::new(move || {
        let applied = applied.get();
        async move {
            if !applied {
                return Some(Overview::default());
            }
            let regs = api::registrations().await;
            let invoices = api::invoices().await;
            let certs = api::certificates().await;
            match (regs, invoices, certs) {
                (Ok(registrations), Ok(invoices), Ok(certs)) => Some(Overview {
                    registrations,
                    invoices,
                    certificates: certs.len(),
                }),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                    session.forget_if_logged_out(&e);
                    None
                }
            }
        }
    });
    let journey = move || {
        let active = accounts.get().flatten();
        let bought = overview
            .get()
            .flatten()
            .filter(|_| applied.get())
            .map(|o| purchases(&o.registrations, o.certificates));
        session.me.with(|me| {
            me.as_ref()
                .map(|me| progress(me, active, bought))
                .unwrap_or_default()
        })
    };
    let next = move || -> Option<NextAction> {
        if !applied.get() {
            return Some(NextAction::Apply);
        }
        overview
            .get()
            .flatten()
            .map(|o| next_action(true, &o.registrations, &o.invoices))
    };
    let applied = move || applied.get();

    view! {
        <section class="section progress-section" aria-labelledby="progress-title">
            <h2 id="progress-title">{move || i18n.t(Key::ProgressTitle)}</h2>
            <p class="section-lead">{move || i18n.t(Key::ProgressLead)}</p>
            {move || match next() {
                None => view! { <Loading/> }.into_any(),
                Some(action) => view! { <NextActionBox action=action/> }.into_any(),
            }}
            {move || view! { <StepList steps=journey() testid="progress"/> }}
            {move || (!applied()).then(|| view! { <p class="muted small">{move || i18n.t(Key::StepLockedNote)}</p> })}
        </section>
        <div class="grid-2">
            <AccountCard/>
            <section class="card" aria-labelledby="acme-card-title">
                <h2 id="acme-card-title">{move || i18n.t(Key::AcmeCardTitle)}</h2>
                <p>{move || i18n.t(if applied() { Key::AcmeCardBodyApplied } else { Key::AcmeCardBodyNone })}</p>
                <p><a class="btn btn-secondary" href=ACME_PAGE data-testid="mypage-acme-link">
                    {move || i18n.t(if applied() { Key::AcmeCardLinkView } else { Key::AcmeCardLinkApply })}
                </a></p>
            </section>
            <section class="card" aria-labelledby="fqdn-card-title">
                <h2 id="fqdn-card-title">{move || i18n.t(Key::RegistrationsTitle)}</h2>
                <p>{move || i18n.t(Key::RegistrationsLead)}</p>
                <p class="actions">
                    {move || if applied() {
                        view! {
                            <a class="btn btn-secondary" href=REGISTER_PAGE data-testid="mypage-register-link">{move || i18n.t(Key::WizEntryTitle)}</a>
                        }.into_any()
                    } else {
                        view! { <span class="muted small" data-testid="mypage-register-locked">{move || i18n.t(Key::StepLockedNote)}</span> }.into_any()
                    }}
                    <a class="btn btn-secondary" href=REGISTRATIONS_PAGE data-testid="mypage-registrations-link">{move || i18n.t(Key::RegistrationsTitle)}</a>
                </p>
            </section>
            <section class="card" aria-labelledby="certs-card-title">
                <h2 id="certs-card-title">{move || i18n.t(Key::CertificatesTitle)}</h2>
                <p>{move || i18n.t(Key::CertificatesLead)}</p>
                <p class="actions">
                    <a class="btn btn-secondary" href=CERTIFICATES_PAGE data-testid="mypage-certificates-link">{move || i18n.t(Key::CertificatesTitle)}</a>
                    <a class="btn btn-secondary" href="/mypage/orders" data-testid="mypage-orders-link">{move || i18n.t(Key::OrdersTitle)}</a>
                    <a class="btn btn-secondary" href=INVOICES_PAGE data-testid="mypage-invoices-link">{move || i18n.t(Key::InvoicesTitle)}</a>
                </p>
            </section>
            <TokensCard/>
            <WebhooksCard/>
        </div>
    }
}

/// The next action: one primary button (or, for a transfer, where to pay; for a paid name, the
/// command to run).
#[component]
fn NextActionBox(action: NextAction) -> impl IntoView {
    let i18n = use_i18n();
    let kind = action.as_str();
    let (lead, button): (Key, Option<(Key, &'static str)>) = match &action {
        NextAction::Apply => (
            Key::NextApplyLead,
            Some((Key::AcmeCardLinkApply, ACME_PAGE)),
        ),
        NextAction::Register => (
            Key::NextRegisterLead,
            Some((Key::NextRegisterButton, REGISTER_PAGE)),
        ),
        NextAction::PayByCard(_) => (Key::NextPayLead, Some((Key::PayByCard, INVOICES_PAGE))),
        NextAction::AwaitTransfer(_) => (Key::NextTransferLead, None),
        NextAction::Issue { .. } => (Key::NextIssueLead, None),
        NextAction::AllDone => (
            Key::NextDoneLead,
            Some((Key::CertificatesTitle, CERTIFICATES_PAGE)),
        ),
    };
    let detail = match action {
        NextAction::PayByCard(inv) => {
            let number = inv.number.clone();
            let fqdn = inv.fqdn.clone();
            Some(
                view! {
                    <p>
                        <span class="mono">{number}</span>" "
                        <span class="mono domain" data-testid="next-action-fqdn">{fqdn}</span>
                    </p>
                }
                .into_any(),
            )
        }
        NextAction::AwaitTransfer(inv) => {
            Some(view! { <BankTransferDetails invoice=inv/> }.into_any())
        }
        NextAction::Issue { fqdn, cert_type } => {
            Some(view! { <IssueCommands fqdn=fqdn cert_type=cert_type/> }.into_any())
        }
        _ => None,
    };
    view! {
        <div class="next-action card" data-testid="next-action" data-action=kind>
            <p class="next-action-label">{move || i18n.t(Key::NextActionTitle)}</p>
            <p class="next-action-lead">{move || i18n.t(lead)}</p>
            {detail}
            {button.map(|(label, href)| view! {
                <p><a class="btn btn-primary btn-lg" href=href data-testid="next-action-button">{move || i18n.t(label)}</a></p>
            })}
        </div>
    }
}

#[component]
fn AccountCard() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let field = move |get: fn(&Me) -> String| {
        move || {
            session
                .me
                .with(|me| me.as_ref().map(get).unwrap_or_default())
        }
    };
    let created = move || {
        session.me.with(|me| {
            me.as_ref()
                .map(|me| format_jst(i18n.locale(), &me.created_at))
                .unwrap_or_default()
        })
    };
    view! {
        <section class="card" aria-labelledby="account-title">
            <h2 id="account-title">{move || i18n.t(Key::AccountTitle)}</h2>
            <dl class="facts">
                <dt>{move || i18n.t(Key::CustomerIdLabel)}</dt>
                <dd><span class="mono customer-id" data-testid="customer-id">{field(|me| me.id.clone())}</span></dd>
                <dt>{move || i18n.t(Key::NameLabel)}</dt>
                <dd data-testid="account-name">{field(|me| me.name.clone())}</dd>
                <dt>{move || i18n.t(Key::LoginEmailLabel)}</dt>
                <dd data-testid="account-email">{field(|me| me.email.clone())}</dd>
                <dt>{move || i18n.t(Key::BillingEmailLabel)}</dt>
                <dd data-testid="account-billing-email">{field(|me| me.billing_email.clone())}</dd>
                <dt>{move || i18n.t(Key::MemberSinceLabel)}</dt>
                <dd data-testid="account-created">{created}</dd>
            </dl>
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

#[component]
fn WebhooksCard() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="webhooks-card-title">
            <h2 id="webhooks-card-title">{move || i18n.t(Key::WebhooksCardTitle)}</h2>
            <p>{move || i18n.t(Key::WebhooksCardBody)}</p>
            <p><a class="btn btn-secondary" href="/mypage/webhooks" data-testid="mypage-webhooks-link">
                {move || i18n.t(Key::WebhooksCardLink)}
            </a></p>
        </section>
    }
}

#[component]
fn TokensCard() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="tokens-card-title">
            <h2 id="tokens-card-title">{move || i18n.t(Key::ApiTokensCardTitle)}</h2>
            <p>{move || i18n.t(Key::ApiTokensCardBody)}</p>
            <p><a class="btn btn-secondary" href="/mypage/tokens" data-testid="mypage-tokens-link">
                {move || i18n.t(Key::ApiTokensCardLink)}
            </a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::dto::{Locale, Role};
    use shared::fqdn::CertType;

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

    fn reg(state: RegistrationState) -> Registration {
        Registration {
            id: 1,
            fqdn: "example.jp".into(),
            fqdn_unicode: "example.jp".into(),
            cert_type: CertType::Dv,
            state,
            contract_years: 1,
            coverage: vec![],
            coverage_unicode: vec![],
            created_at: "2026-11-24T00:00:00Z".into(),
            registered_at: None,
            deadline: None,
            activated_at: None,
            contract_end: None,
            invoice_number: None,
        }
    }

    fn statuses(list: &[Step]) -> Vec<StepStatus> {
        list.iter().map(|s| s.status).collect()
    }

    #[test]
    fn a_new_customer_is_sent_to_the_acme_application() {
        let list = progress(&me(AcmeApplicationState::None), Some(0), None);
        let statuses = statuses(&list);
        assert_eq!(statuses[0], StepStatus::Done);
        assert_eq!(&statuses[1..4], [StepStatus::Todo; 3]);
        assert!(statuses[4..].iter().all(|s| *s == StepStatus::Locked));
        assert_eq!(list[1].href, Some(ACME_PAGE));
        assert_eq!(list[2].href, None, "no EAB to see before applying");
    }

    #[test]
    fn an_application_completes_steps_two_and_three_and_opens_five_to_seven() {
        for unknown_or_none in [None, Some(0)] {
            let list = progress(&me(AcmeApplicationState::Applied), unknown_or_none, None);
            let statuses = statuses(&list);
            assert_eq!(&statuses[..3], [StepStatus::Done; 3]);
            assert_eq!(statuses[3], StepStatus::Todo);
            assert!(statuses[4..].iter().all(|s| *s == StepStatus::Todo));
            assert!(list[1..4].iter().all(|s| s.href == Some(ACME_PAGE)));
            assert_eq!(list[4].href, Some(REGISTER_PAGE));
            assert_eq!(list[6].href, Some(CERTIFICATES_PAGE));
        }
    }

    #[test]
    fn an_active_acme_account_completes_step_four() {
        let statuses = statuses(&progress(&me(AcmeApplicationState::Applied), Some(2), None));
        assert_eq!(&statuses[..4], [StepStatus::Done; 4]);
    }

    #[test]
    fn registrations_payments_and_certificates_complete_five_to_seven() {
        use RegistrationState::*;
        let applied = me(AcmeApplicationState::Applied);
        let at = |regs: &[Registration], certs| {
            statuses(&progress(&applied, Some(1), Some(purchases(regs, certs))))[4..].to_vec()
        };
        let (d, t) = (StepStatus::Done, StepStatus::Todo);
        assert_eq!(at(&[], 0), [t, t, t]);
        assert_eq!(at(&[reg(Cancelled)], 0), [t, t, t]);
        assert_eq!(at(&[reg(AwaitingPayment)], 0), [d, t, t]);
        assert_eq!(at(&[reg(Registered)], 0), [d, d, t]);
        assert_eq!(at(&[reg(Active)], 0), [d, d, d]);
        assert_eq!(at(&[reg(Registered)], 1), [d, d, d]);
    }

    fn invoice(status: InvoiceStatus, method: PaymentMethod) -> Invoice {
        Invoice {
            number: "BILL00000001".into(),
            registration_id: 1,
            fqdn: "example.jp".into(),
            cert_type: CertType::Dv,
            kind: "new".into(),
            period_years: 1,
            amount_excl_tax: 10_900,
            tax: 1_090,
            amount_incl_tax: 11_990,
            payment_method: method,
            status,
            issued_at: "2026-11-24T00:00:00Z".into(),
            due_at: "2026-12-08T14:59:59Z".into(),
            paid_at: None,
            customer_id: "C00000001".into(),
            bank_account: Some("Bank, branch 001, ordinary 1234567".into()),
        }
    }

    #[test]
    fn one_next_action_in_journey_order() {
        use RegistrationState::*;
        assert_eq!(next_action(false, &[], &[]), NextAction::Apply);
        assert_eq!(next_action(true, &[], &[]), NextAction::Register);
        assert_eq!(
            next_action(true, &[reg(Cancelled)], &[]),
            NextAction::Register
        );
        let card = invoice(InvoiceStatus::Unpaid, PaymentMethod::Card);
        assert_eq!(
            next_action(true, &[reg(AwaitingPayment)], std::slice::from_ref(&card)),
            NextAction::PayByCard(card)
        );
        let bank = invoice(InvoiceStatus::Unpaid, PaymentMethod::BankTransfer);
        assert_eq!(
            next_action(true, &[reg(AwaitingPayment)], std::slice::from_ref(&bank)).as_str(),
            "await-transfer"
        );
        let paid = invoice(InvoiceStatus::Paid, PaymentMethod::Card);
        assert_eq!(
            next_action(true, &[reg(Registered)], std::slice::from_ref(&paid)),
            NextAction::Issue {
                fqdn: "example.jp".into(),
                cert_type: CertType::Dv
            }
        );
        assert_eq!(
            next_action(true, &[reg(Active)], &[paid]),
            NextAction::AllDone
        );
    }
}
