//! The schedule of an event: planned sessions, `GET/POST
//! /api/v1/tracks/{track}/events/{event}/sessions` and `GET/PUT/DELETE …/sessions/{id}`.
//!
//! A planned session has a name, a kind, a planned start, distance or duration, and an
//! optional link to the engine session that ran it. The list also shows the sessions the
//! engine actually ran for the event (linked ones, and those opened within the event's
//! start and end), from the projections.
//!
//! # Layout
//! - [`router`]; [`ScheduledBody`] and `apply`; `actual`: the sessions the engine ran for an event; one handler per route.

use crate::http::body;
use crate::http::error::ApiError;
use crate::http::events::event_of;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use checkered_engine::SessionKind;
use checkered_store::readmodel::{EventRecord, ScheduledSession, SessionRecord};
use serde::Deserialize;
use serde_json::{Value, json};

/// The schedule routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/tracks/{track}/events/{event}/sessions",
            get(list).post(create),
        )
        .route(
            "/api/v1/tracks/{track}/events/{event}/sessions/{id}",
            get(read).put(update).delete(remove),
        )
}

/// The body of a create or a (partial) update: omitted fields keep their value, `null`
/// clears one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledBody {
    /// Display name (required on create).
    #[serde(default)]
    name: Option<String>,
    /// `practice`, `qualifying`, `race` or `moto`.
    #[serde(default, deserialize_with = "body::present")]
    #[schema(value_type = Option<String>)]
    kind: Option<Option<SessionKind>>,
    /// Planned start, µs since the epoch (UTC).
    #[serde(default, deserialize_with = "body::present")]
    #[schema(value_type = Option<i64>)]
    scheduled_start_us: Option<Option<i64>>,
    /// Planned distance in laps.
    #[serde(default, deserialize_with = "body::present")]
    #[schema(value_type = Option<u32>)]
    laps: Option<Option<u32>>,
    /// Planned duration, µs.
    #[serde(default, deserialize_with = "body::present")]
    #[schema(value_type = Option<i64>)]
    duration_us: Option<Option<i64>>,
    /// The engine session that ran it.
    #[serde(default, deserialize_with = "body::present")]
    #[schema(value_type = Option<u32>)]
    session_id: Option<Option<u32>>,
}

fn apply(record: &mut ScheduledSession, body: ScheduledBody) -> Result<(), ApiError> {
    if let Some(name) = body.name {
        record.name = body::name("name", &name)?;
    }
    if let Some(kind) = body.kind {
        record.kind = kind.map(kind_name);
    }
    if let Some(start) = body.scheduled_start_us {
        record.scheduled_start_us = start;
    }
    if let Some(laps) = body.laps {
        record.laps = laps;
    }
    if let Some(duration) = body.duration_us {
        if duration.is_some_and(|d| d <= 0) {
            return Err(ApiError::Unprocessable(
                "duration_us must be positive".into(),
            ));
        }
        record.duration_us = duration;
    }
    if let Some(session) = body.session_id {
        record.session_id = session;
    }
    Ok(())
}

/// The snake_case name of a session kind (`race`).
fn kind_name(kind: SessionKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn id_of(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "session id must be a positive number, not {text:?}"
            ))
        })
}

/// The sessions the engine ran for an event: linked from its schedule, or opened within
/// its start and end.
async fn actual(
    state: &AppState,
    event: &EventRecord,
    planned: &[ScheduledSession],
) -> Result<Vec<SessionRecord>, ApiError> {
    let sessions = state.projections.sessions(&event.track_id).await?;
    let within = |s: &SessionRecord| match (event.starts_at_us, event.ends_at_us) {
        (Some(from), Some(to)) => (from..=to).contains(&s.opened_at_us),
        _ => false,
    };
    Ok(sessions
        .into_iter()
        .filter(|s| within(s) || planned.iter().any(|p| p.session_id == Some(s.session_id)))
        .collect())
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/events/{event}/sessions", tag = "events", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id")), responses((status = 200, description = "The planned sessions by start (`sessions`) and the sessions the engine ran for the event (`actual`)", body = Object), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    Path((track_id, event_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let event = event_of(&state, &track_id, &event_id).await?;
    let planned = state.catalog.list_scheduled(&track_id, &event_id).await?;
    let actual = actual(&state, &event, &planned).await?;
    Ok(Json(json!({ "sessions": planned, "actual": actual })))
}

#[utoipa::path(post, path = "/api/v1/tracks/{track}/events/{event}/sessions", tag = "events", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id")), request_body = ScheduledBody, responses((status = 201, description = "Planned", body = Object), (status = 400, description = "Malformed body", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid field", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    Path((track_id, event_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<ScheduledSession>), ApiError> {
    event_of(&state, &track_id, &event_id).await?;
    let body: ScheduledBody = body::json(&headers, &bytes)?;
    if body.name.is_none() {
        return Err(ApiError::Unprocessable("name is required".into()));
    }
    let now = crate::clock::now_us();
    let mut record = ScheduledSession {
        id: 0,
        track_id,
        event_id,
        name: String::new(),
        kind: None,
        scheduled_start_us: None,
        laps: None,
        duration_us: None,
        session_id: None,
        created_at_us: now,
        updated_at_us: now,
    };
    apply(&mut record, body)?;
    let stored = state.catalog.create_scheduled(record).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn scheduled_of(
    state: &AppState,
    track_id: &str,
    event_id: &str,
    id: &str,
) -> Result<ScheduledSession, ApiError> {
    let id = id_of(id)?;
    event_of(state, track_id, event_id).await?;
    state
        .catalog
        .get_scheduled(track_id, event_id, id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("event {event_id:?} has no planned session {id}"))
        })
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/events/{event}/sessions/{id}", tag = "events", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id"), ("id" = i64, Path, description = "Planned session id")), responses((status = 200, description = "The planned session", body = Object), (status = 404, description = "Unknown track, event or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn read(
    State(state): State<AppState>,
    Path((track_id, event_id, id)): Path<(String, String, String)>,
) -> Result<Json<ScheduledSession>, ApiError> {
    scheduled_of(&state, &track_id, &event_id, &id)
        .await
        .map(Json)
}

#[utoipa::path(put, path = "/api/v1/tracks/{track}/events/{event}/sessions/{id}", tag = "events", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id"), ("id" = i64, Path, description = "Planned session id")), request_body = ScheduledBody, responses((status = 200, description = "Updated", body = Object), (status = 404, description = "Unknown track, event or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid field", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn update(
    State(state): State<AppState>,
    Path((track_id, event_id, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<ScheduledSession>, ApiError> {
    let body: ScheduledBody = body::json(&headers, &bytes)?;
    let mut record = scheduled_of(&state, &track_id, &event_id, &id).await?;
    apply(&mut record, body)?;
    record.updated_at_us = crate::clock::now_us();
    state.catalog.update_scheduled(record.clone()).await?;
    Ok(Json(record))
}

#[utoipa::path(delete, path = "/api/v1/tracks/{track}/events/{event}/sessions/{id}", tag = "events", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id"), ("id" = i64, Path, description = "Planned session id")), responses((status = 204, description = "Removed"), (status = 404, description = "Unknown track, event or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn remove(
    State(state): State<AppState>,
    Path((track_id, event_id, id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = id_of(&id)?;
    event_of(&state, &track_id, &event_id).await?;
    state
        .catalog
        .delete_scheduled(&track_id, &event_id, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
