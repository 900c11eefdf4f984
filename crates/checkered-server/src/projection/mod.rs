//! The projectors: one task per track folds its derived-event log (and the race-control
//! intents of its raw log) into the read models, behind the engine.
//!
//! A projector only reads the log the engine has already written, through the log's read
//! pool, and writes to its own SQLite file, so it never holds up ingest or the engine; if
//! it falls behind it catches up in batches. Its cursor is stored with its writes (see
//! `checkered_store::readmodel::Projections`), so a crash or a restart resumes exactly.
//!
//! # Layout
//! - [`Projectors`]: starting, waking and stopping the tasks.
//! - `task`: the loop of one track.

mod task;

use crate::runtime::TrackRuntime;
use checkered_store::EventLog;
use checkered_store::readmodel::Projections;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{Notify, watch};

/// A running projector.
struct Running {
    /// Wakes it early (after an intent was logged, after a rebuild).
    wake: Arc<Notify>,
    /// Tells it to stop (its track was deleted).
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

/// The projectors of this process, one per running track.
pub struct Projectors {
    /// False when the server runs without projectors (`projector = false`).
    enabled: bool,
    log: Arc<dyn EventLog>,
    store: Arc<dyn Projections>,
    shutdown: watch::Receiver<bool>,
    /// By track id. A std mutex: held only to insert or take, never across an `.await`.
    running: Mutex<HashMap<String, Running>>,
}

impl Projectors {
    /// No projector yet; they stop when `shutdown` turns true. When not `enabled`,
    /// [`Projectors::start`] does nothing.
    pub fn new(
        enabled: bool,
        log: Arc<dyn EventLog>,
        store: Arc<dyn Projections>,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<Self> {
        Arc::new(Projectors {
            enabled,
            log,
            store,
            shutdown,
            running: Mutex::new(HashMap::new()),
        })
    }

    /// Starts the projector of a track unless it runs already.
    pub fn start(&self, track: Arc<TrackRuntime>) {
        if !self.enabled {
            return;
        }
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if running.contains_key(track.id()) {
            return;
        }
        let wake = Arc::new(Notify::new());
        let stop = Arc::new(AtomicBool::new(false));
        let id = track.id().to_owned();
        let task = tokio::spawn(task::run(task::Projector {
            track,
            log: self.log.clone(),
            store: self.store.clone(),
            wake: wake.clone(),
            stop: stop.clone(),
            shutdown: self.shutdown.clone(),
        }));
        running.insert(id, Running { wake, stop, task });
    }

    /// Wakes a track's projector now (new raw events it should look at, or a rebuild).
    pub fn poke(&self, track: &str) {
        if let Some(r) = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(track)
        {
            r.wake.notify_one();
        }
    }

    /// Stops a track's projector and waits for it (the track was deleted).
    pub async fn forget(&self, track: &str) {
        let removed = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(track);
        if let Some(r) = removed {
            r.stop.store(true, Ordering::Release);
            r.wake.notify_one();
            let _ = r.task.await;
        }
    }

    /// Waits for every projector to finish (after shutdown was signalled).
    pub async fn stopped(&self) {
        let all: Vec<Running> = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .map(|(_, r)| r)
            .collect();
        for r in all {
            r.wake.notify_one();
            let _ = r.task.await;
        }
    }
}
