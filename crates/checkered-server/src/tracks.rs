//! Tracks: `POST/GET/PUT/DELETE /api/v1/tracks[/{id}]`, and starting the engine of every
//! known track at startup.
//!
//! A track has a client-chosen slug id, a name and the engine configuration (timing loops,
//! thresholds, default session kind). Creating a track starts its engine actor, so ingest
//! for it is accepted from then on.

use crate::auth::enforce::OwningOrg;
use crate::http::body;
use crate::http::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Extension, Json, Router};
use checkered_engine::TrackConfig;
use checkered_protocol::contract::is_slug;
use checkered_store::readmodel::{ReadModelError, TrackRecord};
use serde::Deserialize;
use serde_json::{Value, json};

/// The track routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tracks", get(list).post(create))
        .route(
            "/api/v1/tracks/{track}",
            get(read).put(update).delete(remove),
        )
}

/// Starts the engine of every track in the catalog (at startup).
pub async fn start_all(state: &AppState) -> anyhow::Result<()> {
    for record in state.catalog.list_tracks().await? {
        let config = config_of(&record)?;
        let runtime = state.registry.start(config).await?;
        state.projectors.start(runtime);
    }
    Ok(())
}

/// The body of a create or update.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackBody {
    /// Client-chosen slug (required on create, must match the URL on update).
    #[serde(default)]
    id: Option<String>,
    /// Display name (defaults to the id).
    #[serde(default)]
    name: Option<String>,
    /// Engine configuration: timing loops (`id`, `role`, `decoder_id`), thresholds, default
    /// session kind, gate beacons. Omitted: a single start/finish loop and race sessions.
    #[serde(default)]
    config: Option<Value>,
}

pub(crate) fn config_of(record: &TrackRecord) -> anyhow::Result<TrackConfig> {
    let mut config: TrackConfig = serde_json::from_value(record.config.clone())
        .map_err(|e| anyhow::anyhow!("stored config of track {} is invalid: {e}", record.id))?;
    config.track_id = record.id.clone();
    Ok(config)
}

/// Checks a configuration from a request; the track id always comes from the URL/body id.
fn parse_config(id: &str, config: Option<Value>) -> Result<TrackConfig, ApiError> {
    let mut config = match config {
        None => TrackConfig::new(id),
        Some(mut value) => {
            if let Some(map) = value.as_object_mut() {
                map.insert("track_id".into(), Value::String(id.to_owned()));
            }
            serde_json::from_value::<TrackConfig>(value)
                .map_err(|e| ApiError::BadRequest(format!("invalid track config: {e}")))?
        }
    };
    config.track_id = id.to_owned();
    Ok(config)
}

fn view(record: &TrackRecord) -> Value {
    json!({
        "id": record.id,
        "name": record.name,
        "config": record.config,
        "created_at_us": record.created_at_us,
        "updated_at_us": record.updated_at_us,
    })
}

fn store_error(error: ReadModelError) -> ApiError {
    match error {
        ReadModelError::Conflict(m) => ApiError::Conflict(m),
        ReadModelError::NotFound(m) => ApiError::NotFound(m),
        ReadModelError::Invalid(m) => ApiError::BadRequest(m),
        other => ApiError::Internal(anyhow::Error::new(other)),
    }
}

#[utoipa::path(post, path = "/api/v1/tracks", tag = "tracks", request_body = TrackBody, responses((status = 201, description = "Created; its engine runs", body = Object), (status = 400, description = "Invalid id or config", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "The id is taken", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    owner: Option<Extension<OwningOrg>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: TrackBody = body::json(&headers, &bytes)?;
    let id = body
        .id
        .ok_or_else(|| ApiError::BadRequest("id is required (a slug like \"sebring\")".into()))?;
    if !is_slug(&id) {
        return Err(ApiError::BadRequest(format!(
            "id {id:?} is not a slug: use 1-64 lowercase letters, digits and '-'"
        )));
    }
    let config = parse_config(&id, body.config)?;
    let now = crate::clock::now_us();
    let record = TrackRecord {
        id: id.clone(),
        name: body.name.unwrap_or_else(|| id.clone()),
        config: serde_json::to_value(&config).map_err(|e| ApiError::Internal(e.into()))?,
        created_at_us: now,
        updated_at_us: now,
    };
    state
        .catalog
        .create_track(record.clone())
        .await
        .map_err(store_error)?;
    if let Some(Extension(OwningOrg(org))) = owner {
        state
            .auth
            .store
            .set_track_owner(&id, &org)
            .await
            .map_err(ApiError::from)?;
    }
    if let Some(cluster) = &state.cluster {
        // Cluster mode: the worker that claims its lease starts the engine.
        cluster.add_track(&id);
    } else {
        let runtime = state
            .registry
            .start(config)
            .await
            .map_err(ApiError::Internal)?;
        state.projectors.start(runtime);
    }
    Ok((StatusCode::CREATED, Json(view(&record))))
}

#[utoipa::path(get, path = "/api/v1/tracks", tag = "tracks", responses((status = 200, description = "Every track", body = Object)))]
async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let tracks = state.catalog.list_tracks().await.map_err(store_error)?;
    Ok(Json(
        json!({ "tracks": tracks.iter().map(view).collect::<Vec<_>>() }),
    ))
}

#[utoipa::path(get, path = "/api/v1/tracks/{track}", tag = "tracks", params(("track" = String, Path, description = "Track slug")), responses((status = 200, description = "The track", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = state
        .catalog
        .get_track(&id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::NotFound(format!("unknown track {id:?}")))?;
    Ok(Json(view(&record)))
}

/// Renames a track or replaces its configuration. A new configuration applies from the
/// next time the engine starts without a snapshot (a running session keeps its rules).
#[utoipa::path(put, path = "/api/v1/tracks/{track}", tag = "tracks", params(("track" = String, Path, description = "Track slug")), request_body = TrackBody, responses((status = 200, description = "Updated", body = Object), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: TrackBody = body::json(&headers, &bytes)?;
    if body.id.as_deref().is_some_and(|b| b != id) {
        return Err(ApiError::BadRequest("a track's id cannot change".into()));
    }
    let mut record = state
        .catalog
        .get_track(&id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::NotFound(format!("unknown track {id:?}")))?;
    if let Some(name) = body.name {
        record.name = name;
    }
    if let Some(config) = body.config {
        let config = parse_config(&id, Some(config))?;
        record.config = serde_json::to_value(&config).map_err(|e| ApiError::Internal(e.into()))?;
    }
    record.updated_at_us = crate::clock::now_us();
    state
        .catalog
        .update_track(record.clone())
        .await
        .map_err(store_error)?;
    Ok(Json(view(&record)))
}

/// Removes a track from the catalog with its events, schedules, entry lists and
/// projections; its logs stay (retention ages them out).
#[utoipa::path(delete, path = "/api/v1/tracks/{track}", tag = "tracks", params(("track" = String, Path, description = "Track slug")), responses((status = 204, description = "Removed with its events, entries and projections (its logs age out)"), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.catalog.delete_track(&id).await.map_err(store_error)?;
    state.registry.forget(&id);
    state.projectors.forget(&id).await;
    state.projections.reset(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
