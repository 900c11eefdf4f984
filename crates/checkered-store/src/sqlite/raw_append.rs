//! Appending raw envelopes: dedupe, per-track sequence numbers, one insert per new event.
//!
//! An envelope is a duplicate when its relay seq is in one of its source's runs. In the
//! normal case (a relay sending in order) its seq is above the source's `max_seq` and is new
//! without any lookup; a lower seq (a retry, or out-of-order delivery) is looked up in the
//! runs held in memory, then in `raw_runs`.
//!
//! # Layout
//! - [`append_raw`]: the whole request; `append_one`: one envelope; `find_stored`: the lookup.

use super::cache::{Cache, SourceState};
use super::ops::to_sql_seq;
use super::raw_codec::{find_in_entries, raw_id, seq_of};
use super::sql_error;
use super::writer::PreparedRaw;
use crate::error::StoreError;
use crate::model::AppendOutcome;
use rusqlite::{Connection, Statement, params};

/// Appends `events` in order inside the open transaction.
pub(crate) fn append_raw(
    conn: &Connection,
    cache: &mut Cache,
    events: &[PreparedRaw],
    now_us: i64,
) -> Result<Vec<AppendOutcome>, StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO raw_events (id, source_no, seq, ingested_at_us, envelope)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(sql_error)?;
    events
        .iter()
        .map(|event| append_one(conn, &mut insert, cache, event, now_us))
        .collect()
}

fn append_one(
    conn: &Connection,
    insert: &mut Statement<'_>,
    cache: &mut Cache,
    event: &PreparedRaw,
    now_us: i64,
) -> Result<AppendOutcome, StoreError> {
    let track_id = event.track_id();
    let mut track = cache.track(conn, track_id)?;
    let source = cache.source(
        conn,
        &event.source_key,
        track.no,
        event.client_id(),
        event.boot_id(),
    )?;
    if event.seq <= source.max_seq
        && let Some(id) = find_stored(conn, source, event.seq)?
    {
        return Ok(AppendOutcome::Duplicate {
            track_seq: seq_of(id),
        });
    }
    let track_seq = track
        .raw_seq
        .checked_add(1)
        .ok_or_else(|| StoreError::Corrupt("track sequence exhausted".into()))?;
    let id = raw_id(track.no, track_seq)?;
    let ingested = now_us.max(track.ingested_at_us);
    let relay_seq = to_sql_seq(event.seq)?;
    insert
        .execute(params![id, source.no, relay_seq, ingested, event.body])
        .map_err(sql_error)?;
    cache.record(&event.source_key, event.seq, id);
    track.raw_seq = track_seq;
    track.ingested_at_us = ingested;
    cache.set_track(track_id, track);
    Ok(AppendOutcome::Accepted { track_seq })
}

/// The raw id relay seq `seq` of `source` was stored as, if it was.
fn find_stored(
    conn: &Connection,
    source: &SourceState,
    seq: u64,
) -> Result<Option<i64>, StoreError> {
    if let Some(id) = source.find_in_memory(seq) {
        return Ok(Some(id));
    }
    // A seq is in at most one run; runs holding it start at or before it and end at or after.
    let mut stmt = conn
        .prepare_cached(
            "SELECT entries FROM raw_runs WHERE source_no = ?1 AND first_seq <= ?2
             AND last_seq >= ?2 ORDER BY first_seq DESC",
        )
        .map_err(sql_error)?;
    let mut rows = stmt
        .query(params![source.no, to_sql_seq(seq)?])
        .map_err(sql_error)?;
    while let Some(row) = rows.next().map_err(sql_error)? {
        let entries = row
            .get_ref(0)
            .map_err(sql_error)?
            .as_blob()
            .map_err(|e| sql_error(e.into()))?;
        if let Some(id) = find_in_entries(entries, seq) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}
