//! The dns-persist-01 records to publish once (R-VAL-10): for each valid ACME account of the
//! customer and each live usage FQDN registration, the exact `_validation-persist` TXT record
//! (`shared::persist`), with `policy=wildcard` for wildcard registrations.

use leptos::prelude::*;
use shared::billing::RegistrationState;
use shared::dto::{AcmeAccountInfo, Registration};
use shared::fqdn::CertType;
use shared::persist::{records_for, PersistRecord};

use crate::api;
use crate::components::copy::CopyButton;
use crate::components::notice::{ErrorNotice, Loading};
use crate::context::{use_i18n, use_session};
use crate::i18n::{error_message, Key};

/// The records of one registration for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRecords {
    /// The registration's name as the customer reads it (`*.例え.jp`).
    pub display: String,
    /// Its A-label name with `*.` for a wildcard, for `data-fqdn`.
    pub fqdn: String,
    pub records: Vec<PersistRecord>,
}

/// The records of one ACME account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecords {
    pub account_id: i64,
    pub account_url: String,
    pub registrations: Vec<RegistrationRecords>,
}

/// Whether records are worth showing for a registration: one that is, or will be once paid,
/// usable for orders.
pub fn shows_registration(state: RegistrationState) -> bool {
    matches!(
        state,
        RegistrationState::AwaitingPayment
            | RegistrationState::Registered
            | RegistrationState::Active
    )
}

/// What the section shows: per valid account (in the order given), per live registration, the
/// records with our first issuer domain name. Empty when there is no issuer, no valid account or
/// no live registration.
pub fn persist_records(
    issuers: &[String],
    accounts: &[AcmeAccountInfo],
    registrations: &[Registration],
) -> Vec<AccountRecords> {
    let Some(issuer) = issuers.first() else {
        return Vec::new();
    };
    let live: Vec<&Registration> = registrations
        .iter()
        .filter(|r| shows_registration(r.state))
        .collect();
    if live.is_empty() {
        return Vec::new();
    }
    accounts
        .iter()
        .filter(|a| a.status == "valid")
        .map(|a| AccountRecords {
            account_id: a.id,
            account_url: a.url.clone(),
            registrations: live
                .iter()
                .map(|r| {
                    let wildcard = r.cert_type == CertType::DvWildcard;
                    let prefix = if wildcard { "*." } else { "" };
                    RegistrationRecords {
                        display: format!("{prefix}{}", r.fqdn_unicode),
                        fqdn: format!("{prefix}{}", r.fqdn),
                        records: records_for(&r.coverage, issuer, &a.url),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The section on the ACME page. It loads the accounts and registrations itself.
#[component]
pub fn PersistRecords(issuers: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let data = LocalResource::new(move || async move {
        let result = async {
            Ok::<_, api::ApiError>((api::acme_accounts().await?, api::registrations().await?))
        }
        .await;
        if let Err(e) = &result {
            session.forget_if_logged_out(e);
        }
        result
    });
    let issuer_list = issuers.join(", ");
    view! {
        <section class="card section-card" id="dns-persist" aria-labelledby="persist-title" data-testid="persist-records">
            <h2 id="persist-title">{move || i18n.t(Key::PersistTitle)}</h2>
            <p>{move || i18n.t(Key::PersistLead)}</p>
            {move || {
                let issuers = issuers.clone();
                match data.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(e)) => view! {
                        <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="persist-records-error"/>
                    }.into_any(),
                    Some(Ok((accounts, registrations))) => {
                        let shown = persist_records(&issuers, &accounts, &registrations);
                        if shown.is_empty() {
                            view! {
                                <p class="empty" data-testid="persist-records-empty">{move || i18n.t(Key::PersistEmpty)}</p>
                            }.into_any()
                        } else {
                            shown.into_iter().map(|account| view! { <AccountBlock account=account/> }).collect_view().into_any()
                        }
                    }
                }
            }}
            <p class="muted small" data-testid="persist-issuers">{move || i18n.tf(Key::PersistNote, &[("issuers", &issuer_list)])}</p>
        </section>
    }
}

#[component]
fn AccountBlock(account: AccountRecords) -> impl IntoView {
    let i18n = use_i18n();
    let id = account.account_id.to_string();
    let heading_id = id.clone();
    view! {
        <div class="persist-account" data-testid="persist-account" data-account-id=id.clone()>
            <h3 class="persist-account-title">
                {move || i18n.tf(Key::PersistAccountHeading, &[("id", &heading_id)])}
                " "
                <span class="account-url mono small muted">{account.account_url.clone()}</span>
            </h3>
            {account.registrations.into_iter().map(|reg| view! {
                <div class="command" data-testid="persist-registration" data-fqdn=reg.fqdn.clone()>
                    <h4 class="command-client"><span class="domain">{reg.display.clone()}</span></h4>
                    {reg.records.into_iter().map(|record| {
                        let line = record.zone_line();
                        let covers = record.covers.clone();
                        let testid = "persist-record";
                        view! {
                            <p class="muted small">
                                {move || i18n.t(Key::PersistCovers)}" "
                                {covers.iter().enumerate().map(|(i, name)| view! {
                                    {(i > 0).then_some(", ")}<span class="domain">{name.clone()}</span>
                                }).collect_view()}
                            </p>
                            <div class="copy-row">
                                <pre class="command-line"><code data-testid=testid data-name=record.name.clone()
                                    data-wildcard=if record.wildcard { "true" } else { "false" }>{line.clone()}</code></pre>
                                <CopyButton text=line testid=format!("{testid}-copy")
                                    label=Signal::derive(move || i18n.tf(Key::CopyLabel, &[("what", i18n.t(Key::PersistRecordLabel))]))/>
                            </div>
                        }
                    }).collect_view()}
                </div>
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::billing::RegistrationState as S;

    fn account(id: i64, status: &str) -> AcmeAccountInfo {
        AcmeAccountInfo {
            id,
            url: format!("https://ca.example.jp/acme/acct/{id}"),
            status: status.into(),
            contact: vec![],
            key_thumbprint: "t".into(),
            eab_key_id: "k".into(),
            created_at: "2026-11-24T01:00:00Z".into(),
        }
    }

    fn registration(fqdn: &str, unicode: &str, t: CertType, state: S) -> Registration {
        Registration {
            id: 1,
            fqdn: fqdn.into(),
            fqdn_unicode: unicode.into(),
            cert_type: t,
            state,
            contract_years: 1,
            coverage: shared::fqdn::coverage(fqdn, t),
            coverage_unicode: vec![],
            created_at: "2026-11-24T01:00:00Z".into(),
            registered_at: None,
            deadline: None,
            activated_at: None,
            contract_end: None,
            invoice_number: None,
        }
    }

    #[test]
    fn each_valid_account_gets_each_live_registrations_records() {
        let issuers = vec!["ca.example.jp".to_owned(), "ca2.example.jp".to_owned()];
        let accounts = [
            account(1, "valid"),
            account(2, "deactivated"),
            account(3, "valid"),
        ];
        let regs = [
            registration("example.jp", "example.jp", CertType::Dv, S::Active),
            registration(
                "xn--r8jz45g.jp",
                "例え.jp",
                CertType::DvWildcard,
                S::Registered,
            ),
            registration("gone.jp", "gone.jp", CertType::Dv, S::Lapsed),
            registration("unpaid.jp", "unpaid.jp", CertType::Dv, S::AwaitingPayment),
        ];
        let shown = persist_records(&issuers, &accounts, &regs);
        assert_eq!(
            shown.iter().map(|a| a.account_id).collect::<Vec<_>>(),
            [1, 3]
        );
        let regs1 = &shown[0].registrations;
        assert_eq!(
            regs1.iter().map(|r| r.display.as_str()).collect::<Vec<_>>(),
            ["example.jp", "*.例え.jp", "unpaid.jp"]
        );
        assert_eq!(regs1[1].fqdn, "*.xn--r8jz45g.jp");
        // A DV registration: a record per covered name, without policy=wildcard.
        let lines: Vec<String> = regs1[0].records.iter().map(|r| r.zone_line()).collect();
        assert_eq!(
            lines,
            [
                "_validation-persist.example.jp. IN TXT \"ca.example.jp; accounturi=https://ca.example.jp/acme/acct/1\"",
                "_validation-persist.www.example.jp. IN TXT \"ca.example.jp; accounturi=https://ca.example.jp/acme/acct/1\"",
            ]
        );
        // A wildcard registration: one record with policy=wildcard at the base name.
        let wild: Vec<String> = regs1[1].records.iter().map(|r| r.zone_line()).collect();
        assert_eq!(
            wild,
            ["_validation-persist.xn--r8jz45g.jp. IN TXT \"ca.example.jp; accounturi=https://ca.example.jp/acme/acct/1; policy=wildcard\""]
        );
        // The second account's records name its own URL.
        assert!(shown[1].registrations[0].records[0]
            .value
            .ends_with("/acme/acct/3"));
    }

    #[test]
    fn nothing_to_show_without_issuer_account_or_registration() {
        let issuers = vec!["ca.example.jp".to_owned()];
        let reg = [registration(
            "example.jp",
            "example.jp",
            CertType::Dv,
            S::Active,
        )];
        assert!(persist_records(&[], &[account(1, "valid")], &reg).is_empty());
        assert!(persist_records(&issuers, &[account(1, "deactivated")], &reg).is_empty());
        let ended = [registration(
            "example.jp",
            "example.jp",
            CertType::Dv,
            S::Expired,
        )];
        assert!(persist_records(&issuers, &[account(1, "valid")], &ended).is_empty());
    }

    #[test]
    fn live_registrations_are_the_usable_ones() {
        let shown: Vec<S> = S::ALL
            .into_iter()
            .filter(|s| shows_registration(*s))
            .collect();
        assert_eq!(shown, [S::AwaitingPayment, S::Registered, S::Active]);
    }
}
