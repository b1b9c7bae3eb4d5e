//! Sign-up, email verification, login and logout, password reset (R-CUS-1).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use shared::dto::{
    Ack, LoginRequest, Me, PasswordResetConfirm, PasswordResetRequest, SignupRequest,
    SignupResponse, TokenRequest,
};
use shared::problem::{FieldError, Problem};
use shared::validate::{self, check_email, check_password, normalize_email};

use super::doc::{CsrfHeader, JsonBody, PROBLEM_JSON};
use super::extract::{check_csrf, ApiJson, ClientAddr, CSRF_COOKIE, SESSION_COOKIE};
use super::me::me_for;
use crate::audit::AuditEntry;
use crate::error::{ApiError, ApiResult};
use crate::mail::templates::{self, Recipient};
use crate::secrets::{self, random_token, sha256_hex};
use crate::state::AppState;
use crate::store::entity::{
    api_token, customer, email_token, login_failure, login_limit_gate, session,
};
use crate::store::is_unique_violation;

const VERIFY_TOKEN_HOURS: i64 = 24;
const RESET_TOKEN_HOURS: i64 = 1;
/// At most this many reset emails per account per hour, so the form cannot flood a mailbox.
const RESET_EMAILS_PER_HOUR: u64 = 3;

/// Create a customer and send the verification email.
#[utoipa::path(post, path = "/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = SignupResponse), JsonBody,
              (status = 409, description = "the email address is already registered (`errors[0].code` = `taken`)", body = Problem, content_type = PROBLEM_JSON)),
    security(()))]
pub async fn signup(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(req): ApiJson<SignupRequest>,
) -> ApiResult<(StatusCode, Json<SignupResponse>)> {
    let errors = validate::check_signup(&req);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let email = normalize_email(&req.email);
    let email_lower = email.to_lowercase();
    let locale = req.locale.unwrap_or_default();
    // The cheap check before the expensive hash (R-CUS-4); the unique index on email_lower
    // still decides a race between two sign-ups for one address.
    if customer::Entity::find()
        .filter(customer::Column::EmailLower.eq(&email_lower))
        .count(&state.db)
        .await?
        > 0
    {
        return Err(email_taken());
    }
    let password_hash = secrets::hash_password_blocking(req.password.clone()).await?;
    let now = state.now();
    let token = random_token();

    let txn = state.db.begin().await?;
    let created = customer::ActiveModel {
        email: Set(email.clone()),
        email_lower: Set(email_lower),
        password_hash: Set(password_hash),
        name: Set(req.name.trim().to_owned()),
        billing_email: Set(normalize_email(&req.billing_email)),
        locale: Set(locale.as_str().to_owned()),
        role: Set(customer::ROLE_CUSTOMER.to_owned()),
        email_verified_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    insert_email_token(
        &txn,
        created.id,
        email_token::PURPOSE_VERIFY,
        &token,
        now,
        VERIFY_TOKEN_HOURS,
    )
    .await?;
    AuditEntry {
        actor: created.customer_id().to_string(),
        customer_id: Some(created.id),
        action: "customer.signup",
        subject: created.customer_id().to_string(),
        success: true,
        detail: json!({ "email": email }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    // The email is written into the mail outbox in this transaction: it goes out exactly when
    // the account exists, and the mail server's speed does not hold the sign-up.
    let link = state.config.public(&format!("/verify-email?token={token}"));
    let to = Recipient {
        brand: &state.config.brand,
        address: &email,
        locale,
        name: &created.name,
    };
    let mail = templates::verify_email(&to, &link);
    state.mailer.send(&txn, &mail).await?;
    txn.commit().await?;

    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            id: created.customer_id().to_string(),
            email,
            verification_sent: true,
        }),
    ))
}

fn email_taken() -> ApiError {
    ApiError::conflict(
        "email",
        "taken",
        "is already registered; log in or reset the password instead",
    )
}

async fn insert_email_token(
    db: &impl ConnectionTrait,
    customer_id: i64,
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
    valid_hours: i64,
) -> Result<(), sea_orm::DbErr> {
    email_token::ActiveModel {
        customer_id: Set(customer_id),
        purpose: Set(purpose.to_owned()),
        token_hash: Set(sha256_hex(token)),
        expires_at: Set(now + Duration::hours(valid_hours)),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// A one-time email token that was just spent.
#[derive(Debug, Clone, Copy)]
struct Redeemed {
    token_id: i64,
    customer_id: i64,
}

/// Marks a one-time email token used (compare-and-set, so it works exactly once) and returns
/// it with its customer.
async fn redeem_email_token(
    db: &impl ConnectionTrait,
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
) -> ApiResult<Redeemed> {
    let invalid = || {
        ApiError::field(
            "token",
            "invalid_token",
            "is unknown, already used or expired; ask for a new link",
        )
    };
    if token.trim().is_empty() {
        return Err(ApiError::field("token", "required", "is required"));
    }
    let row = email_token::Entity::find()
        .filter(email_token::Column::TokenHash.eq(sha256_hex(token.trim())))
        .filter(email_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if row.used_at.is_some() || row.expires_at <= now {
        return Err(invalid());
    }
    let updated = email_token::Entity::update_many()
        .set(email_token::ActiveModel {
            used_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(email_token::Column::Id.eq(row.id))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(invalid());
    }
    Ok(Redeemed {
        token_id: row.id,
        customer_id: row.customer_id,
    })
}

/// Confirm the email address with the token from the verification link.
#[utoipa::path(post, path = "/auth/verify", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = Ack), JsonBody), security(()))]
pub async fn verify(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<Ack>> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let customer_id = redeem_email_token(&txn, email_token::PURPOSE_VERIFY, &req.token, now)
        .await?
        .customer_id;
    customer::Entity::update_many()
        .set(customer::ActiveModel {
            email_verified_at: Set(Some(now)),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(customer::Column::Id.eq(customer_id))
        .filter(customer::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    AuditEntry {
        actor: shared::CustomerId(customer_id).to_string(),
        customer_id: Some(customer_id),
        action: "customer.verify_email",
        subject: shared::CustomerId(customer_id).to_string(),
        success: true,
        detail: json!({}),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok(Json(Ack { ok: true }))
}

fn account_key(email_lower: &str) -> String {
    format!("acct:{email_lower}")
}

fn address_key(addr: ClientAddr) -> Option<String> {
    addr.0.map(|ip| format!("addr:{ip}"))
}

/// One login attempt, counted against each of its keys before the password is looked at
/// (R-CUS-4). Each key's gate row is locked while the failures in the window are counted and
/// the attempt is recorded, so parallel attempts for one key are counted one after another and
/// no more than the limit can ever reach the password check.
struct Attempt {
    /// The `login_failures` rows of this attempt, one per key.
    rows: Vec<i64>,
}

impl Attempt {
    /// Records the attempt under every key if each key has fewer than its limit of failures in
    /// the window, counting this attempt in; otherwise nothing is recorded and the answer is
    /// 429 with the seconds until the oldest counted failure leaves the window.
    async fn begin(
        state: &AppState,
        keys: &[(String, u32)],
        now: DateTime<Utc>,
    ) -> ApiResult<Attempt> {
        let window = Duration::seconds(state.config.login_limit.window_secs);
        let mut ordered: Vec<&(String, u32)> = keys.iter().collect();
        ordered.sort_by(|a, b| a.0.cmp(&b.0)); // one lock order, no deadlocks
        let txn = state.db.begin().await?;
        for (key, _) in &ordered {
            // A write first: it locks the key's gate (PostgreSQL) or the database (SQLite).
            login_limit_gate::Entity::insert(login_limit_gate::ActiveModel {
                key: Set(key.clone()),
                touched_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(login_limit_gate::Column::Key)
                    .update_column(login_limit_gate::Column::TouchedAt)
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::Key.is_in(keys.iter().map(|(k, _)| k.clone())))
            .filter(login_failure::Column::At.lte(now - window))
            .exec(&txn)
            .await?;
        for (key, limit) in &ordered {
            let recent: Vec<DateTime<Utc>> = login_failure::Entity::find()
                .select_only()
                .column(login_failure::Column::At)
                .filter(login_failure::Column::Key.eq(key))
                .filter(login_failure::Column::At.gt(now - window))
                .order_by_desc(login_failure::Column::At)
                .limit(u64::from(*limit))
                .into_tuple()
                .all(&txn)
                .await?;
            // With this attempt the count would pass the limit: refuse it, record nothing.
            if recent.len() >= *limit as usize {
                txn.rollback().await?;
                let oldest = recent.last().copied().unwrap_or(now);
                let secs = (oldest + window - now).num_seconds().max(1);
                return Err(ApiError::too_many_requests(
                    secs as u64,
                    format!(
                        "too many failed logins; try again in {secs} seconds or reset the password"
                    ),
                ));
            }
        }
        let mut attempt = Attempt { rows: Vec::new() };
        for (key, _) in keys {
            let row = login_failure::ActiveModel {
                key: Set(key.clone()),
                at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            attempt.rows.push(row.id);
        }
        txn.commit().await?;
        Ok(attempt)
    }

    /// Takes the attempt back: the password was right, so it was no failure.
    async fn withdraw(self, state: &AppState) -> ApiResult<()> {
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::Id.is_in(self.rows))
            .exec(&state.db)
            .await?;
        Ok(())
    }
}

fn session_cookies(state: &AppState, jar: CookieJar, token: String, csrf: String) -> CookieJar {
    let secure = state.config.secure_cookies();
    let max_age = time_duration_hours(state.config.session_hours);
    jar.add(
        Cookie::build((SESSION_COOKIE, token))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(max_age),
    )
    .add(
        Cookie::build((CSRF_COOKIE, csrf))
            .path("/")
            .http_only(false)
            .secure(secure)
            .same_site(SameSite::Strict)
            .max_age(max_age),
    )
}

fn time_duration_hours(hours: i64) -> time::Duration {
    time::Duration::hours(hours)
}

fn clear_cookies(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"))
        .remove(Cookie::build(CSRF_COOKIE).path("/"))
}

/// Log in with email and password; sets the session cookie and the CSRF cookie.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, description = "sets the certdirect_session (HttpOnly) and csrf_token cookies"),
              JsonBody,
              (status = 401, description = "wrong email or password", body = Problem, content_type = PROBLEM_JSON),
              (status = 403, description = "email address not verified yet", body = Problem, content_type = PROBLEM_JSON),
              (status = 429, description = "too many failed logins for the account or the address (R-CUS-1); see Retry-After",
               body = Problem, content_type = PROBLEM_JSON,
               headers(("Retry-After" = u64, description = "seconds until a login may be tried again")))),
    security(()))]
pub async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<(CookieJar, Json<Me>)> {
    let mut errors = Vec::new();
    if req.email.trim().is_empty() {
        errors.push(FieldError::new("email", "required", "is required"));
    }
    if req.password.is_empty() {
        errors.push(FieldError::new("password", "required", "is required"));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = state.now();
    let email_lower = normalize_email(&req.email).to_lowercase();
    let limits = state.config.login_limit;
    let mut keys = vec![(account_key(&email_lower), limits.per_account)];
    if let Some(key) = address_key(addr) {
        keys.push((key, limits.per_address));
    }
    // Counted before the Argon2 work, so parallel guesses cannot pass the limit (R-CUS-4).
    let attempt = Attempt::begin(&state, &keys, now).await?;

    let found = customer::Entity::find()
        .filter(customer::Column::EmailLower.eq(&email_lower))
        .one(&state.db)
        .await?;
    let stored = found
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| secrets::dummy_hash().to_owned());
    let password_ok = secrets::verify_password_blocking(req.password, stored).await;
    let customer = match found {
        Some(c) if password_ok => c,
        other => {
            // The attempt's rows stay: they are now this failure.
            AuditEntry {
                actor: "anonymous".into(),
                customer_id: other.as_ref().map(|c| c.id),
                action: "customer.login",
                subject: email_lower,
                success: false,
                detail: json!({ "reason": "wrong email or password" }),
                remote_addr: addr.to_audit(),
            }
            .write(&state.db, now)
            .await?;
            return Err(ApiError::unauthorized(
                "the email address or password is incorrect",
            ));
        }
    };
    // The password was right: this was no failure.
    attempt.withdraw(&state).await?;
    if customer.email_verified_at.is_none() {
        return Err(ApiError::forbidden(
            "email-not-verified",
            format!(
                "the email address {} is not verified yet; open the link in the email we sent, or sign up again after 24 hours",
                customer.email
            ),
        ));
    }

    let token = random_token();
    let csrf = random_token();
    let txn = state.db.begin().await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Key.eq(account_key(&email_lower)))
        .exec(&txn)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::CustomerId.eq(customer.id))
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(&txn)
        .await?;
    session::ActiveModel {
        token_hash: Set(sha256_hex(&token)),
        csrf_hash: Set(sha256_hex(&csrf)),
        customer_id: Set(customer.id),
        created_at: Set(now),
        expires_at: Set(now + Duration::hours(state.config.session_hours)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    AuditEntry {
        actor: customer.customer_id().to_string(),
        customer_id: Some(customer.id),
        action: "customer.login",
        subject: customer.customer_id().to_string(),
        success: true,
        detail: json!({}),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok((
        session_cookies(&state, jar, token, csrf),
        Json(me_for(&state, &customer).await?),
    ))
}

/// End the session and clear its cookies. Idempotent: without a session cookie, or with one
/// that has already ended, the answer is the same 204 (docs/decisions.md). A live session still
/// needs its `X-CSRF-Token`, so another site cannot log the customer out.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", params(CsrfHeader),
    responses((status = 204, description = "no session is left; both cookies are cleared"),
              (status = 403, description = "the session is live and the X-CSRF-Token header is missing or does not match the csrf_token cookie",
               body = Problem, content_type = PROBLEM_JSON)),
    security(("session" = []), ()))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> ApiResult<impl IntoResponse> {
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        let live = session::Entity::find()
            .filter(session::Column::TokenHash.eq(sha256_hex(&token)))
            .filter(session::Column::ExpiresAt.gt(state.now()))
            .one(&state.db)
            .await?;
        if let Some(row) = live {
            check_csrf(&headers, &jar, &row.csrf_hash)?;
            session::Entity::delete_by_id(row.id)
                .exec(&state.db)
                .await?;
        }
    }
    Ok((clear_cookies(jar), StatusCode::NO_CONTENT))
}

/// Ask for a password reset link. Always answers 202, whether or not the address is registered.
#[utoipa::path(post, path = "/auth/password-reset", tag = "auth", request_body = PasswordResetRequest,
    responses((status = 202, body = Ack, description = "sent when the address is registered; the same answer when it is not"), JsonBody),
    security(()))]
pub async fn password_reset(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> ApiResult<(StatusCode, Json<Ack>)> {
    if let Some(err) = check_email("email", &req.email) {
        return Err(ApiError::validation(vec![err]));
    }
    let now = state.now();
    let email_lower = normalize_email(&req.email).to_lowercase();
    let Some(customer) = customer::Entity::find()
        .filter(customer::Column::EmailLower.eq(&email_lower))
        .one(&state.db)
        .await?
    else {
        return Ok((StatusCode::ACCEPTED, Json(Ack { ok: true })));
    };
    let recent = email_token::Entity::find()
        .filter(email_token::Column::CustomerId.eq(customer.id))
        .filter(email_token::Column::Purpose.eq(email_token::PURPOSE_RESET))
        .filter(email_token::Column::ExpiresAt.gt(now))
        .count(&state.db)
        .await?;
    if recent >= RESET_EMAILS_PER_HOUR {
        tracing::warn!(customer = %customer.customer_id(), "password reset emails throttled");
        return Ok((StatusCode::ACCEPTED, Json(Ack { ok: true })));
    }
    let token = random_token();
    let txn = state.db.begin().await?;
    insert_email_token(
        &txn,
        customer.id,
        email_token::PURPOSE_RESET,
        &token,
        now,
        RESET_TOKEN_HOURS,
    )
    .await?;
    AuditEntry {
        actor: "anonymous".into(),
        customer_id: Some(customer.id),
        action: "customer.password_reset_request",
        subject: customer.customer_id().to_string(),
        success: true,
        detail: json!({}),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    let link = state
        .config
        .public(&format!("/reset-password?token={token}"));
    let mail =
        templates::password_reset(&Recipient::customer(&state.config.brand, &customer), &link);
    state.mailer.send(&txn, &mail).await?;
    txn.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(Ack { ok: true })))
}

/// Set a new password with the token from the reset link. Ends every session of the account
/// and every other reset link, and emails the customer (R-CUS-4).
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth", request_body = PasswordResetConfirm,
    responses((status = 200, body = Ack), JsonBody), security(()))]
pub async fn password_reset_confirm(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(req): ApiJson<PasswordResetConfirm>,
) -> ApiResult<Json<Ack>> {
    let now = state.now();
    // The token is looked at (without spending it) before the password, so a bad link is
    // reported as such and the password rules can name the account's address.
    let row = email_token::Entity::find()
        .filter(email_token::Column::TokenHash.eq(sha256_hex(req.token.trim())))
        .filter(email_token::Column::Purpose.eq(email_token::PURPOSE_RESET))
        .one(&state.db)
        .await?;
    let customer = match row {
        Some(row) => {
            customer::Entity::find_by_id(row.customer_id)
                .one(&state.db)
                .await?
        }
        None => None,
    };
    let email = customer
        .as_ref()
        .map(|c| c.email.clone())
        .unwrap_or_default();
    if let Some(err) = check_password("password", &req.password, &email) {
        return Err(ApiError::validation(vec![err]));
    }
    // Spent before the Argon2 work (R-CUS-4): of parallel requests with one link, only one
    // hashes. If anything after this fails, the link is given back.
    let redeemed =
        redeem_email_token(&state.db, email_token::PURPOSE_RESET, &req.token, now).await?;
    let result = finish_reset(&state, redeemed, req.password, addr, now).await;
    if result.is_err() {
        email_token::Entity::update_many()
            .set(email_token::ActiveModel {
                used_at: Set(None),
                ..Default::default()
            })
            .filter(email_token::Column::Id.eq(redeemed.token_id))
            .filter(email_token::Column::UsedAt.eq(now))
            .filter(email_token::Column::ExpiresAt.gt(now))
            .exec(&state.db)
            .await?;
    }
    result.map(Json)
}

/// The reset after its link was spent: the new hash, then one transaction that ends every
/// session and every other reset link, changes the password and sends the notice.
async fn finish_reset(
    state: &AppState,
    redeemed: Redeemed,
    password: String,
    addr: ClientAddr,
    now: DateTime<Utc>,
) -> ApiResult<Ack> {
    let customer_id = redeemed.customer_id;
    let password_hash = secrets::hash_password_blocking(password).await?;
    let txn = state.db.begin().await?;
    // The link must still be live: a reset that committed meanwhile through another link ended
    // it, and then this one changes nothing (compare-and-set).
    let res = email_token::Entity::update_many()
        .set(email_token::ActiveModel {
            expires_at: Set(now),
            ..Default::default()
        })
        .filter(email_token::Column::Id.eq(redeemed.token_id))
        .filter(email_token::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::field(
            "token",
            "invalid_token",
            "was ended by another password reset; ask for a new link",
        ));
    }
    let ended_links = email_token::Entity::update_many()
        .set(email_token::ActiveModel {
            expires_at: Set(now),
            ..Default::default()
        })
        .filter(email_token::Column::CustomerId.eq(customer_id))
        .filter(email_token::Column::Purpose.eq(email_token::PURPOSE_RESET))
        .filter(email_token::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?
        .rows_affected;
    customer::Entity::update_many()
        .set(customer::ActiveModel {
            password_hash: Set(password_hash),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(customer::Column::Id.eq(customer_id))
        .exec(&txn)
        .await?;
    // Opening the link proves control of the address, so an unverified account becomes verified.
    customer::Entity::update_many()
        .set(customer::ActiveModel {
            email_verified_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(customer::Column::Id.eq(customer_id))
        .filter(customer::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    let ended_sessions = session::Entity::delete_many()
        .filter(session::Column::CustomerId.eq(customer_id))
        .exec(&txn)
        .await?
        .rows_affected;
    let customer = customer::Entity::find_by_id(customer_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("a reset link of a customer that does not exist"))?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Key.eq(account_key(&customer.email_lower)))
        .exec(&txn)
        .await?;
    AuditEntry {
        actor: customer.customer_id().to_string(),
        customer_id: Some(customer_id),
        action: "customer.password_reset",
        subject: customer.customer_id().to_string(),
        success: true,
        detail: json!({ "sessions_ended": ended_sessions, "reset_links_ended": ended_links }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    // API tokens are not ended (automation keeps working); the email lists them so the
    // customer can revoke any that should not outlive the old password.
    let tokens = api_token::Entity::find()
        .filter(api_token::Column::CustomerId.eq(customer_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_asc(api_token::Column::Id)
        .all(&txn)
        .await?;
    let listed: Vec<templates::TokenLine<'_>> = tokens
        .iter()
        .map(|t| templates::TokenLine {
            name: &t.name,
            created: t.created_at,
        })
        .collect();
    let mail = templates::password_changed(
        &Recipient::customer(&state.config.brand, &customer),
        now,
        &listed,
        &state.config.public("/mypage/tokens"),
    );
    state.mailer.send(&txn, &mail).await?;
    txn.commit().await?;
    Ok(Ack { ok: true })
}
