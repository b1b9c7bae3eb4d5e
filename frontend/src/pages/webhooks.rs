//! `/mypage/webhooks`: signed webhooks. Endpoints are added with their event types; the signing
//! secret is shown once; each endpoint lists its deliveries with every attempt and can re-send
//! one or send a test ping.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::dto::{
    CreateWebhookRequest, CreatedWebhook, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint,
    WebhookEventType,
};

use crate::api;
use crate::browser;
use crate::components::field::{error_for, TextField};
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::require_login::RequireLogin;
use crate::context::{reloading, use_i18n, use_session, use_title};
use crate::forms::{general_error, shown_errors};
use crate::i18n::{error_message, tr, Key, Locale};
use crate::time::format_jst;

/// The label of an event type.
pub fn event_label(t: WebhookEventType) -> Key {
    match t {
        WebhookEventType::RegistrationStateChanged => Key::WebhookEventRegistration,
        WebhookEventType::InvoiceIssued => Key::WebhookEventInvoiceIssued,
        WebhookEventType::InvoicePaid => Key::WebhookEventInvoicePaid,
        WebhookEventType::InvoiceVoid => Key::WebhookEventInvoiceVoid,
        WebhookEventType::CertificateIssued => Key::WebhookEventCertIssued,
        WebhookEventType::CertificateRevoked => Key::WebhookEventCertRevoked,
        WebhookEventType::CertificateExpiring => Key::WebhookEventCertExpiring,
        WebhookEventType::ValidationFailed => Key::WebhookEventValidationFailed,
        WebhookEventType::EabExpiring => Key::WebhookEventEabExpiring,
        WebhookEventType::Ping => Key::WebhookEventPing,
    }
}

/// The label of a delivery's state.
pub fn status_label(s: WebhookDeliveryStatus) -> Key {
    match s {
        WebhookDeliveryStatus::Pending => Key::WebhookStatusPending,
        WebhookDeliveryStatus::Sending => Key::WebhookStatusSending,
        WebhookDeliveryStatus::Succeeded => Key::WebhookStatusSucceeded,
        WebhookDeliveryStatus::Failed => Key::WebhookStatusFailed,
    }
}

/// The request for the form: the URL, the note and the ticked event types.
pub fn webhook_request(url: &str, description: &str, ticked: &[bool]) -> CreateWebhookRequest {
    CreateWebhookRequest {
        url: url.trim().to_owned(),
        description: description.trim().to_owned(),
        events: WebhookEventType::SUBSCRIBABLE
            .iter()
            .zip(ticked)
            .filter(|(_, on)| **on)
            .map(|(t, _)| t.as_str().to_owned())
            .collect(),
    }
}

/// What the form can tell before sending: a URL and at least one event.
pub fn check_webhook_request(req: &CreateWebhookRequest) -> Vec<shared::problem::FieldError> {
    let mut errors = Vec::new();
    if req.url.is_empty() {
        errors.push(shared::problem::FieldError::new(
            "url",
            "required",
            "is required",
        ));
    }
    if req.events.is_empty() {
        errors.push(shared::problem::FieldError::new(
            "events",
            "required",
            "must name at least one event type",
        ));
    }
    errors
}

/// One attempt as the list shows it: the status code, or the reason there was none.
pub fn attempt_result(locale: Locale, code: Option<u16>, error: Option<&str>) -> String {
    match (code, error) {
        (Some(code), _) => code.to_string(),
        (None, Some(e)) => e.to_owned(),
        (None, None) => tr(locale, Key::WebhookNoAnswer).to_owned(),
    }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    use_title(Key::WebhooksTitle);
    view! {
        <RequireLogin>
            <WebhooksContent/>
        </RequireLogin>
    }
}

#[component]
fn WebhooksContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let version = RwSignal::new(0u32);
    let endpoints = reloading(session, version, api::list_webhooks);

    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let ticked: Vec<RwSignal<bool>> = WebhookEventType::SUBSCRIBABLE
        .iter()
        .map(|_| RwSignal::new(true))
        .collect();
    let ticked = StoredValue::new(ticked);
    let ticked_values =
        move || ticked.with_value(|t| t.iter().map(|s| s.get()).collect::<Vec<_>>());
    let attempted = RwSignal::new(false);
    let dismissed = RwSignal::new(false);
    let create = Action::new_local(move |req: &CreateWebhookRequest| {
        let req = req.clone();
        async move {
            let result = api::create_webhook(&req).await;
            match &result {
                Ok(_) => {
                    version.update(|v| *v += 1);
                    url.set(String::new());
                    description.set(String::new());
                    attempted.set(false);
                }
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let last = create.value();
    let pending = create.pending();
    let errors = Signal::derive(move || {
        let client = check_webhook_request(&webhook_request(
            &url.get(),
            &description.get(),
            &ticked_values(),
        ));
        last.with(|last| shown_errors(attempted.get(), client, pending.get(), last.as_ref()))
    });
    let events_error = error_for(i18n, errors, "events");
    let general = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| {
            general_error(pending.get(), last.as_ref()).map(|e| error_message(locale, e))
        })
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let req = webhook_request(
            &url.get_untracked(),
            &description.get_untracked(),
            &ticked.with_value(|t| t.iter().map(|s| s.get_untracked()).collect::<Vec<_>>()),
        );
        if check_webhook_request(&req).is_empty() {
            dismissed.set(false);
            create.dispatch(req);
        }
    };
    let created = move || {
        if dismissed.get() {
            return None;
        }
        last.with(|last| match last {
            Some(Ok(c)) => Some(c.clone()),
            _ => None,
        })
    };

    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb"><a href="/mypage">{move || i18n.t(Key::NavMyPage)}</a></p>
                <h1>{move || i18n.t(Key::WebhooksTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::WebhooksLead)}</p>
            </div>

            {move || created().map(|c| view! { <CreatedSecretPanel created=c dismissed=dismissed/> })}

            <section class="card" aria-labelledby="create-webhook-title">
                <h2 id="create-webhook-title">{move || i18n.t(Key::WebhookCreateTitle)}</h2>
                <form class="form" novalidate=true on:submit=on_submit data-testid="webhook-form">
                    <ErrorNotice message=general testid="webhook-error"/>
                    <TextField id="webhook_url" testid="webhook-url" label=Key::WebhookUrlLabel value=url
                        input_type="url" error=error_for(i18n, errors, "url") hint=Key::WebhookUrlHint required=true/>
                    <TextField id="webhook_description" testid="webhook-description" label=Key::WebhookDescriptionLabel
                        value=description error=error_for(i18n, errors, "description") maxlength=200/>
                    <fieldset class="field" class:field-invalid=move || events_error.with(Option::is_some)>
                        <legend>{move || i18n.t(Key::WebhookEventsLabel)}</legend>
                        {WebhookEventType::SUBSCRIBABLE.iter().enumerate().map(|(i, t)| {
                            let on = ticked.with_value(|v| v[i]);
                            view! {
                                <label class="check">
                                    <input type="checkbox" data-testid=format!("webhook-event-{}", t.as_str())
                                        prop:checked=move || on.get()
                                        on:change=move |ev| on.set(event_target_checked(&ev))/>
                                    <span>{move || i18n.t(event_label(*t))}" "<code>{t.as_str()}</code></span>
                                </label>
                            }
                        }).collect_view()}
                        {move || events_error.get().map(|text| view! {
                            <p class="field-error" data-testid="webhook-events-error">
                                <span class="field-error-icon" aria-hidden="true"></span>{text}
                            </p>
                        })}
                    </fieldset>
                    <button type="submit" class="btn btn-primary" data-testid="webhook-create" disabled=move || pending.get()>
                        {move || i18n.t(Key::WebhookCreateSubmit)}
                    </button>
                </form>
            </section>

            <section class="card" aria-labelledby="webhook-list-title">
                <h2 id="webhook-list-title">{move || i18n.t(Key::WebhookListTitle)}</h2>
                {move || match endpoints.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(e)) => view! {
                        <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="webhook-list-error"/>
                    }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <p class="empty" data-testid="webhook-empty">{move || i18n.t(Key::WebhookEmpty)}</p>
                    }.into_any(),
                    Some(Ok(list)) => list.into_iter().map(|ep| view! { <EndpointPanel endpoint=ep version=version/> }).collect_view().into_any(),
                }}
                <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
            </section>
        </section>
    }
}

#[component]
fn CreatedSecretPanel(created: CreatedWebhook, dismissed: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let copy_state = RwSignal::new(None::<bool>);
    let secret = created.secret.clone();
    let copy = move |_| {
        let secret = secret.clone();
        spawn_local(async move { copy_state.set(Some(browser::copy_text(&secret).await)) });
    };
    view! {
        <div class="notice notice-success token-once" role="status" data-testid="webhook-created">
            <span class="notice-icon" aria-hidden="true"></span>
            <div class="token-once-body">
                <h2 class="notice-title">{move || i18n.t(Key::WebhookSecretTitle)}</h2>
                <p class="warning-text">{move || i18n.t(Key::WebhookSecretWarn)}</p>
                <div class="secret-row">
                    <code class="secret" data-testid="webhook-secret">{created.secret.clone()}</code>
                    <button type="button" class="btn btn-secondary btn-sm" data-testid="webhook-secret-copy" on:click=copy>
                        {move || match copy_state.get() {
                            Some(true) => i18n.t(Key::Copied),
                            _ => i18n.t(Key::Copy),
                        }}
                    </button>
                </div>
                <button type="button" class="btn btn-ghost btn-sm" data-testid="webhook-secret-dismiss" on:click=move |_| dismissed.set(true)>
                    {move || i18n.t(Key::Dismiss)}
                </button>
            </div>
        </div>
    }
}

#[component]
fn EndpointPanel(endpoint: WebhookEndpoint, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let id = endpoint.id;
    let reload = RwSignal::new(0u32);
    let deliveries = LocalResource::new(move || {
        reload.track();
        async move {
            let result = api::webhook_deliveries(id).await;
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    });
    let act = Action::new_local(move |what: &Option<i64>| {
        let what = *what;
        async move {
            let result = match what {
                Some(delivery) => api::resend_webhook(id, delivery).await.map(|_| ()),
                None => api::test_webhook(id).await.map(|_| ()),
            };
            match &result {
                Ok(()) => reload.update(|v| *v += 1),
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let act_pending = act.pending();
    let act_last = act.value();
    let act_error = Signal::derive(move || {
        let locale = i18n.locale();
        act_last.with(|last| {
            general_error(act_pending.get(), last.as_ref()).map(|e| error_message(locale, e))
        })
    });
    let remove = Action::new_local(move |_: &()| async move {
        let result = api::delete_webhook(id).await;
        if result.is_ok() {
            version.update(|v| *v += 1);
        }
        result
    });
    let url = endpoint.url.clone();
    let on_delete = move |_| {
        let question = tr(i18n.locale_untracked(), Key::WebhookDeleteConfirm);
        if browser::confirm(&format!("{question}\n{url}")) {
            remove.dispatch(());
        }
    };
    let events = endpoint
        .events
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <article class="card card-nested" data-testid=format!("webhook-{id}")>
            <h3><code data-testid="webhook-endpoint-url">{endpoint.url.clone()}</code></h3>
            {(!endpoint.description.is_empty()).then(|| view! { <p>{endpoint.description.clone()}</p> })}
            <p class="muted small">{events}</p>
            <p>
                <button type="button" class="btn btn-secondary btn-sm" data-testid=format!("webhook-test-{id}")
                    disabled=move || act_pending.get() on:click=move |_| { act.dispatch(None); }>
                    {move || i18n.t(Key::WebhookSendTest)}
                </button>" "
                <button type="button" class="btn btn-ghost btn-sm" data-testid=format!("webhook-refresh-{id}")
                    on:click=move |_| reload.update(|v| *v += 1)>
                    {move || i18n.t(Key::WebhookRefresh)}
                </button>" "
                <button type="button" class="btn btn-danger btn-sm" data-testid=format!("webhook-delete-{id}") on:click=on_delete>
                    {move || i18n.t(Key::WebhookDelete)}
                </button>
            </p>
            <ErrorNotice message=act_error testid="webhook-action-error"/>
            <h4>{move || i18n.t(Key::WebhookDeliveriesTitle)}</h4>
            {move || match deliveries.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="webhook-deliveries-error"/>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="empty" data-testid="webhook-deliveries-empty">{move || i18n.t(Key::WebhookNoDeliveries)}</p>
                }.into_any(),
                Some(Ok(list)) => view! { <DeliveryTable list=list on_resend=move |d| { act.dispatch(Some(d)); }/> }.into_any(),
            }}
        </article>
    }
}

#[component]
fn DeliveryTable(
    list: Vec<WebhookDelivery>,
    on_resend: impl Fn(i64) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="webhook-deliveries">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(Key::WebhookColEvent)}</th>
                        <th scope="col">{move || i18n.t(Key::WebhookColStatus)}</th>
                        <th scope="col">{move || i18n.t(Key::WebhookColAttempts)}</th>
                        <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::ColActions)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|d| {
                        let did = d.id;
                        let finished = matches!(d.status, WebhookDeliveryStatus::Succeeded | WebhookDeliveryStatus::Failed);
                        let status = d.status;
                        let event = d.event_type;
                        let attempts = d.attempts.clone();
                        view! {
                            <tr data-testid=format!("webhook-delivery-{did}")>
                                <td data-label=move || i18n.t(Key::WebhookColEvent)>
                                    {move || i18n.t(event_label(event))}<br/><code class="small">{d.msg_id.clone()}</code>
                                </td>
                                <td data-label=move || i18n.t(Key::WebhookColStatus) data-testid="webhook-delivery-status" data-status=status.as_str()>
                                    {move || i18n.t(status_label(status))}
                                </td>
                                <td data-label=move || i18n.t(Key::WebhookColAttempts)>
                                    <ol class="attempts" data-testid="webhook-attempts">
                                        {attempts.into_iter().map(|a| {
                                            let at = a.at.clone();
                                            let result = a.status_code;
                                            let error = a.error.clone();
                                            view! {
                                                <li data-testid="webhook-attempt" data-status-code=a.status_code.map(|c| c.to_string()).unwrap_or_default()>
                                                    {move || format_jst(i18n.locale(), &at)}" — "
                                                    <strong>{move || attempt_result(i18n.locale(), result, error.as_deref())}</strong>
                                                    {format!(" ({} ms)", a.duration_ms)}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ol>
                                </td>
                                <td>
                                    {finished.then(|| view! {
                                        <button type="button" class="btn btn-secondary btn-sm" data-testid=format!("webhook-resend-{did}")
                                            on:click=move |_| on_resend(did)>
                                            {move || i18n.t(Key::WebhookResend)}
                                        </button>
                                    })}
                                </td>
                            </tr>
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

    #[test]
    fn the_request_lists_the_ticked_events() {
        let mut ticked = [false; 9];
        ticked[2] = true;
        ticked[4] = true;
        let req = webhook_request(" https://hooks.example.jp/x ", " note ", &ticked);
        assert_eq!(req.url, "https://hooks.example.jp/x");
        assert_eq!(req.description, "note");
        assert_eq!(req.events, ["invoice.paid", "certificate.issued"]);
        assert!(check_webhook_request(&req).is_empty());
        let none = webhook_request("", "", &[false; 9]);
        let fields: Vec<String> = check_webhook_request(&none)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["url", "events"]);
    }

    #[test]
    fn every_event_and_status_has_a_label() {
        for t in WebhookEventType::SUBSCRIBABLE {
            assert!(!tr(Locale::Ja, event_label(t)).is_empty());
        }
        assert_eq!(attempt_result(Locale::En, Some(500), Some("x")), "500");
        assert_eq!(
            attempt_result(Locale::En, None, Some("timed out")),
            "timed out"
        );
        assert_eq!(
            status_label(WebhookDeliveryStatus::Failed),
            Key::WebhookStatusFailed
        );
    }
}
