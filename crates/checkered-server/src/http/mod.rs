//! HTTP routes. Each resource module owns its `router()`; [`router`] merges them and adds
//! the layers every route shares.
//!
//! # Layout
//! - [`error`]: [`error::ApiError`] and problem+json rendering.
//! - [`health`]: `/healthz/startup|live|ready`.
//! - [`metrics`]: `/metrics`.

pub mod error;
pub mod health;
pub mod metrics;

use crate::state::AppState;
use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .fallback(not_found)
        .with_state(state)
}

async fn not_found(uri: Uri) -> Response {
    error::problem(
        StatusCode::NOT_FOUND,
        format!("no route for {}", uri.path()),
    )
}
