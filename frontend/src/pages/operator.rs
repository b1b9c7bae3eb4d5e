//! `/operator/customers` (operators only): find customers and re-issue their EAB credentials
//! after a confirmation; the old credentials stop working at once (R-EAB-2).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::dto::{AcmeApplication, AcmeApplicationState, Locale, Me, Role};

use crate::api::{self, ApiError, CustomerPage};
use crate::components::copy::CopyButton;
use crate::components::focus::focus_on_mount;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::require_login::RequireLogin;
use crate::context::{use_i18n, use_session, use_title, I18n};
use crate::i18n::{error_message, trf, Key};
use crate::time::format_jst;

/// Rows per page of the customer list.
pub const PER_PAGE: u64 = 20;

/// "Showing 21–40 of 45": the 1-based first and last row of `page`, `None` when it is empty.
pub fn row_range(total: u64, page: u64, per_page: u64) -> Option<(u64, u64)> {
    let from = page.saturating_sub(1) * per_page + 1;
    (total >= from).then(|| (from, total.min(page * per_page)))
}

/// Whether there is a page after `page`.
pub fn has_next(total: u64, page: u64, per_page: u64) -> bool {
    page * per_page < total
}

/// What a failed re-issue tells the operator; a 409 `not-applied` says the customer never applied.
pub fn reissue_error(locale: Locale, customer_id: &str, err: &ApiError) -> String {
    if err.status() == Some(409) && err.kind_ends_with("not-applied") {
        trf(locale, Key::OperatorNotApplied, &[("id", customer_id)])
    } else {
        error_message(locale, err)
    }
}

#[component]
pub fn OperatorCustomersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    use_title(Key::OperatorCustomersTitle);
    // Re-render only when the role changes, not when other account data (the language) does.
    let operator = Memo::new(move |_| session.is_operator());
    view! {
        <RequireLogin>
            {move || if operator.get() {
                view! { <CustomersContent/><crate::pages::operator_mail::FailingMail/> }.into_any()
            } else {
                view! {
                    <section class="container page">
                        <div class="notice notice-error" role="alert" data-testid="operator-only">
                            <span class="notice-icon" aria-hidden="true"></span>
                            <p>{move || i18n.t(Key::OperatorOnly)}</p>
                        </div>
                    </section>
                }.into_any()
            }}
        </RequireLogin>
    }
}

#[component]
fn CustomersContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();

    // The search as typed, and the search (and page) being shown.
    let typed = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1u64);
    let customers = LocalResource::new(move || {
        let q = query.get();
        let p = page.get();
        async move {
            let result = api::operator_customers(&q, p, PER_PAGE).await;
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    });
    let on_search = move |ev: SubmitEvent| {
        ev.prevent_default();
        query.set(typed.get_untracked().trim().to_owned());
        page.set(1);
    };

    // Re-issuing, after a confirmation.
    let confirming = RwSignal::new(None::<String>);
    let target = RwSignal::new(None::<String>);
    let reissue = Action::new_local(move |customer_id: &String| {
        let customer_id = customer_id.clone();
        async move {
            let result = api::operator_reissue_eab(&customer_id).await;
            match &result {
                Ok(_) => confirming.set(None),
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let pending = reissue.pending();
    let last = reissue.value();
    let failure = Signal::derive(move || {
        let locale = i18n.locale();
        let id = target.get().unwrap_or_default();
        last.with(|last| match last {
            Some(Err(e)) if !pending.get() => Some(reissue_error(locale, &id, e)),
            _ => None,
        })
    });
    let issued = move || {
        last.with(|last| match last {
            Some(Ok(app)) if !pending.get() => Some(app.clone()),
            _ => None,
        })
    };
    let ask = move |customer_id: String| {
        reissue.value().set(None);
        confirming.set(Some(customer_id));
    };
    let confirm = move |customer_id: String| {
        target.set(Some(customer_id.clone()));
        reissue.dispatch(customer_id);
    };

    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb">{move || i18n.t(Key::NavOperator)}</p>
                <h1>{move || i18n.t(Key::OperatorCustomersTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::OperatorCustomersLead)}</p>
            </div>
            <ErrorNotice message=failure testid="operator-eab-error"/>
            {move || issued().map(|app| view! {
                <ReissuedPanel app=app customer_id=target.get_untracked().unwrap_or_default()/>
            })}
            <section class="card" aria-labelledby="customers-title">
                <h2 id="customers-title" class="visually-hidden">{move || i18n.t(Key::OperatorCustomersTitle)}</h2>
                <form class="search-form" role="search" on:submit=on_search data-testid="operator-search-form">
                    <label for="operator-search">{move || i18n.t(Key::OperatorSearchLabel)}</label>
                    <div class="search-row">
                        <input id="operator-search" type="search" data-testid="operator-search" autocomplete="off"
                            prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                        <button type="submit" class="btn btn-primary" data-testid="operator-search-submit">
                            {move || i18n.t(Key::OperatorSearchSubmit)}
                        </button>
                    </div>
                </form>
                {move || match customers.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(e)) => view! {
                        <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="operator-customers-error"/>
                    }.into_any(),
                    Some(Ok(result)) => view! {
                        <CustomerTable result=result i18n=i18n page=page confirming=confirming
                            pending=pending.into() on_ask=ask on_confirm=confirm/>
                    }.into_any(),
                }}
                <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
            </section>
        </section>
    }
}

/// The fresh credentials the operator just issued.
#[component]
fn ReissuedPanel(app: AcmeApplication, customer_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let expires = app.eab.expires_at.clone();
    let kid = app.eab.key_id.clone();
    // An operator's session always gets the key (R-CUS-4).
    let hmac = app.eab.hmac_key.clone().unwrap_or_default();
    view! {
        <div class="notice notice-success" role="status" data-testid="operator-eab-result">
            <span class="notice-icon" aria-hidden="true"></span>
            <div class="notice-body">
                <p>{move || i18n.tf(Key::OperatorReissued, &[("id", &customer_id)])}</p>
                <dl class="facts">
                    <dt>{move || i18n.t(Key::ApplicationNumberLabel)}</dt>
                    <dd class="mono">{app.application_number.clone()}</dd>
                    <dt>{move || i18n.t(Key::EabKidLabel)}</dt>
                    <dd><div class="copy-row">
                        <code class="copy-value" data-testid="operator-eab-kid">{kid.clone()}</code>
                        <CopyButton text=kid testid="operator-eab-kid-copy".to_owned()
                            label=Signal::derive(move || i18n.tf(Key::CopyLabel, &[("what", i18n.t(Key::EabKidLabel))]))/>
                    </div></dd>
                    <dt>{move || i18n.t(Key::EabHmacLabel)}</dt>
                    <dd><div class="copy-row">
                        <code class="copy-value" data-testid="operator-eab-hmac">{hmac.clone()}</code>
                        <CopyButton text=hmac testid="operator-eab-hmac-copy".to_owned()
                            label=Signal::derive(move || i18n.tf(Key::CopyLabel, &[("what", i18n.t(Key::EabHmacLabel))]))/>
                    </div></dd>
                    <dt>{move || i18n.t(Key::EabExpiresLabel)}</dt>
                    <dd data-testid="operator-eab-expires">{move || format_jst(i18n.locale(), &expires)}</dd>
                </dl>
            </div>
        </div>
    }
}

#[component]
fn CustomerTable(
    result: CustomerPage,
    i18n: I18n,
    page: RwSignal<u64>,
    confirming: RwSignal<Option<String>>,
    pending: Signal<bool>,
    on_ask: impl Fn(String) + Copy + Send + Sync + 'static,
    on_confirm: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let CustomerPage {
        customers,
        total,
        page: shown_page,
        per_page,
    } = result;
    if customers.is_empty() {
        return view! {
            <p class="empty" data-testid="operator-no-customers">{move || i18n.t(Key::OperatorNoCustomers)}</p>
        }
        .into_any();
    }
    let range = row_range(total, shown_page, per_page);
    let next = has_next(total, shown_page, per_page);
    view! {
        <p class="muted small" data-testid="operator-total">{move || match range {
            Some((from, to)) => i18n.tf(Key::OperatorTotal, &[
                ("total", &total.to_string()), ("from", &from.to_string()), ("to", &to.to_string()),
            ]),
            None => String::new(),
        }}</p>
        <div class="table-wrap">
            <table class="table" data-testid="operator-customer-list">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(Key::CustomerIdLabel)}</th>
                        <th scope="col">{move || i18n.t(Key::ColCustomer)}</th>
                        <th scope="col">{move || i18n.t(Key::ColAcme)}</th>
                        <th scope="col">{move || i18n.t(Key::CreatedAtLabel)}</th>
                        <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::ColActions)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {customers.into_iter().map(|me| customer_row(me, i18n, confirming, pending, on_ask, on_confirm)).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="pager">
            <button type="button" class="btn btn-secondary btn-sm" data-testid="operator-page-prev"
                disabled=shown_page <= 1 on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>
                {move || i18n.t(Key::PrevPage)}
            </button>
            <button type="button" class="btn btn-secondary btn-sm" data-testid="operator-page-next"
                disabled=!next on:click=move |_| page.update(|p| *p += 1)>
                {move || i18n.t(Key::NextPage)}
            </button>
        </div>
    }
    .into_any()
}

fn customer_row(
    me: Me,
    i18n: I18n,
    confirming: RwSignal<Option<String>>,
    pending: Signal<bool>,
    on_ask: impl Fn(String) + Copy + Send + Sync + 'static,
    on_confirm: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let applied = me.acme_application == AcmeApplicationState::Applied;
    let id = me.id.clone();
    let created = me.created_at.clone();
    let is_confirming = {
        let id = id.clone();
        move || confirming.with(|c| c.as_deref() == Some(id.as_str()))
    };
    let question = {
        let (id, email) = (id.clone(), me.email.clone());
        move || {
            i18n.tf(
                Key::OperatorReissueConfirm,
                &[("id", &id), ("email", &email)],
            )
        }
    };
    let ask_id = id.clone();
    let confirm_id = id.clone();
    let expanded = is_confirming.clone();
    view! {
        <tr data-testid="operator-customer-row" data-customer-id=id.clone()>
            <td data-label=move || i18n.t(Key::CustomerIdLabel)><span class="mono">{id.clone()}</span></td>
            <td data-label=move || i18n.t(Key::ColCustomer)>
                <span class="customer-name">{me.name.clone()}</span>
                " "
                {(me.role == Role::Operator).then(|| view! { <span class="badge badge-info">{move || i18n.t(Key::RoleOperator)}</span> })}
                <span class="customer-email small muted">{me.email.clone()}</span>
                {(!me.email_verified).then(|| view! { <span class="badge badge-off">{move || i18n.t(Key::EmailUnverified)}</span> })}
            </td>
            <td data-label=move || i18n.t(Key::ColAcme)>
                <span class=if applied { "badge badge-ok" } else { "badge badge-off" }
                    data-testid="operator-acme-state" data-state=if applied { "applied" } else { "none" }>
                    {move || i18n.t(if applied { Key::AcmeStateApplied } else { Key::AcmeStateNone })}
                </span>
            </td>
            <td class="nowrap" data-label=move || i18n.t(Key::CreatedAtLabel)>{move || format_jst(i18n.locale(), &created)}</td>
            <td>
                {applied.then(|| view! {
                    <button type="button" class="btn btn-secondary btn-sm" data-testid="operator-eab-reissue"
                        aria-expanded=move || if expanded() { "true" } else { "false" }
                        on:click=move |_| on_ask(ask_id.clone())>
                        {move || i18n.t(Key::OperatorReissue)}
                    </button>
                })}
            </td>
        </tr>
        {move || is_confirming().then(|| {
            let question = question();
            let confirm_id = confirm_id.clone();
            let yes = focus_on_mount();
            view! {
                <tr class="confirm-row" data-testid="operator-eab-confirm">
                    <td colspan="5">
                        <div class="confirm" role="alertdialog" aria-label=question.clone()>
                            <p>{question.clone()}</p>
                            <div class="confirm-actions">
                                <button type="button" class="btn btn-danger btn-sm" data-testid="operator-eab-reissue-confirm"
                                    node_ref=yes disabled=move || pending.get() on:click=move |_| on_confirm(confirm_id.clone())>
                                    {move || i18n.t(Key::OperatorReissueYes)}
                                </button>
                                <button type="button" class="btn btn-ghost btn-sm" data-testid="operator-eab-reissue-cancel"
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;

    #[test]
    fn the_row_range_of_a_page() {
        assert_eq!(row_range(45, 1, 20), Some((1, 20)));
        assert_eq!(row_range(45, 3, 20), Some((41, 45)));
        assert_eq!(row_range(45, 4, 20), None);
        assert_eq!(row_range(0, 1, 20), None);
        assert!(has_next(45, 2, 20));
        assert!(!has_next(40, 2, 20));
    }

    #[test]
    fn a_customer_who_never_applied_is_named() {
        let err = from_response(
            409,
            Some("application/problem+json"),
            r#"{"type":"urn:certdirect:problem:not-applied","title":"Not applied","status":409,"detail":"C00000007 has not applied for ACME use yet"}"#,
            None,
        );
        assert_eq!(
            reissue_error(Locale::Ja, "C00000007", &err),
            "C00000007 はACME利用申請をしていないため、EABを発行できません。"
        );
        assert_eq!(
            reissue_error(Locale::En, "C1", &ApiError::Network("x".into())),
            crate::i18n::tr(Locale::En, Key::ErrNetwork)
        );
    }
}
