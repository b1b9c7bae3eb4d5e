//! DNSSEC trust anchors (R-VAL-8): DS or DNSKEY records in zone-file syntax, one a line, for the
//! root or any zone; by default the IANA root anchors (KSK-2017 and KSK-2024).
//!
//! hickory-resolver trusts DNSKEYs only, and for every zone except the root whose DNSKEY set is
//! not wholly trusted it asks the parent for the DS set. So an anchor below the root (or a DS
//! anchor of the root) is turned into its zone's whole DNSKEY set before a validated lookup
//! ([`trusted_keys`]): the set is fetched with its signatures, a key in it must equal a DNSKEY
//! anchor or match a DS anchor's digest and must have signed the set within the signature's
//! validity period; then every key of the set is trusted.

use hickory_proto::dnssec::rdata::{DNSKEY, DS, RRSIG};
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKey, PublicKeyBuf, Verifier};
use hickory_proto::rr::{DNSClass, Name, Record, RecordData, RecordType};

/// The IANA root anchors, as DS and DNSKEY records.
pub const IANA_ROOT: &str = include_str!("root-anchors.txt");

/// One anchor: a DS or DNSKEY record and the zone it is for.
#[derive(Debug, Clone)]
pub struct Anchor {
    pub zone: Name,
    pub key: AnchorKey,
}

#[derive(Debug, Clone)]
pub enum AnchorKey {
    Ds(DS),
    Dnskey(DNSKEY),
}

/// The configured anchors.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    anchors: Vec<Anchor>,
}

impl TrustAnchors {
    pub fn iana_root() -> Self {
        Self::parse(IANA_ROOT).expect("the embedded root anchors parse")
    }

    /// Parses DS and DNSKEY records in zone-file syntax, one a line (`owner [ttl] [class] type
    /// rdata`; `;` starts a comment, so the `.key` files of dnssec-keygen and `dsset-` files of
    /// dnssec-signzone are read as they are). Owner names are absolute.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut anchors = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.split(';').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let anchor = parse_line(line).map_err(|e| format!("line {}: {e}", number + 1))?;
            anchors.push(anchor);
        }
        if anchors.is_empty() {
            return Err("holds no DS or DNSKEY record".into());
        }
        Ok(TrustAnchors { anchors })
    }

    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }

    /// The zones with an anchor that are `name` or above it, the root first.
    pub fn zones_above(&self, name: &Name) -> Vec<Name> {
        let mut zones: Vec<Name> = self
            .anchors
            .iter()
            .map(|a| a.zone.clone())
            .filter(|zone| zone.zone_of(name))
            .collect();
        zones.sort_by_key(|zone| zone.num_labels());
        zones.dedup();
        zones
    }

    /// The DNSKEY anchors of the root, which hickory-resolver takes as they are.
    pub fn root_keys(&self) -> Vec<DNSKEY> {
        self.anchors
            .iter()
            .filter(|a| a.zone.is_root())
            .filter_map(|a| match &a.key {
                AnchorKey::Dnskey(k) => Some(k.clone()),
                AnchorKey::Ds(_) => None,
            })
            .collect()
    }

    /// Whether `key`, a DNSKEY of `zone`, is one of the anchors (the same key, or the key a DS
    /// anchor's digest names).
    pub fn matches(&self, zone: &Name, key: &DNSKEY) -> bool {
        self.anchors
            .iter()
            .filter(|a| &a.zone == zone)
            .any(|a| match &a.key {
                AnchorKey::Dnskey(anchor) => {
                    anchor.algorithm() == key.algorithm()
                        && anchor.public_key().public_bytes() == key.public_key().public_bytes()
                }
                AnchorKey::Ds(ds) => ds.covers(zone, key).unwrap_or(false),
            })
    }
}

/// `key-tag algorithm digest-type digest` (RFC 4034 §5.3).
fn parse_ds(fields: &[&str]) -> Result<DS, String> {
    let [tag, algorithm, digest_type, digest @ ..] = fields else {
        return Err("expected key tag, algorithm, digest type and digest".into());
    };
    let tag: u16 = tag.parse().map_err(|_| format!("key tag {tag:?}"))?;
    let algorithm: u8 = algorithm
        .parse()
        .map_err(|_| format!("algorithm {algorithm:?}"))?;
    let digest_type: u8 = digest_type
        .parse()
        .map_err(|_| format!("digest type {digest_type:?}"))?;
    let digest = hex::decode(digest.concat()).map_err(|_| "the digest is not hexadecimal")?;
    if digest.is_empty() {
        return Err("no digest".into());
    }
    Ok(DS::new(
        tag,
        Algorithm::from_u8(algorithm),
        DigestType::from(digest_type),
        digest,
    ))
}

/// `flags protocol algorithm public-key` (RFC 4034 §2.2).
fn parse_dnskey(fields: &[&str]) -> Result<DNSKEY, String> {
    use base64::Engine;
    let [flags, protocol, algorithm, key @ ..] = fields else {
        return Err("expected flags, protocol, algorithm and public key".into());
    };
    let flags: u16 = flags.parse().map_err(|_| format!("flags {flags:?}"))?;
    if *protocol != "3" {
        return Err(format!("protocol {protocol:?} is not 3"));
    }
    let algorithm: u8 = algorithm
        .parse()
        .map_err(|_| format!("algorithm {algorithm:?}"))?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(key.concat())
        .map_err(|_| "the public key is not base64")?;
    if key.is_empty() {
        return Err("no public key".into());
    }
    let key = DNSKEY::with_flags(flags, PublicKeyBuf::new(key, Algorithm::from_u8(algorithm)));
    if !key.zone_key() {
        return Err("not a zone key (flags lack 256)".into());
    }
    Ok(key)
}

fn parse_line(line: &str) -> Result<Anchor, String> {
    let mut tokens = line.split_whitespace();
    let owner = tokens.next().ok_or("no owner name")?;
    if !owner.ends_with('.') {
        return Err(format!(
            "the owner name {owner:?} must be absolute (end with a dot)"
        ));
    }
    let zone = Name::from_ascii(owner).map_err(|e| format!("{owner:?}: {e}"))?;
    let mut rtype = None;
    for token in tokens.by_ref() {
        let upper = token.to_ascii_uppercase();
        match upper.as_str() {
            "DS" => rtype = Some(RecordType::DS),
            "DNSKEY" => rtype = Some(RecordType::DNSKEY),
            "IN" => continue,
            t if t.chars().all(|c| c.is_ascii_digit()) => continue,
            other => return Err(format!("{other} is not a DS or DNSKEY record")),
        }
        break;
    }
    let rtype = rtype.ok_or("no record type (DS or DNSKEY)")?;
    let rest: Vec<&str> = tokens.filter(|t| *t != "(" && *t != ")").collect();
    let key = match rtype {
        RecordType::DS => AnchorKey::Ds(
            parse_ds(&rest).map_err(|e| format!("the DS record does not parse: {e}"))?,
        ),
        _ => AnchorKey::Dnskey(
            parse_dnskey(&rest).map_err(|e| format!("the DNSKEY record does not parse: {e}"))?,
        ),
    };
    Ok(Anchor { zone, key })
}

/// Of the answer to `zone DNSKEY` (with DNSSEC records), the keys to trust: all the zone keys of
/// the set, when a key matching an anchor signed it and the signature is valid at `now` (seconds
/// since the epoch); otherwise why not.
pub fn trusted_keys(
    anchors: &TrustAnchors,
    zone: &Name,
    answers: &[Record],
    now: u32,
) -> Result<Vec<DNSKEY>, String> {
    let set: Vec<&Record> = answers
        .iter()
        .filter(|r| r.record_type() == RecordType::DNSKEY && r.name() == zone)
        .collect();
    let keys: Vec<&DNSKEY> = set
        .iter()
        .filter_map(|r| DNSKEY::try_borrow(r.data()))
        .collect();
    if keys.is_empty() {
        return Err(format!("{zone} has no DNSKEY record"));
    }
    let anchored: Vec<&DNSKEY> = keys
        .iter()
        .copied()
        .filter(|k| !k.revoke() && anchors.matches(zone, k))
        .collect();
    if anchored.is_empty() {
        return Err(format!(
            "no DNSKEY of {zone} matches its trust anchor (found key tags {})",
            tags(&keys)
        ));
    }
    let signatures: Vec<&RRSIG> = answers
        .iter()
        .filter(|r| r.name() == zone)
        .filter_map(|r| RRSIG::try_borrow(r.data()))
        .filter(|s| s.type_covered() == RecordType::DNSKEY && s.signer_name() == zone)
        .collect();
    for key in &anchored {
        let Ok(tag) = key.calculate_key_tag() else {
            continue;
        };
        for sig in signatures
            .iter()
            .filter(|s| s.key_tag() == tag && s.algorithm() == key.algorithm())
        {
            let inception = sig.sig_inception().get();
            let expiration = sig.sig_expiration().get();
            // RFC 4034 §3.1.5: serial number arithmetic.
            if (now.wrapping_sub(inception) as i32) < 0 || (expiration.wrapping_sub(now) as i32) < 0
            {
                continue;
            }
            let records = set.iter().copied();
            if key.verify_rrsig(zone, DNSClass::IN, sig, records).is_ok() {
                return Ok(keys
                    .iter()
                    .filter(|k| k.zone_key() && !k.revoke())
                    .map(|k| (*k).clone())
                    .collect());
            }
        }
    }
    Err(format!(
        "the DNSKEY set of {zone} is not signed, within its validity period, by the anchored key (key tags {})",
        tags(&anchored)
    ))
}

fn tags(keys: &[&DNSKEY]) -> String {
    keys.iter()
        .map(|k| {
            k.calculate_key_tag()
                .map(|t| t.to_string())
                .unwrap_or_else(|_| "?".into())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_anchors_ds_digests_name_the_root_keys() {
        let root = TrustAnchors::iana_root();
        assert_eq!(root.anchors().len(), 4);
        let keys = root.root_keys();
        assert_eq!(keys.len(), 2);
        let tags: Vec<u16> = keys
            .iter()
            .map(|k| k.calculate_key_tag().unwrap())
            .collect();
        assert_eq!(tags, [20326, 38696]);
        for key in &keys {
            let covered = root.anchors().iter().any(|a| match &a.key {
                AnchorKey::Ds(ds) => ds.covers(&Name::root(), key).unwrap(),
                AnchorKey::Dnskey(_) => false,
            });
            assert!(
                covered,
                "a DS anchor names key {}",
                key.calculate_key_tag().unwrap()
            );
            assert!(root.matches(&Name::root(), key));
        }
    }

    #[test]
    fn key_files_and_dssets_parse_and_bad_lines_name_their_line() {
        let text = "; This is a key-signing key, keyid 33217, for dnssec.jp.\n\
            ; Created: 20261129220440\n\
            dnssec.jp. IN DNSKEY 257 3 13 3PkFp6R/Hu2PpgjQsEZK4hDBW2MpJEXAOXJUVHub0j3tGNHEsd/yU3nG 9DyJLBpnv81Y1m6Ty/8qvKqnY8SMVQ==\n\
            secure.dnssec.jp.\t\tIN DS 22039 13 2 1460C5593729193C14071520245743F77354B7796EDEB59C7DBD4C757FBE4261\n\
            other.jp. 3600 DS 1 13 2 ( 1460C5593729193C14071520245743F77354B7796EDEB59C7DBD4C757FBE4261 )\n";
        let anchors = TrustAnchors::parse(text).unwrap();
        assert_eq!(anchors.anchors().len(), 3);
        let name = Name::from_ascii("_acme-challenge.secure.dnssec.jp.").unwrap();
        let zones: Vec<String> = anchors
            .zones_above(&name)
            .iter()
            .map(|z| z.to_string())
            .collect();
        assert_eq!(zones, ["dnssec.jp.", "secure.dnssec.jp."]);
        assert!(anchors.root_keys().is_empty());

        let bad = [
            ("", "holds no DS or DNSKEY record"),
            (
                "dnssec.jp IN DS 1 13 2 AB",
                "line 1: the owner name \"dnssec.jp\" must be absolute",
            ),
            (
                "; comment\nx. IN A 127.0.0.1",
                "line 2: A is not a DS or DNSKEY record",
            ),
            ("x. IN DS 1 13", "line 1: the DS record does not parse"),
            (
                "x. IN DNSKEY 257 3 13 %%%",
                "line 1: the DNSKEY record does not parse",
            ),
        ];
        for (text, want) in bad {
            let err = TrustAnchors::parse(text).unwrap_err();
            assert!(err.starts_with(want), "{text:?}: {err}");
        }
    }
}
