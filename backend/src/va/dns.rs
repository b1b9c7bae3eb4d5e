//! DNS for the validators: hickory-resolver with the configured nameservers and no answer kept
//! between attempts (R-VAL-2), so a customer who fixes a record can retry at once.
//!
//! Every lookup of a validation (dns-01's TXT, CAA, and http-01's A/AAAA: BR 3.2.2.4 asks it of
//! every DNS query of a domain validation) goes through [`lookup`], a fresh resolver each time,
//! which validates DNSSEC (R-VAL-8) against the configured trust anchors
//! ([`super::trust_anchors`]): a bogus answer is a [`LookupError::Bogus`], an answer from a
//! provably unsigned zone is used as it is. A name with no anchor at or above it cannot be
//! validated and is looked up as an unsigned one; with the default root anchors every name has one.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hickory_resolver::config::{
    NameServerConfig, NameServerConfigGroup, ResolverConfig, ResolverOpts,
};
use hickory_resolver::name_server::{NameServerPool, TokioConnectionProvider};
use hickory_resolver::proto::dnssec::{Proof, TrustAnchors as TrustedKeys};
use hickory_resolver::proto::op::{Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, Record, RecordType};
use hickory_resolver::proto::xfer::{DnsHandle, DnsRequestOptions, FirstAnswer, Protocol};
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::{ResolveError, Resolver, TokioResolver};

use super::trust_anchors::{trusted_keys, TrustAnchors};

/// Whether, and against which anchors, lookups are DNSSEC-validated.
#[derive(Debug, Clone)]
pub enum Dnssec {
    /// `CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS=off`: for tests and development against DNS servers
    /// that cannot sign.
    Off,
    Validate(Arc<TrustAnchors>),
}

impl Dnssec {
    /// From the setting: unset = the IANA root anchors, `off`, or the path of an anchor file.
    pub fn from_setting(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("") => Ok(Dnssec::Validate(Arc::new(TrustAnchors::iana_root()))),
            Some(off) if off.eq_ignore_ascii_case("off") => Ok(Dnssec::Off),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("the trust anchor file {path} cannot be read: {e}"))?;
                let anchors = TrustAnchors::parse(&text)
                    .map_err(|e| format!("the trust anchor file {path}: {e}"))?;
                Ok(Dnssec::Validate(Arc::new(anchors)))
            }
        }
    }

    pub fn is_off(&self) -> bool {
        matches!(self, Dnssec::Off)
    }
}

/// How an answer was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Signed, with a chain of trust to an anchor.
    Secure,
    /// From a zone proven to be unsigned.
    Insecure,
    /// Validation is off.
    Off,
    /// No trust anchor is at or above the name.
    NoAnchor,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Secure => "secure",
            Security::Insecure => "insecure",
            Security::Off => "off",
            Security::NoAnchor => "no trust anchor",
        }
    }
}

/// The records of one lookup (of the asked type; empty when there are none) and how they were
/// authenticated.
#[derive(Debug, Clone)]
pub struct Answer {
    pub records: Vec<Record>,
    pub security: Security,
}

/// A lookup that gave no usable answer. Neither is an empty answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// DNSSEC validation failed (the answer is bogus).
    Bogus(String),
    /// SERVFAIL, REFUSED, a timeout, or anything else but NOERROR and NXDOMAIN.
    Failed(String),
}

impl LookupError {
    pub fn detail(&self) -> &str {
        match self {
            LookupError::Bogus(d) | LookupError::Failed(d) => d,
        }
    }
}

fn options() -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    opts.cache_size = 0;
    opts.timeout = Duration::from_secs(5);
    opts.attempts = 2;
    opts.edns0 = true;
    opts
}

fn resolver_config(servers: &[SocketAddr]) -> Result<ResolverConfig, String> {
    if servers.is_empty() {
        let (config, _) = hickory_resolver::system_conf::read_system_conf()
            .map_err(|e| format!("the system resolver configuration cannot be read: {e}"))?;
        return Ok(config);
    }
    let mut config = ResolverConfig::new();
    for addr in servers {
        config.add_name_server(NameServerConfig::new(*addr, Protocol::Udp));
        config.add_name_server(NameServerConfig::new(*addr, Protocol::Tcp));
    }
    Ok(config)
}

fn build(config: ResolverConfig, keys: Option<TrustedKeys>) -> TokioResolver {
    let mut opts = options();
    let builder = Resolver::builder_with_config(config, TokioConnectionProvider::default());
    match keys {
        Some(keys) => {
            opts.validate = true;
            builder
                .with_options(opts)
                .with_trust_anchor(Arc::new(keys))
                .build()
        }
        None => builder.with_options(opts).build(),
    }
}

/// The response code of an answer without records. hickory-resolver reports SERVFAIL, REFUSED
/// and the like as "no records found" too: only NOERROR and NXDOMAIN say that there are none.
fn no_records_code(e: &ResolveError) -> Option<ResponseCode> {
    match e.proto().map(|p| p.kind()) {
        Some(ProtoErrorKind::NoRecordsFound { response_code, .. }) => Some(*response_code),
        _ => None,
    }
}

/// Whether `e` is an empty answer (NOERROR without records, or NXDOMAIN) rather than a failure.
fn is_empty_answer(e: &ResolveError) -> bool {
    matches!(
        no_records_code(e),
        Some(ResponseCode::NoError | ResponseCode::NXDomain)
    )
}

fn describe(e: &ResolveError) -> String {
    match no_records_code(e) {
        Some(ResponseCode::NoError) => "no records".to_owned(),
        Some(ResponseCode::NXDomain) => "the name does not exist (NXDOMAIN)".to_owned(),
        Some(ResponseCode::ServFail) => "the server answered SERVFAIL".to_owned(),
        Some(ResponseCode::Refused) => "the server answered REFUSED".to_owned(),
        Some(code) => format!("the server answered {code}"),
        None => e.to_string(),
    }
}

fn unix_now() -> u32 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(0)
}

/// The DNSKEY set of `zone` with its signatures, asked with the DO bit and not validated.
async fn fetch_dnskeys(config: &ResolverConfig, zone: &Name) -> Result<Vec<Record>, String> {
    let servers = NameServerConfigGroup::from(config.name_servers().to_vec());
    let pool = NameServerPool::from_config(servers, options(), TokioConnectionProvider::default());
    let mut request = DnsRequestOptions::default();
    request.use_edns = true;
    request.edns_set_dnssec_ok = true;
    request.recursion_desired = true;
    let response = pool
        .lookup(Query::query(zone.clone(), RecordType::DNSKEY), request)
        .first_answer()
        .await
        .map_err(|e| e.to_string())?;
    Ok(response.answers().to_vec())
}

/// The keys hickory-resolver is to trust for a lookup of `name`: the root's DNSKEY anchors as
/// they are, and for every other zone with an anchor at or above `name` that zone's whole
/// verified DNSKEY set. `None` when no anchor is at or above `name`.
async fn keys_for(
    config: &ResolverConfig,
    anchors: &TrustAnchors,
    name: &Name,
    shown: &str,
) -> Result<Option<TrustedKeys>, LookupError> {
    let zones = anchors.zones_above(name);
    if zones.is_empty() {
        return Ok(None);
    }
    let mut keys = TrustedKeys::empty();
    let root_keys = anchors.root_keys();
    for key in &root_keys {
        keys.insert(key.public_key());
    }
    for zone in zones {
        if zone.is_root() && !root_keys.is_empty() {
            continue;
        }
        let answers = fetch_dnskeys(config, &zone).await.map_err(|e| {
            LookupError::Failed(format!(
                "looking up DNSKEY {zone} (a trust anchor's zone) for {shown} failed: {e}"
            ))
        })?;
        let trusted = trusted_keys(anchors, &zone, &answers, unix_now()).map_err(|e| {
            LookupError::Bogus(format!("DNSSEC validation failed for {shown}: {e}"))
        })?;
        for key in &trusted {
            keys.insert(key.public_key());
        }
    }
    Ok(Some(keys))
}

/// Looks up `rtype` records at `name` (absolute, ending in a dot), DNSSEC-validated unless
/// `dnssec` is off. An empty answer (NODATA or NXDOMAIN, proven when validating) is `Ok` with no
/// records.
pub async fn lookup(
    servers: &[SocketAddr],
    dnssec: &Dnssec,
    name: &str,
    rtype: RecordType,
) -> Result<Answer, LookupError> {
    let shown = format!("{rtype} {name}");
    let fqdn = Name::from_ascii(name)
        .map_err(|e| LookupError::Failed(format!("{name} is not a DNS name: {e}")))?;
    let config = resolver_config(servers).map_err(LookupError::Failed)?;
    let keys = match dnssec {
        Dnssec::Off => None,
        Dnssec::Validate(anchors) => keys_for(&config, anchors, &fqdn, &shown).await?,
    };
    let unvalidated = match (dnssec, &keys) {
        (Dnssec::Off, _) => Some(Security::Off),
        (_, None) => Some(Security::NoAnchor),
        (_, Some(_)) => None,
    };
    let resolver = build(config, keys);
    match resolver.lookup(fqdn, rtype).await {
        Ok(found) => {
            let security = match unvalidated {
                Some(security) => security,
                None => {
                    if let Some(bad) = found
                        .records()
                        .iter()
                        .find(|r| !matches!(r.proof(), Proof::Secure | Proof::Insecure))
                    {
                        return Err(LookupError::Bogus(format!(
                            "DNSSEC validation failed for {shown}: the {} record at {} does not validate up to a trust anchor ({})",
                            bad.record_type(),
                            bad.name(),
                            bad.proof().to_string().to_lowercase()
                        )));
                    }
                    if found.records().iter().all(|r| r.proof() == Proof::Secure) {
                        Security::Secure
                    } else {
                        Security::Insecure
                    }
                }
            };
            Ok(Answer {
                records: found
                    .records()
                    .iter()
                    .filter(|r| r.record_type() == rtype)
                    .cloned()
                    .collect(),
                security,
            })
        }
        Err(e) if is_empty_answer(&e) => {
            let security = match unvalidated {
                Some(security) => security,
                // The validator let the denial through: it was proven, or the zone is unsigned.
                None => match e.proto().map(|p| p.kind()) {
                    Some(ProtoErrorKind::NoRecordsFound { soa: Some(soa), .. })
                        if soa.proof() == Proof::Secure =>
                    {
                        Security::Secure
                    }
                    _ => Security::Insecure,
                },
            };
            Ok(Answer {
                records: Vec::new(),
                security,
            })
        }
        Err(e) => {
            if let Some(ProtoErrorKind::Nsec { proof, .. }) = e.proto().map(|p| p.kind()) {
                return Err(LookupError::Bogus(format!(
                    "DNSSEC validation failed for {shown}: the answer that there is no such record is {}",
                    proof.to_string().to_lowercase()
                )));
            }
            Err(LookupError::Failed(format!(
                "looking up {shown} failed: {}",
                describe(&e)
            )))
        }
    }
}

/// The TXT values at `name` (each record's strings joined), and how they were authenticated.
pub async fn txt(
    servers: &[SocketAddr],
    dnssec: &Dnssec,
    name: &str,
) -> Result<(Vec<String>, Security), LookupError> {
    let answer = lookup(servers, dnssec, name, RecordType::TXT).await?;
    let values = answer
        .records
        .iter()
        .filter_map(|r| r.data().as_txt())
        .map(|txt| {
            txt.txt_data()
                .iter()
                .map(|d| String::from_utf8_lossy(d).into_owned())
                .collect::<String>()
        })
        .collect();
    Ok((values, answer.security))
}

/// The IPv6 and IPv4 addresses of `host`, IPv6 first (R-VAL-1), DNSSEC-validated like every
/// other lookup of a domain validation (BR 3.2.2.4): a bogus answer in either family fails.
pub async fn addresses(
    servers: &[SocketAddr],
    dnssec: &Dnssec,
    host: &str,
) -> Result<Vec<IpAddr>, String> {
    let name = format!("{}.", host.trim_end_matches('.'));
    let (v6, v4) = tokio::join!(
        lookup(servers, dnssec, &name, RecordType::AAAA),
        lookup(servers, dnssec, &name, RecordType::A)
    );
    for answer in [&v6, &v4] {
        if let Err(LookupError::Bogus(detail)) = answer {
            return Err(detail.clone());
        }
    }
    let mut out: Vec<IpAddr> = Vec::new();
    if let Ok(v6) = &v6 {
        out.extend(
            v6.records
                .iter()
                .filter_map(|r| r.data().as_aaaa())
                .map(|a| IpAddr::V6(a.0)),
        );
    }
    if let Ok(v4) = &v4 {
        out.extend(
            v4.records
                .iter()
                .filter_map(|r| r.data().as_a())
                .map(|a| IpAddr::V4(a.0)),
        );
    }
    if out.is_empty() {
        let why = match v4 {
            Err(e) => e.detail().to_owned(),
            Ok(_) => "no records".into(),
        };
        return Err(format!("{host} has no A or AAAA record ({why})"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_defaults_to_the_root_anchors_and_reads_files() {
        let Dnssec::Validate(root) = Dnssec::from_setting(None).unwrap() else {
            panic!("validation is on by default");
        };
        assert_eq!(root.root_keys().len(), 2);
        assert!(Dnssec::from_setting(Some("OFF")).unwrap().is_off());
        let err = Dnssec::from_setting(Some("/nonexistent/anchors")).unwrap_err();
        assert!(err.contains("/nonexistent/anchors cannot be read"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("anchors");
        std::fs::write(&file, "x. IN A 127.0.0.1\n").unwrap();
        let err = Dnssec::from_setting(Some(file.to_str().unwrap())).unwrap_err();
        assert!(
            err.contains("line 1: A is not a DS or DNSKEY record"),
            "{err}"
        );
    }
}
