//! Usage FQDNs (利用FQDN): UTS-46 normalisation (R-FQDN-1), the registration type (R-FQDN-2) and
//! the names a registration covers (R-FQDN-3). The portal runs this in the browser as the
//! customer types; the server runs the same code for the API and for ACME orders.

use std::fmt;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use serde::{Deserialize, Serialize};

use crate::locale::Locale;

mod public_suffix;

pub const MAX_NAME_OCTETS: usize = 253;
pub const MAX_LABEL_OCTETS: usize = 63;

/// The certificate type of a registration (R-FQDN-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CertType {
    /// ドメイン認証型(DV)
    Dv,
    /// ドメイン認証型(DV・ワイルドカード)
    DvWildcard,
}

impl CertType {
    pub const ALL: [CertType; 2] = [CertType::Dv, CertType::DvWildcard];

    pub fn as_str(self) -> &'static str {
        match self {
            CertType::Dv => "dv",
            CertType::DvWildcard => "dv_wildcard",
        }
    }

    pub fn parse(s: &str) -> Option<CertType> {
        CertType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The product name as the seed writes it.
    pub fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (CertType::Dv, Locale::Ja) => "ドメイン認証型(DV)",
            (CertType::DvWildcard, Locale::Ja) => "ドメイン認証型(DV・ワイルドカード)",
            (CertType::Dv, Locale::En) => "Domain validated (DV)",
            (CertType::DvWildcard, Locale::En) => "Domain validated, wildcard (DV wildcard)",
        }
    }
}

/// Why a name cannot be registered (R-FQDN-1). Each has a stable code and a reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FqdnError {
    Empty,
    EmptyLabel,
    LabelTooLong { label: String, octets: usize },
    NameTooLong { octets: usize, max: usize },
    BadHyphen { label: String },
    InvalidCharacter { ch: char },
    InvalidUnicode,
    IpAddress,
    NumericTld,
    SingleLabel,
    PublicSuffix { suffix: String },
    UnknownTld { tld: String },
    MisplacedWildcard,
    WildcardNeedsType,
}

impl FqdnError {
    pub fn code(&self) -> &'static str {
        match self {
            FqdnError::Empty => "required",
            FqdnError::EmptyLabel => "empty_label",
            FqdnError::LabelTooLong { .. } => "label_too_long",
            FqdnError::NameTooLong { .. } => "name_too_long",
            FqdnError::BadHyphen { .. } => "bad_hyphen",
            FqdnError::InvalidCharacter { .. } => "invalid_character",
            FqdnError::InvalidUnicode => "invalid_unicode",
            FqdnError::IpAddress => "ip_address",
            FqdnError::NumericTld => "numeric_tld",
            FqdnError::SingleLabel => "single_label",
            FqdnError::PublicSuffix { .. } => "public_suffix",
            FqdnError::UnknownTld { .. } => "unknown_tld",
            FqdnError::MisplacedWildcard => "misplaced_wildcard",
            FqdnError::WildcardNeedsType => "wildcard_needs_type",
        }
    }

    /// The reason, for a person, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        use FqdnError::*;
        match locale {
            Locale::Ja => match self {
                Empty => "FQDNを入力してください。".into(),
                EmptyLabel => "ドット(.)が連続しているか、名前の先頭・末尾にあります。ドットは文字と文字の間に1つずつ入れてください。".into(),
                LabelTooLong { label, octets } => {
                    format!("ドットで区切られた部分「{label}」が長すぎます({octets}文字)。1つの部分は{MAX_LABEL_OCTETS}文字(英数字換算)までです。")
                }
                NameTooLong { octets, max } => format!("名前全体が長すぎます({octets}文字)。{max}文字(英数字換算)までです。"),
                BadHyphen { label } => {
                    format!("「{label}」のハイフン(-)の位置が使えません。ハイフンは先頭・末尾に置けず、3文字目と4文字目に続けて「--」と書くこともできません。")
                }
                InvalidCharacter { ch } => format!("ドメイン名に使えない文字「{ch}」が含まれています。"),
                InvalidUnicode => "ドメイン名として使えない文字の並びが含まれています。".into(),
                IpAddress => "IPアドレスは登録できません。ドメイン名を入力してください。".into(),
                NumericTld => "トップレベルドメインが数字だけのものは登録できません。".into(),
                SingleLabel => "「example.jp」のように、ドットを含む完全な名前を入力してください。".into(),
                PublicSuffix { suffix } => {
                    format!("「{suffix}」は公開サフィックスのため登録できません。その下の名前(例: example.{suffix})を入力してください。")
                }
                UnknownTld { tld } => format!("トップレベルドメイン「.{tld}」は存在しません。"),
                MisplacedWildcard => "「*」は先頭のラベル全体(例: *.example.jp)としてのみ使えます。".into(),
                WildcardNeedsType => {
                    "ワイルドカード(*.)の登録には、証明書の種類「ドメイン認証型(DV・ワイルドカード)」を選んでください。".into()
                }
            },
            Locale::En => match self {
                Empty => "enter an FQDN".into(),
                EmptyLabel => "has two dots in a row, or a dot at the start or end; put one dot between the parts of the name".into(),
                LabelTooLong { label, octets } => {
                    format!("the part {label:?} is too long ({octets} characters); each part between dots has at most {MAX_LABEL_OCTETS} (counted in ASCII)")
                }
                NameTooLong { octets, max } => format!("the name is too long ({octets} characters); at most {max} are allowed (counted in ASCII)"),
                BadHyphen { label } => {
                    format!("{label:?} has a hyphen (-) where none is allowed: not at the start or end of a part, and not \"--\" as the 3rd and 4th characters")
                }
                InvalidCharacter { ch } => format!("{ch:?} is not allowed in a domain name"),
                InvalidUnicode => "contains characters that cannot form a domain name".into(),
                IpAddress => "IP addresses cannot be registered; enter a domain name".into(),
                NumericTld => "the top-level label must not be all digits".into(),
                SingleLabel => "enter a full name with a dot, such as example.jp".into(),
                PublicSuffix { suffix } => {
                    format!("{suffix} is a public suffix and cannot be registered; enter a name under it, such as example.{suffix}")
                }
                UnknownTld { tld } => format!("the top-level domain .{tld} does not exist"),
                MisplacedWildcard => "\"*\" is allowed only as the whole leftmost label, as in *.example.jp".into(),
                WildcardNeedsType => "a wildcard (*.) needs the certificate type DV wildcard".into(),
            },
        }
    }
}

impl fmt::Display for FqdnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Locale::En))
    }
}

impl std::error::Error for FqdnError {}

/// A registration's name after normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Normalized {
    /// The registered name in A-label form, without any `*.` (e.g. `xn--r8jz45g.jp`).
    pub ascii: String,
    /// The same name in Unicode (e.g. `例え.jp`).
    pub unicode: String,
    pub cert_type: CertType,
    /// The names certificates for this registration may carry, A-label form (R-FQDN-3).
    pub coverage: Vec<String>,
    /// The same names in Unicode.
    pub coverage_unicode: Vec<String>,
}

impl Normalized {
    /// The name as the customer should read it, e.g. `*.example.jp` for a wildcard.
    pub fn display_ascii(&self) -> String {
        match self.cert_type {
            CertType::Dv => self.ascii.clone(),
            CertType::DvWildcard => format!("*.{}", self.ascii),
        }
    }
}

/// R-FQDN-3: exactly the names a registration of `base` (A-labels, no `*.`) covers.
pub fn coverage(base: &str, cert_type: CertType) -> Vec<String> {
    match cert_type {
        CertType::Dv => vec![base.to_owned(), format!("www.{base}")],
        CertType::DvWildcard => vec![format!("*.{base}"), base.to_owned()],
    }
}

/// Whether a certificate name (A-labels, lower case) is covered by a registration of `base`.
pub fn covers(base: &str, cert_type: CertType, name: &str) -> bool {
    coverage(base, cert_type).iter().any(|c| c == name)
}

fn to_unicode(ascii: &str) -> String {
    let (unicode, _) =
        Uts46::new().to_unicode(ascii.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    unicode.into_owned()
}

/// Normalises `input` for a registration of `cert_type` (R-FQDN-1, R-FQDN-2). For
/// `dv_wildcard`, `*.example.jp` and `example.jp` mean the same registration.
pub fn normalize(input: &str, cert_type: CertType) -> Result<Normalized, FqdnError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(FqdnError::Empty);
    }
    // One trailing dot (the absolute form) is accepted and dropped.
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    // Full-width forms of "*" and "." are folded by UTS-46 too; fold "*" first so "＊.例え.jp" works.
    let folded: String = trimmed
        .chars()
        .map(|c| if c == '＊' { '*' } else { c })
        .collect();
    let (wildcard, rest) = match folded.strip_prefix("*.") {
        Some(rest) => (true, rest.to_owned()),
        None => (false, folded.clone()),
    };
    if rest.contains('*') || folded == "*" {
        return Err(FqdnError::MisplacedWildcard);
    }
    if wildcard && cert_type == CertType::Dv {
        return Err(FqdnError::WildcardNeedsType);
    }
    if rest.parse::<std::net::Ipv4Addr>().is_ok() || rest.contains(':') || rest.starts_with('[') {
        return Err(FqdnError::IpAddress);
    }
    let ascii = Uts46::new()
        .to_ascii(
            rest.as_bytes(),
            AsciiDenyList::EMPTY,
            Hyphens::Allow,
            DnsLength::Ignore,
        )
        .map_err(|_| FqdnError::InvalidUnicode)?
        .into_owned();
    if ascii.is_empty() {
        return Err(FqdnError::Empty);
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Err(FqdnError::EmptyLabel);
    }
    for label in &labels {
        if let Some(ch) = label
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(FqdnError::InvalidCharacter { ch });
        }
        if label.len() > MAX_LABEL_OCTETS {
            return Err(FqdnError::LabelTooLong {
                label: (*label).to_owned(),
                octets: label.len(),
            });
        }
        let reserved_hyphens =
            label.len() >= 4 && &label[2..4] == "--" && !label.starts_with("xn--");
        if label.starts_with('-') || label.ends_with('-') || reserved_hyphens {
            return Err(FqdnError::BadHyphen {
                label: to_unicode(label),
            });
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            if labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
                FqdnError::IpAddress
            } else {
                FqdnError::NumericTld
            },
        );
    }
    if labels.len() < 2 {
        return Err(FqdnError::SingleLabel);
    }
    // Every covered name must itself be a valid name: `www.` (4 octets) or `*.` (2) is added.
    let extra = match cert_type {
        CertType::Dv => 4,
        CertType::DvWildcard => 2,
    };
    let max = MAX_NAME_OCTETS - extra;
    if ascii.len() > max {
        return Err(FqdnError::NameTooLong {
            octets: ascii.len(),
            max,
        });
    }
    match public_suffix::suffix(&ascii) {
        Some(suffix) if !suffix.known => {
            return Err(FqdnError::UnknownTld {
                tld: to_unicode(tld),
            });
        }
        Some(suffix) if suffix.name == ascii => {
            return Err(FqdnError::PublicSuffix {
                suffix: to_unicode(&ascii),
            });
        }
        None => {
            return Err(FqdnError::UnknownTld {
                tld: to_unicode(tld),
            })
        }
        Some(_) => {}
    }
    let coverage = coverage(&ascii, cert_type);
    let coverage_unicode = coverage.iter().map(|n| to_unicode(n)).collect();
    Ok(Normalized {
        unicode: to_unicode(&ascii),
        ascii,
        cert_type,
        coverage,
        coverage_unicode,
    })
}

/// The text of a name filter on a list (`?name=` on registrations and certificates): the part
/// of a name to look for, as it is stored (A-labels, lower case). Japanese text is converted
/// label by label, so `例え.jp` finds `xn--r8jz45g.jp`; ASCII is only lower-cased, so a part of
/// an A-label (`xn--r8j`) finds too. A leading `*.` is dropped (registrations store the base
/// name). Only letters, digits, dots and hyphens remain, so the text is safe inside `LIKE`.
pub fn search_text(input: &str) -> Result<String, FqdnError> {
    let trimmed = input.trim();
    let trimmed = trimmed.strip_prefix("*.").unwrap_or(trimmed);
    let text = if trimmed.is_ascii() {
        trimmed.to_ascii_lowercase()
    } else {
        Uts46::new()
            .to_ascii(
                trimmed.as_bytes(),
                AsciiDenyList::EMPTY,
                Hyphens::Allow,
                DnsLength::Ignore,
            )
            .map_err(|_| FqdnError::InvalidUnicode)?
            .into_owned()
    };
    if text.is_empty() {
        return Err(FqdnError::Empty);
    }
    if text.len() > MAX_NAME_OCTETS {
        return Err(FqdnError::NameTooLong {
            octets: text.len(),
            max: MAX_NAME_OCTETS,
        });
    }
    if let Some(ch) = text
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Err(FqdnError::InvalidCharacter { ch });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(input: &str, t: CertType) -> Normalized {
        normalize(input, t).unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    /// The seed's examples (SPEC §2 item 5, R-FQDN-1, R-FQDN-3).
    #[test]
    fn seed_examples() {
        let n = ok("例え.jp", CertType::Dv);
        assert_eq!(n.ascii, "xn--r8jz45g.jp");
        assert_eq!(n.unicode, "例え.jp");
        assert_eq!(n.coverage, ["xn--r8jz45g.jp", "www.xn--r8jz45g.jp"]);
        assert_eq!(n.coverage_unicode, ["例え.jp", "www.例え.jp"]);
        assert_eq!(
            ok("example.jp", CertType::Dv).coverage,
            ["example.jp", "www.example.jp"]
        );
        assert_eq!(
            ok("www.example.jp", CertType::Dv).coverage,
            ["www.example.jp", "www.www.example.jp"]
        );
        assert_eq!(
            ok("*.example.jp", CertType::DvWildcard).coverage,
            ["*.example.jp", "example.jp"]
        );
    }

    /// R-FQDN-2: `*.example.jp` and `example.jp` with the wildcard type are one registration.
    #[test]
    fn wildcard_spellings_are_the_same_registration() {
        assert_eq!(
            ok("*.example.jp", CertType::DvWildcard),
            ok("example.jp", CertType::DvWildcard)
        );
        assert_eq!(
            ok("*.example.jp", CertType::DvWildcard).display_ascii(),
            "*.example.jp"
        );
    }

    #[test]
    fn input_is_case_folded_trimmed_and_width_folded() {
        assert_eq!(
            ok("  WWW.Example.JP. ", CertType::Dv).ascii,
            "www.example.jp"
        );
        assert_eq!(ok("ｅｘａｍｐｌｅ．ｊｐ", CertType::Dv).ascii, "example.jp");
        assert_eq!(
            ok("＊.例え.jp", CertType::DvWildcard).ascii,
            "xn--r8jz45g.jp"
        );
        assert_eq!(ok("xn--r8jz45g.jp", CertType::Dv).unicode, "例え.jp");
        assert_eq!(ok("日本語.jp", CertType::Dv).ascii, "xn--wgv71a119e.jp");
    }

    /// R-FQDN-1: every refusal with its reason.
    #[test]
    fn invalid_names_are_refused_with_the_reason() {
        let long_label = format!("{}.jp", "a".repeat(64));
        let long_name = format!("{}.jp", vec!["a".repeat(60); 5].join("."));
        let table: &[(&str, CertType, &str)] = &[
            ("", CertType::Dv, "required"),
            ("   ", CertType::Dv, "required"),
            ("example..jp", CertType::Dv, "empty_label"),
            (".example.jp", CertType::Dv, "empty_label"),
            (&long_label, CertType::Dv, "label_too_long"),
            (&long_name, CertType::Dv, "name_too_long"),
            ("-example.jp", CertType::Dv, "bad_hyphen"),
            ("example-.jp", CertType::Dv, "bad_hyphen"),
            ("ab--cd.jp", CertType::Dv, "bad_hyphen"),
            ("exa_mple.jp", CertType::Dv, "invalid_character"),
            ("exa mple.jp", CertType::Dv, "invalid_character"),
            ("192.0.2.1", CertType::Dv, "ip_address"),
            ("2001:db8::1", CertType::Dv, "ip_address"),
            ("[2001:db8::1]", CertType::Dv, "ip_address"),
            ("example.123", CertType::Dv, "numeric_tld"),
            ("localhost", CertType::Dv, "single_label"),
            ("jp", CertType::Dv, "single_label"),
            ("co.jp", CertType::Dv, "public_suffix"),
            ("*.co.jp", CertType::DvWildcard, "public_suffix"),
            ("tokyo.jp", CertType::Dv, "public_suffix"),
            ("example.notatld", CertType::Dv, "unknown_tld"),
            (
                "www.*.example.jp",
                CertType::DvWildcard,
                "misplaced_wildcard",
            ),
            ("*example.jp", CertType::DvWildcard, "misplaced_wildcard"),
            ("*", CertType::DvWildcard, "misplaced_wildcard"),
            ("*.*.example.jp", CertType::DvWildcard, "misplaced_wildcard"),
            ("*.example.jp", CertType::Dv, "wildcard_needs_type"),
        ];
        for (input, t, code) in table {
            let err = normalize(input, *t).expect_err(input);
            assert_eq!(err.code(), *code, "{input}: {err}");
            assert!(!err.message(Locale::Ja).is_empty() && !err.message(Locale::En).is_empty());
        }
    }

    #[test]
    fn the_longest_names_still_cover_valid_names() {
        let label = "a".repeat(63);
        let name = |b: usize| format!("{label}.{label}.{label}.{}.jp", "b".repeat(b));
        assert_eq!(name(54).len(), 249);
        let n = ok(&name(54), CertType::Dv);
        assert!(n.coverage.iter().all(|c| c.len() <= MAX_NAME_OCTETS));
        let err = normalize(&name(55), CertType::Dv).unwrap_err();
        assert_eq!(
            err,
            FqdnError::NameTooLong {
                octets: 250,
                max: 249
            }
        );
    }

    #[test]
    fn covers_exactly_the_coverage() {
        assert!(covers("example.jp", CertType::Dv, "www.example.jp"));
        assert!(!covers("example.jp", CertType::Dv, "mail.example.jp"));
        assert!(!covers("example.jp", CertType::Dv, "*.example.jp"));
        assert!(covers("example.jp", CertType::DvWildcard, "*.example.jp"));
        assert!(!covers(
            "example.jp",
            CertType::DvWildcard,
            "www.example.jp"
        ));
    }

    fn label() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?",
            "[あ-んア-ン一-龥]{1,6}",
            "[A-Za-z0-9ａ-ｚ]{1,10}",
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(label(), 1..4),
            prop_oneof![Just("jp"), Just("com"), Just("co.jp"), Just("日本")],
        )
            .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
    }

    proptest! {
        /// Normalising twice changes nothing.
        #[test]
        fn normalisation_is_idempotent(input in name(), wild in any::<bool>()) {
            let t = if wild { CertType::DvWildcard } else { CertType::Dv };
            if let Ok(once) = normalize(&input, t) {
                prop_assert_eq!(normalize(&once.ascii, t), Ok(once.clone()));
                prop_assert_eq!(normalize(&once.unicode, t), Ok(once.clone()));
            }
        }

        /// Every covered name is itself valid.
        #[test]
        fn every_covered_name_is_valid(input in name(), wild in any::<bool>()) {
            let t = if wild { CertType::DvWildcard } else { CertType::Dv };
            if let Ok(n) = normalize(&input, t) {
                for c in &n.coverage {
                    let bare = c.strip_prefix("*.").unwrap_or(c);
                    prop_assert!(normalize(bare, CertType::Dv).is_ok() || bare.len() > MAX_NAME_OCTETS - 4, "{}", c);
                    prop_assert!(c.len() <= MAX_NAME_OCTETS);
                }
            }
        }
    }

    #[test]
    fn search_text_is_the_stored_form_and_safe_in_like() {
        let ok = [
            ("Example.JP", "example.jp"),
            ("  ample ", "ample"),
            ("*.example.jp", "example.jp"),
            ("例え.jp", "xn--r8jz45g.jp"),
            ("ＥＸＡＭＰＬＥ．jp", "example.jp"),
            ("xn--r8j", "xn--r8j"),
            ("a-b.", "a-b."),
        ];
        for (input, want) in ok {
            assert_eq!(search_text(input).as_deref(), Ok(want), "{input}");
        }
        let refused = [
            ("", "required"),
            ("   ", "required"),
            ("*.", "required"),
            ("50%", "invalid_character"),
            ("a_b", "invalid_character"),
            ("a*b", "invalid_character"),
            ("a b", "invalid_character"),
        ];
        for (input, code) in refused {
            assert_eq!(
                search_text(input).map_err(|e| e.code()),
                Err(code),
                "{input}"
            );
        }
        assert_eq!(
            search_text(&"a".repeat(254)).map_err(|e| e.code()),
            Err("name_too_long")
        );
    }
}
