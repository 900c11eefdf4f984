//! Request-body and query helpers that turn every client mistake into a problem document
//! (axum's own extractor rejections are plain text).

use crate::http::error::ApiError;
use axum::http::HeaderMap;
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
