//! Reads of a track's live state, answered from its engine (the source every projection is
//! built from): standings, sessions, classifications, the derived-event log and dead letters.
//!
//! The classification document is exactly what `checkered replay --out` writes for a
//! session, so a live run and a replay of the same data diff byte for byte.

use crate::http::body;
use crate::http::error::ApiError;
use crate::runtime::TrackRuntime;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Most rows one page may return.
const MAX_PAGE: u64 = 5_000;

/// The read routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tracks/{track}/standings", get(standings))
        .route("/api/v1/tracks/{track}/sessions", get(sessions))
        .route(
            "/api/v1/tracks/{track}/sessions/{session}/standings",
            get(session_standings),
        )
        .route(
            "/api/v1/tracks/{track}/sessions/{session}/classification",
            get(classification),
        )
        .route("/api/v1/tracks/{track}/events/log", get(derived_log))
        .route("/api/v1/tracks/{track}/raw", get(raw_log))
        .route(
            "/api/v1/tracks/{track}/dead-letters",
            get(track_dead_letters),
        )
        .route("/api/v1/dead-letters", get(dead_letters))
}

/// The runtime of a track or a 404.
pub fn track(state: &AppState, id: &str) -> Result<Arc<TrackRuntime>, ApiError> {
    state
        .registry
        .get(id)
        .ok_or_else(|| ApiError::NotFound(format!("unknown track {id:?}")))
}

/// A session id from the path: a number, or `latest` (the open session, else the last one).
fn session_id(runtime: &TrackRuntime, text: &str) -> Result<u32, ApiError> {
    if text == "latest" {
        let engine = runtime.engine();
        return engine.sessions().iter().map(|s| s.id).max().ok_or_else(|| {
            ApiError::NotFound(format!("track {:?} has no session yet", runtime.id()))
        });
    }
    text.parse().map_err(|_| {
        ApiError::BadRequest(format!(
            "session must be a number or `latest`, not {text:?}"
        ))
    })
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/standings", tag = "results", params(("track" = String, Path, description = "Track slug")), responses((status = 200, description = "The live board with the derived seq it reflects", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn standings(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let runtime = track(&state, &id)?;
    let published = *runtime.published().borrow();
    let engine = runtime.engine();
    Ok(Json(json!({
        "seq": engine.seq(),
        "published_seq": published,
        "lag": runtime.lag(),
        "standings": engine.standings(),
    })))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions", tag = "results", params(("track" = String, Path, description = "Track slug")), responses((status = 200, description = "Sessions of the track", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn sessions(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let runtime = track(&state, &id)?;
    let engine = runtime.engine();
    Ok(Json(json!({ "sessions": engine.sessions() })))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}/standings", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`")), responses((status = 400, description = "Malformed request", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Unknown track or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn session_standings(
    State(state): State<AppState>,
    Path((id, session)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let runtime = track(&state, &id)?;
    let session = session_id(&runtime, &session)?;
    let engine = runtime.engine();
    let standings = engine
        .standings_for(session)
        .ok_or_else(|| ApiError::NotFound(format!("track {id:?} has no session {session}")))?;
    Ok(Json(json!({ "seq": engine.seq(), "standings": standings })))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}/classification", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`")), responses((status = 200, description = "The classification, the same document `checkered replay --out` writes per session", body = Object), (status = 404, description = "Unknown track or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn classification(
    State(state): State<AppState>,
    Path((id, session)): Path<(String, String)>,
) -> Result<Json<checkered_engine::Classification>, ApiError> {
    let runtime = track(&state, &id)?;
    let session = session_id(&runtime, &session)?;
    let engine = runtime.engine();
    engine
        .classification(session)
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("track {id:?} has no session {session}")))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/events/log", tag = "results", params(("track" = String, Path, description = "Track slug"), ("after" = Option<u64>, Query, description = "Return events with seq > after"), ("limit" = Option<u64>, Query, description = "Page size (max 5000)")), responses((status = 200, description = "Derived events in seq order", body = Object)))]
async fn derived_log(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    track(&state, &id)?;
    let after = body::query_u64(&query, "after", 0)?;
    let limit = body::query_u64(&query, "limit", 1_000)?.clamp(1, MAX_PAGE);
    let rows = state
        .log
        .read_derived(&id, after, limit as usize)
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let events: Vec<Value> = rows
        .iter()
        .map(|row| serde_json::from_str(&row.body).unwrap_or(Value::Null))
        .collect();
    let next = rows.last().map(|r| r.seq);
    Ok(Json(json!({ "events": events, "next_after": next })))
}

/// The raw log of a track in arrival order (`track_seq`), as ingested.
#[utoipa::path(get, path = "/api/v1/tracks/{track}/raw", tag = "ingest", params(("track" = String, Path, description = "Track slug"), ("after" = Option<u64>, Query, description = "Return events with track_seq > after"), ("limit" = Option<u64>, Query, description = "Page size (max 5000)")), responses((status = 200, description = "Raw envelopes in arrival order", body = Object)))]
async fn raw_log(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    track(&state, &id)?;
    let after = body::query_u64(&query, "after", 0)?;
    let limit = body::query_u64(&query, "limit", 1_000)?.clamp(1, MAX_PAGE);
    let rows = state
        .log
        .read_raw(&id, after, limit as usize)
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let events: Vec<Value> = rows
        .iter()
        .map(|row| json!({ "track_seq": row.track_seq, "envelope": row.envelope }))
        .collect();
    let next = rows.last().map(|r| r.track_seq);
    Ok(Json(json!({ "events": events, "next_after": next })))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/dead-letters", tag = "ingest", params(("track" = String, Path, description = "Track slug"), ("after" = Option<u64>, Query, description = "Return letters with id > after"), ("limit" = Option<u64>, Query, description = "Page size")), responses((status = 200, description = "Rejected events of the track with reasons", body = Object)))]
async fn track_dead_letters(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    letters(&state, Some(&id), &query).await
}

#[utoipa::path(get, path = "/api/v1/dead-letters", tag = "ingest", params(("after" = Option<u64>, Query, description = "Return letters with id > after"), ("limit" = Option<u64>, Query, description = "Page size")), responses((status = 200, description = "Every rejected event with its reason", body = Object)))]
async fn dead_letters(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    letters(&state, None, &query).await
}

async fn letters(
    state: &AppState,
    track: Option<&str>,
    query: &HashMap<String, String>,
) -> Result<Json<Value>, ApiError> {
    let after = body::query_u64(query, "after", 0)?;
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let limit = body::query_u64(query, "limit", 100)?.clamp(1, MAX_PAGE);
    let rows = state
        .log
        .read_dead_letters(track, after, limit as usize)
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let letters: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "id": row.id,
                "source": row.letter.source,
                "track_id": row.letter.track_id,
                "reason": row.letter.reason,
                "body": row.letter.body,
                "received_at_us": row.letter.received_at_us,
            })
        })
        .collect();
    let next = rows.last().map(|r| r.id);
    Ok(Json(json!({ "dead_letters": letters, "next_after": next })))
}
