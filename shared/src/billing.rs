//! Products, prices and the states of registrations and invoices (R-BILL-1, R-FQDN-5).
//! Money is integer yen; tax is computed once, here, for the portal and the server alike.

use serde::{Deserialize, Serialize};

use crate::fqdn::CertType;
use crate::locale::Locale;

/// Consumption tax, percent (R-BILL-1).
pub const TAX_PERCENT: i64 = 10;

/// Consumption tax on an amount excluding tax: rounded down to the yen.
pub fn tax(excl: i64) -> i64 {
    excl * TAX_PERCENT / 100
}

/// One product of the catalogue: a certificate type for a contract period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub cert_type: CertType,
    pub period_years: u32,
    /// Price excluding tax, yen.
    pub price_excl_tax: i64,
    pub tax: i64,
    /// Price including 10 % consumption tax, yen.
    pub price_incl_tax: i64,
}

impl Product {
    pub fn new(cert_type: CertType, period_years: u32, price_excl_tax: i64) -> Self {
        let tax = tax(price_excl_tax);
        Product {
            cert_type,
            period_years,
            price_excl_tax,
            tax,
            price_incl_tax: price_excl_tax + tax,
        }
    }
}

/// The default catalogue: DV ¥10,900 and DV wildcard ¥43,600 a year; two years cost twice.
pub fn default_catalogue() -> Vec<Product> {
    let mut products = Vec::new();
    for (cert_type, yearly) in [(CertType::Dv, 10_900), (CertType::DvWildcard, 43_600)] {
        for years in [1u32, 2] {
            products.push(Product::new(cert_type, years, yearly * i64::from(years)));
        }
    }
    products
}

/// `¥11,990`
pub fn yen(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}¥{out}", if amount < 0 { "-" } else { "" })
}

/// How an invoice is paid (R-BILL-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    BankTransfer,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::BankTransfer => "bank_transfer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [PaymentMethod::Card, PaymentMethod::BankTransfer]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (PaymentMethod::Card, Locale::Ja) => "クレジットカード",
            (PaymentMethod::BankTransfer, Locale::Ja) => "銀行振込",
            (PaymentMethod::Card, Locale::En) => "Credit card",
            (PaymentMethod::BankTransfer, Locale::En) => "Bank transfer",
        }
    }
}

/// R-FQDN-5: the life of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    AwaitingPayment,
    Registered,
    Active,
    Expired,
    Cancelled,
    Lapsed,
}

impl RegistrationState {
    pub const ALL: [RegistrationState; 6] = [
        RegistrationState::AwaitingPayment,
        RegistrationState::Registered,
        RegistrationState::Active,
        RegistrationState::Expired,
        RegistrationState::Cancelled,
        RegistrationState::Lapsed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationState::AwaitingPayment => "awaiting_payment",
            RegistrationState::Registered => "registered",
            RegistrationState::Active => "active",
            RegistrationState::Expired => "expired",
            RegistrationState::Cancelled => "cancelled",
            RegistrationState::Lapsed => "lapsed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the registration holds its FQDN (R-FQDN-4).
    pub fn is_live(self) -> bool {
        matches!(
            self,
            RegistrationState::AwaitingPayment
                | RegistrationState::Registered
                | RegistrationState::Active
        )
    }

    /// Whether the transition `self → to` is one R-FQDN-5 allows.
    pub fn can_become(self, to: RegistrationState) -> bool {
        use RegistrationState::*;
        matches!(
            (self, to),
            (AwaitingPayment, Registered)
                | (AwaitingPayment, Cancelled)
                | (Registered, Active)
                | (Registered, Lapsed)
                | (Registered, Cancelled)
                | (Active, Expired)
        )
    }

    pub fn label(self, locale: Locale) -> &'static str {
        use RegistrationState::*;
        match (self, locale) {
            (AwaitingPayment, Locale::Ja) => "お支払い待ち",
            (Registered, Locale::Ja) => "支払済・証明書未発行",
            (Active, Locale::Ja) => "有効",
            (Expired, Locale::Ja) => "契約期間終了",
            (Cancelled, Locale::Ja) => "キャンセル",
            (Lapsed, Locale::Ja) => "発行期限切れ",
            (AwaitingPayment, Locale::En) => "Awaiting payment",
            (Registered, Locale::En) => "Paid – no certificate yet",
            (Active, Locale::En) => "Active",
            (Expired, Locale::En) => "Contract ended",
            (Cancelled, Locale::En) => "Cancelled",
            (Lapsed, Locale::En) => "Issuance deadline passed",
        }
    }
}

/// The state of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Unpaid,
    Paid,
    Void,
    Refunded,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Unpaid => "unpaid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Void => "void",
            InvoiceStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            InvoiceStatus::Unpaid,
            InvoiceStatus::Paid,
            InvoiceStatus::Void,
            InvoiceStatus::Refunded,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R-BILL-1: the default prices including tax.
    #[test]
    fn default_prices() {
        let c = default_catalogue();
        let price = |t, y| {
            c.iter()
                .find(|p| p.cert_type == t && p.period_years == y)
                .unwrap()
                .price_incl_tax
        };
        assert_eq!(price(CertType::Dv, 1), 11_990);
        assert_eq!(price(CertType::DvWildcard, 1), 47_960);
        assert_eq!(price(CertType::Dv, 2), 23_980);
        assert_eq!(price(CertType::DvWildcard, 2), 95_920);
        assert_eq!(tax(10_901), 1_090, "tax rounds down");
    }

    #[test]
    fn yen_formatting() {
        assert_eq!(yen(11_990), "¥11,990");
        assert_eq!(yen(0), "¥0");
        assert_eq!(yen(1_234_567), "¥1,234,567");
        assert_eq!(yen(-500), "-¥500");
    }

    /// R-FQDN-5: only the transitions of the state diagram.
    #[test]
    fn state_transitions() {
        use RegistrationState::*;
        let allowed: Vec<_> = RegistrationState::ALL
            .iter()
            .flat_map(|a| RegistrationState::ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (AwaitingPayment, Registered),
                (AwaitingPayment, Cancelled),
                (Registered, Active),
                (Registered, Cancelled),
                (Registered, Lapsed),
                (Active, Expired)
            ]
        );
        assert!(Registered.is_live() && !Lapsed.is_live());
    }
}
