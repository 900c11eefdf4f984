//! Deleting aged rows without breaking what a restart or a dedupe needs.
//!
//! A track's latest snapshot (highest `raw_seq`) bounds what may go: raw events up to its
//! `raw_seq`, derived events up to its `derived_seq`, and every older snapshot. A track with
//! no snapshot keeps all its raw and derived events. Dedupe runs go once every raw event they
//! point at is gone; the per-track and per-source high-water marks are never lowered.
//!
//! # Layout
//! - [`enforce`]: one pass; `raw`: the per-track raw and run deletion.

use super::cache::Cache;
use super::ops::from_sql_seq;
use super::raw_codec::{MAX_TRACK_SEQ, raw_id};
use super::sql_error;
use crate::error::StoreError;
use crate::model::{Retention, RetentionReport};
use rusqlite::{Connection, params};

fn deleted(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Runs one retention pass inside the writer's transaction.
pub(crate) fn enforce(
    conn: &Connection,
    cache: &mut Cache,
    now_us: i64,
    limits: &Retention,
) -> Result<RetentionReport, StoreError> {
    const DERIVED: &str = "DELETE FROM derived_events WHERE ts_us < ?1 AND seq <= COALESCE(
        (SELECT s.derived_seq FROM snapshots s WHERE s.track_id = derived_events.track_id
         ORDER BY s.raw_seq DESC LIMIT 1), 0)";
    const SNAPSHOTS: &str = "DELETE FROM snapshots WHERE ts_us < ?1 AND raw_seq <
        (SELECT MAX(s.raw_seq) FROM snapshots s WHERE s.track_id = snapshots.track_id)";
    const DEAD: &str = "DELETE FROM dead_letters WHERE received_at_us < ?1";
    // Write what the open transaction cached so far; after deleting, reload from the file
    // (runs of deleted events must not answer dedupe lookups from memory).
    cache.flush(conn)?;
    let raw = raw(conn, Retention::cutoff_us(now_us, limits.raw))?;
    cache.reset();
    let run = |sql: &str, keep| -> Result<u64, StoreError> {
        let cutoff = Retention::cutoff_us(now_us, keep);
        Ok(deleted(conn.execute(sql, [cutoff]).map_err(sql_error)?))
    };
    Ok(RetentionReport {
        raw,
        derived: run(DERIVED, limits.derived)?,
        snapshots: run(SNAPSHOTS, limits.snapshots)?,
        dead_letters: run(DEAD, limits.dead_letters)?,
    })
}

/// Deletes each track's raw events older than `cutoff` up to its latest snapshot, then the
/// dedupe runs that only pointed at deleted events.
fn raw(conn: &Connection, cutoff: i64) -> Result<u64, StoreError> {
    let bounds: Vec<(i64, i64)> = conn
        .prepare_cached(
            "SELECT t.track_no, MAX(s.raw_seq) FROM log_tracks t
             JOIN snapshots s ON s.track_id = t.track_id GROUP BY t.track_no",
        )
        .map_err(sql_error)?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(sql_error)?
        .collect::<Result<_, _>>()
        .map_err(sql_error)?;
    let mut total = 0u64;
    for (track_no, keep_after) in bounds {
        let first = raw_id(track_no, 0)?;
        let upto = raw_id(track_no, from_sql_seq(keep_after)?.min(MAX_TRACK_SEQ))?;
        let last = raw_id(track_no, MAX_TRACK_SEQ)?;
        let n = conn
            .prepare_cached(
                "DELETE FROM raw_events WHERE id > ?1 AND id <= ?2 AND ingested_at_us < ?3",
            )
            .map_err(sql_error)?
            .execute(params![first, upto, cutoff])
            .map_err(sql_error)?;
        total = total.saturating_add(deleted(n));
        let oldest_kept: i64 = conn
            .prepare_cached(
                "SELECT COALESCE(MIN(id), ?2 + 1) FROM raw_events WHERE id > ?1 AND id <= ?2",
            )
            .map_err(sql_error)?
            .query_row(params![first, last], |r| r.get(0))
            .map_err(sql_error)?;
        conn.prepare_cached(
            "DELETE FROM raw_runs WHERE last_id < ?2 AND source_no IN
               (SELECT source_no FROM log_sources WHERE track_no = ?1)",
        )
        .map_err(sql_error)?
        .execute(params![track_no, oldest_kept])
        .map_err(sql_error)?;
    }
    Ok(total)
}
