//! Reads of the projections about a session's results: the session as it ran, the live
//! standings per car, every classification version, and the competitors the engine knows.
//!
//! These come from the read models, which follow the engine by a few milliseconds; the
//! engine's own views stay in [`crate::http::reads`].
//!
//! # Layout
//! - [`router`]; `read` (the session), `cars`, `versions` and `version` (classifications), `competitors`.

use crate::http::body;
use crate::http::error::ApiError;
use crate::http::history::session;
use crate::http::reads::track;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use checkered_store::readmodel::{ClassificationRecord, SessionRecord};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tracks/{track}/sessions/{session}", get(read))
        .route("/api/v1/tracks/{track}/sessions/{session}/cars", get(cars))
        .route(
            "/api/v1/tracks/{track}/sessions/{session}/classifications",
            get(versions),
        )
        .route(
            "/api/v1/tracks/{track}/sessions/{session}/classifications/{version}",
            get(version),
        )
        .route("/api/v1/tracks/{track}/competitors", get(competitors))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`")), responses((status = 200, description = "The session as it ran: open, start and end times, end reason, restarts, last classification version", body = Object), (status = 404, description = "Unknown track or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn read(
    State(state): State<AppState>,
    Path((id, text)): Path<(String, String)>,
) -> Result<Json<SessionRecord>, ApiError> {
    let session = session(&state, &id, &text).await?;
    state
        .projections
        .session(&id, session)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("track {id:?} has no session {session}")))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}/cars", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`")), responses((status = 200, description = "Each car's live state (position, laps, last and best lap, total, status, pit stops, penalties), by position", body = Object), (status = 404, description = "Unknown track or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn cars(
    State(state): State<AppState>,
    Path((id, text)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&state, &id, &text).await?;
    let cars = state.projections.cars(&id, session).await?;
    Ok(Json(json!({ "session_id": session, "cars": cars })))
}

/// One version in a list, with its document as the engine emitted it.
#[derive(Serialize)]
struct Version<'a> {
    #[serde(flatten)]
    record: &'a ClassificationRecord,
    classification: Box<RawValue>,
}

fn document(record: &ClassificationRecord) -> Result<Box<RawValue>, ApiError> {
    RawValue::from_string(record.body.clone()).map_err(|e| ApiError::Internal(e.into()))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}/classifications", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`"), ("after" = Option<u32>, Query, description = "Versions after this one"), ("limit" = Option<u64>, Query, description = "Page size (max 5000)")), responses((status = 200, description = "Every classification version (provisional, final, amended) with its document", body = Object), (status = 404, description = "Unknown track or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn versions(
    State(state): State<AppState>,
    Path((id, text)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&state, &id, &text).await?;
    let (after, limit) = body::page(&query, 100)?;
    let after = u32::try_from(after).unwrap_or(u32::MAX);
    let records = state
        .projections
        .classifications(&id, session, after, limit)
        .await?;
    let versions = records
        .iter()
        .map(|record| {
            Ok(Version {
                record,
                classification: document(record)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let next = records.last().map(|r| r.version);
    Ok(Json(
        json!({ "session_id": session, "classifications": versions, "next_after": next }),
    ))
}

/// The document of one version, byte for byte as the engine emitted it (the shape
/// `checkered replay --out` writes); `latest` is the newest version.
#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}/classifications/{version}", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`"), ("version" = String, Path, description = "Version number or `latest`")), responses((status = 200, description = "The classification document of that version", body = Object), (status = 404, description = "Unknown track, session or version", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn version(
    State(state): State<AppState>,
    Path((id, text, version)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let session = session(&state, &id, &text).await?;
    let wanted = match version.as_str() {
        "latest" => None,
        v => Some(v.parse::<u32>().map_err(|_| {
            ApiError::BadRequest(format!("version must be a number or `latest`, not {v:?}"))
        })?),
    };
    let record = state
        .projections
        .classification(&id, session, wanted)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "session {session} has no classification version {version}"
            ))
        })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], record.body).into_response())
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/competitors", tag = "results", params(("track" = String, Path, description = "Track slug")), responses((status = 200, description = "Every competitor the engine knows (its entry registry), by number", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn competitors(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    track(&state, &id)?;
    let competitors = state.projections.competitors(&id).await?;
    Ok(Json(json!({ "competitors": competitors })))
}
