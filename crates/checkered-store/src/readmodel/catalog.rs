//! The [`ReadModels`] trait: the catalog officials edit through the REST API.
//!
//! # Layout
//! - Tracks, events, scheduled sessions, entry lists, the race-control audit annex.

use super::ReadModelError;
use super::records::{
    ControlAudit, EntryList, EntryRecord, EventRecord, ImportMode, ImportOutcome, ScheduledSession,
    TrackRecord,
};
use async_trait::async_trait;

/// The catalog. Every write is one transaction; a refused write changes nothing.
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
    /// Removes a track with its events, schedules and entry lists; `NotFound` if absent.
    async fn delete_track(&self, id: &str) -> Result<(), ReadModelError>;

    /// Adds an event; `Conflict` if its id is taken at the track.
    async fn create_event(&self, event: EventRecord) -> Result<(), ReadModelError>;
    /// An event of a track.
    async fn get_event(&self, track: &str, id: &str)
    -> Result<Option<EventRecord>, ReadModelError>;
    /// The events of a track, by start then id.
    async fn list_events(&self, track: &str) -> Result<Vec<EventRecord>, ReadModelError>;
    /// Replaces an event's fields; `NotFound` if absent.
    async fn update_event(&self, event: EventRecord) -> Result<(), ReadModelError>;
    /// Removes an event with its schedule and entry list; `NotFound` if absent.
    async fn delete_event(&self, track: &str, id: &str) -> Result<(), ReadModelError>;

    /// Adds a planned session to an event; returns it with its id.
    async fn create_scheduled(
        &self,
        session: ScheduledSession,
    ) -> Result<ScheduledSession, ReadModelError>;
    /// A planned session of an event.
    async fn get_scheduled(
        &self,
        track: &str,
        event: &str,
        id: i64,
    ) -> Result<Option<ScheduledSession>, ReadModelError>;
    /// The schedule of an event, by planned start then id.
    async fn list_scheduled(
        &self,
        track: &str,
        event: &str,
    ) -> Result<Vec<ScheduledSession>, ReadModelError>;
    /// Replaces a planned session's fields; `NotFound` if absent.
    async fn update_scheduled(&self, session: ScheduledSession) -> Result<(), ReadModelError>;
    /// Removes a planned session; `NotFound` if absent.
    async fn delete_scheduled(
        &self,
        track: &str,
        event: &str,
        id: i64,
    ) -> Result<(), ReadModelError>;

    /// The entries of a list, in number order (numeric numbers first, by value).
    async fn list_entries(
        &self,
        track: &str,
        list: &EntryList,
    ) -> Result<Vec<EntryRecord>, ReadModelError>;
    /// One entry of a list.
    async fn get_entry(
        &self,
        track: &str,
        list: &EntryList,
        number: &str,
    ) -> Result<Option<EntryRecord>, ReadModelError>;
    /// Upserts entries (keyed by number) as one transaction; in `Replace` mode entries
    /// not given are removed. `Rejected` (nothing stored) names every item that repeats a
    /// number or a transponder of the import, or takes a transponder another entry keeps.
    /// The store sets the entries' timestamps from `now_us`.
    async fn import_entries(
        &self,
        track: &str,
        list: &EntryList,
        entries: Vec<EntryRecord>,
        mode: ImportMode,
        now_us: i64,
    ) -> Result<ImportOutcome, ReadModelError>;
    /// Removes one entry; returns it; `NotFound` if absent.
    async fn delete_entry(
        &self,
        track: &str,
        list: &EntryList,
        number: &str,
    ) -> Result<EntryRecord, ReadModelError>;

    /// Records who sent a race-control intent (before the intent is logged).
    async fn record_audit(&self, audit: ControlAudit) -> Result<(), ReadModelError>;
}
