//! The SQL each write request runs inside the writer's open transaction.
//!
//! Statements go through `prepare_cached`, so a busy writer parses each one once.
//!
//! # Layout
//! - [`apply`]: dispatches one [`Work`] to its function below.
//! - Derived appends, snapshots, dead letters here; raw appends in `raw_append`, retention in
//!   `retention`.
//! - [`to_sql_seq`] / [`from_sql_seq`]: sequence numbers to and from SQLite integers.

use super::cache::Cache;
use super::sql_error;
use super::writer::{Output, Work};
use super::{raw_append, retention};
use crate::error::StoreError;
use crate::model::{DeadLetter, DerivedRow, SnapshotRow};
use rusqlite::{Connection, params};

/// Runs one request; the caller commits or rolls back.
pub(crate) fn apply(
    conn: &Connection,
    cache: &mut Cache,
    work: &Work,
) -> Result<Output, StoreError> {
    match work {
        Work::AppendRaw { events, now_us } => {
            raw_append::append_raw(conn, cache, events, *now_us).map(Output::Appended)
        }
        Work::AppendDerived { track, rows } => {
            append_derived(conn, cache, track, rows).map(Output::Inserted)
        }
        Work::SaveSnapshot { track, snapshot } => {
            save_snapshot(conn, track, snapshot).map(|()| Output::Done)
        }
        Work::DeadLetter { rows } => dead_letter(conn, rows).map(|()| Output::Done),
        Work::Retention { now_us, limits } => {
            retention::enforce(conn, cache, *now_us, limits).map(Output::Retained)
        }
    }
}

/// Converts a sequence number for SQLite's signed 64-bit integers.
pub(crate) fn to_sql_seq(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Invalid {
        index: 0,
        reason: format!("sequence {seq} is larger than the log can store"),
    })
}

/// Converts a stored sequence number back; a negative one means the file was damaged.
pub(crate) fn from_sql_seq(seq: i64) -> Result<u64, StoreError> {
    u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative sequence {seq}").into()))
}

fn append_derived(
    conn: &Connection,
    cache: &mut Cache,
    track: &str,
    rows: &[DerivedRow],
) -> Result<u64, StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO derived_events (track_id, seq, ts_us, session_id, kind, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (track_id, seq) DO NOTHING",
        )
        .map_err(sql_error)?;
    let mut head = cache.track(conn, track)?;
    let mut inserted = 0u64;
    for row in rows {
        let args = params![
            track,
            to_sql_seq(row.seq)?,
            row.ts_us,
            row.session_id,
            row.kind,
            row.body
        ];
        let changed = insert.execute(args).map_err(sql_error)?;
        inserted = inserted.saturating_add(u64::try_from(changed).unwrap_or(0));
        head.derived_seq = head.derived_seq.max(row.seq);
    }
    cache.set_track(track, head);
    Ok(inserted)
}

fn save_snapshot(conn: &Connection, track: &str, snap: &SnapshotRow) -> Result<(), StoreError> {
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO snapshots (track_id, raw_seq, derived_seq, ts_us, body)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (track_id, raw_seq) DO UPDATE SET
               derived_seq = excluded.derived_seq, ts_us = excluded.ts_us, body = excluded.body",
        )
        .map_err(sql_error)?;
    let args = params![
        track,
        to_sql_seq(snap.raw_seq)?,
        to_sql_seq(snap.derived_seq)?,
        snap.ts_us,
        snap.body
    ];
    upsert.execute(args).map_err(sql_error)?;
    Ok(())
}

fn dead_letter(conn: &Connection, rows: &[DeadLetter]) -> Result<(), StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO dead_letters (source, track_id, reason, body, received_at_us)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(sql_error)?;
    for row in rows {
        let args = params![
            row.source,
            row.track_id,
            row.reason,
            row.body,
            row.received_at_us
        ];
        insert.execute(args).map_err(sql_error)?;
    }
    Ok(())
}
