//! BMX motos: the gate drop starts the moto, each rider's first finish-line crossing after
//! it is the finish, and the finish order is announced once every staged rider is in.
//! A rider who does not finish is DNF, or DNS when the track reads riders before the finish
//! (at the gate or a split) and this one was never read.
//!
//! # Layout
//! - `TrackEngine::{moto_context, gate_drop}`: gate drops (beacon or race control).
//! - `rider_passing`: a rider's crossing during a moto.
//! - `emit_finish_order`: the `moto_finish_order` event.

use super::laps::show_flag;
use super::lifecycle::{emit_changes, emit_classification, ensure_car};
use super::{Cx, TrackEngine};
use crate::config::{LoopRole, SessionKind};
use crate::event::{
    CarStatus, ClassificationState, DerivedEvent, EndReason, EventKind, MotoResult,
};
use crate::input::Flag;
use crate::session::Session;

impl TrackEngine {
    /// Gate beacons are gate drops on BMX tracks (or during a moto), ordinary transponders
    /// elsewhere.
    pub(crate) fn moto_context(&self) -> bool {
        self.st.config.default_session_kind == SessionKind::Moto
            || self
                .st
                .current
                .as_ref()
                .is_some_and(|s| s.kind == SessionKind::Moto)
    }

    /// The gate dropped: starts the staged moto, re-runs a moto nobody finished yet, or
    /// closes a finished one and starts the next.
    pub(crate) fn gate_drop(
        &mut self,
        at: i64,
        beacon: Option<String>,
        out: &mut Vec<DerivedEvent>,
    ) {
        let min_gap = self.st.config.min_lap_time_us;
        if let Some(s) = &self.st.current {
            if s.gate_drop_us
                .is_some_and(|g| (0..min_gap).contains(&at.saturating_sub(g)))
            {
                self.st.counters.duplicates = self.st.counters.duplicates.saturating_add(1);
                return;
            }
            let finished = s.cars.iter().any(|c| c.finished_us.is_some());
            if s.kind == SessionKind::Moto && finished {
                self.close_current(at, EndReason::NextMoto, out);
            }
        }
        if self.st.current.is_none() {
            self.st.motos = self.st.motos.saturating_add(1);
            let name = format!("Moto {}", self.st.motos);
            self.open_session(at, Some(name), Some(SessionKind::Moto), None, out);
        }
        let (mut cx, current, _) = self.parts(at, out);
        if let Some(s) = current.as_mut() {
            start_moto(&mut cx, s, beacon);
        }
    }
}

/// Starts (or restarts) the moto at the gate drop.
fn start_moto(cx: &mut Cx<'_>, s: &mut Session, beacon: Option<String>) {
    let at = cx.em.at;
    for car in &mut s.cars {
        // Riders read at the gate before the drop are on track.
        let seen = car.seen;
        car.clear_progress();
        car.seen = seen;
    }
    s.gate_drop_us = Some(at);
    s.started_us = Some(at);
    s.await_start = false;
    s.moto_order_done = false;
    s.resort(cx.scratch);
    emit_changes(cx, s);
    cx.em.emit(Some(s.id), EventKind::GateDrop { beacon });
    show_flag(cx, s, Flag::Green);
}

/// A rider's passing during a moto: the first finish-line crossing after the gate drop
/// (and at least the minimum lap time after it) is the finish.
pub(crate) fn rider_passing(
    cx: &mut Cx<'_>,
    s: &mut Session,
    entry: u32,
    index: usize,
    role: &LoopRole,
) {
    let at = cx.em.at;
    let slot = match s.slot_of(entry) {
        Some(slot) => slot,
        None if s.staged => {
            cx.counters.unknown_cars = cx.counters.unknown_cars.saturating_add(1);
            return;
        }
        None => ensure_car(cx, s, entry),
    };
    let gate_drop = s.gate_drop_us;
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    if !matches!(role, LoopRole::StartFinish) {
        // A rider read at the gate or a split is on track (tells DNF from DNS).
        car.seen = true;
        if let Some(l) = car.loop_last_us.get_mut(index) {
            *l = Some(at);
        }
        return;
    }
    let Some(drop) = gate_drop else {
        cx.counters.ignored_crossings = cx.counters.ignored_crossings.saturating_add(1);
        return;
    };
    if at < drop {
        cx.counters.out_of_order = cx.counters.out_of_order.saturating_add(1);
        return;
    }
    if car.finished_us.is_some() || at.saturating_sub(drop) < cx.cfg.min_lap_time_us {
        cx.counters.ignored_crossings = cx.counters.ignored_crossings.saturating_add(1);
        return;
    }
    finish_rider(cx, s, slot, at.saturating_sub(drop));
}

fn finish_rider(cx: &mut Cx<'_>, s: &mut Session, slot: u32, time_us: i64) {
    let at = cx.em.at;
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    car.finished_us = Some(at);
    car.total_us = Some(time_us);
    car.laps = 1;
    car.crossed = true;
    car.status = CarStatus::Finished;
    s.reposition(slot, cx.scratch);
    emit_changes(cx, s);
    let Some(car) = s.car(slot) else {
        return;
    };
    let kind = EventKind::CarFinished {
        number: cx.entries.number(car.entry),
        position: car.position,
        laps: 1,
        total_time_us: Some(time_us),
    };
    cx.em.emit(Some(s.id), kind);
    let all_in = s.cars.iter().all(|c| c.finished_us.is_some());
    if s.staged && all_in {
        emit_finish_order(cx, s, true);
        emit_classification(cx, s, ClassificationState::Provisional);
    }
}

/// Announces the finish order; `complete` once no rider is still out.
pub(crate) fn emit_finish_order(cx: &mut Cx<'_>, s: &mut Session, complete: bool) {
    let riders = s
        .order
        .iter()
        .filter_map(|&slot| s.car(slot))
        .map(|car| MotoResult {
            position: car.position,
            number: cx.entries.number(car.entry),
            gate: car.gate,
            time_us: car.finished_us.and(car.total_us),
            status: car.status,
        })
        .collect();
    s.moto_order_done = complete;
    cx.em
        .emit(Some(s.id), EventKind::MotoFinishOrder { complete, riders });
}
