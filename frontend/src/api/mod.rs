//! The REST API v1 client. This is the only module that talks HTTP (gloo-net); everything else
//! calls these functions and gets `shared` DTOs or an [`ApiError`].

mod acme_info;
mod cookie;
mod error;

pub use acme_info::{acme_limits, acme_profiles};
pub use cookie::cookie_value;
pub use error::{from_response, ApiError};

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::billing::Product;
use shared::dto::{
    Ack, AcmeAccountInfo, AcmeApplication, AcmeApplicationRequest, AcmeOrderInfo, CampaignPreview,
    CampaignRequest, CardPayment, CertificateInfo, ConfirmPayment, CreateTokenRequest,
    CreatedToken, FqdnCheck, FqdnCheckRequest, Inquiry, InquiryAssign, InquiryReply,
    InquiryRequest, Invoice, InvoiceDocument, Locale, LoginRequest, Me, OfficeHours, OutboxMessage,
    PasswordResetConfirm, PasswordResetRequest, Registration, RegistrationCreated,
    RegistrationRequest, RenewalCampaign, RevokeRequest, SignupRequest, SignupResponse,
    StatementImport, TokenInfo, TokenRequest, ValidationInfo,
};
use shared::dto::{CreateWebhookRequest, CreatedWebhook, WebhookDelivery, WebhookEndpoint};
use wasm_bindgen::JsCast as _;

use cookie::{CSRF_COOKIE, CSRF_HEADER};

const BASE: &str = "/api/v1";

/// Body of `PATCH /me`: only the fields that change are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateMe {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_email: Option<String>,
}

/// One page of `GET /operator/customers`.
pub use shared::dto::CustomerPage;

/// The body of a POST that takes no fields.
#[derive(Serialize)]
struct Empty {}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// `POST /auth/signup` → 201.
pub async fn signup(req: &SignupRequest) -> Result<SignupResponse, ApiError> {
    json(send(Request::post(&url("/auth/signup")), Some(req)).await?).await
}

/// `POST /auth/verify` with the token from the email's link.
pub async fn verify_email(token: &str) -> Result<Ack, ApiError> {
    let body = TokenRequest {
        token: token.to_owned(),
    };
    json(send(Request::post(&url("/auth/verify")), Some(&body)).await?).await
}

/// `POST /auth/login`: sets the session and CSRF cookies.
pub async fn login(req: &LoginRequest) -> Result<Me, ApiError> {
    json(send(Request::post(&url("/auth/login")), Some(req)).await?).await
}

/// `POST /auth/logout` → 204.
pub async fn logout() -> Result<(), ApiError> {
    empty(send(with_csrf(Request::post(&url("/auth/logout"))), None::<&()>).await?).await
}

/// `POST /auth/password-reset` → 202, whether or not the address is registered.
pub async fn request_password_reset(email: &str) -> Result<Ack, ApiError> {
    let body = PasswordResetRequest {
        email: email.to_owned(),
    };
    json(send(Request::post(&url("/auth/password-reset")), Some(&body)).await?).await
}

/// `POST /auth/password-reset/confirm`.
pub async fn confirm_password_reset(req: &PasswordResetConfirm) -> Result<Ack, ApiError> {
    json(
        send(
            Request::post(&url("/auth/password-reset/confirm")),
            Some(req),
        )
        .await?,
    )
    .await
}

/// `GET /me`: `None` when nobody is logged in (401).
pub async fn me() -> Result<Option<Me>, ApiError> {
    match json(send(Request::get(&url("/me")), None::<&()>).await?).await {
        Ok(me) => Ok(Some(me)),
        Err(e) if e.status() == Some(401) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `PATCH /me`.
pub async fn update_me(req: &UpdateMe) -> Result<Me, ApiError> {
    json(send(with_csrf(Request::patch(&url("/me"))), Some(req)).await?).await
}

/// `POST /tokens` → 201; the token text is in the answer only this once (R-CUS-3).
pub async fn create_token(req: &CreateTokenRequest) -> Result<CreatedToken, ApiError> {
    json(send(with_csrf(Request::post(&url("/tokens"))), Some(req)).await?).await
}

/// `POST /webhooks` → 201; the signing secret is in the answer only this once.
pub async fn create_webhook(req: &CreateWebhookRequest) -> Result<CreatedWebhook, ApiError> {
    json(send(with_csrf(Request::post(&url("/webhooks"))), Some(req)).await?).await
}

/// `GET /webhooks`.
pub async fn list_webhooks() -> Result<Vec<WebhookEndpoint>, ApiError> {
    json(send(Request::get(&url("/webhooks")), None::<&()>).await?).await
}

/// `DELETE /webhooks/{id}` → 204.
pub async fn delete_webhook(id: i64) -> Result<(), ApiError> {
    empty(
        send(
            with_csrf(Request::delete(&url(&format!("/webhooks/{id}")))),
            None::<&()>,
        )
        .await?,
    )
    .await
}

/// `GET /webhooks/{id}/deliveries`: the newest 100, each with its attempts.
pub async fn webhook_deliveries(id: i64) -> Result<Vec<WebhookDelivery>, ApiError> {
    json(
        send(
            Request::get(&url(&format!("/webhooks/{id}/deliveries"))),
            None::<&()>,
        )
        .await?,
    )
    .await
}

/// `POST /webhooks/{id}/deliveries/{delivery}/resend` → 202.
pub async fn resend_webhook(id: i64, delivery: i64) -> Result<WebhookDelivery, ApiError> {
    json(
        send(
            with_csrf(Request::post(&url(&format!(
                "/webhooks/{id}/deliveries/{delivery}/resend"
            )))),
            Some(&Empty {}),
        )
        .await?,
    )
    .await
}

/// `POST /webhooks/{id}/test` → 202: a `ping`.
pub async fn test_webhook(id: i64) -> Result<WebhookDelivery, ApiError> {
    json(
        send(
            with_csrf(Request::post(&url(&format!("/webhooks/{id}/test")))),
            Some(&Empty {}),
        )
        .await?,
    )
    .await
}

/// `GET /tokens`.
pub async fn list_tokens() -> Result<Vec<TokenInfo>, ApiError> {
    json(send(Request::get(&url("/tokens")), None::<&()>).await?).await
}

/// `DELETE /tokens/{id}` → 204.
pub async fn revoke_token(id: i64) -> Result<(), ApiError> {
    empty(
        send(
            with_csrf(Request::delete(&url(&format!("/tokens/{id}")))),
            None::<&()>,
        )
        .await?,
    )
    .await
}

/// `POST /acme-application {agree_terms: true}` → 201: the application number and the EAB
/// credentials (R-EAB-1). A second application is a 409 `already-applied`.
pub async fn apply_acme() -> Result<AcmeApplication, ApiError> {
    let body = AcmeApplicationRequest { agree_terms: true };
    json(
        send(
            with_csrf(Request::post(&url("/acme-application"))),
            Some(&body),
        )
        .await?,
    )
    .await
}

/// `GET /acme-application`: `None` when the customer has not applied yet (404).
pub async fn acme_application() -> Result<Option<AcmeApplication>, ApiError> {
    match json(send(Request::get(&url("/acme-application")), None::<&()>).await?).await {
        Ok(app) => Ok(Some(app)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GET /acme-accounts`: the ACME accounts bound through the customer's EAB (R-EAB-3).
pub async fn acme_accounts() -> Result<Vec<AcmeAccountInfo>, ApiError> {
    json(send(Request::get(&url("/acme-accounts")), None::<&()>).await?).await
}

/// `POST /acme-accounts/{id}/deactivate`.
pub async fn deactivate_acme_account(id: i64) -> Result<AcmeAccountInfo, ApiError> {
    json(
        send(
            with_csrf(Request::post(&url(&format!(
                "/acme-accounts/{id}/deactivate"
            )))),
            Some(&Empty {}),
        )
        .await?,
    )
    .await
}

/// `GET /operator/customers?q=&page=&per_page=` (operators only).
pub async fn operator_customers(
    q: &str,
    page: u64,
    per_page: u64,
) -> Result<CustomerPage, ApiError> {
    json(
        send(
            Request::get(&url(&customers_query(q, page, per_page))),
            None::<&()>,
        )
        .await?,
    )
    .await
}

/// `POST /operator/customers/{id}/eab` → 201: fresh EAB credentials; the old ones stop working
/// at once (R-EAB-2).
pub async fn operator_reissue_eab(customer_id: &str) -> Result<AcmeApplication, ApiError> {
    let path = format!("/operator/customers/{}/eab", encode_component(customer_id));
    json(send(with_csrf(Request::post(&url(&path))), Some(&Empty {})).await?).await
}

/// `GET /products`: the catalogue with prices excluding and including tax (R-BILL-1).
pub async fn products() -> Result<Vec<Product>, ApiError> {
    json(send(Request::get(&url("/products")), None::<&()>).await?).await
}

/// `POST /fqdn/check`: availability of a name (R-FQDN-4), asked once when the customer
/// presses 「次へ」, never per keystroke.
pub async fn fqdn_check(req: &FqdnCheckRequest) -> Result<FqdnCheck, ApiError> {
    json(send(with_csrf(Request::post(&url("/fqdn/check"))), Some(req)).await?).await
}

/// `POST /registrations` → 201: STEP 5–9 confirmed; the registration awaits payment.
pub async fn create_registration(
    req: &RegistrationRequest,
) -> Result<RegistrationCreated, ApiError> {
    json(send(with_csrf(Request::post(&url("/registrations"))), Some(req)).await?).await
}

/// `GET /registrations`, newest first.
pub async fn registrations() -> Result<Vec<Registration>, ApiError> {
    json(send(Request::get(&url("/registrations")), None::<&()>).await?).await
}

/// `GET /invoices`, newest first.
pub async fn invoices() -> Result<Vec<Invoice>, ApiError> {
    json(send(Request::get(&url("/invoices")), None::<&()>).await?).await
}

/// `POST /invoices/{number}/pay`: a 402 `card-declined` leaves the invoice unpaid.
pub async fn pay_invoice(number: &str, card: &CardPayment) -> Result<Invoice, ApiError> {
    let path = format!("/invoices/{}/pay", encode_component(number));
    json(send(with_csrf(Request::post(&url(&path))), Some(card)).await?).await
}

/// `GET /certificates` (R-CA-4).
pub async fn certificates() -> Result<Vec<CertificateInfo>, ApiError> {
    json(send(Request::get(&url("/certificates")), None::<&()>).await?).await
}

/// Where the PEM chain of a certificate is downloaded (a plain link: the session cookie goes along).
pub fn chain_url(serial: &str) -> String {
    url(&format!(
        "/certificates/{}/chain.pem",
        encode_component(serial)
    ))
}

/// `POST /certificates/{serial}/revoke` (R-CA-3).
pub async fn revoke_certificate(serial: &str, reason: u8) -> Result<CertificateInfo, ApiError> {
    let path = format!("/certificates/{}/revoke", encode_component(serial));
    let body = RevokeRequest { reason };
    json(send(with_csrf(Request::post(&url(&path))), Some(&body)).await?).await
}

/// `GET /acme-orders`: recent orders with their validation errors (R-VAL-5).
pub async fn acme_orders() -> Result<Vec<AcmeOrderInfo>, ApiError> {
    json(send(Request::get(&url("/acme-orders")), None::<&()>).await?).await
}

/// `GET /operator/validations?only=…`: recent validations with every perspective's answer (operators only).
pub async fn operator_validations(only: &str) -> Result<Vec<ValidationInfo>, ApiError> {
    let path = format!("/operator/validations?only={}", encode_component(only));
    json(send(Request::get(&url(&path)), None::<&()>).await?).await
}

/// `GET /operator/mail?status=failing`: emails not sent after 3 attempts (operators only).
pub async fn operator_failing_mail() -> Result<Vec<OutboxMessage>, ApiError> {
    json(
        send(
            Request::get(&url("/operator/mail?status=failing")),
            None::<&()>,
        )
        .await?,
    )
    .await
}

/// `POST /operator/mail/{id}/retry`: the email is tried again now.
pub async fn operator_retry_mail(id: i64) -> Result<OutboxMessage, ApiError> {
    let request = with_csrf(Request::post(&url(&format!("/operator/mail/{id}/retry"))));
    json(send(request, Some(&Empty {})).await?).await
}

/// `POST /operator/renewal-campaigns/preview`: how many certificates of whom a campaign would move.
pub async fn operator_campaign_preview(req: &CampaignRequest) -> Result<CampaignPreview, ApiError> {
    let request = with_csrf(Request::post(&url("/operator/renewal-campaigns/preview")));
    json(send(request, Some(req)).await?).await
}

/// `POST /operator/renewal-campaigns`: moves the renewal window of the selection to now (R-ACME-8).
pub async fn operator_campaign_run(req: &CampaignRequest) -> Result<RenewalCampaign, ApiError> {
    let request = with_csrf(Request::post(&url("/operator/renewal-campaigns")));
    json(send(request, Some(req)).await?).await
}

/// `GET /operator/renewal-campaigns`: the newest campaigns with their replaced counts.
pub async fn operator_campaigns() -> Result<Vec<RenewalCampaign>, ApiError> {
    json(
        send(
            Request::get(&url("/operator/renewal-campaigns")),
            None::<&()>,
        )
        .await?,
    )
    .await
}

/// `GET /operator/invoices?status=…` (operators only).
pub async fn operator_invoices(status: &str) -> Result<Vec<Invoice>, ApiError> {
    let path = format!("/operator/invoices?status={}", encode_component(status));
    json(send(Request::get(&url(&path)), None::<&()>).await?).await
}

/// `POST /operator/invoices/{number}/confirm-payment`: a bank transfer was received (R-BILL-3).
pub async fn operator_confirm_payment(number: &str, amount: i64) -> Result<Invoice, ApiError> {
    let path = format!(
        "/operator/invoices/{}/confirm-payment",
        encode_component(number)
    );
    let body = ConfirmPayment {
        amount,
        method: "bank_transfer".to_owned(),
    };
    json(send(with_csrf(Request::post(&url(&path))), Some(&body)).await?).await
}

/// `POST /operator/bank-statements` with the CSV as the body (`text/csv`).
pub async fn operator_bank_statement(csv: &str) -> Result<StatementImport, ApiError> {
    let request = with_csrf(Request::post(&url("/operator/bank-statements")))
        .header("Accept", "application/json, application/problem+json")
        .header("Content-Type", "text/csv; charset=utf-8")
        .body(csv.to_owned())
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    json(resp).await
}

/// `GET /invoices/{number}/document`: what the printable invoice and receipt show (R-BILL-6).
pub async fn invoice_document(number: &str) -> Result<InvoiceDocument, ApiError> {
    let path = format!("/invoices/{}/document", encode_component(number));
    json(send(Request::get(&url(&path)), None::<&()>).await?).await
}

// ---------------------------------------------------------------------------------------------
// Customer center (R-SUP-1, R-SUP-2)

/// `GET /support/hours`: office hours by the server's clock (no login needed).
pub async fn office_hours() -> Result<OfficeHours, ApiError> {
    json(send(Request::get(&url("/support/hours")), None::<&()>).await?).await
}

/// `POST /inquiries` → 201.
pub async fn create_inquiry(req: &InquiryRequest) -> Result<Inquiry, ApiError> {
    json(send(with_csrf(Request::post(&url("/inquiries"))), Some(req)).await?).await
}

/// `GET /inquiries`: the customer's own, newest first.
pub async fn inquiries() -> Result<Vec<Inquiry>, ApiError> {
    json(send(Request::get(&url("/inquiries")), None::<&()>).await?).await
}

/// `GET /inquiries/{id}`.
pub async fn inquiry(id: i64) -> Result<Inquiry, ApiError> {
    json(send(Request::get(&url(&format!("/inquiries/{id}"))), None::<&()>).await?).await
}

/// `POST /inquiries/{id}/messages`: the customer writes again (reopens an answered inquiry).
pub async fn inquiry_message(id: i64, message: &str) -> Result<Inquiry, ApiError> {
    let body = InquiryReply {
        message: message.to_owned(),
    };
    let request = with_csrf(Request::post(&url(&format!("/inquiries/{id}/messages"))));
    json(send(request, Some(&body)).await?).await
}

/// `GET /operator/inquiries?status=…` (operators only; empty status = every inquiry).
pub async fn operator_inquiries(status: &str) -> Result<Vec<Inquiry>, ApiError> {
    let path = if status.is_empty() {
        "/operator/inquiries".to_owned()
    } else {
        format!("/operator/inquiries?status={}", encode_component(status))
    };
    json(send(Request::get(&url(&path)), None::<&()>).await?).await
}

/// `POST /operator/inquiries/{id}/reply`: the customer is emailed.
pub async fn operator_reply_inquiry(id: i64, message: &str) -> Result<Inquiry, ApiError> {
    let body = InquiryReply {
        message: message.to_owned(),
    };
    let request = with_csrf(Request::post(&url(&format!(
        "/operator/inquiries/{id}/reply"
    ))));
    json(send(request, Some(&body)).await?).await
}

/// `POST /operator/inquiries/{id}/assign` to the calling operator.
pub async fn operator_assign_inquiry(id: i64) -> Result<Inquiry, ApiError> {
    let request = with_csrf(Request::post(&url(&format!(
        "/operator/inquiries/{id}/assign"
    ))));
    json(send(request, Some(&InquiryAssign::default())).await?).await
}

/// `POST /operator/inquiries/{id}/close`.
pub async fn operator_close_inquiry(id: i64) -> Result<Inquiry, ApiError> {
    let request = with_csrf(Request::post(&url(&format!(
        "/operator/inquiries/{id}/close"
    ))));
    json(send(request, Some(&Empty {})).await?).await
}

// ---------------------------------------------------------------------------------------------
// Plumbing

/// The path and query of one page of the operator's customer search.
fn customers_query(q: &str, page: u64, per_page: u64) -> String {
    let q = q.trim();
    let mut path = format!("/operator/customers?page={page}&per_page={per_page}");
    if !q.is_empty() {
        path.push_str("&q=");
        path.push_str(&encode_component(q));
    }
    path
}

/// Percent-encodes everything but RFC 3986 unreserved characters (UTF-8 bytes).
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

/// Adds `X-CSRF-Token` (double submit of the `csrf_token` cookie) to a cookie-authenticated write.
fn with_csrf(builder: RequestBuilder) -> RequestBuilder {
    match csrf_token() {
        Some(token) => builder.header(CSRF_HEADER, &token),
        None => builder,
    }
}

fn csrf_token() -> Option<String> {
    let document = web_sys::window()?
        .document()?
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?;
    cookie_value(&document.cookie().ok()?, CSRF_COOKIE)
}

async fn send<B: Serialize + ?Sized>(
    builder: RequestBuilder,
    body: Option<&B>,
) -> Result<Response, ApiError> {
    let builder = builder.header("Accept", "application/json, application/problem+json");
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

async fn json<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if !resp.ok() {
        return Err(failure(resp).await);
    }
    resp.json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

async fn empty(resp: Response) -> Result<(), ApiError> {
    if resp.ok() {
        Ok(())
    } else {
        Err(failure(resp).await)
    }
}

async fn failure(resp: Response) -> ApiError {
    let headers = resp.headers();
    let content_type = headers.get("content-type");
    let retry_after = headers.get("retry-after");
    let body = resp.text().await.unwrap_or_default();
    from_response(
        resp.status(),
        content_type.as_deref(),
        &body,
        retry_after.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_me_sends_only_what_changes() {
        let body = UpdateMe {
            locale: Some(Locale::En),
            ..UpdateMe::default()
        };
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"locale":"en"}"#);
    }

    #[test]
    fn the_customer_search_is_encoded() {
        assert_eq!(
            customers_query("  ", 1, 20),
            "/operator/customers?page=1&per_page=20"
        );
        assert_eq!(
            customers_query(" 山田 a&b=c ", 2, 20),
            "/operator/customers?page=2&per_page=20&q=%E5%B1%B1%E7%94%B0%20a%26b%3Dc"
        );
        assert_eq!(encode_component("C00000001"), "C00000001");
        assert_eq!(encode_component("a+b@x.jp"), "a%2Bb%40x.jp");
    }

    #[test]
    fn empty_posts_send_an_empty_object() {
        assert_eq!(serde_json::to_string(&Empty {}).unwrap(), "{}");
    }

    #[test]
    fn urls_are_under_api_v1() {
        assert_eq!(url("/tokens/7"), "/api/v1/tokens/7");
        assert_eq!(chain_url("0a1b"), "/api/v1/certificates/0a1b/chain.pem");
    }
}
