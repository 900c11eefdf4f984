//! The [`Projections`] trait: tables folded from each track's logs, exactly once.
//!
//! A projector reads a track's derived events in `seq` order and hands them to
//! [`Projections::apply_derived`] with the cursor it read from; the backend folds them and
//! moves the cursor in one transaction, refusing (`Conflict`) a step whose cursor moved
//! meanwhile (a concurrent reset). A crash between steps therefore loses or repeats
//! nothing, and [`Projections::reset`] followed by projecting from seq 0 gives the very
//! same tables. Race-control intents live in the raw log, so the control log has its own
//! cursor ([`Projections::apply_control`]).
//!
//! # Layout
//! - Progress: `cursor`, `apply_derived`, `apply_control`, `reset`.
//! - Reads: sessions, cars, laps, classifications, flags, competitors, control log.

use super::ReadModelError;
use super::views::{
    ApplyOutcome, CarRecord, ClassificationRecord, CompetitorRecord, ControlRecord,
    FlagPeriodRecord, LapRecord, ProjectionCursor, SessionRecord,
};
use crate::model::{DerivedRow, StoredRaw};
use async_trait::async_trait;

/// The projections of every track.
#[async_trait]
pub trait Projections: Send + Sync + 'static {
    /// How far `track` got (zeros when never projected).
    async fn cursor(&self, track: &str) -> Result<ProjectionCursor, ReadModelError>;

    /// Folds derived events read after `after` (ascending; rows at or before the cursor
    /// are ignored) and moves the derived cursor to the last one. A row that cannot be
    /// decoded is skipped and counted, never fatal. `Conflict` if the stored cursor is not
    /// `after`.
    async fn apply_derived(
        &self,
        track: &str,
        after: u64,
        rows: Vec<DerivedRow>,
    ) -> Result<ApplyOutcome, ReadModelError>;

    /// Records the race-control intents among raw events `after < track_seq <= through`
    /// (the caller passes only the `CONTROL` ones) and moves the raw cursor to `through`.
    /// `Conflict` if the stored raw cursor is not `after`.
    async fn apply_control(
        &self,
        track: &str,
        after: u64,
        through: u64,
        rows: Vec<StoredRaw>,
    ) -> Result<ApplyOutcome, ReadModelError>;

    /// Deletes every projected row and the cursors of `track`, so projecting starts over.
    async fn reset(&self, track: &str) -> Result<(), ReadModelError>;

    /// The sessions of a track, by id.
    async fn sessions(&self, track: &str) -> Result<Vec<SessionRecord>, ReadModelError>;
    /// One session.
    async fn session(&self, track: &str, id: u32) -> Result<Option<SessionRecord>, ReadModelError>;
    /// The cars of a session, by position (unplaced last).
    async fn cars(&self, track: &str, session: u32) -> Result<Vec<CarRecord>, ReadModelError>;
    /// Laps of a session (of one car when `car` is given) with `seq > after`, by seq.
    async fn laps(
        &self,
        track: &str,
        session: u32,
        car: Option<&str>,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LapRecord>, ReadModelError>;
    /// Classification versions of a session with `version > after`, ascending.
    async fn classifications(
        &self,
        track: &str,
        session: u32,
        after: u32,
        limit: usize,
    ) -> Result<Vec<ClassificationRecord>, ReadModelError>;
    /// One classification version (`None` for the version: the latest).
    async fn classification(
        &self,
        track: &str,
        session: u32,
        version: Option<u32>,
    ) -> Result<Option<ClassificationRecord>, ReadModelError>;
    /// The flag periods of a session, in order.
    async fn flags(
        &self,
        track: &str,
        session: u32,
    ) -> Result<Vec<FlagPeriodRecord>, ReadModelError>;
    /// Competitors the engine knows, by number.
    async fn competitors(&self, track: &str) -> Result<Vec<CompetitorRecord>, ReadModelError>;
    /// Race-control intents with `raw_seq > after`, ascending, with their audit.
    async fn control_log(
        &self,
        track: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<ControlRecord>, ReadModelError>;
}
