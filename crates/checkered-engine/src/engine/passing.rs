//! Raw decoder passings: duplicate suppression, lap counting at the line, sectors, speed
//! traps and pit loops.
//!
//! # Layout
//! - `TrackEngine::on_passing`: resolves the loop, the entry and the session.
//! - `line_crossing`: start/finish (and pit-lane lap line) rules.
//! - `sector_crossing`, `speed_trap`, `pit_in`, `pit_out`: the other loop roles.

use super::laps::{Lap, complete_lap};
use super::lifecycle::{emit_changes, ensure_car};
use super::{Cx, TrackEngine};
use crate::config::{LoopRole, SessionKind};
use crate::event::{CarStatus, DerivedEvent, EventKind, Penalty};
use crate::input::Passing;
use crate::session::{SectorTime, Session, SpeedReading};

impl TrackEngine {
    /// Applies one raw passing.
    pub(crate) fn on_passing(&mut self, at: i64, p: &Passing, out: &mut Vec<DerivedEvent>) {
        if self.moto_context() && self.st.config.is_gate_beacon(&p.transponder) {
            self.gate_drop(at, Some(p.transponder.clone()), out);
            return;
        }
        let role = if self.st.config.loops.is_empty() {
            Some((usize::MAX, LoopRole::StartFinish))
        } else {
            self.st
                .config
                .find_loop(&p.line)
                .map(|(i, l)| (i, l.role.clone()))
        };
        let Some((index, role)) = role else {
            self.st.counters.unknown_lines = self.st.counters.unknown_lines.saturating_add(1);
            return;
        };
        let entry = match self.st.entries.by_transponder(&p.transponder) {
            Some(entry) => entry,
            None => {
                let entry = self.st.entries.ensure_transponder(&p.transponder);
                self.announce_entry(at, entry, out);
                entry
            }
        };
        self.ensure_session(at, out);
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        if s.kind == SessionKind::Moto {
            super::moto::rider_passing(&mut cx, s, entry, index, &role);
            return;
        }
        let slot = ensure_car(&mut cx, s, entry);
        match role {
            LoopRole::StartFinish => line_crossing(&mut cx, s, slot, false),
            LoopRole::PitLane => line_crossing(&mut cx, s, slot, true),
            LoopRole::Sector { index: sector } => sector_crossing(&mut cx, s, slot, index, sector),
            LoopRole::SpeedTrap { from, distance_mm } => {
                speed_trap(&mut cx, s, slot, index, &from, distance_mm)
            }
            LoopRole::PitIn => loop_then(&mut cx, s, slot, index, pit_in),
            LoopRole::PitOut => loop_then(&mut cx, s, slot, index, pit_out),
            LoopRole::Gate => loop_then(&mut cx, s, slot, index, |_, _, _| {}),
        }
    }

    /// Emits an `entry_updated` for a new or changed entry.
    pub(crate) fn announce_entry(&mut self, at: i64, entry: u32, out: &mut Vec<DerivedEvent>) {
        let (mut cx, _, _) = self.parts(at, out);
        let Some(e) = cx.entries.get(entry) else {
            return;
        };
        let kind = EventKind::EntryUpdated {
            number: e.number.clone(),
            name: e.display_name(),
            class: cx.entries.class_name(e.class_id).map(str::to_owned),
        };
        cx.em.emit(None, kind);
    }
}

/// True (and counted) when this read repeats one within the minimum lap time, or is older.
pub(crate) fn is_repeat(cx: &mut Cx<'_>, last: Option<i64>) -> bool {
    let Some(last) = last else {
        return false;
    };
    let since = cx.em.at.saturating_sub(last);
    if since < 0 {
        cx.counters.out_of_order = cx.counters.out_of_order.saturating_add(1);
        true
    } else if since < cx.cfg.min_lap_time_us {
        cx.counters.duplicates = cx.counters.duplicates.saturating_add(1);
        true
    } else {
        false
    }
}

/// A start/finish crossing: the first one after the start opens lap 1, each later one
/// completes a lap.
fn line_crossing(cx: &mut Cx<'_>, s: &mut Session, slot: u32, pit_lane: bool) {
    let at = cx.em.at;
    let Some(car) = s.car(slot) else {
        return;
    };
    if is_repeat(cx, car.last_cross_us) {
        if let Some(car) = s.car_mut(slot) {
            car.duplicates = car.duplicates.saturating_add(1);
        }
        return;
    }
    if s.await_start || car.status == CarStatus::Finished {
        cx.counters.ignored_crossings = cx.counters.ignored_crossings.saturating_add(1);
        return;
    }
    let start = *s.started_us.get_or_insert(at);
    let last_sector = cx.cfg.last_sector_index();
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    let previous = car.last_cross_us.replace(at);
    car.seen = true;
    let total = at.saturating_sub(start);
    close_sector(car, at, last_sector);
    if pit_lane && !car.in_pit {
        pit_in(cx, s, slot);
    }
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    match previous.filter(|_| car.crossed) {
        None => {
            car.crossed = true;
            car.total_us = Some(total);
            s.reposition(slot, cx.scratch);
            emit_changes(cx, s);
        }
        Some(prev) => {
            let lap = Lap {
                laps: car.laps.saturating_add(1),
                time_us: Some(at.saturating_sub(prev)),
                total_us: Some(total),
            };
            complete_lap(cx, s, slot, lap);
        }
    }
}

/// Ends the running sector at the line and moves the lap's sectors to "last lap".
fn close_sector(car: &mut crate::session::CarState, at: i64, last_sector: u8) {
    if last_sector == 0 {
        return;
    }
    if let Some(mark) = car.sector_mark_us.filter(|_| car.crossed) {
        let sector = last_sector.saturating_add(1);
        car.sectors.push(SectorTime {
            sector,
            time_us: at.saturating_sub(mark),
        });
        std::mem::swap(&mut car.sectors, &mut car.last_sectors);
        car.sectors.clear();
    }
    car.sector_mark_us = Some(at);
}

/// Runs `then` on a loop crossing unless it repeats a read of the same loop.
fn loop_then(
    cx: &mut Cx<'_>,
    s: &mut Session,
    slot: u32,
    index: usize,
    then: impl FnOnce(&mut Cx<'_>, &mut Session, u32),
) {
    let at = cx.em.at;
    let Some(last) = s
        .car(slot)
        .map(|c| c.loop_last_us.get(index).copied().flatten())
    else {
        return;
    };
    if is_repeat(cx, last) {
        return;
    }
    if let Some(car) = s.car_mut(slot) {
        if let Some(l) = car.loop_last_us.get_mut(index) {
            *l = Some(at);
        }
        car.seen = true;
    }
    then(cx, s, slot);
}

fn sector_crossing(cx: &mut Cx<'_>, s: &mut Session, slot: u32, index: usize, sector: u8) {
    let id = s.id;
    loop_then(cx, s, slot, index, |cx, s, slot| {
        let at = cx.em.at;
        let Some(car) = s.car_mut(slot) else {
            return;
        };
        let Some(mark) = car.sector_mark_us.filter(|_| car.crossed) else {
            return;
        };
        let time_us = at.saturating_sub(mark);
        car.sectors.push(SectorTime { sector, time_us });
        car.sector_mark_us = Some(at);
        let number = cx.entries.number(car.entry);
        cx.em.emit(
            Some(id),
            EventKind::SectorCompleted {
                number,
                sector,
                time_us,
            },
        );
    });
}

fn speed_trap(cx: &mut Cx<'_>, s: &mut Session, slot: u32, index: usize, from: &str, mm: u32) {
    let from_index = cx.cfg.find_loop(from).map(|(i, _)| i);
    let loop_id = cx
        .cfg
        .loops
        .get(index)
        .map(|l| l.id.clone())
        .unwrap_or_default();
    let id = s.id;
    loop_then(cx, s, slot, index, |cx, s, slot| {
        let at = cx.em.at;
        let Some(car) = s.car_mut(slot) else {
            return;
        };
        let start = from_index.and_then(|i| car.loop_last_us.get(i).copied().flatten());
        let Some(time_us) = start.map(|t| at.saturating_sub(t)).filter(|t| *t > 0) else {
            return;
        };
        // 1 mm/µs = 3600 km/h, so thousandths of km/h = mm × 3.6e6 / µs (i128: no overflow).
        let speed = i128::from(mm) * 3_600_000 / i128::from(time_us);
        let speed_mkmh = u64::try_from(speed).unwrap_or(u64::MAX);
        car.speed_trap = Some(SpeedReading {
            loop_id: loop_id.clone(),
            time_us,
            speed_mkmh,
        });
        let number = cx.entries.number(car.entry);
        let kind = EventKind::SpeedTrap {
            number,
            loop_id,
            time_us,
            speed_mkmh,
        };
        cx.em.emit(Some(id), kind);
    });
}

/// The car entered the pit lane.
pub(crate) fn pit_in(cx: &mut Cx<'_>, s: &mut Session, slot: u32) {
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    if car.in_pit {
        return;
    }
    car.in_pit = true;
    car.pitted_this_lap = true;
    car.pit_stops = car.pit_stops.saturating_add(1);
    car.pit_in_us = Some(cx.em.at);
    let kind = EventKind::PitIn {
        number: cx.entries.number(car.entry),
        stop: car.pit_stops,
    };
    cx.em.emit(Some(s.id), kind);
}

/// The car left the pit lane; a pending drive-through is served. A pit exit without a
/// pit entry still counts the stop (the entry read was missed), unless the car had not
/// crossed the line yet (leaving the paddock at the start of a session).
pub(crate) fn pit_out(cx: &mut Cx<'_>, s: &mut Session, slot: u32) {
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    if !car.in_pit && car.crossed {
        car.pit_stops = car.pit_stops.saturating_add(1);
        car.pit_in_us = None;
    }
    car.in_pit = false;
    car.pitted_this_lap = true;
    let duration_us = car.pit_in_us.take().map(|t| cx.em.at.saturating_sub(t));
    if let Some(p) = car
        .penalties
        .iter_mut()
        .find(|p| matches!(p, Penalty::DriveThrough { served: false }))
    {
        *p = Penalty::DriveThrough { served: true };
    }
    let number = cx.entries.number(car.entry);
    cx.em.emit(
        Some(s.id),
        EventKind::PitOut {
            number,
            duration_us,
        },
    );
}
