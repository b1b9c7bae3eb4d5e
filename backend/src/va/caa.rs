//! CAA (R-VAL-6; RFC 8659 with the RFC 8657 `accounturi` and `validationmethods` parameters).
//!
//! The relevant record set is the first non-empty CAA RRset found climbing from the name to its
//! parents (RFC 8659 §3), the top-level domain included; CNAMEs are followed as the resolver
//! follows them. A lookup that fails on the way (SERVFAIL, a timeout, a bogus DNSSEC answer:
//! anything but NOERROR and NXDOMAIN) is not permission. [`decide`] is the pure decision over a
//! record set; [`check`] looks the set up and decides.

use std::fmt;

use hickory_resolver::proto::rr::RecordType;
use serde_json::{json, Value};
use shared::acme::ChallengeType;

use super::dns::{self, LookupError};
use super::{Failure, FailureKind, VaConfig};

/// One CAA record (RFC 8659 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub flags: u8,
    pub tag: String,
    pub value: String,
}

impl Property {
    pub fn new(flags: u8, tag: &str, value: &str) -> Self {
        Property {
            flags,
            tag: tag.to_owned(),
            value: value.to_owned(),
        }
    }

    /// The issuer critical flag (RFC 8659 §4.1).
    pub fn critical(&self) -> bool {
        self.flags & 0x80 != 0
    }

    fn tag_is(&self, tag: &str) -> bool {
        self.tag.eq_ignore_ascii_case(tag)
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {:?}", self.flags, self.tag, self.value)
    }
}

/// What issuance is being asked for.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Our issuer domain names (configuration), lower case.
    pub identities: &'a [String],
    pub wildcard: bool,
    pub account_uri: &'a str,
    pub method: ChallengeType,
}

/// An `issue`/`issuewild` value (RFC 8659 §4.2): the issuer domain name (empty for `;`) and the
/// parameters in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueValue {
    pub issuer: String,
    pub parameters: Vec<(String, String)>,
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))`, the form of issuer labels and parameter
/// tags.
fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// Parses an `issue`/`issuewild` value:
/// `*WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]`, parameters being
/// `tag *WSP "=" *WSP value` separated by `;` (a trailing `;` is tolerated).
pub fn parse_issue_value(value: &str) -> Result<IssueValue, String> {
    let mut parts = value.split(';');
    let issuer = parts.next().unwrap_or("").trim_matches(is_wsp);
    if !issuer.is_empty() && !issuer.split('.').all(is_label) {
        return Err(format!("{issuer:?} is not an issuer domain name"));
    }
    let rest: Vec<&str> = parts.collect();
    let mut parameters = Vec::new();
    for (i, part) in rest.iter().enumerate() {
        let part = part.trim_matches(is_wsp);
        if part.is_empty() && i + 1 == rest.len() {
            break;
        }
        let Some((tag, value)) = part.split_once('=') else {
            return Err(format!("the parameter {part:?} is not tag=value"));
        };
        let (tag, value) = (tag.trim_matches(is_wsp), value.trim_matches(is_wsp));
        if !is_label(tag) {
            return Err(format!("{tag:?} is not a parameter tag"));
        }
        if !value
            .chars()
            .all(|c| matches!(c, '\x21'..='\x3a' | '\x3c'..='\x7e'))
        {
            return Err(format!(
                "the value of {tag} has a space or a character outside ASCII"
            ));
        }
        parameters.push((tag.to_ascii_lowercase(), value.to_owned()));
    }
    Ok(IssueValue {
        issuer: issuer.to_ascii_lowercase(),
        parameters,
    })
}

/// Why one `issue`/`issuewild` record does not allow this issuance; `None` when it does.
fn refusal(record: &Property, request: &Request) -> Option<String> {
    let value = match parse_issue_value(&record.value) {
        Ok(v) => v,
        Err(e) => return Some(format!("{record} is malformed ({e}) and allows no one")),
    };
    if value.issuer.is_empty() {
        return Some(format!("{record} allows no CA to issue"));
    }
    if !request.identities.contains(&value.issuer) {
        return Some(format!("{record} names another CA"));
    }
    // RFC 8657 §3, §4; other parameters are ignored (RFC 8659 §4.2).
    for (tag, v) in &value.parameters {
        match tag.as_str() {
            "accounturi" if v != request.account_uri => {
                return Some(format!(
                    "{record} is bound to the ACME account {v}, not to this order's account {}",
                    request.account_uri
                ));
            }
            "validationmethods" => {
                let methods: Vec<&str> = v.split(',').collect();
                // RFC 8657 §4: `label *("," label)`, `label = 1*(ALPHA / DIGIT / "-")`.
                let well_formed = methods.iter().all(|m| {
                    !m.is_empty() && m.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
                if !well_formed {
                    return Some(format!(
                        "{record} has a malformed validationmethods list and allows no one"
                    ));
                }
                if !methods.contains(&request.method.as_str()) {
                    return Some(format!(
                        "{record} allows only the validation methods {v}, not {}",
                        request.method
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether `records` (the relevant record set, non-empty) allow `request`: `Ok` with why, or
/// `Err` with why not (RFC 8659 §4.2, §4.3, §5.3; RFC 8657).
pub fn decide(records: &[Property], request: &Request) -> Result<String, String> {
    let kind = if request.wildcard {
        "a wildcard certificate"
    } else {
        "a certificate"
    };
    if let Some(critical) = records
        .iter()
        .find(|r| r.critical() && !["issue", "issuewild", "iodef"].iter().any(|t| r.tag_is(t)))
    {
        return Err(format!(
            "{critical} carries the critical flag on a property CertDirect does not understand, so no certificate may be issued"
        ));
    }
    let issue: Vec<&Property> = records.iter().filter(|r| r.tag_is("issue")).collect();
    let issuewild: Vec<&Property> = records.iter().filter(|r| r.tag_is("issuewild")).collect();
    let (governing, tag) = if request.wildcard && !issuewild.is_empty() {
        (issuewild, "issuewild")
    } else {
        (issue, "issue")
    };
    if governing.is_empty() {
        return Ok(format!(
            "no {tag} property restricts {kind}, so any CA may issue"
        ));
    }
    let mut why = Vec::new();
    for record in &governing {
        match refusal(record, request) {
            None => return Ok(format!("{record} allows {kind}")),
            Some(reason) => why.push(reason),
        }
    }
    Err(format!(
        "no {tag} property allows {kind} from CertDirect (issuer domain names: {}): {}",
        request.identities.join(", "),
        why.join("; ")
    ))
}

/// The names whose CAA sets are consulted for `identifier`, the name itself first, up to the
/// top-level domain.
pub fn climb(identifier: &str) -> Vec<String> {
    let name = identifier.trim_end_matches('.');
    let labels: Vec<&str> = name.split('.').collect();
    (0..labels.len()).map(|i| labels[i..].join(".")).collect()
}

fn properties(answer: &dns::Answer) -> Vec<Property> {
    answer
        .records
        .iter()
        .filter_map(|r| r.data().as_caa())
        .map(|caa| Property {
            flags: caa.flags(),
            tag: caa.tag().as_str().to_owned(),
            value: String::from_utf8_lossy(caa.raw_value()).into_owned(),
        })
        .collect()
}

/// Looks up the relevant CAA set of `identifier` (no `*.`) and decides whether our issuer domain
/// names may issue for it (`wildcard`: for `*.identifier`) to `account_uri`, validated by
/// `method`. Returns the validation record and the verdict.
pub async fn check(
    va: &VaConfig,
    identifier: &str,
    wildcard: bool,
    account_uri: &str,
    method: ChallengeType,
) -> (Vec<Value>, Result<(), Failure>) {
    let shown = if wildcard {
        format!("*.{identifier}")
    } else {
        identifier.to_owned()
    };
    let mut looked_up = Vec::new();
    // Every level of the climb is asked at once; the answers are then read from the name up,
    // exactly as a climb one lookup at a time would read them (the closest non-empty set decides,
    // and a failure closer than it refuses).
    let names = climb(identifier);
    let answers = futures_util::future::join_all(names.iter().map(|name| {
        let fqdn = format!("{name}.");
        async move { dns::lookup(&va.dns_servers, &va.dnssec, &fqdn, RecordType::CAA).await }
    }))
    .await;
    for (name, answer) in names.into_iter().zip(answers) {
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => {
                let record = json!({ "caa": shown, "looked_up": looked_up, "failed_at": name, "error": e.detail(), "dnssec": if matches!(e, LookupError::Bogus(_)) { "bogus" } else { "-" } });
                let detail = format!(
                    "the CAA check for {shown} could not be completed, and a failed lookup is not permission: {}",
                    e.detail()
                );
                return (vec![record], Err(Failure::new(FailureKind::Dns, detail)));
            }
        };
        looked_up.push(name.clone());
        let records = properties(&answer);
        if records.is_empty() {
            continue;
        }
        let shown_records: Vec<String> = records.iter().map(|r| r.to_string()).collect();
        let request = Request {
            identities: &va.caa_identities,
            wildcard,
            account_uri,
            method,
        };
        let verdict = decide(&records, &request);
        let record = json!({
            "caa": shown,
            "looked_up": looked_up,
            "found_at": name,
            "records": shown_records,
            "dnssec": answer.security.as_str(),
            "result": match &verdict { Ok(why) | Err(why) => why },
        });
        return match verdict {
            Ok(_) => (vec![record], Ok(())),
            Err(why) => {
                let detail = format!(
                    "CAA forbids issuance for {shown}: the record set at {name} ({}) — {why}",
                    shown_records.join(", ")
                );
                (vec![record], Err(Failure::new(FailureKind::Caa, detail)))
            }
        };
    }
    let record = json!({
        "caa": shown,
        "looked_up": looked_up,
        "found_at": null,
        "result": "no CAA records at the name or above it, so any CA may issue",
    });
    (vec![record], Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "https://ca.example.net/acme/acct/7";

    fn ids() -> Vec<String> {
        vec!["ca.example.net".to_owned()]
    }

    fn p(flags: u8, tag: &str, value: &str) -> Property {
        Property::new(flags, tag, value)
    }

    fn allowed(
        records: &[Property],
        wildcard: bool,
        method: ChallengeType,
    ) -> Result<String, String> {
        let identities = ids();
        decide(
            records,
            &Request {
                identities: &identities,
                wildcard,
                account_uri: ACCOUNT,
                method,
            },
        )
    }

    /// A value and what it parses to: the issuer and the parameters, or `Err` when malformed.
    type ParseCase<'a> = (&'a str, Result<(&'a str, &'a [(&'a str, &'a str)]), ()>);

    #[test]
    fn issue_values_parse_as_rfc8659_section_4_2() {
        let cases: &[ParseCase] = &[
            ("ca.example.net", Ok(("ca.example.net", &[]))),
            ("  CA.Example.NET  ", Ok(("ca.example.net", &[]))),
            (";", Ok(("", &[]))),
            ("", Ok(("", &[]))),
            ("ca.example.net;", Ok(("ca.example.net", &[]))),
            (
                "ca.example.net; account=230123",
                Ok(("ca.example.net", &[("account", "230123")])),
            ),
            (
                "ca.example.net; policy=ev",
                Ok(("ca.example.net", &[("policy", "ev")])),
            ),
            (
                "ca.example.net; accounturi = https://ca.example.net/acct/1 ;validationmethods=dns-01,http-01",
                Ok((
                    "ca.example.net",
                    &[
                        ("accounturi", "https://ca.example.net/acct/1"),
                        ("validationmethods", "dns-01,http-01"),
                    ],
                )),
            ),
            ("ca.example.net; AccountURI=x", Ok(("ca.example.net", &[("accounturi", "x")]))),
            ("ca..example.net", Err(())),
            ("-ca.example.net", Err(())),
            ("ca.example.net.", Err(())),
            ("ca.example.net; nonsense", Err(())),
            ("ca.example.net; a=b c", Err(())),
            ("ca.example.net; =x", Err(())),
            ("ca.example.net; a=b;; c=d", Err(())),
        ];
        for (text, want) in cases {
            let got = parse_issue_value(text);
            match want {
                Ok((issuer, params)) => {
                    let got = got.unwrap_or_else(|e| panic!("{text:?}: {e}"));
                    assert_eq!(got.issuer, *issuer, "{text:?}");
                    let params: Vec<(String, String)> = params
                        .iter()
                        .map(|(t, v)| (t.to_string(), v.to_string()))
                        .collect();
                    assert_eq!(got.parameters, params, "{text:?}");
                }
                Err(()) => assert!(got.is_err(), "{text:?} should not parse: {got:?}"),
            }
        }
    }

    /// RFC 8659 §4 examples, with our issuer domain name in the place of ca.example.net.
    #[test]
    fn rfc8659_record_sets_decide_as_the_rfc_says() {
        let table: &[(&str, Vec<Property>, bool, bool)] = &[
            (
                "issue for us",
                vec![p(0, "issue", "ca.example.net")],
                false,
                true,
            ),
            (
                "issue for another CA",
                vec![p(0, "issue", "other-ca.example")],
                false,
                false,
            ),
            (
                "one of several issue records names us",
                vec![
                    p(0, "issue", "other-ca.example"),
                    p(0, "issue", "ca.example.net"),
                ],
                false,
                true,
            ),
            (
                "issue \";\" forbids all",
                vec![p(0, "issue", ";")],
                false,
                false,
            ),
            (
                "issue \"\" forbids all",
                vec![p(0, "issue", "")],
                false,
                false,
            ),
            (
                "§4.3: issue allows, iodef is ignored",
                vec![
                    p(0, "issue", "ca.example.net"),
                    p(0, "iodef", "mailto:security@example.com"),
                ],
                false,
                true,
            ),
            (
                "§4.1: an unknown critical property forbids issuance",
                vec![p(0, "issue", "ca.example.net"), p(128, "tbs", "Unknown")],
                false,
                false,
            ),
            (
                "an unknown non-critical property is ignored",
                vec![p(0, "issue", "ca.example.net"), p(0, "tbs", "Unknown")],
                false,
                true,
            ),
            (
                "a critical iodef is understood",
                vec![
                    p(0, "issue", "ca.example.net"),
                    p(128, "iodef", "mailto:a@example.com"),
                ],
                false,
                true,
            ),
            (
                "the critical flag on a known tag does not forbid",
                vec![p(128, "issue", "ca.example.net")],
                false,
                true,
            ),
            (
                "tags match case-insensitively",
                vec![p(0, "ISSUE", "ca.example.net")],
                false,
                true,
            ),
            (
                "only iodef: nothing restricts issuance",
                vec![p(0, "iodef", "mailto:a@example.com")],
                false,
                true,
            ),
            (
                "§4.3: issuewild is ignored for a non-wildcard name",
                vec![p(0, "issuewild", ";")],
                false,
                true,
            ),
            (
                "§4.3: issuewild governs a wildcard",
                vec![
                    p(0, "issue", "ca.example.net"),
                    p(0, "issuewild", "other-ca.example"),
                ],
                true,
                false,
            ),
            (
                "issuewild allowing us for a wildcard, issue forbidding",
                vec![p(0, "issue", ";"), p(0, "issuewild", "ca.example.net")],
                true,
                true,
            ),
            (
                "no issuewild: issue governs a wildcard",
                vec![p(0, "issue", "ca.example.net")],
                true,
                true,
            ),
            (
                "no issuewild: issue forbidding governs a wildcard",
                vec![p(0, "issue", "other-ca.example")],
                true,
                false,
            ),
            (
                "§4.2: unknown parameters are ignored",
                vec![p(0, "issue", "ca.example.net; policy=ev; account=230123")],
                false,
                true,
            ),
            (
                "a malformed value allows no one",
                vec![p(0, "issue", "ca.example.net; nonsense")],
                false,
                false,
            ),
        ];
        for (name, records, wildcard, ok) in table {
            let got = allowed(records, *wildcard, ChallengeType::Http01);
            assert_eq!(got.is_ok(), *ok, "{name}: {got:?}");
        }
    }

    /// RFC 8657 §3 (accounturi) and §4 (validationmethods).
    #[test]
    fn rfc8657_parameters_bind_the_account_and_the_method() {
        use ChallengeType::{Dns01, DnsPersist01, Http01};
        let table: &[(&str, &str, ChallengeType, bool)] = &[
            ("accounturi of this account", "ca.example.net; accounturi=https://ca.example.net/acme/acct/7", Http01, true),
            ("accounturi of another account", "ca.example.net; accounturi=https://ca.example.net/acme/acct/8", Http01, false),
            ("accounturi is compared exactly", "ca.example.net; accounturi=https://ca.example.net/acme/acct/7/", Http01, false),
            ("validationmethods including the method", "ca.example.net; validationmethods=dns-01,http-01", Http01, true),
            ("validationmethods excluding the method", "ca.example.net; validationmethods=dns-01", Http01, false),
            ("validationmethods with dns-01", "ca.example.net; validationmethods=dns-01", Dns01, true),
            ("unknown methods are just not ours", "ca.example.net; validationmethods=tls-alpn-01,dns-01", Dns01, true),
            ("a malformed method list allows no one", "ca.example.net; validationmethods=dns-01,,http-01", Dns01, false),
            ("validationmethods with dns-persist-01", "ca.example.net; validationmethods=http-01,dns-persist-01", DnsPersist01, true),
            ("dns-01 does not allow dns-persist-01", "ca.example.net; validationmethods=dns-01", DnsPersist01, false),
            ("dns-persist-01 does not allow dns-01", "ca.example.net; validationmethods=dns-persist-01", Dns01, false),
            (
                "both parameters must hold",
                "ca.example.net; accounturi=https://ca.example.net/acme/acct/7; validationmethods=dns-01",
                Http01,
                false,
            ),
            (
                "both parameters holding",
                "ca.example.net; accounturi=https://ca.example.net/acme/acct/7; validationmethods=http-01",
                Http01,
                true,
            ),
        ];
        for (name, value, method, ok) in table {
            let got = allowed(&[p(0, "issue", value)], false, *method);
            assert_eq!(got.is_ok(), *ok, "{name}: {got:?}");
        }
        // RFC 8657 §5.3: another record of the set may still allow the issuance.
        let got = allowed(
            &[
                p(
                    0,
                    "issue",
                    "ca.example.net; accounturi=https://ca.example.net/acme/acct/8",
                ),
                p(
                    0,
                    "issue",
                    "ca.example.net; accounturi=https://ca.example.net/acme/acct/7",
                ),
            ],
            false,
            Http01,
        );
        assert!(got.is_ok(), "{got:?}");
    }

    #[test]
    fn refusals_name_the_records_and_why() {
        let err = allowed(
            &[
                p(0, "issue", "other-ca.example"),
                p(
                    0,
                    "issue",
                    "ca.example.net; accounturi=https://ca.example.net/acme/acct/8",
                ),
            ],
            false,
            ChallengeType::Http01,
        )
        .unwrap_err();
        assert!(
            err.contains("0 issue \"other-ca.example\" names another CA"),
            "{err}"
        );
        assert!(
            err.contains("is bound to the ACME account https://ca.example.net/acme/acct/8, not to this order's account https://ca.example.net/acme/acct/7"),
            "{err}"
        );
        assert!(err.contains("issuer domain names: ca.example.net"), "{err}");
        let err = allowed(&[p(128, "tbs", "x")], false, ChallengeType::Http01).unwrap_err();
        assert!(
            err.starts_with("128 tbs \"x\" carries the critical flag"),
            "{err}"
        );
    }

    #[test]
    fn the_climb_goes_from_the_name_to_the_top_level_domain() {
        assert_eq!(
            climb("www.shop.example.jp"),
            ["www.shop.example.jp", "shop.example.jp", "example.jp", "jp"]
        );
        assert_eq!(climb("example.jp."), ["example.jp", "jp"]);
    }
}
