//! The [`EventLog`] trait: the durable, per-track ordered log every other part of the
//! platform reads from (DESIGN.md §1–§2).
//!
//! It is deliberately small so a NATS JetStream backend can implement the same contract
//! (`timing.ingest.raw.v1.<track>` with `Nats-Msg-Id` dedupe, and so on) and run the same
//! [`conformance`](crate) scenarios.
//!
//! # Layout
//! - [`EventLog`]: raw log, derived events, snapshots, dead letters, retention.

use crate::error::StoreError;
use crate::model::{
    AppendOutcome, DeadLetter, DerivedRow, Retention, RetentionReport, SnapshotRow,
    StoredDeadLetter, StoredRaw,
};
use async_trait::async_trait;
use checkered_protocol::contract::Envelope;

/// The durable event log. Held as `Arc<dyn EventLog>` by the server so the backend is chosen
/// once at startup.
///
/// Contract every backend keeps (the conformance suite checks it):
/// - raw events get a gap-free per-track `track_seq` (1, 2, 3, …) in arrival order;
/// - an envelope whose idempotency key is already stored is a duplicate and changes nothing
///   (for as long as the raw event is kept: retention ends its dedupe too, like a JetStream
///   duplicate window);
/// - a write call returns only after its effect is durable, and is all-or-nothing;
/// - reads return rows in ascending sequence order.
#[async_trait]
pub trait EventLog: Send + Sync + 'static {
    /// Appends envelopes to their tracks' raw logs, in order, as one durable transaction.
    ///
    /// Every envelope must pass [`Envelope::validate`] (the idempotency key relies on it);
    /// otherwise the whole call fails with [`StoreError::Invalid`] and nothing is stored.
    /// `ingested_at_us` is set from `now_us` (the server clock), raised if needed so it never
    /// goes back within a track; the input's value is ignored.
    async fn append_raw(
        &self,
        events: Vec<Envelope>,
        now_us: i64,
    ) -> Result<Vec<AppendOutcome>, StoreError>;

    /// Up to `limit` raw events of `track` with `track_seq > after_seq`, ascending.
    async fn read_raw(
        &self,
        track: &str,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<StoredRaw>, StoreError>;

    /// Up to `limit` raw events of `track` whose `message_type` is `message_type`, with
    /// `after_seq < track_seq <= through_seq`, ascending. Consumers that want one kind of
    /// event (the control-log projection wants `CONTROL`) scan with it instead of decoding
    /// every event. The default reads everything and filters; backends can do better.
    async fn read_raw_of_type(
        &self,
        track: &str,
        after_seq: u64,
        through_seq: u64,
        message_type: &str,
        limit: usize,
    ) -> Result<Vec<StoredRaw>, StoreError> {
        let mut found = Vec::new();
        let mut after = after_seq;
        while after < through_seq && found.len() < limit {
            let rows = self.read_raw(track, after, 1_000).await?;
            let Some(last) = rows.last().map(|r| r.track_seq) else {
                break;
            };
            found.extend(
                rows.into_iter().filter(|r| {
                    r.track_seq <= through_seq && r.envelope.message_type == message_type
                }),
            );
            after = last;
        }
        found.truncate(limit);
        Ok(found)
    }

    /// The highest `track_seq` ever assigned on `track` (0 if none). Retention never lowers it.
    async fn last_raw_seq(&self, track: &str) -> Result<u64, StoreError>;

    /// The tracks that have had raw events, sorted.
    async fn tracks(&self) -> Result<Vec<String>, StoreError>;

    /// Stores the engine's output for `track`, durably. Rows whose `(track, seq)` is already
    /// stored are skipped (a re-run engine re-emits identical rows). Returns how many rows
    /// were newly inserted.
    async fn append_derived(&self, track: &str, rows: Vec<DerivedRow>) -> Result<u64, StoreError>;

    /// Up to `limit` derived events of `track` with `seq > after_seq`, ascending.
    async fn read_derived(
        &self,
        track: &str,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<DerivedRow>, StoreError>;

    /// The highest derived `seq` ever stored on `track` (0 if none). Retention never lowers it.
    async fn last_derived_seq(&self, track: &str) -> Result<u64, StoreError>;

    /// Keeps a snapshot of `track` as a keyframe, durably. A second snapshot at the same
    /// `raw_seq` replaces the first (the engine is deterministic, so they are equal).
    async fn save_snapshot(&self, track: &str, snapshot: SnapshotRow) -> Result<(), StoreError>;

    /// The snapshot with the highest `raw_seq` of `track`, if any: where a restarting
    /// engine resumes.
    async fn latest_snapshot(&self, track: &str) -> Result<Option<SnapshotRow>, StoreError>;

    /// The newest snapshot whose `derived_seq <= derived_seq`: where a client seeking back
    /// through a session starts replaying derived events.
    async fn snapshot_at_or_before(
        &self,
        track: &str,
        derived_seq: u64,
    ) -> Result<Option<SnapshotRow>, StoreError>;

    /// Stores refused input with its reason, durably.
    async fn dead_letter(&self, rows: Vec<DeadLetter>) -> Result<(), StoreError>;

    /// Up to `limit` dead letters with `id > after_id`, ascending, of one track or of all.
    async fn read_dead_letters(
        &self,
        track: Option<&str>,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredDeadLetter>, StoreError>;

    /// Deletes rows older than the limits at `now_us`. Never deletes a track's latest
    /// snapshot, nor raw or derived events after it (a restarting engine needs them); a track
    /// without a snapshot keeps all its raw and derived events.
    async fn enforce_retention(
        &self,
        now_us: i64,
        limits: &Retention,
    ) -> Result<RetentionReport, StoreError>;
}
