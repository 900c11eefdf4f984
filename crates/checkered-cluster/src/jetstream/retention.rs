//! The contract's retention pass on JetStream (the streams' `max_age` limits apply on top).
//!
//! Per track: raw events up to the latest snapshot's `raw_seq` and older than the limit,
//! derived events up to its `derived_seq` and older than the limit, and keyframes before it
//! and older than the limit are purged from the front of their streams; a track without a
//! snapshot keeps everything. Dead letters older than the limit are purged. Purging the
//! front never lowers a stream's last sequence, so sequences continue.
//!
//! # Layout
//! - [`JetStreamLog::retain`]; `purge_front`: the shared "purge the old prefix" step.

use super::{JetStreamLog, codec, io};
use crate::names::TrackStream;
use async_nats::jetstream::message::StreamMessage;
use checkered_store::{Retention, RetentionReport, StoreError};

impl JetStreamLog {
    /// See [`checkered_store::EventLog::enforce_retention`].
    pub(crate) async fn retain(
        &self,
        now_us: i64,
        limits: &Retention,
    ) -> Result<RetentionReport, StoreError> {
        let mut report = RetentionReport::default();
        let mut tracks = self.tracks_with(TrackStream::Keyframes).await?;
        tracks.dedup();
        for track in tracks {
            let Some(latest) = self.latest_snapshot_row(&track).await? else {
                continue;
            };
            let names = &self.inner.names;
            let raw_cut = Retention::cutoff_us(now_us, limits.raw);
            report.raw += self
                .purge_front(
                    &names.stream(TrackStream::Raw, &track),
                    latest.raw_seq,
                    |m| {
                        let raw = codec::decode_raw(m)?;
                        Ok(raw.envelope.ingested_at_us.unwrap_or(i64::MIN) < raw_cut)
                    },
                )
                .await?;
            let derived_cut = Retention::cutoff_us(now_us, limits.derived);
            report.derived += self
                .purge_front(
                    &names.stream(TrackStream::Derived, &track),
                    latest.derived_seq,
                    |m| Ok(codec::decode_derived(m)?.ts_us < derived_cut),
                )
                .await?;
            let snap_cut = Retention::cutoff_us(now_us, limits.snapshots);
            report.snapshots += self
                .purge_front(
                    &names.stream(TrackStream::Keyframes, &track),
                    u64::MAX,
                    |m| {
                        let row = codec::decode_snapshot(m)?;
                        Ok(row.ts_us < snap_cut && row.raw_seq < latest.raw_seq)
                    },
                )
                .await?;
        }
        let dlq_cut = Retention::cutoff_us(now_us, limits.dead_letters);
        report.dead_letters += self
            .purge_front(&self.inner.names.dlq_stream(), u64::MAX, |m| {
                Ok(codec::decode_letter(m)?.received_at_us < dlq_cut)
            })
            .await?;
        Ok(report)
    }

    /// Purges the messages from the front of stream `name` while they are at or before
    /// `through` and `old` says so; returns how many were purged.
    async fn purge_front(
        &self,
        name: &str,
        through: u64,
        old: impl Fn(&StreamMessage) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        let (first, last) = self.bounds(name).await?;
        if last == 0 || first > last {
            return Ok(0);
        }
        let mut stop = first;
        'scan: while stop <= last.min(through) {
            let page = self.read_range(name, stop - 1, 256).await?;
            if page.is_empty() {
                break;
            }
            for message in &page {
                if message.sequence > through || !old(message)? {
                    stop = message.sequence;
                    break 'scan;
                }
                stop = message.sequence + 1;
            }
        }
        if stop <= first {
            return Ok(0);
        }
        let stream = self.stream(name).await?;
        let purged = stream.purge().sequence(stop).await.map_err(io)?;
        Ok(purged.purged)
    }
}
