//! [`ReadModels`] for [`SqliteReadModels`]: each call is one transaction (writes) or one
//! read, run off the async threads.
//!
//! # Layout
//! - One short method per [`ReadModels`] call, delegating to `tracks`, `events`, `entries`, `audit`.

use super::{SqliteReadModels, audit, entries, events, tracks};
use crate::readmodel::{
    ControlAudit, EntryList, EntryRecord, EventRecord, ImportMode, ImportOutcome, ReadModelError,
    ReadModels, ScheduledSession, TrackRecord,
};
use async_trait::async_trait;

#[async_trait]
impl ReadModels for SqliteReadModels {
    async fn create_track(&self, track: TrackRecord) -> Result<(), ReadModelError> {
        self.write(move |c| tracks::create(c, &track)).await
    }

    async fn get_track(&self, id: &str) -> Result<Option<TrackRecord>, ReadModelError> {
        let id = id.to_owned();
        self.read(move |c| tracks::get(c, &id)).await
    }

    async fn list_tracks(&self) -> Result<Vec<TrackRecord>, ReadModelError> {
        self.read(tracks::list).await
    }

    async fn update_track(&self, track: TrackRecord) -> Result<(), ReadModelError> {
        self.write(move |c| tracks::update(c, &track)).await
    }

    async fn delete_track(&self, id: &str) -> Result<(), ReadModelError> {
        let id = id.to_owned();
        self.write(move |c| tracks::delete(c, &id)).await
    }

    async fn create_event(&self, event: EventRecord) -> Result<(), ReadModelError> {
        self.write(move |c| {
            if tracks::get(c, &event.track_id)?.is_none() {
                return Err(ReadModelError::NotFound(format!(
                    "unknown track {:?}",
                    event.track_id
                )));
            }
            events::create_event(c, &event)
        })
        .await
    }

    async fn get_event(
        &self,
        track: &str,
        id: &str,
    ) -> Result<Option<EventRecord>, ReadModelError> {
        let (track, id) = (track.to_owned(), id.to_owned());
        self.read(move |c| events::get_event(c, &track, &id)).await
    }

    async fn list_events(&self, track: &str) -> Result<Vec<EventRecord>, ReadModelError> {
        let track = track.to_owned();
        self.read(move |c| events::list_events(c, &track)).await
    }

    async fn update_event(&self, event: EventRecord) -> Result<(), ReadModelError> {
        self.write(move |c| events::update_event(c, &event)).await
    }

    async fn delete_event(&self, track: &str, id: &str) -> Result<(), ReadModelError> {
        let (track, id) = (track.to_owned(), id.to_owned());
        self.write(move |c| events::delete_event(c, &track, &id))
            .await
    }

    async fn create_scheduled(
        &self,
        mut session: ScheduledSession,
    ) -> Result<ScheduledSession, ReadModelError> {
        self.write(move |c| {
            session.id = events::create_scheduled(c, &session)?;
            Ok(session)
        })
        .await
    }

    async fn get_scheduled(
        &self,
        track: &str,
        event: &str,
        id: i64,
    ) -> Result<Option<ScheduledSession>, ReadModelError> {
        let (track, event) = (track.to_owned(), event.to_owned());
        self.read(move |c| events::get_scheduled(c, &track, &event, id))
            .await
    }

    async fn list_scheduled(
        &self,
        track: &str,
        event: &str,
    ) -> Result<Vec<ScheduledSession>, ReadModelError> {
        let (track, event) = (track.to_owned(), event.to_owned());
        self.read(move |c| events::list_scheduled(c, &track, &event))
            .await
    }

    async fn update_scheduled(&self, session: ScheduledSession) -> Result<(), ReadModelError> {
        self.write(move |c| events::update_scheduled(c, &session))
            .await
    }

    async fn delete_scheduled(
        &self,
        track: &str,
        event: &str,
        id: i64,
    ) -> Result<(), ReadModelError> {
        let (track, event) = (track.to_owned(), event.to_owned());
        self.write(move |c| events::delete_scheduled(c, &track, &event, id))
            .await
    }

    async fn list_entries(
        &self,
        track: &str,
        list: &EntryList,
    ) -> Result<Vec<EntryRecord>, ReadModelError> {
        let (track, list) = (track.to_owned(), list.clone());
        self.read(move |c| entries::list(c, &track, &list)).await
    }

    async fn get_entry(
        &self,
        track: &str,
        list: &EntryList,
        number: &str,
    ) -> Result<Option<EntryRecord>, ReadModelError> {
        let (track, list, number) = (track.to_owned(), list.clone(), number.to_owned());
        self.read(move |c| entries::get(c, &track, &list, &number))
            .await
    }

    async fn import_entries(
        &self,
        track: &str,
        list: &EntryList,
        items: Vec<EntryRecord>,
        mode: ImportMode,
        now_us: i64,
    ) -> Result<ImportOutcome, ReadModelError> {
        let (track, list) = (track.to_owned(), list.clone());
        self.write(move |c| entries::import(c, &track, &list, items, mode, now_us))
            .await
    }

    async fn delete_entry(
        &self,
        track: &str,
        list: &EntryList,
        number: &str,
    ) -> Result<EntryRecord, ReadModelError> {
        let (track, list, number) = (track.to_owned(), list.clone(), number.to_owned());
        self.write(move |c| entries::delete(c, &track, &list, &number))
            .await
    }

    async fn record_audit(&self, record: ControlAudit) -> Result<(), ReadModelError> {
        self.write(move |c| audit::record(c, &record)).await
    }
}
