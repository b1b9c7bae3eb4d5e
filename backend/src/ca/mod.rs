//! The certificate authority (R-CA-1..3): a root and an intermediate made on first start (or
//! loaded from PEM files), CSR checks, leaf signing, and CRLs. Keys are loaded once.

pub mod crl;
pub mod csr;
pub mod root;
pub mod validity;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, CustomExtension, DistinguishedName,
    DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    SanType, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};

use crate::config::Config;

/// The CA's files in the data directory.
pub struct CaPaths {
    pub root_cert: PathBuf,
    pub root_key: PathBuf,
    pub intermediate_cert: PathBuf,
    pub intermediate_key: PathBuf,
    /// The root's CRL (DER), which covers the intermediate; absent for CA files from
    /// configuration.
    pub root_crl: PathBuf,
}

impl CaPaths {
    pub fn in_dir(dir: &Path) -> Self {
        CaPaths {
            root_cert: dir.join("root.crt"),
            root_key: dir.join("root.key"),
            intermediate_cert: dir.join("intermediate.crt"),
            intermediate_key: dir.join("intermediate.key"),
            root_crl: dir.join("root.crl"),
        }
    }
}

/// Where the root's files are published, for the intermediate's CRL distribution point and
/// caIssuers (BR 7.1.2.6): `root.crl` and `root.der` beside the intermediate's CRL and
/// certificate URLs (so they share their `http://` scheme and host, as the BR require).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootUrls {
    pub crl: String,
    pub ca_issuers: String,
}

impl RootUrls {
    pub fn beside(crl_url: &str, ca_issuers_url: &str) -> anyhow::Result<RootUrls> {
        let sibling = |url: &str, name: &str| -> anyhow::Result<String> {
            Ok(url::Url::parse(url)
                .with_context(|| format!("{url} is not a URL"))?
                .join(name)?
                .to_string())
        };
        Ok(RootUrls {
            crl: sibling(crl_url, "root.crl")?,
            ca_issuers: sibling(ca_issuers_url, "root.der")?,
        })
    }

    pub fn from_config(config: &Config) -> anyhow::Result<RootUrls> {
        RootUrls::beside(&config.crl_url, &config.ca_issuers_url)
    }
}

/// The signing intermediate, loaded once.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub intermediate_pem: String,
    pub intermediate_der: Vec<u8>,
    pub root_pem: String,
    pub root_der: Vec<u8>,
    /// The root's CRL file when the CA was made here: read on every request, so a CRL that
    /// `certdirect ca root-crl` signed offline is served without a restart.
    pub root_crl: Option<PathBuf>,
    /// The intermediate's subject key identifier: the authority key identifier of its CRLs.
    intermediate_key_id: KeyIdMethod,
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

/// The subject of a CA certificate (BR 7.1.2.10.2): country, organization, common name.
fn ca_subject(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CountryName,
        DnValue::PrintableString(CA_COUNTRY.try_into().expect("a printable country code")),
    );
    dn.push(DnType::OrganizationName, CA_ORGANIZATION);
    dn.push(DnType::CommonName, common_name);
    dn
}

/// Country and organization in the CA certificates this software makes (the operator's own CA
/// files can say anything: CERTDIRECT_CA_*).
pub const CA_COUNTRY: &str = "JP";
pub const CA_ORGANIZATION: &str = "CertDirect";

/// A subject key identifier by RFC 7093 method 1: the leftmost 160 bits of the SHA-256 of the
/// subjectPublicKey BIT STRING's value (rcgen's own hashes the whole SubjectPublicKeyInfo, a
/// method linters cannot recognise).
fn key_identifier(key: &KeyPair) -> KeyIdMethod {
    let digest = ring::digest::digest(&ring::digest::SHA256, key.public_key_raw());
    KeyIdMethod::PreSpecified(digest.as_ref()[..20].to_vec())
}

/// The root (BR 7.1.2.1): critical basicConstraints without a path length, critical keyUsage
/// keyCertSign and cRLSign only (it signs no OCSP), SKI, AKI equal to it, no policies, no EKU.
fn root_params(now: time::OffsetDateTime, key: &KeyPair) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.key_identifier_method = key_identifier(key);
    params.distinguished_name = ca_subject("CertDirect Root CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(ROOT_DAYS);
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = true;
    params
}

/// The root is valid for 20 years (BR 7.1.2.1.1: 2922 to 9132 days).
pub const ROOT_DAYS: i64 = 20 * 365;
/// The intermediate is valid for 10 years, inside the root's.
pub const INTERMEDIATE_DAYS: i64 = 10 * 365;

/// The intermediate, a TLS subordinate CA (BR 7.1.2.6): as the root plus a path length of 0,
/// EKU serverAuth, the DV policy, the root's CRL and certificate URLs.
fn intermediate_params(
    now: time::OffsetDateTime,
    key: &KeyPair,
    urls: &RootUrls,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.key_identifier_method = key_identifier(key);
    params.distinguished_name = ca_subject("CertDirect DV Intermediate CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(INTERMEDIATE_DAYS);
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = true;
    params.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![urls.crl.clone()],
    }];
    params.custom_extensions = vec![
        policies_extension(DV_POLICY),
        aia_extension(&urls.ca_issuers),
    ];
    params
}

/// The CA/Browser Forum's reserved policy for domain-validated certificates (BR 7.1.6.1).
pub const DV_POLICY: &[u64] = &[2, 23, 140, 1, 2, 1];

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

/// Logs a warning when the root's CRL is missing, unreadable or within
/// [`root::ROOT_CRL_RENEW_DAYS`] of its nextUpdate: only the offline `certdirect ca root-crl`
/// signs a new one.
fn warn_if_root_crl_stale(path: &Path, now: time::OffsetDateTime) {
    let next = std::fs::read(path).ok().and_then(|der| {
        x509_parser::parse_x509_crl(&der)
            .ok()
            .and_then(|(_, crl)| crl.next_update().map(|t| t.timestamp()))
    });
    let renew = now + time::Duration::days(root::ROOT_CRL_RENEW_DAYS);
    match next {
        None => tracing::warn!(file = %path.display(),
            "the root's CRL is missing or unreadable; sign one with `certdirect ca root-crl --root-key …`"),
        Some(next) if next <= renew.unix_timestamp() => tracing::warn!(file = %path.display(),
            next_update = %chrono::DateTime::from_timestamp(next, 0).unwrap_or_default(),
            "the root's CRL expires within {} days; sign a new one with `certdirect ca root-crl --root-key …`",
            root::ROOT_CRL_RENEW_DAYS),
        Some(_) => {}
    }
}

/// The subject key identifier of a CA certificate, for the authority key identifier of what it
/// signs (computed from the key, as rcgen does, when the certificate has none).
fn key_id_of(cert_der: &[u8]) -> anyhow::Result<KeyIdMethod> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(cert_der).context("parsing a CA certificate")?;
    for ext in cert.extensions() {
        if let x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(id) =
            ext.parsed_extension()
        {
            return Ok(KeyIdMethod::PreSpecified(id.0.to_vec()));
        }
    }
    Ok(KeyIdMethod::Sha256)
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
                root_crl: PathBuf::new(),
            },
            (None, None, None) => {
                let dir = config.data_dir.join("ca");
                // An existing CA is only read (never its root key); a missing one is made, root
                // key included, for development (production: `ca init --root-key-out`).
                let done = root::init(&dir, &RootUrls::from_config(config)?, None)?;
                if done.made {
                    tracing::warn!(dir = %dir.display(), "made a new root and intermediate CA, the root key in the data directory; move it offline (`certdirect ca init --root-key-out`) and back up both keys");
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
        let intermediate_der = pem_to_der(&intermediate_pem, "the intermediate")?;
        let root_pem = read(&paths.root_cert)?;
        Ok(Ca {
            issuer,
            intermediate_key_id: key_id_of(&intermediate_der)?,
            intermediate_der,
            intermediate_pem,
            root_der: pem_to_der(&root_pem, "the root")?,
            root_pem,
            root_crl: (!paths.root_crl.as_os_str().is_empty()).then(|| {
                warn_if_root_crl_stale(&paths.root_crl, time::OffsetDateTime::now_utc());
                paths.root_crl.clone()
            }),
            crl_url: config.crl_url.clone(),
            ca_issuers_url: config.ca_issuers_url.clone(),
        })
    }

    /// Chooses what a leaf will carry before anything is signed: its serial and its validity (the
    /// profile's days, capped at `cap` and under the BR maximum of the day: `validity`). The
    /// serial is recorded before signing (R-CA-6).
    pub fn plan(
        &self,
        now: DateTime<Utc>,
        profile: &crate::profiles::Profile,
        cap: Option<DateTime<Utc>>,
    ) -> LeafPlan {
        let serial = random_serial();
        let (not_before, not_after) = validity::leaf_validity(now, profile.validity_days, cap);
        LeafPlan {
            serial_hex: hex::encode(serial.as_ref()),
            serial,
            not_before,
            not_after,
            profile: profile.name.clone(),
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
        params.custom_extensions = vec![
            policies_extension(DV_POLICY),
            aia_extension(&self.ca_issuers_url),
        ];
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
            key_identifier_method: self.intermediate_key_id.clone(),
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
    /// The profile it is issued under (R-ACME-9).
    pub profile: String,
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

/// The content octets of an OBJECT IDENTIFIER (X.690 §8.19).
fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut push = |mut v: u64| {
        let mut chunk = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            chunk.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        out.extend(chunk.into_iter().rev());
    };
    push(arcs[0] * 40 + arcs[1]);
    arcs[2..].iter().for_each(|a| push(*a));
    out
}

/// Authority Information Access with one caIssuers URI (RFC 5280 §4.2.2.1).
fn aia_extension(url: &str) -> CustomExtension {
    let access = der(
        0x30,
        &[
            der(0x06, &oid(&[1, 3, 6, 1, 5, 5, 7, 48, 2])),
            der(0x86, url.as_bytes()),
        ]
        .concat(),
    );
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], der(0x30, &access))
}

/// Certificate policies with one policy and no qualifiers (RFC 5280 §4.2.1.4, BR 7.1.2.7.9).
fn policies_extension(policy: &[u64]) -> CustomExtension {
    let info = der(0x30, &der(0x06, &oid(policy)));
    CustomExtension::from_oid_content(&[2, 5, 29, 32], der(0x30, &info))
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
    fn oids() {
        assert_eq!(
            oid(&[1, 3, 6, 1, 5, 5, 7, 48, 2]),
            [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02]
        );
        assert_eq!(oid(DV_POLICY), [0x67, 0x81, 0x0c, 0x01, 0x02, 0x01]);
        assert_eq!(oid(&[2, 5, 29, 32]), [0x55, 0x1d, 0x20]);
    }

    #[test]
    fn root_urls_sit_beside_the_intermediates() {
        let urls = RootUrls::beside(
            "http://ca.example/ca/intermediate.crl",
            "http://ca.example:8080/ca/intermediate.der",
        )
        .unwrap();
        assert_eq!(urls.crl, "http://ca.example/ca/root.crl");
        assert_eq!(urls.ca_issuers, "http://ca.example:8080/ca/root.der");
    }

    #[test]
    fn der_lengths() {
        assert_eq!(der_len(5), [5]);
        assert_eq!(der_len(200), [0x81, 200]);
        assert_eq!(der_len(300), [0x82, 1, 44]);
    }
}
