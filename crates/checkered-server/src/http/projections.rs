//! The projector of a track: how far its read models are (`GET
//! /api/v1/tracks/{track}/projections`) and rebuilding them from the logs (`POST
//! …/projections/rebuild`: wipe, then project again from seq 0, e.g. after an upgrade
//! changed a projection).
//!
//! # Layout
//! - [`router`]; `status`; `rebuild`.

use crate::http::error::ApiError;
use crate::http::reads::track;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tracks/{track}/projections", get(status))
        .route("/api/v1/tracks/{track}/projections/rebuild", post(rebuild))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/projections", tag = "results", params(("track" = String, Path, description = "Track slug")), responses((status = 200, description = "Projected derived and raw seqs, the engine's published seq, the lag and the rows skipped", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let runtime = track(&state, &id)?;
    let cursor = state.projections.cursor(&id).await?;
    let published = *runtime.published().borrow();
    Ok(Json(json!({
        "derived_seq": cursor.derived_seq,
        "raw_seq": cursor.raw_seq,
        "published_seq": published,
        "appended_raw_seq": runtime.appended_raw.load(Ordering::Acquire),
        "lag": published.saturating_sub(cursor.derived_seq),
        "skipped": cursor.skipped,
    })))
}

#[utoipa::path(post, path = "/api/v1/tracks/{track}/projections/rebuild", tag = "results", params(("track" = String, Path, description = "Track slug")), responses((status = 202, description = "Projections wiped; the projector is rebuilding them from seq 0", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn rebuild(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    track(&state, &id)?;
    state.projections.reset(&id).await?;
    state.projectors.poke(&id);
    tracing::info!(track = %id, "projections wiped; rebuilding from the logs");
    Ok((StatusCode::ACCEPTED, Json(json!({ "rebuilding": id }))))
}
