//! Customer IDs (お客様ID) are shown as `C` followed by eight digits, e.g. `C00000123`.

use std::fmt;
use std::str::FromStr;

/// The public form of a customer's numeric row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerId(pub i64);

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{:08}", self.0)
    }
}

/// Why a string is not a customer ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseCustomerIdError;

impl fmt::Display for ParseCustomerIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a customer ID is C followed by eight or more digits, e.g. C00000123")
    }
}

impl std::error::Error for ParseCustomerIdError {}

impl FromStr for CustomerId {
    type Err = ParseCustomerIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_prefix('C').ok_or(ParseCustomerIdError)?;
        if digits.len() < 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseCustomerIdError);
        }
        digits
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(CustomerId)
            .ok_or(ParseCustomerIdError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_eight_digits() {
        assert_eq!(CustomerId(123).to_string(), "C00000123");
        assert_eq!(CustomerId(123_456_789).to_string(), "C123456789");
    }

    #[test]
    fn parses_its_own_output_and_refuses_others() {
        for n in [1, 123, 99_999_999, 123_456_789] {
            let id = CustomerId(n);
            assert_eq!(id.to_string().parse::<CustomerId>(), Ok(id));
        }
        for bad in [
            "",
            "C",
            "C123",
            "00000123",
            "c00000123",
            "C0000012x",
            "C00000000",
            "C-0000001",
        ] {
            assert!(bad.parse::<CustomerId>().is_err(), "{bad} must not parse");
        }
    }
}
