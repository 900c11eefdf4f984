//! The [`EventLog`] implementation: each method delegates to the module that does it.

use super::JetStreamLog;
use crate::names::TrackStream;
use async_trait::async_trait;
use checkered_protocol::contract::Envelope;
use checkered_store::{
    AppendOutcome, DeadLetter, DerivedRow, EventLog, Retention, RetentionReport, SnapshotRow,
    StoreError, StoredDeadLetter, StoredRaw,
};

#[async_trait]
impl EventLog for JetStreamLog {
    async fn append_raw(
        &self,
        events: Vec<Envelope>,
        now_us: i64,
    ) -> Result<Vec<AppendOutcome>, StoreError> {
        self.append_raw_events(events, now_us).await
    }

    async fn read_raw(
        &self,
        track: &str,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<StoredRaw>, StoreError> {
        let name = self.inner.names.stream(TrackStream::Raw, track);
        let messages = self.read_range(&name, after_seq, limit).await?;
        messages.iter().map(super::codec::decode_raw).collect()
    }

    async fn last_raw_seq(&self, track: &str) -> Result<u64, StoreError> {
        Ok(self
            .bounds(&self.inner.names.stream(TrackStream::Raw, track))
            .await?
            .1)
    }

    async fn tracks(&self) -> Result<Vec<String>, StoreError> {
        self.raw_tracks().await
    }

    async fn append_derived(&self, track: &str, rows: Vec<DerivedRow>) -> Result<u64, StoreError> {
        self.append_derived_rows(track, rows).await
    }

    async fn read_derived(
        &self,
        track: &str,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<DerivedRow>, StoreError> {
        self.read_derived_rows(track, after_seq, limit).await
    }

    async fn last_derived_seq(&self, track: &str) -> Result<u64, StoreError> {
        Ok(self
            .bounds(&self.inner.names.stream(TrackStream::Derived, track))
            .await?
            .1)
    }

    async fn save_snapshot(&self, track: &str, snapshot: SnapshotRow) -> Result<(), StoreError> {
        self.save_snapshot_row(track, snapshot).await
    }

    async fn latest_snapshot(&self, track: &str) -> Result<Option<SnapshotRow>, StoreError> {
        self.latest_snapshot_row(track).await
    }

    async fn snapshot_at_or_before(
        &self,
        track: &str,
        derived_seq: u64,
    ) -> Result<Option<SnapshotRow>, StoreError> {
        self.keyframe_at_or_before(track, derived_seq).await
    }

    async fn dead_letter(&self, rows: Vec<DeadLetter>) -> Result<(), StoreError> {
        self.store_dead_letters(rows).await
    }

    async fn read_dead_letters(
        &self,
        track: Option<&str>,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredDeadLetter>, StoreError> {
        self.read_letters(track, after_id, limit).await
    }

    async fn enforce_retention(
        &self,
        now_us: i64,
        limits: &Retention,
    ) -> Result<RetentionReport, StoreError> {
        self.retain(now_us, limits).await
    }
}
