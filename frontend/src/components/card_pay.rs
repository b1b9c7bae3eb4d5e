//! The card payment form of one invoice (R-BILL-3): card number, expiry and CVC go straight to
//! `POST /invoices/{number}/pay` and are kept nowhere. A decline is said plainly, and the invoice
//! stays unpaid.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::billing::yen;
use shared::dto::{CardPayment, Invoice, Locale};

use crate::api::{self, ApiError};
use crate::components::field::{error_for, TextField};
use crate::components::notice::ErrorNotice;
use crate::context::{use_i18n, use_session};
use crate::forms::{general_error, shown_errors};
use crate::i18n::{error_message, trf, Key};

/// The request body from the form's text (a month or year that is not a number is sent as 0,
/// which the server names as out of range). A two-digit year as printed on cards (`30`) means
/// 2030.
pub fn card_payment(number: &str, month: &str, year: &str, cvc: &str) -> CardPayment {
    let year: u32 = year.trim().parse().unwrap_or(0);
    CardPayment {
        card_number: number.trim().to_owned(),
        exp_month: month.trim().parse().unwrap_or(0),
        exp_year: if (1..100).contains(&year) {
            2000 + year
        } else {
            year
        },
        cvc: cvc.trim().to_owned(),
    }
}

/// What a failed payment tells the reader: a 402 is a decline and the invoice stays unpaid.
pub fn pay_error(locale: Locale, invoice: &str, err: &ApiError) -> String {
    if err.status() == Some(402) || err.kind_ends_with("card-declined") {
        trf(locale, Key::CardDeclined, &[("number", invoice)])
    } else if err.kind_ends_with("already-paid") {
        trf(locale, Key::InvoiceAlreadyPaid, &[("number", invoice)])
    } else if err.kind_ends_with("payment-in-progress") {
        trf(
            locale,
            Key::InvoicePaymentInProgress,
            &[("number", invoice)],
        )
    } else {
        error_message(locale, err)
    }
}

#[component]
pub fn CardPayForm(
    /// The invoice number (`BILL…`).
    number: String,
    /// Amount including tax, yen.
    amount: i64,
    /// Called with the paid invoice.
    on_paid: Callback<Invoice>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let card = RwSignal::new(String::new());
    let month = RwSignal::new(String::new());
    let year = RwSignal::new(String::new());
    let cvc = RwSignal::new(String::new());
    let invoice = number.clone();
    let pay = Action::new_local(move |body: &CardPayment| {
        let body = body.clone();
        let invoice = invoice.clone();
        async move {
            let result = api::pay_invoice(&invoice, &body).await;
            match &result {
                Ok(paid) => on_paid.run(paid.clone()),
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let pending = pay.pending();
    let last = pay.value();
    let errors = Signal::derive(move || {
        last.with(|l| shown_errors(true, Vec::new(), pending.get(), l.as_ref()))
    });
    let shown_number = number.clone();
    let failure = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|l| {
            general_error(pending.get(), l.as_ref()).map(|e| pay_error(locale, &shown_number, e))
        })
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        pay.dispatch(card_payment(
            &card.get_untracked(),
            &month.get_untracked(),
            &year.get_untracked(),
            &cvc.get_untracked(),
        ));
    };
    view! {
        <form class="form card-pay" on:submit=submit data-testid="card-pay-form" novalidate>
            <h3>{move || i18n.t(Key::CardPayTitle)}</h3>
            <p>{move || i18n.tf(Key::CardPayLead, &[("number", &number), ("amount", &yen(amount))])}</p>
            <ErrorNotice message=failure testid="card-pay-error"/>
            <TextField id="card-number" testid="card-number" label=Key::CardNumberLabel value=card
                autocomplete="cc-number" inputmode="numeric" maxlength=23 hint=Key::CardNumberHint
                error=error_for(i18n, errors, "card_number") required=true/>
            <div class="field-row">
                <TextField id="card-exp-month" testid="card-exp-month" label=Key::CardExpMonthLabel value=month
                    autocomplete="cc-exp-month" inputmode="numeric" placeholder="MM" maxlength=2 hint=Key::CardExpMonthHint
                    error=error_for(i18n, errors, "exp_month") required=true/>
                <TextField id="card-exp-year" testid="card-exp-year" label=Key::CardExpYearLabel value=year
                    autocomplete="cc-exp-year" inputmode="numeric" placeholder="YYYY" maxlength=4 hint=Key::CardExpYearHint
                    error=error_for(i18n, errors, "exp_year") required=true/>
                <TextField id="card-cvc" testid="card-cvc" label=Key::CardCvcLabel value=cvc
                    autocomplete="cc-csc" inputmode="numeric" maxlength=4 hint=Key::CardCvcHint
                    error=error_for(i18n, errors, "cvc") required=true/>
            </div>
            <p class="muted small">{move || i18n.t(Key::CardNotStored)}</p>
            <button type="submit" class="btn btn-primary" data-testid="card-pay-submit" disabled=move || pending.get()>
                {move || i18n.tf(Key::CardPaySubmit, &[("amount", &yen(amount))])}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;

    #[test]
    fn the_form_text_becomes_the_request() {
        let body = card_payment(" 4242 4242 4242 4242 ", "12", "2030", "123");
        assert_eq!(body.card_number, "4242 4242 4242 4242");
        assert_eq!((body.exp_month, body.exp_year), (12, 2030));
        assert_eq!(card_payment("1", "x", "", "1").exp_month, 0);
        assert_eq!(card_payment("1", "01", "30", "1").exp_year, 2030);
    }

    #[test]
    fn a_decline_says_the_invoice_stays_unpaid() {
        let err = from_response(
            402,
            Some("application/problem+json"),
            r#"{"type":"urn:certdirect:problem:card-declined","title":"Card declined","status":402,"detail":"declined; the invoice BILL1 stays unpaid"}"#,
            None,
        );
        let text = pay_error(Locale::Ja, "BILL00000001", &err);
        assert!(
            text.contains("BILL00000001") && text.contains("未払い"),
            "{text}"
        );
        assert!(pay_error(Locale::En, "BILL1", &err).contains("unpaid"));
    }

    #[test]
    fn a_payment_in_progress_says_so() {
        let err = from_response(
            409,
            Some("application/problem+json"),
            r#"{"type":"urn:certdirect:problem:payment-in-progress","title":"Conflict","status":409,"detail":"a payment for invoice BILL1 is in progress"}"#,
            None,
        );
        let text = pay_error(Locale::Ja, "BILL00000001", &err);
        assert!(
            text.contains("BILL00000001") && text.contains("処理中"),
            "{text}"
        );
    }
}
