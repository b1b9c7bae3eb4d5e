//! `/mypage/invoices` (ご請求・お支払い, STEP 6): the customer's invoices (`BILL…`) with their
//! state, and for an unpaid card invoice the payment form (R-BILL-3). A declined card is said
//! plainly and the invoice stays unpaid.

use leptos::prelude::*;
use shared::billing::{yen, InvoiceStatus, PaymentMethod};
use shared::dto::{Invoice, Locale};

use crate::api;
use crate::components::bank::{awaits_transfer, BankTransferDetails};
use crate::components::card_pay::CardPayForm;
use crate::components::commands::IssueCommands;
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::components::require_login::RequireLogin;
use crate::context::{reloading, use_i18n, use_session, use_title};
use crate::i18n::{error_message, tr, Key};
use crate::time::format_jst;

/// An invoice's state in the reader's language.
pub fn status_label(locale: Locale, status: InvoiceStatus) -> &'static str {
    tr(
        locale,
        match status {
            InvoiceStatus::Unpaid => Key::InvUnpaid,
            InvoiceStatus::Paid => Key::InvPaid,
            InvoiceStatus::Void => Key::InvVoid,
            InvoiceStatus::Refunded => Key::InvRefunded,
        },
    )
}

/// Whether the customer can pay `inv` by card here.
pub fn payable_by_card(inv: &Invoice) -> bool {
    inv.status == InvoiceStatus::Unpaid && inv.payment_method == PaymentMethod::Card
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    use_title(Key::InvoicesTitle);
    view! {
        <RequireLogin>
            <InvoicesContent/>
        </RequireLogin>
    }
}

#[component]
fn InvoicesContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let version = RwSignal::new(0u32);
    let list = reloading(session, version, api::invoices);
    let paying = RwSignal::new(None::<String>);
    let paid = RwSignal::new(None::<Invoice>);
    let on_paid = Callback::new(move |inv: Invoice| {
        paying.set(None);
        paid.set(Some(inv));
        version.update(|v| *v += 1);
    });
    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb"><a href="/mypage">{move || i18n.t(Key::NavMyPage)}</a></p>
                <h1>{move || i18n.t(Key::InvoicesTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::InvoicesLead)}</p>
            </div>
            {move || paid.get().map(|inv| {
                let n = inv.number.clone();
                view! {
                    <SuccessNotice testid="invoice-paid">
                        <p>{move || i18n.tf(Key::InvoicePaidNotice, &[("number", &n)])}</p>
                    </SuccessNotice>
                    <IssueCommands fqdn=inv.fqdn.clone() cert_type=inv.cert_type/>
                }
            })}
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="invoices-error"/>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="empty" data-testid="invoices-empty">{move || i18n.t(Key::InvoicesEmpty)}</p>
                }.into_any(),
                Some(Ok(rows)) => view! {
                    {rows.iter().filter(|inv| awaits_transfer(inv)).cloned().map(|inv| view! {
                        <BankTransferDetails invoice=inv/>
                    }).collect_view()}
                    <div class="table-wrap">
                        <table class="table" data-testid="invoice-list">
                            <thead><tr>
                                <th scope="col">{move || i18n.t(Key::InvoiceNumberLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::ColFqdn)}</th>
                                <th scope="col">{move || i18n.t(Key::AmountLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::PaymentMethodLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::ColStatus)}</th>
                                <th scope="col">{move || i18n.t(Key::ColDates)}</th>
                                <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::ColActions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|inv| invoice_row(inv, paying, on_paid)).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

fn invoice_row(
    inv: Invoice,
    paying: RwSignal<Option<String>>,
    on_paid: Callback<Invoice>,
) -> impl IntoView {
    let i18n = use_i18n();
    let number = inv.number.clone();
    let card = payable_by_card(&inv);
    let status = inv.status;
    let method = inv.payment_method;
    let cert_type = inv.cert_type;
    let amount = inv.amount_incl_tax;
    let (issued, due, paid_at) = (
        inv.issued_at.clone(),
        inv.due_at.clone(),
        inv.paid_at.clone(),
    );
    let open = {
        let number = number.clone();
        move || paying.with(|p| p.as_deref() == Some(number.as_str()))
    };
    let toggle_number = number.clone();
    let form_number = number.clone();
    let is_open = open.clone();
    view! {
        <tr data-testid="invoice-row" data-number=number.clone() data-state=status.as_str()>
            <td class="mono" data-label=move || i18n.t(Key::InvoiceNumberLabel)>{number.clone()}</td>
            <td data-label=move || i18n.t(Key::ColFqdn)>
                <span class="mono domain">{inv.fqdn.clone()}</span>
                <span class="block small muted">{move || cert_type.label(i18n.locale())}</span>
            </td>
            <td class="nowrap" data-label=move || i18n.t(Key::AmountLabel)>
                {move || i18n.tf(Key::PriceInclTax, &[("amount", &yen(amount))])}
            </td>
            <td data-label=move || i18n.t(Key::PaymentMethodLabel)>{move || method.label(i18n.locale())}</td>
            <td data-label=move || i18n.t(Key::ColStatus)>
                <span class=if status == InvoiceStatus::Paid { "badge badge-ok" } else if status == InvoiceStatus::Unpaid { "badge badge-info" } else { "badge badge-off" }
                    data-testid="invoice-status" data-state=status.as_str()>{move || status_label(i18n.locale(), status)}</span>
            </td>
            <td class="nowrap" data-label=move || i18n.t(Key::ColDates)>
                <dl class="facts compact">
                    <dt>{move || i18n.t(Key::IssuedLabel)}</dt><dd>{move || format_jst(i18n.locale(), &issued)}</dd>
                    <dt>{move || i18n.t(Key::DueLabel)}</dt><dd data-testid="invoice-due">{move || format_jst(i18n.locale(), &due)}</dd>
                    {paid_at.map(|p| view! {
                        <dt>{move || i18n.t(Key::PaidAtLabel)}</dt><dd>{move || format_jst(i18n.locale(), &p)}</dd>
                    })}
                </dl>
            </td>
            <td>
                {card.then(|| view! {
                    <button type="button" class="btn btn-primary btn-sm" data-testid="invoice-pay"
                        aria-expanded=move || if is_open() { "true" } else { "false" }
                        on:click=move |_| paying.set(Some(toggle_number.clone()))>
                        {move || i18n.t(Key::PayByCard)}
                    </button>
                })}
                {(status == InvoiceStatus::Unpaid && method == PaymentMethod::BankTransfer).then(|| view! {
                    <span class="small muted">{move || i18n.t(Key::AwaitingTransfer)}</span>
                })}
                <a class="block small" data-testid="invoice-print" href=format!("/mypage/invoices/{number}/print")>
                    {move || i18n.t(Key::PrintInvoiceLink)}
                </a>
                {(status == InvoiceStatus::Paid).then(|| view! {
                    <a class="block small" data-testid="invoice-receipt" href=format!("/mypage/invoices/{number}/receipt")>
                        {move || i18n.t(Key::PrintReceiptLink)}
                    </a>
                })}
            </td>
        </tr>
        {move || open().then(|| view! {
            <tr class="confirm-row"><td colspan="7">
                <CardPayForm number=form_number.clone() amount=amount on_paid=on_paid/>
            </td></tr>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::fqdn::CertType;

    fn inv(status: InvoiceStatus, method: PaymentMethod) -> Invoice {
        Invoice {
            number: "BILL00000001".into(),
            registration_id: 1,
            fqdn: "example.jp".into(),
            cert_type: CertType::Dv,
            kind: "new".into(),
            period_years: 1,
            amount_excl_tax: 10_900,
            tax: 1_090,
            amount_incl_tax: 11_990,
            payment_method: method,
            status,
            issued_at: "2026-11-24T00:00:00Z".into(),
            due_at: "2026-12-08T14:59:59Z".into(),
            paid_at: None,
            customer_id: "C00000001".into(),
            bank_account: None,
        }
    }

    #[test]
    fn only_unpaid_card_invoices_get_the_form() {
        assert!(payable_by_card(&inv(
            InvoiceStatus::Unpaid,
            PaymentMethod::Card
        )));
        assert!(!payable_by_card(&inv(
            InvoiceStatus::Paid,
            PaymentMethod::Card
        )));
        assert!(!payable_by_card(&inv(
            InvoiceStatus::Unpaid,
            PaymentMethod::BankTransfer
        )));
        assert_eq!(status_label(Locale::Ja, InvoiceStatus::Unpaid), "未払い");
    }
}
