//! What the ACME server offers and allows, public (no login): `GET /acme/profiles` (R-ACME-9)
//! and `GET /acme/limits` (R-ACME-10).

use gloo_net::http::Request;
use shared::dto::{AcmeLimits, AcmeProfileInfo};

use super::{json, send, url, ApiError};

/// `GET /acme/profiles`: the certificate profiles a client may ask for, the default marked.
pub async fn acme_profiles() -> Result<Vec<AcmeProfileInfo>, ApiError> {
    json(send(Request::get(&url("/acme/profiles")), None::<&()>).await?).await
}

/// `GET /acme/limits`: rate limits, the polling interval and lifetimes.
pub async fn acme_limits() -> Result<AcmeLimits, ApiError> {
    json(send(Request::get(&url("/acme/limits")), None::<&()>).await?).await
}
