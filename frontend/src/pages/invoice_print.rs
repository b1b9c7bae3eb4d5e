//! `/mypage/invoices/{number}/print` and `/mypage/invoices/{number}/receipt` (R-BILL-6): the
//! invoice, and once paid the receipt, as a printable A4 page that carries what a qualified
//! invoice (適格請求書) needs — the issuer's registration number (`T` + 13 digits), the tax rate
//! and the tax per rate — plus the bank details while a transfer is awaited. One click prints it
//! or saves it as PDF (the browser's print dialog); the print style sheet hides the portal around
//! the document.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::billing::{yen, PaymentMethod};
use shared::dto::{InvoiceDocument, Locale};

use crate::api;
use crate::browser;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::require_login::RequireLogin;
use crate::context::{use_i18n, use_session, use_title};
use crate::i18n::{error_message, tr, Key};
use crate::time::format_jst;

/// Which document the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invoice,
    Receipt,
}

/// The document's title: a receipt only exists once paid.
pub fn title(locale: Locale, kind: Kind) -> &'static str {
    tr(
        locale,
        match kind {
            Kind::Invoice => Key::PrintInvoiceTitle,
            Kind::Receipt => Key::PrintReceiptTitle,
        },
    )
}

/// `2026/11/24` — dates on a printed document carry no time.
pub fn day_of(locale: Locale, rfc3339: &str) -> String {
    let shown = format_jst(locale, rfc3339);
    shown.split(' ').next().unwrap_or(&shown).to_owned()
}

#[component]
pub fn InvoicePrintPage() -> impl IntoView {
    use_title(Key::PrintInvoiceTitle);
    view! { <RequireLogin><Document kind=Kind::Invoice/></RequireLogin> }
}

#[component]
pub fn ReceiptPrintPage() -> impl IntoView {
    use_title(Key::PrintReceiptTitle);
    view! { <RequireLogin><Document kind=Kind::Receipt/></RequireLogin> }
}

#[component]
fn Document(kind: Kind) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let doc = LocalResource::new(move || {
        let number = params.with(|p| p.get("number").unwrap_or_default());
        async move {
            let result = api::invoice_document(&number).await;
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    });
    view! {
        <section class="container page">
            <div class="page-head no-print">
                <p class="breadcrumb"><a href="/mypage/invoices">{move || i18n.t(Key::InvoicesTitle)}</a></p>
            </div>
            {move || match doc.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="print-error"/>
                }.into_any(),
                Some(Ok(d)) if kind == Kind::Receipt && d.receipt.is_none() => view! {
                    <h1 tabindex="-1">{move || title(i18n.locale(), kind)}</h1>
                    <p class="notice notice-warning" data-testid="receipt-unpaid">{move || i18n.t(Key::PrintReceiptUnpaid)}</p>
                }.into_any(),
                Some(Ok(d)) => view! { <Paper doc=d kind=kind/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Paper(doc: InvoiceDocument, kind: Kind) -> impl IntoView {
    let i18n = use_i18n();
    let inv = doc.invoice.clone();
    let issued = inv.issued_at.clone();
    let due = inv.due_at.clone();
    let total = inv.amount_incl_tax;
    let receipt = doc.receipt.clone();
    let issuer = doc.issuer.clone();
    let number_attr = inv.number.clone();
    view! {
        <div class="print-actions no-print">
            <button type="button" class="btn btn-primary" data-testid="print-button" on:click=move |_| browser::print()>
                {move || i18n.t(Key::PrintButton)}
            </button>
            <p class="small muted">{move || i18n.t(Key::PrintHint)}</p>
        </div>
        <article class="paper" data-testid="print-document" data-kind=if kind == Kind::Invoice { "invoice" } else { "receipt" }
            data-number=number_attr>
            <header class="paper-head">
                <h1 tabindex="-1">{move || title(i18n.locale(), kind)}</h1>
                <dl class="paper-meta">
                    <dt>{move || i18n.t(Key::InvoiceNumberLabel)}</dt><dd class="mono" data-testid="print-invoice-number">{inv.number.clone()}</dd>
                    <dt>{move || i18n.t(Key::IssuedLabel)}</dt><dd>{move || day_of(i18n.locale(), &issued)}</dd>
                    {(kind == Kind::Invoice).then(|| view! {
                        <dt>{move || i18n.t(Key::DueLabel)}</dt><dd>{move || day_of(i18n.locale(), &due)}</dd>
                    })}
                </dl>
            </header>
            <div class="paper-parties">
                <p class="paper-to" data-testid="print-addressee">
                    <span class="paper-to-name">{move || i18n.tf(Key::PrintAddressee, &[("name", &doc.customer_name)])}</span>
                    <span class="block small">{move || i18n.t(Key::CustomerIdLabel)}": "{inv.customer_id.clone()}</span>
                </p>
                <div class="paper-from" data-testid="print-issuer">
                    <p><strong>{issuer.name.clone()}</strong></p>
                    {(!issuer.address.is_empty()).then(|| view! { <p class="small">{issuer.address.clone()}</p> })}
                    <p class="small">{issuer.email.clone()}</p>
                    <p class="small">
                        {move || i18n.t(Key::PrintRegistrationNumber)}": "
                        <span class="mono" data-testid="print-registration-number">{issuer.registration_number.clone()}</span>
                    </p>
                </div>
            </div>
            <p class="paper-total" data-testid="print-total">
                {move || i18n.t(if kind == Kind::Invoice { Key::PrintAmountDue } else { Key::PrintAmountReceived })}
                " "<strong>{move || i18n.tf(Key::PriceInclTax, &[("amount", &yen(total))])}</strong>
            </p>
            {receipt.clone().filter(|_| kind == Kind::Receipt).map(|r| {
                let paid_at = r.paid_at.clone();
                view! {
                    <p class="paper-received" data-testid="print-received">
                        {move || i18n.tf(Key::PrintReceivedLine, &[
                            ("date", &day_of(i18n.locale(), &paid_at)),
                            ("method", r.method.label(i18n.locale())),
                        ])}
                    </p>
                }
            })}
            <table class="table paper-lines">
                <thead><tr>
                    <th scope="col">{move || i18n.t(Key::PrintItem)}</th>
                    <th scope="col" class="num">{move || i18n.t(Key::PrintQuantity)}</th>
                    <th scope="col" class="num">{move || i18n.t(Key::PrintUnitPrice)}</th>
                    <th scope="col" class="num">{move || i18n.t(Key::PrintTaxRate)}</th>
                    <th scope="col" class="num">{move || i18n.t(Key::PrintAmountExclTax)}</th>
                </tr></thead>
                <tbody>
                    {doc.lines.iter().map(|l| view! {
                        <tr data-testid="print-line">
                            <td>{l.description.clone()}</td>
                            <td class="num">{l.quantity}</td>
                            <td class="num">{yen(l.unit_price_excl_tax)}</td>
                            <td class="num">{format!("{}%", l.tax_rate_percent)}</td>
                            <td class="num">{yen(l.amount_excl_tax)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <table class="table paper-tax" data-testid="print-tax-totals">
                <tbody>
                    {doc.tax_totals.iter().cloned().map(|t| {
                        let rate = t.rate_percent.to_string();
                        let rate_attr = rate.clone();
                        view! {
                            <tr data-testid="print-tax-rate" data-rate=rate_attr>
                                <th scope="row">{move || i18n.tf(Key::PrintTaxRateTotal, &[("rate", &rate)])}</th>
                                <td class="num">{move || i18n.tf(Key::PrintTaxableAmount, &[("amount", &yen(t.amount_excl_tax))])}</td>
                                <td class="num" data-testid="print-tax-amount">{move || i18n.tf(Key::PrintTaxAmount, &[("amount", &yen(t.tax))])}</td>
                            </tr>
                        }
                    }).collect_view()}
                    <tr>
                        <th scope="row">{move || i18n.t(Key::PrintTotalInclTax)}</th>
                        <td></td>
                        <td class="num"><strong>{yen(total)}</strong></td>
                    </tr>
                </tbody>
            </table>
            {doc.bank_account.clone().filter(|_| kind == Kind::Invoice).map(|bank| view! {
                <section class="paper-bank" data-testid="print-bank">
                    <h2>{move || i18n.t(Key::PrintBankTitle)}</h2>
                    <pre class="bank-details">{bank}</pre>
                    <p class="small">{move || i18n.tf(Key::PrintBankNote, &[("number", &inv.number)])}</p>
                </section>
            })}
            {(kind == Kind::Invoice && inv.payment_method == PaymentMethod::Card && receipt.is_none()).then(|| view! {
                <p class="small">{move || i18n.t(Key::PrintCardNote)}</p>
            })}
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_dates_carry_no_time() {
        assert_eq!(day_of(Locale::Ja, "2026-11-24T05:06:07Z"), "2026/11/24");
        assert_eq!(day_of(Locale::En, "2026-12-31T15:00:00Z"), "2027-01-01");
    }

    #[test]
    fn titles_follow_the_kind() {
        assert_ne!(
            title(Locale::Ja, Kind::Invoice),
            title(Locale::Ja, Kind::Receipt)
        );
    }
}
