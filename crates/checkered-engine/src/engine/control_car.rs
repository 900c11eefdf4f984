//! Race-control decisions about one car: penalties, disqualification, retirement, lap
//! adjustments and forced finishes. Decisions may target a closed session (post-race
//! stewards); its classification is then amended.
//!
//! # Layout
//! - `TrackEngine::control_car`: finds the session and the car, applies, re-ranks.
//! - `decide`: what each intent changes and announces.
//! - `force_finish`: one car or the whole field.

use super::laps::{finish_car, show_flag};
use super::lifecycle::{emit_changes, reclassify_if_published};
use super::{Cx, TrackEngine};
use crate::event::{CarNumber, CarStatus, DerivedEvent, EventKind, Penalty};
use crate::input::{ControlIntent, Flag};
use crate::session::{CarState, Session};

impl TrackEngine {
    /// Applies a car-level intent.
    pub(crate) fn control_car(
        &mut self,
        at: i64,
        intent: &ControlIntent,
        out: &mut Vec<DerivedEvent>,
    ) {
        let Some((number, session_id)) = target(intent) else {
            return;
        };
        let entry = number.map(|n| self.st.entries.by_number(n));
        let (mut cx, current, closed) = self.parts(at, out);
        let session = match session_id {
            Some(id) => current
                .as_mut()
                .filter(|s| s.id == id)
                .or_else(|| closed.iter_mut().find(|s| s.id == id)),
            None => current.as_mut().or(closed.last_mut()),
        };
        let Some(s) = session else {
            cx.counters.unknown_cars = cx.counters.unknown_cars.saturating_add(1);
            return;
        };
        let slot = match entry {
            None => return force_finish(&mut cx, s, None),
            Some(e) => e.and_then(|e| s.slot_of(e)),
        };
        let Some(slot) = slot else {
            cx.counters.unknown_cars = cx.counters.unknown_cars.saturating_add(1);
            return;
        };
        if let ControlIntent::ForceFinish { .. } = intent {
            return force_finish(&mut cx, s, Some(slot));
        }
        if decide(&mut cx, s, slot, intent) {
            s.reposition(slot, cx.scratch);
            emit_changes(&mut cx, s);
            reclassify_if_published(&mut cx, s);
        }
    }
}

/// The car number (none: the whole field) and session an intent targets.
fn target(intent: &ControlIntent) -> Option<(Option<&String>, Option<u32>)> {
    Some(match intent {
        ControlIntent::TimePenalty {
            number, session_id, ..
        }
        | ControlIntent::LapPenalty {
            number, session_id, ..
        }
        | ControlIntent::Disqualify { number, session_id }
        | ControlIntent::AdjustLaps {
            number, session_id, ..
        } => (Some(number), *session_id),
        ControlIntent::DriveThrough { number } | ControlIntent::Retire { number } => {
            (Some(number), None)
        }
        ControlIntent::ForceFinish { number } => (number.as_ref(), None),
        _ => return None,
    })
}

/// Applies one decision to the car; returns whether anything changed.
fn decide(cx: &mut Cx<'_>, s: &mut Session, slot: u32, intent: &ControlIntent) -> bool {
    let Some(car) = s.car_mut(slot) else {
        return false;
    };
    let number = cx.entries.number(car.entry);
    let kind = match intent {
        ControlIntent::TimePenalty { penalty_us, .. } if *penalty_us > 0 => {
            car.time_penalty_us = car.time_penalty_us.saturating_add(*penalty_us);
            penalize(
                car,
                number,
                Penalty::Time {
                    time_us: *penalty_us,
                },
            )
        }
        ControlIntent::LapPenalty { laps, .. } if *laps > 0 => {
            car.lap_adjust = car.lap_adjust.saturating_sub(i64::from(*laps));
            penalize(car, number, Penalty::Laps { laps: *laps })
        }
        ControlIntent::DriveThrough { .. } => {
            penalize(car, number, Penalty::DriveThrough { served: false })
        }
        ControlIntent::Disqualify { .. } if car.status != CarStatus::Dq => {
            car.status = CarStatus::Dq;
            penalize(car, number, Penalty::Disqualification)
        }
        ControlIntent::Retire { .. } if matches!(car.status, CarStatus::Running) => {
            car.status = CarStatus::Dnf;
            car.in_pit = false;
            EventKind::StatusChanged {
                number,
                status: CarStatus::Dnf,
            }
        }
        ControlIntent::AdjustLaps { delta, .. } if *delta != 0 => {
            car.lap_adjust = car.lap_adjust.saturating_add(i64::from(*delta));
            EventKind::LapsAdjusted {
                number,
                delta: *delta,
            }
        }
        _ => return false,
    };
    cx.em.emit(Some(s.id), kind);
    true
}

/// Records a penalty on the car and the event announcing it.
fn penalize(car: &mut CarState, number: CarNumber, penalty: Penalty) -> EventKind {
    car.penalties.push(penalty.clone());
    EventKind::PenaltyApplied { number, penalty }
}

/// Finishes one car now, or (no car) shows the chequered flag and finishes every car still
/// running.
fn force_finish(cx: &mut Cx<'_>, s: &mut Session, slot: Option<u32>) {
    if !s.open {
        return;
    }
    match slot {
        Some(slot) => finish_car(cx, s, slot),
        None => {
            show_flag(cx, s, Flag::Checkered);
            let running: Vec<u32> = s.order.clone();
            for slot in running {
                if s.car(slot).is_some_and(|c| c.crossed || c.laps > 0) {
                    finish_car(cx, s, slot);
                }
            }
        }
    }
}
