//! The lap rules every source shares: counting a lap, best laps, the missed-passing check,
//! race limits and the chequered flag.
//!
//! # Layout
//! - [`Lap`]: what a source knows about a completed lap.
//! - `complete_lap`: applies it and emits everything it causes.
//! - `record_lap_time`: personal, class and overall bests.
//! - `finish_car`, `show_flag`, `change_flag`: finishing and flag changes.

use super::Cx;
use super::lifecycle::{emit_changes, emit_classification};
use crate::config::SessionKind;
use crate::event::{CarNumber, CarStatus, ClassificationState, EventKind, LapTime};
use crate::input::Flag;
use crate::session::{CarState, Fastest, Session};

/// A completed lap as a source reports it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lap {
    /// Laps completed after this one (feeds may jump several).
    pub laps: u32,
    /// Lap time, when known.
    pub time_us: Option<i64>,
    /// Total time at the line, when known.
    pub total_us: Option<i64>,
}

/// Counts a lap for the car in `slot` and emits what follows from it.
pub(crate) fn complete_lap(cx: &mut Cx<'_>, s: &mut Session, slot: u32, lap: Lap) {
    let pct = i64::from(cx.cfg.suspicious_lap_percent);
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    let (reference, pitted) = count_lap(car, lap, pct);
    let entry = car.entry;
    s.note_lap_first(lap.laps, lap.total_us);
    s.reposition(slot, cx.scratch);
    let position = s.car(slot).map_or(0, |c| c.position);
    let number = cx.entries.number(entry);
    let kind = EventKind::LapCompleted {
        number: number.clone(),
        lap: lap.laps,
        lap_time_us: lap.time_us,
        total_time_us: lap.total_us,
        position,
    };
    cx.em.emit(Some(s.id), kind);
    emit_changes(cx, s);
    if let Some(time_us) = lap.time_us.filter(|t| *t > 0) {
        let lt = LapTime {
            lap: lap.laps,
            time_us,
        };
        record_lap_time(cx, s, slot, lt);
        let limit = reference.map(|r| r.saturating_mul(pct) / 100);
        if !pitted && limit.is_some_and(|l| l > 0 && time_us > l) {
            flag_missed_passing(cx, s, number, lt, reference.unwrap_or(0));
        }
    }
    check_limits(cx, s, slot);
    if s.checkered_us.is_some_and(|c| cx.em.at >= c) {
        finish_car(cx, s, slot);
    }
}

/// Updates the car's counters for a lap; returns the pace to compare the lap with (only
/// when it could be too long) and whether the lap included a pit visit.
fn count_lap(car: &mut CarState, lap: Lap, pct: i64) -> (Option<i64>, bool) {
    car.laps = lap.laps;
    car.crossed = true;
    if lap.total_us.is_some() {
        car.total_us = lap.total_us;
    }
    // The median is at least the best lap, so laps within the factor of the best lap need
    // no median (the common case, and it saves a sort per lap).
    let within_best = match (car.best_lap, lap.time_us) {
        (Some(best), Some(t)) => t <= best.time_us.saturating_mul(pct) / 100,
        _ => false,
    };
    let reference = if within_best {
        None
    } else {
        car.recent.median()
    };
    let pitted = std::mem::replace(&mut car.pitted_this_lap, car.in_pit);
    if let Some(t) = lap.time_us {
        car.recent.push(t);
    }
    (reference, pitted)
}

fn flag_missed_passing(
    cx: &mut Cx<'_>,
    s: &mut Session,
    number: CarNumber,
    lap: LapTime,
    reference_us: i64,
) {
    s.missed_passings = s.missed_passings.saturating_add(1);
    cx.counters.missed_passings = cx.counters.missed_passings.saturating_add(1);
    let kind = EventKind::ProbableMissedPassing {
        number,
        lap,
        reference_us,
    };
    cx.em.emit(Some(s.id), kind);
}

/// Records a lap time: last lap, and personal/class/overall bests with their events.
pub(crate) fn record_lap_time(cx: &mut Cx<'_>, s: &mut Session, slot: u32, lt: LapTime) {
    let at = cx.em.at;
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    car.last_lap = Some(lt);
    improve_best(cx, s, slot, lt, at);
}

/// Takes `lt` as the car's best lap if it is better, emitting personal/class/overall bests.
pub(crate) fn improve_best(cx: &mut Cx<'_>, s: &mut Session, slot: u32, lt: LapTime, at: i64) {
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    if car.best_lap.is_some_and(|b| b.time_us <= lt.time_us) {
        return;
    }
    car.best_lap = Some(lt);
    car.best_set_us = at;
    let (entry, class_id) = (car.entry, car.class_id);
    let number = cx.entries.number(entry);
    let id = Some(s.id);
    cx.em.emit(
        id,
        EventKind::PersonalBest {
            number: number.clone(),
            best: lt,
        },
    );
    let beats = |f: Option<&Fastest>| f.is_none_or(|f| lt.time_us < f.lap.time_us);
    if let Some(class) = class_id
        && beats(s.class_best.get(&class))
    {
        s.class_best.insert(class, Fastest { slot, lap: lt });
        let class = cx.entries.class_name(Some(class)).map(str::to_owned);
        let kind = EventKind::ClassBest {
            number: number.clone(),
            class,
            best: lt,
        };
        cx.em.emit(id, kind);
    }
    if beats(s.fastest.as_ref()) {
        s.fastest = Some(Fastest { slot, lap: lt });
        cx.em.emit(id, EventKind::OverallBest { number, best: lt });
    }
    if s.kind.ranks_by_best_lap() {
        s.reposition(slot, cx.scratch);
        emit_changes(cx, s);
    }
}

/// Shows the chequered flag when the leader reaches the race distance or duration.
fn check_limits(cx: &mut Cx<'_>, s: &mut Session, slot: u32) {
    if s.checkered_us.is_some() || s.kind != SessionKind::Race || s.slot_at(1) != Some(slot) {
        return;
    }
    let Some(car) = s.car(slot) else {
        return;
    };
    let laps_done = s
        .limit_laps
        .is_some_and(|l| car.effective_laps() >= i64::from(l));
    let time_done = match (s.limit_us, s.started_us) {
        (Some(d), Some(start)) => cx.em.at.saturating_sub(start) >= d,
        _ => false,
    };
    if laps_done || time_done {
        show_flag(cx, s, Flag::Checkered);
    }
}

/// Changes the flag, emitting the change and, at the chequered flag, a provisional
/// classification.
pub(crate) fn show_flag(cx: &mut Cx<'_>, s: &mut Session, flag: Flag) {
    if change_flag(cx, s, flag) && flag == Flag::Checkered {
        emit_classification(cx, s, ClassificationState::Provisional);
    }
}

/// Changes the flag and emits the change; returns whether it changed. Callers that must
/// act between the chequered flag and its provisional classification use this.
pub(crate) fn change_flag(cx: &mut Cx<'_>, s: &mut Session, flag: Flag) -> bool {
    let at = cx.em.at;
    let Some(from) = s.set_flag(flag, at) else {
        return false;
    };
    let lap = s.leader_laps();
    cx.em.emit(
        Some(s.id),
        EventKind::FlagChanged {
            from,
            to: flag,
            lap,
        },
    );
    true
}

/// Marks a car finished (once) and announces it.
pub(crate) fn finish_car(cx: &mut Cx<'_>, s: &mut Session, slot: u32) {
    let at = cx.em.at;
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    if !matches!(car.status, CarStatus::Running) {
        return;
    }
    car.status = CarStatus::Finished;
    car.in_pit = false;
    if car.finished_us.is_none() {
        car.finished_us = Some(at);
    }
    let kind = EventKind::CarFinished {
        number: cx.entries.number(car.entry),
        position: car.position,
        laps: car.effective_laps(),
        total_time_us: car.effective_total(),
    };
    cx.em.emit(Some(s.id), kind);
}
