//! Entry lists: the track's own (`/api/v1/tracks/{track}/entries`) and each event's
//! (`/api/v1/tracks/{track}/events/{event}/entries`), with the same routes under both:
//! `GET` the list, `GET/PUT/DELETE …/entries/{number}`, `POST …/entries/import` (CSV, see
//! [`csv`]) and `POST …/entries/sync` (send the whole list to the engine again).
//!
//! Every change is stored first (one transaction, all-or-nothing), then reaches the engine
//! as one `set_entries` intent through the race-control path ([`crate::http::intents`]),
//! so a replay of the log sees it. If that append fails the change is stored but not yet
//! sent; `sync` sends it.
//!
//! # Layout
//! - This file: the handlers, written once for both scopes (`Scope`).
//! - `track_routes`, `event_routes`: the routes of each scope with their OpenAPI entries.
//! - [`spec`]: field rules; [`csv`]: the import format; [`engine`]: the intents.

pub mod csv;
pub mod engine;
pub(crate) mod event_routes;
pub mod spec;
pub(crate) mod track_routes;

use crate::http::body;
use crate::http::error::{ApiError, ItemProblem};
use crate::http::events::event_of;
use crate::http::intents::{Origin, submit};
use crate::http::reads::track;
use crate::runtime::TrackRuntime;
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use checkered_engine::ControlIntent;
use checkered_store::readmodel::{
    EntryList, EntryRecord, ImportMode, ImportOutcome, ReadModelError,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Both scopes' routes.
pub fn router() -> Router<AppState> {
    track_routes::router().merge(event_routes::router())
}

/// The body of `PUT …/entries/{number}`: the whole entry (omitted fields are empty).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    /// Must equal the number in the path when given.
    #[serde(default)]
    number: Option<String>,
    /// Driver, rider or team name.
    #[serde(default)]
    name: String,
    /// Class name.
    #[serde(default)]
    class: Option<String>,
    /// Transponders carried.
    #[serde(default)]
    transponders: Vec<String>,
    /// Grid position from 1.
    #[serde(default)]
    grid: Option<u32>,
}

/// What a write did and the intent that carried it to the engine.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Entries created.
    created: usize,
    /// Entries changed.
    updated: usize,
    /// Entries given again unchanged.
    unchanged: usize,
    /// Entries removed (`mode=replace`).
    removed: usize,
    /// The raw-log seq of the `set_entries` intent; none when nothing changed.
    raw_seq: Option<u64>,
}

/// A list of one track, resolved from the path.
pub(crate) struct Scope {
    runtime: Arc<TrackRuntime>,
    list: EntryList,
}

impl Scope {
    /// The track's list or an event's; 404 when either is unknown.
    async fn of(state: &AppState, track_id: &str, event: Option<&str>) -> Result<Scope, ApiError> {
        let runtime = track(state, track_id)?;
        let list = match event {
            None => EntryList::Track,
            Some(id) => {
                event_of(state, track_id, id).await?;
                EntryList::Event(id.to_owned())
            }
        };
        Ok(Scope { runtime, list })
    }

    fn track(&self) -> &str {
        self.runtime.id()
    }
}

async fn send(
    state: &AppState,
    scope: &Scope,
    intent: Option<ControlIntent>,
    origin: &Origin,
) -> Result<Option<u64>, ApiError> {
    let Some(intent) = intent else {
        return Ok(None);
    };
    let done = submit(state, &scope.runtime, &intent, None, origin, "entries").await?;
    Ok(Some(done.raw_seq))
}

fn summary(outcome: &ImportOutcome, raw_seq: Option<u64>) -> ImportSummary {
    ImportSummary {
        created: outcome.created.len(),
        updated: outcome.updated.len(),
        unchanged: outcome.unchanged,
        removed: outcome.removed.len(),
        raw_seq,
    }
}

async fn list(state: &AppState, scope: &Scope) -> Result<Vec<EntryRecord>, ApiError> {
    Ok(state
        .catalog
        .list_entries(scope.track(), &scope.list)
        .await?)
}

async fn read(state: &AppState, scope: &Scope, number: &str) -> Result<EntryRecord, ApiError> {
    state
        .catalog
        .get_entry(scope.track(), &scope.list, number)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("the entry list has no number {number:?}")))
}

/// The entry a `PUT` body gives, or 400/422.
fn entry_of(number: &str, headers: &HeaderMap, bytes: &[u8]) -> Result<EntryRecord, ApiError> {
    let body: EntryBody = body::json(headers, bytes)?;
    if body.number.as_deref().is_some_and(|n| n.trim() != number) {
        return Err(ApiError::BadRequest(
            "the number in the body differs from the path".into(),
        ));
    }
    let raw = spec::RawEntry {
        number: number.to_owned(),
        name: body.name,
        class: body.class,
        transponders: body.transponders,
        grid: body.grid.map(|g| g.to_string()),
    };
    spec::check(raw).map_err(|fields| ApiError::Rejected {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        detail: "the entry is not valid".into(),
        errors: fields
            .into_iter()
            .map(|f| problem(None, Some(f.field.to_owned()), f.reason))
            .collect(),
    })
}

fn problem(row: Option<usize>, field: Option<String>, reason: String) -> ItemProblem {
    ItemProblem {
        row,
        index: None,
        field,
        reason,
    }
}

/// Upserts one entry: 201 when new, 200 when it existed; 409 when a transponder is on
/// another entry of the list.
async fn put(
    state: &AppState,
    scope: &Scope,
    number: &str,
    origin: &Origin,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<(StatusCode, EntryRecord), ApiError> {
    let entry = entry_of(number, headers, bytes)?;
    let now = crate::clock::now_us();
    let stored = state
        .catalog
        .import_entries(
            scope.track(),
            &scope.list,
            vec![entry],
            ImportMode::Merge,
            now,
        )
        .await
        .map_err(|e| match e {
            ReadModelError::Rejected(items) => ApiError::Rejected {
                status: StatusCode::CONFLICT,
                detail: "the entry clashes with the list".into(),
                errors: items
                    .into_iter()
                    .map(|i| problem(None, i.field, i.reason))
                    .collect(),
            },
            other => other.into(),
        })?;
    send(state, scope, engine::intent_for(&stored), origin).await?;
    let status = if stored.created.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, read(state, scope, number).await?))
}

async fn delete(
    state: &AppState,
    scope: &Scope,
    number: &str,
    origin: &Origin,
) -> Result<StatusCode, ApiError> {
    let removed = state
        .catalog
        .delete_entry(scope.track(), &scope.list, number)
        .await?;
    let outcome = ImportOutcome {
        removed: vec![removed],
        ..ImportOutcome::default()
    };
    send(state, scope, engine::intent_for(&outcome), origin).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn mode_of(query: &HashMap<String, String>) -> Result<ImportMode, ApiError> {
    match query.get("mode").map(String::as_str) {
        None | Some("merge") => Ok(ImportMode::Merge),
        Some("replace") => Ok(ImportMode::Replace),
        Some(other) => Err(ApiError::BadRequest(format!(
            "mode must be merge or replace, not {other:?}"
        ))),
    }
}

fn require_csv(headers: &HeaderMap) -> Result<(), ApiError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = kind
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "text/csv" || essence == "application/csv" {
        return Ok(());
    }
    Err(ApiError::UnsupportedMediaType(format!(
        "an entry-list import is text/csv, not {kind:?}"
    )))
}

/// Largest CSV body an import takes.
const MAX_CSV_BYTES: usize = 4 * 1024 * 1024;

/// Imports a CSV entry list, all or nothing.
async fn import(
    state: &AppState,
    scope: &Scope,
    query: &HashMap<String, String>,
    origin: &Origin,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<ImportSummary, ApiError> {
    require_csv(headers)?;
    let bytes = axum::body::to_bytes(body, MAX_CSV_BYTES)
        .await
        .map_err(|_| {
            ApiError::TooLarge(format!("an entry list is at most {MAX_CSV_BYTES} bytes"))
        })?;
    let mode = mode_of(query)?;
    let rejected = |errors: Vec<ItemProblem>| ApiError::Rejected {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        detail: format!(
            "{} problem(s) in the entry list; nothing was imported",
            errors.len()
        ),
        errors,
    };
    let parsed = csv::parse(&bytes).map_err(rejected)?;
    let rows = parsed.rows;
    let outcome = state
        .catalog
        .import_entries(
            scope.track(),
            &scope.list,
            parsed.entries,
            mode,
            crate::clock::now_us(),
        )
        .await
        .map_err(|e| match e {
            ReadModelError::Rejected(items) => rejected(
                items
                    .into_iter()
                    .map(|i| problem(rows.get(i.index).copied(), i.field, i.reason))
                    .collect(),
            ),
            other => other.into(),
        })?;
    let raw_seq = send(state, scope, engine::intent_for(&outcome), origin).await?;
    Ok(summary(&outcome, raw_seq))
}

/// Sends the whole list to the engine again.
async fn sync(state: &AppState, scope: &Scope, origin: &Origin) -> Result<ImportSummary, ApiError> {
    let entries = list(state, scope).await?;
    let raw_seq = send(state, scope, engine::intent_for_list(&entries), origin).await?;
    Ok(ImportSummary {
        created: 0,
        updated: 0,
        unchanged: entries.len(),
        removed: 0,
        raw_seq,
    })
}
