//! Reminder emails (R-SUP-3, R-CA-4), each sent once in the customer's language.
//!
//! "Once" is one mechanism for every kind: a reminder is claimed by inserting its
//! `(kind, subject_id, threshold)` row into `reminders_sent` in the transaction that sends the
//! email; the unique key refuses a second claim, so however many worker processes run a pass at
//! once, one of them sends it. A claim that loses the race (unique violation) is rolled back and
//! skipped.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use shared::billing::RegistrationState;
use shared::fqdn::CertType;

use crate::mail::templates::{self, DeadlineReminder, EabReminder, Recipient};
use crate::state::AppState;
use crate::store::entity::{
    acme_account, certificate, customer, eab_credential, registration, reminder_sent,
};
use crate::store::is_unique_violation;

/// Days before a registration's issuance deadline (R-FQDN-6) that the customer is reminded.
pub const DEADLINE_THRESHOLDS: [i64; 3] = [60, 30, 7];
/// Days before an unbound EAB credential expires that the customer is reminded.
pub const EAB_DAYS: i64 = 3;

pub const KIND_REGISTRATION_DEADLINE: &str = "registration_deadline";
pub const KIND_EAB_EXPIRY: &str = "eab_expiry";
pub const KIND_CERTIFICATE_EXPIRY: &str = "certificate_expiry";

/// The reminder due for a deadline at `now`: the nearest threshold already reached (so a worker
/// that was down past two thresholds sends only the nearer one), or none before the first or
/// after the deadline.
pub fn deadline_threshold(deadline: DateTime<Utc>, now: DateTime<Utc>) -> Option<i64> {
    if deadline <= now {
        return None;
    }
    let left = deadline - now;
    DEADLINE_THRESHOLDS
        .iter()
        .copied()
        .filter(|days| left <= Duration::days(*days))
        .min()
}

/// Claims reminder `(kind, subject_id, threshold)` in `txn`: `false` when it was sent already
/// (or another process is sending it and wins).
pub async fn claim(
    txn: &DatabaseTransaction,
    kind: &str,
    subject_id: i64,
    threshold: i64,
    now: DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    let row = reminder_sent::ActiveModel {
        kind: Set(kind.to_owned()),
        subject_id: Set(subject_id),
        threshold: Set(threshold as i32),
        sent_at: Set(now),
        ..Default::default()
    };
    match row.insert(txn).await {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Which of `ids` already have reminder `kind` at `threshold` (one query, to skip them).
async fn already_sent(
    state: &AppState,
    kind: &str,
    ids: &[i64],
) -> Result<Vec<(i64, i32)>, sea_orm::DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(reminder_sent::Entity::find()
        .filter(reminder_sent::Column::Kind.eq(kind))
        .filter(reminder_sent::Column::SubjectId.is_in(ids.iter().copied()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.subject_id, r.threshold))
        .collect())
}

/// R-SUP-3: registrations still `registered` 60, 30 and 7 days before their deadline.
/// Returns how many reminders were sent.
pub async fn registration_deadlines(state: &AppState) -> anyhow::Result<u32> {
    let now = state.now();
    let max = DEADLINE_THRESHOLDS.iter().copied().max().unwrap_or(0);
    let due = registration::Entity::find()
        .filter(registration::Column::State.eq(RegistrationState::Registered.as_str()))
        .filter(registration::Column::Deadline.gt(now))
        .filter(registration::Column::Deadline.lte(now + Duration::days(max)))
        .all(&state.db)
        .await?;
    let ids: Vec<i64> = due.iter().map(|r| r.id).collect();
    let sent_before = already_sent(state, KIND_REGISTRATION_DEADLINE, &ids).await?;
    let mut sent = 0;
    for reg in due {
        let Some(deadline) = reg.deadline else {
            continue;
        };
        let Some(days) = deadline_threshold(deadline, now) else {
            continue;
        };
        if sent_before.contains(&(reg.id, days as i32)) {
            continue;
        }
        let txn = state.db.begin().await?;
        if !claim(&txn, KIND_REGISTRATION_DEADLINE, reg.id, days, now).await? {
            continue;
        }
        let Some(customer) = customer::Entity::find_by_id(reg.customer_id)
            .one(&txn)
            .await?
        else {
            continue;
        };
        let fqdn = match reg.cert_type() {
            CertType::Dv => reg.fqdn.clone(),
            CertType::DvWildcard => format!("*.{}", reg.fqdn),
        };
        state
            .mailer
            .send(
                &txn,
                &templates::registration_deadline_reminder(&DeadlineReminder {
                    to: Recipient::customer(&state.config.brand, &customer),
                    fqdn: &fqdn,
                    deadline,
                    days,
                    portal_url: state.config.public("/mypage/registrations"),
                }),
            )
            .await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// R-SUP-3: EAB credentials that expire within [`EAB_DAYS`] with no ACME account bound to them.
pub async fn eab_expiries(state: &AppState) -> anyhow::Result<u32> {
    let now = state.now();
    let due = eab_credential::Entity::find()
        .filter(eab_credential::Column::RevokedAt.is_null())
        .filter(eab_credential::Column::ExpiresAt.gt(now))
        .filter(eab_credential::Column::ExpiresAt.lte(now + Duration::days(EAB_DAYS)))
        .all(&state.db)
        .await?;
    let ids: Vec<i64> = due.iter().map(|e| e.id).collect();
    let bound: Vec<i64> = if ids.is_empty() {
        Vec::new()
    } else {
        acme_account::Entity::find()
            .filter(acme_account::Column::EabId.is_in(ids.iter().copied()))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|a| a.eab_id)
            .collect()
    };
    let sent_before = already_sent(state, KIND_EAB_EXPIRY, &ids).await?;
    let mut sent = 0;
    for eab in due {
        if bound.contains(&eab.id) || sent_before.contains(&(eab.id, EAB_DAYS as i32)) {
            continue;
        }
        let txn = state.db.begin().await?;
        if !claim(&txn, KIND_EAB_EXPIRY, eab.id, EAB_DAYS, now).await? {
            continue;
        }
        // Bound meanwhile (the claim came after the read): nothing to remind of.
        let bound_now = acme_account::Entity::find()
            .filter(acme_account::Column::EabId.eq(eab.id))
            .one(&txn)
            .await?
            .is_some();
        let customer = customer::Entity::find_by_id(eab.customer_id)
            .one(&txn)
            .await?;
        let Some(customer) = customer.filter(|_| !bound_now) else {
            continue;
        };
        state
            .mailer
            .send(
                &txn,
                &templates::eab_expiry_reminder(&EabReminder {
                    to: Recipient::customer(&state.config.brand, &customer),
                    key_id: &eab.key_id,
                    expires: eab.expires_at,
                    portal_url: state.config.public("/mypage/acme"),
                }),
            )
            .await?;
        crate::webhooks::emit(
            &txn,
            customer.id,
            shared::dto::WebhookEventType::EabExpiring,
            serde_json::json!({
                "key_id": eab.key_id,
                "expires_at": crate::clock::rfc3339(eab.expires_at),
            }),
            now,
        )
        .await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// Expiry reminders go out this many days before notAfter (R-CA-4).
pub const CERTIFICATE_DAYS: i64 = 14;

/// Emails one reminder per certificate that expires within [`CERTIFICATE_DAYS`], unless a newer
/// valid certificate of the same customer covers the same names (it was renewed). Returns how
/// many were sent. Safe to run in several processes: each reminder is claimed in
/// `reminders_sent` ([`claim`]).
pub async fn certificate_expiries(state: &AppState) -> anyhow::Result<u32> {
    let now = state.now();
    let due = certificate::Entity::find()
        .filter(certificate::Column::Status.eq("valid"))
        .filter(certificate::Column::RemindedAt.is_null())
        .filter(certificate::Column::NotAfter.gt(now))
        .filter(certificate::Column::NotAfter.lte(now + Duration::days(CERTIFICATE_DAYS)))
        .all(&state.db)
        .await?;
    let mut sent = 0;
    for cert in due {
        let mut names = cert.names();
        names.sort();
        let newer = certificate::Entity::find()
            .filter(certificate::Column::CustomerId.eq(cert.customer_id))
            .filter(certificate::Column::Status.eq("valid"))
            .filter(certificate::Column::NotAfter.gt(cert.not_after))
            .all(&state.db)
            .await?
            .into_iter()
            .any(|c| {
                let mut n = c.names();
                n.sort();
                n == names
            });
        let txn = state.db.begin().await?;
        // The claim (R-SUP-3: the one "once" mechanism of every reminder), then the record on
        // the certificate that keeps it out of the next pass's query.
        if !claim(
            &txn,
            KIND_CERTIFICATE_EXPIRY,
            cert.id,
            CERTIFICATE_DAYS,
            now,
        )
        .await?
        {
            continue;
        }
        certificate::Entity::update_many()
            .set(certificate::ActiveModel {
                reminded_at: Set(Some(now)),
                ..Default::default()
            })
            .filter(certificate::Column::Id.eq(cert.id))
            .exec(&txn)
            .await?;
        if !newer {
            let Some(customer) = customer::Entity::find_by_id(cert.customer_id)
                .one(&txn)
                .await?
            else {
                continue;
            };
            let names_text = names.join(", ");
            let mail = templates::expiry_reminder(&templates::Reminder {
                to: Recipient::customer(&state.config.brand, &customer),
                names: &names_text,
                serial: &cert.serial,
                expires: cert.not_after,
            });
            state.mailer.send(&txn, &mail).await?;
            crate::webhooks::emit(
                &txn,
                customer.id,
                shared::dto::WebhookEventType::CertificateExpiring,
                serde_json::json!({
                    "serial": cert.serial,
                    "names": names,
                    "not_after": crate::clock::rfc3339(cert.not_after),
                }),
                now,
            )
            .await?;
            sent += 1;
        }
        txn.commit().await?;
    }
    Ok(sent)
}

/// Every reminder kind of the housekeeping tick; how many of each were sent.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub deadlines: u32,
    pub eab: u32,
    pub certificates: u32,
}

/// One reminder pass: deadlines, EAB expiries, certificate expiries. Safe to run in several
/// processes at once. A kind that fails does not keep the others from running; the first
/// failure is returned after all three were tried (the next tick tries again).
pub async fn run(state: &AppState) -> anyhow::Result<Sent> {
    let deadlines = registration_deadlines(state).await;
    let eab = eab_expiries(state).await;
    let certificates = certificate_expiries(state).await;
    Ok(Sent {
        deadlines: deadlines?,
        eab: eab?,
        certificates: certificates?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// R-SUP-3: the nearest threshold reached, once per threshold.
    #[test]
    fn thresholds() {
        let deadline = at("2027-11-30T14:59:59Z");
        let table = [
            (Duration::days(61), None),
            (Duration::days(60), Some(60)),
            (Duration::days(45), Some(60)),
            (Duration::days(30), Some(30)),
            // The worker was down past 60 and 30: only the 30-day one.
            (Duration::days(29), Some(30)),
            (Duration::days(7), Some(7)),
            (Duration::hours(1), Some(7)),
            (Duration::zero(), None),
            (Duration::days(-1), None),
        ];
        for (left, want) in table {
            assert_eq!(
                deadline_threshold(deadline, deadline - left),
                want,
                "{left}"
            );
        }
    }
}
