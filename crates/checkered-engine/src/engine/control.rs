//! Race-control intents: entries, staging, start, flags, penalties and session changes.
//!
//! # Layout
//! - `TrackEngine::on_control`: dispatch and the session-level intents.
//! - `set_entries`, `stage`: entry lists and staging.
//! - `mark_started`: shared with feeds (first green).
//! - Car-level decisions (penalties, status, laps) in `control_car`.

use super::laps::show_flag;
use super::lifecycle::{emit_changes, ensure_car};
use super::{Cx, TrackEngine};
use crate::config::SessionKind;
use crate::entries::Entry;
use crate::event::{DerivedEvent, EndReason, EventKind};
use crate::input::{ControlIntent, EntrySpec, Flag, StagedRider};
use crate::session::Session;

impl TrackEngine {
    /// Applies one race-control intent.
    pub(crate) fn on_control(
        &mut self,
        at: i64,
        intent: &ControlIntent,
        out: &mut Vec<DerivedEvent>,
    ) {
        match intent {
            ControlIntent::SetEntries { entries } => self.set_entries(at, entries, out),
            ControlIntent::Stage { name, kind, riders } => self.stage(at, name, *kind, riders, out),
            ControlIntent::Start { laps, duration_us } => self.start(at, *laps, *duration_us, out),
            ControlIntent::Flag { flag } => {
                self.ensure_session(at, out);
                let (mut cx, current, _) = self.parts(at, out);
                if let Some(s) = current.as_mut() {
                    if *flag == Flag::Green && s.started_us.is_none() {
                        mark_started(&mut cx, s);
                    }
                    show_flag(&mut cx, s, *flag);
                }
            }
            ControlIntent::Reset => self.reset_session(at, out),
            ControlIntent::EndSession => self.close_current(at, EndReason::Control, out),
            ControlIntent::SetSessionKind { kind } => self.set_kind(at, *kind, out),
            _ => self.control_car(at, intent, out),
        }
    }

    fn set_entries(&mut self, at: i64, specs: &[EntrySpec], out: &mut Vec<DerivedEvent>) {
        for spec in specs {
            let id = self.upsert_spec(spec);
            if let Some(id) = id {
                self.announce_entry(at, id, out);
            }
            let entry = spec_entry(&self.st.entries, spec);
            let (mut cx, current, _) = self.parts(at, out);
            if let (Some(s), Some(entry)) = (current.as_mut(), entry)
                && !s.staged
            {
                let slot = ensure_car(&mut cx, s, entry);
                refresh_car(&mut cx, s, slot);
            }
        }
    }

    /// Creates or updates the entry for a spec: by number, else by a transponder that an
    /// unknown-transponder entry already carries. Returns the entry when it changed.
    fn upsert_spec(&mut self, spec: &EntrySpec) -> Option<u32> {
        let entries = &mut self.st.entries;
        let class_id = spec.class.as_deref().map(|c| entries.class_id_for(c));
        let id = spec_entry(entries, spec).unwrap_or_else(|| entries.ensure_reg(&spec.number));
        let old = entries.get(id)?;
        let new = Entry {
            reg_no: old.reg_no.clone(),
            number: spec.number.as_str().into(),
            first_name: spec.name.clone(),
            last_name: String::new(),
            team: old.team.clone(),
            class_id,
            transponders: spec.transponders.clone(),
            grid: spec.grid,
            registered: true,
        };
        entries.update(id, new).then_some(id)
    }

    fn stage(
        &mut self,
        at: i64,
        name: &Option<String>,
        kind: Option<SessionKind>,
        riders: &[StagedRider],
        out: &mut Vec<DerivedEvent>,
    ) {
        if self.st.current.is_some() {
            self.close_current(at, EndReason::Replaced, out);
        }
        let kind = kind.or(Some(self.st.config.default_session_kind));
        let name = name.clone().or_else(|| {
            (kind == Some(SessionKind::Moto))
                .then(|| format!("Moto {}", self.st.motos.saturating_add(1)))
        });
        if kind == Some(SessionKind::Moto) {
            self.st.motos = self.st.motos.saturating_add(1);
        }
        self.open_session(at, name, kind, None, out);
        let lineup = self.lineup(riders);
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        s.await_start = true;
        s.staged = !riders.is_empty();
        for (entry, gate) in lineup {
            let slot = ensure_car(&mut cx, s, entry);
            if let Some(car) = s.car_mut(slot) {
                car.gate = gate;
            }
        }
        s.resort(cx.scratch);
        emit_changes(&mut cx, s);
    }

    /// Entries taking part in a staged session with their gates: the riders named, else
    /// every registered entry.
    fn lineup(&mut self, riders: &[StagedRider]) -> Vec<(u32, Option<u8>)> {
        let entries = &mut self.st.entries;
        if riders.is_empty() {
            return (0..entries.len())
                .filter_map(|i| u32::try_from(i).ok())
                .filter(|&i| entries.get(i).is_some_and(|e| e.registered))
                .map(|i| (i, None))
                .collect();
        }
        riders
            .iter()
            .map(|r| {
                let known = entries.by_number(&r.number);
                (
                    known.unwrap_or_else(|| entries.ensure_reg(&r.number)),
                    r.gate,
                )
            })
            .collect()
    }

    fn start(
        &mut self,
        at: i64,
        laps: Option<u32>,
        duration_us: Option<i64>,
        out: &mut Vec<DerivedEvent>,
    ) {
        self.ensure_session(at, out);
        if self
            .st
            .current
            .as_ref()
            .is_some_and(|s| s.kind == SessionKind::Moto)
        {
            return self.gate_drop(at, None, out);
        }
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        s.limit_laps = laps.or(s.limit_laps);
        s.limit_us = duration_us.filter(|d| *d > 0).or(s.limit_us);
        for car in &mut s.cars {
            car.clear_progress();
        }
        s.resort(cx.scratch);
        emit_changes(&mut cx, s);
        mark_started(&mut cx, s);
        show_flag(&mut cx, s, Flag::Green);
    }

    fn reset_session(&mut self, at: i64, out: &mut Vec<DerivedEvent>) {
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        let fresh = Session::new(s.id, s.name.clone(), s.kind, s.run, s.opened_us);
        let cars = std::mem::take(&mut s.cars);
        let (slots, order, kind_locked, staged) = (
            std::mem::take(&mut s.slots),
            std::mem::take(&mut s.order),
            s.kind_locked,
            s.staged,
        );
        let (limit_laps, limit_us, version) = (s.limit_laps, s.limit_us, s.classification_version);
        *s = Session {
            cars,
            slots,
            order,
            kind_locked,
            staged,
            limit_laps,
            limit_us,
            classification_version: version,
            await_start: true,
            ..fresh
        };
        for car in &mut s.cars {
            car.clear_progress();
        }
        s.resort(cx.scratch);
        cx.em.emit(Some(s.id), EventKind::SessionReset);
        emit_changes(&mut cx, s);
    }

    fn set_kind(&mut self, at: i64, kind: SessionKind, out: &mut Vec<DerivedEvent>) {
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        s.kind_locked = true;
        if s.kind == kind {
            return;
        }
        s.kind = kind;
        s.resort(cx.scratch);
        let ev = EventKind::SessionUpdated {
            name: s.name.clone(),
            kind,
            run: s.run,
        };
        cx.em.emit(Some(s.id), ev);
        emit_changes(&mut cx, s);
    }
}

/// The existing entry a spec names (by number, else by a transponder it carries).
fn spec_entry(entries: &crate::entries::Entries, spec: &EntrySpec) -> Option<u32> {
    entries.by_number(&spec.number).or_else(|| {
        spec.transponders
            .iter()
            .find_map(|t| entries.by_transponder(t))
    })
}

/// Copies an entry's class and grid into its car and re-ranks.
fn refresh_car(cx: &mut Cx<'_>, s: &mut Session, slot: u32) {
    let fresh = s.car(slot).map(|c| super::lifecycle::new_car(cx, c.entry));
    let (Some(fresh), Some(car)) = (fresh, s.car_mut(slot)) else {
        return;
    };
    if car.class_id == fresh.class_id && car.grid_key == fresh.grid_key {
        return;
    }
    car.class_id = fresh.class_id;
    car.grid_key = fresh.grid_key;
    s.resort(cx.scratch);
    emit_changes(cx, s);
}

/// The session starts now: start positions are taken for positions gained.
pub(crate) fn mark_started(cx: &mut Cx<'_>, s: &mut Session) {
    s.started_us = Some(cx.em.at);
    s.await_start = false;
    for car in &mut s.cars {
        car.start_position = car.position;
    }
    cx.em.emit(Some(s.id), EventKind::SessionGreen);
}
