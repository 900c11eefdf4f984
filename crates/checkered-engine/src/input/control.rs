//! Race-control intents: the decisions officials take, persisted and audited upstream and
//! applied here in log order like any other input.
//!
//! # Layout
//! - [`ControlIntent`]: every intent.
//! - [`EntrySpec`] / [`StagedRider`]: the entry-list and staging payloads.

use crate::config::SessionKind;
use crate::input::feed::Flag;
use serde::{Deserialize, Serialize};

/// One competitor of an entry list set by race control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrySpec {
    /// Car/rider number (the key race control uses).
    pub number: String,
    /// Driver/rider or team name.
    #[serde(default)]
    pub name: String,
    /// Class name.
    #[serde(default)]
    pub class: Option<String>,
    /// Transponders carried (a car can carry several).
    #[serde(default)]
    pub transponders: Vec<String>,
    /// Grid position, ranking cars that have not crossed the line yet.
    #[serde(default)]
    pub grid: Option<u32>,
}

/// A rider staged for a BMX moto, with the gate (lane) it starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagedRider {
    /// Rider number.
    pub number: String,
    /// Gate/lane, 1-based.
    #[serde(default)]
    pub gate: Option<u8>,
}

/// A race-control decision. Intents naming a car use its number; `session_id` (when given)
/// targets a closed session for post-race decisions, else the open (or last) session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ControlIntent {
    /// Creates or updates entries.
    SetEntries {
        /// The entries to upsert, keyed by number.
        entries: Vec<EntrySpec>,
    },
    /// Opens a new session (closing the open one) that waits for a start.
    Stage {
        /// Session name; defaults to "Session N" / "Moto N".
        #[serde(default)]
        name: Option<String>,
        /// Session kind; defaults to the track's.
        #[serde(default)]
        kind: Option<SessionKind>,
        /// Riders/cars taking part, in grid order (BMX: with gates).
        #[serde(default)]
        riders: Vec<StagedRider>,
    },
    /// Starts the session now (green flag, gate drop), optionally limited.
    Start {
        /// Race distance in laps.
        #[serde(default)]
        laps: Option<u32>,
        /// Race duration in µs.
        #[serde(default)]
        duration_us: Option<i64>,
    },
    /// Shows a flag.
    Flag {
        /// The new flag.
        flag: Flag,
    },
    /// Adds time to a car's total.
    TimePenalty {
        /// Car number.
        number: String,
        /// Penalty in µs (negative values are ignored).
        penalty_us: i64,
        /// Target session, else the current one.
        #[serde(default)]
        session_id: Option<u32>,
    },
    /// Removes laps from a car.
    LapPenalty {
        /// Car number.
        number: String,
        /// Laps removed.
        laps: u32,
        /// Target session, else the current one.
        #[serde(default)]
        session_id: Option<u32>,
    },
    /// Orders a drive-through, served at the car's next pit exit.
    DriveThrough {
        /// Car number.
        number: String,
    },
    /// Disqualifies a car.
    Disqualify {
        /// Car number.
        number: String,
        /// Target session, else the current one.
        #[serde(default)]
        session_id: Option<u32>,
    },
    /// Retires a car (DNF).
    Retire {
        /// Car number.
        number: String,
    },
    /// Adds (positive) or removes (negative) laps, e.g. for a missed passing.
    AdjustLaps {
        /// Car number.
        number: String,
        /// Laps to add or remove.
        delta: i32,
        /// Target session, else the current one.
        #[serde(default)]
        session_id: Option<u32>,
    },
    /// Finishes one car now, or every running car when `number` is empty.
    ForceFinish {
        /// Car number, or none for all.
        #[serde(default)]
        number: Option<String>,
    },
    /// Clears the open session's results and waits for a new start (a restart).
    Reset,
    /// Closes the open session and finalises its classification.
    EndSession,
    /// Changes how the open session is ranked.
    SetSessionKind {
        /// The new kind.
        kind: SessionKind,
    },
}
