//! Laps per car, from the projections: `GET …/sessions/{session}/laps?car=N&after=&limit=`
//! (every car, or one) and `GET …/sessions/{session}/cars/{number}/laps`.
//!
//! # Layout
//! - [`router`]; `laps` (all cars or `?car=`), `car_laps` (404 for a car not in the session); `page`: the shared paging.

use crate::http::body;
use crate::http::error::ApiError;
use crate::http::history::session;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tracks/{track}/sessions/{session}/laps", get(laps))
        .route(
            "/api/v1/tracks/{track}/sessions/{session}/cars/{number}/laps",
            get(car_laps),
        )
}

async fn page(
    state: &AppState,
    id: &str,
    session: u32,
    car: Option<&str>,
    query: &HashMap<String, String>,
) -> Result<Json<Value>, ApiError> {
    let (after, limit) = body::page(query, 1_000)?;
    let laps = state
        .projections
        .laps(id, session, car, after, limit)
        .await?;
    let next = laps.last().map(|l| l.seq);
    Ok(Json(
        json!({ "session_id": session, "laps": laps, "next_after": next }),
    ))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}/laps", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`"), ("car" = Option<String>, Query, description = "Only this car number"), ("after" = Option<u64>, Query, description = "Laps with derived seq > after"), ("limit" = Option<u64>, Query, description = "Page size (max 5000)")), responses((status = 200, description = "Laps in the order they were completed; `next_after` continues", body = Object), (status = 404, description = "Unknown track or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn laps(
    State(state): State<AppState>,
    Path((id, text)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&state, &id, &text).await?;
    let car = query.get("car").map(String::as_str);
    page(&state, &id, session, car, &query).await
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}/cars/{number}/laps", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`"), ("number" = String, Path, description = "Car number"), ("after" = Option<u64>, Query, description = "Laps with derived seq > after"), ("limit" = Option<u64>, Query, description = "Page size (max 5000)")), responses((status = 200, description = "The car's laps in order", body = Object), (status = 404, description = "Unknown track, session or car", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn car_laps(
    State(state): State<AppState>,
    Path((id, text, number)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&state, &id, &text).await?;
    let cars = state.projections.cars(&id, session).await?;
    if !cars.iter().any(|c| c.number == number) {
        return Err(ApiError::NotFound(format!(
            "session {session} has no car {number:?}"
        )));
    }
    page(&state, &id, session, Some(&number), &query).await
}
