//! Operator console for billing: invoices awaiting payment, bank transfer confirmation, bank
//! statement import, refunds, and all registrations (R-BILL-3..5).

use super::doc::{
    BadPage, CsrfHeader, InvoiceNumber, JsonBody, NotFound, OperatorOnly, PROBLEM_JSON,
};
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use shared::billing::PaymentMethod;
use shared::dto::{
    ConfirmPayment, Invoice, InvoiceDocument, Registration, StatementImport, StatementRow,
};
use shared::Problem;

use super::extract::{ApiJson, ApiPath, ApiQuery, OperatorAuth};
use super::paging::{Page, PageParams};
use super::registrations::{respond_registrations, InvoiceFilter, RegistrationFilter};
use crate::error::{ApiError, ApiResult};
use crate::registrations::{self, invoice_dto, Payment};
use crate::state::AppState;
use crate::store::entity::{customer, invoice, registration};

/// Every customer's invoices, newest first, paged, by status.
#[utoipa::path(get, path = "/operator/invoices", operation_id = "operator_list_invoices", tag = "operator", params(InvoiceFilter, PageParams),
    responses((status = 200, body = Vec<Invoice>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn invoices(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiQuery(filter): ApiQuery<InvoiceFilter>,
    page: Page,
) -> ApiResult<Response> {
    let rows = page
        .apply(filter.apply(invoice::Entity::find()), invoice::Column::Id)?
        .all(&state.db)
        .await?;
    Ok(page.respond(
        rows,
        |i| i.id,
        |i| invoice_dto(i, &state.config.bank_account),
    ))
}

/// All customers' registrations, newest first, paged, by state and name.
#[utoipa::path(get, path = "/operator/registrations", tag = "operator", params(RegistrationFilter, PageParams),
    responses((status = 200, body = Vec<Registration>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn all_registrations(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiQuery(filter): ApiQuery<RegistrationFilter>,
    page: Page,
) -> ApiResult<Response> {
    let regs = page
        .apply(
            filter.apply(registration::Entity::find())?,
            registration::Column::Id,
        )?
        .all(&state.db)
        .await?;
    respond_registrations(&state, &page, regs).await
}

async fn find_invoice(state: &AppState, number: &str) -> ApiResult<invoice::Model> {
    invoice::Entity::find()
        .filter(invoice::Column::Number.eq(number))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("there is no invoice {number}")))
}

/// Any customer's printable invoice and receipt (R-BILL-6), in that customer's language.
#[utoipa::path(get, path = "/operator/invoices/{number}/document", operation_id = "operator_get_invoice_document", tag = "operator", params(InvoiceNumber),
    responses((status = 200, body = InvoiceDocument), OperatorOnly, NotFound), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn invoice_document(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<InvoiceDocument>> {
    let inv = find_invoice(&state, &number).await?;
    let owner = customer::Entity::find_by_id(inv.customer_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::internal("invoice without customer"))?;
    Ok(Json(crate::billing::document::document(
        &state.config,
        &inv,
        &owner,
    )))
}

/// A bank transfer (or other payment) was received: confirm it. The amount must match exactly.
#[utoipa::path(post, path = "/operator/invoices/{number}/confirm-payment", tag = "operator", request_body = ConfirmPayment,
    params(InvoiceNumber, CsrfHeader),
    responses((status = 200, body = Invoice), JsonBody, OperatorOnly, NotFound,
              (status = 409, description = "already paid, void or refunded", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn confirm_payment(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<ConfirmPayment>,
) -> ApiResult<Json<Invoice>> {
    let method = PaymentMethod::parse(req.method.trim()).ok_or_else(|| {
        ApiError::field(
            "method",
            "unknown_payment_method",
            "must be bank_transfer or card",
        )
    })?;
    if req.amount <= 0 {
        return Err(ApiError::field(
            "amount",
            "out_of_range",
            "must be the yen amount received, greater than zero",
        ));
    }
    let inv = find_invoice(&state, &number).await?;
    let txn = state.db.begin().await?;
    let actor = op.actor();
    let payment = Payment {
        via: method.as_str(),
        amount: req.amount,
        reference: format!("confirmed by {actor}"),
        actor: &actor,
        claim: None,
    };
    let (paid, _) = registrations::apply_payment(&state, &txn, &inv, payment).await?;
    txn.commit().await?;
    Ok(Json(invoice_dto(&paid, &state.config.bank_account)))
}

/// Refund a paid invoice before any certificate was issued for its registration (R-BILL-5).
#[utoipa::path(post, path = "/operator/invoices/{number}/refund", tag = "operator", params(InvoiceNumber, CsrfHeader),
    responses((status = 200, body = Invoice), OperatorOnly, NotFound,
              (status = 409, description = "not paid", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn refund(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<Invoice>> {
    let inv = find_invoice(&state, &number).await?;
    Ok(Json(invoice_dto(
        &registrations::refund(&state, &inv, &op.actor()).await?,
        &state.config.bank_account,
    )))
}

pub use crate::billing::statement::STATEMENT_COLUMNS;

/// Import a bank statement (CSV, UTF-8): each row is matched on invoice number and amount and
/// applied once; the answer says what became of every row.
#[utoipa::path(post, path = "/operator/bank-statements", tag = "operator",
    request_body(content = String, content_type = "text/csv",
        description = "UTF-8 CSV with a header line: date,invoice_number,amount,payer (amount in yen; commas and ¥ allowed when quoted)"),
    params(CsrfHeader),
    responses((status = 200, body = StatementImport),
              (status = 400, description = "the CSV cannot be read; `errors` names the line and the reason", body = Problem, content_type = PROBLEM_JSON),
              (status = 413, description = "the body is over 1 MiB", body = Problem, content_type = PROBLEM_JSON),
              OperatorOnly),
    security(("session" = []), ("bearer" = ["operator"])))]
pub async fn bank_statement(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    body: axum::body::Bytes,
) -> ApiResult<Json<StatementImport>> {
    let lines = crate::billing::statement::parse(&body)
        .map_err(|e| ApiError::field("body", e.code, e.reason))?;
    let actor = op.actor();
    let mut rows = Vec::new();
    let mut applied = 0;
    for line in lines {
        let outcome = match (&line.refusal, line.amount) {
            (Some((code, detail)), _) => Err((*code, detail.clone())),
            (None, Some(amount)) => {
                apply_row(
                    &state,
                    &line.invoice_number,
                    amount,
                    &actor,
                    line.line,
                    line.date.as_deref(),
                    line.payer.as_deref(),
                )
                .await
            }
            (None, None) => Err(("invalid_row", "the amount is missing".to_owned())),
        };
        let (outcome, detail) = match outcome {
            Ok(detail) => {
                applied += 1;
                ("applied".to_owned(), detail)
            }
            Err((code, detail)) => (code.to_owned(), detail),
        };
        rows.push(StatementRow {
            line: line.line,
            invoice_number: line.invoice_number,
            amount: line.amount,
            outcome,
            detail,
        });
    }
    Ok(Json(StatementImport { rows, applied }))
}

/// Applies one statement row; Err carries the outcome code and a detail.
async fn apply_row(
    state: &AppState,
    number: &str,
    amount: i64,
    actor: &str,
    line: u32,
    date: Option<&str>,
    payer: Option<&str>,
) -> Result<String, (&'static str, String)> {
    let internal = |e: ApiError| ("error", e.detail);
    let inv = invoice::Entity::find()
        .filter(invoice::Column::Number.eq(number))
        .one(&state.db)
        .await
        .map_err(|e| internal(e.into()))?
        .ok_or(("unknown_invoice", format!("there is no invoice {number}")))?;
    if let Some(refusal) = registrations::payment_refusal(&inv, amount, state.now()) {
        let code = match refusal.kind {
            "already-paid" => "already_paid",
            "not-payable" => "not_payable",
            "payment-in-progress" => "payment_in_progress",
            _ => "amount_mismatch",
        };
        let detail = refusal
            .errors
            .first()
            .map(|e| e.reason.clone())
            .unwrap_or(refusal.detail);
        return Err((code, detail));
    }
    let reference = format!(
        "statement line {line}: {} {}",
        date.unwrap_or(""),
        payer.unwrap_or("")
    )
    .trim()
    .to_owned();
    let txn = state.db.begin().await.map_err(|e| internal(e.into()))?;
    let payment = Payment {
        via: "bank_statement",
        amount,
        reference,
        actor,
        claim: None,
    };
    registrations::apply_payment(state, &txn, &inv, payment)
        .await
        .map_err(|e| match e.kind {
            // Claimed or paid between the check above and the transaction.
            "payment-in-progress" => ("payment_in_progress", e.detail),
            "already-paid" => ("already_paid", e.detail),
            _ => internal(e),
        })?;
    txn.commit().await.map_err(|e| internal(e.into()))?;
    Ok(format!("{number} paid ({})", shared::billing::yen(amount)))
}
