//! Catalog SQL: tracks.
//!
//! # Layout
//! - `create`, `get`, `list`, `update`, `delete` (with everything the catalog holds for the track).

use super::backend;
use crate::readmodel::{ReadModelError, TrackRecord};
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, name, config, created_at_us, updated_at_us";

fn track_of(row: &Row<'_>) -> rusqlite::Result<(String, String, String, i64, i64)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn decode(
    (id, name, config, created_at_us, updated_at_us): (String, String, String, i64, i64),
) -> Result<TrackRecord, ReadModelError> {
    let config = serde_json::from_str(&config)
        .map_err(|e| ReadModelError::Backend(format!("stored config of {id} is not JSON: {e}")))?;
    Ok(TrackRecord {
        id,
        name,
        config,
        created_at_us,
        updated_at_us,
    })
}

pub(super) fn create(c: &Connection, track: &TrackRecord) -> Result<(), ReadModelError> {
    let inserted = c
        .execute(
            "INSERT INTO tracks (id, name, config, created_at_us, updated_at_us)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            params![
                track.id,
                track.name,
                track.config.to_string(),
                track.created_at_us,
                track.updated_at_us
            ],
        )
        .map_err(backend)?;
    if inserted == 0 {
        return Err(ReadModelError::Conflict(format!(
            "track {:?} already exists",
            track.id
        )));
    }
    Ok(())
}

pub(super) fn get(c: &Connection, id: &str) -> Result<Option<TrackRecord>, ReadModelError> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM tracks WHERE id = ?1"))
        .map_err(backend)?
        .query_row(params![id], track_of)
        .optional()
        .map_err(backend)?
        .map(decode)
        .transpose()
}

pub(super) fn list(c: &Connection) -> Result<Vec<TrackRecord>, ReadModelError> {
    let mut stmt = c
        .prepare_cached(&format!("SELECT {COLUMNS} FROM tracks ORDER BY id"))
        .map_err(backend)?;
    let rows = stmt
        .query_map([], track_of)
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    rows.into_iter().map(decode).collect()
}

pub(super) fn update(c: &Connection, track: &TrackRecord) -> Result<(), ReadModelError> {
    let changed = c
        .execute(
            "UPDATE tracks SET name = ?2, config = ?3, updated_at_us = ?4 WHERE id = ?1",
            params![
                track.id,
                track.name,
                track.config.to_string(),
                track.updated_at_us
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(ReadModelError::NotFound(format!(
            "unknown track {:?}",
            track.id
        )));
    }
    Ok(())
}

/// Removes the track and everything the catalog holds for it.
pub(super) fn delete(c: &Connection, id: &str) -> Result<(), ReadModelError> {
    let changed = c
        .execute("DELETE FROM tracks WHERE id = ?1", params![id])
        .map_err(backend)?;
    if changed == 0 {
        return Err(ReadModelError::NotFound(format!("unknown track {id:?}")));
    }
    for table in ["events", "scheduled_sessions", "entries", "control_audit"] {
        c.execute(
            &format!("DELETE FROM {table} WHERE track_id = ?1"),
            params![id],
        )
        .map_err(backend)?;
    }
    Ok(())
}
