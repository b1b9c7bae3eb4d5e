//! dns-persist-01 (draft-ietf-acme-dns-persist, BR 3.2.2.4.22, R-VAL-10): the standing TXT
//! record a customer publishes once, in the form the validator accepts. The portal shows these
//! records per ACME account and registration; the server's validator (`va::dns_persist01`) reads
//! them back.

/// The DNS label the record lives under: `_validation-persist.<FQDN>`.
pub const LABEL: &str = "_validation-persist";

/// The draft's limit on the issuer domain names a challenge may list.
pub const MAX_ISSUER_DOMAIN_NAMES: usize = 10;

/// The longest character-string a TXT record can hold (RFC 1035 §3.3).
const TXT_STRING_MAX: usize = 255;

/// The issuer domain names offered in a challenge and accepted in records: the first
/// [`MAX_ISSUER_DOMAIN_NAMES`] of ours (the draft allows no more).
pub fn offered_issuers(identities: &[String]) -> &[String] {
    &identities[..identities.len().min(MAX_ISSUER_DOMAIN_NAMES)]
}

/// The absolute name the record is looked up at for a certificate name (A-labels): a wildcard's
/// `*.` is removed, as for dns-01. `www.example.jp` → `_validation-persist.www.example.jp.`
pub fn validation_name(name: &str) -> String {
    let bare = name.strip_prefix("*.").unwrap_or(name);
    format!("{LABEL}.{}.", bare.trim_end_matches('.'))
}

/// The record's value in the draft's syntax (an RFC 8659 issue-value):
/// `issuer; accounturi=URL`, with `; policy=wildcard` when the record must also validate
/// wildcard certificates.
pub fn record_value(issuer: &str, account_url: &str, wildcard: bool) -> String {
    let mut value = format!("{issuer}; accounturi={account_url}");
    if wildcard {
        value.push_str("; policy=wildcard");
    }
    value
}

/// The record as a zone-file line: `name IN TXT "value"`; a value over 255 octets is split into
/// several character-strings (`"…" "…"`), which resolvers join again.
pub fn zone_line(name: &str, value: &str) -> String {
    let escaped: Vec<String> = value
        .as_bytes()
        .chunks(TXT_STRING_MAX)
        .map(|chunk| {
            let part = String::from_utf8_lossy(chunk);
            format!("\"{}\"", part.replace('\\', "\\\\").replace('"', "\\\""))
        })
        .collect();
    let strings = if escaped.is_empty() {
        "\"\"".to_owned()
    } else {
        escaped.join(" ")
    };
    format!("{name} IN TXT {strings}")
}

/// One record to publish, and the certificate names it validates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistRecord {
    /// The absolute owner name, e.g. `_validation-persist.example.jp.`.
    pub name: String,
    /// The TXT value.
    pub value: String,
    /// Whether it carries `policy=wildcard`.
    pub wildcard: bool,
    /// The certificate names (from the registration's coverage) this record validates.
    pub covers: Vec<String>,
}

impl PersistRecord {
    /// The record as a zone-file line.
    pub fn zone_line(&self) -> String {
        zone_line(&self.name, &self.value)
    }
}

/// The records that let `account_url` validate every name of a registration's `coverage`
/// (R-FQDN-3) by dns-persist-01 with `issuer`: one per validation name, with `policy=wildcard`
/// where a wildcard is among the names it validates. `*.example.jp` and `example.jp` share one
/// record (with `policy=wildcard`); `example.jp` and `www.example.jp` each have their own, since
/// CertDirect does not let a record validate names below its own (R-VAL-10).
pub fn records_for(coverage: &[String], issuer: &str, account_url: &str) -> Vec<PersistRecord> {
    let mut out: Vec<PersistRecord> = Vec::new();
    for name in coverage {
        let owner = validation_name(name);
        let wildcard = name.starts_with("*.");
        match out.iter_mut().find(|r| r.name == owner) {
            Some(r) => {
                r.wildcard |= wildcard;
                r.covers.push(name.clone());
            }
            None => out.push(PersistRecord {
                name: owner,
                value: String::new(),
                wildcard,
                covers: vec![name.clone()],
            }),
        }
    }
    for r in &mut out {
        r.value = record_value(issuer, account_url, r.wildcard);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "https://ca.example.jp/acme/acct/7";

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_validation_name_drops_a_wildcard_label() {
        assert_eq!(
            validation_name("example.jp"),
            "_validation-persist.example.jp."
        );
        assert_eq!(
            validation_name("*.example.jp"),
            "_validation-persist.example.jp."
        );
        assert_eq!(
            validation_name("www.example.jp."),
            "_validation-persist.www.example.jp."
        );
    }

    #[test]
    fn values_follow_the_draft() {
        assert_eq!(
            record_value("ca.example.jp", ACCOUNT, false),
            "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7"
        );
        assert_eq!(
            record_value("ca.example.jp", ACCOUNT, true),
            "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7; policy=wildcard"
        );
    }

    #[test]
    fn zone_lines_quote_and_split_at_255_octets() {
        assert_eq!(
            zone_line("_validation-persist.example.jp.", "a; accounturi=b"),
            "_validation-persist.example.jp. IN TXT \"a; accounturi=b\""
        );
        let long = "x".repeat(300);
        let line = zone_line("n.", &long);
        assert_eq!(
            line,
            format!("n. IN TXT \"{}\" \"{}\"", "x".repeat(255), "x".repeat(45))
        );
        assert_eq!(zone_line("n.", "a\"b\\c"), "n. IN TXT \"a\\\"b\\\\c\"");
    }

    /// R-FQDN-3 coverage → the records to publish.
    #[test]
    fn records_cover_each_registration_type() {
        let dv = records_for(
            &names(&["example.jp", "www.example.jp"]),
            "ca.example.jp",
            ACCOUNT,
        );
        assert_eq!(dv.len(), 2);
        assert_eq!(dv[0].name, "_validation-persist.example.jp.");
        assert_eq!(dv[1].name, "_validation-persist.www.example.jp.");
        assert!(dv.iter().all(|r| !r.wildcard));
        assert_eq!(
            dv[0].zone_line(),
            "_validation-persist.example.jp. IN TXT \"ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7\""
        );
        let wild = records_for(
            &names(&["*.example.jp", "example.jp"]),
            "ca.example.jp",
            ACCOUNT,
        );
        assert_eq!(wild.len(), 1, "{wild:?}");
        assert!(wild[0].wildcard);
        assert_eq!(wild[0].covers, names(&["*.example.jp", "example.jp"]));
        assert_eq!(
            wild[0].zone_line(),
            "_validation-persist.example.jp. IN TXT \"ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7; policy=wildcard\""
        );
    }

    #[test]
    fn at_most_ten_issuers_are_offered() {
        let many: Vec<String> = (0..12).map(|i| format!("ca{i}.example")).collect();
        assert_eq!(offered_issuers(&many).len(), 10);
        assert_eq!(offered_issuers(&many[..2]), &many[..2]);
    }
}
