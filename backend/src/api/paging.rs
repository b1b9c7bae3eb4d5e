//! Keyset paging for lists (R-ACME-12: no request loads a customer's whole portfolio): newest
//! first (or in the list's own fixed order), `limit` items (default 100, at most 500), an opaque
//! `cursor` for the next page, which is announced in `Link: <…>; rel="next"` (RFC 8288) with the
//! request's filters kept. The body stays a JSON array.

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
    /// The decoded cursor: `id:N` for lists ordered by id, or a list's own key.
    key: Option<String>,
    path: String,
    /// The request's other query parameters (its filters), repeated in the next page's URL.
    filters: Vec<(String, String)>,
}

fn cursor_of(key: &str) -> String {
    b64(key.as_bytes())
}

fn key_of(cursor: &str) -> Option<String> {
    let raw = unb64("cursor", cursor).ok()?;
    String::from_utf8(raw).ok().filter(|k| !k.is_empty())
}

fn id_of(key: &str) -> Option<i64> {
    key.strip_prefix("id:")?.parse().ok()
}

fn bad_cursor() -> ApiError {
    ApiError::field(
        "cursor",
        "invalid",
        "is not a cursor of this list; use the URL of the Link: rel=\"next\" header",
    )
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let RawQuery(query) = RawQuery::from_request_parts(parts, state)
            .await
            .unwrap_or(RawQuery(None));
        let mut page = Page {
            limit: DEFAULT_LIMIT,
            key: None,
            filters: Vec::new(),
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
                "cursor" => page.key = Some(key_of(&value).ok_or_else(bad_cursor)?),
                _ => page.filters.push((key.into_owned(), value.into_owned())),
            }
        }
        Ok(page)
    }
}

impl Page {
    /// `select` limited to this page: newest first by `id`, one more than `limit` to know
    /// whether a next page exists.
    pub fn apply<E: EntityTrait>(
        &self,
        select: Select<E>,
        id: E::Column,
    ) -> Result<Select<E>, ApiError> {
        let select = match self.before_id()? {
            Some(before) => select.filter(id.lt(before)),
            None => select,
        };
        Ok(select.order_by_desc(id).limit(self.limit + 1))
    }

    /// The id the previous page ended at, for lists ordered by id (newest first) that a
    /// domain module selects itself; it fetches `limit + 1` rows below it.
    pub fn before_id(&self) -> Result<Option<i64>, ApiError> {
        self.key
            .as_deref()
            .map(|k| id_of(k).ok_or_else(bad_cursor))
            .transpose()
    }

    /// The decoded cursor of a list with its own order, parsed by `parse`; a cursor it does
    /// not read is a field error.
    pub fn key<K>(&self, parse: impl Fn(&str) -> Option<K>) -> Result<Option<K>, ApiError> {
        self.key
            .as_deref()
            .map(|k| parse(k).ok_or_else(bad_cursor))
            .transpose()
    }

    /// Cuts the extra row off `rows` and responds with the page and, if there is more, the
    /// `Link` to the next one.
    pub fn respond<M, T: Serialize>(
        &self,
        rows: Vec<M>,
        id: impl Fn(&M) -> i64,
        to_dto: impl Fn(&M) -> T,
    ) -> Response {
        self.respond_keyed(rows, |m| format!("id:{}", id(m)), to_dto)
    }

    /// [`Page::respond`] for a list with its own order: `key` gives the cursor text of a row,
    /// which [`Page::key`] reads back.
    pub fn respond_keyed<M, T: Serialize>(
        &self,
        mut rows: Vec<M>,
        key: impl Fn(&M) -> String,
        to_dto: impl Fn(&M) -> T,
    ) -> Response {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        let items: Vec<T> = rows.iter().map(to_dto).collect();
        let mut res = Json(items).into_response();
        if let (true, Some(last)) = (more, rows.last()) {
            let next = format!("<{}>; rel=\"next\"", self.next_url(&key(last)));
            if let Ok(v) = HeaderValue::from_str(&next) {
                res.headers_mut().insert(header::LINK, v);
            }
        }
        res
    }

    /// The path and query of the page after the row with cursor text `key`: the same filters,
    /// the same limit.
    fn next_url(&self, key: &str) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.filters {
            query.append_pair(k, v);
        }
        query.append_pair("limit", &self.limit.to_string());
        query.append_pair("cursor", &cursor_of(key));
        format!("{}?{}", self.path, query.finish())
    }
}

/// Reads a `?name=` filter (part of a domain name, R-FQDN-1 forms): `None` when absent or
/// empty (`*.` alone too), the stored form to look for otherwise, a field error naming `name` when it cannot be
/// part of a name.
pub fn name_filter(name: Option<&str>) -> Result<Option<String>, ApiError> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(n) => match shared::fqdn::search_text(n) {
            Ok(text) => Ok(Some(text)),
            // Nothing left once `*.` is dropped: no filter, like an empty one.
            Err(shared::fqdn::FqdnError::Empty) => Ok(None),
            Err(e) => Err(ApiError::field(
                "name",
                e.code(),
                e.message(shared::dto::Locale::En),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        for id in [1, 42, i64::MAX] {
            let key = key_of(&cursor_of(&format!("id:{id}"))).unwrap();
            assert_eq!(id_of(&key), Some(id));
        }
        for junk in ["", "!!"] {
            assert_eq!(key_of(junk), None, "{junk}");
        }
        for junk in ["abc", "id:x", "42", "rank:1:id:2"] {
            assert_eq!(id_of(junk), None, "{junk}");
        }
    }

    #[test]
    fn the_next_page_keeps_the_filters_and_the_limit() {
        let page = Page {
            limit: 2,
            key: None,
            path: "/api/v1/registrations".into(),
            filters: vec![
                ("state".into(), "active".into()),
                ("name".into(), "例え".into()),
            ],
        };
        let url = page.next_url("id:7");
        assert_eq!(
            url,
            format!(
                "/api/v1/registrations?state=active&name=%E4%BE%8B%E3%81%88&limit=2&cursor={}",
                cursor_of("id:7")
            )
        );
    }
}
