//! Submitting a race-control intent: the one path by which the REST API changes what the
//! engine knows (race control, entry lists). The intent is appended to the track's raw log
//! as a `CONTROL` event, like any relay's event, so the engine applies it in order with the
//! timing data and a replay of the log reproduces it. Who sent it, and from where, goes to
//! the audit annex first, so no logged intent lacks it.
//!
//! # Layout
//! - [`Origin`]: the request's peer address and user agent (an extractor).
//! - [`submit`]: audit, append, wake the engine and the projector.

use crate::http::error::ApiError;
use crate::runtime::TrackRuntime;
use crate::runtime::convert::CONTROL;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use checkered_engine::ControlIntent;
use checkered_protocol::contract::Envelope;
use checkered_store::AppendOutcome;
use checkered_store::readmodel::ControlAudit;
use serde_json::Value;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where a request came from, as far as the server can tell (no identities until the
/// authentication issue lands).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The peer address.
    pub remote_addr: Option<SocketAddr>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// Who sent it (`user:<id>`, `relay:<id>`), as the policy established it.
    pub actor: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Origin {
            remote_addr: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
            user_agent: parts
                .headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(256).collect()),
            actor: parts
                .extensions
                .get::<crate::auth::Principal>()
                .and_then(crate::auth::Principal::actor),
        })
    }
}

/// An intent durably logged.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// Its place in the track's raw log.
    pub raw_seq: u64,
    /// When it applies.
    pub at_us: i64,
    /// The intent as logged.
    pub payload: Value,
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

/// The raw event an intent is logged as.
fn envelope(track: &str, at_us: i64, now: i64, payload: Value) -> Result<Envelope, ApiError> {
    let producer = producer();
    let envelope = Envelope {
        event_id: ulid::Ulid::new().to_string(),
        track_id: track.to_owned(),
        client_id: "race-control".to_owned(),
        boot_id: producer.boot_id.clone(),
        seq: producer.seq.fetch_add(1, Ordering::AcqRel) + 1,
        captured_at_us: at_us,
        ingested_at_us: Some(now),
        message_type: CONTROL.to_owned(),
        payload,
    };
    envelope
        .validate()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(envelope)
}

/// Audits and logs `intent` for `runtime`'s track. `at_us` defaults to the time of the
/// latest event the engine has seen (or now when it has seen none); `via` names the API.
pub async fn submit(
    state: &AppState,
    runtime: &TrackRuntime,
    intent: &ControlIntent,
    at_us: Option<i64>,
    origin: &Origin,
    via: &str,
) -> Result<Submitted, ApiError> {
    let now = crate::clock::now_us();
    let at_us = at_us.unwrap_or_else(|| runtime.engine().now_us().unwrap_or(now));
    let payload = serde_json::to_value(intent).map_err(|e| ApiError::Internal(e.into()))?;
    let envelope = envelope(runtime.id(), at_us, now, payload.clone())?;
    let audit = ControlAudit {
        event_id: envelope.event_id.clone(),
        track_id: runtime.id().to_owned(),
        actor: origin.actor.clone(),
        remote_addr: origin.remote_addr.map(|a| a.to_string()),
        user_agent: origin.user_agent.clone(),
        via: via.to_owned(),
        received_at_us: now,
    };
    state.catalog.record_audit(audit).await?;
    let outcome = state
        .log
        .append_raw(vec![envelope], now)
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("intent append")))?;
    let raw_seq = match outcome.first() {
        Some(AppendOutcome::Accepted { track_seq }) => {
            runtime.notify_appended(*track_seq);
            state.projectors.poke(runtime.id());
            *track_seq
        }
        Some(AppendOutcome::Duplicate { track_seq }) => *track_seq,
        None => {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "the log returned no outcome"
            )));
        }
    };
    tracing::info!(track = %runtime.id(), raw_seq, via, intent = %payload, "race-control intent logged");
    Ok(Submitted {
        raw_seq,
        at_us,
        payload,
    })
}
