//! The writer's cache of per-track and per-source state.
//!
//! It mirrors the committed database plus the writer's open transaction. Entries are loaded
//! (or created) on first use inside the transaction; what the transaction changed is written
//! back by [`Cache::flush`] before `COMMIT`. If a transaction rolls back, the writer throws the
//! whole cache away ([`Cache::default`]) and it reloads from the database on demand, so a
//! failure can never leave a sequence number or a dedupe run out of step with the file.
//!
//! # Layout
//! - [`TrackState`]: track number and high-water marks (`log_tracks`).
//! - [`SourceState`] and [`Run`]: a relay boot on a track and its recent dedupe runs
//!   (`log_sources`, `raw_runs`).
//! - [`Cache`]: both maps, the lists of what changed, and the flush.

use super::ops::{from_sql_seq, to_sql_seq};
use super::raw_codec::encode_entries;
use super::sql_error;
use crate::error::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{HashMap, HashSet};

/// Most relay seqs one run row holds, so rewriting the open run each commit stays cheap.
const RUN_CAP: usize = 128;

/// A track's number and high-water marks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TrackState {
    pub no: i64,
    pub raw_seq: u64,
    pub ingested_at_us: i64,
    pub derived_seq: u64,
}

/// Up to [`RUN_CAP`] relay seqs of one source, ascending, with the raw ids they were stored as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub entries: Vec<(u64, i64)>,
    /// Changed in the open transaction.
    pub dirty: bool,
}

impl Run {
    /// The raw id of relay seq `seq`, if this run holds it.
    pub fn find(&self, seq: u64) -> Option<i64> {
        let index = self.entries.binary_search_by_key(&seq, |&(s, _)| s).ok()?;
        self.entries.get(index).map(|&(_, id)| id)
    }

    fn accepts(&self, seq: u64) -> bool {
        self.entries.len() < RUN_CAP && self.entries.last().is_some_and(|&(last, _)| last < seq)
    }
}

/// One relay boot on one track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceState {
    pub no: i64,
    /// Highest relay seq stored; anything above is new without a lookup.
    pub max_seq: u64,
    /// The runs touched in the open transaction, the last one still open for appending.
    pub runs: Vec<Run>,
    /// Listed in `Cache::changed_sources` already.
    changed: bool,
}

impl SourceState {
    /// Records that relay seq `seq` (not stored before) was stored as raw id `id`.
    pub fn record(&mut self, seq: u64, id: i64) {
        match self.runs.last_mut() {
            Some(run) if run.accepts(seq) => {
                run.entries.push((seq, id));
                run.dirty = true;
            }
            _ => self.runs.push(Run {
                entries: vec![(seq, id)],
                dirty: true,
            }),
        }
        self.max_seq = self.max_seq.max(seq);
    }

    /// The raw id of relay seq `seq` if it is in a run held in memory.
    pub fn find_in_memory(&self, seq: u64) -> Option<i64> {
        self.runs.iter().rev().find_map(|run| run.find(seq))
    }
}

/// Track and source state for the writer, keyed by track id and by `{track}:{client}:{boot}`.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    pub tracks: HashMap<String, TrackState>,
    pub sources: HashMap<String, SourceState>,
    /// Tracks whose state differs from `log_tracks` (few: a set, not a list per event).
    changed_tracks: HashSet<String>,
    changed_sources: Vec<String>,
}

impl Cache {
    /// The state of `track_id`, loaded or created (inside the open transaction) on first use.
    pub fn track(&mut self, conn: &Connection, track_id: &str) -> Result<TrackState, StoreError> {
        if let Some(state) = self.tracks.get(track_id) {
            return Ok(*state);
        }
        let state = load_or_create_track(conn, track_id)?;
        self.tracks.insert(track_id.to_owned(), state);
        Ok(state)
    }

    /// Stores a changed track state, to be flushed before commit.
    pub fn set_track(&mut self, track_id: &str, state: TrackState) {
        if let Some(slot) = self.tracks.get_mut(track_id)
            && *slot != state
        {
            *slot = state;
            if !self.changed_tracks.contains(track_id) {
                self.changed_tracks.insert(track_id.to_owned());
            }
        }
    }

    /// The state of a source, loaded or created on first use.
    pub fn source(
        &mut self,
        conn: &Connection,
        key: &str,
        track_no: i64,
        client_id: &str,
        boot_id: &str,
    ) -> Result<&mut SourceState, StoreError> {
        if !self.sources.contains_key(key) {
            let state = load_or_create_source(conn, track_no, client_id, boot_id)?;
            self.sources.insert(key.to_owned(), state);
        }
        self.sources
            .get_mut(key)
            .ok_or_else(|| StoreError::Backend("source vanished from the cache".into()))
    }

    /// Records relay seq `seq` of source `key` as stored at raw id `id`.
    pub fn record(&mut self, key: &str, seq: u64, id: i64) {
        if let Some(source) = self.sources.get_mut(key) {
            source.record(seq, id);
            if !source.changed {
                source.changed = true;
                self.changed_sources.push(key.to_owned());
            }
        }
    }

    /// Writes every changed track, source and run; call before `COMMIT`. Afterwards only each
    /// source's open run stays in memory.
    pub fn flush(&mut self, conn: &Connection) -> Result<(), StoreError> {
        for track_id in self.changed_tracks.drain() {
            if let Some(state) = self.tracks.get(&track_id) {
                store_track(conn, state)?;
            }
        }
        for key in self.changed_sources.drain(..) {
            if let Some(source) = self.sources.get_mut(&key) {
                store_source(conn, source)?;
                let open = source.runs.pop();
                source.runs.clear();
                source.runs.extend(open.map(|run| Run {
                    dirty: false,
                    ..run
                }));
                source.changed = false;
            }
        }
        Ok(())
    }
}

fn load_or_create_track(conn: &Connection, track_id: &str) -> Result<TrackState, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT track_no, last_raw_seq, last_ingested_at_us, last_derived_seq
             FROM log_tracks WHERE track_id = ?1",
        )
        .map_err(sql_error)?
        .query_row([track_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .map_err(sql_error)?;
    if let Some((no, raw, ingested_at_us, derived)) = found {
        return Ok(TrackState {
            no,
            raw_seq: from_sql_seq(raw)?,
            ingested_at_us,
            derived_seq: from_sql_seq(derived)?,
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

fn load_or_create_source(
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
        max_seq,
        runs: Vec::new(),
        changed: false,
    })
}

fn store_track(conn: &Connection, state: &TrackState) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE log_tracks SET last_raw_seq = ?2, last_ingested_at_us = ?3, last_derived_seq = ?4
         WHERE track_no = ?1",
    )
    .map_err(sql_error)?
    .execute(params![
        state.no,
        to_sql_seq(state.raw_seq)?,
        state.ingested_at_us,
        to_sql_seq(state.derived_seq)?
    ])
    .map_err(sql_error)?;
    Ok(())
}

fn store_source(conn: &Connection, source: &SourceState) -> Result<(), StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> SourceState {
        SourceState {
            no: 1,
            max_seq: 0,
            runs: Vec::new(),
            changed: false,
        }
    }

    #[test]
    fn runs_take_ascending_seqs_with_gaps_and_split_when_full_or_out_of_order() {
        let mut s = source();
        for seq in [1, 2, 3, 10, 18] {
            s.record(seq, 100 + seq as i64);
        }
        assert_eq!(s.runs.len(), 1, "gaps do not split a run");
        s.record(5, 500);
        assert_eq!(s.runs.len(), 2, "a lower seq opens a new run");
        assert_eq!(s.find_in_memory(10), Some(110));
        assert_eq!(s.find_in_memory(5), Some(500));
        assert_eq!(s.find_in_memory(4), None);
        assert_eq!(s.max_seq, 18);
        for seq in 6..(6 + RUN_CAP as u64) {
            s.record(seq, seq as i64);
        }
        assert_eq!(s.runs.len(), 3, "the run opened at 5 is full at RUN_CAP");
        assert_eq!(s.runs.last().map(|r| r.entries.len()), Some(1));
    }
}
