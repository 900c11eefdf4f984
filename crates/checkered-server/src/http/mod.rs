//! HTTP routes. Each resource module owns its `router()`; [`router`] merges them and adds
//! the layers every route shares.
//!
//! # Layout
//! - [`error`]: [`error::ApiError`] and problem+json rendering.
//! - [`health`]: the `/healthz/startup`, `/healthz/live` and `/healthz/ready` probes.
//! - [`metrics`]: the Prometheus exposition at `/metrics`.
//! - [`ingest`]: `POST /api/ingest/batch`.
//! - [`reads`]: standings, sessions, classifications, derived log, dead letters.
//! - [`control`]: race-control intents, logged as raw events.
//! - [`openapi`]: the generated API description.
//! - [`board`]: the built-in live board page at `/`.
//! - [`body`]: body and query parsing with problem+json errors.

pub mod board;
pub mod body;
pub mod control;
pub mod error;
pub mod health;
pub mod ingest;
pub mod metrics;
pub mod openapi;
pub mod reads;

use crate::state::AppState;
use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(ingest::router())
        .merge(reads::router())
        .merge(control::router())
        .merge(openapi::router())
        .merge(board::router())
        .merge(crate::tracks::router())
        .merge(crate::live::socket::router())
        .fallback(not_found)
        .with_state(state)
}

async fn not_found(uri: Uri) -> Response {
    error::problem(
        StatusCode::NOT_FOUND,
        format!("no route for {}", uri.path()),
    )
}
