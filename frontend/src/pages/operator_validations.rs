//! `/operator/validations`: recently decided domain validations of every customer with what each
//! remote network perspective saw (R-VAL-7), so an operator can tell a customer's DNS problem
//! from a perspective that is failing everywhere.

use leptos::prelude::*;

use crate::api;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::operator_gate::OperatorGate;
use crate::components::perspectives::PerspectivesView;
use crate::context::{use_i18n, use_session, use_title};
use crate::i18n::{error_message, Key};
use crate::pages::orders::acme_status_label;
use crate::time::format_jst;

#[component]
pub fn OperatorValidationsPage() -> impl IntoView {
    use_title(Key::OperatorValidationsTitle);
    view! { <OperatorGate><Validations/></OperatorGate> }
}

#[component]
fn Validations() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let only = RwSignal::new("all".to_owned());
    let list = LocalResource::new(move || {
        let only = only.get();
        async move {
            let result = api::operator_validations(&only).await;
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    });
    view! {
        <section class="container page">
            <h1>{move || i18n.t(Key::OperatorValidationsTitle)}</h1>
            <p class="lead">{move || i18n.t(Key::OperatorValidationsLead)}</p>
            <label class="field">
                <span>{move || i18n.t(Key::OperatorValidationsFilter)}</span>
                <select data-testid="validations-filter" prop:value=move || only.get()
                    on:change=move |ev| only.set(event_target_value(&ev))>
                    <option value="all">{move || i18n.t(Key::FilterAll)}</option>
                    <option value="failed">{move || i18n.t(Key::FilterFailed)}</option>
                    <option value="disagreed">{move || i18n.t(Key::FilterDisagreed)}</option>
                </select>
            </label>
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="validations-error"/>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="muted" data-testid="validations-empty">{move || i18n.t(Key::OperatorValidationsEmpty)}</p>
                }.into_any(),
                Some(Ok(rows)) => view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="validations-table">
                            <thead><tr>
                                <th>{move || i18n.t(Key::ColDecidedAt)}</th>
                                <th>{move || i18n.t(Key::ColCustomer)}</th>
                                <th>{move || i18n.t(Key::ColName)}</th>
                                <th>{move || i18n.t(Key::ColMethod)}</th>
                                <th>{move || i18n.t(Key::ColStatus)}</th>
                                <th>{move || i18n.t(Key::PerspectivesTitle)}</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|v| {
                                    let status = v.status.clone();
                                    let decided = v.decided_at.clone();
                                    view! {
                                        <tr data-testid="validation-row" data-identifier=v.identifier.clone()>
                                            <td>{move || format_jst(i18n.locale(), &decided)}</td>
                                            <td class="mono">{v.customer_id.clone()}</td>
                                            <td><span class="mono domain">{v.identifier.clone()}</span></td>
                                            <td class="mono">{v.kind.clone()}</td>
                                            <td>
                                                {move || acme_status_label(i18n.locale(), &status)}
                                                {v.error_detail.clone().map(|d| view! { <br/><code class="mono small">{d}</code> })}
                                            </td>
                                            <td>
                                                {if v.perspectives.is_empty() {
                                                    view! { <span class="muted">"—"</span> }.into_any()
                                                } else {
                                                    view! { <PerspectivesView perspectives=v.perspectives.clone()/> }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
