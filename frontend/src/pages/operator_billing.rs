//! Operator console for payments (R-BILL-3, R-BILL-5): `/operator/invoices` lists the invoices
//! awaiting payment and confirms a bank transfer after a confirmation, with the amount prefilled
//! (it must equal the total including tax); `/operator/bank-statements` imports a bank statement
//! CSV (`date,invoice_number,amount,payer`) and shows what became of every row.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::billing::yen;
use shared::dto::{Invoice, Locale, StatementImport};

use crate::api::{self, ApiError};
use crate::components::focus::focus_on_mount;
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::components::operator_gate::OperatorGate;
use crate::context::{reloading, use_i18n, use_session, use_title};
use crate::i18n::{error_message, field_message, tr, trf, Key};
use crate::time::format_jst;

/// The amount typed by the operator, in yen (commas, `¥` and `円` allowed).
pub fn parse_amount(text: &str) -> Option<i64> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '¥' | '円' | ' ' | '\u{3000}'))
        .collect();
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}

/// What a refused confirmation tells the operator.
pub fn confirm_error(locale: Locale, number: &str, err: &ApiError) -> String {
    if err.kind_ends_with("already-paid") {
        return trf(locale, Key::InvoiceAlreadyPaid, &[("number", number)]);
    }
    if err.kind_ends_with("payment-in-progress") {
        return trf(locale, Key::InvoicePaymentInProgress, &[("number", number)]);
    }
    match err.field_errors().iter().find(|e| e.field == "amount") {
        Some(e) if e.code == "amount_mismatch" => {
            format!(
                "{} {} {}",
                tr(locale, Key::AmountMismatch),
                tr(locale, Key::ErrDetailLabel),
                e.reason
            )
        }
        Some(e) => field_message(locale, e),
        None => error_message(locale, err),
    }
}

/// The label of a statement row's outcome.
pub fn outcome_label(locale: Locale, outcome: &str) -> String {
    let key = match outcome {
        "applied" => Key::OutcomeApplied,
        "already_paid" => Key::OutcomeAlreadyPaid,
        "unknown_invoice" => Key::OutcomeUnknownInvoice,
        "amount_mismatch" => Key::OutcomeAmountMismatch,
        "not_payable" => Key::OutcomeNotPayable,
        "payment_in_progress" => Key::OutcomePaymentInProgress,
        "duplicate_in_file" => Key::OutcomeDuplicate,
        "invalid_row" => Key::OutcomeInvalidRow,
        other => return other.to_owned(),
    };
    tr(locale, key).to_owned()
}

#[component]
pub fn OperatorInvoicesPage() -> impl IntoView {
    use_title(Key::OperatorInvoicesTitle);
    view! { <OperatorGate><UnpaidInvoices/></OperatorGate> }
}

#[component]
pub fn OperatorStatementsPage() -> impl IntoView {
    use_title(Key::OperatorStatementsTitle);
    view! { <OperatorGate><StatementImportForm/></OperatorGate> }
}

#[component]
fn UnpaidInvoices() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let version = RwSignal::new(0u32);
    let list = reloading(session, version, || api::operator_invoices("unpaid"));
    let confirming = RwSignal::new(None::<String>);
    let amount = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let confirm = Action::new_local(move |(number, amount): &(String, i64)| {
        let (number, amount) = (number.clone(), *amount);
        async move {
            let result = api::operator_confirm_payment(&number, amount).await;
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
    let pending = confirm.pending();
    let last = confirm.value();
    let bad_amount = RwSignal::new(false);
    let failure = Signal::derive(move || {
        let locale = i18n.locale();
        if bad_amount.get() {
            return Some(tr(locale, Key::AmountInvalid).to_owned());
        }
        last.with(|l| match l {
            Some(Err(e)) if !pending.get() => Some(confirm_error(locale, &target.get(), e)),
            _ => None,
        })
    });
    let done = move || {
        last.with(|l| match l {
            Some(Ok(inv)) if !pending.get() => Some(inv.clone()),
            _ => None,
        })
    };
    let ask = move |inv: &Invoice| {
        last.set(None);
        bad_amount.set(false);
        amount.set(inv.amount_incl_tax.to_string());
        confirming.set(Some(inv.number.clone()));
    };
    let send = move |number: String| {
        bad_amount.set(false);
        match parse_amount(&amount.get_untracked()) {
            Some(yen) => {
                target.set(number.clone());
                confirm.dispatch((number, yen));
            }
            None => bad_amount.set(true),
        }
    };
    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb">{move || i18n.t(Key::NavOperator)}</p>
                <h1>{move || i18n.t(Key::OperatorInvoicesTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::OperatorInvoicesLead)}</p>
            </div>
            <ErrorNotice message=failure testid="operator-confirm-error"/>
            {move || done().map(|inv| view! {
                <SuccessNotice testid="operator-confirm-done">
                    <p>{move || i18n.tf(Key::OperatorConfirmed, &[("number", &inv.number), ("amount", &yen(inv.amount_incl_tax)), ("customer", &inv.customer_id)])}</p>
                </SuccessNotice>
            })}
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="operator-invoices-error"/>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="empty" data-testid="operator-invoices-empty">{move || i18n.t(Key::OperatorNoUnpaid)}</p>
                }.into_any(),
                Some(Ok(rows)) => view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="operator-invoice-list">
                            <thead><tr>
                                <th scope="col">{move || i18n.t(Key::InvoiceNumberLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::CustomerIdLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::ColFqdn)}</th>
                                <th scope="col">{move || i18n.t(Key::AmountLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::PaymentMethodLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::DueLabel)}</th>
                                <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::ColActions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|inv| {
                                    let number = inv.number.clone();
                                    let is_open = {
                                        let number = number.clone();
                                        move || confirming.with(|c| c.as_deref() == Some(number.as_str()))
                                    };
                                    let due = inv.due_at.clone();
                                    let method = inv.payment_method;
                                    let total = inv.amount_incl_tax;
                                    let send_number = number.clone();
                                    let asked = inv.clone();
                                    view! {
                                        <tr data-testid="operator-invoice-row" data-number=number.clone()>
                                            <td class="mono">{number.clone()}</td>
                                            <td class="mono">{inv.customer_id.clone()}</td>
                                            <td><span class="mono domain">{inv.fqdn.clone()}</span></td>
                                            <td class="nowrap">{yen(total)}</td>
                                            <td>{move || method.label(i18n.locale())}</td>
                                            <td class="nowrap">{move || format_jst(i18n.locale(), &due)}</td>
                                            <td>
                                                <button type="button" class="btn btn-primary btn-sm" data-testid="operator-confirm"
                                                    on:click=move |_| ask(&asked)>
                                                    {move || i18n.t(Key::OperatorConfirm)}
                                                </button>
                                            </td>
                                        </tr>
                                        {move || is_open().then(|| {
                                            let yes = focus_on_mount();
                                            let send_number = send_number.clone();
                                            let question_number = send_number.clone();
                                            view! {
                                                <tr class="confirm-row" data-testid="operator-confirm-row"><td colspan="7">
                                                    <div class="confirm" role="alertdialog" aria-labelledby="confirm-question">
                                                        <p id="confirm-question">{move || i18n.tf(Key::OperatorConfirmQuestion, &[("number", &question_number), ("amount", &yen(total))])}</p>
                                                        <div class="field">
                                                            <label for="confirm-amount">{move || i18n.t(Key::AmountReceivedLabel)}</label>
                                                            <input id="confirm-amount" type="text" inputmode="numeric" data-testid="operator-confirm-amount"
                                                                prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                                                        </div>
                                                        <div class="confirm-actions">
                                                            <button type="button" class="btn btn-primary btn-sm" data-testid="operator-confirm-yes" node_ref=yes
                                                                disabled=move || pending.get() on:click=move |_| send(send_number.clone())>
                                                                {move || i18n.t(Key::OperatorConfirmYes)}
                                                            </button>
                                                            <button type="button" class="btn btn-ghost btn-sm" data-testid="operator-confirm-cancel"
                                                                on:click=move |_| confirming.set(None)>
                                                                {move || i18n.t(Key::Cancel)}
                                                            </button>
                                                        </div>
                                                    </div>
                                                </td></tr>
                                            }
                                        })}
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

#[component]
fn StatementImportForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let csv = RwSignal::new(String::new());
    let import = Action::new_local(move |text: &String| {
        let text = text.clone();
        async move {
            let result = api::operator_bank_statement(&text).await;
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    });
    let pending = import.pending();
    let last = import.value();
    let failure = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|l| match l {
            Some(Err(e)) if !pending.get() => Some(match e.field_errors().first() {
                Some(f) => format!("{} {}", error_message(locale, e), field_message(locale, f)),
                None => error_message(locale, e),
            }),
            _ => None,
        })
    });
    let result = move || -> Option<StatementImport> {
        last.with(|l| match l {
            Some(Ok(r)) if !pending.get() => Some(r.clone()),
            _ => None,
        })
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        import.dispatch(csv.get_untracked());
    };
    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb">{move || i18n.t(Key::NavOperator)}</p>
                <h1>{move || i18n.t(Key::OperatorStatementsTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::OperatorStatementsLead)}</p>
            </div>
            <form class="form card" on:submit=submit data-testid="statement-form">
                <div class="field">
                    <label for="statement-csv">{move || i18n.t(Key::StatementCsvLabel)}</label>
                    <textarea id="statement-csv" rows="8" class="mono" data-testid="statement-csv" spellcheck="false"
                        placeholder="date,invoice_number,amount,payer"
                        prop:value=move || csv.get() on:input=move |ev| csv.set(event_target_value(&ev))></textarea>
                    <p class="field-hint">{move || i18n.t(Key::StatementCsvHint)}</p>
                </div>
                <button type="submit" class="btn btn-primary" data-testid="statement-submit" disabled=move || pending.get()>
                    {move || i18n.t(Key::StatementSubmit)}
                </button>
            </form>
            <ErrorNotice message=failure testid="statement-error"/>
            {move || result().map(|r| {
                let applied = r.applied.to_string();
                let total = r.rows.len().to_string();
                view! {
                    <section class="card section-card" data-testid="statement-result">
                        <h2>{move || i18n.t(Key::StatementResultTitle)}</h2>
                        <p data-testid="statement-applied">{move || i18n.tf(Key::StatementApplied, &[("applied", &applied), ("total", &total)])}</p>
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">{move || i18n.t(Key::ColLine)}</th>
                                    <th scope="col">{move || i18n.t(Key::InvoiceNumberLabel)}</th>
                                    <th scope="col">{move || i18n.t(Key::AmountLabel)}</th>
                                    <th scope="col">{move || i18n.t(Key::ColOutcome)}</th>
                                    <th scope="col">{move || i18n.t(Key::ColDetail)}</th>
                                </tr></thead>
                                <tbody>
                                    {r.rows.into_iter().map(|row| {
                                        let outcome = row.outcome.clone();
                                        let ok = outcome == "applied";
                                        view! {
                                            <tr data-testid="statement-row" data-outcome=row.outcome.clone() data-number=row.invoice_number.clone()>
                                                <td>{row.line}</td>
                                                <td class="mono">{row.invoice_number.clone()}</td>
                                                <td class="nowrap">{row.amount.map(yen)}</td>
                                                <td><span class=if ok { "badge badge-ok" } else { "badge badge-off" }>{move || outcome_label(i18n.locale(), &outcome)}</span></td>
                                                <td class="small">{row.detail.clone()}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;

    #[test]
    fn amounts_may_be_written_with_commas_and_yen() {
        assert_eq!(parse_amount("11990"), Some(11_990));
        assert_eq!(parse_amount("¥11,990"), Some(11_990));
        assert_eq!(parse_amount("11,990円"), Some(11_990));
        assert_eq!(parse_amount("0"), None);
        assert_eq!(parse_amount("abc"), None);
    }

    #[test]
    fn a_wrong_amount_is_named() {
        let err = from_response(
            400,
            Some("application/problem+json"),
            r#"{"type":"urn:certdirect:problem:validation","title":"t","status":400,"detail":"d",
               "errors":[{"field":"amount","code":"amount_mismatch","reason":"¥1 does not match"}]}"#,
            None,
        );
        let text = confirm_error(Locale::Ja, "BILL1", &err);
        assert!(
            text.starts_with(tr(Locale::Ja, Key::AmountMismatch)),
            "{text}"
        );
        assert_eq!(
            outcome_label(Locale::En, "unknown_invoice"),
            "Unknown invoice"
        );
        assert_eq!(
            outcome_label(Locale::Ja, "payment_in_progress"),
            "カード決済の処理中"
        );
    }
}
