//! ACME rate limits (R-ACME-10): per-account and per-address limits on newAccount, newOrder and
//! failed validations, counted in fixed windows in the database (so every process counts
//! together) before the work they guard (R-CUS-4), and refused with `rateLimited` and the
//! seconds until the window ends (`Retry-After`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};

/// A limited action and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    NewAccountPerAddress,
    NewOrderPerAccount,
    NewOrderPerAddress,
    FailedValidationPerAccount,
}

impl Limit {
    pub const ALL: [Limit; 4] = [
        Limit::NewAccountPerAddress,
        Limit::NewOrderPerAccount,
        Limit::NewOrderPerAddress,
        Limit::FailedValidationPerAccount,
    ];

    /// The name used in configuration and in counter keys.
    pub fn name(self) -> &'static str {
        match self {
            Limit::NewAccountPerAddress => "new_account_per_address",
            Limit::NewOrderPerAccount => "new_order_per_account",
            Limit::NewOrderPerAddress => "new_order_per_address",
            Limit::FailedValidationPerAccount => "failed_validation_per_account",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Limit::NewAccountPerAddress => "new accounts from this address",
            Limit::NewOrderPerAccount => "new orders of this account",
            Limit::NewOrderPerAddress => "new orders from this address",
            Limit::FailedValidationPerAccount => "failed validations of this account",
        }
    }
}

/// At most `max` in each window of `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub max: u32,
    pub window_secs: i64,
}

/// The configured limits (`CERTDIRECT_ACME_RATE_LIMITS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeLimits(pub Vec<(Limit, Rule)>);

impl Default for AcmeLimits {
    fn default() -> Self {
        let hour = 3600;
        AcmeLimits(vec![
            (
                Limit::NewAccountPerAddress,
                Rule {
                    max: 20,
                    window_secs: hour,
                },
            ),
            (
                Limit::NewOrderPerAccount,
                Rule {
                    max: 3000,
                    window_secs: hour,
                },
            ),
            (
                Limit::NewOrderPerAddress,
                Rule {
                    max: 6000,
                    window_secs: hour,
                },
            ),
            (
                Limit::FailedValidationPerAccount,
                Rule {
                    max: 60,
                    window_secs: hour,
                },
            ),
        ])
    }
}

impl AcmeLimits {
    /// Parses `name=MAX/PERIOD` pairs separated by commas (PERIOD: `s`, `m`, `h`, `d` or a
    /// number of seconds); names not given keep their defaults.
    pub fn parse(spec: &str) -> Result<AcmeLimits, String> {
        let mut limits = AcmeLimits::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not name=max/period"))?;
            let limit = Limit::ALL
                .into_iter()
                .find(|l| l.name() == name.trim())
                .ok_or_else(|| {
                    format!(
                        "{name:?} is not a limit; the limits are {}",
                        Limit::ALL.map(Limit::name).join(", ")
                    )
                })?;
            let (max, period) = value
                .split_once('/')
                .ok_or_else(|| format!("{part:?}: the value must be max/period, e.g. 300/h"))?;
            let max: u32 = max
                .trim()
                .parse()
                .map_err(|_| format!("{part:?}: {max:?} is not a whole number"))?;
            let window_secs =
                match period.trim() {
                    "s" => 1,
                    "m" => 60,
                    "h" => 3600,
                    "d" => 86_400,
                    n => n.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("{part:?}: the period must be s, m, h, d or seconds")
                    })?,
                };
            let rule = Rule { max, window_secs };
            match limits.0.iter_mut().find(|(l, _)| *l == limit) {
                Some(slot) => slot.1 = rule,
                None => limits.0.push((limit, rule)),
            }
        }
        Ok(limits)
    }

    pub fn rule(&self, limit: Limit) -> Option<Rule> {
        self.0.iter().find(|(l, _)| *l == limit).map(|(_, r)| *r)
    }

    /// The limits as the directory's documentation page lists them.
    pub fn describe(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|(l, r)| format!("{}: {} per {} s", l.what(), r.max, r.window_secs))
            .collect()
    }
}

/// A limit reached: what, and how long until its window ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: Limit,
    pub rule: Rule,
    pub retry_after_secs: i64,
}

impl Exceeded {
    pub fn detail(&self) -> String {
        format!(
            "too many {}: at most {} per {} seconds; retry after {} seconds",
            self.limit.what(),
            self.rule.max,
            self.rule.window_secs,
            self.retry_after_secs
        )
    }
}

fn window(rule: Rule, now: DateTime<Utc>) -> (DateTime<Utc>, i64) {
    let secs = now.timestamp();
    let start = secs - secs.rem_euclid(rule.window_secs);
    let start_at = DateTime::<Utc>::from_timestamp(start, 0).unwrap_or(now);
    (start_at, start + rule.window_secs - secs)
}

fn key(limit: Limit, subject: &str) -> String {
    format!("{}:{subject}", limit.name())
}

/// Counts one `limit` event for `subject` and says whether it is within the limit (the event
/// is counted either way, so retries while refused do not reset the window). One statement.
pub async fn hit(
    db: &impl ConnectionTrait,
    limits: &AcmeLimits,
    limit: Limit,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), Exceeded>, DbErr> {
    let Some(rule) = limits.rule(limit) else {
        return Ok(Ok(()));
    };
    let (start, left) = window(rule, now);
    let table = Alias::new("rate_counters");
    let insert = Query::insert()
        .into_table(table.clone())
        .columns([
            Alias::new("key"),
            Alias::new("window_start"),
            Alias::new("count"),
        ])
        .values_panic([key(limit, subject).into(), start.into(), 1.into()])
        .on_conflict(
            OnConflict::columns([Alias::new("key"), Alias::new("window_start")])
                .value(
                    Alias::new("count"),
                    Expr::col((table, Alias::new("count"))).add(1),
                )
                .to_owned(),
        )
        .returning_col(Alias::new("count"))
        .to_owned();
    let backend = db.get_database_backend();
    let row = db.query_one(backend.build(&insert)).await?;
    let count: i32 = row
        .map(|r| r.try_get("", "count"))
        .transpose()?
        .unwrap_or(1);
    Ok(verdict(limit, rule, count, left))
}

/// Whether `subject` is already over `limit` (counted elsewhere), without counting.
pub async fn check(
    db: &impl ConnectionTrait,
    limits: &AcmeLimits,
    limit: Limit,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), Exceeded>, DbErr> {
    let Some(rule) = limits.rule(limit) else {
        return Ok(Ok(()));
    };
    let (start, left) = window(rule, now);
    let select = Query::select()
        .column(Alias::new("count"))
        .from(Alias::new("rate_counters"))
        .and_where(Expr::col(Alias::new("key")).eq(key(limit, subject)))
        .and_where(Expr::col(Alias::new("window_start")).eq(start))
        .to_owned();
    let backend = db.get_database_backend();
    let count: i32 = match db.query_one(backend.build(&select)).await? {
        Some(r) => r.try_get("", "count")?,
        None => 0,
    };
    // At the limit already: the next event would pass it.
    Ok(verdict(limit, rule, count.saturating_add(1), left))
}

fn verdict(limit: Limit, rule: Rule, count: i32, left: i64) -> Result<(), Exceeded> {
    if i64::from(count) > i64::from(rule.max) {
        Err(Exceeded {
            limit,
            rule,
            retry_after_secs: left.max(1),
        })
    } else {
        Ok(())
    }
}

/// Deletes counters of windows that ended more than a day ago.
pub async fn purge(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let delete = Query::delete()
        .from_table(Alias::new("rate_counters"))
        .and_where(Expr::col(Alias::new("window_start")).lt(now - chrono::Duration::days(2)))
        .to_owned();
    Ok(db.execute(backend.build(&delete)).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_with_defaults_and_name_what_is_wrong() {
        let l =
            AcmeLimits::parse("new_order_per_account=5/m, failed_validation_per_account=2/3600")
                .unwrap();
        assert_eq!(
            l.rule(Limit::NewOrderPerAccount),
            Some(Rule {
                max: 5,
                window_secs: 60
            })
        );
        assert_eq!(
            l.rule(Limit::FailedValidationPerAccount),
            Some(Rule {
                max: 2,
                window_secs: 3600
            })
        );
        assert_eq!(
            l.rule(Limit::NewAccountPerAddress),
            AcmeLimits::default().rule(Limit::NewAccountPerAddress)
        );
        for bad in [
            "nope=1/h",
            "new_order_per_account",
            "new_order_per_account=x/h",
            "new_order_per_account=1/w",
        ] {
            let e = AcmeLimits::parse(bad).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
    }

    #[test]
    fn windows_are_fixed_and_say_how_long_is_left() {
        let rule = Rule {
            max: 1,
            window_secs: 3600,
        };
        let now = DateTime::parse_from_rfc3339("2026-11-29T10:15:00Z")
            .unwrap()
            .to_utc();
        let (start, left) = window(rule, now);
        assert_eq!(start.to_rfc3339(), "2026-11-29T10:00:00+00:00");
        assert_eq!(left, 45 * 60);
        assert!(verdict(Limit::NewOrderPerAccount, rule, 1, left).is_ok());
        assert_eq!(
            verdict(Limit::NewOrderPerAccount, rule, 2, left)
                .unwrap_err()
                .retry_after_secs,
            2700
        );
    }
}
