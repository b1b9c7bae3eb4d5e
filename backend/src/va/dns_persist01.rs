//! dns-persist-01 (draft-ietf-acme-dns-persist, BR 3.2.2.4.22, R-VAL-10): a standing TXT record
//! at `_validation-persist.<name>` (a wildcard's `*.` removed), DNSSEC-validated like dns-01
//! (R-VAL-8). A record allows the validation when it is an RFC 8659 issue-value naming one of our
//! issuer domain names, its `accounturi` is the order's account URL character for character, it
//! carries `policy=wildcard` when the identifier is a wildcard, and its `persistUntil` (UNIX
//! seconds), if any, is not before the time of the check. Unknown parameters are ignored; any one
//! allowing record of several suffices. [`judge`] and [`decide`] are the pure decision over the
//! record values; [`validate`] looks them up and decides.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shared::persist;

use super::caa::parse_issue_value;
use super::{dns, Failure, FailureKind, VaConfig};

/// What the validation asks of a record.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The issuer domain names offered in the challenge (lower case).
    pub issuers: &'a [String],
    /// The ACME account URL of the order.
    pub account_uri: &'a str,
    /// Whether the identifier is a wildcard (`*.` + the looked-up name).
    pub wildcard: bool,
    /// The time of the check, against which `persistUntil` is judged.
    pub now: DateTime<Utc>,
}

/// What one TXT value is to this validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The record allows the validation.
    Allows,
    /// Not an RFC 8659 issue-value (or no issuer domain name): it belongs to no CA.
    NotIssueValue(String),
    /// A well-formed record of another CA (the issuer domain name it names).
    AnotherCa(String),
    /// A record naming us that breaks the draft's syntax (why).
    Malformed(String),
    /// A record naming us for another account (the `accounturi` it names).
    AnotherAccount(String),
    /// A record naming us and this account without `policy=wildcard`, for a wildcard.
    NoWildcardPolicy,
    /// A record naming us and this account whose `persistUntil` (UNIX seconds) has passed.
    Expired(i64),
}

impl Verdict {
    /// The reason as the failure detail words it; `None` for [`Verdict::Allows`].
    fn reason(&self, request: &Request, looked_up: &str) -> Option<String> {
        Some(match self {
            Verdict::Allows => return None,
            Verdict::NotIssueValue(why) => format!("not an issue-value ({why})"),
            Verdict::AnotherCa(issuer) => format!(
                "another CA: {issuer} (ours: {})",
                request.issuers.join(", ")
            ),
            Verdict::Malformed(why) => format!("malformed: {why}"),
            Verdict::AnotherAccount(uri) => format!(
                "another account: {uri} (this order's account is {})",
                request.account_uri
            ),
            Verdict::NoWildcardPolicy => {
                format!("no policy=wildcard, which a wildcard certificate (*.{looked_up}) needs")
            }
            Verdict::Expired(at) => format!(
                "expired persistUntil {at} ({}), before the time of this check ({})",
                unix_text(*at),
                request
                    .now
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        })
    }
}

fn unix_text(at: i64) -> String {
    DateTime::<Utc>::from_timestamp(at, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| "out of range".to_owned())
}

/// `persistUntil`: a base-10 integer (draft §4.1, BR 3.2.2.4.22), digits only.
fn parse_persist_until(value: &str) -> Result<i64, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "persistUntil={value} is not a base-10 UNIX timestamp"
        ));
    }
    value
        .parse()
        .map_err(|_| format!("persistUntil={value} is out of range"))
}

/// Judges one TXT value (the record's strings joined).
pub fn judge(value: &str, request: &Request) -> Verdict {
    let parsed = match parse_issue_value(value) {
        Ok(v) if v.issuer.is_empty() => {
            return Verdict::NotIssueValue("it names no issuer domain name".to_owned())
        }
        Ok(v) => v,
        Err(e) => return Verdict::NotIssueValue(e),
    };
    if !request.issuers.contains(&parsed.issuer) {
        return Verdict::AnotherCa(parsed.issuer);
    }
    let (mut account, mut policy, mut until) = (None, None, None);
    for (tag, v) in &parsed.parameters {
        // Tags are compared case-insensitively (RFC 8659; `parse_issue_value` lowers them);
        // a known parameter given twice is malformed; unknown ones are ignored (draft §4.1).
        let slot = match tag.as_str() {
            "accounturi" => &mut account,
            "policy" => &mut policy,
            "persistuntil" => &mut until,
            _ => continue,
        };
        if slot.is_some() {
            return Verdict::Malformed(format!("the parameter {tag} is given twice"));
        }
        *slot = Some(v.as_str());
    }
    let Some(account) = account.filter(|a| !a.is_empty()) else {
        return Verdict::Malformed("it has no accounturi parameter, which is mandatory".to_owned());
    };
    let until = match until.map(parse_persist_until).transpose() {
        Ok(u) => u,
        Err(e) => return Verdict::Malformed(e),
    };
    // RFC 3986 §6.2.1 simple string comparison: no case folding, no normalisation.
    if account != request.account_uri {
        return Verdict::AnotherAccount(account.to_owned());
    }
    // A policy other than `wildcard` (compared case-insensitively) counts as absent.
    let wildcard_policy = policy.is_some_and(|p| p.eq_ignore_ascii_case("wildcard"));
    if request.wildcard && !wildcard_policy {
        return Verdict::NoWildcardPolicy;
    }
    if let Some(at) = until {
        if request.now.timestamp() > at {
            return Verdict::Expired(at);
        }
    }
    Verdict::Allows
}

/// Decides over the TXT values found at `looked_up`'s validation name (`looked_up`: the
/// identifier without `*.`): `Ok` with the allowing value, or the failure naming every value and
/// why it does not allow the validation. A malformed record of ours makes the failure
/// `malformed`, anything else `unauthorized` (draft §9.3.1).
pub fn decide(values: &[String], request: &Request, looked_up: &str) -> Result<String, Failure> {
    let name = persist::validation_name(looked_up);
    if values.is_empty() {
        let want = persist::record_value(
            request.issuers.first().map(String::as_str).unwrap_or(""),
            request.account_uri,
            request.wildcard,
        );
        return Err(Failure::new(
            FailureKind::Unauthorized,
            format!("no TXT record was found at {name}; add one with the value \"{want}\""),
        ));
    }
    let verdicts: Vec<Verdict> = values.iter().map(|v| judge(v, request)).collect();
    if let Some(i) = verdicts.iter().position(|v| *v == Verdict::Allows) {
        return Ok(values[i].clone());
    }
    let kind = if verdicts.iter().any(|v| matches!(v, Verdict::Malformed(_))) {
        FailureKind::Malformed
    } else {
        FailureKind::Unauthorized
    };
    let why = values
        .iter()
        .zip(&verdicts)
        .filter_map(|(value, verdict)| {
            verdict
                .reason(request, looked_up)
                .map(|r| format!("{value:?} — {r}"))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(Failure::new(
        kind,
        format!(
            "{} TXT record(s) at {name}, none of which allows validating {}{looked_up} for the ACME account {}: {why}",
            values.len(),
            if request.wildcard { "*." } else { "" },
            request.account_uri
        ),
    ))
}

/// Looks up `_validation-persist.<identifier>` and decides (`identifier` without `*.`).
pub async fn validate(
    va: &VaConfig,
    identifier: &str,
    wildcard: bool,
    account_uri: &str,
    now: DateTime<Utc>,
) -> (Vec<Value>, Result<(), Failure>) {
    let name = persist::validation_name(identifier);
    match dns::txt(&va.dns_servers, &va.dnssec, &name).await {
        Err(e) => {
            let dnssec = match e {
                dns::LookupError::Bogus(_) => "bogus",
                dns::LookupError::Failed(_) => "-",
            };
            (
                vec![json!({ "hostname": name, "error": e.detail(), "dnssec": dnssec })],
                Err(Failure::new(FailureKind::Dns, e.detail())),
            )
        }
        Ok((values, security)) => {
            let request = Request {
                issuers: persist::offered_issuers(&va.caa_identities),
                account_uri,
                wildcard,
                now,
            };
            let verdict = decide(&values, &request, identifier);
            let mut record =
                json!({ "hostname": name, "txt": values, "dnssec": security.as_str() });
            if let Ok(allowing) = &verdict {
                record["matched"] = json!(allowing);
            }
            (vec![record], verdict.map(|_| ()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "https://ca.example.jp/acme/acct/7";

    fn issuers() -> Vec<String> {
        vec!["ca.example.jp".to_owned(), "ca2.example.jp".to_owned()]
    }

    fn at(unix: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(unix, 0).unwrap()
    }

    fn request(issuers: &[String], wildcard: bool) -> Request<'_> {
        Request {
            issuers,
            account_uri: ACCOUNT,
            wildcard,
            now: at(1_800_000_000),
        }
    }

    /// One TXT value, wildcard or not → the verdict (draft §4.1, §5; BR 3.2.2.4.22).
    #[test]
    fn records_are_judged_as_the_draft_says() {
        use Verdict::*;
        let acct = "accounturi=https://ca.example.jp/acme/acct/7";
        let table: Vec<(String, bool, Verdict)> = vec![
            (format!("ca.example.jp; {acct}"), false, Allows),
            (format!("ca2.example.jp; {acct}"), false, Allows),
            (format!("CA.Example.JP ; {acct}"), false, Allows),
            (format!("ca.example.jp;{acct}"), false, Allows),
            (format!("\tca.example.jp ;\t{acct} "), false, Allows),
            (
                "ca.example.jp; AccountURI=https://ca.example.jp/acme/acct/7".to_string(),
                false,
                Allows,
            ),
            (
                format!("ca.example.jp; {acct}; policy=wildcard"),
                true,
                Allows,
            ),
            (
                format!("ca.example.jp; {acct}; POLICY=WildCard"),
                true,
                Allows,
            ),
            (
                format!("ca.example.jp; {acct}; policy=wildcard"),
                false,
                Allows,
            ),
            (format!("ca.example.jp; {acct}"), true, NoWildcardPolicy),
            (
                format!("ca.example.jp; {acct}; policy=subdomains"),
                true,
                NoWildcardPolicy,
            ),
            (
                format!("ca.example.jp; {acct}; policy=subdomains"),
                false,
                Allows,
            ),
            // Unknown parameters are ignored, also when repeated.
            (
                format!("ca.example.jp; {acct}; future=1; future=2"),
                false,
                Allows,
            ),
            (
                format!("ca.example.jp; {acct}; persistUntil=1800000000"),
                false,
                Allows,
            ),
            (
                format!("ca.example.jp; {acct}; persistuntil=1800000001"),
                false,
                Allows,
            ),
            (
                format!("ca.example.jp; {acct}; persistUntil=1799999999"),
                false,
                Expired(1_799_999_999),
            ),
            (
                format!("ca.example.jp; {acct}; persistUntil=0"),
                false,
                Expired(0),
            ),
            (
                format!("other-ca.example; {acct}"),
                false,
                AnotherCa("other-ca.example".into()),
            ),
            // Parent and sub-names of an issuer domain name are other names.
            (
                format!("example.jp; {acct}"),
                false,
                AnotherCa("example.jp".into()),
            ),
            (
                format!("x.ca.example.jp; {acct}"),
                false,
                AnotherCa("x.ca.example.jp".into()),
            ),
            (
                "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/8".into(),
                false,
                AnotherAccount("https://ca.example.jp/acme/acct/8".into()),
            ),
            // Simple string comparison: a trailing slash or another case is another account.
            (
                "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7/".into(),
                false,
                AnotherAccount("https://ca.example.jp/acme/acct/7/".into()),
            ),
            (
                "ca.example.jp; accounturi=HTTPS://ca.example.jp/acme/acct/7".into(),
                false,
                AnotherAccount("HTTPS://ca.example.jp/acme/acct/7".into()),
            ),
            (
                "ca.example.jp".into(),
                false,
                Malformed("it has no accounturi parameter, which is mandatory".into()),
            ),
            (
                "ca.example.jp; accounturi=".into(),
                false,
                Malformed("it has no accounturi parameter, which is mandatory".into()),
            ),
            (
                format!("ca.example.jp; {acct}; {acct}"),
                false,
                Malformed("the parameter accounturi is given twice".into()),
            ),
            (
                format!("ca.example.jp; {acct}; persistUntil=soon"),
                false,
                Malformed("persistUntil=soon is not a base-10 UNIX timestamp".into()),
            ),
            (
                format!("ca.example.jp; {acct}; persistUntil=-5"),
                false,
                Malformed("persistUntil=-5 is not a base-10 UNIX timestamp".into()),
            ),
            (
                format!("ca.example.jp; {acct}; persistUntil=99999999999999999999"),
                false,
                Malformed("persistUntil=99999999999999999999 is out of range".into()),
            ),
        ];
        let ids = issuers();
        for (value, wildcard, want) in table {
            assert_eq!(
                judge(&value, &request(&ids, wildcard)),
                want,
                "{value:?} wildcard={wildcard}"
            );
        }
        // Values that are not issue-values at all belong to no CA.
        for value in [
            "",
            ";",
            "ca.example.jp; nonsense",
            "v=spf1 -all",
            "ca.example.jp; a=b c",
        ] {
            assert!(
                matches!(judge(value, &request(&ids, false)), NotIssueValue(_)),
                "{value:?}"
            );
        }
    }

    #[test]
    fn any_one_allowing_record_suffices() {
        let ids = issuers();
        let values = vec![
            "other-ca.example; accounturi=https://other-ca.example/acct/1".to_owned(),
            "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/8".to_owned(),
            "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7".to_owned(),
        ];
        assert_eq!(
            decide(&values, &request(&ids, false), "example.jp").unwrap(),
            values[2]
        );
    }

    #[test]
    fn failures_name_each_record_and_why() {
        let ids = issuers();
        let values = vec![
            "other-ca.example; accounturi=https://other-ca.example/acct/1".to_owned(),
            "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/8".to_owned(),
            "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7; persistUntil=1700000000; policy=wildcard"
                .to_owned(),
            "ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7".to_owned(),
        ];
        let err = decide(&values, &request(&ids, true), "wild.jp").unwrap_err();
        assert_eq!(err.kind, FailureKind::Unauthorized);
        let d = &err.detail;
        assert!(d.starts_with("4 TXT record(s) at _validation-persist.wild.jp., none of which allows validating *.wild.jp for the ACME account https://ca.example.jp/acme/acct/7: "), "{d}");
        assert!(
            d.contains("another CA: other-ca.example (ours: ca.example.jp, ca2.example.jp)"),
            "{d}"
        );
        assert!(d.contains("another account: https://ca.example.jp/acme/acct/8 (this order's account is https://ca.example.jp/acme/acct/7)"), "{d}");
        assert!(d.contains("expired persistUntil 1700000000 (2023-11-14T22:13:20Z), before the time of this check (2027-01-15T08:00:00Z)"), "{d}");
        assert!(
            d.contains("no policy=wildcard, which a wildcard certificate (*.wild.jp) needs"),
            "{d}"
        );
        // A malformed record of ours makes it `malformed`.
        let err = decide(&["ca.example.jp".to_owned()], &request(&ids, false), "x.jp").unwrap_err();
        assert_eq!(err.kind, FailureKind::Malformed);
        assert!(
            err.detail
                .contains("malformed: it has no accounturi parameter"),
            "{}",
            err.detail
        );
        // No record at all: what to publish.
        let err = decide(&[], &request(&ids, true), "wild.jp").unwrap_err();
        assert_eq!(err.kind, FailureKind::Unauthorized);
        assert_eq!(
            err.detail,
            "no TXT record was found at _validation-persist.wild.jp.; add one with the value \"ca.example.jp; accounturi=https://ca.example.jp/acme/acct/7; policy=wildcard\""
        );
    }

    /// The portal's record (shared::persist) is one the validator accepts.
    #[test]
    fn the_records_the_portal_shows_are_accepted() {
        let ids = issuers();
        for (coverage, wildcard) in [
            (vec!["example.jp", "www.example.jp"], false),
            (vec!["*.example.jp", "example.jp"], true),
        ] {
            let coverage: Vec<String> = coverage.into_iter().map(String::from).collect();
            for r in persist::records_for(&coverage, &ids[0], ACCOUNT) {
                for name in &r.covers {
                    let is_wild = name.starts_with("*.");
                    assert_eq!(
                        judge(&r.value, &request(&ids, is_wild)),
                        Verdict::Allows,
                        "{r:?} for {name}"
                    );
                }
                assert_eq!(r.wildcard, wildcard);
            }
        }
    }
}
