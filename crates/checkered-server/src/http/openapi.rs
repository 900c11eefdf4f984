//! `GET /api/openapi.json`: the API description, generated from the handlers'
//! annotations and the request/response types.

use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// The API document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Checkered",
        description = "Real-time race timing, scoring and analytics. Errors are application/problem+json."
    ),
    paths(
        crate::http::health::startup,
        crate::http::health::live,
        crate::http::health::ready,
        crate::http::metrics::render,
        crate::http::ingest::ingest,
        crate::http::reads::raw_log,
        crate::http::reads::track_dead_letters,
        crate::http::reads::dead_letters,
        crate::tracks::list,
        crate::tracks::create,
        crate::tracks::read,
        crate::tracks::update,
        crate::tracks::remove,
        crate::http::reads::standings,
        crate::http::reads::sessions,
        crate::http::reads::session_standings,
        crate::http::reads::classification,
        crate::http::reads::derived_log,
        crate::http::control::control,
        crate::live::socket::upgrade,
        openapi,
    ),
    modifiers(&RelayToken),
    tags(
        (name = "ingest", description = "Relays hand in raw events; dead letters"),
        (name = "tracks", description = "Track catalog"),
        (name = "results", description = "Live standings, sessions, classifications, derived events"),
        (name = "race control", description = "Race-control intents, logged and applied in order"),
        (name = "live", description = "Live WebSocket"),
        (name = "health", description = "Probes and metrics"),
    )
)]
pub struct ApiDoc;

/// Declares the relay bearer token.
struct RelayToken;

impl utoipa::Modify for RelayToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "relay_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi))
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "health", responses((status = 200, description = "This document")))]
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
