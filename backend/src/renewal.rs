//! ACME Renewal Information (RFC 9773, R-ACME-8): certificate identifiers and suggested renewal
//! windows. Pure functions; the ACME front end serves them and `orders::create` checks
//! `replaces` with them.

use chrono::{DateTime, Duration, Utc};

use crate::jose::{b64, unb64};

/// How long a client should wait before asking about a certificate again (RFC 9773 §4.2).
pub const RETRY_AFTER_SECS: u64 = 6 * 3600;

/// A certificate identifier (RFC 9773 §4.1): the issuer's key identifier and the serial's DER
/// content octets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertId {
    pub key_id: Vec<u8>,
    pub serial: Vec<u8>,
}

impl CertId {
    /// `base64url(keyIdentifier) "." base64url(serial)`.
    pub fn encode(&self) -> String {
        format!("{}.{}", b64(&self.key_id), b64(&self.serial))
    }

    /// Parses a certificate identifier; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<CertId, String> {
        let (key_id, serial) = text.split_once('.').ok_or_else(|| {
            format!("{text:?} is not a certificate identifier (base64url key identifier \".\" base64url serial)")
        })?;
        if text.contains('=') {
            return Err("a certificate identifier is base64url without padding".into());
        }
        let key_id = unb64("keyIdentifier", key_id).map_err(|e| e.to_string())?;
        let serial = unb64("serial", serial).map_err(|e| e.to_string())?;
        if key_id.is_empty() || serial.is_empty() {
            return Err("both parts of the certificate identifier must be non-empty".into());
        }
        if serial.len() > 1 && serial[0] == 0 && serial[1] < 0x80 {
            return Err("the serial is not in DER form (a needless leading zero)".into());
        }
        if serial[0] >= 0x80 {
            return Err("the serial is negative (DER integers need a leading zero here)".into());
        }
        Ok(CertId { key_id, serial })
    }

    /// The serial as stored (lower-case hex without a DER leading zero).
    pub fn serial_hex(&self) -> String {
        let bytes = match self.serial.as_slice() {
            [0, rest @ ..] if !rest.is_empty() => rest,
            all => all,
        };
        hex::encode(bytes)
    }

    /// The identifier of our certificate with stored serial `serial_hex`, issued under the key
    /// identifier `key_id`.
    pub fn of(key_id: &[u8], serial_hex: &str) -> Option<CertId> {
        let mut serial = hex::decode(serial_hex).ok()?;
        if serial.first().is_some_and(|b| *b >= 0x80) {
            serial.insert(0, 0);
        }
        Some(CertId {
            key_id: key_id.to_vec(),
            serial,
        })
    }
}

/// The authority key identifier of a PEM certificate (the first half of its [`CertId`]).
pub fn authority_key_id(leaf_pem: &str) -> Option<Vec<u8>> {
    use rustls_pki_types::pem::PemObject;
    use x509_parser::extensions::ParsedExtension;
    let der = rustls_pki_types::CertificateDer::from_pem_slice(leaf_pem.as_bytes()).ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                aki.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
}

/// The [`CertId`] of a certificate this CA issued.
pub fn cert_id_of(leaf_pem: &str, serial_hex: &str) -> Option<CertId> {
    CertId::of(&authority_key_id(leaf_pem)?, serial_hex)
}

/// A suggested renewal window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The default window: the middle third of the certificate's lifetime (R-ACME-8).
pub fn default_window(not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> Window {
    let third = (not_after - not_before) / 3;
    Window {
        start: not_before + third,
        end: not_after - third,
    }
}

/// The window a client is told now: an operator's early-renewal window wins, a revoked
/// certificate is due at once (a window already past), otherwise the default.
pub fn suggested_window(
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    moved: Option<Window>,
    revoked: bool,
    now: DateTime<Utc>,
) -> Window {
    if revoked {
        return Window {
            start: now - Duration::days(1),
            end: now - Duration::hours(1),
        };
    }
    moved.unwrap_or_else(|| default_window(not_before, not_after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, 0, 0, 0).unwrap()
    }

    #[test]
    fn identifiers_follow_rfc_9773_section_4_1() {
        // RFC 9773 §4.1's example: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4,
        // serial 00:87:65:43:21.
        let id = CertId {
            key_id: hex::decode("69885b6b87464041e1b37b847ba0ae2cde01c8d4").unwrap(),
            serial: hex::decode("0087654321").unwrap(),
        };
        assert_eq!(id.encode(), "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
        assert_eq!(
            CertId::parse("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"),
            Ok(id.clone())
        );
        assert_eq!(id.serial_hex(), "87654321");
        assert_eq!(CertId::of(&id.key_id, "87654321"), Some(id));
    }

    #[test]
    fn bad_identifiers_say_why() {
        for (bad, says) in [
            ("nodot", "not a certificate identifier"),
            ("aYhb.AIdlQyE=", "without padding"),
            (".AIdlQyE", "non-empty"),
            ("aYhb.AABl", "needless leading zero"),
            ("aYhb.h2VDIQ", "negative"),
            ("aY!b.AIdlQyE", "keyIdentifier"),
        ] {
            let e = CertId::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn the_default_window_is_the_middle_third() {
        let w = default_window(t(1), t(31));
        assert_eq!((w.start, w.end), (t(11), t(21)));
    }

    #[test]
    fn a_moved_window_wins_and_a_revoked_certificate_is_due_now() {
        let moved = Window {
            start: t(2),
            end: t(3),
        };
        assert_eq!(
            suggested_window(t(1), t(31), Some(moved), false, t(2)),
            moved
        );
        let w = suggested_window(t(1), t(31), Some(moved), true, t(5));
        assert!(w.end < t(5) && w.start < w.end);
        assert_eq!(
            suggested_window(t(1), t(31), None, false, t(2)),
            default_window(t(1), t(31))
        );
    }
}
