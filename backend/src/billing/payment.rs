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
    /// Charges `amount` yen for `reference` (the invoice number); returns the provider's charge id.
    fn charge<'a>(&'a self, amount: i64, reference: &'a str, card: Card) -> ChargeFuture<'a>;
}

/// The documented test card that is approved.
pub const TEST_CARD_APPROVED: &str = "4242424242424242";
/// The documented test card that is declined.
pub const TEST_CARD_DECLINED: &str = "4000000000000002";

/// The built-in provider for development and tests.
pub struct TestCardProvider;

impl PaymentProvider for TestCardProvider {
    fn charge<'a>(&'a self, amount: i64, reference: &'a str, card: Card) -> ChargeFuture<'a> {
        Box::pin(async move {
            match card.number.as_str() {
                TEST_CARD_APPROVED => Ok(format!("test_ch_{}_{amount}_{}", reference, crate::secrets::random_token().get(..12).unwrap_or(""))),
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
        })
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
        let ok = TestCardProvider
            .charge(
                11_990,
                "BILL1",
                check_card(&card(TEST_CARD_APPROVED, 12, 2030, "123"), now())
                    .ok()
                    .unwrap(),
            )
            .await;
        assert!(ok.unwrap().starts_with("test_ch_BILL1_11990_"));
        let declined = TestCardProvider
            .charge(
                11_990,
                "BILL1",
                check_card(&card(TEST_CARD_DECLINED, 12, 2030, "123"), now())
                    .ok()
                    .unwrap(),
            )
            .await;
        assert_eq!(declined.unwrap_err().code, "card_declined");
        let other = TestCardProvider
            .charge(
                1,
                "BILL1",
                check_card(&card("5555555555554444", 12, 2030, "123"), now())
                    .ok()
                    .unwrap(),
            )
            .await;
        assert_eq!(other.unwrap_err().code, "card_not_accepted");
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
