//! One track's projector loop: fold what the log holds beyond the cursor, then sleep until
//! the engine publishes more, someone pokes, or a second passes while raw events are still
//! unscanned for intents. While the engine is busy, the projector paces itself (see
//! `LIVE_PAUSE_FACTOR`) so it never takes the cores ingest and scoring need.
//!
//! # Layout
//! - `Projector`: what one task holds; `run`: the loop and its pacing; `step`: one derived batch and one raw window; `settle`: metrics and the moved-cursor case.

use crate::runtime::TrackRuntime;
use crate::runtime::convert::CONTROL;
use checkered_store::EventLog;
use checkered_store::readmodel::{ApplyOutcome, Projections, ReadModelError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Derived events folded per step.
const DERIVED_BATCH: usize = 1_000;
/// Raw events scanned for intents per step.
const RAW_WINDOW: u64 = 20_000;
/// Intents recorded per step at most.
const CONTROL_BATCH: usize = 1_000;
/// How long to wait before looking again while raw events remain unscanned.
const RAW_TICK: Duration = Duration::from_secs(1);
/// While the engine is publishing, steps are at least this far apart (so small batches
/// coalesce)…
const LIVE_INTERVAL: Duration = Duration::from_millis(50);
/// …and a step is followed by a pause this many times as long as it took, so projecting
/// takes at most a quarter of a core away from ingest and the engine. Catching up with
/// nothing new arriving (after a restart or a rebuild) runs at full speed.
const LIVE_PAUSE_FACTOR: u32 = 3;

/// What one projector needs.
pub(super) struct Projector {
    pub track: Arc<TrackRuntime>,
    pub log: Arc<dyn EventLog>,
    pub store: Arc<dyn Projections>,
    pub wake: Arc<Notify>,
    pub stop: Arc<AtomicBool>,
    pub shutdown: watch::Receiver<bool>,
}

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error("reading the log failed")]
    Log(#[from] checkered_store::StoreError),
    #[error("writing the projections failed")]
    Store(#[from] ReadModelError),
}

/// Runs until shutdown or stop.
pub(super) async fn run(mut p: Projector) {
    let mut published = p.track.published();
    let mut backoff = Duration::from_millis(50);
    loop {
        if *p.shutdown.borrow() || p.stop.load(Ordering::Acquire) {
            return;
        }
        let before = *published.borrow();
        let started = tokio::time::Instant::now();
        match step(&p).await {
            Ok(true) => {
                backoff = Duration::from_millis(50);
                let live = *published.borrow() != before;
                let pause = if live {
                    (started.elapsed() * LIVE_PAUSE_FACTOR).max(LIVE_INTERVAL)
                } else {
                    Duration::ZERO
                };
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    _ = p.shutdown.changed() => {}
                }
                continue;
            }
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(track = %p.track.id(), error = %error, cause = ?error, "projection step failed; retrying");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    _ = p.shutdown.changed() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        }
        let unscanned = p.track.appended_raw.load(Ordering::Acquire) > scanned(&p).await;
        tokio::select! {
            changed = published.changed() => {
                if changed.is_err() {
                    tokio::time::sleep(RAW_TICK).await;
                }
            }
            () = p.wake.notified() => {}
            _ = p.shutdown.changed() => {}
            () = tokio::time::sleep(RAW_TICK), if unscanned => {}
        }
    }
}

async fn scanned(p: &Projector) -> u64 {
    p.store
        .cursor(p.track.id())
        .await
        .map_or(u64::MAX, |c| c.raw_seq)
}

/// One batch of derived events and one window of raw events; true if anything moved.
async fn step(p: &Projector) -> Result<bool, StepError> {
    let id = p.track.id();
    let cursor = p.store.cursor(id).await?;
    let mut moved = false;
    let rows = p
        .log
        .read_derived(id, cursor.derived_seq, DERIVED_BATCH)
        .await?;
    if !rows.is_empty() {
        let outcome = p.store.apply_derived(id, cursor.derived_seq, rows).await;
        moved |= settle(p, "derived", outcome)?;
    }
    let appended = p.track.appended_raw.load(Ordering::Acquire);
    if cursor.raw_seq < appended {
        let through = appended.min(cursor.raw_seq.saturating_add(RAW_WINDOW));
        let intents = p
            .log
            .read_raw_of_type(id, cursor.raw_seq, through, CONTROL, CONTROL_BATCH)
            .await?;
        // A full batch may not reach `through`: continue after its last intent.
        let through = match intents.last() {
            Some(last) if intents.len() == CONTROL_BATCH => last.track_seq,
            _ => through,
        };
        let outcome = p
            .store
            .apply_control(id, cursor.raw_seq, through, intents)
            .await;
        moved |= settle(p, "control", outcome)?;
    }
    if moved {
        let projected = p.store.cursor(id).await?.derived_seq;
        let published = *p.track.published().borrow();
        let lag = published.saturating_sub(projected);
        metrics::gauge!("checkered_projection_lag_events", "track" => id.to_owned())
            .set(lag as f64);
    }
    Ok(moved)
}

/// Counts a step's outcome; a cursor that moved meanwhile (a rebuild) is not an error:
/// the next step starts from the new one.
fn settle(
    p: &Projector,
    stream: &'static str,
    outcome: Result<ApplyOutcome, ReadModelError>,
) -> Result<bool, StepError> {
    let id = p.track.id();
    match outcome {
        Ok(outcome) => {
            metrics::counter!("checkered_projected_events_total", "track" => id.to_owned(), "stream" => stream)
                .increment(outcome.applied as u64);
            for (seq, reason) in &outcome.skipped {
                tracing::warn!(track = %id, stream, seq, %reason, "row skipped by the projection");
            }
            metrics::counter!("checkered_projection_skipped_total", "track" => id.to_owned(), "stream" => stream)
                .increment(outcome.skipped.len() as u64);
            Ok(true)
        }
        Err(ReadModelError::Conflict(reason)) => {
            tracing::debug!(track = %id, stream, %reason, "projection cursor moved; restarting from it");
            Ok(true)
        }
        Err(error) => Err(error.into()),
    }
}
