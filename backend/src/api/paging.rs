//! Keyset paging for lists (R-ACME-12: no request loads a customer's whole portfolio): newest
//! first, `limit` items (default 100, at most 500), an opaque `cursor` for the next page, which
//! is announced in `Link: <…>; rel="next"` (RFC 8288). The body stays a JSON array.

use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::Serialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::jose::{b64, unb64};

pub const DEFAULT_LIMIT: u64 = 100;
pub const MAX_LIMIT: u64 = 500;

/// The paging parameters, for the OpenAPI document.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// The `cursor` of the `Link: rel="next"` URL of the previous page.
    cursor: Option<String>,
}

/// A requested page: at most `limit` items older than the cursor's.
#[derive(Debug, Clone)]
pub struct Page {
    pub limit: u64,
    before: Option<i64>,
    path: String,
}

fn cursor_of(id: i64) -> String {
    b64(format!("id:{id}").as_bytes())
}

fn id_of(cursor: &str) -> Option<i64> {
    let raw = unb64("cursor", cursor).ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("id:")?
        .parse()
        .ok()
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let RawQuery(query) = RawQuery::from_request_parts(parts, state)
            .await
            .unwrap_or(RawQuery(None));
        let mut page = Page {
            limit: DEFAULT_LIMIT,
            before: None,
            path: parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map(|u| u.path().to_owned())
                .unwrap_or_else(|| parts.uri.path().to_owned()),
        };
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "limit" => {
                    page.limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            ApiError::field(
                                "limit",
                                "out_of_range",
                                format!("must be a whole number from 1 to {MAX_LIMIT}"),
                            )
                        })?;
                }
                "cursor" => {
                    page.before = Some(id_of(&value).ok_or_else(|| {
                        ApiError::field(
                            "cursor",
                            "invalid",
                            "is not a cursor of this list; use the URL of the Link: rel=\"next\" header",
                        )
                    })?);
                }
                _ => {}
            }
        }
        Ok(page)
    }
}

impl Page {
    /// `select` limited to this page: newest first by `id`, one more than `limit` to know
    /// whether a next page exists.
    pub fn apply<E: EntityTrait>(&self, select: Select<E>, id: E::Column) -> Select<E> {
        let select = match self.before {
            Some(before) => select.filter(id.lt(before)),
            None => select,
        };
        select.order_by_desc(id).limit(self.limit + 1)
    }

    /// Cuts the extra row off `rows` and responds with the page and, if there is more, the
    /// `Link` to the next one.
    pub fn respond<M, T: Serialize>(
        &self,
        mut rows: Vec<M>,
        id: impl Fn(&M) -> i64,
        to_dto: impl Fn(&M) -> T,
    ) -> Response {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        let items: Vec<T> = rows.iter().map(to_dto).collect();
        let mut res = Json(items).into_response();
        if let (true, Some(last)) = (more, rows.last()) {
            let next = format!(
                "<{}?limit={}&cursor={}>; rel=\"next\"",
                self.path,
                self.limit,
                cursor_of(id(last))
            );
            if let Ok(v) = HeaderValue::from_str(&next) {
                res.headers_mut().insert(header::LINK, v);
            }
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        for id in [1, 42, i64::MAX] {
            assert_eq!(id_of(&cursor_of(id)), Some(id));
        }
        for junk in ["", "abc", "!!", &b64(b"id:x"), &b64(b"42")] {
            assert_eq!(id_of(junk), None, "{junk}");
        }
    }
}
