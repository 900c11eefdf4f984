//! The rows the event log stores and returns, shared by every backend.
//!
//! # Layout
//! - Raw log: [`AppendOutcome`], [`StoredRaw`].
//! - Engine output: [`DerivedRow`], [`SnapshotRow`].
//! - Refused input: [`DeadLetter`], [`StoredDeadLetter`].
//! - Retention: [`Retention`], [`RetentionReport`].

use checkered_protocol::contract::Envelope;
use std::time::Duration;

/// What happened to one envelope of an append, in the order given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendOutcome {
    /// Newly stored with this per-track sequence number.
    Accepted {
        /// Gap-free per track, from 1, in arrival order.
        track_seq: u64,
    },
    /// Its idempotency key was already stored (a retry); nothing changed.
    Duplicate {
        /// The sequence number the first copy got.
        track_seq: u64,
    },
}

impl AppendOutcome {
    /// The per-track sequence number, whether new or existing.
    pub fn track_seq(self) -> u64 {
        match self {
            AppendOutcome::Accepted { track_seq } | AppendOutcome::Duplicate { track_seq } => {
                track_seq
            }
        }
    }
}

/// A raw event read back from the log: what the engine consumes in `track_seq` order.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRaw {
    /// Position in the track's raw log.
    pub track_seq: u64,
    /// The envelope as posted, with `ingested_at_us` set by the log.
    pub envelope: Envelope,
}

/// One event the engine derived. The store does not look inside `kind` or `body`; it keeps
/// them in `seq` order per track so live clients and projections can resume from a seq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedRow {
    /// Position in the track's derived stream (chosen by the engine, deterministic).
    pub seq: u64,
    /// When the row was produced (wall clock of the writer), µs since the epoch; retention
    /// ages rows by it. The event's own time is inside `body`: a replay of a 2009 capture
    /// is stored today and must not be purged as if it were 2009.
    pub ts_us: i64,
    /// The session it belongs to, when it belongs to one.
    pub session_id: Option<String>,
    /// The engine's name for the event type.
    pub kind: String,
    /// The event as JSON text.
    pub body: String,
}

/// The engine's state for a track after a given raw event: a keyframe that lets a
/// restarting engine (or a client seeking back) skip replaying everything before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRow {
    /// The last raw `track_seq` folded into this state.
    pub raw_seq: u64,
    /// The last derived `seq` emitted at that point.
    pub derived_seq: u64,
    /// When the snapshot was taken (wall clock of the writer), µs since the epoch; retention
    /// ages snapshots by it.
    pub ts_us: i64,
    /// The serialised state; opaque to the store.
    pub body: Vec<u8>,
}

/// Something ingest (or another source) refused, kept with the reason so an operator can
/// see and replay it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// Where it came from (`ingest`, `relay:<client>`, …); the DLQ subject suffix.
    pub source: String,
    /// The track it claimed, when one could be read.
    pub track_id: Option<String>,
    /// Why it was refused.
    pub reason: String,
    /// What was received (JSON text or a printable rendering).
    pub body: String,
    /// When it was received, µs since the epoch (server clock).
    pub received_at_us: i64,
}

/// A dead letter with the id the log gave it (ids only grow, so they page reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeadLetter {
    /// Increasing id, never reused.
    pub id: i64,
    /// The letter.
    pub letter: DeadLetter,
}

/// How long each kind of row is kept (DESIGN.md §3 limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Raw events, by `ingested_at_us`.
    pub raw: Duration,
    /// Derived events, by `ts_us`.
    pub derived: Duration,
    /// Snapshots, by `ts_us`.
    pub snapshots: Duration,
    /// Dead letters, by `received_at_us`.
    pub dead_letters: Duration,
}

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

impl Default for Retention {
    /// Raw 7 d, derived 30 d, snapshots 24 h, dead letters 14 d.
    fn default() -> Self {
        Retention {
            raw: DAY.saturating_mul(7),
            derived: DAY.saturating_mul(30),
            snapshots: DAY,
            dead_letters: DAY.saturating_mul(14),
        }
    }
}

impl Retention {
    /// The timestamp (µs) before which a row kept for `keep` may be deleted at `now_us`.
    pub fn cutoff_us(now_us: i64, keep: Duration) -> i64 {
        let keep_us = i64::try_from(keep.as_micros()).unwrap_or(i64::MAX);
        now_us.saturating_sub(keep_us)
    }
}

/// How many rows one retention pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Raw events deleted.
    pub raw: u64,
    /// Derived events deleted.
    pub derived: u64,
    /// Snapshots deleted.
    pub snapshots: u64,
    /// Dead letters deleted.
    pub dead_letters: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_retention_matches_the_design() {
        let r = Retention::default();
        assert_eq!(r.raw.as_secs(), 7 * 86_400);
        assert_eq!(r.derived.as_secs(), 30 * 86_400);
        assert_eq!(r.snapshots.as_secs(), 86_400);
        assert_eq!(r.dead_letters.as_secs(), 14 * 86_400);
    }

    #[test]
    fn cutoff_saturates_instead_of_overflowing() {
        assert_eq!(
            Retention::cutoff_us(10_000_000, Duration::from_secs(4)),
            6_000_000
        );
        assert_eq!(Retention::cutoff_us(i64::MIN + 1, DAY), i64::MIN);
        assert_eq!(Retention::cutoff_us(0, Duration::MAX), -i64::MAX);
    }

    #[test]
    fn outcome_exposes_its_seq() {
        assert_eq!(AppendOutcome::Accepted { track_seq: 4 }.track_seq(), 4);
        assert_eq!(AppendOutcome::Duplicate { track_seq: 9 }.track_seq(), 9);
    }
}
