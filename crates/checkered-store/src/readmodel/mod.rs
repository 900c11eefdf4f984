//! The catalog and the read models the REST layer serves, behind two small traits so a
//! PostgreSQL backend can take the SQLite one's place (issue 8):
//!
//! - [`ReadModels`]: the catalog officials edit (tracks, events, their schedules, entry
//!   lists, and the audit annex of race-control intents). Primary data.
//! - [`Projections`]: tables folded from each track's logs (sessions, live standings, laps,
//!   classification versions, flag history, competitors, control log), with the durable
//!   cursor that makes folding exactly-once. Everything here can be rebuilt from the logs.
//!
//! # Layout
//! - [`records`]: catalog rows ([`TrackRecord`], [`EventRecord`], [`ScheduledSession`],
//!   [`EntryRecord`], [`ControlAudit`], …).
//! - [`views`]: projection rows ([`SessionRecord`], [`CarRecord`], [`LapRecord`], …).
//! - [`catalog`]: the [`ReadModels`] trait; [`projections`]: the [`Projections`] trait.
//! - [`ReadModelError`]: why a call failed.
//! - [`sqlite`]: the embedded implementation of both ([`SqliteReadModels`]).

pub mod catalog;
pub mod entry_rules;
pub mod projections;
pub mod records;
pub mod sqlite;
pub mod views;

pub use catalog::ReadModels;
pub use projections::Projections;
pub use records::{
    ControlAudit, EntryList, EntryRecord, EventRecord, ImportMode, ImportOutcome, ItemError,
    ScheduledSession, TrackRecord, Visibility,
};
pub use sqlite::SqliteReadModels;
pub use views::{
    ApplyOutcome, CarRecord, ClassificationRecord, CompetitorRecord, ControlRecord,
    FlagPeriodRecord, LapRecord, ProjectionCursor, SessionRecord,
};

/// Why a read-model call failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadModelError {
    /// The record already exists, or the state forbids the change (a projection cursor
    /// that moved under the caller is one).
    #[error("{0}")]
    Conflict(String),
    /// No such record.
    #[error("{0}")]
    NotFound(String),
    /// The input is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// Some items of a batch are not acceptable; nothing was stored.
    #[error("{} item(s) refused", .0.len())]
    Rejected(Vec<ItemError>),
    /// The backend failed.
    #[error("read-model storage failed: {0}")]
    Backend(String),
}
