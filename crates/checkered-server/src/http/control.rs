//! Race control: `POST /api/v1/tracks/{track}/control` with a race-control intent (stage,
//! start, flag, penalty, disqualification, reset, force-finish, lap adjustment, end of
//! session, …).
//!
//! An intent is not applied directly: it is appended to the track's raw log as a `CONTROL`
//! event, like any relay's event, so the engine sees it in order with the timing data and a
//! replay of the log reproduces every decision (see [`crate::http::intents`]). The answer
//! comes once it is durable; `GET …/control/log` lists every intent with its origin.

use crate::http::body;
use crate::http::error::ApiError;
use crate::http::intents::{Origin, submit};
use crate::http::reads::track;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use checkered_engine::ControlIntent;
use serde::Deserialize;
use serde_json::{Value, json};

/// The race-control route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/tracks/{track}/control", post(control))
}

/// A request: the intent, and optionally when it applies (µs since the epoch, in the
/// track's timing clock; default: the time of the latest event the engine has seen, or
/// now when it has seen none).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlRequest {
    /// The intent, tagged by `type` (`set_entries`, `stage`, `start`, `flag`,
    /// `time_penalty`, `lap_penalty`, `drive_through`, `disqualify`, `retire`,
    /// `adjust_laps`, `force_finish`, `reset`, `end_session`, `set_session_kind`, …).
    #[schema(value_type = Object)]
    intent: ControlIntent,
    /// When it applies, µs since the epoch in the track's timing clock.
    #[serde(default)]
    at_us: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/tracks/{track}/control", tag = "race control", params(("track" = String, Path, description = "Track slug")), request_body = ControlRequest, responses((status = 202, description = "Durably logged; the engine applies it in order", body = Object), (status = 400, description = "Invalid intent", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn control(
    State(state): State<AppState>,
    Path(id): Path<String>,
    origin: Origin,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let runtime = track(&state, &id)?;
    let request: ControlRequest = body::json(&headers, &bytes)?;
    let done = submit(
        &state,
        &runtime,
        &request.intent,
        request.at_us,
        &origin,
        "control",
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "raw_seq": done.raw_seq, "at_us": done.at_us, "intent": done.payload })),
    ))
}
