//! Cluster mode (DESIGN.md §5): this process is one engine worker among many, on the
//! JetStream event log. It runs the actor of a track only while it holds the track's lease
//! ([`checkered_cluster::Leases`]); a new owner rebuilds the engine from the latest snapshot
//! and the raw events after it ([`crate::runtime::Registry::start`]). Raw events ingested
//! by any process wake the owner's actor through a NATS subscription on the raw subjects.
//!
//! # Layout
//! - [`Cluster`]: what `serve --nats` hands the server; [`ClusterState`]: tracks known and
//!   leases held (in [`AppState`]).
//! - `run_ownership`: claim, renew, release (fair share), start and stop actors.
//! - `run_wakeups`: raw subject subscription → the owner's actor.

use crate::state::AppState;
use checkered_cluster::leases::fair_share;
use checkered_cluster::names::{Names, TrackStream};
use checkered_cluster::{Lease, Leases};
use checkered_store::readmodel::ReadModels;
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::Notify;

/// The cluster links of a server process.
#[derive(Clone)]
pub struct Cluster {
    /// This worker's leases.
    pub leases: Leases,
    /// The NATS connection (raw-subject wake-ups).
    pub client: async_nats::Client,
    /// Subject names under the deployment's prefix.
    pub names: Names,
    /// The shared catalog (PostgreSQL), when configured; else each worker's own in its
    /// data directory.
    pub catalog: Option<Arc<dyn ReadModels>>,
}

/// What cluster mode keeps beside the registry. Std locks: never held across an `.await`.
#[derive(Default)]
pub struct ClusterState {
    /// Tracks of the catalog (ingest accepts their events whoever owns them).
    known: RwLock<HashSet<String>>,
    /// Leases this worker holds, by track.
    held: Mutex<HashMap<String, Lease>>,
    /// Wakes the ownership loop early (a track was created).
    poke: Notify,
}

impl ClusterState {
    /// Whether `track` is in the catalog this process has seen.
    pub fn knows(&self, track: &str) -> bool {
        self.known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(track)
    }

    /// Records a new track and asks the ownership loop to consider it now.
    pub fn add_track(&self, track: &str) {
        self.known
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(track.to_owned());
        self.poke.notify_one();
    }

    /// The tracks whose lease this worker holds, sorted.
    pub fn owned(&self) -> Vec<String> {
        let mut owned: Vec<String> = self
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        owned.sort();
        owned
    }
}

/// Starts the background tasks of cluster mode.
pub fn spawn(state: &AppState, cluster: Cluster) {
    tokio::spawn(run_wakeups(state.clone(), cluster.clone()));
    tokio::spawn(run_ownership(state.clone(), cluster));
}

/// Claims, renews and releases leases every third of the TTL until shutdown, then gives
/// every held lease up so another worker takes over at once.
async fn run_ownership(state: AppState, cluster: Cluster) {
    let Some(shared) = state.cluster.clone() else {
        return;
    };
    let period = cluster.leases.ttl() / 3;
    let mut shutdown = state.shutdown.clone();
    loop {
        if let Err(error) = step(&state, &shared, &cluster.leases).await {
            tracing::warn!(%error, "lease step failed; retrying");
        }
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            () = shared.poke.notified() => {}
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
    }
    let held: Vec<(String, Lease)> = shared
        .held
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .drain()
        .collect();
    for (track, lease) in held {
        let _ = cluster.leases.release(&track, lease).await;
    }
}

/// One round: renew held leases first (nothing else may delay them), then heartbeat,
/// release extras beyond the fair share, and claim up to it.
async fn step(state: &AppState, shared: &ClusterState, leases: &Leases) -> anyhow::Result<()> {
    let held: Vec<(String, Lease)> = shared
        .held
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|(t, l)| (t.clone(), *l))
        .collect();
    let mut kept = Vec::new();
    for (track, lease) in held {
        match leases.renew(&track, lease).await? {
            Some(lease) => {
                hold(shared, &track, Some(lease));
                kept.push((track, lease));
            }
            None => {
                tracing::warn!(track = %track, "lease lost; stopping the engine");
                stop(state, shared, &track).await;
            }
        }
    }
    leases.heartbeat().await?;
    let workers = leases.live_workers().await?;
    let records = state.catalog.list_tracks().await?;
    let ids: HashSet<String> = records.iter().map(|r| r.id.clone()).collect();
    *shared.known.write().unwrap_or_else(PoisonError::into_inner) = ids.clone();
    let fair = fair_share(records.len(), workers);
    let mut owned = 0usize;
    for (track, lease) in kept {
        if ids.contains(&track) && owned < fair {
            owned += 1;
            continue;
        }
        tracing::info!(track = %track, fair, "releasing a track (rebalancing or deleted)");
        stop(state, shared, &track).await;
        leases.release(&track, lease).await?;
    }
    for record in &records {
        if owned >= fair {
            break;
        }
        if shared
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(&record.id)
        {
            continue;
        }
        if let Some(lease) = leases.try_claim(&record.id).await? {
            let config = crate::tracks::config_of(record)?;
            match state.registry.start(config).await {
                Ok(runtime) => {
                    tracing::info!(track = %record.id, worker = %leases.worker(), "track claimed");
                    hold(shared, &record.id, Some(lease));
                    state.projectors.start(runtime);
                    owned += 1;
                }
                Err(error) => {
                    tracing::error!(track = %record.id, %error, "cannot start a claimed track");
                    leases.release(&record.id, lease).await?;
                }
            }
        }
    }
    Ok(())
}

fn hold(shared: &ClusterState, track: &str, lease: Option<Lease>) {
    let mut held = shared.held.lock().unwrap_or_else(PoisonError::into_inner);
    match lease {
        Some(lease) => held.insert(track.to_owned(), lease),
        None => held.remove(track),
    };
}

/// Stops the actor and projector of a track this worker no longer owns.
async fn stop(state: &AppState, shared: &ClusterState, track: &str) {
    hold(shared, track, None);
    state.registry.forget(track);
    state.projectors.forget(track).await;
}

/// Wakes the local actor of a track whenever any process appends to its raw subject.
async fn run_wakeups(state: AppState, cluster: Cluster) {
    let subject = cluster.names.subject(TrackStream::Raw, "*");
    let mut subscription = match cluster.client.subscribe(subject.clone()).await {
        Ok(s) => s,
        Err(error) => {
            tracing::error!(%error, %subject, "cannot subscribe to raw events; actors will poll");
            return;
        }
    };
    let mut shutdown = state.shutdown.clone();
    loop {
        let message = tokio::select! {
            m = subscription.next() => m,
            _ = shutdown.changed() => None,
        };
        let Some(message) = message else { break };
        let track = message.subject.rsplit('.').next().unwrap_or_default();
        if let Some(runtime) = state.registry.get(track) {
            runtime.notify_appended(0);
        }
    }
}

/// How long a worker may be silent before its leases expire, when not configured.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(3);
