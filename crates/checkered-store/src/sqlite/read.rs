//! Reads: a small pool of read-only connections used from `spawn_blocking`.
//!
//! WAL lets readers run beside the writer without blocking it, and each read starts a fresh
//! snapshot, so a read issued after an append returned sees that append.
//!
//! # Layout
//! - [`ReadPool`]: idle connections, opened on demand, at most `max_idle` kept.
//! - One function per read query of the [`EventLog`](crate::EventLog) trait.

use super::ops::{from_sql_seq, to_sql_seq};
use super::raw_codec::{MAX_TRACK_SEQ, RowKeys, decode_body, raw_id, seq_of};
use super::{schema, sql_error};
use crate::error::StoreError;
use crate::model::{DeadLetter, DerivedRow, SnapshotRow, StoredDeadLetter, StoredRaw};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// Idle read connections of one `events.db`.
#[derive(Debug)]
pub(crate) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
}

impl ReadPool {
    /// A pool that keeps at most `max_idle` connections between reads.
    pub fn new(path: PathBuf, max_idle: usize) -> ReadPool {
        ReadPool {
            path,
            idle: Mutex::new(Vec::new()),
            max_idle: max_idle.max(1),
        }
    }

    /// Runs `f` on an idle connection (or a new one). Blocking: call from `spawn_blocking`.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // The lock is held only to pop/push; never across a query.
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => schema::open_reader(&self.path)?,
        };
        let result = f(&conn);
        let healthy = !matches!(result, Err(StoreError::Corrupt(_) | StoreError::Io(_)));
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if healthy && idle.len() < self.max_idle {
            idle.push(conn);
        }
        result
    }
}

fn limit_arg(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The track number of `track`, if it was ever written.
fn track_no(conn: &Connection, track: &str) -> Result<Option<i64>, StoreError> {
    conn.prepare_cached("SELECT track_no FROM log_tracks WHERE track_id = ?1")
        .map_err(sql_error)?
        .query_row([track], |row| row.get(0))
        .optional()
        .map_err(sql_error)
}

pub(crate) fn raw(
    conn: &Connection,
    track: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<StoredRaw>, StoreError> {
    let Some(no) = track_no(conn, track)? else {
        return Ok(Vec::new());
    };
    if after >= MAX_TRACK_SEQ {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.id, r.seq, r.ingested_at_us, r.envelope, s.client_id, s.boot_id
             FROM raw_events r JOIN log_sources s ON s.source_no = r.source_no
             WHERE r.id > ?1 AND r.id <= ?2 ORDER BY r.id LIMIT ?3",
        )
        .map_err(sql_error)?;
    let args = params![
        raw_id(no, after)?,
        raw_id(no, MAX_TRACK_SEQ)?,
        limit_arg(limit)
    ];
    let mut rows = stmt.query(args).map_err(sql_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        out.push(stored_raw(row, track)?);
    }
    Ok(out)
}

/// Decodes a row of `id, seq, ingested_at_us, envelope, client_id, boot_id`.
fn stored_raw(row: &Row<'_>, track: &str) -> Result<StoredRaw, StoreError> {
    let id: i64 = row.get(0).map_err(sql_error)?;
    let keys = RowKeys {
        track_id: track.to_owned(),
        client_id: row.get(4).map_err(sql_error)?,
        boot_id: row.get(5).map_err(sql_error)?,
        seq: from_sql_seq(row.get(1).map_err(sql_error)?)?,
        ingested_at_us: row.get(2).map_err(sql_error)?,
    };
    let text = row
        .get_ref(3)
        .map_err(sql_error)?
        .as_str()
        .map_err(|e| sql_error(e.into()))?;
    Ok(StoredRaw {
        track_seq: seq_of(id),
        envelope: decode_body(text, keys)?,
    })
}

/// Raw events of one message type in `(after, through]`. The stored JSON spells the type
/// as `"message_type":"…"`; SQLite finds that text without decoding rows, and the decoded
/// type is checked again (a payload could contain the same text).
pub(crate) fn raw_of_type(
    conn: &Connection,
    track: &str,
    after: u64,
    through: u64,
    message_type: &str,
    limit: usize,
) -> Result<Vec<StoredRaw>, StoreError> {
    let Some(no) = track_no(conn, track)? else {
        return Ok(Vec::new());
    };
    let through = through.min(MAX_TRACK_SEQ);
    if after >= through {
        return Ok(Vec::new());
    }
    let quoted = serde_json::to_string(message_type).map_err(|e| StoreError::Backend(e.into()))?;
    let needle = format!("\"message_type\":{quoted}");
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.id, r.seq, r.ingested_at_us, r.envelope, s.client_id, s.boot_id
             FROM raw_events r JOIN log_sources s ON s.source_no = r.source_no
             WHERE r.id > ?1 AND r.id <= ?2 AND instr(r.envelope, ?4) > 0
             ORDER BY r.id LIMIT ?3",
        )
        .map_err(sql_error)?;
    let args = params![
        raw_id(no, after)?,
        raw_id(no, through)?,
        limit_arg(limit),
        needle
    ];
    let mut rows = stmt.query(args).map_err(sql_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        let stored = stored_raw(row, track)?;
        if stored.envelope.message_type == message_type {
            out.push(stored);
        }
    }
    Ok(out)
}

fn head_column(conn: &Connection, track: &str, sql: &str) -> Result<u64, StoreError> {
    let seq: Option<i64> = conn
        .prepare_cached(sql)
        .map_err(sql_error)?
        .query_row([track], |row| row.get(0))
        .optional()
        .map_err(sql_error)?;
    from_sql_seq(seq.unwrap_or(0))
}

pub(crate) fn last_raw_seq(conn: &Connection, track: &str) -> Result<u64, StoreError> {
    head_column(
        conn,
        track,
        "SELECT last_raw_seq FROM log_tracks WHERE track_id = ?1",
    )
}

pub(crate) fn last_derived_seq(conn: &Connection, track: &str) -> Result<u64, StoreError> {
    head_column(
        conn,
        track,
        "SELECT last_derived_seq FROM log_tracks WHERE track_id = ?1",
    )
}

pub(crate) fn tracks(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT track_id FROM log_tracks WHERE last_raw_seq > 0 ORDER BY track_id")
        .map_err(sql_error)?;
    let names = stmt.query_map([], |row| row.get(0)).map_err(sql_error)?;
    names.collect::<Result<Vec<String>, _>>().map_err(sql_error)
}

pub(crate) fn derived(
    conn: &Connection,
    track: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<DerivedRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, ts_us, session_id, kind, body FROM derived_events
             WHERE track_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )
        .map_err(sql_error)?;
    let args = params![track, to_sql_seq(after)?, limit_arg(limit)];
    let mut rows = stmt.query(args).map_err(sql_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        out.push(DerivedRow {
            seq: from_sql_seq(row.get(0).map_err(sql_error)?)?,
            ts_us: row.get(1).map_err(sql_error)?,
            session_id: row.get(2).map_err(sql_error)?,
            kind: row.get(3).map_err(sql_error)?,
            body: row.get(4).map_err(sql_error)?,
        });
    }
    Ok(out)
}

fn snapshot_row(row: &Row<'_>) -> rusqlite::Result<(i64, i64, i64, Vec<u8>)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn snapshot_query(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Option<SnapshotRow>, StoreError> {
    let found = conn
        .prepare_cached(sql)
        .map_err(sql_error)?
        .query_row(args, snapshot_row)
        .optional()
        .map_err(sql_error)?;
    let Some((raw_seq, derived_seq, ts_us, body)) = found else {
        return Ok(None);
    };
    Ok(Some(SnapshotRow {
        raw_seq: from_sql_seq(raw_seq)?,
        derived_seq: from_sql_seq(derived_seq)?,
        ts_us,
        body,
    }))
}

pub(crate) fn latest_snapshot(
    conn: &Connection,
    track: &str,
) -> Result<Option<SnapshotRow>, StoreError> {
    let sql = "SELECT raw_seq, derived_seq, ts_us, body FROM snapshots
               WHERE track_id = ?1 ORDER BY raw_seq DESC LIMIT 1";
    snapshot_query(conn, sql, [track])
}

pub(crate) fn snapshot_at_or_before(
    conn: &Connection,
    track: &str,
    derived_seq: u64,
) -> Result<Option<SnapshotRow>, StoreError> {
    let sql = "SELECT raw_seq, derived_seq, ts_us, body FROM snapshots
               WHERE track_id = ?1 AND derived_seq <= ?2
               ORDER BY derived_seq DESC, raw_seq DESC LIMIT 1";
    snapshot_query(conn, sql, params![track, to_sql_seq(derived_seq)?])
}

pub(crate) fn dead_letters(
    conn: &Connection,
    track: Option<&str>,
    after_id: i64,
    limit: usize,
) -> Result<Vec<StoredDeadLetter>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, source, track_id, reason, body, received_at_us FROM dead_letters
             WHERE id > ?1 AND (?2 IS NULL OR track_id = ?2) ORDER BY id LIMIT ?3",
        )
        .map_err(sql_error)?;
    let mut rows = stmt
        .query(params![after_id, track, limit_arg(limit)])
        .map_err(sql_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        let letter = DeadLetter {
            source: row.get(1).map_err(sql_error)?,
            track_id: row.get(2).map_err(sql_error)?,
            reason: row.get(3).map_err(sql_error)?,
            body: row.get(4).map_err(sql_error)?,
            received_at_us: row.get(5).map_err(sql_error)?,
        };
        out.push(StoredDeadLetter {
            id: row.get(0).map_err(sql_error)?,
            letter,
        });
    }
    Ok(out)
}
