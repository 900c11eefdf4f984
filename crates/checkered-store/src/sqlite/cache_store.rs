//! The SQL behind the writer's cache: loading and creating tracks and sources, reading back
//! a track's events not yet covered by `raw_runs`, and writing state back.
//!
//! # Layout
//! - [`load_or_create_track`], [`load_or_create_source`]: first use of a key.
//! - [`recover_sources`]: runs rebuilt from `raw_events` after `runs_through_seq`.
//! - [`store_track`], [`store_source`]: write-back before `COMMIT`.

use super::cache::{SourceState, TrackState};
use super::ops::{from_sql_seq, to_sql_seq};
use super::raw_codec::{MAX_TRACK_SEQ, encode_entries, raw_id};
use super::sql_error;
use crate::error::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// The state of `track_id`, creating its row (and number) if it is new.
pub(crate) fn load_or_create_track(
    conn: &Connection,
    track_id: &str,
) -> Result<TrackState, StoreError> {
    let found: Option<(i64, i64, i64, i64, i64)> = conn
        .prepare_cached(
            "SELECT track_no, last_raw_seq, last_ingested_at_us, last_derived_seq,
                    runs_through_seq
             FROM log_tracks WHERE track_id = ?1",
        )
        .map_err(sql_error)?
        .query_row([track_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()
        .map_err(sql_error)?;
    if let Some((no, raw, ingested_at_us, derived, runs_through)) = found {
        return Ok(TrackState {
            no,
            raw_seq: from_sql_seq(raw)?,
            ingested_at_us,
            derived_seq: from_sql_seq(derived)?,
            runs_through: from_sql_seq(runs_through)?,
        });
    }
    let no: i64 = conn
        .prepare_cached("INSERT INTO log_tracks (track_id) VALUES (?1) RETURNING track_no")
        .map_err(sql_error)?
        .query_row([track_id], |r| r.get(0))
        .map_err(sql_error)?;
    Ok(TrackState {
        no,
        ..TrackState::default()
    })
}

/// The state of a source, creating its row if it is new.
pub(crate) fn load_or_create_source(
    conn: &Connection,
    track_no: i64,
    client_id: &str,
    boot_id: &str,
) -> Result<SourceState, StoreError> {
    let found: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT source_no, max_seq FROM log_sources
             WHERE track_no = ?1 AND client_id = ?2 AND boot_id = ?3",
        )
        .map_err(sql_error)?
        .query_row(params![track_no, client_id, boot_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(sql_error)?;
    let (no, max_seq) = match found {
        Some((no, max)) => (no, from_sql_seq(max)?),
        None => {
            let no = conn
                .prepare_cached(
                    "INSERT INTO log_sources (track_no, client_id, boot_id) VALUES (?1, ?2, ?3)
                     RETURNING source_no",
                )
                .map_err(sql_error)?
                .query_row(params![track_no, client_id, boot_id], |r| r.get(0))
                .map_err(sql_error)?;
            (no, 0)
        }
    };
    Ok(SourceState {
        no,
        track_no,
        max_seq,
        runs: Vec::new(),
    })
}

/// Rebuilds, from `raw_events`, the runs of every source with events on the track after
/// `runs_through`, keyed like the cache (`{track}:{client}:{boot}`).
pub(crate) fn recover_sources(
    conn: &Connection,
    track_id: &str,
    track: &TrackState,
) -> Result<Vec<(String, SourceState)>, StoreError> {
    if track.raw_seq <= track.runs_through {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, source_no, seq FROM raw_events WHERE id > ?1 AND id <= ?2 ORDER BY id",
        )
        .map_err(sql_error)?;
    let range = params![
        raw_id(track.no, track.runs_through)?,
        raw_id(track.no, MAX_TRACK_SEQ)?
    ];
    let mut rows = stmt.query(range).map_err(sql_error)?;
    let mut by_source: HashMap<i64, Vec<(u64, i64)>> = HashMap::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        let id: i64 = row.get(0).map_err(sql_error)?;
        let seq = from_sql_seq(row.get(2).map_err(sql_error)?)?;
        by_source
            .entry(row.get(1).map_err(sql_error)?)
            .or_default()
            .push((seq, id));
    }
    let mut sources = Vec::with_capacity(by_source.len());
    for (source_no, events) in by_source {
        let (client_id, boot_id, max_seq): (String, String, i64) = conn
            .prepare_cached(
                "SELECT client_id, boot_id, max_seq FROM log_sources WHERE source_no = ?1",
            )
            .map_err(sql_error)?
            .query_row([source_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(sql_error)?;
        let mut source = SourceState {
            no: source_no,
            track_no: track.no,
            max_seq: from_sql_seq(max_seq)?,
            runs: Vec::new(),
        };
        for (seq, id) in events {
            source.record(seq, id);
        }
        sources.push((format!("{track_id}:{client_id}:{boot_id}"), source));
    }
    Ok(sources)
}

/// Writes a track's high-water marks.
pub(crate) fn store_track(conn: &Connection, state: &TrackState) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE log_tracks SET last_raw_seq = ?2, last_ingested_at_us = ?3,
           last_derived_seq = ?4, runs_through_seq = ?5
         WHERE track_no = ?1",
    )
    .map_err(sql_error)?
    .execute(params![
        state.no,
        to_sql_seq(state.raw_seq)?,
        state.ingested_at_us,
        to_sql_seq(state.derived_seq)?,
        to_sql_seq(state.runs_through)?
    ])
    .map_err(sql_error)?;
    Ok(())
}

/// Writes a source's `max_seq` and its dirty runs.
pub(crate) fn store_source(conn: &Connection, source: &SourceState) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE log_sources SET max_seq = ?2 WHERE source_no = ?1")
        .map_err(sql_error)?
        .execute(params![source.no, to_sql_seq(source.max_seq)?])
        .map_err(sql_error)?;
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO raw_runs (source_no, first_seq, last_seq, last_id, entries)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_no, first_seq) DO UPDATE SET last_seq = excluded.last_seq,
               last_id = excluded.last_id, entries = excluded.entries",
        )
        .map_err(sql_error)?;
    for run in source.runs.iter().filter(|r| r.dirty) {
        let (Some(&(first, _)), Some(&(last, last_id))) = (run.entries.first(), run.entries.last())
        else {
            continue;
        };
        let entries = encode_entries(&run.entries);
        let args = params![
            source.no,
            to_sql_seq(first)?,
            to_sql_seq(last)?,
            last_id,
            entries
        ];
        upsert.execute(args).map_err(sql_error)?;
    }
    Ok(())
}
