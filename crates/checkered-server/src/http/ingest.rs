//! `POST /api/ingest/batch`: relays hand in enveloped raw events.
//!
//! Each event is checked on its own (shape, envelope rules, known track, a payload the
//! engine can read); the valid ones are appended to the raw log in one durable write and
//! the rejected ones go to the dead-letter log with their reason, both before the answer.
//! A retried event (same idempotency key) is counted as a duplicate and changes nothing.

use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::runtime::convert::{self, Decoded};
use crate::runtime::registry::Arrived;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::routing::post;
use axum::{Extension, Json, Router};
use checkered_protocol::contract::{CONTRACT_VERSION, Envelope, IngestResponse, Rejected};
use checkered_store::{AppendOutcome, DeadLetter};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::time::Instant;

/// The ingest route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/ingest/batch", post(ingest))
}

/// The batch before each event is checked on its own.
#[derive(Deserialize)]
struct LooseBatch {
    contract_version: String,
    events: Vec<Box<RawValue>>,
}

#[utoipa::path(post, path = "/api/ingest/batch", tag = "ingest", request_body = checkered_protocol::contract::IngestBatch, security(("relay_token" = [])), responses((status = 200, description = "Durably appended; per-event outcome", body = checkered_protocol::contract::IngestResponse), (status = 400, description = "Malformed batch or wrong contract version", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 401, description = "Missing or wrong relay token", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 413, description = "Body or batch too large", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Body is not JSON", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn ingest(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestResponse>, ApiError> {
    // With authorisation on, the policy middleware has authenticated the relay; the
    // static token alone guards ingest when it is off.
    if !state.auth.enabled {
        authorize(&state, &headers)?;
    }
    let principal = principal.map_or(Principal::Unrestricted, |Extension(p)| p);
    require_json(&headers)?;
    let limit = state.config.max_body_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::TooLarge(format!(
            "the request body is larger than {limit} bytes; send smaller batches"
        ))
    })?;
    let batch: LooseBatch = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body is not a valid ingest batch ({e}); expected {{\"contract_version\":\"{CONTRACT_VERSION}\",\"events\":[…]}}"
        ))
    })?;
    if batch.contract_version != CONTRACT_VERSION {
        return Err(ApiError::BadRequest(format!(
            "unsupported contract_version {:?}; this server speaks {CONTRACT_VERSION:?}",
            batch.contract_version
        )));
    }
    let max = state.config.max_batch_events;
    if batch.events.len() > max {
        return Err(ApiError::TooLarge(format!(
            "the batch holds {} events; at most {max} are accepted per request",
            batch.events.len()
        )));
    }
    let now_us = crate::clock::now_us();
    let mut valid = Vec::with_capacity(batch.events.len());
    let mut handoff = Vec::with_capacity(batch.events.len());
    let mut rejected = Vec::new();
    let mut letters = Vec::new();
    for (index, raw) in batch.events.into_iter().enumerate() {
        match check(&state, &principal, &raw) {
            Ok((mut envelope, decoded)) => {
                envelope.ingested_at_us = Some(now_us);
                handoff.push(Arrived {
                    track_seq: 0,
                    captured_at_us: envelope.captured_at_us,
                    decoded,
                });
                valid.push(envelope);
            }
            Err(reason) => {
                letters.push(DeadLetter {
                    source: "ingest".to_owned(),
                    track_id: track_of(&raw),
                    reason: reason.clone(),
                    body: raw.get().to_owned(),
                    received_at_us: now_us,
                });
                rejected.push(Rejected { index, reason });
            }
        }
    }
    if !letters.is_empty() {
        let count = letters.len() as u64;
        state
            .log
            .dead_letter(letters)
            .await
            .map_err(store_failure)?;
        metrics::counter!("checkered_dead_letters_total", "source" => "ingest").increment(count);
    }
    let tracks: Vec<String> = valid.iter().map(|e| e.track_id.clone()).collect();
    let started = Instant::now();
    let outcomes = if valid.is_empty() {
        Vec::new()
    } else {
        state
            .log
            .append_raw(valid, now_us)
            .await
            .map_err(store_failure)?
    };
    metrics::histogram!("checkered_ingest_append_seconds").record(started.elapsed().as_secs_f64());
    let mut response = IngestResponse {
        accepted: 0,
        duplicates: 0,
        rejected,
    };
    // What was appended goes straight to the track's engine (already decoded), so it
    // need not read it back from the log; the log stays the source of truth for anything
    // the hand-off misses.
    let mut heads: HashMap<&str, (u64, u64, Vec<Arrived>)> = HashMap::new();
    for ((track, outcome), mut arrived) in tracks.iter().zip(&outcomes).zip(handoff) {
        let head = heads.entry(track.as_str()).or_default();
        match outcome {
            AppendOutcome::Accepted { track_seq } => {
                response.accepted += 1;
                head.0 = head.0.max(*track_seq);
                head.1 += 1;
                arrived.track_seq = *track_seq;
                head.2.push(arrived);
            }
            AppendOutcome::Duplicate { .. } => response.duplicates += 1,
        }
    }
    if response.duplicates > 0 {
        metrics::counter!("checkered_ingest_duplicates_total").increment(response.duplicates);
    }
    for (track, (seq, count, arrived)) in heads {
        metrics::counter!("checkered_events_in_total", "track" => track.to_owned())
            .increment(count);
        if let Some(runtime) = state.registry.get(track) {
            runtime.hand_over(arrived);
            runtime.notify_appended(seq);
        }
    }
    Ok(Json(response))
}

/// A storage failure: 503 when retrying can help (the relay keeps its spool), else 500.
fn store_failure(error: checkered_store::StoreError) -> ApiError {
    if error.is_retryable() {
        ApiError::Unavailable(format!("{error}; retry later"))
    } else {
        ApiError::Internal(anyhow::Error::new(error))
    }
}

/// Checks one event; the error is the reason given back and dead-lettered.
fn check(
    state: &AppState,
    principal: &Principal,
    raw: &RawValue,
) -> Result<(Envelope, Decoded), String> {
    let envelope: Envelope =
        serde_json::from_str(raw.get()).map_err(|e| format!("malformed envelope: {e}"))?;
    envelope.validate().map_err(|e| e.to_string())?;
    if !principal.may_ingest(&envelope.track_id) {
        return Err(format!(
            "track {:?} is outside this relay client's scope",
            envelope.track_id
        ));
    }
    if !state.knows_track(&envelope.track_id) {
        return Err(format!(
            "unknown track {:?}; create it with POST /api/v1/tracks first",
            envelope.track_id
        ));
    }
    let decoded = convert::decode(&envelope.message_type, &envelope.payload)?;
    Ok((envelope, decoded))
}

/// The `track_id` of an event that may not even be an envelope, for the dead-letter row.
fn track_of(raw: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct TrackOnly {
        track_id: Option<String>,
    }
    serde_json::from_str::<TrackOnly>(raw.get())
        .ok()
        .and_then(|t| t.track_id)
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = state.config.ingest_token.as_deref() else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::Unauthorized("ingest needs an `Authorization: Bearer <token>` header".into())
        })?;
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized(
            "the ingest token is not valid".into(),
        ))
    }
}

/// Compares without leaking where the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Rejects bodies that say they are not JSON (a missing content type is accepted).
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) {
        None => Ok(()),
        Some(Ok(v)) if v.starts_with("application/json") || v.contains("+json") => Ok(()),
        Some(_) => Err(ApiError::UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)".into(),
        )),
    }
}
