//! `/mypage/orders` (ACMEの発行手続き): the recent ACME orders of the customer's accounts, their
//! authorizations and challenges; a failed validation is explained in Japanese with what to fix,
//! next to the server's own detail of what was fetched or looked up and what came back (R-VAL-5).

use leptos::prelude::*;
use shared::dto::{AcmeOrderInfo, AuthorizationInfo, ChallengeInfo, Locale};

use crate::api;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::perspectives::PerspectivesView;
use crate::components::require_login::RequireLogin;
use crate::context::{reloading, use_i18n, use_session, use_title};
use crate::i18n::{error_message, tr, Key};
use crate::time::format_jst;

const ACME_ERROR_PREFIX: &str = "urn:ietf:params:acme:error:";

/// What went wrong and what to do, for an ACME error type (`urn:ietf:params:acme:error:dns`).
pub fn explain(error_type: &str) -> (Key, Key) {
    match error_type
        .strip_prefix(ACME_ERROR_PREFIX)
        .unwrap_or(error_type)
    {
        "dns" => (Key::ErrDnsWhat, Key::ErrDnsFix),
        "connection" => (Key::ErrConnWhat, Key::ErrConnFix),
        "unauthorized" => (Key::ErrUnauthWhat, Key::ErrUnauthFix),
        "incorrectResponse" => (Key::ErrIncorrectWhat, Key::ErrIncorrectFix),
        "caa" => (Key::ErrCaaWhat, Key::ErrCaaFix),
        "tls" => (Key::ErrTlsWhat, Key::ErrConnFix),
        "rejectedIdentifier" => (Key::ErrRejectedWhat, Key::ErrRejectedFix),
        _ => (Key::ErrOtherWhat, Key::ErrOtherFix),
    }
}

/// The wording and badge of an order's, authorization's or challenge's status (the typed
/// statuses of `shared::acme`; a status this portal does not know is shown as sent).
fn acme_status(status: &str) -> Option<(Key, bool, bool)> {
    use shared::acme::{AuthzStatus as A, OrderStatus as O};
    // (wording, good, bad)
    if let Some(o) = O::parse(status) {
        return Some(match o {
            O::Pending => (Key::AcmePending, false, false),
            O::Ready => (Key::AcmeReady, true, false),
            O::Processing => (Key::AcmeProcessing, false, false),
            O::Valid => (Key::AcmeValid, true, false),
            O::Invalid => (Key::AcmeInvalid, false, true),
        });
    }
    // Challenge statuses and the other authorization statuses share their names with order
    // statuses, matched above.
    match A::parse(status)? {
        A::Expired => Some((Key::AcmeExpiredStatus, false, true)),
        A::Deactivated => Some((Key::AccountStatusDeactivated, false, true)),
        A::Revoked => Some((Key::CertRevoked, false, true)),
        A::Pending | A::Valid | A::Invalid => None,
    }
}

/// An order's, authorization's or challenge's status in the reader's language.
pub fn acme_status_label(locale: Locale, status: &str) -> String {
    match acme_status(status) {
        Some((key, _, _)) => tr(locale, key).to_owned(),
        None => status.to_owned(),
    }
}

fn status_class(status: &str) -> &'static str {
    match acme_status(status) {
        Some((_, true, _)) => "badge badge-ok",
        Some((_, _, true)) => "badge badge-off",
        _ => "badge badge-info",
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    use_title(Key::OrdersTitle);
    view! {
        <RequireLogin>
            <OrdersContent/>
        </RequireLogin>
    }
}

#[component]
fn OrdersContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let version = RwSignal::new(0u32);
    let list = reloading(session, version, api::acme_orders);
    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb"><a href="/mypage">{move || i18n.t(Key::NavMyPage)}</a></p>
                <h1>{move || i18n.t(Key::OrdersTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::OrdersLead)}</p>
                <p><button type="button" class="btn btn-secondary btn-sm" data-testid="orders-refresh"
                    on:click=move |_| version.update(|v| *v += 1)>{move || i18n.t(Key::AccountsRefresh)}</button></p>
            </div>
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="orders-error"/>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="empty" data-testid="orders-empty">{move || i18n.t(Key::OrdersEmpty)}</p>
                }.into_any(),
                Some(Ok(rows)) => rows.into_iter().map(|o| view! { <OrderCard order=o/> }).collect_view().into_any(),
            }}
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

#[component]
fn OrderCard(order: AcmeOrderInfo) -> impl IntoView {
    let i18n = use_i18n();
    let status = order.status.clone();
    let status_text = status.clone();
    let created = order.created_at.clone();
    let id = order.id.to_string();
    let title_id = id.clone();
    view! {
        <section class="card section-card" data-testid="order" data-order-id=id.clone() data-state=status.clone()>
            <div class="card-head">
                <h2>{move || i18n.tf(Key::OrderTitle, &[("id", &title_id)])}</h2>
                <span class=status_class(&status) data-testid="order-status">{move || acme_status_label(i18n.locale(), &status_text)}</span>
            </div>
            <dl class="facts">
                <dt>{move || i18n.t(Key::ColNames)}</dt>
                <dd><ul class="coverage">{order.names.iter().map(|n| view! { <li><span class="mono domain">{n.clone()}</span></li> }).collect_view()}</ul></dd>
                <dt>{move || i18n.t(Key::CreatedAtLabel)}</dt>
                <dd>{move || format_jst(i18n.locale(), &created)}</dd>
                {order.profile.clone().map(|p| view! {
                    <dt>{move || i18n.t(Key::ProfileLabel)}</dt>
                    <dd><span class="badge badge-info" data-testid="order-profile">{p}</span></dd>
                })}
                {order.certificate_serial.clone().map(|s| view! {
                    <dt>{move || i18n.t(Key::ColSerial)}</dt>
                    <dd><a class="mono" href="/mypage/certificates" data-testid="order-certificate">{s}</a></dd>
                })}
            </dl>
            {order.authorizations.into_iter().map(|a| view! { <AuthzView authz=a/> }).collect_view()}
        </section>
    }
}

#[component]
fn AuthzView(authz: AuthorizationInfo) -> impl IntoView {
    let i18n = use_i18n();
    let name = if authz.wildcard {
        format!("*.{}", authz.identifier)
    } else {
        authz.identifier.clone()
    };
    let status = authz.status.clone();
    let status_text = status.clone();
    let identifier = name.clone();
    view! {
        <div class="authz" data-testid="order-authz" data-identifier=identifier>
            <h3><span class="mono domain">{name}</span> " "
                <span class=status_class(&status)>{move || acme_status_label(i18n.locale(), &status_text)}</span></h3>
            <ul class="challenges">
                {authz.challenges.into_iter().map(|c| view! { <ChallengeView challenge=c/> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn ChallengeView(challenge: ChallengeInfo) -> impl IntoView {
    let i18n = use_i18n();
    let status = challenge.status.clone();
    let status_text = status.clone();
    let error = challenge
        .error_type
        .clone()
        .map(|t| (t, challenge.error_detail.clone().unwrap_or_default()));
    let perspectives = challenge.perspectives.clone();
    view! {
        <li data-testid="order-challenge" data-type=challenge.kind.clone() data-state=status.clone()>
            <span class="mono">{challenge.kind.clone()}</span> " "
            <span class=status_class(&status)>{move || acme_status_label(i18n.locale(), &status_text)}</span>
            {error.map(|(kind, detail)| {
                let (what, fix) = explain(&kind);
                view! {
                    <div class="notice notice-error" data-testid="order-error" data-error-type=kind.clone()>
                        <span class="notice-icon" aria-hidden="true"></span>
                        <div>
                            <p data-testid="order-error-what"><strong>{move || i18n.t(what)}</strong></p>
                            <p data-testid="order-error-fix">{move || i18n.t(fix)}</p>
                            <p class="small">{move || i18n.t(Key::ErrServerSaid)} " "
                                <code class="mono" data-testid="order-error-detail">{detail.clone()}</code></p>
                            <p class="small muted mono">{kind.clone()}</p>
                        </div>
                    </div>
                }
            })}
            {(!perspectives.is_empty()).then(|| view! { <PerspectivesView perspectives=perspectives.clone()/> })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_are_explained_with_a_fix() {
        let (what, fix) = explain("urn:ietf:params:acme:error:dns");
        assert_eq!((what, fix), (Key::ErrDnsWhat, Key::ErrDnsFix));
        assert!(tr(Locale::Ja, fix).contains("_acme-challenge"));
        assert_eq!(
            explain("urn:ietf:params:acme:error:connection").0,
            Key::ErrConnWhat
        );
        assert_eq!(
            explain("urn:ietf:params:acme:error:unauthorized").0,
            Key::ErrUnauthWhat
        );
        assert_eq!(
            explain("urn:ietf:params:acme:error:incorrectResponse").0,
            Key::ErrIncorrectWhat
        );
        assert_eq!(
            explain("urn:ietf:params:acme:error:serverInternal").0,
            Key::ErrOtherWhat
        );
    }

    #[test]
    fn statuses_are_worded() {
        assert_eq!(acme_status_label(Locale::Ja, "invalid"), "失敗");
        assert_eq!(acme_status_label(Locale::En, "valid"), "Valid");
        assert_eq!(acme_status_label(Locale::En, "weird"), "weird");
    }
}
