//! Projection SQL: folding one derived event into the tables, and the cursor that makes it
//! exactly-once. Sessions, classifications, flags and competitors are here; cars and laps
//! in `project_cars`.
//!
//! Every statement is an upsert or a keyed update, and the cursor moves in the same
//! transaction, so folding a row twice is impossible and folding the log again from seq 0
//! into empty tables gives the same rows.
//!
//! # Layout
//! - `cursor`, `save_cursor`; `apply_derived`: one step; `fold`: one event.
//! - `Scope`: an event's track, session, seq and time, with the session-level statements (opened, reset, ended, classification, flag).
//! - `tag`, `sql_seq`: serde names and seqs for SQL.

use super::{backend, project_cars};
use crate::model::DerivedRow;
use crate::readmodel::{ApplyOutcome, ProjectionCursor, ReadModelError};
use checkered_engine::{Classification, ClassificationState, DerivedEvent, EventKind, Flag};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The snake_case name serde gives a unit enum value (`green`, `final`, `run_changed`).
pub(super) fn tag<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A seq as SQLite stores it.
pub(super) fn sql_seq(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// The stored cursor of a track (zeros when none).
pub(super) fn cursor(c: &Connection, track: &str) -> Result<ProjectionCursor, ReadModelError> {
    let row = c
        .prepare_cached(
            "SELECT derived_seq, raw_seq, last_ts_us, skipped FROM proj_cursors WHERE track_id = ?1",
        )
        .map_err(backend)?
        .query_row(params![track], |r| {
            Ok(ProjectionCursor {
                derived_seq: r.get::<_, i64>(0)?.max(0) as u64,
                raw_seq: r.get::<_, i64>(1)?.max(0) as u64,
                last_ts_us: r.get(2)?,
                skipped: r.get::<_, i64>(3)?.max(0) as u64,
            })
        })
        .optional()
        .map_err(backend)?;
    Ok(row.unwrap_or_default())
}

/// Writes the cursor of a track.
pub(super) fn save_cursor(
    c: &Connection,
    track: &str,
    cur: &ProjectionCursor,
) -> Result<(), ReadModelError> {
    c.prepare_cached(
        "INSERT INTO proj_cursors (track_id, derived_seq, raw_seq, last_ts_us, skipped)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (track_id) DO UPDATE SET derived_seq = excluded.derived_seq,
             raw_seq = excluded.raw_seq, last_ts_us = excluded.last_ts_us,
             skipped = excluded.skipped",
    )
    .map_err(backend)?
    .execute(params![
        track,
        sql_seq(cur.derived_seq),
        sql_seq(cur.raw_seq),
        cur.last_ts_us,
        sql_seq(cur.skipped)
    ])
    .map_err(backend)?;
    Ok(())
}

/// Folds `rows` (read after `after`) and moves the derived cursor.
pub(super) fn apply_derived(
    c: &Connection,
    track: &str,
    after: u64,
    rows: &[DerivedRow],
) -> Result<ApplyOutcome, ReadModelError> {
    let mut cur = cursor(c, track)?;
    if cur.derived_seq != after {
        return Err(ReadModelError::Conflict(format!(
            "the projection of {track:?} is at derived seq {}, not {after}",
            cur.derived_seq
        )));
    }
    let mut outcome = ApplyOutcome {
        cursor: after,
        ..ApplyOutcome::default()
    };
    for row in rows.iter().filter(|r| r.seq > after) {
        if row.seq <= outcome.cursor {
            continue;
        }
        match serde_json::from_str::<DerivedEvent>(&row.body) {
            Ok(event) => {
                fold(c, track, row.seq, &event)?;
                cur.last_ts_us = Some(cur.last_ts_us.map_or(event.ts_us, |t| t.max(event.ts_us)));
                outcome.applied += 1;
            }
            Err(error) => outcome
                .skipped
                .push((row.seq, format!("undecodable {} row: {error}", row.kind))),
        }
        outcome.cursor = row.seq;
    }
    cur.derived_seq = outcome.cursor;
    cur.skipped = cur.skipped.saturating_add(outcome.skipped.len() as u64);
    save_cursor(c, track, &cur)?;
    Ok(outcome)
}

/// Folds one event.
fn fold(c: &Connection, track: &str, seq: u64, event: &DerivedEvent) -> Result<(), ReadModelError> {
    let Some(session) = event.session_id else {
        if let EventKind::EntryUpdated {
            number,
            name,
            class,
        } = &event.kind
        {
            competitor(c, track, seq, event.ts_us, number, name, class.as_deref())?;
        }
        return Ok(());
    };
    let s = Scope {
        c,
        track,
        session,
        seq,
        at: event.ts_us,
    };
    match &event.kind {
        EventKind::SessionStarted { name, kind, run } => s.opened(name, &tag(kind), *run)?,
        EventKind::SessionUpdated { name, kind, run } => s.exec(
            "UPDATE proj_sessions SET name = ?3, kind = ?4, run = ?5
             WHERE track_id = ?1 AND session_id = ?2",
            params![track, session, name, tag(kind), run],
        )?,
        EventKind::SessionGreen => s.exec(
            "UPDATE proj_sessions SET started_at_us = ?3 WHERE track_id = ?1 AND session_id = ?2",
            params![track, session, event.ts_us],
        )?,
        EventKind::SessionReset => s.reset()?,
        EventKind::SessionEnded { reason } => s.ended(&tag(reason))?,
        EventKind::Classification {
            version,
            state,
            classification,
        } => {
            s.classification(*version, *state, classification)?;
        }
        EventKind::FlagChanged { to, lap, .. } => s.flag(*to, *lap)?,
        other => project_cars::fold(&s, other)?,
    }
    s.exec(
        "UPDATE proj_sessions SET last_seq = MAX(last_seq, ?3) WHERE track_id = ?1 AND session_id = ?2",
        params![track, session, sql_seq(seq)],
    )
}

fn competitor(
    c: &Connection,
    track: &str,
    seq: u64,
    at: i64,
    number: &str,
    name: &str,
    class: Option<&str>,
) -> Result<(), ReadModelError> {
    c.prepare_cached(
        "INSERT INTO proj_competitors (track_id, number, name, class, at_us, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (track_id, number) DO UPDATE SET name = excluded.name,
             class = excluded.class, at_us = excluded.at_us, seq = excluded.seq",
    )
    .map_err(backend)?
    .execute(params![track, number, name, class, at, sql_seq(seq)])
    .map_err(backend)?;
    Ok(())
}

/// One event's place: track, session, seq and time.
pub(super) struct Scope<'a> {
    pub c: &'a Connection,
    pub track: &'a str,
    pub session: u32,
    pub seq: u64,
    pub at: i64,
}

impl Scope<'_> {
    /// Runs one statement.
    pub fn exec(&self, sql: &str, args: impl rusqlite::Params) -> Result<(), ReadModelError> {
        self.c
            .prepare_cached(sql)
            .map_err(backend)?
            .execute(args)
            .map_err(backend)?;
        Ok(())
    }

    fn opened(&self, name: &str, kind: &str, run: Option<u32>) -> Result<(), ReadModelError> {
        self.exec(
            "INSERT INTO proj_sessions (track_id, session_id, name, kind, run, opened_at_us,
                                        first_seq, last_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
             ON CONFLICT (track_id, session_id) DO UPDATE SET name = excluded.name,
                 kind = excluded.kind, run = excluded.run",
            params![
                self.track,
                self.session,
                name,
                kind,
                run,
                self.at,
                sql_seq(self.seq)
            ],
        )
    }

    /// A restart: the engine clears the session's progress and its flag history.
    fn reset(&self) -> Result<(), ReadModelError> {
        let key = params![self.track, self.session];
        self.exec(
            "UPDATE proj_sessions SET resets = resets + 1, started_at_us = NULL
             WHERE track_id = ?1 AND session_id = ?2",
            key,
        )?;
        self.exec(
            "DELETE FROM proj_laps WHERE track_id = ?1 AND session_id = ?2",
            key,
        )?;
        self.exec(
            "DELETE FROM proj_flags WHERE track_id = ?1 AND session_id = ?2",
            key,
        )?;
        project_cars::reset(self)
    }

    /// The end closes the running flag period; its leader laps come with the final
    /// classification the engine emits right after.
    fn ended(&self, reason: &str) -> Result<(), ReadModelError> {
        self.exec(
            "UPDATE proj_sessions SET ended_at_us = ?3, end_reason = ?4
             WHERE track_id = ?1 AND session_id = ?2",
            params![self.track, self.session, self.at, reason],
        )?;
        self.exec(
            "UPDATE proj_flags SET to_us = MAX(?3, from_us)
             WHERE track_id = ?1 AND session_id = ?2 AND to_us IS NULL",
            params![self.track, self.session, self.at],
        )
    }

    fn classification(
        &self,
        version: u32,
        state: ClassificationState,
        doc: &Classification,
    ) -> Result<(), ReadModelError> {
        let body = serde_json::to_string(doc).map_err(backend)?;
        let state = tag(&state);
        self.exec(
            "INSERT INTO proj_classifications (track_id, session_id, version, state, body, at_us, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (track_id, session_id, version) DO UPDATE SET state = excluded.state,
                 body = excluded.body, at_us = excluded.at_us, seq = excluded.seq",
            params![self.track, self.session, version, state, body, self.at, sql_seq(self.seq)],
        )?;
        self.exec(
            "UPDATE proj_sessions SET classification_version = ?3, classification_state = ?4
             WHERE track_id = ?1 AND session_id = ?2",
            params![self.track, self.session, version, state],
        )?;
        // The leader's laps (the engine's `leader_laps`) for a period the end closed.
        let leader = doc
            .results
            .first()
            .map_or(0, |r| r.laps.clamp(0, i64::from(u32::MAX)));
        self.exec(
            "UPDATE proj_flags SET to_lap = MAX(from_lap, ?3)
             WHERE track_id = ?1 AND session_id = ?2 AND to_us IS NOT NULL AND to_lap IS NULL",
            params![self.track, self.session, leader],
        )
    }

    /// A flag change closes the running period and opens the next, as the engine does.
    fn flag(&self, to: Flag, lap: u32) -> Result<(), ReadModelError> {
        self.exec(
            "UPDATE proj_flags SET to_us = MAX(?3, from_us), to_lap = MAX(?4, from_lap)
             WHERE track_id = ?1 AND session_id = ?2 AND to_us IS NULL",
            params![self.track, self.session, self.at, lap],
        )?;
        self.exec(
            "INSERT INTO proj_flags (track_id, session_id, idx, flag, from_us, from_lap, seq)
             VALUES (?1, ?2, (SELECT COALESCE(MAX(idx) + 1, 0) FROM proj_flags
                              WHERE track_id = ?1 AND session_id = ?2), ?3, ?4, ?5, ?6)",
            params![
                self.track,
                self.session,
                tag(&to),
                self.at,
                lap,
                sql_seq(self.seq)
            ],
        )
    }
}
