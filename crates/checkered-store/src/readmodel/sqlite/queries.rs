//! Projection SQL: the reads, and wiping a track's projections.
//!
//! # Layout
//! - `reset`: wipe a track; one function per read (`sessions`, `session`, `cars`, `laps`, `classifications`, `classification`, `flags`, `competitors`).

use super::backend;
use super::project::{cursor, sql_seq};
use crate::readmodel::{
    CarRecord, ClassificationRecord, CompetitorRecord, FlagPeriodRecord, LapRecord, ReadModelError,
    SessionRecord,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Every projection table, each keyed by `track_id`.
const TABLES: &[&str] = &[
    "proj_cursors",
    "proj_sessions",
    "proj_cars",
    "proj_laps",
    "proj_classifications",
    "proj_flags",
    "proj_competitors",
    "proj_control",
];

fn seq(row: &Row<'_>, i: usize) -> rusqlite::Result<u64> {
    Ok(row.get::<_, i64>(i)?.max(0) as u64)
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Deletes every projected row of a track.
pub(super) fn reset(c: &Connection, track: &str) -> Result<(), ReadModelError> {
    for table in TABLES {
        c.execute(
            &format!("DELETE FROM {table} WHERE track_id = ?1"),
            params![track],
        )
        .map_err(backend)?;
    }
    Ok(())
}

const SESSION_COLUMNS: &str = "session_id, name, kind, run, opened_at_us, started_at_us,
    ended_at_us, end_reason, resets, classification_version, classification_state, first_seq,
    last_seq";

fn session_of(r: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        session_id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        run: r.get(3)?,
        opened_at_us: r.get(4)?,
        started_at_us: r.get(5)?,
        ended_at_us: r.get(6)?,
        end_reason: r.get(7)?,
        resets: r.get(8)?,
        classification_version: r.get(9)?,
        classification_state: r.get(10)?,
        first_seq: seq(r, 11)?,
        last_seq: seq(r, 12)?,
    })
}

pub(super) fn sessions(c: &Connection, track: &str) -> Result<Vec<SessionRecord>, ReadModelError> {
    c.prepare_cached(&format!(
        "SELECT {SESSION_COLUMNS} FROM proj_sessions WHERE track_id = ?1 ORDER BY session_id"
    ))
    .map_err(backend)?
    .query_map(params![track], session_of)
    .map_err(backend)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(backend)
}

pub(super) fn session(
    c: &Connection,
    track: &str,
    id: u32,
) -> Result<Option<SessionRecord>, ReadModelError> {
    c.prepare_cached(&format!(
        "SELECT {SESSION_COLUMNS} FROM proj_sessions WHERE track_id = ?1 AND session_id = ?2"
    ))
    .map_err(backend)?
    .query_row(params![track, id], session_of)
    .optional()
    .map_err(backend)
}

pub(super) fn cars(
    c: &Connection,
    track: &str,
    session: u32,
) -> Result<Vec<CarRecord>, ReadModelError> {
    c.prepare_cached(
        "SELECT number, position, laps + lap_adjust, last_lap_us, best_lap_us, best_lap_no,
                total_time_us + time_penalty_us,
                CASE WHEN status = 'running' AND in_pit = 1 THEN 'in_pit' ELSE status END,
                pit_stops, penalties, finished_at_us, last_seq
         FROM proj_cars WHERE track_id = ?1 AND session_id = ?2
         ORDER BY position = 0, position, number",
    )
    .map_err(backend)?
    .query_map(params![track, session], |r| {
        Ok(CarRecord {
            number: r.get(0)?,
            position: r.get(1)?,
            laps: r.get(2)?,
            last_lap_us: r.get(3)?,
            best_lap_us: r.get(4)?,
            best_lap: r.get(5)?,
            total_time_us: r.get(6)?,
            status: r.get(7)?,
            pit_stops: r.get(8)?,
            penalties: r.get(9)?,
            finished_at_us: r.get(10)?,
            last_seq: seq(r, 11)?,
        })
    })
    .map_err(backend)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(backend)
}

pub(super) fn laps(
    c: &Connection,
    track: &str,
    session: u32,
    car: Option<&str>,
    after: u64,
    n: usize,
) -> Result<Vec<LapRecord>, ReadModelError> {
    c.prepare_cached(
        "SELECT number, lap, lap_time_us, total_time_us, position, at_us, seq FROM proj_laps
         WHERE track_id = ?1 AND session_id = ?2 AND (?3 IS NULL OR number = ?3) AND seq > ?4
         ORDER BY seq LIMIT ?5",
    )
    .map_err(backend)?
    .query_map(
        params![track, session, car, sql_seq(after), limit(n)],
        |r| {
            Ok(LapRecord {
                number: r.get(0)?,
                lap: r.get(1)?,
                lap_time_us: r.get(2)?,
                total_time_us: r.get(3)?,
                position: r.get(4)?,
                at_us: r.get(5)?,
                seq: seq(r, 6)?,
            })
        },
    )
    .map_err(backend)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(backend)
}

fn classification_of(r: &Row<'_>) -> rusqlite::Result<ClassificationRecord> {
    Ok(ClassificationRecord {
        version: r.get(0)?,
        state: r.get(1)?,
        at_us: r.get(2)?,
        seq: seq(r, 3)?,
        body: r.get(4)?,
    })
}

pub(super) fn classifications(
    c: &Connection,
    track: &str,
    session: u32,
    after: u32,
    n: usize,
) -> Result<Vec<ClassificationRecord>, ReadModelError> {
    c.prepare_cached(
        "SELECT version, state, at_us, seq, body FROM proj_classifications
         WHERE track_id = ?1 AND session_id = ?2 AND version > ?3 ORDER BY version LIMIT ?4",
    )
    .map_err(backend)?
    .query_map(params![track, session, after, limit(n)], classification_of)
    .map_err(backend)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(backend)
}

pub(super) fn classification(
    c: &Connection,
    track: &str,
    session: u32,
    version: Option<u32>,
) -> Result<Option<ClassificationRecord>, ReadModelError> {
    c.prepare_cached(
        "SELECT version, state, at_us, seq, body FROM proj_classifications
         WHERE track_id = ?1 AND session_id = ?2 AND (?3 IS NULL OR version = ?3)
         ORDER BY version DESC LIMIT 1",
    )
    .map_err(backend)?
    .query_row(params![track, session, version], classification_of)
    .optional()
    .map_err(backend)
}

/// Flag periods; a running one is measured up to the track's latest event time and the
/// current leader's laps.
pub(super) fn flags(
    c: &Connection,
    track: &str,
    session: u32,
) -> Result<Vec<FlagPeriodRecord>, ReadModelError> {
    let now = cursor(c, track)?.last_ts_us;
    let leader: i64 = c
        .prepare_cached(
            "SELECT COALESCE(MAX(laps + lap_adjust, 0), 0) FROM proj_cars
             WHERE track_id = ?1 AND session_id = ?2 AND position = 1",
        )
        .map_err(backend)?
        .query_row(params![track, session], |r| r.get(0))
        .optional()
        .map_err(backend)?
        .unwrap_or(0);
    let leader = u32::try_from(leader.max(0)).unwrap_or(u32::MAX);
    c.prepare_cached(
        "SELECT flag, from_us, to_us, from_lap, to_lap FROM proj_flags
         WHERE track_id = ?1 AND session_id = ?2 ORDER BY idx",
    )
    .map_err(backend)?
    .query_map(params![track, session], |r| {
        let (flag, from_us, to_us, from_lap, to_lap): (String, i64, Option<i64>, u32, Option<u32>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let end = to_us.or(now).unwrap_or(from_us);
        Ok(FlagPeriodRecord {
            flag,
            from_us,
            to_us,
            duration_us: end.saturating_sub(from_us).max(0),
            laps: to_lap.unwrap_or(leader).saturating_sub(from_lap),
            from_lap,
            to_lap,
        })
    })
    .map_err(backend)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(backend)
}

pub(super) fn competitors(
    c: &Connection,
    track: &str,
) -> Result<Vec<CompetitorRecord>, ReadModelError> {
    let mut all = c
        .prepare_cached(
            "SELECT number, name, class, at_us, seq FROM proj_competitors WHERE track_id = ?1",
        )
        .map_err(backend)?
        .query_map(params![track], |r| {
            Ok(CompetitorRecord {
                number: r.get(0)?,
                name: r.get(1)?,
                class: r.get(2)?,
                at_us: r.get(3)?,
                seq: seq(r, 4)?,
            })
        })
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    all.sort_by(|a, b| crate::readmodel::entry_rules::number_order(&a.number, &b.number));
    Ok(all)
}
