//! `/mypage/certificates` (証明書, STEP 7; R-CA-3, R-CA-4): the customer's certificates with
//! names, serial, validity and status; the PEM chain to download; revocation with a reason code
//! after a confirmation.

use leptos::prelude::*;
use shared::dto::{CertificateInfo, Locale};

use crate::api;
use crate::components::focus::focus_on_mount;
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::components::require_login::RequireLogin;
use crate::context::{reloading, use_i18n, use_session, use_title};
use crate::i18n::{error_message, tr, Key};
use crate::paths::ORDERS_PAGE;
use crate::time::format_jst;

/// RFC 5280 reason codes the portal offers, with their labels.
pub const REASONS: [(u8, Key); 5] = [
    (0, Key::ReasonUnspecified),
    (1, Key::ReasonKeyCompromise),
    (3, Key::ReasonAffiliationChanged),
    (4, Key::ReasonSuperseded),
    (5, Key::ReasonCessation),
];

/// A certificate's status in the reader's language.
pub fn cert_status_label(locale: Locale, status: &str) -> String {
    match status {
        "valid" => tr(locale, Key::CertValid).to_owned(),
        "revoked" => tr(locale, Key::CertRevoked).to_owned(),
        "expired" => tr(locale, Key::CertExpired).to_owned(),
        other => other.to_owned(),
    }
}

/// The label of a revocation reason code.
pub fn reason_label(locale: Locale, code: u8) -> String {
    REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, k)| tr(locale, *k).to_owned())
        .unwrap_or_else(|| code.to_string())
}

#[component]
pub fn CertificatesPage() -> impl IntoView {
    use_title(Key::CertificatesTitle);
    view! {
        <RequireLogin>
            <CertificatesContent/>
        </RequireLogin>
    }
}

#[component]
fn CertificatesContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let version = RwSignal::new(0u32);
    let list = reloading(session, version, api::certificates);
    let confirming = RwSignal::new(None::<String>);
    let reason = RwSignal::new(0u8);
    let revoke = Action::new_local(move |(serial, reason): &(String, u8)| {
        let (serial, reason) = (serial.clone(), *reason);
        async move {
            let result = api::revoke_certificate(&serial, reason).await;
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
    let pending = revoke.pending();
    let last = revoke.value();
    let failure = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|l| match l {
            Some(Err(e)) if !pending.get() => Some(error_message(locale, e)),
            _ => None,
        })
    });
    let revoked = move || {
        last.with(|l| match l {
            Some(Ok(c)) if !pending.get() => Some(c.serial.clone()),
            _ => None,
        })
    };
    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb"><a href="/mypage">{move || i18n.t(Key::NavMyPage)}</a></p>
                <h1>{move || i18n.t(Key::CertificatesTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::CertificatesLead)}</p>
                <p><a href=ORDERS_PAGE data-testid="certificates-orders-link">{move || i18n.t(Key::OrdersTitle)}</a></p>
            </div>
            <ErrorNotice message=failure testid="revoke-error"/>
            {move || revoked().map(|serial| view! {
                <SuccessNotice testid="revoke-done">
                    <p>{move || i18n.tf(Key::CertRevokedNotice, &[("serial", &serial)])}</p>
                </SuccessNotice>
            })}
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="certificates-error"/>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="empty" data-testid="certificates-empty">{move || i18n.t(Key::CertificatesEmpty)}</p>
                }.into_any(),
                Some(Ok(rows)) => view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="certificate-list">
                            <thead><tr>
                                <th scope="col">{move || i18n.t(Key::ColNames)}</th>
                                <th scope="col">{move || i18n.t(Key::ColSerial)}</th>
                                <th scope="col">{move || i18n.t(Key::ColValidity)}</th>
                                <th scope="col">{move || i18n.t(Key::ColStatus)}</th>
                                <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::ColActions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|c| cert_row(c, confirming, reason, pending.into(),
                                    move |serial, code| { revoke.dispatch((serial, code)); })).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

fn cert_row(
    cert: CertificateInfo,
    confirming: RwSignal<Option<String>>,
    reason: RwSignal<u8>,
    pending: Signal<bool>,
    on_revoke: impl Fn(String, u8) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let serial = cert.serial.clone();
    let status = cert.status.clone();
    let valid = status == "valid";
    let (nb, na) = (cert.not_before.clone(), cert.not_after.clone());
    let revoked_at = cert.revoked_at.clone();
    let revocation_reason = cert.revocation_reason;
    let replaced_by = cert.replaced_by.clone();
    let renewal = cert
        .renewal_reason
        .clone()
        .zip(cert.renewal_window_end.clone())
        .filter(|_| valid && replaced_by.is_none());
    let is_open = {
        let serial = serial.clone();
        move || confirming.with(|c| c.as_deref() == Some(serial.as_str()))
    };
    let ask_serial = serial.clone();
    let confirm_serial = serial.clone();
    let open_for_row = is_open.clone();
    let status_text = status.clone();
    view! {
        <tr data-testid="certificate-row" data-serial=serial.clone() data-state=status.clone()>
            <td data-label=move || i18n.t(Key::ColNames)>
                <ul class="coverage">{cert.names.iter().map(|n| view! { <li><span class="mono domain">{n.clone()}</span></li> }).collect_view()}</ul>
            </td>
            <td data-label=move || i18n.t(Key::ColSerial)><code class="mono serial" data-testid="certificate-serial">{serial.clone()}</code></td>
            <td class="nowrap" data-label=move || i18n.t(Key::ColValidity)>
                <dl class="facts compact">
                    <dt>{move || i18n.t(Key::NotBeforeLabel)}</dt><dd>{move || format_jst(i18n.locale(), &nb)}</dd>
                    <dt>{move || i18n.t(Key::NotAfterLabel)}</dt><dd data-testid="certificate-not-after">{move || format_jst(i18n.locale(), &na)}</dd>
                    {replaced_by.map(|r| view! {
                        <dt>{move || i18n.t(Key::ReplacedByLabel)}</dt>
                        <dd><code class="mono serial" data-testid="certificate-replaced-by">{r}</code></dd>
                    })}
                    {cert.profile.clone().map(|profile| view! {
                        <dt>{move || i18n.t(Key::ProfileLabel)}</dt>
                        <dd><span class="badge badge-info" data-testid="certificate-profile">{profile}</span></dd>
                    })}
                    {revoked_at.map(|r| view! {
                        <dt>{move || i18n.t(Key::RevokedAtLabel)}</dt>
                        <dd>{move || format!("{} ({})", format_jst(i18n.locale(), &r),
                            revocation_reason.map(|c| reason_label(i18n.locale(), c)).unwrap_or_default())}</dd>
                    })}
                </dl>
            </td>
            <td data-label=move || i18n.t(Key::ColStatus)>
                <span class=if valid { "badge badge-ok" } else { "badge badge-off" }
                    data-testid="certificate-status" data-state=status.clone()>
                    {move || cert_status_label(i18n.locale(), &status_text)}
                </span>
                {renewal.map(|(why, _)| view! {
                    <p class="notice notice-warning small" data-testid="certificate-renew-early">
                        <strong>{move || i18n.t(Key::RenewEarlyNotice)}</strong> " " {why}
                    </p>
                })}
            </td>
            <td><div class="actions-cell">
                <a class="btn btn-secondary btn-sm" href=api::chain_url(&serial) download=format!("{serial}.pem")
                    data-testid="certificate-download">{move || i18n.t(Key::DownloadChain)}</a>
                {valid.then(|| view! {
                    <button type="button" class="btn btn-danger btn-sm" data-testid="certificate-revoke"
                        aria-expanded=move || if open_for_row() { "true" } else { "false" }
                        on:click=move |_| { reason.set(0); confirming.set(Some(ask_serial.clone())); }>
                        {move || i18n.t(Key::RevokeCert)}
                    </button>
                })}
            </div></td>
        </tr>
        {move || is_open().then(|| {
            let yes = focus_on_mount();
            let confirm_serial = confirm_serial.clone();
            view! {
                <tr class="confirm-row" data-testid="revoke-confirm-row"><td colspan="5">
                    <div class="confirm" role="alertdialog" aria-labelledby="revoke-question">
                        <p id="revoke-question">{move || i18n.t(Key::RevokeQuestion)}</p>
                        <div class="field">
                            <label for="revoke-reason">{move || i18n.t(Key::RevokeReasonLabel)}</label>
                            <select id="revoke-reason" data-testid="revoke-reason"
                                prop:value=move || reason.get().to_string()
                                on:change=move |ev| { if let Ok(c) = event_target_value(&ev).parse() { reason.set(c); } }>
                                {REASONS.into_iter().map(|(code, key)| view! {
                                    <option value=code.to_string() selected=move || reason.get() == code>{move || i18n.t(key)}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="confirm-actions">
                            <button type="button" class="btn btn-danger btn-sm" data-testid="revoke-confirm" node_ref=yes
                                disabled=move || pending.get()
                                on:click=move |_| on_revoke(confirm_serial.clone(), reason.get_untracked())>
                                {move || i18n.t(Key::RevokeYes)}
                            </button>
                            <button type="button" class="btn btn-ghost btn-sm" data-testid="revoke-cancel"
                                on:click=move |_| confirming.set(None)>
                                {move || i18n.t(Key::Cancel)}
                            </button>
                        </div>
                    </div>
                </td></tr>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_reasons_are_worded() {
        assert_eq!(cert_status_label(Locale::Ja, "valid"), "有効");
        assert_eq!(cert_status_label(Locale::En, "revoked"), "Revoked");
        assert_eq!(cert_status_label(Locale::En, "odd"), "odd");
        assert_eq!(reason_label(Locale::En, 1), "Key compromise (1)");
        assert_eq!(reason_label(Locale::Ja, 9), "9");
        assert!(REASONS.iter().all(|(c, _)| [0, 1, 3, 4, 5].contains(c)));
    }
}
