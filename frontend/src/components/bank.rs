//! Where to send a bank transfer (R-BILL-6): the account, the invoice number to put before the
//! payer name, the amount and the due date, shown wherever a transfer is awaited. A pending
//! state, so an information box, never a success tick.

use leptos::prelude::*;
use shared::billing::{yen, InvoiceStatus, PaymentMethod};
use shared::dto::Invoice;

use crate::components::copy::CopyButton;
use crate::context::use_i18n;
use crate::i18n::Key;
use crate::time::format_jst;

/// Whether `inv` waits for a bank transfer.
pub fn awaits_transfer(inv: &Invoice) -> bool {
    inv.status == InvoiceStatus::Unpaid && inv.payment_method == PaymentMethod::BankTransfer
}

#[component]
pub fn BankTransferDetails(invoice: Invoice) -> impl IntoView {
    let i18n = use_i18n();
    let number = invoice.number.clone();
    let note_number = number.clone();
    let amount = invoice.amount_incl_tax;
    let due = invoice.due_at.clone();
    view! {
        <div class="notice notice-info bank-transfer" role="status" data-testid="bank-transfer"
            data-number=number.clone()>
            <span class="notice-icon" aria-hidden="true"></span>
            <div class="notice-body">
                <p class="notice-title">{move || i18n.t(Key::BankTransferTitle)}</p>
                <dl class="facts">
                    <dt>{move || i18n.t(Key::BankAccountLabel)}</dt>
                    <dd>
                        {match invoice.bank_account.clone() {
                            Some(account) => view! {
                                <div class="copy-row">
                                    <span class="bank-account" data-testid="bank-account">{account.clone()}</span>
                                    <CopyButton text=account testid="bank-account-copy".to_owned()
                                        label=Signal::derive(move || i18n.tf(Key::CopyLabel, &[("what", i18n.t(Key::BankAccountLabel))]))/>
                                </div>
                            }.into_any(),
                            None => view! {
                                <span data-testid="bank-account-missing">{move || i18n.t(Key::BankAccountInMail)}</span>
                            }.into_any(),
                        }}
                    </dd>
                    <dt>{move || i18n.t(Key::BankPayerPrefixLabel)}</dt>
                    <dd><span class="mono customer-id" data-testid="bank-invoice-number">{number.clone()}</span></dd>
                    <dt>{move || i18n.t(Key::AmountLabel)}</dt>
                    <dd>{move || i18n.tf(Key::PriceInclTax, &[("amount", &yen(amount))])}</dd>
                    <dt>{move || i18n.t(Key::DueLabel)}</dt>
                    <dd>{move || format_jst(i18n.locale(), &due)}</dd>
                </dl>
                <p class="small">{move || i18n.tf(Key::BankTransferNote, &[("number", &note_number)])}</p>
            </div>
        </div>
    }
}
