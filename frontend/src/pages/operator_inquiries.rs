//! `/operator/inquiries` (R-SUP-1): the customer center's queue. Open inquiries first, oldest
//! first, each with its promised answer day; an operator takes one, replies (the customer is
//! emailed) and closes it.

use leptos::prelude::*;
use shared::dto::{Inquiry, InquiryStatus};

use crate::api;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::operator_gate::OperatorGate;
use crate::context::{use_i18n, use_session, use_title};
use crate::i18n::{error_message, Key};
use crate::pages::support::{about, answer_promise, status_badge, status_str, Conversation};
use crate::time::format_jst;

#[component]
pub fn OperatorInquiriesPage() -> impl IntoView {
    use_title(Key::OperatorInquiriesTitle);
    view! { <OperatorGate><Queue/></OperatorGate> }
}

#[component]
fn Queue() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let status = RwSignal::new("open".to_owned());
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        let status = status.get();
        async move {
            let filter = if status == "all" { "" } else { status.as_str() };
            let result = api::operator_inquiries(filter).await;
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    });
    let refresh = Callback::new(move |()| version.update(|v| *v += 1));
    view! {
        <section class="container page">
            <h1 tabindex="-1">{move || i18n.t(Key::OperatorInquiriesTitle)}</h1>
            <p class="lead">{move || i18n.t(Key::OperatorInquiriesLead)}</p>
            <label class="field">
                <span>{move || i18n.t(Key::ColStatus)}</span>
                <select data-testid="inquiries-filter" prop:value=move || status.get()
                    on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="open">{move || i18n.t(Key::InquiryOpen)}</option>
                    <option value="answered">{move || i18n.t(Key::InquiryAnswered)}</option>
                    <option value="closed">{move || i18n.t(Key::InquiryClosed)}</option>
                    <option value="all">{move || i18n.t(Key::FilterAll)}</option>
                </select>
            </label>
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="operator-inquiries-error"/>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="muted" data-testid="operator-inquiries-empty">{move || i18n.t(Key::OperatorInquiriesEmpty)}</p>
                }.into_any(),
                Some(Ok(rows)) => rows.into_iter().map(|inq| view! { <QueueItem inquiry=inq refresh=refresh/> }).collect_view().into_any(),
            }}
        </section>
    }
}

/// What an operator can do to one inquiry.
#[derive(Debug, Clone)]
enum Act {
    Take,
    Reply(String),
    Close,
}

#[component]
fn QueueItem(inquiry: Inquiry, refresh: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let id = inquiry.id;
    let status = inquiry.status;
    let reply = RwSignal::new(String::new());
    let act = Action::new_local(move |a: &Act| {
        let a = a.clone();
        async move {
            let result = match a {
                Act::Take => api::operator_assign_inquiry(id).await,
                Act::Reply(text) => api::operator_reply_inquiry(id, &text).await,
                Act::Close => api::operator_close_inquiry(id).await,
            };
            if result.is_ok() {
                reply.set(String::new());
                refresh.run(());
            }
            result
        }
    });
    let pending = act.pending();
    let last = act.value();
    let error = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| match last {
            Some(Err(e)) if !pending.get() => Some(error_message(locale, e)),
            _ => None,
        })
    });
    let created = inquiry.created_at.clone();
    let (in_hours, answer_by) = (inquiry.received_in_hours, inquiry.answer_by.clone());
    let assignee = inquiry.assignee.clone();
    let answer_by_attr = answer_by.clone();
    let reply_id = format!("reply-{id}");
    view! {
        <article class="card inquiry-item" data-testid="operator-inquiry" data-number=inquiry.number.clone()
            data-state=status_str(status)>
            <header class="card-head">
                <h2>
                    <span class="mono">{inquiry.number.clone()}</span>" "
                    {inquiry.subject.clone()}
                </h2>
                <span class=move || status_badge(i18n.locale(), status).1 data-testid="inquiry-status">
                    {move || status_badge(i18n.locale(), status).0}
                </span>
            </header>
            <dl class="facts compact">
                <dt>{move || i18n.t(Key::CustomerIdLabel)}</dt><dd class="mono">{inquiry.customer_id.clone()}</dd>
                <dt>{move || i18n.t(Key::InquiryAboutLabel)}</dt><dd><span class="domain">{about(&inquiry)}</span></dd>
                <dt>{move || i18n.t(Key::InquiryReceivedLabel)}</dt><dd>{move || format_jst(i18n.locale(), &created)}</dd>
                <dt>{move || i18n.t(Key::InquiryAnswerByLabel)}</dt>
                <dd data-testid="inquiry-answer-by" data-answer-by=answer_by_attr>{move || answer_promise(i18n.locale(), in_hours, &answer_by)}</dd>
                <dt>{move || i18n.t(Key::InquiryAssigneeLabel)}</dt>
                <dd data-testid="inquiry-assignee">{assignee.clone().unwrap_or_else(|| "—".to_owned())}</dd>
            </dl>
            <Conversation inquiry=inquiry.clone()/>
            <ErrorNotice message=error testid="operator-inquiry-error"/>
            {(status != InquiryStatus::Closed).then(|| {
                let reply_id = reply_id.clone();
                view! {
                    <div class="field">
                        <label for=reply_id.clone()>{move || i18n.t(Key::OperatorReplyLabel)}</label>
                        <textarea id=reply_id rows="4" data-testid="operator-reply-message"
                            prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                    </div>
                    <div class="actions">
                        <button type="button" class="btn btn-primary" data-testid="operator-reply-submit"
                            disabled=move || pending.get() || reply.with(|r| r.trim().is_empty())
                            on:click=move |_| { act.dispatch(Act::Reply(reply.get_untracked().trim().to_owned())); }>
                            {move || i18n.t(Key::OperatorReplySubmit)}
                        </button>
                        {assignee.is_none().then(|| view! {
                            <button type="button" class="btn btn-secondary" data-testid="operator-take"
                                disabled=move || pending.get() on:click=move |_| { act.dispatch(Act::Take); }>
                                {move || i18n.t(Key::OperatorTakeInquiry)}
                            </button>
                        })}
                        <button type="button" class="btn btn-secondary" data-testid="operator-close"
                            disabled=move || pending.get() on:click=move |_| { act.dispatch(Act::Close); }>
                            {move || i18n.t(Key::OperatorCloseInquiry)}
                        </button>
                    </div>
                }
            })}
        </article>
    }
}
