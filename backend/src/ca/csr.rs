//! CSR checks for finalize (R-ACME-6): the signature verifies, the names are read from the
//! subjectAltName request (and the CN, which must be one of them), and the key is RSA ≥ 2048 or
//! ECDSA P-256/P-384.

use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

use crate::jose::{b64, Jwk};

/// What finalize needs from a CSR.
#[derive(Debug)]
pub struct CheckedCsr {
    /// The requested names, lower-cased, deduplicated and sorted.
    pub names: Vec<String>,
    pub spki_der: Vec<u8>,
    /// The key as a JWK, to compare with the account key.
    pub key: Jwk,
}

/// Why a CSR is refused (the ACME front end answers `badCSR` with it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CsrError(pub String);

fn bad_csr(detail: impl Into<String>) -> CsrError {
    CsrError(detail.into())
}

/// Parses and checks a DER CSR.
pub fn check(der: &[u8]) -> Result<CheckedCsr, CsrError> {
    let (rest, csr) = X509CertificationRequest::from_der(der)
        .map_err(|_| bad_csr("the CSR is not a DER PKCS#10 request"))?;
    if !rest.is_empty() {
        return Err(bad_csr("the CSR has trailing bytes"));
    }
    let info = &csr.certification_request_info;
    let spki = &info.subject_pki;
    let key = match spki
        .parsed()
        .map_err(|_| bad_csr("the CSR's public key cannot be read"))?
    {
        PublicKey::RSA(rsa) => {
            // Checked arithmetic: an all-zero modulus is 0 bits, not an underflow.
            let bits = crate::jose::rsa_bits(rsa.modulus);
            if bits < 2048 {
                return Err(bad_csr(format!(
                    "the CSR's RSA key has {bits} bits; at least 2048 are required"
                )));
            }
            Jwk::rsa(rsa.modulus, rsa.exponent)
        }
        PublicKey::EC(point) => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            let (crv, len) = match curve_oid.as_deref() {
                Some("1.2.840.10045.3.1.7") => ("P-256", 32),
                Some("1.3.132.0.34") => ("P-384", 48),
                other => {
                    return Err(bad_csr(format!(
                        "the CSR's EC curve {} is not accepted; use P-256 or P-384",
                        other.unwrap_or("(unnamed)")
                    )))
                }
            };
            let data = point.data();
            if data.len() != 1 + 2 * len || data[0] != 4 {
                return Err(bad_csr("the CSR's EC key must be an uncompressed point"));
            }
            Jwk::Ec {
                crv: crv.into(),
                x: b64(&data[1..1 + len]),
                y: b64(&data[1 + len..]),
            }
        }
        _ => {
            return Err(bad_csr(
                "the CSR's key must be RSA (2048 bits or more) or ECDSA P-256/P-384",
            ))
        }
    };
    // Checked after the key, so a weak key is named as such rather than as a bad signature.
    csr.verify_signature()
        .map_err(|_| bad_csr("the CSR's signature does not verify with its own key"))?;
    let mut names: Vec<String> = Vec::new();
    if let Some(exts) = csr.requested_extensions() {
        for ext in exts {
            if let ParsedExtension::SubjectAlternativeName(san) = ext {
                for gn in &san.general_names {
                    match gn {
                        GeneralName::DNSName(n) => names.push(n.to_ascii_lowercase()),
                        other => {
                            return Err(bad_csr(format!(
                                "the CSR asks for a name that is not a DNS name: {other}"
                            )))
                        }
                    }
                }
            }
        }
    }
    for cn in info.subject.iter_common_name() {
        let cn = cn
            .as_str()
            .map_err(|_| bad_csr("the CSR's common name is not a string"))?
            .to_ascii_lowercase();
        if !names.contains(&cn) {
            names.push(cn);
        }
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Err(bad_csr("the CSR names no DNS name"));
    }
    Ok(CheckedCsr {
        names,
        spki_der: spki.raw.to_vec(),
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr_for(names: &[&str], key: &rcgen::KeyPair) -> Vec<u8> {
        let mut params =
            rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.serialize_request(key).unwrap().der().to_vec()
    }

    #[test]
    fn reads_names_and_key_from_a_good_csr() {
        let key = rcgen::KeyPair::generate().unwrap();
        let csr = check(&csr_for(&["WWW.Example.jp", "example.jp"], &key)).unwrap();
        assert_eq!(csr.names, ["example.jp", "www.example.jp"]);
        assert!(matches!(csr.key, Jwk::Ec { ref crv, .. } if crv == "P-256"));
        assert_eq!(
            csr.spki_der,
            rcgen::PublicKeyData::subject_public_key_info(&key)
        );
    }

    #[test]
    fn refuses_tampered_and_weak_csrs() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut der = csr_for(&["example.jp"], &key);
        let last = der.len() - 1;
        der[last] ^= 0x01;
        assert!(check(&der).unwrap_err().0.contains("signature"));
        assert!(check(b"not a csr").unwrap_err().0.contains("PKCS#10"));
        let ed = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        assert!(check(&csr_for(&["example.jp"], &ed))
            .unwrap_err()
            .0
            .contains("RSA"));
        // A common name that is not among the SANs becomes a name of its own (and so fails the
        // order's name check).
        let mut params = rcgen::CertificateParams::new(vec!["example.jp".to_string()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "other.jp");
        let csr = check(params.serialize_request(&key).unwrap().der()).unwrap();
        assert_eq!(csr.names, ["example.jp", "other.jp"]);
    }
}
