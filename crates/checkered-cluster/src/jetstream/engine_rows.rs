//! Derived events, snapshots and dead letters on JetStream.
//!
//! # Layout
//! - Derived: `append_derived_rows` (expected-last-sequence CAS + message id), reads.
//! - Snapshots: keyframes per track, the latest in the `SNAPSHOTS` stream.
//! - Dead letters: the `DLQ` stream.

use super::raw::{WINDOW, publish_error};
use super::{JetStreamLog, codec, io};
use crate::names::TrackStream;
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::stream::LastRawMessageErrorKind;
use checkered_store::{DeadLetter, DerivedRow, SnapshotRow, StoreError, StoredDeadLetter};

/// How many times a derived append re-reads the stream after losing a race to another
/// writer before giving up (retryable).
const DERIVED_ATTEMPTS: usize = 5;

impl JetStreamLog {
    /// See [`checkered_store::EventLog::append_derived`]. Row `seq` must equal the stream
    /// sequence it lands on: each is published expecting `seq - 1` as the stream's last
    /// sequence, so a row can never be stored twice or out of place. Rows already stored
    /// are skipped; a row that would leave a gap is refused.
    pub(crate) async fn append_derived_rows(
        &self,
        track: &str,
        mut rows: Vec<DerivedRow>,
    ) -> Result<u64, StoreError> {
        rows.sort_by_key(|r| r.seq);
        rows.dedup_by_key(|r| r.seq);
        if rows.is_empty() {
            return Ok(0);
        }
        self.ensure(TrackStream::Derived, track).await?;
        let name = self.inner.names.stream(TrackStream::Derived, track);
        let mut inserted = 0u64;
        for _ in 0..DERIVED_ATTEMPTS {
            let (_, last) = self.bounds(&name).await?;
            let pending: Vec<&DerivedRow> = rows.iter().filter(|r| r.seq > last).collect();
            let Some(first) = pending.first() else {
                return Ok(inserted);
            };
            let contiguous = pending
                .iter()
                .enumerate()
                .all(|(i, r)| r.seq == last + 1 + i as u64);
            if first.seq != last + 1 || !contiguous {
                return Err(StoreError::Invalid {
                    index: 0,
                    reason: format!("derived seq {} would leave a gap after {last}", first.seq),
                });
            }
            let (stored, lost_race) = self.publish_derived(track, &pending).await?;
            inserted += stored;
            if !lost_race {
                return Ok(inserted);
            }
        }
        Err(StoreError::Busy(
            format!("derived stream of {track} keeps moving").into(),
        ))
    }

    /// Publishes rows (contiguous after the stream's last) pipelined; returns how many were
    /// new and whether another writer got in between (some rows then need a re-read).
    async fn publish_derived(
        &self,
        track: &str,
        rows: &[&DerivedRow],
    ) -> Result<(u64, bool), StoreError> {
        let subject = self.inner.names.subject(TrackStream::Derived, track);
        let (mut stored, mut lost) = (0u64, false);
        // In windows, like raw appends, so a call never holds many ack permits.
        for window in rows.chunks(WINDOW) {
            let mut acks = Vec::with_capacity(window.len());
            for row in window {
                let message = PublishMessage::build()
                    .payload(codec::encode_derived(row)?.into())
                    .message_id(format!("{track}:{}", row.seq))
                    .expected_last_sequence(row.seq - 1);
                acks.push(
                    self.inner
                        .js
                        .send_publish(subject.clone(), message)
                        .await
                        .map_err(publish_error)?,
                );
            }
            for ack in acks {
                match ack.await {
                    Ok(ack) if !ack.duplicate => stored += 1,
                    Ok(_) => {}
                    Err(e) if e.kind() == PublishErrorKind::WrongLastSequence => lost = true,
                    Err(e) => return Err(publish_error(e)),
                }
            }
        }
        Ok((stored, lost))
    }

    /// See [`checkered_store::EventLog::read_derived`].
    pub(crate) async fn read_derived_rows(
        &self,
        track: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<DerivedRow>, StoreError> {
        let name = self.inner.names.stream(TrackStream::Derived, track);
        let messages = self.read_range(&name, after, limit).await?;
        messages.iter().map(codec::decode_derived).collect()
    }

    /// See [`checkered_store::EventLog::save_snapshot`]: appended to the track's keyframes,
    /// and made the latest unless a later one is already there.
    pub(crate) async fn save_snapshot_row(
        &self,
        track: &str,
        snapshot: SnapshotRow,
    ) -> Result<(), StoreError> {
        self.ensure(TrackStream::Keyframes, track).await?;
        let headers = codec::snapshot_headers(&snapshot);
        let keyframe = PublishMessage::build()
            .payload(snapshot.body.clone().into())
            .headers(headers.clone());
        let subject = self.inner.names.subject(TrackStream::Keyframes, track);
        let ack = self
            .inner
            .js
            .send_publish(subject, keyframe)
            .await
            .map_err(publish_error)?;
        ack.await.map_err(publish_error)?;
        let newer = self
            .latest_snapshot_row(track)
            .await?
            .is_some_and(|latest| latest.raw_seq > snapshot.raw_seq);
        if !newer {
            let latest = PublishMessage::build()
                .payload(snapshot.body.into())
                .headers(headers);
            let subject = self.inner.names.snapshot_subject(track, "all");
            let ack = self
                .inner
                .js
                .send_publish(subject, latest)
                .await
                .map_err(publish_error)?;
            ack.await.map_err(publish_error)?;
        }
        Ok(())
    }

    /// See [`checkered_store::EventLog::latest_snapshot`]: one read of the snapshot stream.
    pub(crate) async fn latest_snapshot_row(
        &self,
        track: &str,
    ) -> Result<Option<SnapshotRow>, StoreError> {
        let stream = self.stream(&self.inner.names.snapshots_stream()).await?;
        let subject = self.inner.names.snapshot_subject(track, "all");
        match stream.get_last_raw_message_by_subject(&subject).await {
            Ok(message) => codec::decode_snapshot(&message).map(Some),
            Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// See [`checkered_store::EventLog::snapshot_at_or_before`]: a binary search over the
    /// keyframes, whose derived seqs never decrease in save order (the engine is
    /// deterministic and a new owner resumes from the latest).
    pub(crate) async fn keyframe_at_or_before(
        &self,
        track: &str,
        derived_seq: u64,
    ) -> Result<Option<SnapshotRow>, StoreError> {
        let name = self.inner.names.stream(TrackStream::Keyframes, track);
        let (first, last) = self.bounds(&name).await?;
        if last == 0 || first > last {
            return Ok(None);
        }
        let (mut lo, mut hi) = (first, last + 1);
        let mut best = None;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let found = self.read_seqs(&name, std::iter::once(mid)).await?;
            let Some(message) = found.first() else {
                lo = mid + 1;
                continue;
            };
            let row = codec::decode_snapshot(message)?;
            if row.derived_seq <= derived_seq {
                best = Some(row);
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(best)
    }

    /// See [`checkered_store::EventLog::dead_letter`].
    pub(crate) async fn store_dead_letters(&self, rows: Vec<DeadLetter>) -> Result<(), StoreError> {
        // In windows, like raw appends, so a call never holds many ack permits.
        for window in rows.chunks(WINDOW) {
            let mut acks = Vec::with_capacity(window.len());
            for letter in window {
                let subject = self.inner.names.dlq_subject(&letter.source);
                let body = codec::encode_letter(letter.clone())?;
                let message = PublishMessage::build().payload(body.into());
                let ack = self.inner.js.send_publish(subject, message).await;
                acks.push(ack.map_err(publish_error)?);
            }
            for ack in acks {
                ack.await.map_err(publish_error)?;
            }
        }
        Ok(())
    }

    /// See [`checkered_store::EventLog::read_dead_letters`]: pages through the DLQ stream,
    /// keeping the letters of `track` when given.
    pub(crate) async fn read_letters(
        &self,
        track: Option<&str>,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredDeadLetter>, StoreError> {
        let name = self.inner.names.dlq_stream();
        let mut after = u64::try_from(after_id).unwrap_or(0);
        let mut found = Vec::new();
        while found.len() < limit {
            let page = self.read_range(&name, after, 256).await?;
            let Some(last) = page.last().map(|m| m.sequence) else {
                break;
            };
            for message in &page {
                let letter = codec::decode_letter(message)?;
                if track.is_none_or(|t| letter.track_id.as_deref() == Some(t)) {
                    let id = i64::try_from(message.sequence).unwrap_or(i64::MAX);
                    found.push(StoredDeadLetter { id, letter });
                }
            }
            after = last;
        }
        found.truncate(limit);
        Ok(found)
    }
}
