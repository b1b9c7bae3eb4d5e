//! Early-renewal campaigns (R-ACME-8; BR 4.9.1.1 gives a CA 24 hours or 5 days to revoke): an
//! operator selects certificates, gives a reason and a day, previews how many and whose, and
//! moves their ACME Renewal Information window to now, so the customers' clients renew at their
//! next check. The customers are emailed; the campaign counts how many have been replaced since.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Set, TransactionTrait,
};
use serde_json::json;
use shared::dto::CampaignSelection;

use crate::audit::AuditEntry;
use crate::state::AppState;
use crate::store::entity::{certificate, customer, renewal_campaign};

/// Longest reason an operator may give.
pub const MAX_REASON: usize = 1000;
/// Most serials one campaign may list.
pub const MAX_SERIALS: usize = 10_000;
/// The default deadline: BR 4.9.1.1's five days.
pub const DEFAULT_RENEW_BY_DAYS: i64 = 5;

/// Why a campaign request was refused: the field and the reason.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("{field}: {reason}")]
    Field {
        field: &'static str,
        code: &'static str,
        reason: String,
    },
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Internal(String),
}

fn field(field: &'static str, code: &'static str, reason: impl Into<String>) -> CampaignError {
    CampaignError::Field {
        field,
        code,
        reason: reason.into(),
    }
}

/// A checked selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    serials: Vec<String>,
    customer_id: Option<i64>,
    fqdn: Option<String>,
    issued_from: Option<DateTime<Utc>>,
    /// Exclusive.
    issued_before: Option<DateTime<Utc>>,
}

/// Midnight Japan time at the start of `day` (`YYYY-MM-DD`).
fn jst_day(text: &str) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    day.and_hms_opt(0, 0, 0)?
        .and_local_timezone(crate::jst::offset())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

impl Selection {
    /// Checks a selection as given; the error names the field and why.
    pub fn parse(s: &CampaignSelection) -> Result<Selection, CampaignError> {
        if s.serials.len() > MAX_SERIALS {
            return Err(field(
                "selection.serials",
                "too_many",
                format!("at most {MAX_SERIALS} serials per campaign"),
            ));
        }
        let serials = s
            .serials
            .iter()
            .map(|raw| {
                let hex: String = raw
                    .trim()
                    .chars()
                    .filter(|c| *c != ':')
                    .collect::<String>()
                    .to_ascii_lowercase();
                let hex = hex.trim_start_matches('0').to_owned();
                if hex.is_empty() || hex.len() > 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    Err(field(
                        "selection.serials",
                        "invalid",
                        format!("{raw:?} is not a serial number in hex"),
                    ))
                } else {
                    Ok(hex)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let customer_id = match s
            .customer_id
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => None,
            Some(v) => Some(
                v.parse::<shared::CustomerId>()
                    .map_err(|_| {
                        field(
                            "selection.customer_id",
                            "invalid",
                            format!("{v:?} is not a customer ID such as C00000123"),
                        )
                    })?
                    .0,
            ),
        };
        let fqdn = match s.fqdn.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(
                shared::fqdn::normalize(v, shared::fqdn::CertType::Dv)
                    .map_err(|e| field("selection.fqdn", "invalid", e.to_string()))?
                    .ascii,
            ),
        };
        let day = |name: &'static str, v: &Option<String>| match v
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => Ok(None),
            Some(text) => jst_day(text).map(Some).ok_or_else(|| {
                field(
                    name,
                    "invalid",
                    format!("{text:?} is not a day such as 2026-12-01"),
                )
            }),
        };
        let issued_from = day("selection.issued_from", &s.issued_from)?;
        let issued_before =
            day("selection.issued_to", &s.issued_to)?.map(|t| t + Duration::days(1));
        if let (Some(from), Some(before)) = (issued_from, issued_before) {
            if before <= from {
                return Err(field(
                    "selection.issued_to",
                    "before_start",
                    "must not be before issued_from",
                ));
            }
        }
        let selection = Selection {
            serials,
            customer_id,
            fqdn,
            issued_from,
            issued_before,
        };
        if selection.serials.is_empty()
            && selection.customer_id.is_none()
            && selection.fqdn.is_none()
            && selection.issued_from.is_none()
            && selection.issued_before.is_none()
        {
            return Err(field(
                "selection",
                "empty",
                "choose the certificates: serials, a customer, a registered name or an issuance period",
            ));
        }
        Ok(selection)
    }

    /// The live certificates the selection covers at `now`.
    fn query(&self, now: DateTime<Utc>) -> Select<certificate::Entity> {
        let mut q = certificate::Entity::find()
            .filter(certificate::Column::Status.eq(certificate::VALID))
            .filter(certificate::Column::NotAfter.gt(now))
            .filter(certificate::Column::ReplacedById.is_null());
        if !self.serials.is_empty() {
            q = q.filter(certificate::Column::Serial.is_in(self.serials.clone()));
        }
        if let Some(id) = self.customer_id {
            q = q.filter(certificate::Column::CustomerId.eq(id));
        }
        if let Some(name) = &self.fqdn {
            q = q.filter(
                Condition::any()
                    .add(certificate::Column::Names.contains(format!("\"{name}\"")))
                    .add(certificate::Column::Names.contains(format!("\"www.{name}\"")))
                    .add(certificate::Column::Names.contains(format!("\"*.{name}\""))),
            );
        }
        if let Some(from) = self.issued_from {
            q = q.filter(certificate::Column::CreatedAt.gte(from));
        }
        if let Some(before) = self.issued_before {
            q = q.filter(certificate::Column::CreatedAt.lt(before));
        }
        q
    }
}

/// The deadline given (`YYYY-MM-DD`, end of that day in Japan time) or the default.
pub fn renew_by(text: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, CampaignError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(now + Duration::days(DEFAULT_RENEW_BY_DAYS));
    };
    let end = jst_day(text).ok_or_else(|| {
        field(
            "renew_by",
            "invalid",
            format!("{text:?} is not a day such as 2026-12-01"),
        )
    })? + Duration::days(1)
        - Duration::seconds(1);
    if end <= now {
        return Err(field(
            "renew_by",
            "in_the_past",
            format!("{text} has passed"),
        ));
    }
    Ok(end)
}

fn reason(text: &str) -> Result<String, CampaignError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(field(
            "reason",
            "required",
            "say why the certificates must be renewed early; the customers are told",
        ));
    }
    if t.chars().count() > MAX_REASON {
        return Err(field(
            "reason",
            "too_long",
            format!("at most {MAX_REASON} characters"),
        ));
    }
    Ok(t.to_owned())
}

/// What a campaign would select: (certificate id, customer id) pairs.
async fn selected(
    state: &AppState,
    selection: &Selection,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, CampaignError> {
    Ok(selection
        .query(now)
        .select_only()
        .column(certificate::Column::Id)
        .column(certificate::Column::CustomerId)
        .order_by_asc(certificate::Column::Id)
        .into_tuple()
        .all(&state.db)
        .await?)
}

/// Counts per customer, with the customers' rows.
async fn per_customer(
    state: &AppState,
    rows: &[(i64, i64)],
) -> Result<Vec<(customer::Model, u64)>, CampaignError> {
    let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
    for (_, customer) in rows {
        *counts.entry(*customer).or_default() += 1;
    }
    let customers = customer::Entity::find()
        .filter(customer::Column::Id.is_in(counts.keys().copied()))
        .all(&state.db)
        .await?;
    Ok(customers
        .into_iter()
        .map(|c| {
            let n = counts.get(&c.id).copied().unwrap_or_default();
            (c, n)
        })
        .collect())
}

/// How many certificates of whom a selection would move now.
pub async fn preview(
    state: &AppState,
    selection: &CampaignSelection,
) -> Result<(u64, Vec<(customer::Model, u64)>), CampaignError> {
    let selection = Selection::parse(selection)?;
    let rows = selected(state, &selection, state.now()).await?;
    Ok((rows.len() as u64, per_customer(state, &rows).await?))
}

/// Runs a campaign: records it, moves every selected certificate's window to now, audits it
/// and emails each affected customer, in one transaction.
pub async fn run(
    state: &AppState,
    request: &shared::dto::CampaignRequest,
    operator: &customer::Model,
) -> Result<renewal_campaign::Model, CampaignError> {
    let now = state.now();
    let selection = Selection::parse(&request.selection)?;
    let reason = reason(&request.reason)?;
    let renew_by = renew_by(request.renew_by.as_deref(), now)?;
    let rows = selected(state, &selection, now).await?;
    if rows.is_empty() {
        return Err(field(
            "selection",
            "nothing_selected",
            "no valid, unexpired certificate that has not been replaced matches",
        ));
    }
    let customers = per_customer(state, &rows).await?;
    let txn = state.db.begin().await?;
    let campaign = renewal_campaign::ActiveModel {
        reason: Set(reason.clone()),
        selection: Set(serde_json::to_string(&request.selection).unwrap_or_default()),
        renew_by: Set(renew_by),
        certificate_count: Set(rows.len() as i64),
        customer_count: Set(customers.len() as i64),
        created_by: Set(operator.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // A window wholly in the past: RFC 9773 clients renew at their next check.
    for chunk in rows.chunks(500) {
        certificate::Entity::update_many()
            .col_expr(
                certificate::Column::RenewalStart,
                Expr::value(now - Duration::hours(1)),
            )
            .col_expr(certificate::Column::RenewalEnd, Expr::value(now))
            .col_expr(
                certificate::Column::RenewalReason,
                Expr::value(reason.clone()),
            )
            .col_expr(
                certificate::Column::RenewalCampaignId,
                Expr::value(campaign.id),
            )
            .filter(certificate::Column::Id.is_in(chunk.iter().map(|(id, _)| *id)))
            .filter(certificate::Column::ReplacedById.is_null())
            .exec(&txn)
            .await?;
    }
    AuditEntry {
        actor: format!("operator:{}", shared::CustomerId(operator.id)),
        customer_id: None,
        action: "renewal_campaign.run",
        subject: format!("campaign:{}", campaign.id),
        success: true,
        detail: json!({
            "reason": reason,
            "selection": request.selection,
            "renew_by": crate::clock::rfc3339(renew_by),
            "certificates": rows.len(),
            "customers": customers.len(),
        }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    for (customer, count) in &customers {
        let serials = certificate::Entity::find()
            .filter(certificate::Column::RenewalCampaignId.eq(campaign.id))
            .filter(certificate::Column::CustomerId.eq(customer.id))
            .all(&txn)
            .await?;
        let lines: Vec<String> = serials
            .iter()
            .map(|c| format!("{} ({})", c.names().join(", "), c.serial))
            .collect();
        let mail = crate::mail::templates::early_renewal(&crate::mail::templates::EarlyRenewal {
            to: crate::mail::templates::Recipient::customer(&state.config.brand, customer),
            reason: &reason,
            renew_by,
            certificates: &lines,
            count: *count,
        });
        state
            .mailer
            .send(&txn, &mail)
            .await
            .map_err(|e| CampaignError::Internal(format!("sending the email: {e:#}")))?;
    }
    txn.commit().await?;
    Ok(campaign)
}

/// The newest campaigns with how many of their certificates have been replaced since.
pub async fn list(
    state: &AppState,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<(renewal_campaign::Model, u64)>, CampaignError> {
    let mut select = renewal_campaign::Entity::find();
    if let Some(before) = before {
        select = select.filter(renewal_campaign::Column::Id.lt(before));
    }
    let campaigns = select
        .order_by_desc(renewal_campaign::Column::Id)
        .limit(limit)
        .all(&state.db)
        .await?;
    let replaced: Vec<(Option<i64>, i64)> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::RenewalCampaignId)
        .column_as(certificate::Column::Id.count(), "replaced")
        .filter(certificate::Column::RenewalCampaignId.is_in(campaigns.iter().map(|c| c.id)))
        .filter(certificate::Column::ReplacedById.is_not_null())
        .group_by(certificate::Column::RenewalCampaignId)
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(campaigns
        .into_iter()
        .map(|c| {
            let n = replaced
                .iter()
                .find(|(id, _)| *id == Some(c.id))
                .map_or(0, |(_, n)| *n as u64);
            (c, n)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(f: impl FnOnce(&mut CampaignSelection)) -> CampaignSelection {
        let mut s = CampaignSelection::default();
        f(&mut s);
        s
    }

    #[test]
    fn selections_are_checked_field_by_field() {
        let table: Vec<(CampaignSelection, Option<&str>)> = vec![
            (sel(|_| {}), Some("selection")),
            (
                sel(|s| s.serials = vec!["zz".into()]),
                Some("selection.serials"),
            ),
            (sel(|s| s.serials = vec!["0A:BC".into()]), None),
            (
                sel(|s| s.customer_id = Some("x1".into())),
                Some("selection.customer_id"),
            ),
            (sel(|s| s.customer_id = Some("C00000012".into())), None),
            (
                sel(|s| s.fqdn = Some("bad..name".into())),
                Some("selection.fqdn"),
            ),
            (sel(|s| s.fqdn = Some("example.jp".into())), None),
            (
                sel(|s| s.issued_from = Some("2026-13-01".into())),
                Some("selection.issued_from"),
            ),
            (
                sel(|s| {
                    s.issued_from = Some("2026-12-02".into());
                    s.issued_to = Some("2026-12-01".into());
                }),
                Some("selection.issued_to"),
            ),
            (
                sel(|s| {
                    s.issued_from = Some("2026-12-01".into());
                    s.issued_to = Some("2026-12-01".into());
                }),
                None,
            ),
        ];
        for (s, bad) in table {
            match (Selection::parse(&s), bad) {
                (Ok(_), None) => {}
                (Err(CampaignError::Field { field, .. }), Some(want)) => {
                    assert_eq!(field, want, "{s:?}")
                }
                (got, want) => panic!("{s:?}: {got:?}, wanted {want:?}"),
            }
        }
        let parsed = Selection::parse(&sel(|s| s.serials = vec!["00:0A:BC".into()])).unwrap();
        assert_eq!(parsed.serials, ["abc"]);
    }

    #[test]
    fn deadlines_are_days_in_japan_time() {
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        assert_eq!(renew_by(None, now).unwrap(), now + Duration::days(5));
        // The end of 2026-12-03 in Japan is 14:59:59 UTC that day.
        assert_eq!(
            renew_by(Some("2026-12-03"), now).unwrap(),
            "2026-12-03T14:59:59Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(matches!(
            renew_by(Some("2026-11-30"), now),
            Err(CampaignError::Field {
                field: "renew_by",
                ..
            })
        ));
        assert!(reason("  ").is_err());
        assert!(reason(&"x".repeat(MAX_REASON + 1)).is_err());
    }
}
