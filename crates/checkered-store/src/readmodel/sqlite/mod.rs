//! The SQLite read models: their own file (`readmodels.db`, WAL) beside the event log, so
//! projection and catalog writes never queue behind ingest.
//!
//! One write connection (behind a mutex: SQLite has one writer per file anyway) and a few
//! read-only connections, all used from tokio's blocking threads; WAL lets the REST reads
//! run while the projector writes.
//!
//! # Layout
//! - [`SqliteReadModels`]: opening, the read and write plumbing; `schema`: migrations.
//! - Catalog SQL: `tracks`, `events` (events and schedules), `entries`, `audit`.
//! - Projection SQL: `project` (dispatch, sessions, flags, classifications), `project_cars`
//!   (cars and laps), `control` (the control log), `queries` (reads).
//! - `impl_catalog`, `impl_projections`: the trait implementations.

mod audit;
mod control;
mod entries;
mod events;
mod impl_catalog;
mod impl_projections;
mod project;
mod project_cars;
mod queries;
mod schema;
mod tracks;

#[cfg(test)]
mod tests;

use super::ReadModelError;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// File name inside the data directory.
pub const FILE_NAME: &str = "readmodels.db";

/// Read connections kept open between reads.
const READERS: usize = 4;

/// Read models in one SQLite file. Cheap to clone: clones share the connections.
#[derive(Clone)]
pub struct SqliteReadModels {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// The one write connection. A std mutex: it is only locked on blocking threads and
    /// never held across an `.await`.
    writer: Mutex<Connection>,
    /// Idle read-only connections (locked only to pop or push one).
    readers: Mutex<Vec<Connection>>,
}

/// How a write transaction commits.
#[derive(Clone, Copy)]
enum Durability {
    /// fsync before the commit returns (catalog data: nothing rebuilds it).
    Full,
    /// No fsync per commit (projections: rebuilt from the log if lost).
    Normal,
}

/// A backend failure as the trait reports it.
pub(crate) fn backend(e: impl std::fmt::Display) -> ReadModelError {
    ReadModelError::Backend(e.to_string())
}

impl SqliteReadModels {
    /// Opens (creating if needed) `readmodels.db` in `dir` and migrates its schema.
    pub fn open(dir: &Path) -> Result<Self, ReadModelError> {
        std::fs::create_dir_all(dir).map_err(backend)?;
        let path = dir.join(FILE_NAME);
        let mut conn = Connection::open(&path).map_err(backend)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(backend)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;",
        )
        .map_err(backend)?;
        conn.set_prepared_statement_cache_capacity(64);
        schema::migrate(&mut conn)?;
        Ok(SqliteReadModels {
            inner: Arc::new(Inner {
                path,
                writer: Mutex::new(conn),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Runs `f` in one immediate transaction on the write connection, off the async
    /// threads; commits durably (fsync) when it returns `Ok`, rolls back otherwise.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, ReadModelError> + Send + 'static,
    ) -> Result<T, ReadModelError> {
        self.write_as(Durability::Full, f).await
    }

    /// Like [`Self::write`] for projection steps: committed without waiting for the disk
    /// (`synchronous = NORMAL`). A power cut may lose the last steps, never tear one (the
    /// WAL keeps each transaction whole, with its cursor), and the projector redoes them
    /// from the log. Catalog writes stay fully durable.
    async fn write_projection<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, ReadModelError> + Send + 'static,
    ) -> Result<T, ReadModelError> {
        self.write_as(Durability::Normal, f).await
    }

    async fn write_as<T: Send + 'static>(
        &self,
        durability: Durability,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, ReadModelError> + Send + 'static,
    ) -> Result<T, ReadModelError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
            let pragma = match durability {
                Durability::Full => "PRAGMA synchronous = FULL",
                Durability::Normal => "PRAGMA synchronous = NORMAL",
            };
            conn.execute_batch(pragma).map_err(backend)?;
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(backend)?;
            let value = f(&tx)?;
            tx.commit().map_err(backend)?;
            Ok(value)
        })
        .await
        .map_err(backend)?
    }

    /// Runs `f` on a read-only connection, off the async threads.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, ReadModelError> + Send + 'static,
    ) -> Result<T, ReadModelError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let idle = inner
                .readers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let conn = match idle {
                Some(conn) => conn,
                None => schema::open_reader(&inner.path)?,
            };
            let result = f(&conn);
            let mut idle = inner.readers.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < READERS {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(backend)?
    }
}
