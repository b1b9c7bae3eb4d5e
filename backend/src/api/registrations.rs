//! Usage FQDN registration, purchase and payment (STEP 5–11; R-FQDN-1..8, R-BILL-1..5).

use super::doc::{
    BadPage, CsrfHeader, InvoiceNumber, JsonBody, NotFound, ReadAuth, WriteAuth, PROBLEM_JSON,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde::Deserialize;
use shared::billing::{InvoiceStatus, PaymentMethod, Product, RegistrationState};
use shared::dto::{
    CardPayment, FqdnCheck, FqdnCheckRequest, Invoice, InvoiceDocument, Locale, Registration,
    RegistrationCreated, RegistrationRequest,
};
use shared::fqdn::{self, CertType, Normalized};
use shared::problem::FieldError;
use shared::Problem;
use utoipa::IntoParams;

use super::extract::{ApiJson, ApiPath, ApiQuery, Auth, ClientAddr};
use super::paging::{name_filter, Page, PageParams};
use crate::audit::AuditEntry;
use crate::billing::payment::{check_card, PaymentProvider};
use crate::error::{ApiError, ApiResult};
use crate::registrations::{self, invoice_dto, registration_dto, Payment};
use crate::state::AppState;
use crate::store::entity::{acme_application, invoice, registration};

/// The product catalogue (R-BILL-1).
#[utoipa::path(get, path = "/products", tag = "registrations",
    responses((status = 200, body = Vec<Product>)), security(()))]
pub async fn products(State(state): State<AppState>) -> Json<Vec<Product>> {
    Json(state.config.catalogue.0.clone())
}

fn parse_type(field: &str, value: &str) -> Result<CertType, FieldError> {
    CertType::parse(value.trim()).ok_or_else(|| {
        if value.trim().is_empty() {
            FieldError::new(field, "required", "is required: dv or dv_wildcard")
        } else {
            FieldError::new(
                field,
                "unknown_type",
                format!("{value:?} is neither dv nor dv_wildcard"),
            )
        }
    })
}

fn fqdn_error(e: &fqdn::FqdnError) -> FieldError {
    FieldError::new("fqdn", e.code(), e.message(Locale::En))
}

/// Server-side twin of the portal's live preview: normalisation, coverage, availability.
#[utoipa::path(post, path = "/fqdn/check", tag = "registrations", request_body = FqdnCheckRequest, params(CsrfHeader),
    responses((status = 200, body = FqdnCheck, description = "a name that cannot be registered is a 200 with `valid: false` and `errors`; \
        a missing name or an unknown type is a 400"), JsonBody, WriteAuth),
    security(("session" = []), ("bearer" = ["write"])))]
pub async fn check(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<FqdnCheckRequest>,
) -> ApiResult<Json<FqdnCheck>> {
    let mut out = FqdnCheck {
        ascii: None,
        unicode: None,
        coverage: vec![],
        coverage_unicode: vec![],
        valid: false,
        available: false,
        renewal: false,
        errors: vec![],
    };
    // A request without a name or with an unknown type is malformed (400, R-ALL-1); what is
    // wrong with a given name is the preview's answer (200 with `errors`).
    let mut malformed = Vec::new();
    if req.fqdn.trim().is_empty() {
        malformed.push(FieldError::new("fqdn", "required", "is required"));
    }
    let cert_type = match parse_type("type", &req.cert_type) {
        Ok(t) if malformed.is_empty() => t,
        Ok(_) => return Err(ApiError::validation(malformed)),
        Err(e) => {
            malformed.push(e);
            return Err(ApiError::validation(malformed));
        }
    };
    match fqdn::normalize(&req.fqdn, cert_type) {
        Err(e) => out.errors.push(fqdn_error(&e)),
        Ok(n) => {
            let held = registration::Entity::find()
                .filter(registration::Column::LiveFqdn.eq(&n.ascii))
                .one(&state.db)
                .await?;
            out.valid = true;
            out.available = held.is_none();
            out.renewal = held
                .as_ref()
                .is_some_and(|r| r.customer_id == auth.customer.id);
            if held
                .as_ref()
                .is_some_and(|r| r.customer_id != auth.customer.id)
            {
                out.errors
                    .push(FieldError::new("fqdn", "taken", "is already registered"));
            }
            out.ascii = Some(n.ascii);
            out.unicode = Some(n.unicode);
            out.coverage = n.coverage;
            out.coverage_unicode = n.coverage_unicode;
        }
    }
    Ok(Json(out))
}

/// Validates a registration request, naming every bad field (R-ALL-1).
fn validate(
    state: &AppState,
    req: &RegistrationRequest,
) -> Result<(Normalized, Product, PaymentMethod), ApiError> {
    let mut errors = Vec::new();
    let cert_type = parse_type("type", &req.cert_type)
        .map_err(|e| errors.push(e))
        .ok();
    let name = cert_type.and_then(|t| {
        fqdn::normalize(&req.fqdn, t)
            .map_err(|e| errors.push(fqdn_error(&e)))
            .ok()
    });
    let product = cert_type.and_then(|t| {
        let found = state.config.catalogue.find(t, req.period_years).cloned();
        if found.is_none() {
            let periods: Vec<String> = state
                .config
                .catalogue
                .periods(t)
                .iter()
                .map(u32::to_string)
                .collect();
            errors.push(FieldError::new(
                "period_years",
                "unknown_period",
                format!(
                    "{} is not a contract period of {}; choose one of {}",
                    req.period_years,
                    t.as_str(),
                    periods.join(", ")
                ),
            ));
        }
        found
    });
    let method = PaymentMethod::parse(req.payment_method.trim());
    if method.is_none() {
        errors.push(FieldError::new(
            "payment_method",
            "unknown_payment_method",
            "must be card or bank_transfer",
        ));
    }
    if !req.agree_terms {
        errors.push(FieldError::new(
            "agree_terms",
            "must_agree",
            "must be true: the service terms and the 特定商取引法 notice must be agreed to",
        ));
    }
    match (name, product, method) {
        (Some(n), Some(p), Some(m)) if errors.is_empty() => Ok((n, p, m)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// STEP 5–9 confirmed in one call: a registration awaiting payment and its invoice (STEP 10).
/// Buying a name the customer already holds renews it (R-FQDN-8).
#[utoipa::path(post, path = "/registrations", operation_id = "create_registration", tag = "registrations", request_body = RegistrationRequest, params(CsrfHeader),
    responses((status = 201, body = RegistrationCreated), JsonBody, WriteAuth,
              (status = 409, description = "no ACME application yet, or the name is held", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["write"])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<RegistrationRequest>,
) -> ApiResult<(StatusCode, Json<RegistrationCreated>)> {
    let (name, product, method) = validate(&state, &req)?;
    let applied = acme_application::Entity::find()
        .filter(acme_application::Column::CustomerId.eq(auth.customer.id))
        .one(&state.db)
        .await?;
    if applied.is_none() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "acme-application-required",
            "register usage FQDNs after completing the ACME usage application (ACME利用申請)",
        ));
    }
    let opened = registrations::open(
        &state,
        &auth.customer,
        &name,
        &product,
        method,
        &auth.actor(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RegistrationCreated {
            registration: registration_dto(
                &opened.registration,
                Some(opened.invoice.number.clone()),
            ),
            invoice: invoice_dto(&opened.invoice, &state.config.bank_account),
            renewal: opened.renewal,
        }),
    ))
}

/// Filters of a registrations list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationFilter {
    /// Only registrations in this state.
    #[param(inline)]
    pub state: Option<RegistrationState>,
    /// Only names containing this text, as stored: letters, digits, dots, hyphens (A-labels,
    /// `xn--…`); case does not matter, a leading `*.` is ignored. The server also accepts
    /// whole Japanese labels (`例え.jp`), which it converts to A-labels.
    #[param(
        max_length = 253,
        pattern = r"^(\*\.)?[A-Za-z0-9.-]*$",
        example = "example.jp"
    )]
    pub name: Option<String>,
}

impl RegistrationFilter {
    /// `select` narrowed to the filter's state and name.
    pub fn apply(
        &self,
        mut select: sea_orm::Select<registration::Entity>,
    ) -> ApiResult<sea_orm::Select<registration::Entity>> {
        if let Some(st) = self.state {
            select = select.filter(registration::Column::State.eq(st.as_str()));
        }
        if let Some(name) = name_filter(self.name.as_deref())? {
            select = select.filter(registration::Column::Fqdn.contains(name));
        }
        Ok(select)
    }
}

/// The customer's registrations, newest first, paged, by state and name.
#[utoipa::path(get, path = "/registrations", operation_id = "list_registrations", tag = "registrations", params(RegistrationFilter, PageParams),
    responses((status = 200, body = Vec<Registration>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<RegistrationFilter>,
    page: Page,
) -> ApiResult<Response> {
    let regs = page
        .apply(
            filter.apply(
                registration::Entity::find()
                    .filter(registration::Column::CustomerId.eq(auth.customer.id)),
            )?,
            registration::Column::Id,
        )?
        .all(&state.db)
        .await?;
    respond_registrations(&state, &page, regs).await
}

/// A page of registrations with their newest invoice numbers.
pub async fn respond_registrations(
    state: &AppState,
    page: &Page,
    regs: Vec<registration::Model>,
) -> ApiResult<Response> {
    let ids: Vec<i64> = regs.iter().map(|r| r.id).collect();
    let dtos = with_invoices(state, regs).await?;
    let rows: Vec<(i64, Registration)> = ids.into_iter().zip(dtos).collect();
    Ok(page.respond(rows, |(id, _)| *id, |(_, dto)| dto.clone()))
}

/// Registrations with their newest invoice numbers.
pub async fn with_invoices(
    state: &AppState,
    regs: Vec<registration::Model>,
) -> ApiResult<Vec<Registration>> {
    let invoices = invoice::Entity::find()
        .filter(invoice::Column::RegistrationId.is_in(regs.iter().map(|r| r.id)))
        .order_by_desc(invoice::Column::Id)
        .all(&state.db)
        .await?;
    Ok(regs
        .iter()
        .map(|r| {
            let number = invoices
                .iter()
                .find(|i| i.registration_id == r.id)
                .map(|i| i.number.clone());
            registration_dto(r, number)
        })
        .collect())
}

/// One of the customer's registrations.
#[utoipa::path(get, path = "/registrations/{id}", operation_id = "get_registration", tag = "registrations",
    params(("id" = i64, Path, description = "registration id")),
    responses((status = 200, body = Registration), ReadAuth, NotFound), security(("session" = []), ("bearer" = ["read"])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Registration>> {
    let reg = registration::Entity::find_by_id(id)
        .filter(registration::Column::CustomerId.eq(auth.customer.id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("you have no registration {id}")))?;
    let mut list = with_invoices(&state, vec![reg]).await?;
    Ok(Json(list.remove(0)))
}

/// Filters of an invoices list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceFilter {
    /// Only invoices in this state.
    #[param(inline)]
    pub status: Option<InvoiceStatus>,
}

impl InvoiceFilter {
    /// `select` narrowed to the filter's status.
    pub fn apply(
        &self,
        select: sea_orm::Select<invoice::Entity>,
    ) -> sea_orm::Select<invoice::Entity> {
        match self.status {
            Some(st) => select.filter(invoice::Column::Status.eq(st.as_str())),
            None => select,
        }
    }
}

/// The customer's invoices, newest first, paged, by status.
#[utoipa::path(get, path = "/invoices", operation_id = "list_invoices", tag = "registrations", params(InvoiceFilter, PageParams),
    responses((status = 200, body = Vec<Invoice>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn invoices(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<InvoiceFilter>,
    page: Page,
) -> ApiResult<Response> {
    let rows = page
        .apply(
            filter.apply(
                invoice::Entity::find().filter(invoice::Column::CustomerId.eq(auth.customer.id)),
            ),
            invoice::Column::Id,
        )?
        .all(&state.db)
        .await?;
    Ok(page.respond(
        rows,
        |i| i.id,
        |i| invoice_dto(i, &state.config.bank_account),
    ))
}

async fn own_invoice(state: &AppState, auth: &Auth, number: &str) -> ApiResult<invoice::Model> {
    invoice::Entity::find()
        .filter(invoice::Column::Number.eq(number))
        .filter(invoice::Column::CustomerId.eq(auth.customer.id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("you have no invoice {number}")))
}

/// One of the customer's invoices.
#[utoipa::path(get, path = "/invoices/{number}", tag = "registrations", params(InvoiceNumber),
    responses((status = 200, body = Invoice), ReadAuth, NotFound), security(("session" = []), ("bearer" = ["read"])))]
pub async fn invoice(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<Invoice>> {
    Ok(Json(invoice_dto(
        &own_invoice(&state, &auth, &number).await?,
        &state.config.bank_account,
    )))
}

/// Everything the printable A4 invoice (and, once paid, the receipt) of one of the customer's
/// invoices shows (R-BILL-6), in the customer's language. Operators read any invoice's at
/// `/operator/invoices/{number}/document`.
#[utoipa::path(get, path = "/invoices/{number}/document", operation_id = "get_invoice_document", tag = "registrations", params(InvoiceNumber),
    responses((status = 200, body = InvoiceDocument), ReadAuth, NotFound), security(("session" = []), ("bearer" = ["read"])))]
pub async fn invoice_document(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<InvoiceDocument>> {
    let inv = own_invoice(&state, &auth, &number).await?;
    Ok(Json(crate::billing::document::document(
        &state.config,
        &inv,
        &auth.customer,
    )))
}

/// Pay an invoice by card through the configured provider. Card data is never stored or logged.
/// The invoice is claimed before the provider is called and the invoice number is the
/// provider's idempotency key, so racing requests charge at most once (R-BILL-6).
#[utoipa::path(post, path = "/invoices/{number}/pay", tag = "registrations", request_body = CardPayment,
    params(InvoiceNumber, CsrfHeader),
    responses((status = 200, body = Invoice), JsonBody, WriteAuth, NotFound,
              (status = 402, description = "the card was declined", body = Problem, content_type = PROBLEM_JSON),
              (status = 409, description = "already paid, void or refunded, not payable by card, or a payment for it is in progress", body = Problem, content_type = PROBLEM_JSON)),
    security(("session" = []), ("bearer" = ["write"])))]
pub async fn pay(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiPath(number): ApiPath<String>,
    ApiJson(card): ApiJson<CardPayment>,
) -> ApiResult<Json<Invoice>> {
    let inv = own_invoice(&state, &auth, &number).await?;
    let now = state.now();
    if let Some(refusal) = registrations::payment_refusal(&inv, inv.amount_incl_tax, now) {
        return Err(refusal);
    }
    let card = check_card(&card, now).map_err(ApiError::validation)?;
    let claim = registrations::claim_for_card(&state.db, &inv, now).await?;
    let charge = state
        .payments
        .charge(inv.amount_incl_tax, &inv.number, card)
        .await;
    let charge_id = match charge {
        Ok(id) => id,
        Err(decline) => {
            registrations::release_claim(&state.db, &inv, claim).await?;
            AuditEntry {
                actor: auth.actor(),
                customer_id: Some(auth.customer.id),
                action: "invoice.card_declined",
                subject: inv.number.clone(),
                success: false,
                detail: serde_json::json!({ "code": decline.code }),
                remote_addr: addr.to_audit(),
            }
            .write(&state.db, state.now())
            .await?;
            return Err(ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                "card-declined",
                format!(
                    "{}; the invoice {} stays unpaid",
                    decline.message, inv.number
                ),
            ));
        }
    };
    let actor = auth.actor();
    let settled = async {
        let txn = state.db.begin().await?;
        let payment = Payment {
            via: "card",
            amount: inv.amount_incl_tax,
            reference: charge_id.clone(),
            actor: &actor,
            claim: Some(claim),
        };
        let (paid, _) = registrations::apply_payment(&state, &txn, &inv, payment).await?;
        txn.commit().await?;
        Ok::<_, ApiError>(paid)
    }
    .await;
    match settled {
        Ok(paid) => Ok(Json(invoice_dto(&paid, &state.config.bank_account))),
        Err(e) => {
            // The provider took the money but the database did not record it. The claim is
            // released so the customer can retry: the invoice number is the idempotency key,
            // so the retry is given this same charge and no money is taken twice.
            tracing::error!(invoice = %inv.number, charge = %charge_id, error = %e,
                "card charged but the payment could not be recorded; a retry settles it with the same charge");
            registrations::release_claim(&state.db, &inv, claim).await?;
            Err(e)
        }
    }
}
