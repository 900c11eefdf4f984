//! One session (practice, qualifying, race or moto) of a track: its cars, their order, its
//! flags and its classification versions.
//!
//! # Layout
//! - [`Session`]: the state; this file holds construction and car lookup.
//! - [`car`]: per-car state.
//! - [`rank`]: ordering rules and incremental position maintenance.
//! - [`flags`]: flag history.

pub mod car;
pub mod flags;
pub mod rank;

use crate::config::SessionKind;
use crate::event::LapTime;
use crate::input::Flag;
pub use car::{CarState, SectorTime, SpeedReading};
pub use flags::FlagPeriod;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The feed's own clock, from heartbeats, for feeds the engine does not start itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedClock {
    /// Laps to go (`None` = not lap-limited).
    pub laps_to_go: Option<u32>,
    /// Time to go in ms.
    pub time_to_go_ms: Option<i64>,
    /// Race time in ms.
    pub race_time_ms: Option<i64>,
}

/// The fastest lap of a session (or of a class).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fastest {
    /// Slot of the car that set it.
    pub slot: u32,
    /// The lap.
    pub lap: LapTime,
}

/// State of one session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Per-track session id, from 1.
    pub id: u32,
    /// Name (feed run name, staged name or "Session N").
    pub name: String,
    /// Ranking kind.
    pub kind: SessionKind,
    /// Set once race control chose the kind, so run names no longer change it.
    pub kind_locked: bool,
    /// Feed run number.
    pub run: Option<u32>,
    /// False once closed.
    pub open: bool,
    /// When it opened (input clock).
    pub opened_us: i64,
    /// When it started (green, gate drop, first crossing).
    pub started_us: Option<i64>,
    /// Staged by race control: crossings wait for the start.
    pub await_start: bool,
    /// Current flag.
    pub flag: Flag,
    /// Flag history.
    pub flags: Vec<FlagPeriod>,
    /// When the chequered flag was shown.
    pub checkered_us: Option<i64>,
    /// Race distance in laps.
    pub limit_laps: Option<u32>,
    /// Race duration in µs.
    pub limit_us: Option<i64>,
    /// Feed clock from heartbeats.
    pub feed_clock: FeedClock,
    /// Cars, by slot.
    pub cars: Vec<CarState>,
    /// Entry index → slot.
    pub slots: BTreeMap<u32, u32>,
    /// Slots in position order.
    pub order: Vec<u32>,
    /// Slot of the leader last announced.
    pub leader: Option<u32>,
    /// Lead changes after the start.
    pub lead_changes: u32,
    /// Fastest lap of the session.
    pub fastest: Option<Fastest>,
    /// Fastest lap per class id.
    pub class_best: BTreeMap<u32, Fastest>,
    /// Earliest total time at which each lap count was reached (index = laps - 1).
    pub lap_first_us: Vec<i64>,
    /// Last classification version emitted.
    pub classification_version: u32,
    /// Gate drop time of a moto.
    pub gate_drop_us: Option<i64>,
    /// Whether riders were staged (then only they take part).
    pub staged: bool,
    /// Whether the complete moto finish order was emitted.
    pub moto_order_done: bool,
    /// Probable missed passings flagged.
    pub missed_passings: u32,
}

impl Session {
    /// A new open session.
    pub fn new(id: u32, name: String, kind: SessionKind, run: Option<u32>, at_us: i64) -> Self {
        Self {
            id,
            name,
            kind,
            kind_locked: false,
            run,
            open: true,
            opened_us: at_us,
            started_us: None,
            await_start: false,
            flag: Flag::None,
            flags: Vec::new(),
            checkered_us: None,
            limit_laps: None,
            limit_us: None,
            feed_clock: FeedClock::default(),
            cars: Vec::new(),
            slots: BTreeMap::new(),
            order: Vec::new(),
            leader: None,
            lead_changes: 0,
            fastest: None,
            class_best: BTreeMap::new(),
            lap_first_us: Vec::new(),
            classification_version: 0,
            gate_drop_us: None,
            staged: false,
            moto_order_done: false,
            missed_passings: 0,
        }
    }

    /// Slot of an entry, if it takes part.
    pub fn slot_of(&self, entry: u32) -> Option<u32> {
        self.slots.get(&entry).copied()
    }

    /// Car in a slot.
    pub fn car(&self, slot: u32) -> Option<&CarState> {
        self.cars.get(slot as usize)
    }

    /// Mutable car in a slot.
    pub fn car_mut(&mut self, slot: u32) -> Option<&mut CarState> {
        self.cars.get_mut(slot as usize)
    }

    /// Slot at a 1-based position.
    pub fn slot_at(&self, position: u32) -> Option<u32> {
        self.order.get(position.checked_sub(1)? as usize).copied()
    }

    /// Laps of the car in first position (flag history counts laps with it).
    pub fn leader_laps(&self) -> u32 {
        self.slot_at(1).and_then(|s| self.car(s)).map_or(0, |c| {
            u32::try_from(c.effective_laps().max(0)).unwrap_or(u32::MAX)
        })
    }

    /// Whether any car crossed a line or completed a lap (empty sessions can be dropped).
    pub fn has_activity(&self) -> bool {
        self.cars
            .iter()
            .any(|c| c.crossed || c.laps > 0 || c.best_lap.is_some())
    }

    /// Records the total time at which a lap count was first reached (contiguous only, so
    /// huge lap counts from bad input never allocate).
    pub fn note_lap_first(&mut self, laps: u32, total_us: Option<i64>) {
        let (Some(total), Some(index)) = (total_us, (laps as usize).checked_sub(1)) else {
            return;
        };
        let len = self.lap_first_us.len();
        match self.lap_first_us.get_mut(index) {
            Some(t) => *t = (*t).min(total),
            None if index == len => self.lap_first_us.push(total),
            None => {}
        }
    }

    /// Checks internal indexes after restoring an untrusted snapshot.
    pub(crate) fn is_consistent(&self, entries: usize) -> bool {
        let n = self.cars.len();
        self.order.len() == n
            && self.order.iter().all(|&s| (s as usize) < n)
            && self.slots.values().all(|&s| (s as usize) < n)
            && self.cars.iter().all(|c| (c.entry as usize) < entries)
    }
}
