//! The running tracks: one [`TrackRuntime`] per track, created when the track is defined or
//! found in the log at startup, each driven by its own actor task.

use super::actor;
use crate::live::frame::Rendered;
use anyhow::Context;
use checkered_engine::{Snapshot, TrackConfig, TrackEngine};
use checkered_store::EventLog;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use tokio::sync::{Notify, broadcast, watch};

/// How the actors behave.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeOptions {
    /// Raw events read from the log per engine step.
    pub batch: usize,
    /// A snapshot is saved after this many raw events…
    pub snapshot_every_events: u64,
    /// …or this long after the last one when events arrived since.
    pub snapshot_every: std::time::Duration,
    /// Frames buffered per track for live subscribers; a subscriber further behind is resynced.
    pub live_buffer: usize,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            batch: 1_000,
            snapshot_every_events: 5_000,
            snapshot_every: std::time::Duration::from_secs(10),
            live_buffer: 4_096,
        }
    }
}

/// Most decoded events waiting in a track's hand-off; beyond it the actor reads the log.
const HANDOFF_LIMIT: usize = 50_000;

/// A raw event ingest just appended, already decoded, handed to the actor so it need not
/// read the event back from the log.
#[derive(Debug)]
pub struct Arrived {
    /// Its place in the track's raw log.
    pub track_seq: u64,
    /// The envelope's capture time.
    pub captured_at_us: i64,
    /// The payload, decoded.
    pub decoded: super::convert::Decoded,
}

/// One track's live state, shared by its actor and the request handlers.
pub struct TrackRuntime {
    id: String,
    engine: Mutex<TrackEngine>,
    /// Woken by ingest after an append to this track.
    pub(crate) wake: Notify,
    /// Derived (channel `race`) and decoder (channel `decoder`) frames, in order.
    pub(crate) live: broadcast::Sender<Arc<Rendered>>,
    /// Highest raw `track_seq` the engine has applied.
    pub(crate) applied_raw: AtomicU64,
    /// Highest raw `track_seq` known to be in the log (for lag).
    pub(crate) appended_raw: AtomicU64,
    /// Highest derived `seq` durably appended and published.
    pub(crate) published: watch::Sender<u64>,
    /// Set when the track is removed: its actor stops.
    pub(crate) stopping: std::sync::atomic::AtomicBool,
    /// Decoded events from ingest, by `track_seq` (concurrent requests may hand over out of
    /// order; the actor takes them strictly in sequence).
    handoff: Mutex<std::collections::BTreeMap<u64, Arrived>>,
}

impl TrackRuntime {
    /// The track id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Locks the engine for reading views. Held briefly: the actor needs it for each step.
    pub fn engine(&self) -> MutexGuard<'_, TrackEngine> {
        // The engine is never left half-updated by a panic (apply does not panic on any
        // input), so a poisoned lock still guards a consistent engine.
        self.engine.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Subscribes to the live frames of this track.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Rendered>> {
        self.live.subscribe()
    }

    /// A receiver of the highest published derived `seq`.
    pub fn published(&self) -> watch::Receiver<u64> {
        self.published.subscribe()
    }

    /// Raw events in the log the engine has not applied yet.
    pub fn lag(&self) -> u64 {
        self.appended_raw
            .load(Ordering::Acquire)
            .saturating_sub(self.applied_raw.load(Ordering::Acquire))
    }

    /// Hands decoded, durably appended events to the actor. When the actor is far behind,
    /// they are dropped: it reads them from the log instead.
    pub fn hand_over(&self, arrived: Vec<Arrived>) {
        let mut handoff = self.handoff.lock().unwrap_or_else(|e| e.into_inner());
        if handoff.len() + arrived.len() > HANDOFF_LIMIT {
            return;
        }
        let applied = self.applied_raw.load(Ordering::Acquire);
        for a in arrived {
            if a.track_seq > applied {
                handoff.insert(a.track_seq, a);
            }
        }
    }

    /// Takes the handed-over events that continue the log right after `cursor`, in order,
    /// up to `limit`; forgets any at or before `cursor`.
    pub(crate) fn take_handoff(&self, cursor: u64, limit: usize) -> Vec<Arrived> {
        let mut handoff = self.handoff.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(entry) = handoff.first_entry() {
            if *entry.key() > cursor {
                break;
            }
            entry.remove();
        }
        let mut taken = Vec::new();
        let mut next = cursor + 1;
        while taken.len() < limit {
            match handoff.remove(&next) {
                Some(a) => {
                    taken.push(a);
                    next += 1;
                }
                None => break,
            }
        }
        taken
    }

    /// Tells the actor that raw events up to `track_seq` are in the log.
    pub fn notify_appended(&self, track_seq: u64) {
        self.appended_raw.fetch_max(track_seq, Ordering::AcqRel);
        self.wake.notify_one();
    }
}

/// All tracks of this process.
pub struct Registry {
    log: Arc<dyn EventLog>,
    options: RuntimeOptions,
    tracks: RwLock<HashMap<String, Arc<TrackRuntime>>>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    shutdown: watch::Receiver<bool>,
}

impl Registry {
    /// An empty registry; actors stop when `shutdown` turns true.
    pub fn new(
        log: Arc<dyn EventLog>,
        options: RuntimeOptions,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<Self> {
        Arc::new(Registry {
            log,
            options,
            tracks: RwLock::new(HashMap::new()),
            tasks: Mutex::new(Vec::new()),
            shutdown,
        })
    }

    /// The runtime of a track, if it is running.
    pub fn get(&self, id: &str) -> Option<Arc<TrackRuntime>> {
        self.tracks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Ids of the running tracks, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .tracks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// Starts a track's actor (recovering from its latest snapshot and the raw events after
    /// it) unless it already runs; returns its runtime.
    pub async fn start(&self, config: TrackConfig) -> anyhow::Result<Arc<TrackRuntime>> {
        if let Some(existing) = self.get(&config.track_id) {
            return Ok(existing);
        }
        let id = config.track_id.clone();
        let (engine, applied) = self.recover(config).await?;
        let last_raw = self
            .log
            .last_raw_seq(&id)
            .await
            .with_context(|| format!("cannot read the raw log of {id}"))?;
        let derived = engine.seq();
        let (live, _) = broadcast::channel(self.options.live_buffer.max(16));
        let (published, _) = watch::channel(derived);
        let runtime = Arc::new(TrackRuntime {
            id: id.clone(),
            engine: Mutex::new(engine),
            wake: Notify::new(),
            live,
            applied_raw: AtomicU64::new(applied),
            appended_raw: AtomicU64::new(last_raw),
            published,
            stopping: std::sync::atomic::AtomicBool::new(false),
            handoff: Mutex::new(std::collections::BTreeMap::new()),
        });
        {
            let mut tracks = self.tracks.write().unwrap_or_else(|e| e.into_inner());
            if let Some(existing) = tracks.get(&id) {
                return Ok(existing.clone());
            }
            tracks.insert(id.clone(), runtime.clone());
        }
        let task = tokio::spawn(actor::run(
            runtime.clone(),
            self.log.clone(),
            self.options,
            self.shutdown.clone(),
        ));
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(task);
        tracing::info!(track = %id, applied_raw = applied, last_raw, "track engine started");
        Ok(runtime)
    }

    /// Waits for every actor to finish (after shutdown was signalled).
    pub async fn stopped(&self) {
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for task in tasks {
            let _ = task.await;
        }
    }

    /// Stops a deleted track's actor and forgets it (its logs stay).
    pub fn forget(&self, id: &str) -> Option<Arc<TrackRuntime>> {
        let removed = self
            .tracks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        if let Some(runtime) = &removed {
            runtime.stopping.store(true, Ordering::Release);
            runtime.wake.notify_one();
        }
        removed
    }

    /// The engine as of the latest usable snapshot, and the raw seq it has applied.
    async fn recover(&self, config: TrackConfig) -> anyhow::Result<(TrackEngine, u64)> {
        let id = config.track_id.clone();
        let Some(row) = self
            .log
            .latest_snapshot(&id)
            .await
            .with_context(|| format!("cannot read snapshots of {id}"))?
        else {
            return Ok((TrackEngine::new(config), 0));
        };
        let restored = serde_json::from_slice::<Snapshot>(&row.body)
            .map_err(|e| e.to_string())
            .and_then(|s| TrackEngine::restore(s).map_err(|e| e.to_string()));
        match restored {
            Ok(engine) => Ok((engine, row.raw_seq)),
            Err(reason) => {
                // A snapshot is only a shortcut: rebuild from the start of the raw log.
                tracing::warn!(track = %id, %reason, "snapshot unusable; replaying the whole raw log");
                Ok((TrackEngine::new(config), 0))
            }
        }
    }
}
