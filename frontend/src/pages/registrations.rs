//! `/mypage/registrations` (利用FQDN情報一覧): the customer's usage FQDNs grouped by where they
//! stand (R-FQDN-5): those that will become active (paid, "今後有効になる…"), the active ones with
//! their contract end, those awaiting payment, and those that ended. Times in Japan time.

use leptos::prelude::*;
use shared::billing::RegistrationState;
use shared::dto::Registration;

use crate::api;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::require_login::RequireLogin;
use crate::context::{use_i18n, use_session, use_title};
use crate::i18n::{error_message, Key};
use crate::paths::{INVOICES_PAGE, REGISTER_PAGE};
use crate::time::format_jst;

/// The sections of the list, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Paid, no certificate yet: "今後有効になるサーバー証明書(ACME対応版)利用FQDN一覧".
    Upcoming,
    Active,
    AwaitingPayment,
    Ended,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::Upcoming,
        Group::Active,
        Group::AwaitingPayment,
        Group::Ended,
    ];

    pub fn of(state: RegistrationState) -> Group {
        match state {
            RegistrationState::Registered => Group::Upcoming,
            RegistrationState::Active => Group::Active,
            RegistrationState::AwaitingPayment => Group::AwaitingPayment,
            RegistrationState::Expired
            | RegistrationState::Cancelled
            | RegistrationState::Lapsed => Group::Ended,
        }
    }

    pub fn title(self) -> Key {
        match self {
            Group::Upcoming => Key::GroupUpcoming,
            Group::Active => Key::GroupActive,
            Group::AwaitingPayment => Key::GroupAwaiting,
            Group::Ended => Key::GroupEnded,
        }
    }

    pub fn testid(self) -> &'static str {
        match self {
            Group::Upcoming => "registrations-upcoming",
            Group::Active => "registrations-active",
            Group::AwaitingPayment => "registrations-awaiting",
            Group::Ended => "registrations-ended",
        }
    }
}

/// The badge of a registration's state: its CSS class and label. Only `active` is green; a
/// paid name without a certificate (`registered`, "今後有効になる") is a neutral pending state,
/// so it does not read as active.
pub fn state_badge(state: RegistrationState) -> (&'static str, Key) {
    use RegistrationState::*;
    match state {
        AwaitingPayment => ("badge badge-info", Key::RegStateAwaitingPayment),
        Registered => ("badge badge-pending", Key::RegStateRegistered),
        Active => ("badge badge-ok", Key::RegStateActive),
        Expired => ("badge badge-off", Key::RegStateExpired),
        Cancelled => ("badge badge-off", Key::RegStateCancelled),
        Lapsed => ("badge badge-off", Key::RegStateLapsed),
    }
}

/// The registrations of `group`, in the order given (newest first).
pub fn in_group(list: &[Registration], group: Group) -> Vec<Registration> {
    list.iter()
        .filter(|r| Group::of(r.state) == group)
        .cloned()
        .collect()
}

#[component]
pub fn RegistrationsPage() -> impl IntoView {
    use_title(Key::RegistrationsTitle);
    view! {
        <RequireLogin>
            <RegistrationsContent/>
        </RequireLogin>
    }
}

#[component]
fn RegistrationsContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let list = LocalResource::new(move || async move {
        let result = api::registrations().await;
        if let Err(e) = &result {
            session.forget_if_logged_out(e);
        }
        result
    });
    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb"><a href="/mypage">{move || i18n.t(Key::NavMyPage)}</a></p>
                <h1>{move || i18n.t(Key::RegistrationsTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::RegistrationsLead)}</p>
                <p><a class="btn btn-primary" href=REGISTER_PAGE data-testid="registrations-new">{move || i18n.t(Key::WizEntryTitle)}</a></p>
            </div>
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="registrations-error"/>
                }.into_any(),
                Some(Ok(all)) => Group::ALL.into_iter().map(|g| {
                    let rows = in_group(&all, g);
                    view! { <GroupSection group=g rows=rows/> }
                }).collect_view().into_any(),
            }}
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

#[component]
fn GroupSection(group: Group, rows: Vec<Registration>) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("{}-title", group.testid());
    let labelled = heading.clone();
    view! {
        <section class="card section-card" aria-labelledby=labelled data-testid=group.testid()>
            <h2 id=heading>{move || i18n.t(group.title())}</h2>
            {if rows.is_empty() {
                view! { <p class="empty">{move || i18n.t(Key::GroupEmpty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr>
                                <th scope="col">{move || i18n.t(Key::ColFqdn)}</th>
                                <th scope="col">{move || i18n.t(Key::ColStatus)}</th>
                                <th scope="col">{move || i18n.t(Key::FqdnCoverageLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::ColDates)}</th>
                                <th scope="col">{move || i18n.t(Key::InvoiceNumberLabel)}</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! { <RegistrationRow reg=r/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn RegistrationRow(reg: Registration) -> impl IntoView {
    let i18n = use_i18n();
    let state = reg.state;
    let (badge_class, badge_label) = state_badge(state);
    let cert_type = reg.cert_type;
    let show_unicode = reg.fqdn_unicode != reg.fqdn;
    let dates: Vec<(Key, String, &'static str)> = [
        (
            Key::DeadlineLabel,
            reg.deadline.clone(),
            "registration-deadline",
        ),
        (
            Key::ContractEndLabel,
            reg.contract_end.clone(),
            "registration-contract-end",
        ),
        (
            Key::ActivatedLabel,
            reg.activated_at.clone(),
            "registration-activated",
        ),
    ]
    .into_iter()
    .filter_map(|(k, v, t)| v.map(|v| (k, v, t)))
    .filter(|(k, _, _)| {
        *k != Key::DeadlineLabel
            || state == RegistrationState::Registered
            || state == RegistrationState::Lapsed
    })
    .collect();
    let created = reg.created_at.clone();
    let invoice = reg.invoice_number.clone();
    view! {
        <tr data-testid="registration-row" data-fqdn=reg.fqdn.clone() data-state=state.as_str()>
            <td data-label=move || i18n.t(Key::ColFqdn)>
                <span class="mono domain" data-testid="registration-fqdn">{reg.fqdn.clone()}</span>
                {show_unicode.then(|| view! { <span class="block small"><span class="domain" data-testid="registration-fqdn-unicode">{reg.fqdn_unicode.clone()}</span></span> })}
                <span class="block small muted">{move || cert_type.label(i18n.locale())}</span>
            </td>
            <td data-label=move || i18n.t(Key::ColStatus)>
                <span class=badge_class data-testid="registration-state" data-state=state.as_str()>{move || i18n.t(badge_label)}</span>
            </td>
            <td data-label=move || i18n.t(Key::FqdnCoverageLabel)>
                <ul class="coverage" data-testid="registration-coverage">
                    {reg.coverage.iter().map(|n| view! { <li><span class="mono domain">{n.clone()}</span></li> }).collect_view()}
                </ul>
            </td>
            <td class="nowrap" data-label=move || i18n.t(Key::ColDates)>
                <dl class="facts compact">
                    <dt>{move || i18n.t(Key::AppliedOnLabel)}</dt>
                    <dd>{move || format_jst(i18n.locale(), &created)}</dd>
                    {dates.into_iter().map(|(k, v, t)| view! {
                        <dt>{move || i18n.t(k)}</dt>
                        <dd data-testid=t>{move || format_jst(i18n.locale(), &v)}</dd>
                    }).collect_view()}
                </dl>
            </td>
            <td data-label=move || i18n.t(Key::InvoiceNumberLabel)>
                {invoice.map(|n| view! { <a class="mono" href=INVOICES_PAGE data-testid="registration-invoice">{n}</a> })}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::fqdn::CertType;

    fn reg(id: i64, state: RegistrationState) -> Registration {
        Registration {
            id,
            fqdn: "example.jp".into(),
            fqdn_unicode: "example.jp".into(),
            cert_type: CertType::Dv,
            state,
            contract_years: 1,
            coverage: vec!["example.jp".into(), "www.example.jp".into()],
            coverage_unicode: vec!["example.jp".into(), "www.example.jp".into()],
            created_at: "2026-11-24T00:00:00Z".into(),
            registered_at: None,
            deadline: None,
            activated_at: None,
            contract_end: None,
            invoice_number: Some("BILL00000001".into()),
        }
    }

    #[test]
    fn every_state_has_one_section() {
        use RegistrationState::*;
        let all: Vec<Registration> = RegistrationState::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| reg(i as i64, *s))
            .collect();
        assert_eq!(in_group(&all, Group::Upcoming).len(), 1);
        assert_eq!(in_group(&all, Group::Upcoming)[0].state, Registered);
        assert_eq!(in_group(&all, Group::Active)[0].state, Active);
        assert_eq!(
            in_group(&all, Group::AwaitingPayment)[0].state,
            AwaitingPayment
        );
        assert_eq!(in_group(&all, Group::Ended).len(), 3);
    }

    #[test]
    fn only_active_names_get_the_green_badge() {
        use crate::i18n::tr;
        use shared::dto::Locale;
        for state in RegistrationState::ALL.iter() {
            let (class, _) = state_badge(*state);
            assert_eq!(
                class.contains("badge-ok"),
                *state == RegistrationState::Active,
                "{state:?}"
            );
        }
        let (class, label) = state_badge(RegistrationState::Registered);
        assert!(class.contains("badge-pending"));
        assert_eq!(tr(Locale::Ja, label), "支払済・証明書未発行");
        assert_eq!(tr(Locale::En, label), "Paid – no certificate yet");
    }

    #[test]
    fn the_upcoming_section_has_the_seed_title() {
        assert_eq!(
            crate::i18n::tr(shared::dto::Locale::Ja, Group::Upcoming.title()),
            "今後有効になるサーバー証明書(ACME対応版)利用FQDN一覧"
        );
    }
}
