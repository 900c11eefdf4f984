//! The projections' rows, as the REST layer serves them. Times are µs since the epoch in
//! the track's timing clock (the events' own time), never the server's.
//!
//! # Layout
//! - [`ProjectionCursor`], [`ApplyOutcome`]: the projector's progress.
//! - [`SessionRecord`], [`CarRecord`], [`LapRecord`], [`ClassificationRecord`],
//!   [`FlagPeriodRecord`]: a session's history and live state.
//! - [`CompetitorRecord`], [`ControlRecord`]: track-level tables.

use super::records::ControlAudit;
use serde::Serialize;

/// How far a track's projections got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectionCursor {
    /// Last derived `seq` folded in.
    pub derived_seq: u64,
    /// Last raw `track_seq` scanned for race-control intents.
    pub raw_seq: u64,
    /// Latest event time seen (running flag periods are measured up to it).
    pub last_ts_us: Option<i64>,
    /// Rows that could not be decoded and were skipped.
    pub skipped: u64,
}

/// What one projection step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// Rows folded in.
    pub applied: usize,
    /// Rows skipped, with their seq and why.
    pub skipped: Vec<(u64, String)>,
    /// The cursor after the step.
    pub cursor: u64,
}

/// A session as the engine ran it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRecord {
    /// The engine's session id.
    pub session_id: u32,
    /// Name.
    pub name: String,
    /// Ranking kind.
    pub kind: String,
    /// Feed run number.
    pub run: Option<u32>,
    /// When it opened.
    pub opened_at_us: i64,
    /// When it was started (green flag, gate drop, first crossing).
    pub started_at_us: Option<i64>,
    /// When it closed.
    pub ended_at_us: Option<i64>,
    /// Why it closed (`control`, `run_changed`, `idle_gap`, …).
    pub end_reason: Option<String>,
    /// Restarts race control ordered.
    pub resets: u32,
    /// Last classification version (0: none yet).
    pub classification_version: u32,
    /// State of that version (`provisional`, `final`, `amended`).
    pub classification_state: Option<String>,
    /// First derived seq of the session.
    pub first_seq: u64,
    /// Last derived seq of the session.
    pub last_seq: u64,
}

/// One car's live state in a session, as its events left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CarRecord {
    /// Car number.
    pub number: String,
    /// Overall position (0: not placed).
    pub position: u32,
    /// Laps after adjustments and lap penalties.
    pub laps: i64,
    /// Last lap time.
    pub last_lap_us: Option<i64>,
    /// Best lap time.
    pub best_lap_us: Option<i64>,
    /// The lap the best was set on.
    pub best_lap: Option<u32>,
    /// Total time at the line, time penalties included.
    pub total_time_us: Option<i64>,
    /// `running`, `in_pit`, `finished`, `dnf`, `dns`, `dq`.
    pub status: String,
    /// Pit stops.
    pub pit_stops: u32,
    /// Penalties applied.
    pub penalties: u32,
    /// When it took the flag.
    pub finished_at_us: Option<i64>,
    /// The derived seq of its last change.
    pub last_seq: u64,
}

/// One lap of one car.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LapRecord {
    /// Car number.
    pub number: String,
    /// Lap number (laps completed with it).
    pub lap: u32,
    /// Lap time, when known.
    pub lap_time_us: Option<i64>,
    /// Total time at the line, when known.
    pub total_time_us: Option<i64>,
    /// Position after the lap.
    pub position: u32,
    /// When the car crossed.
    pub at_us: i64,
    /// The derived seq of the lap (the pagination cursor).
    pub seq: u64,
}

/// One classification version of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassificationRecord {
    /// Version, from 1.
    pub version: u32,
    /// `provisional`, `final` or `amended`.
    pub state: String,
    /// When it was emitted.
    pub at_us: i64,
    /// Its derived seq.
    pub seq: u64,
    /// The classification document, exactly as the engine emitted it (JSON text).
    #[serde(skip)]
    pub body: String,
}

/// One flag period of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagPeriodRecord {
    /// The flag (`green`, `yellow`, `full_course_yellow`, `red`, `white`, `checkered`, `none`).
    pub flag: String,
    /// Start.
    pub from_us: i64,
    /// End; `None` while the period runs.
    pub to_us: Option<i64>,
    /// Duration (a running period: up to the latest event time of the track).
    pub duration_us: i64,
    /// Leader laps completed under the flag.
    pub laps: u32,
    /// Leader laps at the start.
    pub from_lap: u32,
    /// Leader laps at the end.
    pub to_lap: Option<u32>,
}

/// A competitor as the engine knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompetitorRecord {
    /// Number.
    pub number: String,
    /// Name as the board shows it.
    pub name: String,
    /// Class name.
    pub class: Option<String>,
    /// When it last changed.
    pub at_us: i64,
    /// The derived seq of that change.
    pub seq: u64,
}

/// One race-control intent of the raw log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlRecord {
    /// Its place in the raw log (the pagination cursor).
    pub raw_seq: u64,
    /// The raw event's id.
    pub event_id: String,
    /// The producer (`race-control` for the REST API, else a relay's client id).
    pub client_id: String,
    /// The producer's boot.
    pub boot_id: String,
    /// The intent's `type`.
    pub intent_type: String,
    /// The intent as logged (JSON text).
    #[serde(skip)]
    pub intent: String,
    /// When it applies (the envelope's capture time).
    pub at_us: i64,
    /// When the log received it (server clock).
    pub received_at_us: Option<i64>,
    /// Who sent it and from where, when it came through the REST API.
    pub audit: Option<ControlAudit>,
}
