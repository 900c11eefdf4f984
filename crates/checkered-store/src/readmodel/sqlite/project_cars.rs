//! Projection SQL: each car's live state in a session (`proj_cars`) and its laps
//! (`proj_laps`), folded from the car-level derived events.
//!
//! # Layout
//! - `fold` (statuses, finishes, penalties, corrections) and `fold_progress` (laps, positions, bests, pits); `update`: the upsert every car statement goes through; `reset`.

use super::project::{Scope, sql_seq, tag};
use crate::readmodel::ReadModelError;
use checkered_engine::{CarStatus, EventKind, Penalty};
use rusqlite::params;

/// Folds a car-level event; other kinds change nothing here.
pub(super) fn fold(s: &Scope<'_>, kind: &EventKind) -> Result<(), ReadModelError> {
    match kind {
        EventKind::StatusChanged { number, status } => status_changed(s, number, *status),
        EventKind::CarFinished {
            number,
            position,
            laps,
            total_time_us,
        } => update(
            s,
            number,
            "status = 'finished', in_pit = 0, position = ?4, finished_at_us = ?5,
             laps = MAX(laps, ?6 - lap_adjust),
             total_time_us = COALESCE(?7 - time_penalty_us, total_time_us)",
            params![
                s.track,
                s.session,
                &**number,
                position,
                s.at,
                laps,
                total_time_us
            ],
        ),
        EventKind::PenaltyApplied { number, penalty } => penalty_applied(s, number, penalty),
        EventKind::LapsAdjusted { number, delta } => update(
            s,
            number,
            "lap_adjust = lap_adjust + ?4",
            params![s.track, s.session, &**number, delta],
        ),
        EventKind::TimeCorrected {
            number,
            total_time_us: Some(total),
        } => update(
            s,
            number,
            "total_time_us = ?4",
            params![s.track, s.session, &**number, total],
        ),
        other => fold_progress(s, other),
    }
}

/// Laps, positions, bests and pit stops.
fn fold_progress(s: &Scope<'_>, kind: &EventKind) -> Result<(), ReadModelError> {
    match kind {
        EventKind::LapCompleted {
            number,
            lap,
            lap_time_us,
            total_time_us,
            position,
        } => lap_completed(s, number, *lap, *lap_time_us, *total_time_us, *position),
        EventKind::PositionChanged { number, to, .. } => update(
            s,
            number,
            "position = ?4",
            params![s.track, s.session, &**number, to],
        ),
        EventKind::PersonalBest { number, best } => update(
            s,
            number,
            "best_lap_us = ?4, best_lap_no = ?5",
            params![s.track, s.session, &**number, best.time_us, best.lap],
        ),
        EventKind::PitIn { number, stop } => update(
            s,
            number,
            "in_pit = 1, pit_stops = ?4",
            params![s.track, s.session, &**number, stop],
        ),
        EventKind::PitOut { number, .. } => update(
            s,
            number,
            "in_pit = 0",
            params![s.track, s.session, &**number],
        ),
        _ => Ok(()),
    }
}

/// Creates the car's row when new, then applies `set` (parameters 1–3 are track, session
/// and number).
fn update(
    s: &Scope<'_>,
    number: &str,
    set: &str,
    args: impl rusqlite::Params,
) -> Result<(), ReadModelError> {
    s.exec(
        "INSERT INTO proj_cars (track_id, session_id, number, last_seq) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (track_id, session_id, number) DO UPDATE SET last_seq = excluded.last_seq",
        params![s.track, s.session, number, sql_seq(s.seq)],
    )?;
    s.exec(
        &format!(
            "UPDATE proj_cars SET {set} WHERE track_id = ?1 AND session_id = ?2 AND number = ?3"
        ),
        args,
    )
}

/// A lap: it replaces any stored lap with the same or a higher number (the engine counted
/// them again after clearing the session), and moves the car's counters.
fn lap_completed(
    s: &Scope<'_>,
    number: &str,
    lap: u32,
    lap_time_us: Option<i64>,
    total_time_us: Option<i64>,
    position: u32,
) -> Result<(), ReadModelError> {
    s.exec(
        "DELETE FROM proj_laps WHERE track_id = ?1 AND session_id = ?2 AND number = ?3 AND lap >= ?4",
        params![s.track, s.session, number, lap],
    )?;
    s.exec(
        "INSERT INTO proj_laps (track_id, session_id, number, lap, lap_time_us, total_time_us,
                                position, at_us, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            s.track,
            s.session,
            number,
            lap,
            lap_time_us,
            total_time_us,
            position,
            s.at,
            sql_seq(s.seq)
        ],
    )?;
    // The engine keeps a lap time as the last lap only when it is positive.
    let last = lap_time_us.filter(|t| *t > 0);
    update(
        s,
        number,
        "laps = ?4, position = ?5, last_lap_us = COALESCE(?6, last_lap_us),
         total_time_us = COALESCE(?7, total_time_us)",
        params![
            s.track,
            s.session,
            number,
            lap,
            position,
            last,
            total_time_us
        ],
    )
}

fn status_changed(s: &Scope<'_>, number: &str, status: CarStatus) -> Result<(), ReadModelError> {
    let in_pit = if status == CarStatus::Running {
        "in_pit"
    } else {
        "0"
    };
    update(
        s,
        number,
        &format!("status = ?4, in_pit = {in_pit}"),
        params![s.track, s.session, number, tag(&status)],
    )
}

fn penalty_applied(s: &Scope<'_>, number: &str, penalty: &Penalty) -> Result<(), ReadModelError> {
    let set = match penalty {
        Penalty::Time { time_us } => format!("time_penalty_us = time_penalty_us + {time_us}"),
        Penalty::Laps { laps } => format!("lap_adjust = lap_adjust - {laps}"),
        Penalty::DriveThrough { .. } => "status = status".to_owned(),
        Penalty::Disqualification => "status = 'dq'".to_owned(),
    };
    update(
        s,
        number,
        &format!("penalties = penalties + 1, {set}"),
        params![s.track, s.session, number],
    )
}

/// A restart clears every car's progress in the session; identity and position stay.
pub(super) fn reset(s: &Scope<'_>) -> Result<(), ReadModelError> {
    s.exec(
        "UPDATE proj_cars SET laps = 0, lap_adjust = 0, last_lap_us = NULL, best_lap_us = NULL,
             best_lap_no = NULL, total_time_us = NULL, time_penalty_us = 0, status = 'running',
             in_pit = 0, pit_stops = 0, penalties = 0, finished_at_us = NULL, last_seq = ?3
         WHERE track_id = ?1 AND session_id = ?2",
        params![s.track, s.session, sql_seq(s.seq)],
    )
}
