//! `/support` (カスタマーセンター, R-SUP-1, R-SUP-2): the office hours as the server's clock sees
//! them, the inquiry form (subject, the domain name or the `BILL…` invoice it is about, message),
//! and the customer's inquiries with their state; `/support/{id}` is one inquiry's conversation,
//! where the customer can write again.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::dto::{Inquiry, InquiryAuthor, InquiryRequest, InquiryStatus, Locale, OfficeHours};
use shared::problem::FieldError;

use crate::api;
use crate::components::field::{error_for, TextField};
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::components::require_login::RequireLogin;
use crate::context::{reloading, use_i18n, use_session, use_title};
use crate::forms::{general_error, required, shown_errors};
use crate::i18n::{error_message, tr, Key};
use crate::time::{format_day, format_jst};

/// The longest subject and message the server accepts.
pub const SUBJECT_MAX_CHARS: usize = 200;
pub const MESSAGE_MAX_CHARS: usize = 5000;

/// The request for the form's fields: blanks are sent as absent.
pub fn inquiry_request(
    subject: &str,
    domain: &str,
    invoice: &str,
    message: &str,
) -> InquiryRequest {
    let opt = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    InquiryRequest {
        subject: subject.trim().to_owned(),
        domain: opt(domain),
        invoice_number: opt(invoice).map(|n| n.to_ascii_uppercase()),
        message: message.trim().to_owned(),
    }
}

/// What the portal checks before sending (the server checks everything again, and whether the
/// domain is a valid name and the invoice the customer's own).
pub fn check_inquiry(req: &InquiryRequest) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = [
        required("subject", &req.subject),
        required("message", &req.message),
    ]
    .into_iter()
    .flatten()
    .collect();
    let too_long = |field: &str, value: &str, max: usize| {
        (value.chars().count() > max).then(|| {
            FieldError::new(
                field,
                "too_long",
                format!("must be at most {max} characters"),
            )
        })
    };
    errors.extend(too_long("subject", &req.subject, SUBJECT_MAX_CHARS));
    errors.extend(too_long("message", &req.message, MESSAGE_MAX_CHARS));
    if req.domain.is_none() && req.invoice_number.is_none() {
        errors.push(FieldError::new(
            "domain",
            "domain_or_invoice_required",
            "give the domain name or the invoice number the inquiry is about",
        ));
    }
    if let Some(n) = &req.invoice_number {
        let digits = n.strip_prefix("BILL").unwrap_or("");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(FieldError::new(
                "invoice_number",
                "invalid_invoice_number",
                "must be BILL followed by digits",
            ));
        }
    }
    errors
}

/// An inquiry's state in the reader's language, and its badge class.
pub fn status_badge(locale: Locale, status: InquiryStatus) -> (&'static str, &'static str) {
    match status {
        InquiryStatus::Open => (tr(locale, Key::InquiryOpen), "badge badge-info"),
        InquiryStatus::Answered => (tr(locale, Key::InquiryAnswered), "badge badge-ok"),
        InquiryStatus::Closed => (tr(locale, Key::InquiryClosed), "badge badge-off"),
    }
}

/// What the customer is told about when the answer comes (R-SUP-2).
pub fn answer_promise(locale: Locale, in_hours: bool, answer_by: &str) -> String {
    let day = format_day(locale, answer_by);
    let key = if in_hours {
        Key::SupportAnswerInHours
    } else {
        Key::SupportAnswerOutOfHours
    };
    crate::i18n::trf(locale, key, &[("date", &day)])
}

#[component]
pub fn SupportPage() -> impl IntoView {
    use_title(Key::SupportTitle);
    let i18n = use_i18n();
    view! {
        <section class="container page">
            <div class="page-head">
                <h1 tabindex="-1">{move || i18n.t(Key::SupportTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::SupportLead)}</p>
            </div>
            <OfficeHoursPanel/>
            <RequireLogin>
                <SupportContent/>
            </RequireLogin>
        </section>
    }
}

/// The office hours and whether the center is open now (by the server's clock).
#[component]
pub fn OfficeHoursPanel() -> impl IntoView {
    let i18n = use_i18n();
    let hours = LocalResource::new(api::office_hours);
    view! {
        <section class="card support-hours" aria-labelledby="support-hours-title">
            <h2 id="support-hours-title">{move || i18n.t(Key::SupportHoursTitle)}</h2>
            <p>{move || i18n.t(Key::SupportHours)}</p>
            {move || hours.get().and_then(Result::ok).map(|h: OfficeHours| {
                let answer_by = h.answer_by.clone();
                let answer_by_attr = answer_by.clone();
                let open = h.open_now;
                view! {
                    <p data-testid="support-hours-status" data-open=if open { "true" } else { "false" }
                        data-answer-by=answer_by_attr>
                        {move || if open {
                            i18n.t(Key::SupportOpenNow).to_owned()
                        } else {
                            i18n.tf(Key::SupportClosedNow, &[("date", &format_day(i18n.locale(), &answer_by))])
                        }}
                    </p>
                }
            })}
        </section>
    }
}

#[component]
fn SupportContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let version = RwSignal::new(0u32);
    let list = reloading(session, version, api::inquiries);
    // The customer's invoice numbers, offered as suggestions for the invoice field.
    let invoices = LocalResource::new(api::invoices);

    let subject = RwSignal::new(String::new());
    let domain = RwSignal::new(String::new());
    let invoice = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);
    let current = move || {
        inquiry_request(
            &subject.get(),
            &domain.get(),
            &invoice.get(),
            &message.get(),
        )
    };
    let send = Action::new_local(move |req: &InquiryRequest| {
        let req = req.clone();
        async move {
            let result = api::create_inquiry(&req).await;
            match &result {
                Ok(_) => {
                    version.update(|v| *v += 1);
                    for field in [subject, domain, invoice, message] {
                        field.set(String::new());
                    }
                    attempted.set(false);
                }
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let last = send.value();
    let pending = send.pending();
    let errors = Signal::derive(move || {
        let client = check_inquiry(&current());
        last.with(|last| shown_errors(attempted.get(), client, pending.get(), last.as_ref()))
    });
    let general = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| {
            general_error(pending.get(), last.as_ref()).map(|e| error_message(locale, e))
        })
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let req = inquiry_request(
            &subject.get_untracked(),
            &domain.get_untracked(),
            &invoice.get_untracked(),
            &message.get_untracked(),
        );
        if check_inquiry(&req).is_empty() {
            send.dispatch(req);
        }
    };
    let sent = move || {
        last.with(|last| match last {
            Some(Ok(inq)) if !pending.get() => Some(inq.clone()),
            _ => None,
        })
    };
    let message_error = error_for(i18n, errors, "message");

    view! {
        {move || sent().map(|inq| {
            let promise = {
                let inq = inq.clone();
                move || answer_promise(i18n.locale(), inq.received_in_hours, &inq.answer_by)
            };
            view! {
                <SuccessNotice testid="inquiry-sent">
                    <p>{move || i18n.tf(Key::InquirySent, &[("number", &inq.number)])}</p>
                    <p data-testid="inquiry-answer-by" data-answer-by=inq.answer_by.clone()>{promise}</p>
                    <p><a href=format!("/support/{}", inq.id)>{move || i18n.t(Key::InquiryOpenLink)}</a></p>
                </SuccessNotice>
            }
        })}
        <section class="card" aria-labelledby="inquiry-form-title">
            <h2 id="inquiry-form-title">{move || i18n.t(Key::InquiryFormTitle)}</h2>
            <form class="form" novalidate=true on:submit=on_submit data-testid="inquiry-form">
                <ErrorNotice message=general testid="inquiry-error"/>
                <TextField id="inquiry_subject" testid="inquiry-subject" label=Key::InquirySubjectLabel value=subject
                    error=error_for(i18n, errors, "subject") required=true/>
                <p class="field-hint">{move || i18n.t(Key::InquiryAboutHint)}</p>
                <TextField id="inquiry_domain" testid="inquiry-domain" label=Key::InquiryDomainLabel value=domain
                    error=error_for(i18n, errors, "domain") hint=Key::InquiryDomainHint/>
                <div class="field" class:field-invalid=move || error_for(i18n, errors, "invoice_number").with(Option::is_some)>
                    <label for="inquiry_invoice">{move || i18n.t(Key::InvoiceNumberLabel)}</label>
                    <input id="inquiry_invoice" name="inquiry_invoice" class="mono" list="inquiry-invoices"
                        data-testid="inquiry-invoice" autocomplete="off" placeholder="BILL00000001"
                        prop:value=move || invoice.get() on:input=move |ev| invoice.set(event_target_value(&ev))/>
                    <datalist id="inquiry-invoices">
                        {move || invoices.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|inv| view! {
                            <option value=inv.number.clone()>{inv.fqdn.clone()}</option>
                        }).collect_view()}
                    </datalist>
                    {move || error_for(i18n, errors, "invoice_number").get().map(|text| view! {
                        <p class="field-error" data-testid="inquiry-invoice-error">
                            <span class="field-error-icon" aria-hidden="true"></span>{text}
                        </p>
                    })}
                </div>
                <div class="field" class:field-invalid=move || message_error.with(Option::is_some)>
                    <label for="inquiry_message">
                        {move || i18n.t(Key::InquiryMessageLabel)}
                        <span class="required-mark">{move || i18n.t(Key::Required)}</span>
                    </label>
                    <textarea id="inquiry_message" name="inquiry_message" rows="6" data-testid="inquiry-message"
                        required=true maxlength=MESSAGE_MAX_CHARS.to_string()
                        aria-invalid=move || if message_error.with(Option::is_some) { "true" } else { "false" }
                        prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                    {move || message_error.get().map(|text| view! {
                        <p class="field-error" data-testid="inquiry-message-error">
                            <span class="field-error-icon" aria-hidden="true"></span>{text}
                        </p>
                    })}
                </div>
                <button type="submit" class="btn btn-primary" data-testid="inquiry-submit" disabled=move || pending.get()>
                    {move || i18n.t(Key::InquirySubmit)}
                </button>
            </form>
        </section>
        <section aria-labelledby="inquiry-list-title">
            <h2 id="inquiry-list-title">{move || i18n.t(Key::InquiryListTitle)}</h2>
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="inquiries-error"/>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="empty" data-testid="inquiries-empty">{move || i18n.t(Key::InquiryListEmpty)}</p>
                }.into_any(),
                Some(Ok(rows)) => view! { <InquiryTable rows=rows/> }.into_any(),
            }}
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

#[component]
fn InquiryTable(rows: Vec<Inquiry>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="inquiry-list">
                <thead><tr>
                    <th scope="col">{move || i18n.t(Key::InquiryNumberLabel)}</th>
                    <th scope="col">{move || i18n.t(Key::InquirySubjectLabel)}</th>
                    <th scope="col">{move || i18n.t(Key::InquiryAboutLabel)}</th>
                    <th scope="col">{move || i18n.t(Key::ColStatus)}</th>
                    <th scope="col">{move || i18n.t(Key::InquiryAnswerByLabel)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|inq| {
                        let status = inq.status;
                        let about = about(&inq);
                        let answer_by = inq.answer_by.clone();
                        view! {
                            <tr data-testid="inquiry-row" data-number=inq.number.clone() data-state=status_str(status)>
                                <td class="mono" data-label=move || i18n.t(Key::InquiryNumberLabel)>
                                    <a href=format!("/support/{}", inq.id)>{inq.number.clone()}</a>
                                </td>
                                <td data-label=move || i18n.t(Key::InquirySubjectLabel)>{inq.subject.clone()}</td>
                                <td data-label=move || i18n.t(Key::InquiryAboutLabel)><span class="domain">{about}</span></td>
                                <td data-label=move || i18n.t(Key::ColStatus)>
                                    <span class=move || status_badge(i18n.locale(), status).1 data-testid="inquiry-status">
                                        {move || status_badge(i18n.locale(), status).0}
                                    </span>
                                </td>
                                <td class="nowrap" data-label=move || i18n.t(Key::InquiryAnswerByLabel)>
                                    {move || format_day(i18n.locale(), &answer_by)}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `example.jp`, `BILL00000001` or both, as the inquiry names them.
pub fn about(inq: &Inquiry) -> String {
    let domain = inq.domain_unicode.as_ref().or(inq.domain.as_ref());
    match (domain, &inq.invoice_number) {
        (Some(d), Some(n)) => format!("{d} / {n}"),
        (Some(d), None) => d.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => String::new(),
    }
}

pub fn status_str(status: InquiryStatus) -> &'static str {
    match status {
        InquiryStatus::Open => "open",
        InquiryStatus::Answered => "answered",
        InquiryStatus::Closed => "closed",
    }
}

/// The conversation of one inquiry, oldest first.
#[component]
pub fn Conversation(inquiry: Inquiry) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="conversation" data-testid="inquiry-messages">
            {inquiry.messages.into_iter().map(|m| {
                let from_operator = m.author == InquiryAuthor::Operator;
                let at = m.at.clone();
                view! {
                    <li class=if from_operator { "message message-operator" } else { "message message-customer" }
                        data-testid="inquiry-message-item" data-author=if from_operator { "operator" } else { "customer" }>
                        <p class="message-meta small muted">
                            {move || i18n.t(if from_operator { Key::InquiryFromCenter } else { Key::InquiryFromCustomer })}
                            " · "
                            {move || format_jst(i18n.locale(), &at)}
                        </p>
                        <p class="message-body">{m.body.clone()}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
pub fn InquiryPage() -> impl IntoView {
    use_title(Key::InquiryTitle);
    view! {
        <RequireLogin>
            <InquiryContent/>
        </RequireLogin>
    }
}

#[component]
fn InquiryContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let version = RwSignal::new(0u32);
    let inquiry = LocalResource::new(move || {
        version.track();
        let id = id();
        async move {
            let result = match id {
                Some(id) => api::inquiry(id).await,
                None => Err(api::ApiError::Network("no such inquiry".into())),
            };
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    });
    let reply = RwSignal::new(String::new());
    let send = Action::new_local(move |(id, text): &(i64, String)| {
        let (id, text) = (*id, text.clone());
        async move {
            let result = api::inquiry_message(id, &text).await;
            if result.is_ok() {
                reply.set(String::new());
                version.update(|v| *v += 1);
            }
            result
        }
    });
    let pending = send.pending();
    let last = send.value();
    let send_error = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| match last {
            Some(Err(e)) if !pending.get() => Some(error_message(locale, e)),
            _ => None,
        })
    });
    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb"><a href="/support">{move || i18n.t(Key::SupportTitle)}</a></p>
                <h1 tabindex="-1">{move || i18n.t(Key::InquiryTitle)}</h1>
            </div>
            {move || match inquiry.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="inquiry-load-error"/>
                }.into_any(),
                Some(Ok(inq)) => {
                    let id = inq.id;
                    let status = inq.status;
                    let answer_by = inq.answer_by.clone();
                    let answer_by_attr = answer_by.clone();
                    let created = inq.created_at.clone();
                    let in_hours = inq.received_in_hours;
                    view! {
                        <section class="card" data-testid="inquiry-detail" data-number=inq.number.clone() data-state=status_str(status)>
                            <h2>{inq.subject.clone()}</h2>
                            <dl class="facts">
                                <dt>{move || i18n.t(Key::InquiryNumberLabel)}</dt><dd class="mono">{inq.number.clone()}</dd>
                                <dt>{move || i18n.t(Key::InquiryAboutLabel)}</dt><dd><span class="domain">{about(&inq)}</span></dd>
                                <dt>{move || i18n.t(Key::ColStatus)}</dt>
                                <dd><span class=move || status_badge(i18n.locale(), status).1 data-testid="inquiry-status">
                                    {move || status_badge(i18n.locale(), status).0}</span></dd>
                                <dt>{move || i18n.t(Key::InquiryReceivedLabel)}</dt><dd>{move || format_jst(i18n.locale(), &created)}</dd>
                                <dt>{move || i18n.t(Key::InquiryAnswerByLabel)}</dt>
                                <dd data-testid="inquiry-answer-by" data-answer-by=answer_by_attr>
                                    {move || answer_promise(i18n.locale(), in_hours, &answer_by)}
                                </dd>
                            </dl>
                            <Conversation inquiry=inq.clone()/>
                        </section>
                        {(status != InquiryStatus::Closed).then(|| view! {
                            <form class="form card" novalidate=true data-testid="inquiry-followup"
                                on:submit=move |ev: SubmitEvent| {
                                    ev.prevent_default();
                                    let text = reply.get_untracked();
                                    if !text.trim().is_empty() {
                                        send.dispatch((id, text.trim().to_owned()));
                                    }
                                }>
                                <ErrorNotice message=send_error testid="inquiry-followup-error"/>
                                <div class="field">
                                    <label for="inquiry_followup">{move || i18n.t(Key::InquiryFollowUpLabel)}</label>
                                    <textarea id="inquiry_followup" rows="4" data-testid="inquiry-followup-message"
                                        maxlength=MESSAGE_MAX_CHARS.to_string()
                                        prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                                </div>
                                <button type="submit" class="btn btn-secondary" data-testid="inquiry-followup-submit"
                                    disabled=move || pending.get() || reply.with(|r| r.trim().is_empty())>
                                    {move || i18n.t(Key::InquiryFollowUpSubmit)}
                                </button>
                            </form>
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_fields_are_sent_as_absent_and_invoice_numbers_upper_cased() {
        let req = inquiry_request(" 件名 ", "  ", "bill00000012", " 本文 ");
        assert_eq!(req.subject, "件名");
        assert_eq!(req.domain, None);
        assert_eq!(req.invoice_number.as_deref(), Some("BILL00000012"));
        assert_eq!(req.message, "本文");
    }

    #[test]
    fn the_form_names_each_missing_or_bad_field() {
        let fields = |req: &InquiryRequest| -> Vec<String> {
            check_inquiry(req).into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(&inquiry_request("", "", "", "")),
            ["subject", "message", "domain"]
        );
        assert!(fields(&inquiry_request("s", "example.jp", "", "m")).is_empty());
        assert!(fields(&inquiry_request("s", "", "BILL00000001", "m")).is_empty());
        assert_eq!(
            fields(&inquiry_request("s", "", "INV-1", "m")),
            ["invoice_number"]
        );
        let long = "あ".repeat(SUBJECT_MAX_CHARS + 1);
        assert_eq!(
            fields(&inquiry_request(&long, "a.jp", "", "m")),
            ["subject"]
        );
    }

    #[test]
    fn the_promise_names_the_day() {
        assert_eq!(
            answer_promise(Locale::En, false, "2027-01-04"),
            "We received your inquiry outside office hours. We will answer on or after the next business day, Mon 4 Jan 2027."
        );
        assert!(answer_promise(Locale::Ja, true, "2026-11-30").contains("2026年11月30日(月)"));
    }
}
