//! ACME certificate profiles (R-ACME-9, draft-ietf-acme-profiles): named kinds of certificate a
//! client may ask for in newOrder, each with a description (Japanese and English), a validity in
//! days, the products (registration types) that may use it, and whether its certificates are BR
//! short-lived subscriber certificates (BR 1.6.1: at most 7 days; their revocation is optional,
//! BR 4.9.1.1). Short-lived leaves still carry the CRL distribution point: the BR would let them
//! omit it (7.1.2.11.2), but the Microsoft Root Program does not (3.A.5, pkilint's
//! `msft.end_entity.revocation_information_absent`), and every profile must pass pkilint (R-CA-6).
//!
//! They come from `CERTDIRECT_ACME_PROFILES` (a JSON array; in the TOML file an array of tables)
//! and `CERTDIRECT_ACME_DEFAULT_PROFILE`; unset, `classic` (the configured validity, 90 days by
//! default) and `shortlived` (6 days). Parsing and the choice for an order are pure functions,
//! table-tested here.

use serde::Deserialize;
use shared::dto::Locale;
use shared::fqdn::CertType;

/// The longest validity of a profile (the configuration's ceiling of R-CA-2: under the 200-day
/// BR maximum of 2026; the BR maximum of the day still caps every certificate).
pub const MAX_DAYS: i64 = 199;

/// The longest validity of a short-lived profile: 7 days (BR 1.6.1 from 2026-03-15) less the
/// minute notBefore is backdated, in whole days.
pub const MAX_SHORT_LIVED_DAYS: i64 = 6;

/// One profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The name clients send, e.g. `shortlived`.
    pub name: String,
    pub description_en: String,
    pub description_ja: String,
    pub validity_days: i64,
    /// The registration types whose names may be issued under it.
    pub products: Vec<CertType>,
    /// BR short-lived subscriber certificates (at most [`MAX_SHORT_LIVED_DAYS`]).
    pub short_lived: bool,
}

impl Profile {
    pub fn description(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ja => &self.description_ja,
            Locale::En => &self.description_en,
        }
    }

    pub fn allows(&self, product: CertType) -> bool {
        self.products.contains(&product)
    }
}

/// The configured profiles and the default one (always one of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profiles {
    list: Vec<Profile>,
    default: usize,
}

/// Why an order cannot have the profile it asked for (`invalidProfile`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("this server has no profile {requested:?}; the profiles are {}", offered.join(", "))]
    Unknown {
        requested: String,
        offered: Vec<String>,
    },
    #[error(
        "the profile {profile:?} is not offered for {} names; it is for {} only{}",
        product.as_str(),
        allowed.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" and "),
        if others.is_empty() { String::new() } else { format!(" (for {} names use {})", product.as_str(), others.join(" or ")) }
    )]
    NotForProduct {
        profile: String,
        product: CertType,
        allowed: Vec<CertType>,
        /// The profiles that are offered for `product`.
        others: Vec<String>,
    },
}

/// One profile as configured.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    name: String,
    description: Description,
    #[serde(default)]
    days: Option<i64>,
    #[serde(default)]
    products: Option<Vec<String>>,
    #[serde(default)]
    short_lived: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Description {
    One(String),
    Both {
        en: String,
        #[serde(default)]
        ja: Option<String>,
    },
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

impl Profiles {
    /// `classic` (`classic_days`, the default) and `shortlived` (6 days, short-lived), both for
    /// every product.
    pub fn defaults(classic_days: i64) -> Profiles {
        Profiles {
            list: Self::default_list(classic_days),
            default: 0,
        }
    }

    /// The two default profiles, `classic` first.
    pub fn default_list(classic_days: i64) -> Vec<Profile> {
        vec![
                Profile {
                    name: "classic".into(),
                    description_en: format!(
                        "{classic_days}-day certificates with a CRL distribution point (the default)"
                    ),
                    description_ja: format!(
                        "有効期間{classic_days}日の証明書(CRL配布点あり。既定のプロファイル)"
                    ),
                    validity_days: classic_days,
                    products: CertType::ALL.to_vec(),
                    short_lived: false,
                },
                Profile {
                    name: "shortlived".into(),
                    description_en: "6-day short-lived certificates (BR short-lived subscriber certificates); renew every 2 to 3 days".into(),
                    description_ja: "有効期間6日の短期証明書(BRの短期加入者証明書)。2〜3日ごとに更新してください".into(),
                    validity_days: MAX_SHORT_LIVED_DAYS,
                    products: CertType::ALL.to_vec(),
                    short_lived: true,
                },
        ]
    }

    /// Parses `CERTDIRECT_ACME_PROFILES` (a JSON array of
    /// `{"name", "description": "…" | {"en", "ja"}, "days"?, "products"?, "short_lived"?}`);
    /// `days` defaults to `default_days` (CERTDIRECT_CERT_VALIDITY_DAYS), `products` to every
    /// product. Errors name the profile and the field.
    pub fn parse(json: &str, default_days: i64) -> Result<Vec<Profile>, String> {
        let specs: Vec<Spec> = serde_json::from_str(json).map_err(|e| {
            format!("must be a JSON array of profiles ({{\"name\", \"description\", \"days\", \"products\", \"short_lived\"}}): {e}")
        })?;
        if specs.is_empty() {
            return Err("must name at least one profile".into());
        }
        let mut list: Vec<Profile> = Vec::with_capacity(specs.len());
        for (i, spec) in specs.into_iter().enumerate() {
            let at = format!("profile {} ({:?})", i + 1, spec.name);
            if !valid_name(&spec.name) {
                return Err(format!(
                    "{at}: the name must be 1 to 64 lower-case letters, digits, '-', '_' or '.', starting with a letter or digit"
                ));
            }
            if list.iter().any(|p| p.name == spec.name) {
                return Err(format!("{at}: the name is given twice"));
            }
            let (en, ja) = match spec.description {
                Description::One(text) => (text.clone(), text),
                Description::Both { en, ja } => (en.clone(), ja.unwrap_or(en)),
            };
            if en.trim().is_empty() || ja.trim().is_empty() {
                return Err(format!("{at}: the description must not be empty"));
            }
            let days = spec.days.unwrap_or(default_days);
            if !(1..=MAX_DAYS).contains(&days) {
                return Err(format!(
                    "{at}: days must be 1 to {MAX_DAYS}, not {days} (R-CA-2)"
                ));
            }
            if spec.short_lived && days > MAX_SHORT_LIVED_DAYS {
                return Err(format!(
                    "{at}: a short_lived profile may be at most {MAX_SHORT_LIVED_DAYS} days, not {days}: a BR short-lived subscriber certificate is valid 7 days at most, and notBefore is backdated a minute"
                ));
            }
            let products = match spec.products {
                None => CertType::ALL.to_vec(),
                Some(names) if names.is_empty() => {
                    return Err(format!(
                        "{at}: products must name at least one of dv, dv_wildcard"
                    ))
                }
                Some(names) => {
                    let mut out = Vec::new();
                    for n in names {
                        let t = CertType::parse(&n).ok_or_else(|| {
                            format!("{at}: products: {n:?} is not a product; use dv or dv_wildcard")
                        })?;
                        if !out.contains(&t) {
                            out.push(t);
                        }
                    }
                    out
                }
            };
            list.push(Profile {
                name: spec.name,
                description_en: en.trim().to_owned(),
                description_ja: ja.trim().to_owned(),
                validity_days: days,
                products,
                short_lived: spec.short_lived,
            });
        }
        Ok(list)
    }

    /// The profiles with their default: `default_name` (CERTDIRECT_ACME_DEFAULT_PROFILE), else
    /// `classic` when there is one, else the first. The default must be offered for every
    /// product, since a client that names no profile gets it.
    pub fn new(list: Vec<Profile>, default_name: Option<&str>) -> Result<Profiles, String> {
        if list.is_empty() {
            return Err("must name at least one profile".into());
        }
        let default = match default_name {
            Some(name) => list.iter().position(|p| p.name == name).ok_or_else(|| {
                format!(
                    "the default profile {name:?} is not one of {}",
                    list.iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?,
            None => list.iter().position(|p| p.name == "classic").unwrap_or(0),
        };
        let chosen = &list[default];
        if let Some(missing) = CertType::ALL.into_iter().find(|t| !chosen.allows(*t)) {
            return Err(format!(
                "the default profile {:?} must be offered for every product (a client that names no profile gets it), but not for {}",
                chosen.name,
                missing.as_str()
            ));
        }
        Ok(Profiles { list, default })
    }

    /// Every profile, in configuration order.
    pub fn all(&self) -> &[Profile] {
        &self.list
    }

    pub fn default_profile(&self) -> &Profile {
        &self.list[self.default]
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.list.iter().find(|p| p.name == name)
    }

    /// The profile of a new order: the one `requested` (or the default), which must be offered
    /// for every product among `products` (the types of the registrations covering its names).
    pub fn choose(
        &self,
        requested: Option<&str>,
        products: &[CertType],
    ) -> Result<&Profile, ProfileError> {
        let profile = match requested {
            None => self.default_profile(),
            Some(name) => self.get(name).ok_or_else(|| ProfileError::Unknown {
                requested: name.to_owned(),
                offered: self.list.iter().map(|p| p.name.clone()).collect(),
            })?,
        };
        if let Some(product) = products.iter().copied().find(|t| !profile.allows(*t)) {
            return Err(ProfileError::NotForProduct {
                profile: profile.name.clone(),
                product,
                allowed: profile.products.clone(),
                others: self
                    .list
                    .iter()
                    .filter(|p| products.iter().all(|t| p.allows(*t)))
                    .map(|p| p.name.clone())
                    .collect(),
            });
        }
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(json: &str, days: i64, default: Option<&str>) -> Result<Profiles, String> {
        Profiles::new(Profiles::parse(json, days)?, default)
    }

    #[test]
    fn the_defaults_are_classic_and_shortlived() {
        let p = Profiles::defaults(90);
        assert_eq!(p.default_profile().name, "classic");
        assert_eq!(p.default_profile().validity_days, 90);
        let short = p.get("shortlived").unwrap();
        assert_eq!((short.validity_days, short.short_lived), (6, true));
        assert!(short.description(Locale::Ja).contains("6日"));
        assert!(short.description(Locale::En).contains("6-day"));
        assert!(p.all().iter().all(|p| p.products == CertType::ALL));
    }

    #[test]
    fn configured_profiles_parse_with_defaults() {
        let p = profiles(
            r#"[{"name":"tls-server","description":{"en":"Server","ja":"サーバー"},"days":45,"products":["dv"]},
                {"name":"classic","description":"Classic"},
                {"name":"week","description":"Short","days":6,"short_lived":true,"products":["dv","dv_wildcard","dv"]}]"#,
            90,
            None,
        )
        .unwrap();
        assert_eq!(p.default_profile().name, "classic", "classic when present");
        assert_eq!(p.get("classic").unwrap().validity_days, 90);
        assert_eq!(p.get("classic").unwrap().description_ja, "Classic");
        assert_eq!(p.get("tls-server").unwrap().products, [CertType::Dv]);
        assert_eq!(p.get("week").unwrap().products, CertType::ALL);
        let first = profiles(r#"[{"name":"a","description":"A"}]"#, 30, None).unwrap();
        assert_eq!(first.default_profile().name, "a", "else the first");
        let named = profiles(
            r#"[{"name":"a","description":"A"},{"name":"b","description":"B"}]"#,
            30,
            Some("b"),
        )
        .unwrap();
        assert_eq!(named.default_profile().name, "b");
    }

    #[test]
    fn bad_profiles_say_which_and_why() {
        for (json, default, says) in [
            ("nope", None, "JSON array"),
            ("[]", None, "at least one"),
            (
                r#"[{"name":"A","description":"x"}]"#,
                None,
                "profile 1 (\"A\"): the name",
            ),
            (
                r#"[{"name":"a","description":"x"},{"name":"a","description":"y"}]"#,
                None,
                "profile 2 (\"a\"): the name is given twice",
            ),
            (
                r#"[{"name":"a","description":""}]"#,
                None,
                "description must not be empty",
            ),
            (
                r#"[{"name":"a","description":"x","days":200}]"#,
                None,
                "days must be 1 to 199, not 200",
            ),
            (
                r#"[{"name":"a","description":"x","days":0}]"#,
                None,
                "not 0",
            ),
            (
                r#"[{"name":"a","description":"x","days":7,"short_lived":true}]"#,
                None,
                "at most 6 days, not 7",
            ),
            (
                r#"[{"name":"a","description":"x","products":["ov"]}]"#,
                None,
                "\"ov\" is not a product",
            ),
            (
                r#"[{"name":"a","description":"x","products":[]}]"#,
                None,
                "at least one of dv",
            ),
            (
                r#"[{"name":"a","description":"x","dayz":3}]"#,
                None,
                "unknown field `dayz`",
            ),
            (
                r#"[{"name":"a","description":"x"}]"#,
                Some("b"),
                "default profile \"b\"",
            ),
            (
                r#"[{"name":"a","description":"x","products":["dv"]}]"#,
                None,
                "not for dv_wildcard",
            ),
        ] {
            let e = profiles(json, 90, default).unwrap_err();
            assert!(e.contains(says), "{json}: {e}");
        }
    }

    #[test]
    fn an_order_gets_the_profile_it_asks_for_if_its_products_may() {
        let p = profiles(
            r#"[{"name":"classic","description":"c"},
                {"name":"dvonly","description":"d","products":["dv"]},
                {"name":"wild","description":"w","products":["dv_wildcard"]}]"#,
            90,
            None,
        )
        .unwrap();
        use CertType::{Dv, DvWildcard};
        for (requested, products, expect) in [
            (None, &[Dv][..], Ok("classic")),
            (Some("dvonly"), &[Dv][..], Ok("dvonly")),
            (Some("wild"), &[DvWildcard][..], Ok("wild")),
            (Some("dvonly"), &[Dv, DvWildcard][..], Err("not offered for dv_wildcard names; it is for dv only (for dv_wildcard names use classic)")),
            (Some("wild"), &[Dv][..], Err("\"wild\" is not offered for dv names; it is for dv_wildcard only (for dv names use classic or dvonly)")),
            (Some("nope"), &[Dv][..], Err("no profile \"nope\"; the profiles are classic, dvonly, wild")),
        ] {
            let got = p
                .choose(requested, products)
                .map(|p| p.name.as_str())
                .map_err(|e| e.to_string());
            match (got, expect) {
                (Ok(name), Ok(want)) => assert_eq!(name, want),
                (Err(e), Err(want)) => assert!(e.contains(want), "{requested:?}: {e}"),
                (got, want) => panic!("{requested:?} {products:?}: {got:?}, wanted {want:?}"),
            }
        }
    }
}
