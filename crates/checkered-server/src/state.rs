//! The state every handler shares. Cheap to clone: every field is a handle.

use crate::config::ServerConfig;
use crate::runtime::Registry;
use checkered_store::EventLog;
use checkered_store::readmodel::{Projections, ReadModels};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use tokio::sync::watch;

/// Shared server state.
#[derive(Clone)]
pub struct AppState {
    /// Settings the server started with.
    pub config: Arc<ServerConfig>,
    /// Renders the Prometheus exposition.
    pub metrics: PrometheusHandle,
    /// Set once the listener is bound and storage is open (`/healthz/startup`).
    pub started: Arc<AtomicBool>,
    /// Set once every track engine has recovered (`/healthz/ready`).
    pub ready: Arc<AtomicBool>,
    /// The durable event log (raw, derived, snapshots, dead letters).
    pub log: Arc<dyn EventLog>,
    /// Catalog (tracks, events, entries) and projections.
    pub catalog: Arc<dyn ReadModels>,
    /// Tables folded from the logs (sessions, laps, classifications, flags, control log).
    pub projections: Arc<dyn Projections>,
    /// The projector of each running track.
    pub projectors: Arc<crate::projection::Projectors>,
    /// The running track engines.
    pub registry: Arc<Registry>,
    /// Identity: users, organisations, relay clients, tokens, the audit log.
    pub auth: Arc<crate::auth::Auth>,
    /// Turns true when the server is shutting down (live sockets close, actors stop).
    pub shutdown: watch::Receiver<bool>,
    /// Cluster mode: tracks known and leases held (`None` in embedded mode).
    pub cluster: Option<Arc<crate::cluster::ClusterState>>,
}

impl AppState {
    /// Whether ingest accepts events of `track`: it runs here, or (cluster mode) it is in
    /// the catalog and another worker may own it.
    pub fn knows_track(&self, track: &str) -> bool {
        self.registry.get(track).is_some() || self.cluster.as_ref().is_some_and(|c| c.knows(track))
    }
}
