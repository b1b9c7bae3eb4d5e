//! Card payments through a provider interface (R-BILL-3). The built-in test provider accepts
//! the documented test card and declines the others. Card data is checked, passed to the
//! provider, and dropped: never stored, never logged.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Datelike, Utc};
use shared::dto::CardPayment;
use shared::problem::FieldError;

/// A card that passed the syntax checks.
pub struct Card {
    pub number: String,
    pub exp_month: u32,
    pub exp_year: u32,
    pub cvc: String,
}

/// Why a provider did not take the payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decline {
    pub code: String,
    pub message: String,
}

pub type ChargeFuture<'a> = Pin<Box<dyn Future<Output = Result<String, Decline>> + Send + 'a>>;

pub trait PaymentProvider: Send + Sync {
    /// Charges `amount` yen; returns the provider's charge id. `idempotency_key` is the invoice
    /// number (R-BILL-6): a second charge under a key already charged returns the first charge
    /// and takes no money.
    fn charge<'a>(&'a self, amount: i64, idempotency_key: &'a str, card: Card) -> ChargeFuture<'a>;
}

/// The documented test card that is approved.
pub const TEST_CARD_APPROVED: &str = "4242424242424242";
/// The documented test card that is declined.
pub const TEST_CARD_DECLINED: &str = "4000000000000002";

/// What the test provider saw under one idempotency key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRecord {
    /// Requests received under the key.
    pub requests: u32,
    /// Charges that took money (at most one: later approvals return it).
    pub charges: u32,
    /// The charge id, once charged.
    pub charge_id: Option<String>,
}

/// The built-in provider for development and tests. It keeps, in this process, what it did
/// per idempotency key, as a real provider does on its side, so tests can count charges.
#[derive(Debug, Default)]
pub struct TestCardProvider {
    keys: std::sync::Mutex<std::collections::HashMap<String, KeyRecord>>,
}

impl TestCardProvider {
    /// What was done under `idempotency_key` (an invoice number).
    pub fn record(&self, idempotency_key: &str) -> KeyRecord {
        self.keys
            .lock()
            .map(|keys| keys.get(idempotency_key).cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    fn settle(&self, amount: i64, key: &str, number: &str) -> Result<String, Decline> {
        let mut keys = self.keys.lock().map_err(|_| Decline {
            code: "processing_error".into(),
            message: "the test payment provider failed; try again".into(),
        })?;
        let record = keys.entry(key.to_owned()).or_default();
        record.requests += 1;
        if let Some(first) = &record.charge_id {
            return Ok(first.clone());
        }
        match number {
            TEST_CARD_APPROVED => {
                let id = format!(
                    "test_ch_{key}_{amount}_{}",
                    crate::secrets::random_token().get(..12).unwrap_or("")
                );
                record.charges += 1;
                record.charge_id = Some(id.clone());
                Ok(id)
            }
            TEST_CARD_DECLINED => Err(Decline {
                code: "card_declined".into(),
                message: "the card was declined by the issuer".into(),
            }),
            _ => Err(Decline {
                code: "card_not_accepted".into(),
                message: format!(
                    "the test payment provider accepts only its test cards ({TEST_CARD_APPROVED} is approved, {TEST_CARD_DECLINED} is declined)"
                ),
            }),
        }
    }
}

impl PaymentProvider for TestCardProvider {
    fn charge<'a>(&'a self, amount: i64, idempotency_key: &'a str, card: Card) -> ChargeFuture<'a> {
        Box::pin(async move { self.settle(amount, idempotency_key, &card.number) })
    }
}

fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Checks the card fields; `now` decides whether the expiry has passed (Japan time).
pub fn check_card(p: &CardPayment, now: DateTime<Utc>) -> Result<Card, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number: String = p
        .card_number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if number.is_empty() {
        errors.push(FieldError::new("card_number", "required", "is required"));
    } else if !number.bytes().all(|b| b.is_ascii_digit()) || !(12..=19).contains(&number.len()) {
        errors.push(FieldError::new(
            "card_number",
            "invalid_card_number",
            "must be 12 to 19 digits",
        ));
    } else if !luhn_ok(&number) {
        errors.push(FieldError::new(
            "card_number",
            "invalid_card_number",
            "is not a valid card number (check digit)",
        ));
    }
    if !(1..=12).contains(&p.exp_month) {
        errors.push(FieldError::new(
            "exp_month",
            "out_of_range",
            "must be 1 to 12",
        ));
    }
    let year = if p.exp_year < 100 {
        p.exp_year + 2000
    } else {
        p.exp_year
    };
    let today = now.with_timezone(&crate::jst::offset());
    if !(2000..=2100).contains(&year) {
        errors.push(FieldError::new(
            "exp_year",
            "out_of_range",
            "must be a year such as 2028",
        ));
    } else if (1..=12).contains(&p.exp_month)
        && (year, p.exp_month) < (today.year() as u32, today.month())
    {
        errors.push(FieldError::new(
            "exp_year",
            "expired",
            "the card has expired",
        ));
    }
    if !(3..=4).contains(&p.cvc.len()) || !p.cvc.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            "cvc",
            "invalid_cvc",
            "must be 3 or 4 digits",
        ));
    }
    if errors.is_empty() {
        Ok(Card {
            number,
            exp_month: p.exp_month,
            exp_year: year,
            cvc: p.cvc.clone(),
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T00:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn card(number: &str, month: u32, year: u32, cvc: &str) -> CardPayment {
        CardPayment {
            card_number: number.into(),
            exp_month: month,
            exp_year: year,
            cvc: cvc.into(),
        }
    }

    #[test]
    fn card_checks_name_each_field() {
        assert!(check_card(&card("4242 4242 4242 4242", 12, 2030, "123"), now()).is_ok());
        assert!(
            check_card(&card("4242424242424242", 11, 26, "123"), now()).is_ok(),
            "this month is still valid"
        );
        let codes = |c: CardPayment| -> Vec<(String, String)> {
            check_card(&c, now())
                .err()
                .unwrap()
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        assert_eq!(
            codes(card("4242424242424241", 12, 2030, "123")),
            [("card_number".into(), "invalid_card_number".into())]
        );
        assert_eq!(codes(card("", 13, 2030, "12")).len(), 3);
        assert_eq!(
            codes(card("4242424242424242", 10, 2026, "123")),
            [("exp_year".into(), "expired".into())]
        );
    }

    #[tokio::test]
    async fn the_test_provider_approves_and_declines_its_cards() {
        let provider = TestCardProvider::default();
        let card_of = |n: &str| check_card(&card(n, 12, 2030, "123"), now()).ok().unwrap();
        let declined = provider
            .charge(11_990, "BILL1", card_of(TEST_CARD_DECLINED))
            .await;
        assert_eq!(declined.unwrap_err().code, "card_declined");
        let other = provider
            .charge(1, "BILL1", card_of("5555555555554444"))
            .await;
        assert_eq!(other.unwrap_err().code, "card_not_accepted");
        let ok = provider
            .charge(11_990, "BILL1", card_of(TEST_CARD_APPROVED))
            .await;
        assert!(ok.as_ref().unwrap().starts_with("test_ch_BILL1_11990_"));
        assert_eq!(provider.record("BILL1").charges, 1);
        assert_eq!(provider.record("BILL2"), KeyRecord::default());
    }

    /// R-BILL-6: a key already charged returns the first charge and takes no money again.
    #[tokio::test]
    async fn a_key_is_charged_once() {
        let provider = TestCardProvider::default();
        let card_of = |n: &str| check_card(&card(n, 12, 2030, "123"), now()).ok().unwrap();
        let first = provider
            .charge(11_990, "BILL7", card_of(TEST_CARD_APPROVED))
            .await
            .unwrap();
        let again = provider
            .charge(11_990, "BILL7", card_of(TEST_CARD_APPROVED))
            .await
            .unwrap();
        let declined_card = provider
            .charge(11_990, "BILL7", card_of(TEST_CARD_DECLINED))
            .await
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(first, declined_card);
        let record = provider.record("BILL7");
        assert_eq!((record.requests, record.charges), (3, 1));
        assert_eq!(record.charge_id.as_deref(), Some(first.as_str()));
    }

    #[test]
    fn debug_output_hides_the_card() {
        let shown = format!("{:?}", card("4242424242424242", 12, 2030, "987"));
        assert!(
            !shown.contains("424242424242") && !shown.contains("987"),
            "{shown}"
        );
        assert!(shown.contains("…4242"));
    }
}
