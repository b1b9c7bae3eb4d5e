//! `/operator/renewals`: early-renewal campaigns (R-ACME-8). The operator chooses certificates
//! (serials, a customer, a registered name, an issuance period), gives a reason and a day,
//! previews how many and whose, then moves their ACME Renewal Information window to now; the
//! list below shows how many have been replaced since.

use leptos::prelude::*;
use shared::dto::{CampaignPreview, CampaignRequest, CampaignSelection};

use crate::api::{self, ApiError};
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::components::operator_gate::OperatorGate;
use crate::context::{reloading, use_i18n, use_session, use_title};
use crate::i18n::{error_message, trf, Key};
use crate::time::format_jst;

/// The serials typed one per line (or separated by commas or spaces).
pub fn parse_serials(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn optional(text: String) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[component]
pub fn OperatorRenewalsPage() -> impl IntoView {
    use_title(Key::OperatorRenewalsTitle);
    view! { <OperatorGate><Renewals/></OperatorGate> }
}

#[component]
fn Renewals() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let serials = RwSignal::new(String::new());
    let customer = RwSignal::new(String::new());
    let fqdn = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let renew_by = RwSignal::new(String::new());
    let request = move || CampaignRequest {
        selection: CampaignSelection {
            serials: parse_serials(&serials.get()),
            customer_id: optional(customer.get()),
            fqdn: optional(fqdn.get()),
            issued_from: optional(from.get()),
            issued_to: optional(to.get()),
        },
        reason: reason.get(),
        renew_by: optional(renew_by.get()),
    };
    // The preview belongs to the request it was made for: any change asks for a new one.
    let previewed = RwSignal::new(None::<(CampaignRequest, CampaignPreview)>);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let preview = Action::new_local(move |req: &CampaignRequest| {
        let req = req.clone();
        async move { (req.clone(), api::operator_campaign_preview(&req).await) }
    });
    let run = Action::new_local(move |req: &CampaignRequest| {
        let req = req.clone();
        async move { api::operator_campaign_run(&req).await }
    });
    let report = move |e: &ApiError| {
        session.forget_if_logged_out(e);
        error.set(Some(error_message(i18n.locale(), e)));
    };
    Effect::new(move |_| {
        if let Some((req, result)) = preview.value().get() {
            match result {
                Ok(p) => {
                    error.set(None);
                    previewed.set(Some((req, p)));
                }
                Err(e) => report(&e),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = run.value().get() {
            match result {
                Ok(_) => {
                    error.set(None);
                    previewed.set(None);
                    done.set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) => report(&e),
            }
        }
    });
    let current = Memo::new(move |_| request());
    let can_run = move || {
        previewed.with(|p| {
            p.as_ref()
                .is_some_and(|(req, p)| *req == current.get() && p.certificates > 0)
        }) && !run.pending().get()
    };
    let campaigns = reloading(session, version, api::operator_campaigns);
    let field = |label: Key, value: RwSignal<String>, testid: &'static str, kind: &'static str| {
        view! {
            <label class="field">
                <span>{move || i18n.t(label)}</span>
                <input type=kind data-testid=testid prop:value=move || value.get()
                    on:input=move |ev| { done.set(false); value.set(event_target_value(&ev)); }/>
            </label>
        }
    };
    view! {
        <section class="container page">
            <h1>{move || i18n.t(Key::OperatorRenewalsTitle)}</h1>
            <p class="lead">{move || i18n.t(Key::OperatorRenewalsLead)}</p>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); preview.dispatch(request()); }>
                <label class="field">
                    <span>{move || i18n.t(Key::CampaignSerials)}</span>
                    <textarea rows="3" class="mono" data-testid="campaign-serials" prop:value=move || serials.get()
                        on:input=move |ev| { done.set(false); serials.set(event_target_value(&ev)); }></textarea>
                </label>
                {field(Key::CampaignCustomer, customer, "campaign-customer", "text")}
                {field(Key::CampaignFqdn, fqdn, "campaign-fqdn", "text")}
                {field(Key::CampaignIssuedFrom, from, "campaign-issued-from", "date")}
                {field(Key::CampaignIssuedTo, to, "campaign-issued-to", "date")}
                <label class="field">
                    <span>{move || i18n.t(Key::CampaignReason)}</span>
                    <textarea rows="3" data-testid="campaign-reason" prop:value=move || reason.get()
                        on:input=move |ev| { done.set(false); reason.set(event_target_value(&ev)); }></textarea>
                </label>
                {field(Key::CampaignRenewBy, renew_by, "campaign-renew-by", "date")}
                {move || error.get().map(|m| view! {
                    <ErrorNotice message=Signal::derive(move || Some(m.clone())) testid="campaign-error"/>
                })}
                {move || previewed.get().filter(|(req, _)| *req == current.get()).map(|(_, p)| {
                    let (certs, customers) = (p.certificates.to_string(), p.customers.len().to_string());
                    view! {
                        <div class="notice" data-testid="campaign-preview">
                            <p>{move || trf(i18n.locale(), Key::CampaignPreviewResult,
                                &[("certificates", &certs), ("customers", &customers)])}</p>
                            <ul>{p.customers.into_iter().map(|c| view! {
                                <li data-testid="campaign-preview-customer">
                                    <span class="mono">{c.customer_id}</span> " " {c.name} " <" {c.email} "> "
                                    <strong>{c.certificates}</strong>
                                </li>
                            }).collect_view()}</ul>
                        </div>
                    }
                })}
                {move || done.get().then(|| view! {
                    <SuccessNotice testid="campaign-done"><p>{move || i18n.t(Key::CampaignDone)}</p></SuccessNotice>
                })}
                <div class="actions">
                    <button type="submit" class="btn btn-secondary" data-testid="campaign-preview-button"
                        disabled=move || preview.pending().get()>{move || i18n.t(Key::CampaignPreviewButton)}</button>
                    <button type="button" class="btn btn-danger" data-testid="campaign-run"
                        disabled=move || !can_run()
                        on:click=move |_| { run.dispatch(current.get()); }>{move || i18n.t(Key::CampaignRunButton)}</button>
                </div>
            </form>
            <h2>{move || i18n.t(Key::CampaignListTitle)}</h2>
            {move || match campaigns.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="campaigns-error"/>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted" data-testid="campaigns-empty">{move || i18n.t(Key::CampaignsEmpty)}</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="campaign-list">
                            <thead><tr>
                                <th>{move || i18n.t(Key::ColCreatedAt)}</th>
                                <th>{move || i18n.t(Key::ColReason)}</th>
                                <th>{move || i18n.t(Key::CampaignRenewBy)}</th>
                                <th>{move || i18n.t(Key::ColCertificates)}</th>
                                <th>{move || i18n.t(Key::ColReplaced)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|c| {
                                    let (created, by) = (c.created_at.clone(), c.renew_by.clone());
                                    view! {
                                        <tr data-testid="campaign-row" data-id=c.id.to_string()>
                                            <td>{move || format_jst(i18n.locale(), &created)}</td>
                                            <td>{c.reason.clone()}</td>
                                            <td>{move || format_jst(i18n.locale(), &by)}</td>
                                            <td data-testid="campaign-certificates">{c.certificates}</td>
                                            <td data-testid="campaign-replaced">{c.replaced}</td>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_split_on_lines_commas_and_spaces() {
        assert_eq!(
            parse_serials("0a:bc\n  de12, ff  \n\n"),
            vec!["0a:bc", "de12", "ff"]
        );
        assert!(parse_serials(" \n ").is_empty());
    }
}
