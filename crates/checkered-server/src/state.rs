//! The state every handler shares. Cheap to clone: every field is a handle.

use crate::config::ServerConfig;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

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
}
