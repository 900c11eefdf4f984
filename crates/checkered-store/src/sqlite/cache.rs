//! The writer's cache of per-track and per-source state.
//!
//! It mirrors the database as seen by the writer's open transaction. Entries are loaded (or
//! created) on first use; [`Cache::flush`] writes what changed before `COMMIT`. If a
//! transaction rolls back (or retention deletes rows), the writer calls [`Cache::reset`] and
//! everything reloads from the database on demand, so a failure can never leave a sequence
//! number or a dedupe run out of step with the file.
//!
//! Dedupe runs are written lazily: a track's runs are written once it has
//! `flush_every` events not yet covered by `raw_runs`, and `runs_through_seq` moves up. When a
//! track is loaded, its raw events after `runs_through_seq` are read back into runs in memory
//! (`store::recover_sources`), so a crash between run writes loses no dedupe information.
//!
//! # Layout
//! - [`TrackState`]: track number and high-water marks (`log_tracks`).
//! - [`SourceState`] and [`Run`]: a relay boot on a track and its runs not yet written.
//! - [`Cache`]: both maps, what changed, and the flush. SQL is in `cache_store`.

use super::cache_store as store;
use crate::error::StoreError;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// Most relay seqs one run row holds.
pub(crate) const RUN_CAP: usize = 128;

/// A track's number and high-water marks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TrackState {
    pub no: i64,
    pub raw_seq: u64,
    pub ingested_at_us: i64,
    pub derived_seq: u64,
    /// Raw events up to this track seq are in `raw_runs`.
    pub runs_through: u64,
}

/// Up to [`RUN_CAP`] relay seqs of one source, ascending, with the raw ids they were stored as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub entries: Vec<(u64, i64)>,
    /// Differs from (or is missing in) `raw_runs`.
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
    pub track_no: i64,
    /// Highest relay seq stored; anything above is new without a lookup.
    pub max_seq: u64,
    /// Runs not yet written to `raw_runs` (all of them dirty) and the open run (the last).
    pub runs: Vec<Run>,
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
#[derive(Debug)]
pub(crate) struct Cache {
    tracks: HashMap<String, TrackState>,
    sources: HashMap<String, SourceState>,
    /// Tracks whose state differs from `log_tracks`.
    changed_tracks: HashSet<String>,
    /// Uncovered events per track that trigger writing its runs.
    flush_every: u64,
}

impl Cache {
    /// An empty cache that writes a track's runs every `flush_every` events.
    pub fn new(flush_every: u64) -> Cache {
        Cache {
            tracks: HashMap::new(),
            sources: HashMap::new(),
            changed_tracks: HashSet::new(),
            flush_every: flush_every.max(1),
        }
    }

    /// Forgets everything; it reloads from the database on demand.
    pub fn reset(&mut self) {
        *self = Cache::new(self.flush_every);
    }

    /// The state of `track_id`, loaded or created on first use. Loading also reads back the
    /// track's events not yet covered by `raw_runs`.
    pub fn track(&mut self, conn: &Connection, track_id: &str) -> Result<TrackState, StoreError> {
        if let Some(state) = self.tracks.get(track_id) {
            return Ok(*state);
        }
        let state = store::load_or_create_track(conn, track_id)?;
        for (key, source) in store::recover_sources(conn, track_id, &state)? {
            self.sources.insert(key, source);
        }
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

    /// The state of a source, loaded or created on first use (after its track).
    pub fn source(
        &mut self,
        conn: &Connection,
        key: &str,
        track_no: i64,
        client_id: &str,
        boot_id: &str,
    ) -> Result<&mut SourceState, StoreError> {
        if !self.sources.contains_key(key) {
            let state = store::load_or_create_source(conn, track_no, client_id, boot_id)?;
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
        }
    }

    /// Writes changed track states, and the runs of tracks with `flush_every` uncovered
    /// events; call before `COMMIT`.
    pub fn flush(&mut self, conn: &Connection) -> Result<(), StoreError> {
        for track_id in std::mem::take(&mut self.changed_tracks) {
            let Some(mut state) = self.tracks.get(&track_id).copied() else {
                continue;
            };
            if state.raw_seq.saturating_sub(state.runs_through) >= self.flush_every {
                self.write_runs(conn, state.no)?;
                state.runs_through = state.raw_seq;
                self.tracks.insert(track_id, state);
            }
            store::store_track(conn, &state)?;
        }
        Ok(())
    }

    /// Writes every dirty run (and `max_seq`) of the sources on track `track_no`; afterwards
    /// only each source's open run stays in memory.
    fn write_runs(&mut self, conn: &Connection, track_no: i64) -> Result<(), StoreError> {
        for source in self.sources.values_mut().filter(|s| s.track_no == track_no) {
            if source.runs.iter().any(|r| r.dirty) {
                store::store_source(conn, source)?;
            }
            let open = source.runs.pop();
            source.runs.clear();
            source.runs.extend(open.map(|run| Run {
                dirty: false,
                ..run
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> SourceState {
        SourceState {
            no: 1,
            track_no: 1,
            max_seq: 0,
            runs: Vec::new(),
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
