//! HTTP routes. Each resource module owns its `router()`; [`router`] merges them and adds
//! the layers every route shares.
//!
//! # Layout
//! - [`error`]: [`error::ApiError`] and problem+json rendering.
//! - [`health`]: the `/healthz/startup`, `/healthz/live` and `/healthz/ready` probes.
//! - [`metrics`]: the Prometheus exposition at `/metrics`.
//! - [`ingest`]: `POST /api/ingest/batch`.
//! - [`reads`]: standings, sessions, classifications, derived log, dead letters.
//! - [`control`]: race-control intents, logged as raw events; [`intents`]: the one path
//!   (audit, append) every intent takes; [`control_log`]: every intent with its origin.
//! - [`events`], [`schedule`]: events (meetings) and their planned sessions.
//! - [`entries`]: entry lists with CSV import, sent to the engine as intents.
//! - [`results`], [`laps`], [`flags`]: projected sessions, cars, classification versions,
//!   laps and flag history; [`history`]: resolving their session; [`projections`]: the
//!   projector's progress and rebuilds.
//! - [`openapi`]: the generated API description.
//! - [`ui`]: the web UI (home, live board, race control, BMX display, management, embed).
//! - [`body`]: body and query parsing with problem+json errors.

pub mod body;
pub mod control;
pub mod control_log;
pub mod entries;
pub mod error;
pub mod events;
pub mod flags;
pub mod health;
pub mod history;
pub mod ingest;
pub mod intents;
pub mod laps;
pub mod metrics;
pub mod openapi;
pub mod projections;
pub mod reads;
pub mod results;
pub mod schedule;
pub mod ui;

use crate::state::AppState;
use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(ingest::router())
        .merge(reads::router())
        .merge(control::router())
        .merge(control_log::router())
        .merge(events::router())
        .merge(schedule::router())
        .merge(entries::router())
        .merge(results::router())
        .merge(laps::router())
        .merge(flags::router())
        .merge(projections::router())
        .merge(openapi::router())
        .merge(ui::router())
        .merge(crate::tracks::router())
        .merge(crate::live::socket::router())
        .merge(crate::auth::routes::router())
        .merge(crate::auth::orgs::router())
        // After every merge: the policy applies to each route (and only to routes).
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::enforce::enforce,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(state)
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    error::problem(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

async fn not_found(uri: Uri) -> Response {
    error::problem(
        StatusCode::NOT_FOUND,
        format!("no route for {}", uri.path()),
    )
}
