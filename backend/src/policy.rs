//! May this customer have this name now? (R-FQDN-3/5/6/7, R-ACME-4) — pure functions over the
//! customer's registrations and a time, so every case is a row in a table test.

use chrono::{DateTime, Utc};
use shared::billing::RegistrationState;
use shared::fqdn::{self, CertType};

use crate::store::entity::registration;

/// Why an identifier is refused, for the `rejectedIdentifier` subproblem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub name: String,
    pub detail: String,
}

/// The registration that covers `name` (A-labels, lower case, `*.` for wildcards) and may issue
/// now, or why none does.
pub fn authorize<'a>(
    name: &str,
    registrations: &'a [registration::Model],
    now: DateTime<Utc>,
) -> Result<&'a registration::Model, String> {
    let covering: Vec<&registration::Model> = registrations
        .iter()
        .filter(|r| fqdn::covers(&r.fqdn, r.cert_type(), name))
        .collect();
    // Prefer a live registration; among the others the newest explains best.
    let best = covering
        .iter()
        .copied()
        .find(|r| r.state().is_live())
        .or_else(|| covering.iter().copied().max_by_key(|r| r.id));
    let Some(reg) = best else {
        return Err(uncovered(name, registrations));
    };
    let what = format!(
        "the {} registration of {}",
        reg.cert_type().as_str(),
        display(reg)
    );
    match reg.state() {
        RegistrationState::Registered if reg.deadline.is_some_and(|d| d < now) => Err(format!(
            "{what} lapsed: no certificate was issued by its deadline (R-FQDN-6)"
        )),
        RegistrationState::Active if reg.contract_end.is_some_and(|e| e <= now) => Err(format!(
            "{what} has expired: its contract period is over; renew it in the portal"
        )),
        RegistrationState::Registered | RegistrationState::Active => Ok(reg),
        RegistrationState::AwaitingPayment => {
            Err(format!("{what} is awaiting payment; pay its invoice first"))
        }
        RegistrationState::Lapsed => Err(format!(
            "{what} lapsed: no certificate was issued by its deadline (R-FQDN-6)"
        )),
        RegistrationState::Expired => Err(format!(
            "{what} has expired: its contract period is over; renew it in the portal"
        )),
        RegistrationState::Cancelled => {
            Err(format!("{what} was cancelled; register the name again"))
        }
    }
}

fn display(reg: &registration::Model) -> String {
    match reg.cert_type() {
        CertType::Dv => reg.fqdn.clone(),
        CertType::DvWildcard => format!("*.{}", reg.fqdn),
    }
}

/// Explains why no registration covers `name`, naming a related registration when there is one.
fn uncovered(name: &str, registrations: &[registration::Model]) -> String {
    let bare = name.strip_prefix("*.").unwrap_or(name);
    let related = registrations
        .iter()
        .filter(|r| r.state().is_live())
        .find(|r| bare == r.fqdn || bare.ends_with(&format!(".{}", r.fqdn)));
    match related {
        Some(r) if name.starts_with("*.") && r.cert_type() == CertType::Dv => format!(
            "{name} is a wildcard, but {} is registered as dv (which covers {}); a wildcard needs a dv_wildcard registration",
            r.fqdn,
            fqdn::coverage(&r.fqdn, CertType::Dv).join(" and ")
        ),
        Some(r) => format!(
            "{name} is not covered by the {} registration of {}, which covers exactly {}",
            r.cert_type().as_str(),
            display(r),
            fqdn::coverage(&r.fqdn, r.cert_type()).join(" and ")
        ),
        None => format!("no usage FQDN registration of yours covers {name}; register it in the portal first"),
    }
}

/// Authorizes every name; all refusals are returned together.
pub fn authorize_all<'a>(
    names: &[String],
    registrations: &'a [registration::Model],
    now: DateTime<Utc>,
) -> Result<Vec<&'a registration::Model>, Vec<Refusal>> {
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for name in names {
        match authorize(name, registrations, now) {
            Ok(r) => {
                if !ok.iter().any(|o: &&registration::Model| o.id == r.id) {
                    ok.push(r);
                }
            }
            Err(detail) => refused.push(Refusal {
                name: name.clone(),
                detail,
            }),
        }
    }
    if refused.is_empty() {
        Ok(ok)
    } else {
        Err(refused)
    }
}

/// The registration names that can cover or explain `names` (R-ACME-12): each name without
/// `*.` and every parent of it. Coverage (R-FQDN-3) only ever reaches a name from its own
/// registration, the one without a leading `www.`, or the wildcard of the name itself, all of
/// them here; the parents also let a refusal name a related registration. A handful of names
/// per identifier, so the registrations are found by index, never by loading the portfolio.
pub fn candidate_fqdns(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let mut rest = name.strip_prefix("*.").unwrap_or(name);
        loop {
            if !out.iter().any(|o| o == rest) {
                out.push(rest.to_owned());
            }
            match rest.split_once('.') {
                Some((_, parent)) if parent.contains('.') => rest = parent,
                _ => break,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn reg(id: i64, fqdn: &str, t: CertType, state: RegistrationState) -> registration::Model {
        registration::Model {
            id,
            customer_id: 1,
            fqdn: fqdn.into(),
            live_fqdn: state.is_live().then(|| fqdn.to_owned()),
            cert_type: t.as_str().into(),
            state: state.as_str().into(),
            contract_years: 1,
            created_at: now(),
            registered_at: None,
            deadline: Some(now() + Duration::days(300)),
            activated_at: None,
            contract_end: (state == RegistrationState::Active).then(|| now() + Duration::days(100)),
            ended_at: None,
            updated_at: now(),
        }
    }

    /// R-ACME-4: each identifier against the customer's registrations.
    #[test]
    fn authorization_table() {
        use CertType::*;
        use RegistrationState::*;
        let regs = vec![
            reg(1, "example.jp", Dv, Registered),
            reg(2, "wild.jp", DvWildcard, Active),
            reg(3, "unpaid.jp", Dv, AwaitingPayment),
            reg(4, "gone.jp", Dv, Lapsed),
            reg(5, "old.jp", Dv, Expired),
            reg(6, "www.example2.jp", Dv, Active),
        ];
        let table: &[(&str, Result<i64, &str>)] = &[
            ("example.jp", Ok(1)),
            ("www.example.jp", Ok(1)),
            (
                "mail.example.jp",
                Err("not covered by the dv registration of example.jp"),
            ),
            ("*.example.jp", Err("needs a dv_wildcard registration")),
            ("*.wild.jp", Ok(2)),
            ("wild.jp", Ok(2)),
            (
                "www.wild.jp",
                Err("not covered by the dv_wildcard registration of *.wild.jp"),
            ),
            ("unpaid.jp", Err("awaiting payment")),
            ("gone.jp", Err("lapsed")),
            ("old.jp", Err("expired")),
            ("www.www.example2.jp", Ok(6)),
            (
                "nobody.jp",
                Err("no usage FQDN registration of yours covers nobody.jp"),
            ),
        ];
        for (name, want) in table {
            match (authorize(name, &regs, now()), want) {
                (Ok(r), Ok(id)) => assert_eq!(r.id, *id, "{name}"),
                (Err(detail), Err(part)) => assert!(detail.contains(part), "{name}: {detail}"),
                (got, want) => panic!("{name}: got {:?}, want {want:?}", got.map(|r| r.id)),
            }
        }
    }

    #[test]
    fn deadlines_and_contract_ends_apply_before_the_scheduler_runs() {
        let mut r = reg(1, "example.jp", CertType::Dv, RegistrationState::Registered);
        r.deadline = Some(now() - Duration::seconds(1));
        assert!(authorize("example.jp", std::slice::from_ref(&r), now())
            .unwrap_err()
            .contains("lapsed"));
        let mut a = reg(2, "example.jp", CertType::Dv, RegistrationState::Active);
        a.contract_end = Some(now());
        assert!(authorize("example.jp", &[a], now())
            .unwrap_err()
            .contains("expired"));
    }

    #[test]
    fn all_refusals_are_reported_together() {
        let regs = vec![reg(
            1,
            "example.jp",
            CertType::Dv,
            RegistrationState::Registered,
        )];
        let names = vec!["example.jp".into(), "a.example.jp".into(), "b.jp".into()];
        let refused = authorize_all(&names, &regs, now()).unwrap_err();
        assert_eq!(
            refused.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["a.example.jp", "b.jp"]
        );
        let ok = authorize_all(
            &["example.jp".into(), "www.example.jp".into()],
            &regs,
            now(),
        )
        .unwrap();
        assert_eq!(ok.len(), 1, "one registration, listed once");
    }

    /// Every registration that can cover a name is among its candidates, and the list stays
    /// small and free of duplicates (R-ACME-12).
    #[test]
    fn candidates_hold_every_covering_registration() {
        let names = vec![
            "www.shop.example.jp".to_owned(),
            "*.example.jp".to_owned(),
            "example.jp".to_owned(),
        ];
        let c = candidate_fqdns(&names);
        assert_eq!(c, ["www.shop.example.jp", "shop.example.jp", "example.jp"]);
        for (reg, t) in [
            ("www.shop.example.jp", CertType::Dv),
            ("shop.example.jp", CertType::Dv),
            ("example.jp", CertType::DvWildcard),
        ] {
            assert!(names.iter().any(|n| fqdn::covers(reg, t, n)));
            assert!(c.iter().any(|x| x == reg), "{reg}");
        }
        assert!(candidate_fqdns(&["a.b.c.d.e.f.example.jp".to_owned()]).len() <= 7);
    }
}
