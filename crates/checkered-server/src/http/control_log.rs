//! The control log of a track: every race-control intent in its raw log (from the REST API
//! or from a relay), in order, with who sent it and from where as far as known
//! (`GET /api/v1/tracks/{track}/control/log?after=&limit=`).
//!
//! # Layout
//! - [`router`]: the route; `log`: the handler, each intent with its body as JSON (`Logged`).

use crate::http::body;
use crate::http::error::ApiError;
use crate::http::reads::track;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use checkered_store::readmodel::ControlRecord;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/tracks/{track}/control/log", get(log))
}

/// A logged intent with its body as JSON.
#[derive(Serialize)]
struct Logged<'a> {
    #[serde(flatten)]
    record: &'a ControlRecord,
    intent: Box<RawValue>,
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/control/log", tag = "race control", params(("track" = String, Path, description = "Track slug"), ("after" = Option<u64>, Query, description = "Intents with raw_seq > after"), ("limit" = Option<u64>, Query, description = "Page size (max 5000)")), responses((status = 200, description = "Intents in log order: raw_seq, when it applies and was received, producer, intent, and the audit (peer address, user agent, API) when it came through REST", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn log(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    track(&state, &id)?;
    let (after, limit) = body::page(&query, 100)?;
    let records = state.projections.control_log(&id, after, limit).await?;
    let intents = records
        .iter()
        .map(|record| {
            let intent = RawValue::from_string(record.intent.clone())
                .map_err(|e| ApiError::Internal(e.into()))?;
            Ok(Logged { record, intent })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let next = records.last().map(|r| r.raw_seq);
    Ok(Json(json!({ "intents": intents, "next_after": next })))
}
