//! The verified ACME request: every check of RFC 8555 §6.2–6.5 that applies to all POSTs,
//! in one extractor, before any handler runs.

use axum::extract::{FromRequest, OriginalUri, Request};
use axum::http::header;

use super::account_id_from_url;
use super::problem::AcmeProblem;
use crate::jose::{check_algorithm, Jwk, Jws};
use crate::state::AppState;
use crate::store::entity::acme_account;

pub const JOSE_JSON: &str = "application/jose+json";
const MAX_BODY: usize = 64 * 1024;

/// A POST whose JWS verified, with the key that signed it and, for `kid` requests, its account.
pub struct AcmeRequest {
    pub jws: Jws,
    pub key: Jwk,
    pub account: Option<acme_account::Model>,
    /// The request URL as the client had to sign it.
    pub url: String,
}

impl AcmeRequest {
    /// Checks the request is a POST-as-GET: its payload is empty (RFC 8555 §6.3, R-ACME-2).
    pub fn post_as_get(&self) -> Result<(), AcmeProblem> {
        if self.jws.payload.is_empty() {
            Ok(())
        } else {
            Err(AcmeProblem::malformed(
                "this resource is fetched with POST-as-GET: the payload must be empty",
            ))
        }
    }

    /// The account for requests that must be signed with `kid`.
    pub fn account(&self) -> Result<&acme_account::Model, AcmeProblem> {
        self.account.as_ref().ok_or_else(|| {
            AcmeProblem::malformed(
                "this request must identify its account with \"kid\", not \"jwk\"",
            )
        })
    }
}

impl FromRequest<AppState> for AcmeRequest {
    type Rejection = AcmeProblem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AcmeProblem> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !content_type
            .split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case(JOSE_JSON))
        {
            return Err(AcmeProblem::unsupported_media_type(format!(
                "the Content-Type must be {JOSE_JSON}, not {content_type:?}"
            )));
        }
        // The URL the client had to sign, query included (the orders list pages with one).
        let uri = req
            .extensions()
            .get::<OriginalUri>()
            .map(|u| u.0.clone())
            .unwrap_or_else(|| req.uri().clone());
        let path = uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| uri.path().to_owned());
        let url = state.config.public(&path);
        let body = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| {
                AcmeProblem::malformed(format!(
                    "the body could not be read or is over {MAX_BODY} bytes"
                ))
            })?;
        let jws = Jws::parse(&body)?;
        let p = &jws.protected;
        check_algorithm(&p.alg)?;
        let nonce_value = p
            .nonce
            .as_deref()
            .ok_or_else(|| AcmeProblem::bad_nonce("the protected header has no \"nonce\""))?;
        let now = state.now();
        if !state.nonces.redeem(&state.db, nonce_value, now).await? {
            return Err(AcmeProblem::bad_nonce(
                "the nonce is unknown, was already used, or has expired; fetch a new one from newNonce",
            ));
        }
        let signed_url = p
            .url
            .as_deref()
            .ok_or_else(|| AcmeProblem::malformed("the protected header has no \"url\""))?;
        if signed_url != url {
            return Err(AcmeProblem::unauthorized(format!(
                "the protected header's url {signed_url:?} does not match the request URL {url:?}"
            )));
        }
        let (key, account) = match (&p.jwk, &p.kid) {
            (Some(_), Some(_)) => {
                return Err(AcmeProblem::malformed(
                    "the protected header has both \"jwk\" and \"kid\"; send exactly one",
                ))
            }
            (None, None) => {
                return Err(AcmeProblem::malformed(
                    "the protected header has neither \"jwk\" nor \"kid\"",
                ))
            }
            (Some(jwk), None) => {
                jwk.check()?;
                (jwk.clone(), None)
            }
            (None, Some(kid)) => {
                let id = account_id_from_url(&state.config, kid).ok_or_else(|| {
                    AcmeProblem::account_does_not_exist(format!(
                        "{kid:?} is not an account URL of this server"
                    ))
                })?;
                let account = crate::accounts::by_id(&state.db, id)
                    .await?
                    .ok_or_else(|| {
                        AcmeProblem::account_does_not_exist(format!("there is no account {kid}"))
                    })?;
                let value: serde_json::Value =
                    serde_json::from_str(&account.jwk).map_err(AcmeProblem::internal)?;
                (Jwk::from_json(&value)?, Some(account))
            }
        };
        jws.verify(&key)?;
        if let Some(account) = &account {
            if account.status != acme_account::STATUS_VALID {
                return Err(AcmeProblem::unauthorized(format!(
                    "the account {} is {}; register a new account",
                    super::account_url(&state.config, account.id),
                    account.status
                )));
            }
        }
        Ok(AcmeRequest {
            jws,
            key,
            account,
            url,
        })
    }
}
