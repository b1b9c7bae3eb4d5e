//! The customer center (R-SUP-1, R-SUP-2): inquiries about a domain name or an invoice, the
//! conversation with the operators, and the emails around it. Every state change is a
//! compare-and-set on the inquiry's status, written with its message, its audit record and its
//! emails in one transaction (R-ALL-1). Errors are [`SupportError`]; the REST layer maps them.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    Order, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use shared::dto::{Inquiry, InquiryAuthor, InquiryMessage, InquiryRequest, InquiryStatus, Locale};
use shared::fqdn::{self, CertType};
use shared::problem::FieldError;
use shared::support;

use crate::audit::AuditEntry;
use crate::clock::rfc3339;
use crate::mail::templates::{self, InquiryMail, Recipient, SupportNotice};
use crate::state::AppState;
use crate::store::entity::inquiry::{self, STATUS_ANSWERED, STATUS_CLOSED, STATUS_OPEN};
use crate::store::entity::{customer, inquiry_message, invoice};

/// The longest subject, in characters.
pub const SUBJECT_MAX: usize = 200;
/// The longest message, in characters.
pub const MESSAGE_MAX: usize = 5000;
/// Why a customer center action was refused.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    /// Bad input, naming every bad field.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// No such inquiry (or not the caller's).
    #[error("no inquiry {0}")]
    NotFound(i64),
    /// The inquiry is closed; nothing more can be written to it.
    #[error("inquiry {0} is closed")]
    Closed(String),
    /// Another request changed the inquiry between our read and our write.
    #[error("inquiry {0} changed meanwhile")]
    Concurrent(String),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("email: {0:#}")]
    Mail(#[from] anyhow::Error),
}

fn field(name: &str, code: &str, reason: impl Into<String>) -> FieldError {
    FieldError::new(name, code, reason)
}

/// A message body: 1 to [`MESSAGE_MAX`] characters after trimming.
fn check_message(name: &str, text: &str, errors: &mut Vec<FieldError>) -> String {
    let text = text.trim();
    let len = text.chars().count();
    if len == 0 {
        errors.push(field(name, "required", "is required"));
    } else if len > MESSAGE_MAX {
        errors.push(field(
            name,
            "too_long",
            format!("must be at most {MESSAGE_MAX} characters, not {len}"),
        ));
    }
    text.to_owned()
}

/// A validated inquiry request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInquiry {
    pub subject: String,
    /// A-label form, `*.` kept for a wildcard name.
    pub domain: Option<String>,
    pub invoice_number: Option<String>,
    pub message: String,
}

/// The A-label form of a domain name or common name, `*.example.jp` allowed.
pub fn normalize_domain(input: &str) -> Result<String, FieldError> {
    let folded = input.trim().replace('＊', "*");
    let cert_type = if folded.starts_with("*.") {
        CertType::DvWildcard
    } else {
        CertType::Dv
    };
    fqdn::normalize(&folded, cert_type)
        .map(|n| n.display_ascii())
        .map_err(|e| field("domain", e.code(), e.message(Locale::En)))
}

/// Whether `s` is shaped like an invoice number: `BILL` and digits.
pub fn is_invoice_number(s: &str) -> bool {
    s.len() > 4 && s.starts_with("BILL") && s[4..].bytes().all(|b| b.is_ascii_digit())
}

/// Checks the shape of an inquiry request (R-ALL-1): every bad field at once. Whether the
/// invoice is the customer's is checked against the database by [`create`].
pub fn validate(req: &InquiryRequest) -> Result<NewInquiry, Vec<FieldError>> {
    let mut errors = Vec::new();
    let subject = req.subject.trim().to_owned();
    let len = subject.chars().count();
    if len == 0 {
        errors.push(field("subject", "required", "is required"));
    } else if len > SUBJECT_MAX {
        errors.push(field(
            "subject",
            "too_long",
            format!("must be at most {SUBJECT_MAX} characters, not {len}"),
        ));
    } else if subject.chars().any(char::is_control) {
        errors.push(field(
            "subject",
            "invalid",
            "must be one line without control characters",
        ));
    }
    let domain_in = req
        .domain
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let invoice_in = req
        .invoice_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if domain_in.is_none() && invoice_in.is_none() {
        let reason = "give the domain name (or common name) or the invoice number (BILL…) the inquiry is about";
        errors.push(field("domain", "domain_or_invoice_required", reason));
        errors.push(field(
            "invoice_number",
            "domain_or_invoice_required",
            reason,
        ));
    }
    let domain = domain_in.and_then(|d| normalize_domain(d).map_err(|e| errors.push(e)).ok());
    let invoice_number = invoice_in.and_then(|n| {
        let upper = n.to_ascii_uppercase();
        if is_invoice_number(&upper) {
            Some(upper)
        } else {
            errors.push(field(
                "invoice_number",
                "invalid_invoice_number",
                format!("{n:?} is not an invoice number: BILL followed by digits"),
            ));
            None
        }
    });
    let message = check_message("message", &req.message, &mut errors);
    if errors.is_empty() {
        Ok(NewInquiry {
            subject,
            domain,
            invoice_number,
            message,
        })
    } else {
        Err(errors)
    }
}

/// An inquiry with its conversation and its assignee's email.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub inquiry: inquiry::Model,
    pub messages: Vec<inquiry_message::Model>,
    pub assignee: Option<String>,
}

/// The API's view of an inquiry.
pub fn dto(l: &Loaded) -> Inquiry {
    let i = &l.inquiry;
    Inquiry {
        id: i.id,
        number: i.number.clone(),
        customer_id: shared::CustomerId(i.customer_id).to_string(),
        subject: i.subject.clone(),
        domain: i.domain.clone(),
        domain_unicode: i.domain.as_ref().map(|d| idna::domain_to_unicode(d).0),
        invoice_number: i.invoice_number.clone(),
        status: i.status(),
        created_at: rfc3339(i.created_at),
        received_in_hours: i.received_in_hours,
        answer_by: i.answer_by.clone(),
        assignee: l.assignee.clone(),
        messages: l
            .messages
            .iter()
            .map(|m| InquiryMessage {
                author: if m.author == inquiry_message::AUTHOR_OPERATOR {
                    InquiryAuthor::Operator
                } else {
                    InquiryAuthor::Customer
                },
                body: m.body.clone(),
                at: rfc3339(m.at),
            })
            .collect(),
    }
}

/// Loads the conversations and assignees of `rows` in two queries.
pub async fn load_many(
    db: &impl ConnectionTrait,
    rows: Vec<inquiry::Model>,
) -> Result<Vec<Loaded>, sea_orm::DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let messages = inquiry_message::Entity::find()
        .filter(inquiry_message::Column::InquiryId.is_in(rows.iter().map(|r| r.id)))
        .order_by_asc(inquiry_message::Column::Id)
        .all(db)
        .await?;
    let assignee_ids: Vec<i64> = rows.iter().filter_map(|r| r.assignee_id).collect();
    let assignees = if assignee_ids.is_empty() {
        Vec::new()
    } else {
        customer::Entity::find()
            .filter(customer::Column::Id.is_in(assignee_ids))
            .all(db)
            .await?
    };
    Ok(rows
        .into_iter()
        .map(|inquiry| Loaded {
            messages: messages
                .iter()
                .filter(|m| m.inquiry_id == inquiry.id)
                .cloned()
                .collect(),
            assignee: inquiry.assignee_id.and_then(|a| {
                assignees
                    .iter()
                    .find(|c| c.id == a)
                    .map(|c| c.email.clone())
            }),
            inquiry,
        })
        .collect())
}

/// One inquiry with its conversation; `customer_id` limits it to that customer's.
pub async fn load(
    db: &impl ConnectionTrait,
    id: i64,
    customer_id: Option<i64>,
) -> Result<Loaded, SupportError> {
    let mut select = inquiry::Entity::find_by_id(id);
    if let Some(c) = customer_id {
        select = select.filter(inquiry::Column::CustomerId.eq(c));
    }
    let row = select.one(db).await?.ok_or(SupportError::NotFound(id))?;
    Ok(load_many(db, vec![row]).await?.remove(0))
}

/// `Q` and the row id, zero-padded: unique and never reused.
pub fn inquiry_number(id: i64) -> String {
    format!("Q{id:08}")
}

fn portal_link(state: &AppState, id: i64) -> String {
    state.config.public(&format!("/support/{id}"))
}

fn console_link(state: &AppState, id: i64) -> String {
    state.config.public(&format!("/operator/inquiries/{id}"))
}

fn mail_facts<'a>(state: &AppState, to: Recipient<'a>, i: &'a inquiry::Model) -> InquiryMail<'a> {
    InquiryMail {
        to,
        number: &i.number,
        subject: &i.subject,
        domain: i.domain.as_deref(),
        invoice_number: i.invoice_number.as_deref(),
        in_hours: i.received_in_hours,
        answer_by: chrono::NaiveDate::parse_from_str(&i.answer_by, "%Y-%m-%d")
            .unwrap_or_else(|_| support::jst_date(i.created_at)),
        link: portal_link(state, i.id),
    }
}

/// Tells the customer center about a customer's message (new inquiry or follow-up).
async fn notify_support(
    state: &AppState,
    txn: &impl sea_orm::ConnectionTrait,
    customer: &customer::Model,
    i: &inquiry::Model,
    message: &str,
    follow_up: bool,
) -> anyhow::Result<()> {
    let to = Recipient {
        brand: &state.config.brand,
        address: &state.config.support_email,
        locale: Locale::Ja,
        name: "カスタマーセンター",
    };
    let mut facts = mail_facts(state, to, i);
    facts.link = console_link(state, i.id);
    state
        .mailer
        .send(
            txn,
            &templates::support_notice(&SupportNotice {
                inquiry: facts,
                customer_id: customer.customer_id().to_string(),
                customer_name: &customer.name,
                customer_email: &customer.email,
                message,
                follow_up,
            }),
        )
        .await
}

async fn add_message(
    txn: &DatabaseTransaction,
    inquiry_id: i64,
    author: &str,
    operator_id: Option<i64>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    inquiry_message::ActiveModel {
        inquiry_id: Set(inquiry_id),
        author: Set(author.to_owned()),
        operator_id: Set(operator_id),
        body: Set(body.to_owned()),
        at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map(|_| ())
}

/// R-SUP-1: a new inquiry with its first message, the audit record, the receipt to the customer
/// (with the answer date of R-SUP-2) and the notice to the customer center, in one transaction.
pub async fn create(
    state: &AppState,
    customer: &customer::Model,
    req: &InquiryRequest,
    actor: &str,
    remote_addr: Option<String>,
) -> Result<Loaded, SupportError> {
    let new = validate(req).map_err(SupportError::Invalid)?;
    let now = state.now();
    let in_hours = support::is_open(now);
    let answer_by = support::answer_by(now);
    if !support::answer_by_is_certain(now) {
        tracing::warn!(%answer_by,
            "the public holiday table ends in {}; the answer date counts weekends and 29 Dec – 3 Jan only",
            support::HOLIDAYS_LAST_YEAR);
    }
    let txn = state.db.begin().await?;
    if let Some(number) = &new.invoice_number {
        // Another customer's invoice reads exactly like a missing one.
        let own = invoice::Entity::find()
            .filter(invoice::Column::Number.eq(number))
            .filter(invoice::Column::CustomerId.eq(customer.id))
            .one(&txn)
            .await?;
        if own.is_none() {
            return Err(SupportError::Invalid(vec![field(
                "invoice_number",
                "unknown_invoice",
                format!("{number} is not one of your invoices"),
            )]));
        }
    }
    let draft = inquiry::ActiveModel {
        number: Set(format!(
            "TMP-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..24]
        )),
        customer_id: Set(customer.id),
        subject: Set(new.subject.clone()),
        domain: Set(new.domain.clone()),
        invoice_number: Set(new.invoice_number.clone()),
        status: Set(STATUS_OPEN.to_owned()),
        assignee_id: Set(None),
        received_in_hours: Set(in_hours),
        answer_by: Set(support::iso_date(answer_by)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut numbered: inquiry::ActiveModel = draft.clone().into();
    numbered.number = Set(inquiry_number(draft.id));
    let row = numbered.update(&txn).await?;
    add_message(
        &txn,
        row.id,
        inquiry_message::AUTHOR_CUSTOMER,
        None,
        &new.message,
        now,
    )
    .await?;
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(customer.id),
        action: "inquiry.create",
        subject: row.number.clone(),
        success: true,
        detail: json!({ "domain": row.domain, "invoice_number": row.invoice_number,
                        "received_in_hours": in_hours, "answer_by": row.answer_by }),
        remote_addr,
    }
    .write(&txn, now)
    .await?;
    let to = Recipient::customer(&state.config.brand, customer);
    state
        .mailer
        .send(
            &txn,
            &templates::inquiry_received(&mail_facts(state, to, &row)),
        )
        .await?;
    notify_support(state, &txn, customer, &row, &new.message, false).await?;
    let loaded = load(&txn, row.id, None).await?;
    txn.commit().await?;
    Ok(loaded)
}

/// Moves inquiry `i` to `to` if its status is still what was read (compare-and-set).
async fn set_status(
    txn: &DatabaseTransaction,
    i: &inquiry::Model,
    to: &str,
    assignee: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), SupportError> {
    let mut update = inquiry::Entity::update_many()
        .col_expr(inquiry::Column::Status, Expr::value(to))
        .col_expr(inquiry::Column::UpdatedAt, Expr::value(now));
    if let Some(a) = assignee {
        update = update.col_expr(inquiry::Column::AssigneeId, Expr::value(a));
    }
    let res = update
        .filter(inquiry::Column::Id.eq(i.id))
        .filter(inquiry::Column::Status.eq(i.status.as_str()))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(SupportError::Concurrent(i.number.clone()));
    }
    Ok(())
}

/// Reads inquiry `id` inside `txn` after taking its row lock (a write first: PostgreSQL locks
/// the row, SQLite the database), so what is read is what the compare-and-set will see.
async fn lock(
    txn: &DatabaseTransaction,
    id: i64,
    customer_id: Option<i64>,
) -> Result<inquiry::Model, SupportError> {
    let mut cond = Condition::all().add(inquiry::Column::Id.eq(id));
    if let Some(c) = customer_id {
        cond = cond.add(inquiry::Column::CustomerId.eq(c));
    }
    let touched = inquiry::Entity::update_many()
        .col_expr(
            inquiry::Column::UpdatedAt,
            Expr::col(inquiry::Column::UpdatedAt).into(),
        )
        .filter(cond.clone())
        .exec(txn)
        .await?;
    if touched.rows_affected != 1 {
        return Err(SupportError::NotFound(id));
    }
    inquiry::Entity::find()
        .filter(cond)
        .one(txn)
        .await?
        .ok_or(SupportError::NotFound(id))
}

/// The start every new message of an inquiry shares: the text checked, a transaction, inquiry
/// `id` locked (only the customer `owner`'s when given), and a closed inquiry refused.
async fn begin_message(
    state: &AppState,
    id: i64,
    owner: Option<i64>,
    message: &str,
) -> Result<(String, DateTime<Utc>, DatabaseTransaction, inquiry::Model), SupportError> {
    let mut errors = Vec::new();
    let body = check_message("message", message, &mut errors);
    if !errors.is_empty() {
        return Err(SupportError::Invalid(errors));
    }
    let now = state.now();
    let txn = state.db.begin().await?;
    let row = lock(&txn, id, owner).await?;
    if row.status() == InquiryStatus::Closed {
        return Err(SupportError::Closed(row.number));
    }
    Ok((body, now, txn, row))
}

/// R-SUP-1: the customer writes again; an answered inquiry opens again. A closed one refuses.
pub async fn customer_message(
    state: &AppState,
    customer: &customer::Model,
    id: i64,
    message: &str,
    actor: &str,
) -> Result<Loaded, SupportError> {
    let (body, now, txn, row) = begin_message(state, id, Some(customer.id), message).await?;
    set_status(&txn, &row, STATUS_OPEN, None, now).await?;
    add_message(
        &txn,
        row.id,
        inquiry_message::AUTHOR_CUSTOMER,
        None,
        &body,
        now,
    )
    .await?;
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(customer.id),
        action: "inquiry.customer_message",
        subject: row.number.clone(),
        success: true,
        detail: json!({ "from": row.status, "to": STATUS_OPEN }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    notify_support(state, &txn, customer, &row, &body, true).await?;
    let loaded = load(&txn, row.id, None).await?;
    txn.commit().await?;
    Ok(loaded)
}

/// R-SUP-1: an operator answers; the inquiry is `answered` (and assigned to the operator if it
/// was nobody's) and the customer is emailed in its language with the reply and a link.
pub async fn reply(
    state: &AppState,
    operator: &customer::Model,
    id: i64,
    message: &str,
    actor: &str,
) -> Result<Loaded, SupportError> {
    let (body, now, txn, row) = begin_message(state, id, None, message).await?;
    let assignee = row.assignee_id.is_none().then_some(operator.id);
    set_status(&txn, &row, STATUS_ANSWERED, assignee, now).await?;
    add_message(
        &txn,
        row.id,
        inquiry_message::AUTHOR_OPERATOR,
        Some(operator.id),
        &body,
        now,
    )
    .await?;
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(row.customer_id),
        action: "inquiry.reply",
        subject: row.number.clone(),
        success: true,
        detail: json!({ "from": row.status, "to": STATUS_ANSWERED }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    let customer = customer::Entity::find_by_id(row.customer_id)
        .one(&txn)
        .await?
        .ok_or(SupportError::NotFound(id))?;
    let to = Recipient::customer(&state.config.brand, &customer);
    state
        .mailer
        .send(
            &txn,
            &templates::inquiry_answered(&mail_facts(state, to, &row), &body),
        )
        .await?;
    let loaded = load(&txn, row.id, None).await?;
    txn.commit().await?;
    Ok(loaded)
}

/// Assigns inquiry `id` to the operator with `operator_email`, or to `caller` when absent.
pub async fn assign(
    state: &AppState,
    caller: &customer::Model,
    id: i64,
    operator_email: Option<&str>,
    actor: &str,
) -> Result<Loaded, SupportError> {
    let target = match operator_email.map(str::trim).filter(|e| !e.is_empty()) {
        None => caller.clone(),
        Some(email) => customer::Entity::find()
            .filter(customer::Column::EmailLower.eq(email.to_lowercase()))
            .filter(customer::Column::Role.eq(customer::ROLE_OPERATOR))
            .one(&state.db)
            .await?
            .ok_or_else(|| {
                SupportError::Invalid(vec![field(
                    "operator_email",
                    "unknown_operator",
                    format!("{email:?} is not an operator's email address"),
                )])
            })?,
    };
    let now = state.now();
    let txn = state.db.begin().await?;
    let row = lock(&txn, id, None).await?;
    let res = inquiry::Entity::update_many()
        .col_expr(inquiry::Column::AssigneeId, Expr::value(target.id))
        .col_expr(inquiry::Column::UpdatedAt, Expr::value(now))
        .filter(inquiry::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(SupportError::Concurrent(row.number));
    }
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(row.customer_id),
        action: "inquiry.assign",
        subject: row.number.clone(),
        success: true,
        detail: json!({ "assignee": target.email, "previous": row.assignee_id }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    let loaded = load(&txn, row.id, None).await?;
    txn.commit().await?;
    Ok(loaded)
}

/// Closes inquiry `id`; a closed one stays closed and says so.
pub async fn close(state: &AppState, id: i64, actor: &str) -> Result<Loaded, SupportError> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let row = lock(&txn, id, None).await?;
    if row.status() == InquiryStatus::Closed {
        return Err(SupportError::Closed(row.number));
    }
    set_status(&txn, &row, STATUS_CLOSED, None, now).await?;
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(row.customer_id),
        action: "inquiry.close",
        subject: row.number.clone(),
        success: true,
        detail: json!({ "from": row.status, "to": STATUS_CLOSED }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    let loaded = load(&txn, row.id, None).await?;
    txn.commit().await?;
    Ok(loaded)
}

/// The console's list: open first, then answered, then closed, each oldest first; `status`
/// narrows it to one.
pub async fn operator_list(
    db: &impl ConnectionTrait,
    status: Option<InquiryStatus>,
    after: Option<QueueKey>,
    limit: u64,
) -> Result<Vec<Loaded>, sea_orm::DbErr> {
    let mut select = inquiry::Entity::find();
    if let Some(s) = status {
        select = select.filter(inquiry::Column::Status.eq(inquiry::status_str(s)));
    }
    let rank: SimpleExpr = Expr::case(inquiry::Column::Status.eq(STATUS_OPEN), 0)
        .case(inquiry::Column::Status.eq(STATUS_ANSWERED), 1)
        .finally(2)
        .into();
    if let Some(QueueKey { rank: r, id }) = after {
        select = select.filter(
            Condition::any().add(Expr::expr(rank.clone()).gt(r)).add(
                Condition::all()
                    .add(Expr::expr(rank.clone()).eq(r))
                    .add(inquiry::Column::Id.gt(id)),
            ),
        );
    }
    let rows = select
        .order_by(rank, Order::Asc)
        .order_by_asc(inquiry::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    load_many(db, rows).await
}

/// Where an inquiry stands in the operators' queue: open first, then answered, then closed,
/// each oldest first. The queue is paged after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueKey {
    pub rank: i32,
    pub id: i64,
}

impl QueueKey {
    pub fn of(row: &inquiry::Model) -> Self {
        let rank = match row.status() {
            InquiryStatus::Open => 0,
            InquiryStatus::Answered => 1,
            InquiryStatus::Closed => 2,
        };
        QueueKey { rank, id: row.id }
    }

    /// `rank:R:id:N`, the text of a page cursor.
    pub fn to_text(self) -> String {
        format!("rank:{}:id:{}", self.rank, self.id)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("rank:")?;
        let (rank, id) = rest.split_once(":id:")?;
        let rank: i32 = rank.parse().ok().filter(|r| (0..=2).contains(r))?;
        Some(QueueKey {
            rank,
            id: id.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(
        subject: &str,
        domain: Option<&str>,
        invoice: Option<&str>,
        message: &str,
    ) -> InquiryRequest {
        InquiryRequest {
            subject: subject.into(),
            domain: domain.map(Into::into),
            invoice_number: invoice.map(Into::into),
            message: message.into(),
        }
    }

    fn fields(e: Vec<FieldError>) -> Vec<(String, String)> {
        e.into_iter().map(|e| (e.field, e.code)).collect()
    }

    /// R-SUP-1, R-ALL-1: every bad field named, with its reason.
    #[test]
    fn validation_names_each_field() {
        let ok = validate(&req(" 発行できません ", Some("例え.JP"), None, "助けて")).unwrap();
        assert_eq!(ok.subject, "発行できません");
        assert_eq!(ok.domain.as_deref(), Some("xn--r8jz45g.jp"));
        let ok = validate(&req("x", Some("*.Example.jp"), Some("bill0000000001"), "m")).unwrap();
        assert_eq!(ok.domain.as_deref(), Some("*.example.jp"));
        assert_eq!(ok.invoice_number.as_deref(), Some("BILL0000000001"));
        let table: [(InquiryRequest, &[(&str, &str)]); 7] = [
            (
                req("", Some("example.jp"), None, "m"),
                &[("subject", "required")],
            ),
            (
                req(&"長".repeat(201), Some("example.jp"), None, "m"),
                &[("subject", "too_long")],
            ),
            (
                req("s", None, None, "m"),
                &[
                    ("domain", "domain_or_invoice_required"),
                    ("invoice_number", "domain_or_invoice_required"),
                ],
            ),
            (
                req("s", Some("  "), Some(""), "m"),
                &[
                    ("domain", "domain_or_invoice_required"),
                    ("invoice_number", "domain_or_invoice_required"),
                ],
            ),
            (
                req("s", Some("a..jp"), None, "m"),
                &[("domain", "empty_label")],
            ),
            (
                req("s", None, Some("INV-1"), "m"),
                &[("invoice_number", "invalid_invoice_number")],
            ),
            (
                req("a\nb", Some("example.jp"), None, &"x".repeat(5001)),
                &[("subject", "invalid"), ("message", "too_long")],
            ),
        ];
        for (r, want) in table {
            let got = fields(validate(&r).unwrap_err());
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect();
            assert_eq!(got, want, "{r:?}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(inquiry_number(42), "Q00000042");
        assert!(is_invoice_number("BILL0000000001"));
        assert!(!is_invoice_number("BILL"));
        assert!(!is_invoice_number("BILL12a"));
    }

    #[test]
    fn queue_keys_read_back_and_junk_is_refused() {
        for key in [
            QueueKey { rank: 0, id: 1 },
            QueueKey {
                rank: 2,
                id: i64::MAX,
            },
        ] {
            assert_eq!(QueueKey::parse(&key.to_text()), Some(key));
        }
        for junk in [
            "",
            "id:4",
            "rank:3:id:4",
            "rank:-1:id:4",
            "rank:1:id:x",
            "rank:1",
        ] {
            assert_eq!(QueueKey::parse(junk), None, "{junk}");
        }
    }
}
