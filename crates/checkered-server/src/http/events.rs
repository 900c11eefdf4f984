//! Events (meetings) at a track: `GET/POST /api/v1/tracks/{track}/events`,
//! `GET/PUT/DELETE /api/v1/tracks/{track}/events/{event}`.
//!
//! An event has a slug id (client-chosen, or assigned), a name, optional start and end
//! (µs since the epoch, UTC) and a visibility (public, unlisted with an access code,
//! private; enforced by [`crate::auth`]). Its
//! schedule is in [`crate::http::schedule`], its entry list in [`crate::http::entries`].
//!
//! # Layout
//! - [`router`]; [`EventBody`]; [`event_of`]: the lookup other modules share; one handler per route.

use crate::http::body;
use crate::http::error::ApiError;
use crate::http::reads::track;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use checkered_protocol::contract::is_slug;
use checkered_store::readmodel::{EventRecord, Visibility};
use serde::Deserialize;
use serde_json::{Value, json};

/// The event routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tracks/{track}/events", get(list).post(create))
        .route(
            "/api/v1/tracks/{track}/events/{event}",
            get(read).put(update).delete(remove),
        )
}

/// The body of a create or a (partial) update: omitted fields keep their value, `null`
/// clears a time.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    /// Slug (create only; assigned when omitted). `log` is reserved.
    #[serde(default)]
    id: Option<String>,
    /// Display name (required on create).
    #[serde(default)]
    name: Option<String>,
    /// First moment of the meeting, µs since the epoch (UTC).
    #[serde(default, deserialize_with = "body::present")]
    #[schema(value_type = Option<i64>)]
    starts_at_us: Option<Option<i64>>,
    /// Last moment of the meeting, µs since the epoch (UTC).
    #[serde(default, deserialize_with = "body::present")]
    #[schema(value_type = Option<i64>)]
    ends_at_us: Option<Option<i64>>,
    /// `public` (default), `unlisted` (anyone with the access code) or `private`
    /// (members of the track's organisation).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    visibility: Option<Visibility>,
    /// The access code of an unlisted event (`?code=` or `X-Access-Code` to read it).
    #[serde(default)]
    access_code: Option<String>,
}

/// The event of a track or a 404 (the track must run).
pub async fn event_of(state: &AppState, track_id: &str, id: &str) -> Result<EventRecord, ApiError> {
    track(state, track_id)?;
    state
        .catalog
        .get_event(track_id, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("track {track_id:?} has no event {id:?}")))
}

/// Applies a body's fields to a record and checks the result.
fn apply(record: &mut EventRecord, body: EventBody) -> Result<(), ApiError> {
    if let Some(name) = body.name {
        record.name = body::name("name", &name)?;
    }
    if let Some(starts) = body.starts_at_us {
        record.starts_at_us = starts;
    }
    if let Some(ends) = body.ends_at_us {
        record.ends_at_us = ends;
    }
    if let Some(visibility) = body.visibility {
        record.visibility = visibility;
    }
    if let (Some(starts), Some(ends)) = (record.starts_at_us, record.ends_at_us)
        && ends < starts
    {
        return Err(ApiError::Unprocessable(format!(
            "ends_at_us ({ends}) is before starts_at_us ({starts})"
        )));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/tracks/{track}/events", tag = "events", params(("track" = String, Path, description = "Track slug")), request_body = EventBody, responses((status = 201, description = "Created", body = Object), (status = 400, description = "Malformed body or id", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "The id is taken", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid name or times", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    Path(track_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<EventRecord>), ApiError> {
    track(&state, &track_id)?;
    let mut body: EventBody = body::json(&headers, &bytes)?;
    let id = match body.id.take() {
        Some(id) if !is_slug(&id) || id == "log" => {
            return Err(ApiError::BadRequest(format!(
                "event id {id:?} is not a usable slug: use 1-64 lowercase letters, digits and '-' (not \"log\")"
            )));
        }
        Some(id) => id,
        None => ulid::Ulid::new().to_string().to_ascii_lowercase(),
    };
    if body.name.is_none() {
        return Err(ApiError::Unprocessable("name is required".into()));
    }
    let now = crate::clock::now_us();
    let mut record = EventRecord {
        track_id: track_id.clone(),
        id,
        name: String::new(),
        starts_at_us: None,
        ends_at_us: None,
        visibility: Visibility::Public,
        created_at_us: now,
        updated_at_us: now,
    };
    let code = body.access_code.take();
    apply(&mut record, body)?;
    crate::auth::access::check_code(&state, &record, code.as_deref()).await?;
    state.catalog.create_event(record.clone()).await?;
    crate::auth::access::save_code(&state, &record, code).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/events", tag = "events", params(("track" = String, Path, description = "Track slug")), responses((status = 200, description = "The track's events, by start", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    Path(track_id): Path<String>,
    principal: Option<axum::Extension<crate::auth::Principal>>,
) -> Result<Json<Value>, ApiError> {
    track(&state, &track_id)?;
    let events = state.catalog.list_events(&track_id).await?;
    let principal = principal.map(|axum::Extension(p)| p);
    let events = crate::auth::access::listed(&state, principal.as_ref(), &track_id, events).await?;
    Ok(Json(json!({ "events": events })))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/events/{event}", tag = "events", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id")), responses((status = 200, description = "The event", body = Object), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn read(
    State(state): State<AppState>,
    Path((track_id, id)): Path<(String, String)>,
) -> Result<Json<EventRecord>, ApiError> {
    event_of(&state, &track_id, &id).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/tracks/{track}/events/{event}", tag = "events", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id")), request_body = EventBody, responses((status = 200, description = "Updated", body = Object), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid name or times", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn update(
    State(state): State<AppState>,
    Path((track_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<EventRecord>, ApiError> {
    let mut body: EventBody = body::json(&headers, &bytes)?;
    if body.id.as_deref().is_some_and(|b| b != id) {
        return Err(ApiError::BadRequest("an event's id cannot change".into()));
    }
    let mut record = event_of(&state, &track_id, &id).await?;
    let code = body.access_code.take();
    apply(&mut record, body)?;
    record.updated_at_us = crate::clock::now_us();
    crate::auth::access::check_code(&state, &record, code.as_deref()).await?;
    state.catalog.update_event(record.clone()).await?;
    crate::auth::access::save_code(&state, &record, code).await?;
    Ok(Json(record))
}

/// Removes an event with its schedule and entry list (what the engine already knows of
/// its entries stays: the engine keeps one registry per track).
#[utoipa::path(delete, path = "/api/v1/tracks/{track}/events/{event}", tag = "events", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id")), responses((status = 204, description = "Removed with its schedule and entry list"), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn remove(
    State(state): State<AppState>,
    Path((track_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    track(&state, &track_id)?;
    state.catalog.delete_event(&track_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
