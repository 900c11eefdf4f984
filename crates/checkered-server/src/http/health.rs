//! Health probes: startup (the server has bound and loaded), live (the process answers),
//! ready (it can take traffic: storage open and engines recovered).

use crate::http::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

/// `/healthz/*` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz/startup", get(startup))
        .route("/healthz/live", get(live))
        .route("/healthz/ready", get(ready))
}

#[utoipa::path(get, path = "/healthz/startup", tag = "health", responses((status = 200, description = "Started"), (status = 503, description = "Still starting", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn startup(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if state.started.load(Ordering::Acquire) {
        Ok(Json(json!({"status": "started"})))
    } else {
        Err(ApiError::Unavailable("still starting".into()))
    }
}

#[utoipa::path(get, path = "/healthz/live", tag = "health", responses((status = 200, description = "The process answers")))]
async fn live() -> Json<Value> {
    Json(json!({"status": "live"}))
}

#[utoipa::path(get, path = "/healthz/ready", tag = "health", responses((status = 200, description = "Ready for traffic"), (status = 503, description = "Not ready", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if state.ready.load(Ordering::Acquire) {
        Ok(Json(json!({"status": "ready"})))
    } else {
        Err(ApiError::Unavailable("recovering track engines".into()))
    }
}
