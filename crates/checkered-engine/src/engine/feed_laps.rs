//! Lap-bearing feed records: `$G` refreshes, `$H` best laps, `$J` crossings, `$COR`
//! corrections and `$L` line crossings.
//!
//! The rules that keep a reset or a late refresh from losing anything: laps only ever grow
//! from a refresh, except when the scoring software takes laps back at the crossing the car
//! already has (same total time, fewer laps); a crossing already counted through a refresh is not counted again; a
//! `$J` whose total time is not newer than the car's is the same (or an older) crossing.
//!
//! # Layout
//! - `TrackEngine::on_feed_laps`: dispatch, with the session and car lookups.
//! - `race_position` (with `take_back_laps`), `feed_passing`, `correction`, `line_crossing`:
//!   one rule each.

use super::feed::positive_us;
use super::laps::{Lap, complete_lap, improve_best, record_lap_time};
use super::lifecycle::{emit_changes, ensure_car, reclassify_if_published};
use super::passing::{pit_in, pit_out};
use super::{Cx, TrackEngine};
use crate::config::LoopRole;
use crate::event::{CarStatus, DerivedEvent, EventKind, LapTime};
use crate::input::FeedRecord;
use crate::session::{CarState, Session};

fn clamp_laps(laps: i64) -> u32 {
    u32::try_from(laps.max(0)).unwrap_or(u32::MAX)
}

impl TrackEngine {
    /// Applies `$G`, `$H`, `$J`, `$COR` and `$L`.
    pub(crate) fn on_feed_laps(
        &mut self,
        at: i64,
        record: &FeedRecord,
        out: &mut Vec<DerivedEvent>,
    ) {
        if let FeedRecord::LineCrossing { car, .. } = record {
            return self.feed_line_crossing(at, car, record, out);
        }
        let Some((reg_no, active)) = lap_record_key(record) else {
            return;
        };
        let entry = self.feed_entry_id(at, reg_no, out);
        if active {
            self.ensure_session(at, out);
        }
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        let slot = ensure_car(&mut cx, s, entry);
        apply_lap_record(&mut cx, s, slot, record);
    }

    fn feed_line_crossing(
        &mut self,
        at: i64,
        car: &str,
        record: &FeedRecord,
        out: &mut Vec<DerivedEvent>,
    ) {
        let FeedRecord::LineCrossing { timeline, name, .. } = record else {
            return;
        };
        let Some(entry) = self.st.entries.by_number(car) else {
            self.st.counters.unknown_cars = self.st.counters.unknown_cars.saturating_add(1);
            return;
        };
        let (mut cx, current, _) = self.parts(at, out);
        let Some(s) = current.as_mut() else {
            return;
        };
        let role = cx.cfg.find_loop(timeline).map(|(_, l)| l.role.clone());
        let slot = ensure_car(&mut cx, s, entry);
        match (role, name.trim()) {
            (Some(LoopRole::PitIn), _) | (None, "PIT" | "PIP") => pit_in(&mut cx, s, slot),
            (Some(LoopRole::PitLane), _) | (None, "SFP") => pit_in(&mut cx, s, slot),
            (Some(LoopRole::PitOut), _) | (None, "POT" | "POP") => pit_out(&mut cx, s, slot),
            _ => {}
        }
    }
}

/// The competitor a lap-bearing record names, and whether it shows activity (activity
/// opens a session; an empty refresh only lists the car).
fn lap_record_key(record: &FeedRecord) -> Option<(&str, bool)> {
    match record {
        FeedRecord::RacePosition {
            reg_no,
            laps,
            total_time_ms,
            ..
        } => {
            let active = laps.is_some_and(|l| l > 0) || positive_us(*total_time_ms).is_some();
            Some((reg_no.as_str(), active))
        }
        FeedRecord::PracticePosition {
            reg_no,
            best_lap_ms,
            ..
        } => Some((reg_no.as_str(), positive_us(*best_lap_ms).is_some())),
        FeedRecord::Passing { reg_no, .. } => Some((reg_no.as_str(), true)),
        FeedRecord::Correction { reg_no, .. } => Some((reg_no.as_str(), false)),
        _ => None,
    }
}

/// Applies a lap-bearing record to the car in `slot`.
fn apply_lap_record(cx: &mut Cx<'_>, s: &mut Session, slot: u32, record: &FeedRecord) {
    match record {
        FeedRecord::RacePosition { laps: Some(l), .. } if *l < 0 => lap_debt(cx, s, slot, *l),
        FeedRecord::RacePosition {
            laps,
            total_time_ms,
            ..
        } => {
            let total = positive_us(*total_time_ms);
            // The feed's laps are net of its lap debt; the car counts laps driven.
            let debt = s.car(slot).map_or(0, |c| c.feed_lap_debt);
            let driven = laps.map(|l| clamp_laps(l.saturating_sub(debt)));
            race_position(cx, s, slot, driven, total);
        }
        FeedRecord::PracticePosition {
            best_lap_no,
            best_lap_ms,
            ..
        } => {
            let min = cx.cfg.min_lap_time_us;
            if let Some(time_us) = positive_us(*best_lap_ms).filter(|t| *t >= min) {
                let lap = best_lap_no.unwrap_or_else(|| s.car(slot).map_or(0, |c| c.laps));
                improve_best(cx, s, slot, LapTime { lap, time_us }, cx.em.at);
            }
        }
        FeedRecord::Passing {
            lap_time_ms,
            total_time_ms,
            ..
        } => {
            let (lap, total) = (positive_us(*lap_time_ms), positive_us(*total_time_ms));
            feed_passing(cx, s, slot, lap, total);
        }
        FeedRecord::Correction {
            laps,
            corrected_total_ms,
            ..
        } => {
            let total = positive_us(*corrected_total_ms);
            correction(cx, s, slot, laps.map(clamp_laps), total);
        }
        _ => {}
    }
}

/// `$G`: laps only grow; equal laps may correct the total; fewer laps are a late refresh.
fn race_position(
    cx: &mut Cx<'_>,
    s: &mut Session,
    slot: u32,
    laps: Option<u32>,
    total: Option<i64>,
) {
    let Some(car) = s.car(slot) else {
        return;
    };
    match laps {
        Some(l) if l > car.laps => {
            if is_double_read(cx, car, None, total) {
                return;
            }
            let one_more = l == car.laps.saturating_add(1) && car.crossed;
            let time_us = match (one_more, car.total_us, total) {
                (true, Some(a), Some(b)) if b > a => Some(b - a),
                _ => None,
            };
            complete_lap(
                cx,
                s,
                slot,
                Lap {
                    laps: l,
                    time_us,
                    total_us: total,
                },
            );
        }
        Some(l) if l == car.laps => set_total(cx, s, slot, total),
        // Fewer laps at the very crossing the car's total already holds is the scoring
        // software taking a lap back (a late refresh would carry an older total).
        Some(l) if total.is_some() && total == car.total_us => take_back_laps(cx, s, slot, l),
        None if car.laps == 0 => set_total(cx, s, slot, total),
        _ => {}
    }
}

/// Negative laps: the feed deducted more penalty laps than the car has driven. The
/// difference is kept as the car's feed lap debt, so the laps shown stay the feed's as it
/// drives more, and later refreshes (net of the debt) count the laps driven.
fn lap_debt(cx: &mut Cx<'_>, s: &mut Session, slot: u32, laps: i64) {
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    let debt = laps.saturating_sub(i64::from(car.laps));
    if car.feed_lap_debt == debt {
        return;
    }
    let delta = i32::try_from(debt.saturating_sub(car.feed_lap_debt)).unwrap_or(i32::MIN);
    car.feed_lap_debt = debt;
    let number = cx.entries.number(car.entry);
    s.reposition(slot, cx.scratch);
    emit_changes(cx, s);
    cx.em
        .emit(Some(s.id), EventKind::LapsAdjusted { number, delta });
}

/// The feed now counts fewer laps for the car at its last crossing.
fn take_back_laps(cx: &mut Cx<'_>, s: &mut Session, slot: u32, laps: u32) {
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    let delta = i64::from(laps) - i64::from(car.laps);
    car.laps = laps;
    if car.last_lap.is_some_and(|l| l.lap > laps) {
        car.last_lap = None;
    }
    let number = cx.entries.number(car.entry);
    s.reposition(slot, cx.scratch);
    emit_changes(cx, s);
    let delta = i32::try_from(delta).unwrap_or(i32::MIN);
    cx.em
        .emit(Some(s.id), EventKind::LapsAdjusted { number, delta });
    reclassify_if_published(cx, s);
}

/// Records a crossing's total time without a new lap (start crossing, refresh correction).
fn set_total(cx: &mut Cx<'_>, s: &mut Session, slot: u32, total: Option<i64>) {
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    let Some(t) = total else {
        return;
    };
    if car.total_us == Some(t) && car.crossed {
        return;
    }
    car.total_us = Some(t);
    car.crossed = true;
    s.reposition(slot, cx.scratch);
    emit_changes(cx, s);
}

/// `$J`: a crossing. Lap time 0 on a car without laps is the start crossing.
fn feed_passing(cx: &mut Cx<'_>, s: &mut Session, slot: u32, lap: Option<i64>, total: Option<i64>) {
    let Some(car) = s.car(slot) else {
        return;
    };
    if let (Some(cur), Some(t)) = (car.total_us, total)
        && t <= cur
    {
        let unknown_time = car.last_lap.is_none_or(|l| l.lap != car.laps);
        if t == cur
            && car.laps > 0
            && unknown_time
            && let Some(time_us) = lap.filter(|l| *l >= cx.cfg.min_lap_time_us)
        {
            let lt = LapTime {
                lap: car.laps,
                time_us,
            };
            record_lap_time(cx, s, slot, lt);
        }
        return;
    }
    if car.status == CarStatus::Finished {
        cx.counters.ignored_crossings = cx.counters.ignored_crossings.saturating_add(1);
        return;
    }
    if is_double_read(cx, car, lap, total) {
        return;
    }
    if lap.is_none() && car.laps == 0 && !car.crossed {
        return set_total(cx, s, slot, total);
    }
    let time_us = lap.or_else(|| match (car.total_us, total) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    });
    let laps = car.laps.saturating_add(1);
    complete_lap(
        cx,
        s,
        slot,
        Lap {
            laps,
            time_us,
            total_us: total,
        },
    );
}

/// A feed lap shorter than the track's minimum lap time is a double read the scoring
/// software will take back (Orbits does, by re-sending fewer laps): it is counted as a
/// duplicate and not scored, so the refresh that deletes it agrees with the engine.
fn is_double_read(cx: &mut Cx<'_>, car: &CarState, lap: Option<i64>, total: Option<i64>) -> bool {
    let min = cx.cfg.min_lap_time_us;
    let short_lap = lap.is_some_and(|l| l < min);
    let short_gap = match (car.crossed, car.total_us, total) {
        // The same total is the same crossing (a refresh recounting its laps).
        (true, Some(a), Some(b)) => (1..min).contains(&b.saturating_sub(a)),
        _ => false,
    };
    if short_lap || short_gap {
        cx.counters.duplicates = cx.counters.duplicates.saturating_add(1);
    }
    short_lap || short_gap
}

/// `$COR`: a corrected total time (and lap count, never lower than ours).
fn correction(cx: &mut Cx<'_>, s: &mut Session, slot: u32, laps: Option<u32>, total: Option<i64>) {
    let Some(car) = s.car_mut(slot) else {
        return;
    };
    if laps.is_some_and(|l| l < car.laps) {
        return;
    }
    if let Some(l) = laps {
        car.laps = l;
    }
    if total.is_some() {
        car.total_us = total;
        car.crossed = true;
    }
    let number = cx.entries.number(car.entry);
    s.reposition(slot, cx.scratch);
    emit_changes(cx, s);
    let kind = EventKind::TimeCorrected {
        number,
        total_time_us: total,
    };
    cx.em.emit(Some(s.id), kind);
    reclassify_if_published(cx, s);
}
