//! Catalog SQL: the audit annex of race-control intents.
//!
//! # Layout
//! - `record`: the insert; `audit_of` and `COLUMNS`: reading it back in the control-log join.

use super::backend;
use crate::readmodel::{ControlAudit, ReadModelError};
use rusqlite::{Connection, Row, params};

/// The columns [`audit_of`] reads, for joins (prefix `a.`).
pub(super) const COLUMNS: &str =
    "a.event_id, a.track_id, a.actor, a.remote_addr, a.user_agent, a.via, a.received_at_us";

pub(super) fn record(c: &Connection, audit: &ControlAudit) -> Result<(), ReadModelError> {
    c.execute(
        "INSERT INTO control_audit
             (event_id, track_id, actor, remote_addr, user_agent, via, received_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (event_id) DO NOTHING",
        params![
            audit.event_id,
            audit.track_id,
            audit.actor,
            audit.remote_addr,
            audit.user_agent,
            audit.via,
            audit.received_at_us
        ],
    )
    .map_err(backend)?;
    Ok(())
}

/// Reads an audit row from column `at` on (NULL event id: none).
pub(super) fn audit_of(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<ControlAudit>> {
    let Some(event_id) = row.get::<_, Option<String>>(at)? else {
        return Ok(None);
    };
    Ok(Some(ControlAudit {
        event_id,
        track_id: row.get(at + 1)?,
        actor: row.get(at + 2)?,
        remote_addr: row.get(at + 3)?,
        user_agent: row.get(at + 4)?,
        via: row.get(at + 5)?,
        received_at_us: row.get(at + 6)?,
    }))
}
