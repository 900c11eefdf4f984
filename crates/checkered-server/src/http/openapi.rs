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
        crate::http::control_log::log,
        crate::http::events::list,
        crate::http::events::create,
        crate::http::events::read,
        crate::http::events::update,
        crate::http::events::remove,
        crate::http::schedule::list,
        crate::http::schedule::create,
        crate::http::schedule::read,
        crate::http::schedule::update,
        crate::http::schedule::remove,
        crate::http::entries::track_routes::list,
        crate::http::entries::track_routes::read,
        crate::http::entries::track_routes::put,
        crate::http::entries::track_routes::delete,
        crate::http::entries::track_routes::import,
        crate::http::entries::track_routes::sync,
        crate::http::entries::event_routes::list,
        crate::http::entries::event_routes::read,
        crate::http::entries::event_routes::put,
        crate::http::entries::event_routes::delete,
        crate::http::entries::event_routes::import,
        crate::http::entries::event_routes::sync,
        crate::http::results::read,
        crate::http::results::cars,
        crate::http::results::versions,
        crate::http::results::version,
        crate::http::results::competitors,
        crate::http::laps::laps,
        crate::http::laps::car_laps,
        crate::http::flags::flags,
        crate::http::projections::status,
        crate::http::projections::rebuild,
        crate::live::socket::upgrade,
        crate::auth::routes::login,
        crate::auth::routes::refresh,
        crate::auth::routes::logout,
        crate::auth::routes::client_token,
        crate::auth::orgs::list,
        crate::auth::orgs::create,
        crate::auth::orgs::read,
        crate::auth::orgs::members,
        crate::auth::orgs::add_member,
        crate::auth::orgs::set_role,
        crate::auth::orgs::remove_member,
        crate::auth::orgs::clients,
        crate::auth::orgs::create_client,
        crate::auth::orgs::revoke_client,
        crate::auth::orgs::audit,
        openapi,
    ),
    modifiers(&RelayToken),
    tags(
        (name = "ingest", description = "Relays hand in raw events; dead letters"),
        (name = "tracks", description = "Track catalog"),
        (name = "events", description = "Events (meetings) at a track and their schedules"),
        (name = "entries", description = "Entry lists of a track or an event, with CSV import; changes reach the engine as race-control intents"),
        (name = "results", description = "Live standings, sessions, classifications and their versions, laps, flag history, derived events, projections"),
        (name = "race control", description = "Race-control intents, logged and applied in order"),
        (name = "live", description = "Live WebSocket"),
        (name = "auth", description = "Sign-in, token refresh and logout; client credentials for relays"),
        (name = "organisations", description = "Organisations, members and roles, relay clients, the audit log"),
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
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
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
