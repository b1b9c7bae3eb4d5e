//! The printable invoice and receipt (R-BILL-6): what a qualified invoice (適格請求書) must
//! carry — the issuer and its registration number, the lines, the tax rate and the tax per
//! rate — plus the bank details while a transfer is awaited and the receipt once paid.

use shared::billing::{InvoiceStatus, PaymentMethod, TAX_PERCENT};
use shared::dto::{InvoiceDocument, InvoiceIssuer, InvoiceLine, Locale, ReceiptInfo, TaxRateTotal};
use shared::fqdn::CertType;

use crate::clock::rfc3339;
use crate::config::Config;
use crate::registrations::{awaits_transfer, invoice_dto};
use crate::store::entity::{customer, invoice};

/// The line's description in `locale`, e.g. `DV証明書 example.jp 1年` or
/// `DV certificate example.jp, 1 year`.
pub fn describe(inv: &invoice::Model, locale: Locale) -> String {
    let cert_type = CertType::parse(&inv.cert_type).unwrap_or(CertType::Dv);
    let name = match cert_type {
        CertType::Dv => inv.fqdn.clone(),
        CertType::DvWildcard => format!("*.{}", inv.fqdn),
    };
    let unicode = idna::domain_to_unicode(&name).0;
    let shown = if unicode == name {
        name
    } else {
        format!("{name} ({unicode})")
    };
    let years = inv.period_years.max(0);
    let renewal = inv.kind == invoice::KIND_RENEWAL;
    match locale {
        Locale::Ja => format!(
            "{} {shown} {years}年{}",
            match cert_type {
                CertType::Dv => "DV証明書",
                CertType::DvWildcard => "DVワイルドカード証明書",
            },
            if renewal { "(更新)" } else { "" }
        ),
        Locale::En => format!(
            "{} {shown}, {years} year{}{}",
            match cert_type {
                CertType::Dv => "DV certificate",
                CertType::DvWildcard => "DV wildcard certificate",
            },
            if years == 1 { "" } else { "s" },
            if renewal { " (renewal)" } else { "" }
        ),
    }
}

/// How a paid invoice was paid, from the payment record.
fn paid_method(inv: &invoice::Model) -> PaymentMethod {
    match inv.paid_via.as_deref() {
        Some("card") => PaymentMethod::Card,
        Some(_) => PaymentMethod::BankTransfer,
        None => inv.payment_method(),
    }
}

/// Everything the printable invoice of `inv` shows, in `owner`'s language.
pub fn document(config: &Config, inv: &invoice::Model, owner: &customer::Model) -> InvoiceDocument {
    let rate = TAX_PERCENT as u32;
    InvoiceDocument {
        invoice: invoice_dto(inv, &config.bank_account),
        issuer: InvoiceIssuer {
            name: config.invoice_issuer.name.clone(),
            address: config.invoice_issuer.address.clone(),
            registration_number: config.invoice_issuer.registration_number.clone(),
            email: config.support_email.clone(),
        },
        customer_name: owner.name.clone(),
        lines: vec![InvoiceLine {
            description: describe(inv, owner.locale()),
            quantity: 1,
            unit_price_excl_tax: inv.amount_excl_tax,
            amount_excl_tax: inv.amount_excl_tax,
            tax_rate_percent: rate,
        }],
        tax_totals: vec![TaxRateTotal {
            rate_percent: rate,
            amount_excl_tax: inv.amount_excl_tax,
            tax: inv.tax,
        }],
        bank_account: awaits_transfer(inv).then(|| config.bank_account.clone()),
        receipt: match (inv.status(), inv.paid_at) {
            (InvoiceStatus::Paid, Some(paid_at)) => Some(ReceiptInfo {
                paid_at: rfc3339(paid_at),
                method: paid_method(inv),
                amount_incl_tax: inv.paid_amount.unwrap_or(inv.amount_incl_tax),
            }),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use std::collections::HashMap;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn inv(cert_type: &str, fqdn: &str, years: i32, method: &str) -> invoice::Model {
        invoice::Model {
            id: 1,
            number: "BILL0000000001".into(),
            customer_id: 1,
            registration_id: 1,
            kind: invoice::KIND_NEW.into(),
            cert_type: cert_type.into(),
            fqdn: fqdn.into(),
            period_years: years,
            amount_excl_tax: 10_900 * i64::from(years),
            tax: 1_090 * i64::from(years),
            amount_incl_tax: 11_990 * i64::from(years),
            payment_method: method.into(),
            status: "unpaid".into(),
            issued_at: at("2026-11-24T01:00:00Z"),
            due_at: at("2026-12-08T14:59:59Z"),
            paid_at: None,
            paid_amount: None,
            paid_via: None,
            payment_reference: None,
            voided_at: None,
            refunded_at: None,
            charging_at: None,
        }
    }

    fn owner(locale: &str) -> customer::Model {
        customer::Model {
            id: 1,
            email: "a@example.jp".into(),
            email_lower: "a@example.jp".into(),
            password_hash: String::new(),
            name: "山田 太郎".into(),
            billing_email: "b@example.jp".into(),
            locale: locale.into(),
            role: customer::ROLE_CUSTOMER.into(),
            email_verified_at: None,
            created_at: at("2026-11-24T01:00:00Z"),
            updated_at: at("2026-11-24T01:00:00Z"),
        }
    }

    #[test]
    fn descriptions_in_the_customers_language() {
        let table = [
            ("dv", "example.jp", 1, Locale::Ja, "DV証明書 example.jp 1年"),
            (
                "dv",
                "example.jp",
                1,
                Locale::En,
                "DV certificate example.jp, 1 year",
            ),
            (
                "dv_wildcard",
                "example.jp",
                2,
                Locale::En,
                "DV wildcard certificate *.example.jp, 2 years",
            ),
            (
                "dv",
                "xn--r8jz45g.jp",
                1,
                Locale::Ja,
                "DV証明書 xn--r8jz45g.jp (例え.jp) 1年",
            ),
        ];
        for (t, fqdn, years, locale, want) in table {
            assert_eq!(describe(&inv(t, fqdn, years, "card"), locale), want);
        }
    }

    /// R-BILL-6: issuer number, tax per rate, bank details only while a transfer is awaited,
    /// the receipt once paid.
    #[test]
    fn document_fields_follow_the_invoice() {
        let config = Config::from_sources(
            None,
            &HashMap::from([(
                "CERTDIRECT_INVOICE_REGISTRATION_NUMBER".to_owned(),
                "T8010001000001".to_owned(),
            )]),
        )
        .unwrap();
        let unpaid = inv("dv", "example.jp", 1, "bank_transfer");
        let d = document(&config, &unpaid, &owner("en"));
        assert_eq!(d.issuer.registration_number, "T8010001000001");
        assert_eq!(d.lines[0].description, "DV certificate example.jp, 1 year");
        assert_eq!(
            d.tax_totals,
            vec![TaxRateTotal {
                rate_percent: 10,
                amount_excl_tax: 10_900,
                tax: 1_090
            }]
        );
        assert_eq!(
            d.bank_account.as_deref(),
            Some(config.bank_account.as_str())
        );
        assert_eq!(d.invoice.bank_account, d.bank_account);
        assert!(d.receipt.is_none());
        let card = document(&config, &inv("dv", "example.jp", 1, "card"), &owner("ja"));
        assert!(card.bank_account.is_none() && card.invoice.bank_account.is_none());
        let mut paid = unpaid.clone();
        paid.status = "paid".into();
        paid.paid_at = Some(at("2026-11-25T02:00:00Z"));
        paid.paid_amount = Some(11_990);
        paid.paid_via = Some("bank_statement".into());
        let d = document(&config, &paid, &owner("ja"));
        assert!(d.bank_account.is_none());
        let receipt = d.receipt.unwrap();
        assert_eq!(receipt.paid_at, "2026-11-25T02:00:00Z");
        assert_eq!(receipt.method, PaymentMethod::BankTransfer);
        assert_eq!(receipt.amount_incl_tax, 11_990);
    }
}
