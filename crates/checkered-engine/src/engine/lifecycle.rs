//! Opening and closing sessions, adding cars, and emitting classification versions.
//!
//! # Layout
//! - `TrackEngine::{open_session, ensure_session, close_current}`: session lifecycle.
//! - `new_car`, `ensure_car`: cars joining a session.
//! - `emit_classification`, `emit_changes`, `settle_statuses`: shared emission helpers.

use super::{Cx, TrackEngine};
use crate::config::SessionKind;
use crate::event::{CarStatus, ClassificationState, DerivedEvent, EndReason, EventKind};
use crate::session::{CarState, Session};
use crate::view::classification;

impl TrackEngine {
    /// Opens a new session (the caller closed the previous one) and announces it.
    pub(crate) fn open_session(
        &mut self,
        at: i64,
        name: Option<String>,
        kind: Option<SessionKind>,
        run: Option<u32>,
        out: &mut Vec<DerivedEvent>,
    ) {
        let id = self.st.next_session_id;
        self.st.next_session_id = id.saturating_add(1);
        let forced = self.st.config.forced_session_kind;
        let kind_given = kind.is_some();
        let kind = forced
            .or(kind)
            .unwrap_or(self.st.config.default_session_kind);
        let name = name.unwrap_or_else(|| format!("Session {id}"));
        let mut session = Session::new(id, name.clone(), kind, run, at);
        session.kind_locked = forced.is_some() || (kind_given && run.is_none());
        let (mut cx, _, _) = self.parts(at, out);
        cx.em
            .emit(Some(id), EventKind::SessionStarted { name, kind, run });
        self.st.current = Some(session);
    }

    /// Makes sure a session is open: activity without one opens it under the feed's current
    /// run (if any), with the feed roster on its grid.
    pub(crate) fn ensure_session(&mut self, at: i64, out: &mut Vec<DerivedEvent>) {
        if self.st.current.is_some() {
            return;
        }
        let run = self.st.feed_run.clone();
        let kind = run
            .as_ref()
            .map(|r| r.kind.unwrap_or(SessionKind::from_run_name(&r.name)));
        self.open_session(
            at,
            run.as_ref().map(|r| r.name.clone()),
            kind,
            run.map(|r| r.number),
            out,
        );
        self.add_roster(at, out);
    }

    /// Puts every competitor the feed listed since the last run change on the grid.
    pub(crate) fn add_roster(&mut self, at: i64, out: &mut Vec<DerivedEvent>) {
        let roster = std::mem::take(&mut self.st.feed_roster);
        let (mut cx, current, _) = self.parts(at, out);
        if let Some(s) = current.as_mut() {
            for &entry in &roster {
                ensure_car(&mut cx, s, entry);
            }
        }
        self.st.feed_roster = roster;
    }

    /// Closes the open session: settles statuses, announces the end and the final
    /// classification, and keeps it for later amendments.
    pub(crate) fn close_current(
        &mut self,
        at: i64,
        reason: EndReason,
        out: &mut Vec<DerivedEvent>,
    ) {
        let (mut cx, current, closed) = self.parts(at, out);
        let Some(mut s) = current.take() else {
            return;
        };
        settle_statuses(&mut cx, &mut s);
        s.close_flags(at);
        s.open = false;
        cx.em.emit(Some(s.id), EventKind::SessionEnded { reason });
        emit_classification(&mut cx, &mut s, ClassificationState::Final);
        closed.push(s);
    }
}

/// A car for `entry`, with its class, grid key and loop table.
pub(crate) fn new_car(cx: &Cx<'_>, entry: u32) -> CarState {
    let e = cx.entries.get(entry);
    let grid_key = match e.and_then(|e| e.grid) {
        Some(g) => u64::from(g),
        None => (1u64 << 32) + u64::from(entry),
    };
    CarState {
        entry,
        class_id: e.and_then(|e| e.class_id),
        grid_key,
        loop_last_us: vec![None; cx.cfg.loops.len()],
        ..CarState::default()
    }
}

/// The slot of `entry` in the session, adding the car at its place when new.
pub(crate) fn ensure_car(cx: &mut Cx<'_>, s: &mut Session, entry: u32) -> u32 {
    if let Some(slot) = s.slot_of(entry) {
        return slot;
    }
    let car = new_car(cx, entry);
    let slot = s.add_car(car, cx.scratch);
    emit_changes(cx, s);
    slot
}

/// Emits the position changes collected in `cx.scratch` and any change of leader.
pub(crate) fn emit_changes(cx: &mut Cx<'_>, s: &mut Session) {
    for change in cx.scratch.drain(..) {
        let Some(car) = s.cars.get(change.slot as usize) else {
            continue;
        };
        if car.position != change.from {
            let number = cx.entries.number(car.entry);
            let kind = EventKind::PositionChanged {
                number,
                from: change.from,
                to: car.position,
            };
            cx.em.emit(Some(s.id), kind);
        }
    }
    check_leader(cx, s);
}

fn has_result(kind: SessionKind, car: &CarState) -> bool {
    match kind {
        SessionKind::Race => car.effective_laps() >= 1,
        SessionKind::Practice | SessionKind::Qualifying => car.best_lap.is_some(),
        SessionKind::Moto => car.finished_us.is_some(),
    }
}

/// Announces a new leader once the car in front has a result; counts lead changes.
fn check_leader(cx: &mut Cx<'_>, s: &mut Session) {
    let Some(first) = s.slot_at(1) else {
        return;
    };
    let Some(car) = s.car(first) else {
        return;
    };
    if s.leader == Some(first) || !has_result(s.kind, car) {
        return;
    }
    let number = cx.entries.number(car.entry);
    let previous = s.leader.replace(first);
    if previous.is_some() {
        s.lead_changes = s.lead_changes.saturating_add(1);
    }
    let previous = previous
        .and_then(|p| s.car(p))
        .map(|c| cx.entries.number(c.entry));
    cx.em
        .emit(Some(s.id), EventKind::LeadChanged { number, previous });
}

/// Emits the next classification version of a session.
pub(crate) fn emit_classification(cx: &mut Cx<'_>, s: &mut Session, state: ClassificationState) {
    s.classification_version = s.classification_version.saturating_add(1);
    let classification = classification::build(s, cx.entries);
    let kind = EventKind::Classification {
        version: s.classification_version,
        state,
        classification,
    };
    cx.em.emit(Some(s.id), kind);
}

/// A new provisional or amended version after a decision, when results are already out.
pub(crate) fn reclassify_if_published(cx: &mut Cx<'_>, s: &mut Session) {
    if !s.open {
        emit_classification(cx, s, ClassificationState::Amended);
    } else if s.checkered_us.is_some() {
        emit_classification(cx, s, ClassificationState::Provisional);
    }
}

/// At the close: cars that never crossed did not start; in a race that saw the flag, cars
/// that did not take it did not finish; riders who did not finish a moto are DNF, or DNS
/// when riders are read before the finish in this moto and this one never was.
fn settle_statuses(cx: &mut Cx<'_>, s: &mut Session) {
    let flagged = s.checkered_us.is_some();
    let reads_riders = s.cars.iter().any(|c| c.seen);
    for car in &mut s.cars {
        if car.status != CarStatus::Running {
            continue;
        }
        let started = car.crossed || car.laps > 0 || car.seen;
        let new = match s.kind {
            SessionKind::Moto if car.finished_us.is_none() => Some(if reads_riders && !car.seen {
                CarStatus::Dns
            } else {
                CarStatus::Dnf
            }),
            _ if !started && car.best_lap.is_none() => Some(CarStatus::Dns),
            SessionKind::Race if flagged && car.finished_us.is_none() => Some(CarStatus::Dnf),
            _ => None,
        };
        if let Some(status) = new {
            car.status = status;
            car.in_pit = false;
            let number = cx.entries.number(car.entry);
            cx.em
                .emit(Some(s.id), EventKind::StatusChanged { number, status });
        }
    }
    if s.kind == SessionKind::Moto && !s.moto_order_done {
        super::moto::emit_finish_order(cx, s, true);
    }
}
