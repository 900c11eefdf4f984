//! Raw appends and reads, and the range reads every stream kind shares.
//!
//! # Layout
//! - [`JetStreamLog::append_raw_events`]: validate all, publish in order, await every ack.
//! - [`JetStreamLog::read_range`]: messages `after < seq <= after + limit` of a stream.
//! - Track listing.

use super::{JetStreamLog, codec, io};
use crate::names::TrackStream;
use async_nats::jetstream::context::{PublishAckFuture, PublishErrorKind};
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::message::StreamMessage;
use async_nats::jetstream::stream::LastRawMessageErrorKind;
use checkered_protocol::contract::Envelope;
use checkered_store::{AppendOutcome, StoreError};
use futures_util::{StreamExt, TryStreamExt};
use std::sync::PoisonError;

/// How many message reads are in flight at once in a range read.
const READ_CONCURRENCY: usize = 64;

/// Most publishes one call has in flight before awaiting their acks.
pub(crate) const WINDOW: usize = 128;

/// A publish error as the trait reports it.
pub(crate) fn publish_error(e: async_nats::jetstream::context::PublishError) -> StoreError {
    match e.kind() {
        PublishErrorKind::TimedOut
        | PublishErrorKind::BrokenPipe
        | PublishErrorKind::MaxAckPending
        | PublishErrorKind::StreamNotFound => StoreError::Io(Box::new(e)),
        _ => StoreError::Backend(Box::new(e)),
    }
}

impl JetStreamLog {
    /// See [`checkered_store::EventLog::append_raw`]. The envelopes of one track are
    /// published in order on one connection (so JetStream stores them in that order) and
    /// the call returns only after every `PubAck`. A failure part-way leaves the envelopes
    /// before it stored: the relay's retry of the batch finds them as duplicates.
    pub(crate) async fn append_raw_events(
        &self,
        mut events: Vec<Envelope>,
        now_us: i64,
    ) -> Result<Vec<AppendOutcome>, StoreError> {
        for (index, e) in events.iter().enumerate() {
            e.validate().map_err(|err| StoreError::Invalid {
                index,
                reason: err.to_string(),
            })?;
        }
        let mut tracks: Vec<String> = events.iter().map(|e| e.track_id.clone()).collect();
        tracks.sort();
        tracks.dedup();
        let mut guards = Vec::with_capacity(tracks.len());
        for track in &tracks {
            self.ensure(TrackStream::Raw, track).await?;
            self.load_last_ingested(track).await?;
            guards.push(self.track_lock(track).lock_owned().await);
        }
        // Publishes in windows: a window's acks are awaited before the next is sent, so one
        // call never holds more than `WINDOW` of the context's ack permits (calls that each
        // took permits for a whole batch before awaiting any could starve one another).
        let mut outcomes = Vec::with_capacity(events.len());
        for window in events.chunks_mut(WINDOW) {
            let mut acks: Vec<PublishAckFuture> = Vec::with_capacity(window.len());
            for envelope in window.iter_mut() {
                envelope.ingested_at_us = Some(self.next_ingested(&envelope.track_id, now_us));
                let key = envelope.idempotency_key().to_string();
                let subject = self
                    .inner
                    .names
                    .subject(TrackStream::Raw, &envelope.track_id);
                let payload = codec::encode_raw(envelope)?;
                let message = PublishMessage::build()
                    .payload(payload.into())
                    .message_id(key);
                acks.push(
                    self.inner
                        .js
                        .send_publish(subject, message)
                        .await
                        .map_err(publish_error)?,
                );
            }
            for ack in acks {
                let ack = ack.await.map_err(publish_error)?;
                outcomes.push(if ack.duplicate {
                    AppendOutcome::Duplicate {
                        track_seq: ack.sequence,
                    }
                } else {
                    AppendOutcome::Accepted {
                        track_seq: ack.sequence,
                    }
                });
            }
        }
        drop(guards);
        Ok(outcomes)
    }

    /// `max(now, last)` for the track, remembered as its new last.
    fn next_ingested(&self, track: &str, now_us: i64) -> i64 {
        let mut last = self
            .inner
            .last_ingested
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let slot = last.entry(track.to_owned()).or_insert(i64::MIN);
        *slot = (*slot).max(now_us);
        *slot
    }

    /// Reads the track's last stored `ingested_at_us` once per process.
    async fn load_last_ingested(&self, track: &str) -> Result<(), StoreError> {
        let known = {
            let last = self
                .inner
                .last_ingested
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            last.contains_key(track)
        };
        if known {
            return Ok(());
        }
        let stream = self
            .stream(&self.inner.names.stream(TrackStream::Raw, track))
            .await?;
        let subject = self.inner.names.subject(TrackStream::Raw, track);
        let found = match stream.get_last_raw_message_by_subject(&subject).await {
            Ok(message) => codec::decode_raw(&message)?
                .envelope
                .ingested_at_us
                .unwrap_or(i64::MIN),
            Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => i64::MIN,
            Err(e) => return Err(io(e)),
        };
        let mut last = self
            .inner
            .last_ingested
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let slot = last.entry(track.to_owned()).or_insert(i64::MIN);
        *slot = (*slot).max(found);
        Ok(())
    }

    /// The messages of stream `name` with `after < seq <= min(after + limit, last)`, in
    /// order, skipping purged ones. Reads run concurrently (one request per message).
    pub(crate) async fn read_range(
        &self,
        name: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StreamMessage>, StoreError> {
        let (first, last) = self.bounds(name).await?;
        let start = after.saturating_add(1).max(first);
        let end = last.min(after.saturating_add(limit as u64));
        if limit == 0 || last == 0 || start > end {
            return Ok(Vec::new());
        }
        self.read_seqs(name, start..=end).await
    }

    /// The messages of stream `name` at the given sequences (missing ones skipped).
    pub(crate) async fn read_seqs(
        &self,
        name: &str,
        seqs: impl Iterator<Item = u64>,
    ) -> Result<Vec<StreamMessage>, StoreError> {
        let stream = self.stream(name).await?;
        let stream = &stream;
        let found: Vec<Option<StreamMessage>> = futures_util::stream::iter(seqs)
            .map(|seq| async move {
                match stream.get_raw_message(seq).await {
                    Ok(m) => Ok(Some(m)),
                    Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(None),
                    Err(e) => Err(io(e)),
                }
            })
            .buffered(READ_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// The tracks whose raw stream holds or held events, sorted.
    pub(crate) async fn raw_tracks(&self) -> Result<Vec<String>, StoreError> {
        let infos: Vec<_> = self.inner.js.streams().try_collect().await.map_err(io)?;
        let mut tracks: Vec<String> = infos
            .iter()
            .filter(|info| info.state.last_sequence > 0)
            .filter_map(|info| {
                self.inner
                    .names
                    .track_of(TrackStream::Raw, &info.config.name)
            })
            .map(str::to_owned)
            .collect();
        tracks.sort();
        Ok(tracks)
    }

    /// Every track with a stream of `kind`.
    pub(crate) async fn tracks_with(&self, kind: TrackStream) -> Result<Vec<String>, StoreError> {
        let names: Vec<String> = self
            .inner
            .js
            .stream_names()
            .try_collect()
            .await
            .map_err(io)?;
        let mut tracks: Vec<String> = names
            .iter()
            .filter_map(|n| self.inner.names.track_of(kind, n))
            .map(str::to_owned)
            .collect();
        tracks.sort();
        Ok(tracks)
    }
}
