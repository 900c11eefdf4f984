//! The catalog and read models the REST layer reads and writes, behind [`ReadModels`] so a
//! PostgreSQL backend can take the SQLite one's place.
//!
//! # Layout
//! - [`TrackRecord`]: a track of the catalog.
//! - [`ReadModelError`]: why a call failed (conflict, not found, invalid, backend).
//! - [`ReadModels`]: the trait.
//! - [`sqlite`]: the embedded implementation ([`SqliteReadModels`]).

pub mod sqlite;

use async_trait::async_trait;
pub use sqlite::SqliteReadModels;

/// A track: client-chosen slug id, name and the engine configuration (stored opaque).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRecord {
    /// Slug id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The engine's `TrackConfig` as JSON.
    pub config: serde_json::Value,
    /// Creation time, µs since the epoch.
    pub created_at_us: i64,
    /// Last change, µs since the epoch.
    pub updated_at_us: i64,
}

/// Why a read-model call failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadModelError {
    /// The record already exists.
    #[error("{0}")]
    Conflict(String),
    /// No such record.
    #[error("{0}")]
    NotFound(String),
    /// The input is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The backend failed.
    #[error("read-model storage failed: {0}")]
    Backend(String),
}

/// Catalog and projections.
#[async_trait]
pub trait ReadModels: Send + Sync + 'static {
    /// Adds a track; `Conflict` if the id is taken.
    async fn create_track(&self, track: TrackRecord) -> Result<(), ReadModelError>;
    /// A track by id.
    async fn get_track(&self, id: &str) -> Result<Option<TrackRecord>, ReadModelError>;
    /// Every track, by id.
    async fn list_tracks(&self) -> Result<Vec<TrackRecord>, ReadModelError>;
    /// Replaces a track's name and config; `NotFound` if absent.
    async fn update_track(&self, track: TrackRecord) -> Result<(), ReadModelError>;
    /// Removes a track; `NotFound` if absent.
    async fn delete_track(&self, id: &str) -> Result<(), ReadModelError>;
}
