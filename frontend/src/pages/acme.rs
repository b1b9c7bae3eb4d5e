//! `/mypage/acme` (ACME利用申請): the service terms and 「同意して確定」, once per customer
//! (R-EAB-1); then the application number, the EAB credentials with their expiry (R-EAB-2), the
//! directory URL and command lines for certbot, lego and acme.sh, and the ACME accounts bound
//! through the EAB, which the customer can deactivate (R-EAB-3).

use leptos::prelude::*;
use shared::dto::{AcmeAccountInfo, AcmeApplication, Locale};

use crate::api::{self, ApiError};
use crate::components::acme_profiles::ProfileList;
use crate::components::commands::CommandList;
use crate::components::copy::CopyButton;
use crate::components::focus::focus_on_mount;
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::components::persist_record::PersistRecords;
use crate::components::require_login::RequireLogin;
use crate::components::terms::TermsText;
use crate::context::{reloading, use_i18n, use_session, use_title, I18n};
use crate::i18n::{error_message, tr, trf, Key};
use crate::paths::REGISTER_PAGE;
use crate::time::format_jst;

/// The application number (`AP` + digits) in a problem's detail, e.g. the 409 of a second
/// application ("… yours is AP00000012 of …").
pub fn application_number_in(text: &str) -> Option<String> {
    text.match_indices("AP").find_map(|(at, _)| {
        let before_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        let digits: String = text[at + 2..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let after_ok = text[at + 2 + digits.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        (before_ok && after_ok && !digits.is_empty()).then(|| format!("AP{digits}"))
    })
}

/// What a refused application tells the reader. A 409 `already-applied` (R-EAB-1: e.g. applied
/// meanwhile in another tab) names the existing application when it is known.
pub fn apply_error(locale: Locale, err: &ApiError, known_number: Option<&str>) -> String {
    if err.status() == Some(409) && err.kind_ends_with("already-applied") {
        let number = known_number
            .map(str::to_owned)
            .or_else(|| err.problem().and_then(|p| application_number_in(&p.detail)));
        return match number {
            Some(number) => trf(locale, Key::AcmeAlreadyApplied, &[("number", &number)]),
            None => tr(locale, Key::AcmeAlreadyAppliedNoNumber).to_owned(),
        };
    }
    error_message(locale, err)
}

/// `mailto:a@b.jp` → `a@b.jp`; other contact URIs as they are.
pub fn contact_text(contact: &[String]) -> String {
    contact
        .iter()
        .map(|c| c.strip_prefix("mailto:").unwrap_or(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The status of an ACME account in the reader's language.
pub fn account_status_text(locale: Locale, status: &str) -> String {
    match status {
        "valid" => tr(locale, Key::AccountStatusValid).to_owned(),
        "deactivated" => tr(locale, Key::AccountStatusDeactivated).to_owned(),
        other => other.to_owned(),
    }
}

#[component]
pub fn AcmePage() -> impl IntoView {
    use_title(Key::AcmeTitle);
    view! {
        <RequireLogin>
            <AcmeContent/>
        </RequireLogin>
    }
}

#[component]
fn AcmeContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();

    // The application as the server has it, fetched again after a refused second application.
    let version = RwSignal::new(0u32);
    let stored = LocalResource::new(move || {
        version.track();
        async move {
            let result = api::acme_application().await;
            match &result {
                Ok(Some(_)) => session.mark_applied(),
                Ok(None) => {}
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });

    let apply = Action::new_local(move |_: &()| async move {
        let result = api::apply_acme().await;
        match &result {
            Ok(_) => session.mark_applied(),
            Err(e) if e.status() == Some(409) => {
                // Applied already (another tab, the REST API): show what the server has.
                session.mark_applied();
                version.update(|v| *v += 1);
            }
            Err(e) => session.forget_if_logged_out(e),
        }
        result
    });
    let pending = apply.pending();
    let last = apply.value();

    // The application to show: the one just made, else the stored one.
    let current = move || -> Option<Result<Option<AcmeApplication>, ApiError>> {
        if let Some(Ok(app)) = last.get() {
            return Some(Ok(Some(app)));
        }
        stored.get()
    };
    let stored_number = move || {
        stored.with(|s| match s {
            Some(Ok(Some(app))) => Some(app.application_number.clone()),
            _ => None,
        })
    };
    let apply_failure = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| match last {
            Some(Err(e)) if !pending.get() => {
                Some(apply_error(locale, e, stored_number().as_deref()))
            }
            _ => None,
        })
    });
    let applied_now = move || {
        last.with(|last| match last {
            Some(Ok(app)) => Some(app.application_number.clone()),
            _ => None,
        })
    };

    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb"><a href="/mypage">{move || i18n.t(Key::NavMyPage)}</a></p>
                <h1>{move || i18n.t(Key::AcmeTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::AcmeLead)}</p>
            </div>
            <ErrorNotice message=apply_failure testid="acme-apply-error"/>
            {move || applied_now().map(|number| view! {
                <SuccessNotice testid="acme-applied">
                    <p>{move || i18n.tf(Key::AcmeApplied, &[("number", &number)])}</p>
                </SuccessNotice>
            })}
            {move || match current() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="acme-load-error"/>
                }.into_any(),
                Some(Ok(None)) => view! {
                    <ApplyForm pending=pending.into() on_apply=move || { apply.dispatch(()); }/>
                }.into_any(),
                Some(Ok(Some(app))) => {
                    let issuers = app.issuer_domain_names.clone();
                    view! {
                        <ApplicationView app=app/>
                        <AccountList/>
                        <PersistRecords issuers=issuers/>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The terms and 「同意して確定」.
#[component]
fn ApplyForm(pending: Signal<bool>, on_apply: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="terms-title" data-testid="acme-apply">
            <h2 id="terms-title">{move || i18n.t(Key::TermsTitle)}</h2>
            <div class="terms-box" tabindex="0" role="region" aria-labelledby="terms-title" data-testid="acme-terms">
                <TermsText/>
            </div>
            <p class="apply-once"><strong>{move || i18n.t(Key::AcmeApplyOnce)}</strong></p>
            <p class="muted small">{move || i18n.t(Key::AcmeApplyNote)}</p>
            <button type="button" class="btn btn-primary btn-lg" data-testid="acme-apply-submit"
                disabled=move || pending.get() on:click=move |_| on_apply()>
                {move || i18n.t(Key::AcmeApplySubmit)}
            </button>
        </section>
    }
}

/// A value to copy: shown as code, with a copy button.
#[component]
fn CopyValue(
    value: String,
    testid: &'static str,
    /// What the value is, for the copy button's label.
    what: Key,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="copy-row">
            <code class="copy-value" data-testid=testid>{value.clone()}</code>
            <CopyButton text=value testid=format!("{testid}-copy")
                label=Signal::derive(move || i18n.tf(Key::CopyLabel, &[("what", i18n.t(what))]))/>
        </div>
    }
}

#[component]
fn ApplicationView(app: AcmeApplication) -> impl IntoView {
    let i18n = use_i18n();
    let expired = app.eab.expired;
    let applied_at = app.applied_at.clone();
    let issued_at = app.eab.issued_at.clone();
    let expires_at = app.eab.expires_at.clone();
    let commands = app.commands.clone();
    view! {
        {expired.then(|| view! {
            <div class="notice notice-error" role="alert" data-testid="eab-expired">
                <span class="notice-icon" aria-hidden="true"></span>
                <div>
                    <h2 class="notice-title">{move || i18n.t(Key::EabExpiredTitle)}</h2>
                    <p>{move || i18n.t(Key::EabExpiredBody)}</p>
                </div>
            </div>
        })}
        <section class="card next-action" aria-labelledby="acme-next-title" data-testid="acme-next">
            <h2 id="acme-next-title">{move || i18n.t(Key::AcmeNextTitle)}</h2>
            <p>{move || i18n.t(Key::AcmeNextBody)}</p>
            <p><a class="btn btn-primary btn-lg" href=REGISTER_PAGE data-testid="acme-next-register">{move || i18n.t(Key::NextRegisterButton)}</a></p>
        </section>
        <div class="grid-2">
            <section class="card" aria-labelledby="application-title" data-testid="acme-application">
                <h2 id="application-title">{move || i18n.t(Key::ApplicationTitle)}</h2>
                <dl class="facts">
                    <dt>{move || i18n.t(Key::ApplicationNumberLabel)}</dt>
                    <dd><span class="mono customer-id" data-testid="acme-application-number">{app.application_number.clone()}</span></dd>
                    <dt>{move || i18n.t(Key::AppliedAtLabel)}</dt>
                    <dd data-testid="acme-applied-at">{move || format_jst(i18n.locale(), &applied_at)}</dd>
                </dl>
                <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
            </section>
            <section class="card" aria-labelledby="directory-title">
                <h2 id="directory-title">{move || i18n.t(Key::DirectoryTitle)}</h2>
                <p>{move || i18n.t(Key::DirectoryLead)}</p>
                <CopyValue value=app.directory_url.clone() testid="acme-directory-url" what=Key::DirectoryTitle/>
            </section>
        </div>
        <section class="card section-card" id="eab" aria-labelledby="eab-title" data-testid="eab">
            <h2 id="eab-title">{move || i18n.t(Key::EabTitle)}</h2>
            <p>{move || i18n.t(Key::EabLead)}</p>
            <dl class="facts facts-wide">
                <dt>{move || i18n.t(Key::EabKidLabel)}</dt>
                <dd><CopyValue value=app.eab.key_id.clone() testid="eab-kid" what=Key::EabKidLabel/></dd>
                <dt>{move || i18n.t(Key::EabHmacLabel)}</dt>
                <dd><CopyValue value=app.eab.hmac_key.clone().unwrap_or_default() testid="eab-hmac" what=Key::EabHmacLabel/></dd>
                <dt>{move || i18n.t(Key::EabIssuedLabel)}</dt>
                <dd data-testid="eab-issued">{move || format_jst(i18n.locale(), &issued_at)}</dd>
                <dt>{move || i18n.t(Key::EabExpiresLabel)}</dt>
                <dd>
                    <span data-testid="eab-expires">{move || format_jst(i18n.locale(), &expires_at)}</span>
                    " "
                    <span class=if expired { "badge badge-off" } else { "badge badge-ok" }
                        data-testid="eab-status" data-state=if expired { "expired" } else { "valid" }>
                        {move || i18n.t(if expired { Key::EabStatusExpired } else { Key::EabStatusValid })}
                    </span>
                </dd>
            </dl>
            <p class="muted small">{move || i18n.t(Key::EabValidity)}</p>
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
        {(!expired).then(|| view! { <CommandList commands=commands/> })}
        <ProfileList/>
        <p class="muted small">{move || i18n.t(Key::ContactSupportNote)}</p>
    }
}

/// The ACME accounts bound through the EAB, with deactivation after a confirmation (R-EAB-3).
#[component]
fn AccountList() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let version = RwSignal::new(0u32);
    let accounts = reloading(session, version, api::acme_accounts);
    let confirming = RwSignal::new(None::<i64>);
    let deactivate = Action::new_local(move |id: &i64| {
        let id = *id;
        async move {
            let result = api::deactivate_acme_account(id).await;
            match &result {
                Ok(_) => {
                    confirming.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let pending = deactivate.pending();
    let last = deactivate.value();
    let failure = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| match last {
            Some(Err(e)) if !pending.get() => Some(error_message(locale, e)),
            _ => None,
        })
    });
    let done = move || {
        last.with(|last| match last {
            Some(Ok(account)) if !pending.get() => Some(account.id),
            _ => None,
        })
    };
    let ask = move |id: i64| {
        deactivate.value().set(None);
        confirming.set(Some(id));
    };

    view! {
        <section class="card section-card" id="accounts" aria-labelledby="accounts-title" data-testid="acme-accounts">
            <div class="card-head">
                <h2 id="accounts-title">{move || i18n.t(Key::AccountsTitle)}</h2>
                <button type="button" class="btn btn-ghost btn-sm" data-testid="acme-accounts-refresh"
                    on:click=move |_| version.update(|v| *v += 1)>
                    {move || i18n.t(Key::AccountsRefresh)}
                </button>
            </div>
            <p>{move || i18n.t(Key::AccountsLead)}</p>
            <ErrorNotice message=failure testid="acme-account-error"/>
            {move || done().map(|id| view! {
                <SuccessNotice testid="acme-account-deactivated">
                    <p>{move || i18n.tf(Key::AccountDeactivated, &[("id", &id.to_string())])}</p>
                </SuccessNotice>
            })}
            {move || match accounts.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="acme-accounts-error"/>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="empty" data-testid="acme-accounts-empty">{move || i18n.t(Key::AccountsEmpty)}</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <AccountTable list=list i18n=i18n confirming=confirming pending=pending.into()
                        on_ask=ask on_confirm=move |id| { deactivate.dispatch(id); }/>
                }.into_any(),
            }}
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

#[component]
fn AccountTable(
    list: Vec<AcmeAccountInfo>,
    i18n: I18n,
    confirming: RwSignal<Option<i64>>,
    pending: Signal<bool>,
    on_ask: impl Fn(i64) + Copy + Send + Sync + 'static,
    on_confirm: impl Fn(i64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="acme-account-list">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(Key::ColAccount)}</th>
                        <th scope="col">{move || i18n.t(Key::ColStatus)}</th>
                        <th scope="col">{move || i18n.t(Key::ColContact)}</th>
                        <th scope="col">{move || i18n.t(Key::ColThumbprint)}</th>
                        <th scope="col">{move || i18n.t(Key::ColCreated)}</th>
                        <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::ColActions)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|account| {
                        let id = account.id;
                        let valid = account.status == "valid";
                        let status = account.status.clone();
                        let created = account.created_at.clone();
                        let contact = contact_text(&account.contact);
                        let id_text = id.to_string();
                        view! {
                            <tr data-testid="acme-account-row" data-account-id=id_text.clone() data-status=account.status.clone()>
                                <td data-label=move || i18n.t(Key::ColAccount)>
                                    <span class="mono">{format!("#{id}")}</span>
                                    <span class="account-url mono small muted" data-testid="acme-account-url">{account.url.clone()}</span>
                                </td>
                                <td data-label=move || i18n.t(Key::ColStatus)>
                                    <span class=if valid { "badge badge-ok" } else { "badge badge-off" }
                                        data-testid="acme-account-status" data-state=account.status.clone()>
                                        {move || account_status_text(i18n.locale(), &status)}
                                    </span>
                                </td>
                                <td data-label=move || i18n.t(Key::ColContact) data-testid="acme-account-contact">
                                    {if contact.is_empty() {
                                        view! { <span class="muted">{move || i18n.t(Key::NoContact)}</span> }.into_any()
                                    } else {
                                        view! { {contact} }.into_any()
                                    }}
                                </td>
                                <td data-label=move || i18n.t(Key::ColThumbprint)>
                                    <code class="thumbprint small" title=account.key_thumbprint.clone()>{account.key_thumbprint.clone()}</code>
                                </td>
                                <td class="nowrap" data-label=move || i18n.t(Key::ColCreated)>{move || format_jst(i18n.locale(), &created)}</td>
                                <td>
                                    {valid.then(|| view! {
                                        <button type="button" class="btn btn-danger btn-sm" data-testid="acme-account-deactivate"
                                            aria-expanded=move || if confirming.get() == Some(id) { "true" } else { "false" }
                                            on:click=move |_| on_ask(id)>
                                            {move || i18n.t(Key::Deactivate)}
                                        </button>
                                    })}
                                </td>
                            </tr>
                            {move || (confirming.get() == Some(id)).then(|| {
                                let id_text = id_text.clone();
                                let yes = focus_on_mount();
                                view! {
                                    <tr class="confirm-row" data-testid="acme-account-confirm">
                                        <td colspan="6">
                                            <div class="confirm" role="alertdialog" aria-labelledby=format!("confirm-{id}")>
                                                <p id=format!("confirm-{id}")>{move || i18n.tf(Key::DeactivateConfirm, &[("id", &id_text)])}</p>
                                                <div class="confirm-actions">
                                                    <button type="button" class="btn btn-danger btn-sm" data-testid="acme-account-deactivate-confirm"
                                                        node_ref=yes disabled=move || pending.get() on:click=move |_| on_confirm(id)>
                                                        {move || i18n.t(Key::DeactivateYes)}
                                                    </button>
                                                    <button type="button" class="btn btn-ghost btn-sm" data-testid="acme-account-deactivate-cancel"
                                                        on:click=move |_| confirming.set(None)>
                                                        {move || i18n.t(Key::Cancel)}
                                                    </button>
                                                </div>
                                            </div>
                                        </td>
                                    </tr>
                                }
                            })}
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;

    fn conflict(detail: &str) -> ApiError {
        from_response(
            409,
            Some("application/problem+json"),
            &format!(
                r#"{{"type":"urn:certdirect:problem:already-applied","title":"Already applied","status":409,"detail":"{detail}"}}"#
            ),
            None,
        )
    }

    #[test]
    fn finds_the_application_number_in_a_detail() {
        assert_eq!(
            application_number_in("the ACME usage application can be made only once per customer; yours is AP00000012 of 2026-11-24T05:06:07Z.").as_deref(),
            Some("AP00000012")
        );
        assert_eq!(application_number_in("no number here, APPLE"), None);
        assert_eq!(application_number_in("XAP0001"), None);
        assert_eq!(application_number_in("AP"), None);
        assert_eq!(application_number_in("(AP7)").as_deref(), Some("AP7"));
    }

    #[test]
    fn a_second_application_is_refused_with_its_number() {
        let err = conflict("yours is AP00000003 of 2026-11-24T05:06:07Z");
        let ja = apply_error(Locale::Ja, &err, None);
        assert!(
            ja.contains("すでに完了") && ja.contains("AP00000003"),
            "{ja}"
        );
        assert!(ja.contains("カスタマーセンター"), "{ja}");
        // The stored application wins over the detail.
        let en = apply_error(Locale::En, &err, Some("AP00000009"));
        assert!(
            en.contains("AP00000009") && en.contains("only once"),
            "{en}"
        );
        let bare = apply_error(Locale::Ja, &conflict("once only"), None);
        assert_eq!(bare, tr(Locale::Ja, Key::AcmeAlreadyAppliedNoNumber));
    }

    #[test]
    fn other_failures_use_the_general_messages() {
        let err = ApiError::Network("offline".into());
        assert_eq!(
            apply_error(Locale::Ja, &err, None),
            tr(Locale::Ja, Key::ErrNetwork)
        );
    }

    #[test]
    fn contacts_drop_the_mailto_scheme() {
        assert_eq!(
            contact_text(&["mailto:a@example.jp".into(), "mailto:b@example.jp".into()]),
            "a@example.jp, b@example.jp"
        );
        assert_eq!(contact_text(&[]), "");
        assert_eq!(contact_text(&["tel:+81".into()]), "tel:+81");
    }

    #[test]
    fn account_states_are_translated() {
        assert_eq!(account_status_text(Locale::Ja, "valid"), "有効");
        assert_eq!(
            account_status_text(Locale::En, "deactivated"),
            "Deactivated"
        );
        assert_eq!(account_status_text(Locale::En, "revoked"), "revoked");
    }
}
