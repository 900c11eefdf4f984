//! The schema of `readmodels.db`: numbered migrations under `migrations/sqlite-readmodels/`,
//! compiled in, recorded in `schema_version`; a file from a newer build is refused.
//!
//! # Layout
//! - `MIGRATIONS`, `migrate`; `open_reader`.

use super::backend;
use crate::readmodel::ReadModelError;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// `(version, sql)` in order; each is applied once, in its own transaction.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../migrations/sqlite-readmodels/0001_catalog.sql"),
    ),
    (
        2,
        include_str!("../../../migrations/sqlite-readmodels/0002_projections.sql"),
    ),
];

/// Applies every migration newer than the stored version.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), ReadModelError> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .map_err(backend)?;
    let found: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |row| row.get(0),
        )
        .map_err(backend)?;
    let latest = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    if found > latest {
        return Err(ReadModelError::Backend(format!(
            "readmodels.db has schema version {found}; this program knows up to {latest}"
        )));
    }
    for &(version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        tx.execute_batch(sql).map_err(backend)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [version],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
    }
    Ok(())
}

/// A read-only connection.
pub(super) fn open_reader(path: &Path) -> Result<Connection, ReadModelError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(backend)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(backend)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}
