//! Projection SQL: the control log, every `CONTROL` event of a track's raw log with its
//! audit annex (joined at read time: the annex is primary data, not a projection).
//!
//! # Layout
//! - `apply`: one step of the control log with its cursor; `insert`; `log`: the paged read with the audit join.

use super::audit;
use super::backend;
use super::project::{cursor, save_cursor, sql_seq};
use crate::model::StoredRaw;
use crate::readmodel::{ApplyOutcome, ControlRecord, ReadModelError};
use rusqlite::{Connection, params};

/// Records the intents among raw events `after < seq <= through` and moves the raw cursor.
pub(super) fn apply(
    c: &Connection,
    track: &str,
    after: u64,
    through: u64,
    rows: &[StoredRaw],
) -> Result<ApplyOutcome, ReadModelError> {
    let mut cur = cursor(c, track)?;
    if cur.raw_seq != after {
        return Err(ReadModelError::Conflict(format!(
            "the control log of {track:?} is at raw seq {}, not {after}",
            cur.raw_seq
        )));
    }
    let mut outcome = ApplyOutcome {
        cursor: through.max(after),
        ..ApplyOutcome::default()
    };
    for raw in rows
        .iter()
        .filter(|r| r.track_seq > after && r.track_seq <= through)
    {
        match raw.envelope.payload.get("type").and_then(|t| t.as_str()) {
            Some(kind) => {
                insert(c, track, raw, kind)?;
                outcome.applied += 1;
            }
            None => outcome
                .skipped
                .push((raw.track_seq, "intent without a type".to_owned())),
        }
    }
    cur.raw_seq = outcome.cursor;
    cur.skipped = cur.skipped.saturating_add(outcome.skipped.len() as u64);
    save_cursor(c, track, &cur)?;
    Ok(outcome)
}

fn insert(c: &Connection, track: &str, raw: &StoredRaw, kind: &str) -> Result<(), ReadModelError> {
    let e = &raw.envelope;
    c.prepare_cached(
        "INSERT INTO proj_control (track_id, raw_seq, event_id, client_id, boot_id,
                                   intent_type, intent, at_us, received_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (track_id, raw_seq) DO NOTHING",
    )
    .map_err(backend)?
    .execute(params![
        track,
        sql_seq(raw.track_seq),
        e.event_id,
        e.client_id,
        e.boot_id,
        kind,
        e.payload.to_string(),
        e.captured_at_us,
        e.ingested_at_us
    ])
    .map_err(backend)?;
    Ok(())
}

/// Intents with `raw_seq > after`, ascending, with their audit.
pub(super) fn log(
    c: &Connection,
    track: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<ControlRecord>, ReadModelError> {
    let sql = format!(
        "SELECT p.raw_seq, p.event_id, p.client_id, p.boot_id, p.intent_type, p.intent,
                p.at_us, p.received_at_us, {}
         FROM proj_control p LEFT JOIN control_audit a ON a.event_id = p.event_id
         WHERE p.track_id = ?1 AND p.raw_seq > ?2 ORDER BY p.raw_seq LIMIT ?3",
        audit::COLUMNS
    );
    c.prepare_cached(&sql)
        .map_err(backend)?
        .query_map(
            params![
                track,
                sql_seq(after),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| {
                Ok(ControlRecord {
                    raw_seq: r.get::<_, i64>(0)?.max(0) as u64,
                    event_id: r.get(1)?,
                    client_id: r.get(2)?,
                    boot_id: r.get(3)?,
                    intent_type: r.get(4)?,
                    intent: r.get(5)?,
                    at_us: r.get(6)?,
                    received_at_us: r.get(7)?,
                    audit: audit::audit_of(r, 8)?,
                })
            },
        )
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)
}
