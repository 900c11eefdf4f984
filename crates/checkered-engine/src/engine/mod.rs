//! The track engine: applies inputs in order, keeps one track's state and emits derived
//! events. Pure and deterministic: no clock, no I/O, no randomness, no hash-order output.
//!
//! # Layout
//! - [`TrackEngine`]: the public face (apply, snapshot/restore, views).
//! - `State`: everything a snapshot holds; `Cx`: the split borrows the rules work with.
//! - `lifecycle`: opening/closing sessions and adding cars; `laps`: the lap rules shared by
//!   every source; `passing`, `feed`, `control`, `moto`: one module per input source.

mod control;
mod control_car;
mod feed;
mod feed_laps;
mod laps;
mod lifecycle;
mod moto;
mod passing;
mod views;

pub use views::SessionSummary;

use crate::config::{SessionKind, TrackConfig};
use crate::entries::Entries;
use crate::event::{DerivedEvent, EventKind};
use crate::input::{Input, InputKind};
use crate::session::Session;
use crate::session::rank::PositionChange;
use serde::{Deserialize, Serialize};

/// Counts of inputs the rules dropped or noticed, for metrics and race control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Inputs applied.
    pub inputs: u64,
    /// Duplicate reads collapsed (within the minimum lap time).
    pub duplicates: u64,
    /// Passings older than the car's last crossing.
    pub out_of_order: u64,
    /// Passings on a line id the configuration does not know.
    pub unknown_lines: u64,
    /// Intents or feed records naming a car the engine does not know.
    pub unknown_cars: u64,
    /// Crossings ignored because the session had not started or the car had finished.
    pub ignored_crossings: u64,
    /// Feed scoreboard resets (`$I`).
    pub feed_resets: u64,
    /// Probable missed passings flagged.
    pub missed_passings: u64,
}

/// The feed's current run as last announced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FeedRun {
    pub number: u32,
    pub name: String,
    pub kind: Option<SessionKind>,
}

/// Everything a snapshot holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    pub config: TrackConfig,
    pub seq: u64,
    pub counters: Counters,
    pub now_us: Option<i64>,
    pub last_at_us: Option<i64>,
    pub entries: Entries,
    pub current: Option<Session>,
    pub closed: Vec<Session>,
    pub next_session_id: u32,
    pub feed_run: Option<FeedRun>,
    pub feed_roster: Vec<u32>,
    pub motos: u32,
}

/// Appends derived events with the next sequence numbers.
pub(crate) struct Emitter<'a> {
    seq: &'a mut u64,
    out: &'a mut Vec<DerivedEvent>,
    pub at: i64,
}

impl Emitter<'_> {
    /// Emits one event.
    pub fn emit(&mut self, session_id: Option<u32>, kind: EventKind) {
        *self.seq = self.seq.saturating_add(1);
        self.out.push(DerivedEvent {
            seq: *self.seq,
            ts_us: self.at,
            session_id,
            kind,
        });
    }
}

/// Split borrows of the state, so rules can hold a session and the registry at once.
pub(crate) struct Cx<'a> {
    pub cfg: &'a TrackConfig,
    pub entries: &'a Entries,
    pub em: Emitter<'a>,
    pub counters: &'a mut Counters,
    pub scratch: &'a mut Vec<PositionChange>,
}

/// The format version of snapshots; restore refuses others.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// The whole state of a track engine, serialisable (serde) and restorable exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    format: u32,
    state: State,
}

impl Snapshot {
    /// Sequence number of the last derived event emitted before the snapshot.
    pub fn seq(&self) -> u64 {
        self.state.seq
    }

    /// Number of inputs applied before the snapshot (a cursor into the raw log).
    pub fn inputs_applied(&self) -> u64 {
        self.state.counters.inputs
    }

    /// The track the snapshot belongs to.
    pub fn track_id(&self) -> &str {
        &self.state.config.track_id
    }
}

/// Why a snapshot could not be restored.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RestoreError {
    /// Written by another snapshot format.
    #[error("snapshot format {found} is not supported (expected {expected})")]
    Format {
        /// Format found.
        found: u32,
        /// Format supported.
        expected: u32,
    },
    /// Internal indexes point outside their tables (corrupted or hand-edited snapshot).
    #[error("snapshot is inconsistent: {0}")]
    Inconsistent(&'static str),
}

/// One track's race engine.
#[derive(Clone, Debug)]
pub struct TrackEngine {
    st: State,
    scratch: Vec<PositionChange>,
}

impl TrackEngine {
    /// A fresh engine for a track.
    pub fn new(config: TrackConfig) -> Self {
        Self {
            st: State {
                config,
                seq: 0,
                counters: Counters::default(),
                now_us: None,
                last_at_us: None,
                entries: Entries::default(),
                current: None,
                closed: Vec::new(),
                next_session_id: 1,
                feed_run: None,
                feed_roster: Vec::new(),
                motos: 0,
            },
            scratch: Vec::new(),
        }
    }

    /// Applies one input, appending the derived events it causes to `out`.
    pub fn apply(&mut self, input: &Input, out: &mut Vec<DerivedEvent>) {
        let at = input.at_us;
        self.st.counters.inputs = self.st.counters.inputs.saturating_add(1);
        self.check_idle_gap(at, out);
        self.st.now_us = Some(self.st.now_us.map_or(at, |n| n.max(at)));
        match &input.kind {
            InputKind::Passing(p) => self.on_passing(at, p, out),
            InputKind::Feed(r) => self.on_feed(at, r, out),
            InputKind::Control(c) => self.on_control(at, c, out),
        }
    }

    /// The whole state, for persistence; restoring it continues byte-identically.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            format: SNAPSHOT_FORMAT,
            state: self.st.clone(),
        }
    }

    /// Rebuilds an engine from a snapshot, checking it so a bad one cannot cause panics.
    pub fn restore(snapshot: Snapshot) -> Result<Self, RestoreError> {
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(RestoreError::Format {
                found: snapshot.format,
                expected: SNAPSHOT_FORMAT,
            });
        }
        let st = snapshot.state;
        if !st.entries.is_consistent() {
            return Err(RestoreError::Inconsistent("entry index"));
        }
        let n = st.entries.len();
        let sessions_ok = st
            .current
            .iter()
            .chain(&st.closed)
            .all(|s| s.is_consistent(n));
        if !sessions_ok || st.feed_roster.iter().any(|&e| e as usize >= n) {
            return Err(RestoreError::Inconsistent("session tables"));
        }
        Ok(Self {
            st,
            scratch: Vec::new(),
        })
    }

    /// The track configuration.
    pub fn config(&self) -> &TrackConfig {
        &self.st.config
    }

    /// Sequence number of the last derived event.
    pub fn seq(&self) -> u64 {
        self.st.seq
    }

    /// Latest input time seen.
    pub fn now_us(&self) -> Option<i64> {
        self.st.now_us
    }

    /// Rule counters (duplicates, unknown cars, ...).
    pub fn counters(&self) -> &Counters {
        &self.st.counters
    }

    /// The competitor registry.
    pub fn entries(&self) -> &Entries {
        &self.st.entries
    }

    /// The open session, if any.
    pub fn current_session(&self) -> Option<&Session> {
        self.st.current.as_ref()
    }

    /// Every session, closed ones first, in id order.
    pub fn all_sessions(&self) -> impl Iterator<Item = &Session> {
        self.st.closed.iter().chain(self.st.current.as_ref())
    }

    /// A session by id.
    pub fn session(&self, id: u32) -> Option<&Session> {
        self.all_sessions().find(|s| s.id == id)
    }

    /// Splits the state for the rules.
    fn parts<'a>(
        &'a mut self,
        at: i64,
        out: &'a mut Vec<DerivedEvent>,
    ) -> (Cx<'a>, &'a mut Option<Session>, &'a mut Vec<Session>) {
        let st = &mut self.st;
        let cx = Cx {
            cfg: &st.config,
            entries: &st.entries,
            em: Emitter {
                seq: &mut st.seq,
                out,
                at,
            },
            counters: &mut st.counters,
            scratch: &mut self.scratch,
        };
        (cx, &mut st.current, &mut st.closed)
    }

    /// Closes the open session when the input stream was silent longer than the idle gap.
    fn check_idle_gap(&mut self, at: i64, out: &mut Vec<DerivedEvent>) {
        let last = self.st.last_at_us.replace(at);
        let gap = last.map_or(0, |l| at.saturating_sub(l));
        if gap > self.st.config.idle_session_gap_us && self.st.current.is_some() {
            self.close_current(at, crate::event::EndReason::IdleGap, out);
        }
    }
}
