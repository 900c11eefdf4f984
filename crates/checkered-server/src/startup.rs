//! Building and running the server: open storage, recover every track engine, bind (so
//! tests and the demo learn the real port), then serve until the shutdown future resolves.

use crate::config::ServerConfig;
use crate::http;
use crate::projection::Projectors;
use crate::runtime::{Registry, RuntimeOptions};
use crate::state::AppState;
use anyhow::Context;
use checkered_store::readmodel::{Projections, SqliteReadModels};
use checkered_store::{EventLog, Retention, SqliteLog, SqliteOptions};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How often retention limits are enforced.
const RETENTION_EVERY: Duration = Duration::from_secs(15 * 60);

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// The embedded log, closed on shutdown (`None` on the cluster backend).
    sqlite: Option<SqliteLog>,
    stop: watch::Sender<bool>,
}

/// One Prometheus recorder per process (the `metrics` facade is global); every
/// [`Application`] of the process renders from it.
fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Histograms keep every sample until upkeep folds them in: without it a server
            // nobody scrapes grows by each WebSocket send (hundreds of MB under fan-out
            // load, docs/BENCHMARKS.md). `build_recorder` does not start it.
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                });
            // Another recorder may already be installed (e.g. by a test harness); rendering
            // then shows only what this handle saw, which is still correct for this process.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

impl Application {
    /// Opens storage, starts the engine of every known track and binds the listener; does
    /// not serve yet.
    pub async fn build(config: ServerConfig) -> anyhow::Result<Self> {
        let sqlite =
            SqliteLog::open(&config.data_dir, SqliteOptions::default()).with_context(|| {
                format!("cannot open the event log in {}", config.data_dir.display())
            })?;
        let log: Arc<dyn EventLog> = Arc::new(sqlite.clone());
        Self::build_with_log(config, log, Some(sqlite)).await
    }

    /// Like [`Self::build`] on an event log opened by the caller (the cluster backend:
    /// NATS JetStream). The read models stay in the data directory. `sqlite` is the
    /// embedded log to close on shutdown, when that is what `log` is.
    pub async fn build_with_log(
        config: ServerConfig,
        log: Arc<dyn EventLog>,
        sqlite: Option<SqliteLog>,
    ) -> anyhow::Result<Self> {
        Self::build_on(config, log, sqlite, None).await
    }

    /// Cluster mode: the JetStream log, and track engines only for the tracks whose lease
    /// this worker holds ([`crate::cluster`]).
    pub async fn build_cluster(
        config: ServerConfig,
        log: Arc<dyn EventLog>,
        cluster: crate::cluster::Cluster,
    ) -> anyhow::Result<Self> {
        Self::build_on(config, log, None, Some(cluster)).await
    }

    async fn build_on(
        config: ServerConfig,
        log: Arc<dyn EventLog>,
        sqlite: Option<SqliteLog>,
        cluster: Option<crate::cluster::Cluster>,
    ) -> anyhow::Result<Self> {
        let models = SqliteReadModels::open(&config.data_dir).with_context(|| {
            format!(
                "cannot open the read models in {}",
                config.data_dir.display()
            )
        })?;
        let (stop, shutdown) = watch::channel(false);
        let options = RuntimeOptions {
            live_buffer: config.live_buffer,
            ..RuntimeOptions::default()
        };
        let registry = Registry::new(log.clone(), options, shutdown.clone());
        let projections: Arc<dyn Projections> = Arc::new(models.clone());
        let projectors = Projectors::new(
            config.projector,
            log.clone(),
            projections.clone(),
            shutdown.clone(),
        );
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let auth = crate::auth::open(&config).context("cannot open the identity store")?;
        let state = AppState {
            config: Arc::new(config),
            metrics: prometheus(),
            started: Arc::new(AtomicBool::new(false)),
            ready: Arc::new(AtomicBool::new(false)),
            log,
            catalog: cluster
                .as_ref()
                .and_then(|c| c.catalog.clone())
                .unwrap_or_else(|| Arc::new(models)),
            projections,
            projectors,
            registry,
            auth: Arc::new(auth),
            shutdown,
            cluster: cluster.as_ref().map(|_| Arc::default()),
        };
        state.started.store(true, Ordering::Release);
        match cluster {
            None => crate::tracks::start_all(&state)
                .await
                .context("cannot start the track engines")?,
            Some(cluster) => crate::cluster::spawn(&state, cluster),
        }
        state.ready.store(true, Ordering::Release);
        tokio::spawn(retention(state.log.clone(), state.shutdown.clone()));
        tokio::spawn(prune_limits(state.auth.clone(), state.shutdown.clone()));
        Ok(Application {
            listener,
            state,
            sqlite,
            stop,
        })
    }

    /// The address actually bound (the real port when configured with port 0).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listener
            .local_addr()
            .context("listener has no local address")
    }

    /// The shared state (for in-process callers such as the demo).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then drains in-flight requests, stops the engines
    /// (each leaves a snapshot) and closes the log.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = http::router(self.state.clone());
        let stop = self.stop.clone();
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Live sockets never end on their own: tell them (and the actors) to stop.
            let _ = stop.send(true);
        })
        .await
        .context("server failed");
        let _ = self.stop.send(true);
        self.state.registry.stopped().await;
        self.state.projectors.stopped().await;
        if let Some(sqlite) = &self.sqlite {
            sqlite.close().await.context("cannot close the event log")?;
        }
        served
    }
}

/// Forgets rate-limit keys that are fully replenished, so the limiters stay small.
async fn prune_limits(auth: Arc<crate::auth::Auth>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(60)) => auth.limits.prune(),
            _ = shutdown.changed() => return,
        }
    }
}

/// Enforces retention limits now and then, for as long as the server runs.
async fn retention(log: Arc<dyn EventLog>, mut shutdown: watch::Receiver<bool>) {
    let limits = Retention::default();
    loop {
        match log.enforce_retention(crate::clock::now_us(), &limits).await {
            Ok(report) => tracing::debug!(?report, "retention enforced"),
            Err(error) => tracing::warn!(%error, "retention failed; will retry"),
        }
        tokio::select! {
            () = tokio::time::sleep(RETENTION_EVERY) => {}
            _ = shutdown.changed() => return,
        }
    }
}
