//! Catalog SQL: events (meetings) and their schedules.
//!
//! # Layout
//! - Events: `create_event`, `get_event`, `list_events`, `update_event`, `delete_event` (with its schedule and list).
//! - Schedules: `create_scheduled`, `get_scheduled`, `list_scheduled`, `update_scheduled`, `delete_scheduled`.

use super::backend;
use crate::readmodel::{EventRecord, ReadModelError, ScheduledSession, Visibility};
use rusqlite::{Connection, OptionalExtension, Row, params};

const EVENT_COLUMNS: &str =
    "track_id, id, name, starts_at_us, ends_at_us, visibility, created_at_us, updated_at_us";

fn event_of(row: &Row<'_>) -> rusqlite::Result<EventRecord> {
    let visibility: String = row.get(5)?;
    Ok(EventRecord {
        track_id: row.get(0)?,
        id: row.get(1)?,
        name: row.get(2)?,
        starts_at_us: row.get(3)?,
        ends_at_us: row.get(4)?,
        // Only this module writes the column; anything else reads as the safer choice.
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Private),
        created_at_us: row.get(6)?,
        updated_at_us: row.get(7)?,
    })
}

pub(super) fn create_event(c: &Connection, e: &EventRecord) -> Result<(), ReadModelError> {
    let inserted = c
        .execute(
            "INSERT INTO events (track_id, id, name, starts_at_us, ends_at_us, visibility,
                                 created_at_us, updated_at_us)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            params![
                e.track_id,
                e.id,
                e.name,
                e.starts_at_us,
                e.ends_at_us,
                e.visibility.as_str(),
                e.created_at_us,
                e.updated_at_us
            ],
        )
        .map_err(backend)?;
    if inserted == 0 {
        return Err(ReadModelError::Conflict(format!(
            "event {:?} already exists at track {:?}",
            e.id, e.track_id
        )));
    }
    Ok(())
}

pub(super) fn get_event(
    c: &Connection,
    track: &str,
    id: &str,
) -> Result<Option<EventRecord>, ReadModelError> {
    c.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE track_id = ?1 AND id = ?2"
    ))
    .map_err(backend)?
    .query_row(params![track, id], event_of)
    .optional()
    .map_err(backend)
}

pub(super) fn list_events(c: &Connection, track: &str) -> Result<Vec<EventRecord>, ReadModelError> {
    c.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE track_id = ?1
         ORDER BY starts_at_us IS NULL, starts_at_us, id"
    ))
    .map_err(backend)?
    .query_map(params![track], event_of)
    .map_err(backend)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(backend)
}

pub(super) fn update_event(c: &Connection, e: &EventRecord) -> Result<(), ReadModelError> {
    let changed = c
        .execute(
            "UPDATE events SET name = ?3, starts_at_us = ?4, ends_at_us = ?5, visibility = ?6,
                               updated_at_us = ?7
             WHERE track_id = ?1 AND id = ?2",
            params![
                e.track_id,
                e.id,
                e.name,
                e.starts_at_us,
                e.ends_at_us,
                e.visibility.as_str(),
                e.updated_at_us
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(unknown_event(&e.track_id, &e.id));
    }
    Ok(())
}

/// Removes an event, its schedule and its entry list.
pub(super) fn delete_event(c: &Connection, track: &str, id: &str) -> Result<(), ReadModelError> {
    let changed = c
        .execute(
            "DELETE FROM events WHERE track_id = ?1 AND id = ?2",
            params![track, id],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(unknown_event(track, id));
    }
    c.execute(
        "DELETE FROM scheduled_sessions WHERE track_id = ?1 AND event_id = ?2",
        params![track, id],
    )
    .map_err(backend)?;
    c.execute(
        "DELETE FROM entries WHERE track_id = ?1 AND list = ?2",
        params![track, id],
    )
    .map_err(backend)?;
    Ok(())
}

fn unknown_event(track: &str, id: &str) -> ReadModelError {
    ReadModelError::NotFound(format!("track {track:?} has no event {id:?}"))
}

const SCHEDULED_COLUMNS: &str = "id, track_id, event_id, name, kind, scheduled_start_us, laps,
    duration_us, session_id, created_at_us, updated_at_us";

fn scheduled_of(row: &Row<'_>) -> rusqlite::Result<ScheduledSession> {
    Ok(ScheduledSession {
        id: row.get(0)?,
        track_id: row.get(1)?,
        event_id: row.get(2)?,
        name: row.get(3)?,
        kind: row.get(4)?,
        scheduled_start_us: row.get(5)?,
        laps: row.get(6)?,
        duration_us: row.get(7)?,
        session_id: row.get(8)?,
        created_at_us: row.get(9)?,
        updated_at_us: row.get(10)?,
    })
}

/// Adds a planned session to an existing event; returns its id.
pub(super) fn create_scheduled(
    c: &Connection,
    s: &ScheduledSession,
) -> Result<i64, ReadModelError> {
    if get_event(c, &s.track_id, &s.event_id)?.is_none() {
        return Err(unknown_event(&s.track_id, &s.event_id));
    }
    c.execute(
        "INSERT INTO scheduled_sessions (track_id, event_id, name, kind, scheduled_start_us,
             laps, duration_us, session_id, created_at_us, updated_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            s.track_id,
            s.event_id,
            s.name,
            s.kind,
            s.scheduled_start_us,
            s.laps,
            s.duration_us,
            s.session_id,
            s.created_at_us,
            s.updated_at_us
        ],
    )
    .map_err(backend)?;
    Ok(c.last_insert_rowid())
}

pub(super) fn get_scheduled(
    c: &Connection,
    track: &str,
    event: &str,
    id: i64,
) -> Result<Option<ScheduledSession>, ReadModelError> {
    c.prepare_cached(&format!(
        "SELECT {SCHEDULED_COLUMNS} FROM scheduled_sessions
         WHERE track_id = ?1 AND event_id = ?2 AND id = ?3"
    ))
    .map_err(backend)?
    .query_row(params![track, event, id], scheduled_of)
    .optional()
    .map_err(backend)
}

pub(super) fn list_scheduled(
    c: &Connection,
    track: &str,
    event: &str,
) -> Result<Vec<ScheduledSession>, ReadModelError> {
    c.prepare_cached(&format!(
        "SELECT {SCHEDULED_COLUMNS} FROM scheduled_sessions
         WHERE track_id = ?1 AND event_id = ?2
         ORDER BY scheduled_start_us IS NULL, scheduled_start_us, id"
    ))
    .map_err(backend)?
    .query_map(params![track, event], scheduled_of)
    .map_err(backend)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(backend)
}

pub(super) fn update_scheduled(c: &Connection, s: &ScheduledSession) -> Result<(), ReadModelError> {
    let changed = c
        .execute(
            "UPDATE scheduled_sessions SET name = ?4, kind = ?5, scheduled_start_us = ?6,
                 laps = ?7, duration_us = ?8, session_id = ?9, updated_at_us = ?10
             WHERE track_id = ?1 AND event_id = ?2 AND id = ?3",
            params![
                s.track_id,
                s.event_id,
                s.id,
                s.name,
                s.kind,
                s.scheduled_start_us,
                s.laps,
                s.duration_us,
                s.session_id,
                s.updated_at_us
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(unknown_scheduled(&s.event_id, s.id));
    }
    Ok(())
}

pub(super) fn delete_scheduled(
    c: &Connection,
    track: &str,
    event: &str,
    id: i64,
) -> Result<(), ReadModelError> {
    let changed = c
        .execute(
            "DELETE FROM scheduled_sessions WHERE track_id = ?1 AND event_id = ?2 AND id = ?3",
            params![track, event, id],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(unknown_scheduled(event, id));
    }
    Ok(())
}

fn unknown_scheduled(event: &str, id: i64) -> ReadModelError {
    ReadModelError::NotFound(format!("event {event:?} has no planned session {id}"))
}
