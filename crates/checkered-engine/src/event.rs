//! Derived events: what the engine concluded, in a stable JSON shape, numbered per track.
//!
//! # Layout
//! - [`DerivedEvent`]: the envelope (sequence number, time, session).
//! - [`EventKind`]: every conclusion, tagged by `type`.
//! - [`Penalty`], [`CarStatus`], [`LapTime`], [`EndReason`], [`ClassificationState`],
//!   [`MotoResult`]: payload types shared with the views.

use crate::config::SessionKind;
use crate::input::Flag;
use crate::view::classification::Classification;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A car number as events carry it: shared, so emitting an event never copies the text.
pub type CarNumber = Arc<str>;

/// One derived event. `seq` is per track, starts at 1 and never repeats, so consumers can
/// resume and deduplicate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedEvent {
    /// Per-track monotonic sequence number.
    pub seq: u64,
    /// Time of the input that caused it (µs since epoch).
    pub ts_us: i64,
    /// Session it belongs to; `None` for track-level events (entries, feed resets).
    pub session_id: Option<u32>,
    /// What happened.
    pub kind: EventKind,
}

/// A competitor's race status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarStatus {
    /// On track.
    #[default]
    Running,
    /// In the pit lane.
    InPit,
    /// Took the chequered flag (or finished the moto).
    Finished,
    /// Did not finish.
    Dnf,
    /// Did not start.
    Dns,
    /// Disqualified.
    Dq,
}

/// A lap time and the lap it was set on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LapTime {
    /// Lap number (1-based).
    pub lap: u32,
    /// Lap time in µs.
    pub time_us: i64,
}

/// A penalty as applied to a car.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Penalty {
    /// Time added to the total.
    Time {
        /// µs added.
        time_us: i64,
    },
    /// Laps removed.
    Laps {
        /// Laps removed.
        laps: u32,
    },
    /// A drive-through; `served` once the car has left the pit lane after it.
    DriveThrough {
        /// Whether it was served.
        served: bool,
    },
    /// Disqualification.
    Disqualification,
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The feed announced another run number.
    RunChanged,
    /// The feed announced "no run" (`$B,95`).
    RunEnded,
    /// Race control ended it.
    Control,
    /// Race control staged a new session.
    Replaced,
    /// A gate drop started the next moto.
    NextMoto,
    /// The input was silent longer than the track's idle gap.
    IdleGap,
}

/// How far a classification version is from official.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassificationState {
    /// At the flag or while the session is still open.
    Provisional,
    /// When the session closed.
    Final,
    /// Changed by a decision after the session closed.
    Amended,
}

/// One rider's line in a moto finish order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotoResult {
    /// Finish position (1-based); non-finishers follow.
    pub position: u32,
    /// Rider number.
    pub number: CarNumber,
    /// Gate/lane.
    pub gate: Option<u8>,
    /// Time from gate drop to finish, µs.
    pub time_us: Option<i64>,
    /// Finished, DNF or DNS.
    pub status: CarStatus,
}

/// Everything the engine can conclude.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A session opened.
    SessionStarted {
        /// Session name.
        name: String,
        /// Ranking kind.
        kind: SessionKind,
        /// Feed run number, if any.
        run: Option<u32>,
    },
    /// A session's name, kind or run number changed.
    SessionUpdated {
        /// Session name.
        name: String,
        /// Ranking kind.
        kind: SessionKind,
        /// Feed run number, if any.
        run: Option<u32>,
    },
    /// The session was started (green flag / gate drop).
    SessionGreen,
    /// Race control cleared the session's results for a restart.
    SessionReset,
    /// A session closed.
    SessionEnded {
        /// Why.
        reason: EndReason,
    },
    /// A version of the session's classification.
    Classification {
        /// Version number, from 1.
        version: u32,
        /// How official it is.
        state: ClassificationState,
        /// The classification itself (same shape as `checkered replay --out`).
        classification: Classification,
    },
    /// An entry was created or changed.
    EntryUpdated {
        /// Car number.
        number: CarNumber,
        /// Display name.
        name: String,
        /// Class name.
        class: Option<String>,
    },
    /// A car completed a lap.
    LapCompleted {
        /// Car number.
        number: CarNumber,
        /// Laps completed now.
        lap: u32,
        /// Lap time, when known.
        lap_time_us: Option<i64>,
        /// Total time at the line, when known.
        total_time_us: Option<i64>,
        /// Overall position after the lap.
        position: u32,
    },
    /// A car's position changed (`from` 0 = it just joined the board).
    PositionChanged {
        /// Car number.
        number: CarNumber,
        /// Old position.
        from: u32,
        /// New position.
        to: u32,
    },
    /// A new leader.
    LeadChanged {
        /// New leader.
        number: CarNumber,
        /// Previous leader.
        previous: Option<CarNumber>,
    },
    /// A car improved its own best lap.
    PersonalBest {
        /// Car number.
        number: CarNumber,
        /// The lap.
        best: LapTime,
    },
    /// A car set the best lap of its class.
    ClassBest {
        /// Car number.
        number: CarNumber,
        /// Class name.
        class: Option<String>,
        /// The lap.
        best: LapTime,
    },
    /// A car set the best lap of the session.
    OverallBest {
        /// Car number.
        number: CarNumber,
        /// The lap.
        best: LapTime,
    },
    /// A car completed a sector.
    SectorCompleted {
        /// Car number.
        number: CarNumber,
        /// Sector number (1-based).
        sector: u8,
        /// Sector time, µs.
        time_us: i64,
    },
    /// A speed-trap reading.
    SpeedTrap {
        /// Car number.
        number: CarNumber,
        /// Trap end loop id.
        loop_id: String,
        /// Time through the trap, µs.
        time_us: i64,
        /// Speed in thousandths of km/h.
        speed_mkmh: u64,
    },
    /// A car entered the pit lane.
    PitIn {
        /// Car number.
        number: CarNumber,
        /// Pit stop count including this one.
        stop: u32,
    },
    /// A car left the pit lane.
    PitOut {
        /// Car number.
        number: CarNumber,
        /// Time since pit in, when seen.
        duration_us: Option<i64>,
    },
    /// The flag changed.
    FlagChanged {
        /// Old flag.
        from: Flag,
        /// New flag.
        to: Flag,
        /// Leader's laps at the change.
        lap: u32,
    },
    /// Race control applied a penalty.
    PenaltyApplied {
        /// Car number.
        number: CarNumber,
        /// The penalty.
        penalty: Penalty,
    },
    /// Race control (or the results feed, taking a lap back) added or removed laps.
    LapsAdjusted {
        /// Car number.
        number: CarNumber,
        /// Laps added (negative: removed).
        delta: i32,
    },
    /// The feed corrected a total time.
    TimeCorrected {
        /// Car number.
        number: CarNumber,
        /// New total time, µs.
        total_time_us: Option<i64>,
    },
    /// A status change that is not a finish (DNF, DNS, DQ, back to running).
    StatusChanged {
        /// Car number.
        number: CarNumber,
        /// New status.
        status: CarStatus,
    },
    /// A car took the chequered flag.
    CarFinished {
        /// Car number.
        number: CarNumber,
        /// Position at the finish.
        position: u32,
        /// Laps completed.
        laps: i64,
        /// Total time, µs.
        total_time_us: Option<i64>,
    },
    /// A lap far longer than usual: probably a missed passing, for race control to check.
    ProbableMissedPassing {
        /// Car number.
        number: CarNumber,
        /// The long lap.
        lap: LapTime,
        /// The car's median lap it was compared with.
        reference_us: i64,
    },
    /// The BMX gate dropped (`beacon` None: started by race control).
    GateDrop {
        /// Beacon transponder.
        beacon: Option<String>,
    },
    /// Moto finish order; `complete` once every staged rider is accounted for.
    MotoFinishOrder {
        /// Whether the order is complete.
        complete: bool,
        /// Riders in order.
        riders: Vec<MotoResult>,
    },
    /// The feed reset its scoreboard (`$I`); the engine kept its state.
    FeedReset,
}
