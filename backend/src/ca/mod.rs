//! The certificate authority (R-CA-1..3): a root and an intermediate made on first start (or
//! loaded from PEM files), CSR checks, leaf signing, and CRLs. Keys are loaded once.

pub mod crl;
pub mod csr;
pub mod validity;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, CustomExtension, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};

use crate::config::Config;

/// The CA's files in the data directory.
pub struct CaPaths {
    pub root_cert: PathBuf,
    pub root_key: PathBuf,
    pub intermediate_cert: PathBuf,
    pub intermediate_key: PathBuf,
}

impl CaPaths {
    pub fn in_dir(dir: &Path) -> Self {
        CaPaths {
            root_cert: dir.join("root.crt"),
            root_key: dir.join("root.key"),
            intermediate_cert: dir.join("intermediate.crt"),
            intermediate_key: dir.join("intermediate.key"),
        }
    }
}

/// The signing intermediate, loaded once.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub intermediate_pem: String,
    pub intermediate_der: Vec<u8>,
    pub root_pem: String,
    pub validity_days: i64,
    pub crl_url: String,
    pub ca_issuers_url: String,
}

fn pem_to_der(pem: &str, what: &str) -> anyhow::Result<Vec<u8>> {
    use rustls_pki_types::pem::PemObject;
    Ok(
        rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
            .with_context(|| format!("{what} is not a PEM certificate"))?
            .to_vec(),
    )
}

fn ca_params(common_name: &str, path_len: Option<u8>, days: i64) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "CertDirect");
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(days);
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = true;
    params
}

/// A random positive 128-bit serial number (R-CA-1).
pub fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random generator");
    bytes[0] &= 0x7f; // positive
    bytes[0] |= 0x40; // and always 16 octets long
    SerialNumber::from_slice(&bytes)
}

/// Makes a root and an intermediate in `dir` unless they exist; returns whether it made them.
pub fn init(dir: &Path) -> anyhow::Result<bool> {
    let paths = CaPaths::in_dir(dir);
    if paths.intermediate_cert.exists() && paths.intermediate_key.exists() {
        return Ok(false);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let root_key = KeyPair::generate().context("generating the root key")?;
    let root_params = ca_params("CertDirect Root CA", None, 20 * 365);
    let root = root_params
        .self_signed(&root_key)
        .context("signing the root")?;
    let root_issuer = Issuer::new(root_params, root_key);
    let int_key = KeyPair::generate().context("generating the intermediate key")?;
    let int_params = ca_params("CertDirect DV Intermediate CA", Some(0), 10 * 365);
    let intermediate = int_params
        .signed_by(&int_key, &root_issuer)
        .context("signing the intermediate")?;
    std::fs::write(&paths.root_cert, root.pem())?;
    crate::tls::write_private(
        &paths.root_key,
        root_issuer.key().serialize_pem().as_bytes(),
    )?;
    std::fs::write(&paths.intermediate_cert, intermediate.pem())?;
    crate::tls::write_private(&paths.intermediate_key, int_key.serialize_pem().as_bytes())?;
    Ok(true)
}

impl Ca {
    /// The configured CA files, or the ones in `<data dir>/ca` (made on first start).
    pub fn load(config: &Config) -> anyhow::Result<Ca> {
        let paths = match (&config.ca_intermediate_cert, &config.ca_intermediate_key, &config.ca_root_cert) {
            (Some(cert), Some(key), Some(root)) => CaPaths {
                root_cert: root.clone(),
                root_key: PathBuf::new(),
                intermediate_cert: cert.clone(),
                intermediate_key: key.clone(),
            },
            (None, None, None) => {
                let dir = config.data_dir.join("ca");
                if init(&dir)? {
                    tracing::warn!(dir = %dir.display(), "made a new root and intermediate CA; back up their keys");
                }
                CaPaths::in_dir(&dir)
            }
            _ => bail!(
                "CERTDIRECT_CA_ROOT_CERT, CERTDIRECT_CA_INTERMEDIATE_CERT and CERTDIRECT_CA_INTERMEDIATE_KEY go together"
            ),
        };
        let read = |p: &Path| {
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
        };
        let intermediate_pem = read(&paths.intermediate_cert)?;
        let key = KeyPair::from_pem(&read(&paths.intermediate_key)?)
            .context("the intermediate key is not a PEM key")?;
        let issuer = Issuer::from_ca_cert_pem(&intermediate_pem, key)
            .context("the intermediate certificate cannot be used")?;
        Ok(Ca {
            issuer,
            intermediate_der: pem_to_der(&intermediate_pem, "the intermediate")?,
            intermediate_pem,
            root_pem: read(&paths.root_cert)?,
            validity_days: config.cert_validity_days,
            crl_url: config.crl_url.clone(),
            ca_issuers_url: config.ca_issuers_url.clone(),
        })
    }

    /// Chooses what a leaf will carry before anything is signed: its serial and validity (the
    /// configured days, capped at `cap` and under the BR maximum of the day: `validity`). The
    /// serial is recorded before signing (R-CA-6).
    pub fn plan(&self, now: DateTime<Utc>, cap: Option<DateTime<Utc>>) -> LeafPlan {
        let serial = random_serial();
        let (not_before, not_after) = validity::leaf_validity(now, self.validity_days, cap);
        LeafPlan {
            serial_hex: hex::encode(serial.as_ref()),
            serial,
            not_before,
            not_after,
        }
    }

    /// Signs the leaf `plan` describes for the key `spki_der` and `names`; returns its PEM.
    pub fn sign(
        &self,
        plan: &LeafPlan,
        spki_der: &[u8],
        names: &[String],
    ) -> anyhow::Result<String> {
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.subject_alt_names = names
            .iter()
            .map(|n| {
                Ok(SanType::DnsName(
                    n.clone().try_into().context("a SAN is not an IA5 string")?,
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(plan.serial.clone());
        params.not_before = to_offset(plan.not_before);
        params.not_after = to_offset(plan.not_after);
        params.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![self.crl_url.clone()],
        }];
        params.custom_extensions = vec![aia_extension(&self.ca_issuers_url)];
        let public =
            rcgen::SubjectPublicKeyInfo::from_der(spki_der).context("the CSR's public key")?;
        let cert = params
            .signed_by(&public, &self.issuer)
            .context("signing the certificate")?;
        Ok(cert.pem())
    }

    /// The PEM chain a client downloads: the leaf, then the intermediate.
    pub fn chain(&self, leaf_pem: &str) -> String {
        format!(
            "{}\n{}",
            leaf_pem.trim_end(),
            self.intermediate_pem.trim_end()
        ) + "\n"
    }

    /// Signs a CRL listing `revoked` (serial hex, time, reason code).
    pub fn crl(
        &self,
        number: i64,
        revoked: &[(String, DateTime<Utc>, u8)],
        now: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> anyhow::Result<Vec<u8>> {
        let revoked_certs = revoked
            .iter()
            .map(|(serial, at, reason)| {
                Ok(rcgen::RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&hex::decode(serial)?),
                    revocation_time: to_offset(*at),
                    reason_code: revocation_reason(*reason),
                    invalidity_date: None,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let params = rcgen::CertificateRevocationListParams {
            this_update: to_offset(now),
            next_update: to_offset(next),
            crl_number: SerialNumber::from(number as u64),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        Ok(params
            .signed_by(&self.issuer)
            .context("signing the CRL")?
            .der()
            .to_vec())
    }
}

/// A leaf certificate decided but not yet signed.
#[derive(Debug, Clone)]
pub struct LeafPlan {
    serial: SerialNumber,
    /// The serial in lower-case hex, as stored.
    pub serial_hex: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

fn revocation_reason(code: u8) -> Option<rcgen::RevocationReason> {
    use rcgen::RevocationReason::*;
    Some(match code {
        1 => KeyCompromise,
        3 => AffiliationChanged,
        4 => Superseded,
        5 => CessationOfOperation,
        _ => return None,
    })
}

fn to_offset(t: DateTime<Utc>) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn der_len(len: usize) -> Vec<u8> {
    if len < 0x80 {
        vec![len as u8]
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        [vec![0x80 | bytes.len() as u8], bytes].concat()
    }
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    [vec![tag], der_len(content.len()), content.to_vec()].concat()
}

/// Authority Information Access with one caIssuers URI (RFC 5280 §4.2.2.1).
fn aia_extension(url: &str) -> CustomExtension {
    const CA_ISSUERS: [u8; 8] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    let access = der(
        0x30,
        &[der(0x06, &CA_ISSUERS), der(0x86, url.as_bytes())].concat(),
    );
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], der(0x30, &access))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_random_positive_and_128_bits() {
        let a = random_serial();
        let b = random_serial();
        assert_ne!(a, b);
        assert_eq!(a.as_ref().len(), 16);
        assert!(a.as_ref()[0] < 0x80);
    }

    #[test]
    fn der_lengths() {
        assert_eq!(der_len(5), [5]);
        assert_eq!(der_len(200), [0x81, 200]);
        assert_eq!(der_len(300), [0x82, 1, 44]);
    }
}
