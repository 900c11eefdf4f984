//! Request-body and query helpers that turn every client mistake into a problem document
//! (axum's own extractor rejections are plain text).

use crate::http::error::ApiError;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// Parses a JSON body into `T`, naming the line, column and field that are wrong.
pub fn json<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, ApiError> {
    crate::http::ingest::require_json(headers)?;
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid for this request: {e}")))
}

/// An optional unsigned query parameter.
pub fn query_u64(
    query: &HashMap<String, String>,
    name: &str,
    default: u64,
) -> Result<u64, ApiError> {
    match query.get(name) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| {
            ApiError::BadRequest(format!(
                "query parameter {name} must be a whole number, not {text:?}"
            ))
        }),
    }
}

/// Most rows one page of a list may return.
pub const MAX_PAGE: u64 = 5_000;

/// The `after` cursor and `limit` of a paged list (`limit` defaults to `default`, at most
/// [`MAX_PAGE`]).
pub fn page(query: &HashMap<String, String>, default: u64) -> Result<(u64, usize), ApiError> {
    let after = query_u64(query, "after", 0)?;
    let limit = query_u64(query, "limit", default)?.clamp(1, MAX_PAGE);
    Ok((after, usize::try_from(limit).unwrap_or(usize::MAX)))
}

/// For `Option<Option<T>>` fields of partial updates: absent → `None` (keep), `null` →
/// `Some(None)` (clear), a value → `Some(Some(v))`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A display name from a request: trimmed, 1–200 characters.
pub fn name(field: &str, text: &str) -> Result<String, ApiError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 200 {
        return Err(ApiError::Unprocessable(format!(
            "{field} must be 1 to 200 characters"
        )));
    }
    Ok(trimmed.to_owned())
}
