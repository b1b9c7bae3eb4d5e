//! Certificate download and revokeCert (RFC 8555 §7.4.2, §7.6): wire parsing and responses;
//! revocation itself is `crate::certs::revoke`.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::problem::AcmeProblem;
use super::request::AcmeRequest;
use crate::api::extract::ApiPath;
use crate::jose::unb64;
use crate::orders;
use crate::state::AppState;

/// Certificate download (RFC 8555 §7.4.2): the PEM chain, leaf first.
pub async fn certificate(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    req.post_as_get()?;
    let account = req.account()?;
    let cert = crate::certs::of_customer(&state.db, account.customer_id, id)
        .await?
        .ok_or_else(|| {
            AcmeProblem::not_found(format!("there is no certificate {id} for this account"))
        })?;
    let mut res = (StatusCode::OK, state.ca.chain(&cert.leaf_pem)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pem-certificate-chain"),
    );
    Ok(res)
}

/// revokeCert (RFC 8555 §7.6): signed by an account of the certificate's customer, or by the
/// certificate's own key.
pub async fn revoke_cert(
    State(state): State<AppState>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let payload = req
        .jws
        .payload_json()?
        .ok_or_else(|| AcmeProblem::malformed("revokeCert needs a payload"))?;
    let der = unb64(
        "certificate",
        payload
            .get("certificate")
            .and_then(Value::as_str)
            .unwrap_or(""),
    )?;
    let reason = match payload.get("reason") {
        None => 0,
        Some(v) => v
            .as_u64()
            .and_then(|r| u8::try_from(r).ok())
            .ok_or_else(|| {
                AcmeProblem::bad_revocation_reason("\"reason\" must be a CRL reason code")
            })?,
    };
    let (_, parsed) = x509_parser::parse_x509_certificate(&der)
        .map_err(|_| AcmeProblem::malformed("\"certificate\" is not a DER certificate"))?;
    let serial = hex::encode(parsed.raw_serial());
    let cert = crate::certs::by_serial(&state.db, &serial)
        .await?
        .ok_or_else(|| AcmeProblem::not_found("this CA did not issue that certificate"))?;
    // RFC 8555 §7.6, R-CA-3: the account that ordered the certificate, or one that holds valid
    // authorizations for every name in it; or the certificate's own key.
    let actor = match &req.account {
        Some(account)
            if account.id == cert.account_id
                || (account.customer_id == cert.customer_id
                    && orders::store::holds_authorizations_for(
                        &state.db,
                        account.id,
                        &cert.names(),
                        state.now(),
                    )
                    .await?) =>
        {
            format!("acme:{}", account.id)
        }
        Some(_) => return Err(AcmeProblem::unauthorized("this account may not revoke that certificate: only the account that ordered it, or one holding valid authorizations for all its names, may")),
        None if req.key.thumbprint() == cert.key_thumbprint => "certificate-key".to_owned(),
        None => return Err(AcmeProblem::unauthorized("the request is signed neither by an account of the certificate's owner nor by the certificate's key")),
    };
    match crate::certs::revoke(&state, &cert, reason, &actor).await {
        Ok(()) => Ok(StatusCode::OK.into_response()),
        Err(crate::certs::RevokeError::BadReason(r)) => Err(AcmeProblem::bad_revocation_reason(
            format!("reason {r} is not accepted; use 0 (unspecified), 1 (keyCompromise), 3 (affiliationChanged), 4 (superseded) or 5 (cessationOfOperation)"),
        )),
        Err(crate::certs::RevokeError::AlreadyRevoked) => Err(AcmeProblem::already_revoked(
            format!("certificate {serial} is already revoked"),
        )),
        Err(crate::certs::RevokeError::Internal(e)) => Err(AcmeProblem::internal(e)),
    }
}
