//! Storage for Checkered: the durable, per-track ordered event log behind a small trait,
//! and its embedded SQLite backend.
//!
//! Everything downstream of ingest (engine actors, projections, the live gateway) reads from
//! this log, and ingest acknowledges a relay only after [`EventLog::append_raw`] returned,
//! which is after the append is durable (DESIGN.md §2 "acked means durable"). The cluster
//! backend (NATS JetStream) will implement the same [`EventLog`] and run the same
//! `conformance` scenarios (feature `conformance`).
//!
//! # Layout
//! - [`EventLog`] (`event_log`): the trait.
//! - [`StoreError`] (`error`): retryable vs fatal failures.
//! - `model`: the rows ([`AppendOutcome`], [`StoredRaw`], [`DerivedRow`], [`SnapshotRow`],
//!   [`DeadLetter`], [`Retention`], …).
//! - [`sqlite`]: [`SqliteLog`], one `events.db` with a group-committing writer thread.
//! - [`readmodel`]: the catalog ([`readmodel::ReadModels`]) and the projections of the logs
//!   ([`readmodel::Projections`]) the REST layer serves, SQLite in `readmodels.db`.
//! - [`identity`]: organisations, users, roles, refresh families, relay clients, track
//!   owners and the audit log ([`identity::IdentityStore`], SQLite in `identity.db`).
//! - `conformance` (tests, or feature `conformance`): backend-neutral scenarios.
//!
//! ```no_run
//! # async fn demo() -> Result<(), checkered_store::StoreError> {
//! use checkered_store::{EventLog, SqliteLog, SqliteOptions};
//! use std::sync::Arc;
//! let log: Arc<dyn EventLog> =
//!     Arc::new(SqliteLog::open(std::path::Path::new("./checkered-data"), SqliteOptions::default())?);
//! let after = log.last_raw_seq("sebring").await?;
//! let next = log.read_raw("sebring", after, 100).await?;
//! # drop(next);
//! # Ok(()) }
//! ```

pub mod error;
pub mod event_log;
pub mod identity;
pub mod model;
pub mod readmodel;
pub mod sqlite;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;

pub use error::StoreError;
pub use event_log::EventLog;
pub use model::{
    AppendOutcome, DeadLetter, DerivedRow, Retention, RetentionReport, SnapshotRow,
    StoredDeadLetter, StoredRaw,
};
pub use sqlite::{SqliteLog, SqliteOptions};
