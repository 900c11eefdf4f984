//! The routes of an event's entry list, `/api/v1/tracks/{track}/events/{event}/entries…`.
//!
//! # Layout
//! - `router` and one handler per route, each delegating to the scope-neutral handler in the parent module.

use super::{EntryBody, ImportSummary, Scope};
use crate::http::error::ApiError;
use crate::http::intents::Origin;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use checkered_store::readmodel::EntryRecord;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tracks/{track}/events/{event}/entries", get(list))
        .route(
            "/api/v1/tracks/{track}/events/{event}/entries/import",
            post(import),
        )
        .route(
            "/api/v1/tracks/{track}/events/{event}/entries/sync",
            post(sync),
        )
        .route(
            "/api/v1/tracks/{track}/events/{event}/entries/{number}",
            get(read).put(put).delete(delete),
        )
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/events/{event}/entries", tag = "entries", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id")), responses((status = 200, description = "The event's entry list, numbers in numeric order", body = Object), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
pub(super) async fn list(
    State(state): State<AppState>,
    Path((track, event)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let scope = Scope::of(&state, &track, Some(&event)).await?;
    Ok(Json(
        json!({ "entries": super::list(&state, &scope).await? }),
    ))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/events/{event}/entries/{number}", tag = "entries", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id"), ("number" = String, Path, description = "Car/rider number")), responses((status = 200, description = "The entry", body = Object), (status = 404, description = "Unknown track, event or number", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
pub(super) async fn read(
    State(state): State<AppState>,
    Path((track, event, number)): Path<(String, String, String)>,
) -> Result<Json<EntryRecord>, ApiError> {
    let scope = Scope::of(&state, &track, Some(&event)).await?;
    super::read(&state, &scope, &number).await.map(Json)
}

/// Creates or replaces an entry and sends it to the engine.
#[utoipa::path(put, path = "/api/v1/tracks/{track}/events/{event}/entries/{number}", tag = "entries", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id"), ("number" = String, Path, description = "Car/rider number")), request_body = EntryBody, responses((status = 200, description = "Replaced; sent to the engine", body = Object), (status = 201, description = "Created; sent to the engine", body = Object), (status = 400, description = "Malformed body", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "A transponder is on another entry of the list", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields, listed in `errors`", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
pub(super) async fn put(
    State(state): State<AppState>,
    Path((track, event, number)): Path<(String, String, String)>,
    origin: Origin,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<EntryRecord>), ApiError> {
    let scope = Scope::of(&state, &track, Some(&event)).await?;
    let (status, entry) = super::put(&state, &scope, &number, &origin, &headers, &bytes).await?;
    Ok((status, Json(entry)))
}

/// Removes an entry; the engine keeps the number but no longer maps its transponders.
#[utoipa::path(delete, path = "/api/v1/tracks/{track}/events/{event}/entries/{number}", tag = "entries", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id"), ("number" = String, Path, description = "Car/rider number")), responses((status = 204, description = "Removed; its transponders detached in the engine"), (status = 404, description = "Unknown track, event or number", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
pub(super) async fn delete(
    State(state): State<AppState>,
    Path((track, event, number)): Path<(String, String, String)>,
    origin: Origin,
) -> Result<StatusCode, ApiError> {
    let scope = Scope::of(&state, &track, Some(&event)).await?;
    super::delete(&state, &scope, &number, &origin).await
}

/// Imports a CSV entry list (`text/csv`: header `number,name,class,transponders,grid`, any
/// order; several transponders separated by `;`), all or nothing. `mode=replace` removes
/// entries the file does not list.
#[utoipa::path(post, path = "/api/v1/tracks/{track}/events/{event}/entries/import", tag = "entries", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id"), ("mode" = Option<String>, Query, description = "`merge` (default) or `replace`")), request_body(content = String, content_type = "text/csv", description = "Header row, then one entry per row"), responses((status = 200, description = "Imported and sent to the engine", body = ImportSummary), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 413, description = "Larger than 4 MiB", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not text/csv", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Refused rows, each in `errors` with its row and reason; nothing stored", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
pub(super) async fn import(
    State(state): State<AppState>,
    Path((track, event)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    origin: Origin,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportSummary>, ApiError> {
    let scope = Scope::of(&state, &track, Some(&event)).await?;
    super::import(&state, &scope, &query, &origin, &headers, body)
        .await
        .map(Json)
}

/// Sends the whole list to the engine again (after a failed send, or to make it current).
#[utoipa::path(post, path = "/api/v1/tracks/{track}/events/{event}/entries/sync", tag = "entries", params(("track" = String, Path, description = "Track slug"), ("event" = String, Path, description = "Event id")), responses((status = 200, description = "Sent to the engine", body = ImportSummary), (status = 404, description = "Unknown track or event", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
pub(super) async fn sync(
    State(state): State<AppState>,
    Path((track, event)): Path<(String, String)>,
    origin: Origin,
) -> Result<Json<ImportSummary>, ApiError> {
    let scope = Scope::of(&state, &track, Some(&event)).await?;
    super::sync(&state, &scope, &origin).await.map(Json)
}
