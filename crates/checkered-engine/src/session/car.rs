//! Per-session state of one competitor.
//!
//! # Layout
//! - [`CarState`]: laps, times, pit and penalty state of one car in one session.
//! - [`SectorTime`], [`SpeedReading`]: split data kept for the board.
//! - [`RecentLaps`]: a small ring of recent lap times for the missed-passing rule.

use crate::event::{CarStatus, LapTime, Penalty};
use serde::{Deserialize, Serialize};

/// A sector time of one lap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorTime {
    /// Sector number, 1-based.
    pub sector: u8,
    /// Time in µs.
    pub time_us: i64,
}

/// A speed-trap reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeedReading {
    /// Trap end loop id.
    pub loop_id: String,
    /// Time through the trap, µs.
    pub time_us: i64,
    /// Speed in thousandths of km/h.
    pub speed_mkmh: u64,
}

/// The last few lap times of a car (ring buffer), for a median that follows pace changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentLaps {
    times: [i64; 5],
    len: u8,
    next: u8,
}

impl RecentLaps {
    /// Records a lap time.
    pub fn push(&mut self, time_us: i64) {
        if let Some(slot) = self.times.get_mut(usize::from(self.next)) {
            *slot = time_us;
        }
        self.next = (self.next + 1) % 5;
        self.len = (self.len + 1).min(5);
    }

    /// Median of the recorded laps (lower median for even counts); `None` when empty.
    pub fn median(&self) -> Option<i64> {
        let n = usize::from(self.len).min(5);
        let mut sorted = self.times;
        let part = sorted.get_mut(..n)?;
        part.sort_unstable();
        part.get(n.checked_sub(1)? / 2).copied()
    }
}

/// One competitor's state within a session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarState {
    /// Index in the track's entries.
    pub entry: u32,
    /// Class id copied from the entry (class positions are kept incrementally).
    pub class_id: Option<u32>,
    /// Grid/order key for cars that have not crossed (explicit grid, else first-seen).
    pub grid_key: u64,
    /// Gate/lane for motos.
    pub gate: Option<u8>,
    /// Laps counted from crossings or feed refreshes.
    pub laps: u32,
    /// Laps added/removed by race control and lap penalties.
    pub lap_adjust: i64,
    /// Laps a results feed deducted beyond the laps driven (its lap counts went negative).
    #[serde(default)]
    pub feed_lap_debt: i64,
    /// Whether the car crossed the line since the start (the start crossing counts).
    pub crossed: bool,
    /// Seen on any loop since the start (tells DNF from DNS in motos).
    pub seen: bool,
    /// Time of the last start/finish crossing (input clock), for duplicate suppression.
    pub last_cross_us: Option<i64>,
    /// Total time at the last crossing (µs since the start).
    pub total_us: Option<i64>,
    /// Time penalties added to the total.
    pub time_penalty_us: i64,
    /// Last lap.
    pub last_lap: Option<LapTime>,
    /// Best lap.
    pub best_lap: Option<LapTime>,
    /// When the best lap was first seen (ties in practice go to the earlier).
    pub best_set_us: i64,
    /// Recent lap times.
    pub recent: RecentLaps,
    /// Last crossing time of each configured loop (index = loop index).
    pub loop_last_us: Vec<Option<i64>>,
    /// Time of the last lap or sector line, start of the running sector.
    pub sector_mark_us: Option<i64>,
    /// Sectors of the lap in progress.
    pub sectors: Vec<SectorTime>,
    /// Sectors of the last completed lap.
    pub last_sectors: Vec<SectorTime>,
    /// Last speed-trap reading.
    pub speed_trap: Option<SpeedReading>,
    /// In the pit lane.
    pub in_pit: bool,
    /// Pit stops so far.
    pub pit_stops: u32,
    /// Time of the last pit entry.
    pub pit_in_us: Option<i64>,
    /// Whether the lap in progress included a pit visit (long laps are then expected).
    pub pitted_this_lap: bool,
    /// Status (InPit is derived from `in_pit` for running cars).
    pub status: CarStatus,
    /// Penalties applied.
    pub penalties: Vec<Penalty>,
    /// Overall position (1-based), kept in step with the session order.
    pub position: u32,
    /// Position in class (1-based).
    pub class_position: u32,
    /// Position when the session started (for positions gained).
    pub start_position: u32,
    /// When the car finished (input clock).
    pub finished_us: Option<i64>,
    /// Duplicate reads suppressed for this car.
    pub duplicates: u32,
}

impl CarState {
    /// Laps after race-control adjustments, lap penalties and a feed's lap debt.
    pub fn effective_laps(&self) -> i64 {
        i64::from(self.laps)
            .saturating_add(self.lap_adjust)
            .saturating_add(self.feed_lap_debt)
    }

    /// Total time including time penalties.
    pub fn effective_total(&self) -> Option<i64> {
        self.total_us
            .map(|t| t.saturating_add(self.time_penalty_us))
    }

    /// Status as shown: a running car in the pit lane is `InPit`.
    pub fn shown_status(&self) -> CarStatus {
        match self.status {
            CarStatus::Running if self.in_pit => CarStatus::InPit,
            s => s,
        }
    }

    /// Clears everything the race produced, keeping identity and grid (restart, start).
    pub fn clear_progress(&mut self) {
        let keep = CarState {
            entry: self.entry,
            class_id: self.class_id,
            grid_key: self.grid_key,
            gate: self.gate,
            position: self.position,
            class_position: self.class_position,
            start_position: self.start_position,
            loop_last_us: vec![None; self.loop_last_us.len()],
            ..CarState::default()
        };
        *self = keep;
    }
}
