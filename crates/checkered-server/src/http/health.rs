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

async fn startup(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if state.started.load(Ordering::Acquire) {
        Ok(Json(json!({"status": "started"})))
    } else {
        Err(ApiError::Unavailable("still starting".into()))
    }
}

async fn live() -> Json<Value> {
    Json(json!({"status": "live"}))
}

async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if state.ready.load(Ordering::Acquire) {
        Ok(Json(json!({"status": "ready"})))
    } else {
        Err(ApiError::Unavailable("recovering track engines".into()))
    }
}
