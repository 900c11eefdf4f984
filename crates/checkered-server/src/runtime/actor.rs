//! The engine actor of one track: reads the raw log in order, applies each event to the
//! engine, appends the derived events to the log, then publishes them live, and saves
//! snapshots now and then.
//!
//! Crash safety comes from the order of those steps. Derived events are appended before
//! they are published and before any snapshot that covers them; after a crash the actor
//! restarts from the latest snapshot and re-applies the raw events after it, and because
//! the engine is deterministic it regenerates the very same derived events, which the log
//! ignores by `seq` (no duplicate, no gap).

use super::convert::{self, Decoded};
use super::registry::{RuntimeOptions, TrackRuntime};
use crate::live::frame::Rendered;
use checkered_engine::DerivedEvent;
use checkered_store::{DerivedRow, EventLog, SnapshotRow, StoredRaw};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Runs until `shutdown` turns true.
pub async fn run(
    track: Arc<TrackRuntime>,
    log: Arc<dyn EventLog>,
    options: RuntimeOptions,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut cursor = track.applied_raw.load(Ordering::Acquire);
    let mut unsnapshotted = 0u64;
    let mut last_snapshot = Instant::now();
    let mut backoff = Duration::from_millis(50);
    loop {
        if *shutdown.borrow() || track.stopping.load(Ordering::Acquire) {
            break;
        }
        let handed = track.take_handoff(cursor, options.batch);
        let batch = if !handed.is_empty() {
            Batch::Handed(handed)
        } else {
            match log.read_raw(track.id(), cursor, options.batch).await {
                Ok(rows) => Batch::Read(rows),
                Err(error) => {
                    tracing::error!(track = %track.id(), %error, "cannot read the raw log; retrying");
                    if wait(&mut shutdown, backoff).await {
                        break;
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            }
        };
        backoff = Duration::from_millis(50);
        if batch.is_empty() {
            if unsnapshotted > 0 && last_snapshot.elapsed() >= options.snapshot_every {
                if snapshot(&track, &*log, cursor).await {
                    unsnapshotted = 0;
                }
                last_snapshot = Instant::now();
            }
            tokio::select! {
                () = track.wake.notified() => {}
                _ = shutdown.changed() => {}
                () = tokio::time::sleep(options.snapshot_every) => {}
            }
            continue;
        }
        let Some(last) = batch.last_seq() else {
            continue;
        };
        let (derived, captured, decoder) = apply(&track, &batch);
        let rows = match rows_of(&derived) {
            Ok(rows) => rows,
            Err(error) => {
                tracing::error!(track = %track.id(), %error, "cannot serialise derived events");
                Vec::new()
            }
        };
        // Durable before visible: retry until the derived events are in the log.
        while let Err(error) = log.append_derived(track.id(), rows.clone()).await {
            tracing::error!(track = %track.id(), %error, "cannot append derived events; retrying");
            if wait(&mut shutdown, backoff).await {
                return;
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        metrics::counter!("checkered_derived_events_total", "track" => track.id().to_owned())
            .increment(derived.len() as u64);
        publish(&track, &derived, &captured, decoder);
        cursor = last;
        track.applied_raw.store(cursor, Ordering::Release);
        track.appended_raw.fetch_max(cursor, Ordering::AcqRel);
        metrics::gauge!("checkered_engine_lag_events", "track" => track.id().to_owned())
            .set(track.lag() as f64);
        unsnapshotted += batch.len() as u64;
        metrics::counter!("checkered_engine_inputs_total", "source" => batch.source())
            .increment(batch.len() as u64);
        if unsnapshotted >= options.snapshot_every_events
            || last_snapshot.elapsed() >= options.snapshot_every
        {
            if snapshot(&track, &*log, cursor).await {
                unsnapshotted = 0;
            }
            last_snapshot = Instant::now();
        }
    }
    // Leave a snapshot behind so the next start has little to replay.
    if unsnapshotted > 0 {
        snapshot(&track, &*log, cursor).await;
    }
}

/// A step's raw events: handed over by ingest (decoded), or read back from the log.
enum Batch {
    Handed(Vec<super::registry::Arrived>),
    Read(Vec<StoredRaw>),
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn len(&self) -> usize {
        match self {
            Batch::Handed(v) => v.len(),
            Batch::Read(v) => v.len(),
        }
    }

    fn last_seq(&self) -> Option<u64> {
        match self {
            Batch::Handed(v) => v.last().map(|a| a.track_seq),
            Batch::Read(v) => v.last().map(|r| r.track_seq),
        }
    }

    fn source(&self) -> &'static str {
        match self {
            Batch::Handed(_) => "handoff",
            Batch::Read(_) => "log",
        }
    }
}

/// What one step produced: the derived events, the capture time of the raw event behind
/// each (same order), and the decoder-health frames.
type Applied = (Vec<DerivedEvent>, Vec<i64>, Vec<Arc<Rendered>>);

/// Applies a batch under the engine lock; returns the derived events (with the capture time
/// of the raw event behind each) and the decoder-health frames (P3 status and the like) for
/// the `decoder` channel.
fn apply(track: &TrackRuntime, batch: &Batch) -> Applied {
    let mut derived = Vec::new();
    let mut captured = Vec::new();
    let mut decoder = Vec::new();
    let mut engine = track.engine();
    let mut step = |track_seq: u64, captured_at_us: i64, decoded: &Decoded| {
        if let Decoded::P3(frame) = decoded
            && !matches!(frame.record, checkered_protocol::p3::Record::Passing(_))
        {
            let payload = serde_json::to_value(frame.as_ref()).unwrap_or_default();
            decoder.push(Arc::new(Rendered::event(
                "decoder",
                track.id(),
                track_seq,
                captured_at_us,
                payload,
            )));
        }
        let input = convert::to_input(engine.config(), decoded, captured_at_us);
        if let Some(input) = input {
            engine.apply(&input, &mut derived);
            captured.resize(derived.len(), captured_at_us);
        }
    };
    match batch {
        Batch::Handed(arrived) => {
            for a in arrived {
                step(a.track_seq, a.captured_at_us, &a.decoded);
            }
        }
        Batch::Read(rows) => {
            for raw in rows {
                let envelope = &raw.envelope;
                match convert::decode(&envelope.message_type, &envelope.payload) {
                    Ok(decoded) => step(raw.track_seq, envelope.captured_at_us, &decoded),
                    // Ingest validates payloads, so this only happens for events written by
                    // an older version; skipping keeps the track alive.
                    Err(reason) => {
                        tracing::warn!(track = %track.id(), seq = raw.track_seq, %reason, "raw event skipped");
                    }
                }
            }
        }
    }
    drop(engine);
    (derived, captured, decoder)
}

/// Rows for the log; `ts_us` is the write time (retention ages rows by it), the event's
/// own time stays in the body.
fn rows_of(derived: &[DerivedEvent]) -> Result<Vec<DerivedRow>, serde_json::Error> {
    let now = crate::clock::now_us();
    derived
        .iter()
        .map(|event| {
            let body = serde_json::to_string(event)?;
            Ok(DerivedRow {
                seq: event.seq,
                ts_us: now,
                session_id: event.session_id.map(|s| s.to_string()),
                kind: kind_name(event),
                body,
            })
        })
        .collect()
}

/// The `type` tag of an event's kind (`lap_completed`, …).
pub fn kind_name(event: &DerivedEvent) -> String {
    serde_json::to_value(&event.kind)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn publish(
    track: &TrackRuntime,
    derived: &[DerivedEvent],
    captured: &[i64],
    decoder: Vec<Arc<Rendered>>,
) {
    for frame in decoder {
        let _ = track.live.send(frame);
    }
    let mut last = None;
    for (i, event) in derived.iter().enumerate() {
        let payload = serde_json::to_value(event).unwrap_or_default();
        let frame = Rendered::event_captured(
            "race",
            track.id(),
            event.seq,
            event.ts_us,
            captured.get(i).copied(),
            payload,
        );
        // No receiver is not an error: nobody is watching this track right now.
        let _ = track.live.send(Arc::new(frame));
        last = Some(event.seq);
    }
    if let Some(seq) = last {
        track.published.send_replace(seq);
    }
}

async fn snapshot(track: &TrackRuntime, log: &dyn EventLog, raw_seq: u64) -> bool {
    if raw_seq == 0 {
        return true;
    }
    let (body, derived_seq) = {
        let snapshot = track.engine().snapshot();
        (serde_json::to_vec(&snapshot), snapshot.seq())
    };
    let ts_us = crate::clock::now_us();
    let body = match body {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(track = %track.id(), %error, "cannot serialise a snapshot");
            return false;
        }
    };
    let row = SnapshotRow {
        raw_seq,
        derived_seq,
        ts_us,
        body,
    };
    match log.save_snapshot(track.id(), row).await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(track = %track.id(), %error, "cannot save a snapshot");
            false
        }
    }
}

/// Sleeps, or returns true early when shutdown was requested.
async fn wait(shutdown: &mut watch::Receiver<bool>, delay: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(delay) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}
