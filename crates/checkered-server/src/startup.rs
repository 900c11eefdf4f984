//! Building and running the server: bind first (so tests and the demo learn the real port),
//! then serve until the shutdown future resolves.

use crate::config::ServerConfig;
use crate::http;
use crate::state::AppState;
use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::net::TcpListener;

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

/// One Prometheus recorder per process (the `metrics` facade is global); every
/// [`Application`] of the process renders from it.
fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by a test harness); rendering
            // then shows only what this handle saw, which is still correct for this process.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

impl Application {
    /// Binds the listener and opens storage; does not serve yet.
    pub async fn build(config: ServerConfig) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let state = AppState {
            config: Arc::new(config),
            metrics: prometheus(),
            started: Arc::new(AtomicBool::new(false)),
            ready: Arc::new(AtomicBool::new(false)),
        };
        state.started.store(true, Ordering::Release);
        state.ready.store(true, Ordering::Release);
        Ok(Application { listener, state })
    }

    /// The address actually bound (the real port when configured with port 0).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listener
            .local_addr()
            .context("listener has no local address")
    }

    /// Serves until `shutdown` resolves, then drains in-flight requests.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = http::router(self.state);
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server failed")
    }
}
