//! Race control: `POST /api/v1/tracks/{track}/control` with a race-control intent (stage,
//! start, flag, penalty, disqualification, reset, force-finish, lap adjustment, end of
//! session, …).
//!
//! An intent is not applied directly: it is appended to the track's raw log as a `CONTROL`
//! event, like any relay's event, so the engine sees it in order with the timing data and a
//! replay of the log reproduces every decision. The answer comes once it is durable.

use crate::http::body;
use crate::http::error::ApiError;
use crate::http::reads::track;
use crate::runtime::convert::CONTROL;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use checkered_engine::ControlIntent;
use checkered_protocol::contract::Envelope;
use checkered_store::AppendOutcome;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// This process's identity as a producer of raw events: one boot id per start and a
/// gap-free sequence, exactly like a relay.
struct Producer {
    boot_id: String,
    seq: AtomicU64,
}

fn producer() -> &'static Producer {
    static PRODUCER: OnceLock<Producer> = OnceLock::new();
    PRODUCER.get_or_init(|| Producer {
        boot_id: ulid::Ulid::new().to_string(),
        seq: AtomicU64::new(0),
    })
}

#[utoipa::path(post, path = "/api/v1/tracks/{track}/control", tag = "race control", params(("track" = String, Path, description = "Track slug")), request_body = ControlRequest, responses((status = 202, description = "Durably logged; the engine applies it in order", body = Object), (status = 400, description = "Invalid intent", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn control(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let runtime = track(&state, &id)?;
    let request: ControlRequest = body::json(&headers, &bytes)?;
    let at_us = match request.at_us {
        Some(at) => at,
        None => runtime
            .engine()
            .now_us()
            .unwrap_or_else(crate::clock::now_us),
    };
    let payload = serde_json::to_value(&request.intent)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let producer = producer();
    let envelope = Envelope {
        event_id: ulid::Ulid::new().to_string(),
        track_id: id.clone(),
        client_id: "race-control".to_owned(),
        boot_id: producer.boot_id.clone(),
        seq: producer.seq.fetch_add(1, Ordering::AcqRel) + 1,
        captured_at_us: at_us,
        ingested_at_us: Some(crate::clock::now_us()),
        message_type: CONTROL.to_owned(),
        payload: payload.clone(),
    };
    envelope
        .validate()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let outcome = state
        .log
        .append_raw(vec![envelope], crate::clock::now_us())
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("control append")))?;
    let raw_seq = outcome
        .first()
        .map(|o| o.track_seq())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the log returned no outcome")))?;
    if matches!(outcome.first(), Some(AppendOutcome::Accepted { .. })) {
        runtime.notify_appended(raw_seq);
    }
    tracing::info!(track = %id, raw_seq, intent = %payload, "race-control intent logged");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "raw_seq": raw_seq, "at_us": at_us, "intent": payload })),
    ))
}
