//! Usage FQDN registrations and their invoices (R-FQDN-4..8, R-BILL-1..5). Every state change is
//! a compare-and-set on the expected state, recorded as a timestamped event and in the audit log,
//! in the same transaction (R-ALL-1).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use shared::billing::{yen, InvoiceStatus, PaymentMethod, Product, RegistrationState};
use shared::dto::{Invoice, Registration, WebhookEventType};
use shared::fqdn::{CertType, Normalized};

use crate::audit::AuditEntry;
use crate::billing::{dates, invoice_number};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::mail::templates::{self, BillingMail, Recipient};
use crate::state::AppState;
use crate::store::entity::{customer, invoice, registration, registration_event};
use crate::store::is_unique_violation;

pub fn registration_dto(r: &registration::Model, invoice_number: Option<String>) -> Registration {
    let cert_type = r.cert_type();
    let n = shared::fqdn::coverage(&r.fqdn, cert_type);
    let unicode = |s: &str| idna::domain_to_unicode(s).0;
    Registration {
        id: r.id,
        fqdn: r.fqdn.clone(),
        fqdn_unicode: unicode(&r.fqdn),
        cert_type,
        state: r.state(),
        contract_years: r.contract_years.max(0) as u32,
        coverage_unicode: n.iter().map(|c| unicode(c)).collect(),
        coverage: n,
        created_at: rfc3339(r.created_at),
        registered_at: r.registered_at.map(rfc3339),
        deadline: r.deadline.map(rfc3339),
        activated_at: r.activated_at.map(rfc3339),
        contract_end: r.contract_end.map(rfc3339),
        invoice_number,
    }
}

/// Whether `i` waits for a bank transfer: unpaid, to be paid by transfer (R-BILL-6).
pub fn awaits_transfer(i: &invoice::Model) -> bool {
    i.status() == InvoiceStatus::Unpaid && i.payment_method() == PaymentMethod::BankTransfer
}

/// The invoice as the API shows it; `bank_account` (`CERTDIRECT_BANK_ACCOUNT`) is shown while a
/// transfer is awaited.
pub fn invoice_dto(i: &invoice::Model, bank_account: &str) -> Invoice {
    Invoice {
        number: i.number.clone(),
        registration_id: i.registration_id,
        fqdn: i.fqdn.clone(),
        cert_type: CertType::parse(&i.cert_type).unwrap_or(CertType::Dv),
        kind: i.kind.clone(),
        period_years: i.period_years.max(0) as u32,
        amount_excl_tax: i.amount_excl_tax,
        tax: i.tax,
        amount_incl_tax: i.amount_incl_tax,
        payment_method: i.payment_method(),
        status: i.status(),
        issued_at: rfc3339(i.issued_at),
        due_at: rfc3339(i.due_at),
        paid_at: i.paid_at.map(rfc3339),
        customer_id: shared::CustomerId(i.customer_id).to_string(),
        bank_account: awaits_transfer(i).then(|| bank_account.to_owned()),
    }
}

/// Records a transition (from `from`, or creation) as an event and in the audit log.
async fn record(
    db: &impl ConnectionTrait,
    reg: &registration::Model,
    from: Option<RegistrationState>,
    to: RegistrationState,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    registration_event::ActiveModel {
        registration_id: Set(reg.id),
        from_state: Set(from.map(|s| s.as_str().to_owned())),
        to_state: Set(to.as_str().to_owned()),
        at: Set(now),
        actor: Set(actor.to_owned()),
        reason: Set(reason.chars().take(300).collect()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(reg.customer_id),
        action: "registration.transition",
        subject: format!("registration:{}", reg.id),
        success: true,
        detail: json!({ "fqdn": reg.fqdn, "from": from.map(|s| s.as_str()), "to": to.as_str(), "reason": reason }),
        remote_addr: None,
    }
    .write(db, now)
    .await?;
    crate::webhooks::emit(
        db,
        reg.customer_id,
        WebhookEventType::RegistrationStateChanged,
        json!({
            "registration_id": reg.id,
            "fqdn": reg.fqdn,
            "from": from.map(|s| s.as_str()),
            "to": to.as_str(),
            "reason": reason,
        }),
        now,
    )
    .await
    .map(|_| ())
}

/// Moves `reg` to `to` if it is still in its current state (compare-and-set), setting `changes` too.
pub async fn transition(
    db: &impl ConnectionTrait,
    reg: &registration::Model,
    to: RegistrationState,
    mut changes: registration::ActiveModel,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<registration::Model> {
    let from = reg.state();
    if !from.can_become(to) {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "invalid-transition",
            format!(
                "registration {} is {} and cannot become {}",
                reg.id,
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    changes.state = Set(to.as_str().to_owned());
    changes.updated_at = Set(now);
    if !to.is_live() {
        changes.live_fqdn = Set(None);
        changes.ended_at = Set(Some(now));
    }
    let res = registration::Entity::update_many()
        .set(changes)
        .filter(registration::Column::Id.eq(reg.id))
        .filter(registration::Column::State.eq(from.as_str()))
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "concurrent-change",
            format!(
                "registration {} changed meanwhile; reload and try again",
                reg.id
            ),
        ));
    }
    record(db, reg, Some(from), to, actor, reason, now).await?;
    registration::Entity::find_by_id(reg.id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("registration vanished during a transition"))
}

/// The billing email's facts for `inv`; `date` is the due date or the issuance deadline.
fn billing_mail<'a>(
    state: &'a AppState,
    customer: &'a customer::Model,
    inv: &'a invoice::Model,
    date: DateTime<Utc>,
) -> BillingMail<'a> {
    BillingMail {
        to: Recipient::billing(&state.config.brand, customer),
        customer_id: customer.customer_id().to_string(),
        fqdn: &inv.fqdn,
        cert_type: CertType::parse(&inv.cert_type).unwrap_or(CertType::Dv),
        period_years: inv.period_years.max(0) as u32,
        invoice_number: &inv.number,
        amount_excl_tax: inv.amount_excl_tax,
        tax: inv.tax,
        amount_incl_tax: inv.amount_incl_tax,
        payment: inv.payment_method(),
        date,
        bank_account: &state.config.bank_account,
        registration_number: &state.config.invoice_issuer.registration_number,
        portal_url: state.config.public("/mypage/registrations"),
    }
}

/// What `open` made.
pub struct Opened {
    pub registration: registration::Model,
    pub invoice: invoice::Model,
    pub renewal: bool,
}

/// STEP 5–10: a new registration awaiting payment, or a renewal of one the customer holds
/// (R-FQDN-8), with its invoice and the invoice email to the billing address.
pub async fn open(
    state: &AppState,
    customer: &customer::Model,
    name: &Normalized,
    product: &Product,
    method: PaymentMethod,
    actor: &str,
) -> ApiResult<Opened> {
    let now = state.now();
    let txn = state.db.begin().await?;
    // Write first: this locks a held name's registration (PostgreSQL) or the database
    // (SQLite) before anything is read, so two purchases of one name are decided in turn.
    registration::Entity::update_many()
        .col_expr(
            registration::Column::UpdatedAt,
            Expr::col(registration::Column::UpdatedAt).into(),
        )
        .filter(registration::Column::LiveFqdn.eq(&name.ascii))
        .exec(&txn)
        .await?;
    let held = registration::Entity::find()
        .filter(registration::Column::LiveFqdn.eq(&name.ascii))
        .one(&txn)
        .await?;
    let taken = || {
        ApiError::conflict(
            "fqdn",
            "taken",
            "is already registered; an FQDN can be held by one customer only (R-FQDN-4)",
        )
    };
    let (reg, renewal) = match held {
        Some(r) if r.customer_id != customer.id => return Err(taken()),
        Some(r) if r.cert_type() != name.cert_type => {
            return Err(ApiError::conflict(
                "type",
                "type_mismatch",
                format!(
                    "you hold {} as {}; a renewal must be of the same type",
                    r.fqdn,
                    r.cert_type().as_str()
                ),
            ))
        }
        Some(r) if r.state() == RegistrationState::AwaitingPayment => {
            let pending = latest_invoice(&txn, r.id)
                .await?
                .map(|i| i.number)
                .unwrap_or_default();
            return Err(ApiError::conflict(
                "fqdn",
                "awaiting_payment",
                format!("is already applied for and awaits payment of invoice {pending}"),
            ));
        }
        Some(r) => {
            // R-FQDN-8: one open renewal at a time, so two cannot be paid side by side.
            if let Some(open) = open_invoice(&txn, r.id).await? {
                return Err(renewal_pending(&open.number));
            }
            (r, true)
        }
        None => {
            let inserted = registration::ActiveModel {
                customer_id: Set(customer.id),
                fqdn: Set(name.ascii.clone()),
                live_fqdn: Set(Some(name.ascii.clone())),
                cert_type: Set(name.cert_type.as_str().to_owned()),
                state: Set(RegistrationState::AwaitingPayment.as_str().to_owned()),
                contract_years: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    taken()
                } else {
                    e.into()
                }
            })?;
            record(
                &txn,
                &inserted,
                None,
                RegistrationState::AwaitingPayment,
                actor,
                "applied",
                now,
            )
            .await?;
            (inserted, false)
        }
    };
    let due = dates::due_date(now, state.config.invoice_due_days);
    let draft = invoice::ActiveModel {
        // A unique placeholder (within the column's 32 characters) until the id is known.
        number: Set(format!(
            "TMP-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..24]
        )),
        customer_id: Set(customer.id),
        registration_id: Set(reg.id),
        kind: Set(if renewal {
            invoice::KIND_RENEWAL
        } else {
            invoice::KIND_NEW
        }
        .to_owned()),
        cert_type: Set(name.cert_type.as_str().to_owned()),
        fqdn: Set(name.ascii.clone()),
        period_years: Set(product.period_years as i32),
        amount_excl_tax: Set(product.price_excl_tax),
        tax: Set(product.tax),
        amount_incl_tax: Set(product.price_incl_tax),
        payment_method: Set(method.as_str().to_owned()),
        status: Set(InvoiceStatus::Unpaid.as_str().to_owned()),
        issued_at: Set(now),
        due_at: Set(due),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let draft = match draft {
        Ok(draft) => draft,
        // The unique index on open invoices decided a race between two renewals: name the
        // invoice that won, read after this transaction is given up.
        Err(e) if is_unique_violation(&e) => {
            txn.rollback().await?;
            let open = open_invoice(&state.db, reg.id).await?;
            return Err(renewal_pending(
                open.as_ref()
                    .map_or("opened meanwhile", |i| i.number.as_str()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    // R-BILL-2: the number comes from the row id: unique, sequential, never reused.
    let number = invoice_number(draft.id);
    let mut numbered: invoice::ActiveModel = draft.into();
    numbered.number = Set(number);
    let inv = numbered.update(&txn).await?;
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(customer.id),
        action: "invoice.issue",
        subject: inv.number.clone(),
        success: true,
        detail: json!({ "registration": reg.id, "kind": inv.kind, "amount_incl_tax": inv.amount_incl_tax }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    crate::webhooks::emit(
        &txn,
        customer.id,
        WebhookEventType::InvoiceIssued,
        json!({ "invoice": invoice_dto(&inv, &state.config.bank_account) }),
        now,
    )
    .await?;
    state
        .mailer
        .send(
            &txn,
            &templates::registration_received(&billing_mail(state, customer, &inv, due)),
        )
        .await?;
    txn.commit().await?;
    Ok(Opened {
        registration: reg,
        invoice: inv,
        renewal,
    })
}

fn renewal_pending(number: &str) -> ApiError {
    ApiError::conflict(
        "fqdn",
        "renewal_pending",
        format!(
            "already has an open renewal invoice ({number}); pay it, or wait for its due date to pass, before ordering another renewal"
        ),
    )
}

/// The registration's unpaid invoice, if it has one (at most one: a unique index holds it).
pub async fn open_invoice(
    db: &impl ConnectionTrait,
    registration_id: i64,
) -> Result<Option<invoice::Model>, sea_orm::DbErr> {
    invoice::Entity::find()
        .filter(invoice::Column::RegistrationId.eq(registration_id))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Unpaid.as_str()))
        .one(db)
        .await
}

/// Invoices no card payment holds at `now` (R-BILL-6): never claimed, or the claim was abandoned.
pub fn unclaimed(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(invoice::Column::ChargingAt.is_null())
        .add(
            invoice::Column::ChargingAt
                .lte(now - chrono::Duration::minutes(invoice::CHARGE_CLAIM_MINUTES)),
        )
}

fn payment_in_progress(number: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::CONFLICT,
        "payment-in-progress",
        format!(
            "a payment for invoice {number} is in progress; nothing was changed. Reload the invoice in a moment to see its outcome"
        ),
    )
}

/// R-BILL-6: claims the unpaid invoice for a card payment before the provider is called.
/// Returns the claim's time, which settling or releasing it must present.
pub async fn claim_for_card(
    db: &impl ConnectionTrait,
    inv: &invoice::Model,
    now: DateTime<Utc>,
) -> ApiResult<DateTime<Utc>> {
    let res = invoice::Entity::update_many()
        .set(invoice::ActiveModel {
            charging_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(invoice::Column::Id.eq(inv.id))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Unpaid.as_str()))
        .filter(unclaimed(now))
        .exec(db)
        .await?;
    if res.rows_affected == 1 {
        return Ok(now);
    }
    // Someone else got there first: say what became of the invoice.
    let current = invoice::Entity::find_by_id(inv.id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("invoice vanished"))?;
    Err(payment_refusal(&current, current.amount_incl_tax, now)
        .unwrap_or_else(|| payment_in_progress(&inv.number)))
}

/// Gives up a card payment's claim (declined, or failed before it was recorded): the invoice is
/// unpaid and free again.
pub async fn release_claim(
    db: &impl ConnectionTrait,
    inv: &invoice::Model,
    claim: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    invoice::Entity::update_many()
        .col_expr(
            invoice::Column::ChargingAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(invoice::Column::Id.eq(inv.id))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Unpaid.as_str()))
        .filter(invoice::Column::ChargingAt.eq(claim))
        .exec(db)
        .await
        .map(|_| ())
}

/// Adds `years` (negative to take them back) to a registration's contract, and moves an
/// active contract's end with them. The row is locked first and then changed by compare-and-set
/// on what was read, so two payments (or a payment and a refund) at once both count.
async fn extend_contract(
    db: &impl ConnectionTrait,
    registration_id: i64,
    years: i32,
    now: DateTime<Utc>,
) -> ApiResult<registration::Model> {
    // Writing the row first takes its lock (PostgreSQL) or the database's (SQLite): the read
    // below then sees every change committed before ours.
    registration::Entity::update_many()
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(registration_id))
        .exec(db)
        .await?;
    let reg = registration::Entity::find_by_id(registration_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("registration vanished"))?;
    let end = match (reg.contract_end, years) {
        (Some(end), y) if y > 0 => Some(dates::add_years(end, y as u32)),
        (Some(_), _) => {
            return Err(ApiError::internal(format!(
                "registration {registration_id} is active; its contract cannot be shortened"
            )))
        }
        (None, _) => None,
    };
    let mut guard = Condition::all()
        .add(registration::Column::Id.eq(registration_id))
        .add(registration::Column::ContractYears.eq(reg.contract_years));
    guard = match reg.contract_end {
        Some(old) => guard.add(registration::Column::ContractEnd.eq(old)),
        None => guard.add(registration::Column::ContractEnd.is_null()),
    };
    let res = registration::Entity::update_many()
        .col_expr(
            registration::Column::ContractYears,
            Expr::col(registration::Column::ContractYears).add(years),
        )
        .col_expr(registration::Column::ContractEnd, Expr::value(end))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(guard)
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "concurrent-change",
            format!("registration {registration_id} changed meanwhile; try again"),
        ));
    }
    registration::Entity::find_by_id(registration_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("registration vanished"))
}

/// The newest invoice of a registration.
pub async fn latest_invoice(
    db: &impl ConnectionTrait,
    registration_id: i64,
) -> Result<Option<invoice::Model>, sea_orm::DbErr> {
    invoice::Entity::find()
        .filter(invoice::Column::RegistrationId.eq(registration_id))
        .order_by_desc(invoice::Column::Id)
        .one(db)
        .await
}

/// How a payment arrived.
pub struct Payment<'a> {
    /// `card`, `bank_transfer`, `bank_statement`.
    pub via: &'a str,
    pub amount: i64,
    pub reference: String,
    pub actor: &'a str,
    /// The card payment's claim on the invoice ([`claim_for_card`]); `None` for payments that
    /// need no provider (bank transfers, statements), which a claimed invoice refuses.
    pub claim: Option<DateTime<Utc>>,
}

/// R-BILL-5, R-BILL-6: why a payment cannot be applied to `inv` at `now`, if it cannot. An
/// invoice a card payment holds is unpaid but busy.
pub fn payment_refusal(inv: &invoice::Model, amount: i64, now: DateTime<Utc>) -> Option<ApiError> {
    use axum::http::StatusCode;
    if inv.status() == InvoiceStatus::Unpaid && inv.is_claimed(now) {
        return Some(payment_in_progress(&inv.number));
    }
    match inv.status() {
        InvoiceStatus::Paid => Some(ApiError::new(
            StatusCode::CONFLICT,
            "already-paid",
            format!(
                "invoice {} is already paid; nothing was changed",
                inv.number
            ),
        )),
        InvoiceStatus::Void | InvoiceStatus::Refunded => Some(ApiError::new(
            StatusCode::CONFLICT,
            "not-payable",
            format!(
                "invoice {} is {} and cannot be paid",
                inv.number,
                inv.status().as_str()
            ),
        )),
        InvoiceStatus::Unpaid if amount != inv.amount_incl_tax => Some(ApiError::field(
            "amount",
            "amount_mismatch",
            format!(
                "{} does not match the amount due on {} ({}); nothing was changed",
                yen(amount),
                inv.number,
                yen(inv.amount_incl_tax)
            ),
        )),
        InvoiceStatus::Unpaid => None,
    }
}

/// Marks `inv` paid and completes its registration (STEP 11) or extends it (renewal), in `txn`.
/// Sends the completion email before the caller commits.
pub async fn apply_payment(
    state: &AppState,
    txn: &DatabaseTransaction,
    inv: &invoice::Model,
    payment: Payment<'_>,
) -> ApiResult<(invoice::Model, registration::Model)> {
    let now = state.now();
    let refusal = match payment.claim {
        // The card payment holds the claim itself; only the other refusals apply.
        Some(_) => {
            payment_refusal(inv, payment.amount, now).filter(|r| r.kind != "payment-in-progress")
        }
        None => payment_refusal(inv, payment.amount, now),
    };
    if let Some(refusal) = refusal {
        return Err(refusal);
    }
    let held = match payment.claim {
        Some(claim) => Condition::all().add(invoice::Column::ChargingAt.eq(claim)),
        None => unclaimed(now),
    };
    let res = invoice::Entity::update_many()
        .set(invoice::ActiveModel {
            status: Set(InvoiceStatus::Paid.as_str().to_owned()),
            paid_at: Set(Some(now)),
            paid_amount: Set(Some(payment.amount)),
            paid_via: Set(Some(payment.via.to_owned())),
            payment_reference: Set(Some(payment.reference.chars().take(128).collect())),
            charging_at: Set(None),
            ..Default::default()
        })
        .filter(invoice::Column::Id.eq(inv.id))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Unpaid.as_str()))
        .filter(held)
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        let current = invoice::Entity::find_by_id(inv.id).one(txn).await?;
        return Err(current
            .and_then(|c| payment_refusal(&c, payment.amount, now))
            .unwrap_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "already-paid",
                    format!(
                        "invoice {} was paid meanwhile; nothing was changed",
                        inv.number
                    ),
                )
            }));
    }
    let paid = invoice::Entity::find_by_id(inv.id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::internal("invoice vanished"))?;
    let reg = registration::Entity::find_by_id(inv.registration_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::internal("invoice without registration"))?;
    let years = inv.period_years;
    let reg = if inv.kind == invoice::KIND_NEW {
        transition(
            txn,
            &reg,
            RegistrationState::Registered,
            registration::ActiveModel {
                registered_at: Set(Some(now)),
                deadline: Set(Some(dates::activation_deadline(now))),
                contract_years: Set(years),
                ..Default::default()
            },
            payment.actor,
            &format!("invoice {} paid by {}", inv.number, payment.via),
            now,
        )
        .await?
    } else {
        // R-FQDN-8: a renewal adds its years; an active contract's end moves at once.
        extend_contract(txn, reg.id, years.max(0), now).await?
    };
    AuditEntry {
        actor: payment.actor.to_owned(),
        customer_id: Some(inv.customer_id),
        action: "invoice.paid",
        subject: inv.number.clone(),
        success: true,
        detail: json!({ "via": payment.via, "amount": payment.amount, "registration": reg.id }),
        remote_addr: None,
    }
    .write(txn, now)
    .await?;
    crate::webhooks::emit(
        txn,
        inv.customer_id,
        WebhookEventType::InvoicePaid,
        json!({ "invoice": invoice_dto(&paid, &state.config.bank_account) }),
        now,
    )
    .await?;
    let customer = customer::Entity::find_by_id(inv.customer_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::internal("invoice without customer"))?;
    let deadline = reg.deadline.unwrap_or(now);
    state
        .mailer
        .send(
            txn,
            &templates::registration_completed(&billing_mail(state, &customer, &paid, deadline)),
        )
        .await?;
    Ok((paid, reg))
}

/// R-BILL-4: voids invoices unpaid past their due date and cancels their new registrations.
/// Returns how many invoices were voided.
pub async fn cancel_overdue(state: &AppState) -> ApiResult<u32> {
    let now = state.now();
    // An invoice a card payment holds is left alone: the payment may still succeed.
    let overdue = invoice::Entity::find()
        .filter(invoice::Column::Status.eq(InvoiceStatus::Unpaid.as_str()))
        .filter(invoice::Column::DueAt.lt(now))
        .filter(unclaimed(now))
        .all(&state.db)
        .await?;
    let mut count = 0;
    for inv in overdue {
        let txn = state.db.begin().await?;
        let res = invoice::Entity::update_many()
            .set(invoice::ActiveModel {
                status: Set(InvoiceStatus::Void.as_str().to_owned()),
                voided_at: Set(Some(now)),
                ..Default::default()
            })
            .filter(invoice::Column::Id.eq(inv.id))
            .filter(invoice::Column::Status.eq(InvoiceStatus::Unpaid.as_str()))
            .filter(unclaimed(now))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            continue; // paid, voided or claimed for a card payment meanwhile
        }
        let voided = invoice::Model {
            status: InvoiceStatus::Void.as_str().to_owned(),
            voided_at: Some(now),
            ..inv.clone()
        };
        crate::webhooks::emit(
            &txn,
            inv.customer_id,
            WebhookEventType::InvoiceVoid,
            json!({ "invoice": invoice_dto(&voided, &state.config.bank_account) }),
            now,
        )
        .await?;
        if inv.kind == invoice::KIND_NEW {
            if let Some(reg) = registration::Entity::find_by_id(inv.registration_id)
                .one(&txn)
                .await?
            {
                if reg.state() == RegistrationState::AwaitingPayment {
                    let reason = format!("invoice {} not paid by its due date", inv.number);
                    transition(
                        &txn,
                        &reg,
                        RegistrationState::Cancelled,
                        Default::default(),
                        "system",
                        &reason,
                        now,
                    )
                    .await?;
                }
            }
        }
        if let Some(customer) = customer::Entity::find_by_id(inv.customer_id)
            .one(&txn)
            .await?
        {
            state
                .mailer
                .send(
                    &txn,
                    &templates::registration_cancelled(&billing_mail(
                        state, &customer, &inv, inv.due_at,
                    )),
                )
                .await?;
        }
        txn.commit().await?;
        count += 1;
    }
    Ok(count)
}

/// Moves every registration in `from` whose `column` time has passed to `to`.
async fn sweep(
    state: &AppState,
    from: RegistrationState,
    column: registration::Column,
    to: RegistrationState,
    reason: &str,
) -> ApiResult<u32> {
    let now = state.now();
    let due = registration::Entity::find()
        .filter(registration::Column::State.eq(from.as_str()))
        .filter(column.lt(now))
        .all(&state.db)
        .await?;
    let mut count = 0;
    for reg in due {
        let txn = state.db.begin().await?;
        match transition(&txn, &reg, to, Default::default(), "system", reason, now).await {
            Ok(_) => {
                txn.commit().await?;
                count += 1;
            }
            Err(e) if e.kind == "concurrent-change" => {}
            Err(e) => return Err(e),
        }
    }
    Ok(count)
}

/// R-FQDN-6: registrations never issued by their deadline lapse (no refund).
pub async fn lapse_overdue(state: &AppState) -> ApiResult<u32> {
    sweep(
        state,
        RegistrationState::Registered,
        registration::Column::Deadline,
        RegistrationState::Lapsed,
        "no certificate issued by the deadline",
    )
    .await
}

/// R-FQDN-5: active registrations past their contract end expire.
pub async fn expire_ended(state: &AppState) -> ApiResult<u32> {
    sweep(
        state,
        RegistrationState::Active,
        registration::Column::ContractEnd,
        RegistrationState::Expired,
        "contract period over",
    )
    .await
}

/// R-BILL-5: refund a paid invoice before any certificate was issued for its registration.
pub async fn refund(
    state: &AppState,
    inv: &invoice::Model,
    actor: &str,
) -> ApiResult<invoice::Model> {
    use axum::http::StatusCode;
    let now = state.now();
    if inv.status() != InvoiceStatus::Paid {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not-refundable",
            format!(
                "invoice {} is {}; only paid invoices can be refunded",
                inv.number,
                inv.status().as_str()
            ),
        ));
    }
    let txn = state.db.begin().await?;
    // The invoice's compare-and-set comes first (a write first also keeps SQLite from having
    // to upgrade a read snapshot); a certificate found below rolls it back.
    let res = invoice::Entity::update_many()
        .set(invoice::ActiveModel {
            status: Set(InvoiceStatus::Refunded.as_str().to_owned()),
            refunded_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(invoice::Column::Id.eq(inv.id))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Paid.as_str()))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "concurrent-change",
            "the invoice changed meanwhile",
        ));
    }
    let reg = registration::Entity::find_by_id(inv.registration_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("invoice without registration"))?;
    if reg.activated_at.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not-refundable",
            format!(
                "a certificate has been issued for {}; no refund is possible (R-BILL-5)",
                reg.fqdn
            ),
        ));
    }
    let reason = format!("invoice {} refunded", inv.number);
    if inv.kind == invoice::KIND_NEW {
        transition(
            &txn,
            &reg,
            RegistrationState::Cancelled,
            Default::default(),
            actor,
            &reason,
            now,
        )
        .await?;
    } else {
        extend_contract(&txn, reg.id, -inv.period_years, now).await?;
    }
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(inv.customer_id),
        action: "invoice.refund",
        subject: inv.number.clone(),
        success: true,
        detail: json!({ "amount": inv.amount_incl_tax }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    invoice::Entity::find_by_id(inv.id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::internal("invoice vanished"))
}
