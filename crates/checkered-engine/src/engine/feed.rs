//! Results-feed records (RMonitor, Multiloop): the feed's laps and times drive the same
//! session state as raw passings; its positions are never used.
//!
//! # Layout
//! - `TrackEngine::on_feed`: dispatch.
//! - Entries, runs and heartbeats here; lap-bearing records in `feed_laps`.

use super::Cx;
use super::TrackEngine;
use super::laps::{change_flag, finish_car, show_flag};
use super::lifecycle::{emit_changes, emit_classification, ensure_car};
use crate::config::SessionKind;
use crate::entries::Entry;
use crate::event::{ClassificationState, DerivedEvent, EndReason, EventKind};
use crate::input::{FeedRecord, Flag};
use crate::session::{FeedClock, Session};

/// Feed milliseconds to µs, keeping only positive times (0 means "none" in feeds).
pub(crate) fn positive_us(ms: Option<i64>) -> Option<i64> {
    ms.filter(|m| *m > 0).map(|m| m.saturating_mul(1000))
}

/// The registry entry an entry record describes.
fn entry_of(record: &FeedRecord) -> Option<Entry> {
    let FeedRecord::Entry {
        reg_no,
        number,
        transponder,
        first_name,
        last_name,
        team,
        class_id,
        grid,
    } = record
    else {
        return None;
    };
    Some(Entry {
        reg_no: reg_no.clone(),
        number: number.as_str().into(),
        first_name: first_name.clone(),
        last_name: last_name.clone(),
        team: team.clone(),
        class_id: *class_id,
        transponders: transponder
            .iter()
            .filter(|t| !t.is_empty())
            .cloned()
            .collect(),
        grid: *grid,
        registered: true,
    })
}

impl TrackEngine {
    /// Applies one feed record.
    pub(crate) fn on_feed(&mut self, at: i64, record: &FeedRecord, out: &mut Vec<DerivedEvent>) {
        match record {
            FeedRecord::Entry { .. } => {
                if let Some(new) = entry_of(record) {
                    self.feed_entry(at, new, out);
                }
            }
            FeedRecord::Class { id, name } => {
                self.st.entries.set_class(*id, name);
            }
            FeedRecord::Run { number, name, kind } => self.feed_run(at, *number, name, *kind, out),
            FeedRecord::Heartbeat {
                flag,
                laps_to_go,
                time_to_go_ms,
                race_time_ms,
                ..
            } => {
                let clock = FeedClock {
                    laps_to_go: laps_to_go.filter(|l| *l < 9999),
                    time_to_go_ms: *time_to_go_ms,
                    race_time_ms: *race_time_ms,
                };
                self.feed_heartbeat(at, *flag, clock, out);
            }
            FeedRecord::Reset => {
                self.st.counters.feed_resets = self.st.counters.feed_resets.saturating_add(1);
                let id = self.st.current.as_ref().map(|s| s.id);
                let (mut cx, _, _) = self.parts(at, out);
                cx.em.emit(id, EventKind::FeedReset);
            }
            _ => self.on_feed_laps(at, record, out),
        }
    }

    /// The entry a feed key names, created (and put on the roster) when new.
    pub(crate) fn feed_entry_id(
        &mut self,
        at: i64,
        reg_no: &str,
        out: &mut Vec<DerivedEvent>,
    ) -> u32 {
        let known = self.st.entries.by_reg(reg_no).is_some();
        let id = self.st.entries.ensure_reg(reg_no);
        if !known {
            self.announce_entry(at, id, out);
        }
        if !self.st.feed_roster.contains(&id) {
            self.st.feed_roster.push(id);
        }
        id
    }

    fn feed_entry(&mut self, at: i64, mut new: Entry, out: &mut Vec<DerivedEvent>) {
        let id = self.feed_entry_id(at, &new.reg_no.clone(), out);
        let Some(old) = self.st.entries.get(id) else {
            return;
        };
        if new.transponders.is_empty() {
            new.transponders = old.transponders.clone();
        }
        new.grid = new.grid.or(old.grid);
        let class_changed = old.class_id != new.class_id;
        let class_id = new.class_id;
        if self.st.entries.update(id, new) {
            self.announce_entry(at, id, out);
        }
        let (mut cx, current, _) = self.parts(at, out);
        if let Some(s) = current.as_mut() {
            let slot = ensure_car(&mut cx, s, id);
            if class_changed {
                if let Some(car) = s.car_mut(slot) {
                    car.class_id = class_id;
                }
                s.resort(cx.scratch);
                emit_changes(&mut cx, s);
            }
        }
    }

    /// `$B`: a new run number closes the open session; 95 means no run.
    fn feed_run(
        &mut self,
        at: i64,
        number: u32,
        name: &str,
        kind: Option<SessionKind>,
        out: &mut Vec<DerivedEvent>,
    ) {
        if number == 95 {
            if self.st.current.is_some() {
                self.close_current(at, EndReason::RunEnded, out);
                self.st.feed_roster.clear();
            }
            self.st.feed_run = None;
            return;
        }
        self.st.feed_run = Some(super::FeedRun {
            number,
            name: name.to_owned(),
            kind,
        });
        let run = self.st.current.as_ref().map(|s| s.run);
        match run {
            Some(Some(r)) if r != number => {
                self.close_current(at, EndReason::RunChanged, out);
                self.st.feed_roster.clear();
                self.ensure_session(at, out);
            }
            Some(_) => self.rename_session(at, number, name, kind, out),
            None => self.ensure_session(at, out),
        }
    }

    /// Adopts or renames the open session for the feed's run.
    fn rename_session(
        &mut self,
        at: i64,
        number: u32,
        name: &str,
        kind: Option<SessionKind>,
        out: &mut Vec<DerivedEvent>,
    ) {
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        let new_kind = if s.kind_locked {
            s.kind
        } else {
            kind.unwrap_or(SessionKind::from_run_name(name))
        };
        if s.run == Some(number) && s.name == name && s.kind == new_kind {
            return;
        }
        s.run = Some(number);
        s.name = name.to_owned();
        if s.kind != new_kind {
            s.kind = new_kind;
            s.resort(cx.scratch);
        }
        let kind = EventKind::SessionUpdated {
            name: s.name.clone(),
            kind: s.kind,
            run: s.run,
        };
        cx.em.emit(Some(s.id), kind);
        emit_changes(&mut cx, s);
    }

    fn feed_heartbeat(
        &mut self,
        at: i64,
        flag: Option<Flag>,
        clock: FeedClock,
        out: &mut Vec<DerivedEvent>,
    ) {
        if flag.is_some_and(|f| f != Flag::None) {
            self.ensure_session(at, out);
        }
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        let previous_race_ms = s.feed_clock.race_time_ms;
        s.feed_clock = clock;
        let Some(flag) = flag else {
            return;
        };
        if flag == Flag::Green && s.started_us.is_none() {
            super::control::mark_started(&mut cx, s);
        }
        if flag != Flag::Checkered || s.kind != SessionKind::Race {
            return show_flag(&mut cx, s, flag);
        }
        if change_flag(&mut cx, s, flag) {
            finish_flag_takers(&mut cx, s, previous_race_ms);
            emit_classification(&mut cx, s, ClassificationState::Provisional);
        }
    }
}

/// A feed states the chequered flag in the heartbeat after the leader's crossing that
/// brought it out (heartbeats come once a second), so a leader who crossed since the
/// previous heartbeat took the flag at that crossing, and so did every car that crossed
/// after it in that second.
fn finish_flag_takers(cx: &mut Cx<'_>, s: &mut Session, previous_race_ms: Option<i64>) {
    let Some(previous_us) = previous_race_ms.map(|ms| ms.saturating_mul(1000)) else {
        return;
    };
    let leader_total = s
        .slot_at(1)
        .and_then(|slot| s.car(slot))
        .and_then(|car| car.total_us)
        .filter(|&t| t > previous_us);
    let Some(leader_total) = leader_total else {
        return;
    };
    let takers: Vec<u32> = s
        .order
        .iter()
        .copied()
        .filter(|&slot| {
            s.car(slot)
                .is_some_and(|c| c.crossed && c.total_us.is_some_and(|t| t >= leader_total))
        })
        .collect();
    for slot in takers {
        finish_car(cx, s, slot);
    }
}
