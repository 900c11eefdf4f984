//! [`EventLog`] for [`SqliteLog`]: inputs are checked and encoded in the caller's task,
//! writes go to the writer thread, reads to the pool.
//!
//! # Layout
//! - `prepare_raw`: validation, idempotency key and JSON, off the writer thread.
//! - The trait implementation, one short method per operation.

use super::ops::to_sql_seq;
use super::raw_codec::encode_body;
use super::writer::{Output, PreparedRaw, Work};
use super::{SqliteLog, read};
use crate::error::StoreError;
use crate::event_log::EventLog;
use crate::model::{
    AppendOutcome, DeadLetter, DerivedRow, Retention, RetentionReport, SnapshotRow,
    StoredDeadLetter, StoredRaw,
};
use async_trait::async_trait;
use checkered_protocol::contract::Envelope;

/// Validates, keys and encodes each envelope; the first invalid one refuses the call.
fn prepare_raw(events: Vec<Envelope>) -> Result<Vec<PreparedRaw>, StoreError> {
    let mut prepared = Vec::with_capacity(events.len());
    for (index, envelope) in events.into_iter().enumerate() {
        envelope.validate().map_err(|e| StoreError::Invalid {
            index,
            reason: e.to_string(),
        })?;
        let body = encode_body(&envelope).map_err(|e| StoreError::Invalid {
            index,
            reason: e.to_string(),
        })?;
        prepared.push(PreparedRaw::new(
            &envelope.track_id,
            &envelope.client_id,
            &envelope.boot_id,
            envelope.seq,
            body,
        ));
    }
    Ok(prepared)
}

/// Refuses sequence numbers SQLite cannot hold, naming the offending row.
fn check_seqs(seqs: impl Iterator<Item = u64>) -> Result<(), StoreError> {
    for (index, seq) in seqs.enumerate() {
        to_sql_seq(seq).map_err(|e| match e {
            StoreError::Invalid { reason, .. } => StoreError::Invalid { index, reason },
            other => other,
        })?;
    }
    Ok(())
}

fn unexpected(output: Output) -> StoreError {
    StoreError::Backend(format!("writer answered with the wrong kind: {output:?}").into())
}

#[async_trait]
impl EventLog for SqliteLog {
    async fn append_raw(
        &self,
        events: Vec<Envelope>,
        now_us: i64,
    ) -> Result<Vec<AppendOutcome>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let events = prepare_raw(events)?;
        match self.submit(Work::AppendRaw { events, now_us }).await? {
            Output::Appended(outcomes) => Ok(outcomes),
            other => Err(unexpected(other)),
        }
    }

    async fn read_raw(
        &self,
        track: &str,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<StoredRaw>, StoreError> {
        let track = track.to_owned();
        self.read(move |c| read::raw(c, &track, after_seq, limit))
            .await
    }

    async fn read_raw_of_type(
        &self,
        track: &str,
        after_seq: u64,
        through_seq: u64,
        message_type: &str,
        limit: usize,
    ) -> Result<Vec<StoredRaw>, StoreError> {
        let (track, kind) = (track.to_owned(), message_type.to_owned());
        self.read(move |c| read::raw_of_type(c, &track, after_seq, through_seq, &kind, limit))
            .await
    }

    async fn last_raw_seq(&self, track: &str) -> Result<u64, StoreError> {
        let track = track.to_owned();
        self.read(move |c| read::last_raw_seq(c, &track)).await
    }

    async fn tracks(&self) -> Result<Vec<String>, StoreError> {
        self.read(read::tracks).await
    }

    async fn append_derived(&self, track: &str, rows: Vec<DerivedRow>) -> Result<u64, StoreError> {
        check_seqs(rows.iter().map(|r| r.seq))?;
        let work = Work::AppendDerived {
            track: track.to_owned(),
            rows,
        };
        match self.submit(work).await? {
            Output::Inserted(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }

    async fn read_derived(
        &self,
        track: &str,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<DerivedRow>, StoreError> {
        let track = track.to_owned();
        self.read(move |c| read::derived(c, &track, after_seq, limit))
            .await
    }

    async fn last_derived_seq(&self, track: &str) -> Result<u64, StoreError> {
        let track = track.to_owned();
        self.read(move |c| read::last_derived_seq(c, &track)).await
    }

    async fn save_snapshot(&self, track: &str, snapshot: SnapshotRow) -> Result<(), StoreError> {
        check_seqs([snapshot.raw_seq, snapshot.derived_seq].into_iter())?;
        let work = Work::SaveSnapshot {
            track: track.to_owned(),
            snapshot,
        };
        match self.submit(work).await? {
            Output::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    async fn latest_snapshot(&self, track: &str) -> Result<Option<SnapshotRow>, StoreError> {
        let track = track.to_owned();
        self.read(move |c| read::latest_snapshot(c, &track)).await
    }

    async fn snapshot_at_or_before(
        &self,
        track: &str,
        derived_seq: u64,
    ) -> Result<Option<SnapshotRow>, StoreError> {
        let track = track.to_owned();
        self.read(move |c| read::snapshot_at_or_before(c, &track, derived_seq))
            .await
    }

    async fn dead_letter(&self, rows: Vec<DeadLetter>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        match self.submit(Work::DeadLetter { rows }).await? {
            Output::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    async fn read_dead_letters(
        &self,
        track: Option<&str>,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredDeadLetter>, StoreError> {
        let track = track.map(str::to_owned);
        self.read(move |c| read::dead_letters(c, track.as_deref(), after_id, limit))
            .await
    }

    async fn enforce_retention(
        &self,
        now_us: i64,
        limits: &Retention,
    ) -> Result<RetentionReport, StoreError> {
        let work = Work::Retention {
            now_us,
            limits: *limits,
        };
        match self.submit(work).await? {
            Output::Retained(report) => Ok(report),
            other => Err(unexpected(other)),
        }
    }
}
