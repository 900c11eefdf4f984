//! The live board: one session's competitors with everything a timing screen shows, and
//! the session's flag, clock and records.
//!
//! # Layout
//! - [`Standings`], [`SessionView`], [`CompetitorView`], [`FlagView`], [`FastestLapView`]:
//!   the shape (serde; the live gateway sends it as the snapshot frame).
//! - [`build`]: from a session.

use super::format::{Gap, gap_between};
use crate::config::SessionKind;
use crate::entries::Entries;
use crate::event::{CarStatus, LapTime, Penalty};
use crate::input::Flag;
use crate::session::{CarState, SectorTime, Session, SpeedReading};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One flag period as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    /// The flag.
    pub flag: Flag,
    /// Start, µs since epoch.
    pub from_us: i64,
    /// End, while not running.
    pub to_us: Option<i64>,
    /// Duration so far, µs.
    pub duration_us: i64,
    /// Leader laps completed under it.
    pub laps: u32,
}

/// The fastest lap of the session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FastestLapView {
    /// Car number.
    pub number: String,
    /// The lap.
    pub lap: LapTime,
}

/// The session part of the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Session id.
    pub id: u32,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: SessionKind,
    /// Feed run number.
    pub run: Option<u32>,
    /// False once closed.
    pub open: bool,
    /// Start time.
    pub started_us: Option<i64>,
    /// Time since the start (feed race time when the feed gives it).
    pub elapsed_us: Option<i64>,
    /// Current flag.
    pub flag: Flag,
    /// Flag history.
    pub flags: Vec<FlagView>,
    /// Laps to go.
    pub laps_to_go: Option<i64>,
    /// Time to go, µs.
    pub time_to_go_us: Option<i64>,
    /// Leader's number.
    pub leader: Option<String>,
    /// Lead changes since the start.
    pub lead_changes: u32,
    /// Fastest lap.
    pub fastest_lap: Option<FastestLapView>,
    /// Probable missed passings flagged.
    pub missed_passings: u32,
    /// Last classification version.
    pub classification_version: u32,
}

/// One competitor on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetitorView {
    /// Overall position.
    pub position: u32,
    /// Position in class.
    pub class_position: u32,
    /// Number.
    pub number: String,
    /// Name.
    pub name: String,
    /// Class name.
    pub class: Option<String>,
    /// Laps (after adjustments).
    pub laps: i64,
    /// Last lap and its number.
    pub last_lap: Option<LapTime>,
    /// Best lap and its number.
    pub best_lap: Option<LapTime>,
    /// Sectors of the lap in progress.
    pub sectors: Vec<SectorTime>,
    /// Sectors of the last lap.
    pub last_sectors: Vec<SectorTime>,
    /// Last speed-trap reading.
    pub speed_trap: Option<SpeedReading>,
    /// Total time including penalties, µs.
    pub total_time_us: Option<i64>,
    /// Gap to the leader.
    pub gap: Option<Gap>,
    /// Interval to the car ahead.
    pub interval: Option<Gap>,
    /// Gap to the class leader.
    pub class_gap: Option<Gap>,
    /// Interval to the car ahead in class.
    pub class_interval: Option<Gap>,
    /// Positions gained since the start (negative: lost).
    pub positions_gained: i64,
    /// In the pit lane.
    pub in_pit: bool,
    /// Pit stops.
    pub pit_stops: u32,
    /// Status.
    pub status: CarStatus,
    /// Penalties.
    pub penalties: Vec<Penalty>,
    /// BMX gate.
    pub gate: Option<u8>,
}

/// The live board of one session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standings {
    /// Track id.
    pub track_id: String,
    /// Sequence number of the last derived event it reflects.
    pub seq: u64,
    /// Latest input time.
    pub now_us: Option<i64>,
    /// The session, if any.
    pub session: Option<SessionView>,
    /// Competitors in position order.
    pub competitors: Vec<CompetitorView>,
}

/// Builds the session view.
pub fn session_view(s: &Session, entries: &Entries, now_us: i64) -> SessionView {
    let leader_laps = s.leader_laps();
    let number = |slot: u32| s.car(slot).map(|c| entries.number(c.entry).to_string());
    let laps_to_go = match s.limit_laps {
        Some(l) => Some(i64::from(l).saturating_sub(i64::from(leader_laps)).max(0)),
        None => s.feed_clock.laps_to_go.map(i64::from),
    };
    let time_to_go_us = match (s.limit_us, s.started_us) {
        (Some(d), Some(start)) => Some(start.saturating_add(d).saturating_sub(now_us).max(0)),
        _ => s.feed_clock.time_to_go_ms.map(|m| m.saturating_mul(1000)),
    };
    let elapsed_us = match s.feed_clock.race_time_ms {
        Some(ms) => Some(ms.saturating_mul(1000)),
        None => s.started_us.map(|t| now_us.saturating_sub(t).max(0)),
    };
    SessionView {
        id: s.id,
        name: s.name.clone(),
        kind: s.kind,
        run: s.run,
        open: s.open,
        started_us: s.started_us,
        elapsed_us,
        flag: s.flag,
        flags: s
            .flags
            .iter()
            .map(|f| FlagView {
                flag: f.flag,
                from_us: f.from_us,
                to_us: f.to_us,
                duration_us: f.duration_us(now_us),
                laps: f.laps(leader_laps),
            })
            .collect(),
        laps_to_go,
        time_to_go_us,
        leader: s.leader.and_then(number),
        lead_changes: s.lead_changes,
        fastest_lap: s.fastest.and_then(|f| {
            Some(FastestLapView {
                number: number(f.slot)?,
                lap: f.lap,
            })
        }),
        missed_passings: s.missed_passings,
        classification_version: s.classification_version,
    }
}

/// Builds the board of a session.
pub fn build(
    track_id: &str,
    seq: u64,
    now_us: Option<i64>,
    s: &Session,
    entries: &Entries,
) -> Standings {
    let now = now_us.unwrap_or(s.opened_us);
    let mut class_leader: BTreeMap<Option<u32>, &CarState> = BTreeMap::new();
    let mut class_ahead: BTreeMap<Option<u32>, &CarState> = BTreeMap::new();
    let leader = s.slot_at(1).and_then(|slot| s.car(slot));
    let mut ahead: Option<&CarState> = None;
    let mut competitors = Vec::with_capacity(s.order.len());
    for car in s.order.iter().filter_map(|&slot| s.car(slot)) {
        let gap =
            |a: Option<&CarState>| a.and_then(|a| gap_between(s.kind, a, car, &s.lap_first_us));
        let mut view = competitor(car, entries);
        view.gap = gap(leader.filter(|l| l.entry != car.entry));
        view.interval = gap(ahead);
        view.class_gap = gap(class_leader.get(&car.class_id).copied());
        view.class_interval = gap(class_ahead.get(&car.class_id).copied());
        class_leader.entry(car.class_id).or_insert(car);
        class_ahead.insert(car.class_id, car);
        ahead = Some(car);
        competitors.push(view);
    }
    Standings {
        track_id: track_id.to_owned(),
        seq,
        now_us,
        session: Some(session_view(s, entries, now)),
        competitors,
    }
}

fn competitor(car: &CarState, entries: &Entries) -> CompetitorView {
    let entry = entries.get(car.entry);
    CompetitorView {
        position: car.position,
        class_position: car.class_position,
        number: entry.map(|e| e.number.to_string()).unwrap_or_default(),
        name: entry.map(|e| e.display_name()).unwrap_or_default(),
        class: entries.class_name(car.class_id).map(str::to_owned),
        laps: car.effective_laps(),
        last_lap: car.last_lap,
        best_lap: car.best_lap,
        sectors: car.sectors.clone(),
        last_sectors: car.last_sectors.clone(),
        speed_trap: car.speed_trap.clone(),
        total_time_us: car.effective_total(),
        gap: None,
        interval: None,
        class_gap: None,
        class_interval: None,
        positions_gained: i64::from(car.start_position) - i64::from(car.position),
        in_pit: car.in_pit,
        pit_stops: car.pit_stops,
        status: car.shown_status(),
        penalties: car.penalties.clone(),
        gate: car.gate,
    }
}
