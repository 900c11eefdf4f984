//! [`Projections`] for [`SqliteReadModels`]: a projection step is one transaction with its
//! cursor; reads use the read-only connections.
//!
//! # Layout
//! - One short method per [`Projections`] call, delegating to `project`, `control`, `queries`.

use super::{SqliteReadModels, control, project, queries};
use crate::model::{DerivedRow, StoredRaw};
use crate::readmodel::{
    ApplyOutcome, CarRecord, ClassificationRecord, CompetitorRecord, ControlRecord,
    FlagPeriodRecord, LapRecord, ProjectionCursor, Projections, ReadModelError, SessionRecord,
};
use async_trait::async_trait;

#[async_trait]
impl Projections for SqliteReadModels {
    async fn cursor(&self, track: &str) -> Result<ProjectionCursor, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| project::cursor(c, &track)).await
    }

    async fn apply_derived(
        &self,
        track: &str,
        after: u64,
        rows: Vec<DerivedRow>,
    ) -> Result<ApplyOutcome, ReadModelError> {
        let track = track.to_owned();
        self.write_projection(move |c| project::apply_derived(c, &track, after, &rows))
            .await
    }

    async fn apply_control(
        &self,
        track: &str,
        after: u64,
        through: u64,
        rows: Vec<StoredRaw>,
    ) -> Result<ApplyOutcome, ReadModelError> {
        let track = track.to_owned();
        self.write_projection(move |c| control::apply(c, &track, after, through, &rows))
            .await
    }

    async fn reset(&self, track: &str) -> Result<(), ReadModelError> {
        let track = track.to_owned();
        self.write_projection(move |c| queries::reset(c, &track))
            .await
    }

    async fn sessions(&self, track: &str) -> Result<Vec<SessionRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| queries::sessions(c, &track)).await
    }

    async fn session(&self, track: &str, id: u32) -> Result<Option<SessionRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| queries::session(c, &track, id)).await
    }

    async fn cars(&self, track: &str, session: u32) -> Result<Vec<CarRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| queries::cars(c, &track, session)).await
    }

    async fn laps(
        &self,
        track: &str,
        session: u32,
        car: Option<&str>,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LapRecord>, ReadModelError> {
        let (track, car) = (track.to_owned(), car.map(str::to_owned));
        self.read(move |c| queries::laps(c, &track, session, car.as_deref(), after, limit))
            .await
    }

    async fn classifications(
        &self,
        track: &str,
        session: u32,
        after: u32,
        limit: usize,
    ) -> Result<Vec<ClassificationRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| queries::classifications(c, &track, session, after, limit))
            .await
    }

    async fn classification(
        &self,
        track: &str,
        session: u32,
        version: Option<u32>,
    ) -> Result<Option<ClassificationRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| queries::classification(c, &track, session, version))
            .await
    }

    async fn flags(
        &self,
        track: &str,
        session: u32,
    ) -> Result<Vec<FlagPeriodRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| queries::flags(c, &track, session)).await
    }

    async fn competitors(&self, track: &str) -> Result<Vec<CompetitorRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| queries::competitors(c, &track)).await
    }

    async fn control_log(
        &self,
        track: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<ControlRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| control::log(c, &track, after, limit))
            .await
    }
}
