//! The SQL each write request runs inside the writer's open transaction.
//!
//! Statements go through `prepare_cached`, so a busy writer parses each one once.
//!
//! # Layout
//! - [`apply`]: dispatches one [`Work`] to its function below.
//! - Raw appends with dedupe, derived appends, snapshots, dead letters, retention.
//! - [`load_heads`] / [`store_heads`]: the `track_heads` table.

use super::sql_error;
use super::writer::{Head, Heads, Output, PreparedRaw, Work};
use crate::error::StoreError;
use crate::model::{
    AppendOutcome, DeadLetter, DerivedRow, Retention, RetentionReport, SnapshotRow,
};
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// Runs one request; the caller commits or rolls back.
pub(crate) fn apply(
    conn: &Connection,
    heads: &mut Heads,
    work: &Work,
) -> Result<Output, StoreError> {
    match work {
        Work::AppendRaw { events, now_us } => {
            append_raw(conn, heads, events, *now_us).map(Output::Appended)
        }
        Work::AppendDerived { track, rows } => {
            append_derived(conn, heads, track, rows).map(Output::Inserted)
        }
        Work::SaveSnapshot { track, snapshot } => {
            save_snapshot(conn, track, snapshot).map(|()| Output::Done)
        }
        Work::DeadLetter { rows } => dead_letter(conn, rows).map(|()| Output::Done),
        Work::Retention { now_us, limits } => {
            enforce_retention(conn, *now_us, limits).map(Output::Retained)
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

fn append_raw(
    conn: &Connection,
    heads: &mut Heads,
    events: &[PreparedRaw],
    now_us: i64,
) -> Result<Vec<AppendOutcome>, StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO raw_events (track_id, track_seq, idem_key, ingested_at_us, envelope)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (idem_key) DO NOTHING",
        )
        .map_err(sql_error)?;
    let mut find = conn
        .prepare_cached("SELECT track_seq FROM raw_events WHERE idem_key = ?1")
        .map_err(sql_error)?;
    let mut outcomes = Vec::with_capacity(events.len());
    for event in events {
        let mut head = heads.current(&event.track_id);
        let seq = head
            .raw_seq
            .checked_add(1)
            .ok_or_else(|| StoreError::Corrupt("track sequence exhausted".into()))?;
        let ingested = now_us.max(head.ingested_at_us);
        let args = params![
            event.track_id,
            to_sql_seq(seq)?,
            event.key,
            ingested,
            event.body
        ];
        if insert.execute(args).map_err(sql_error)? == 1 {
            head.raw_seq = seq;
            head.ingested_at_us = ingested;
            heads.set(&event.track_id, head);
            outcomes.push(AppendOutcome::Accepted { track_seq: seq });
        } else {
            let existing: i64 = find
                .query_row([&event.key], |row| row.get(0))
                .map_err(sql_error)?;
            let track_seq = from_sql_seq(existing)?;
            outcomes.push(AppendOutcome::Duplicate { track_seq });
        }
    }
    Ok(outcomes)
}

fn append_derived(
    conn: &Connection,
    heads: &mut Heads,
    track: &str,
    rows: &[DerivedRow],
) -> Result<u64, StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO derived_events (track_id, seq, ts_us, session_id, kind, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (track_id, seq) DO NOTHING",
        )
        .map_err(sql_error)?;
    let mut head = heads.current(track);
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
    heads.set(track, head);
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

/// Deletes aged rows. The latest snapshot of a track (highest `raw_seq`) bounds what may go:
/// raw rows up to its `raw_seq`, derived rows up to its `derived_seq`.
fn enforce_retention(
    conn: &Connection,
    now_us: i64,
    limits: &Retention,
) -> Result<RetentionReport, StoreError> {
    const RAW: &str = "DELETE FROM raw_events WHERE ingested_at_us < ?1 AND track_seq <= COALESCE(
        (SELECT MAX(s.raw_seq) FROM snapshots s WHERE s.track_id = raw_events.track_id), 0)";
    const DERIVED: &str = "DELETE FROM derived_events WHERE ts_us < ?1 AND seq <= COALESCE(
        (SELECT s.derived_seq FROM snapshots s WHERE s.track_id = derived_events.track_id
         ORDER BY s.raw_seq DESC LIMIT 1), 0)";
    const SNAPSHOTS: &str = "DELETE FROM snapshots WHERE ts_us < ?1 AND raw_seq <
        (SELECT MAX(s.raw_seq) FROM snapshots s WHERE s.track_id = snapshots.track_id)";
    const DEAD: &str = "DELETE FROM dead_letters WHERE received_at_us < ?1";
    let run = |sql: &str, keep| -> Result<u64, StoreError> {
        let cutoff = Retention::cutoff_us(now_us, keep);
        let deleted = conn.execute(sql, [cutoff]).map_err(sql_error)?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    };
    Ok(RetentionReport {
        raw: run(RAW, limits.raw)?,
        derived: run(DERIVED, limits.derived)?,
        snapshots: run(SNAPSHOTS, limits.snapshots)?,
        dead_letters: run(DEAD, limits.dead_letters)?,
    })
}

/// Reads every track's high-water marks (at open).
pub(crate) fn load_heads(conn: &Connection) -> Result<Vec<(String, Head)>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT track_id, last_raw_seq, last_ingested_at_us, last_derived_seq FROM track_heads",
        )
        .map_err(sql_error)?;
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get(2)?,
                row.get::<_, i64>(3)?,
            ))
        })
        .map_err(sql_error)?;
    let mut heads = Vec::new();
    for row in rows {
        let (track, raw, ingested_at_us, derived) = row.map_err(sql_error)?;
        let head = Head {
            raw_seq: from_sql_seq(raw)?,
            ingested_at_us,
            derived_seq: from_sql_seq(derived)?,
        };
        heads.push((track, head));
    }
    Ok(heads)
}

/// Writes the heads changed in the open transaction.
pub(crate) fn store_heads(
    conn: &Connection,
    dirty: &HashMap<String, Head>,
) -> Result<(), StoreError> {
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO track_heads (track_id, last_raw_seq, last_ingested_at_us, last_derived_seq)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (track_id) DO UPDATE SET last_raw_seq = excluded.last_raw_seq,
               last_ingested_at_us = excluded.last_ingested_at_us,
               last_derived_seq = excluded.last_derived_seq",
        )
        .map_err(sql_error)?;
    for (track, head) in dirty {
        let args = params![
            track,
            to_sql_seq(head.raw_seq)?,
            head.ingested_at_us,
            to_sql_seq(head.derived_seq)?
        ];
        upsert.execute(args).map_err(sql_error)?;
    }
    Ok(())
}
