//! `checkered serve --nats URL`: cluster mode. The event log is NATS JetStream (streams
//! created or updated at start-up), engine workers take tracks by lease, and any number
//! of such processes share the work (docs/CLUSTER.md).

use crate::cli::ServeArgs;
use anyhow::Context;
use checkered_cluster::{JetStreamLog, JetStreamOptions, Leases, PgReadModels};
use checkered_server::cluster::Cluster;
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use checkered_store::EventLog;
use checkered_store::readmodel::ReadModels;
use std::sync::Arc;
use std::time::Duration;

/// Connects to NATS and builds the server in cluster mode.
pub async fn build(
    args: &ServeArgs,
    url: &str,
    config: ServerConfig,
) -> anyhow::Result<Application> {
    let options = JetStreamOptions {
        prefix: args.nats_prefix.clone(),
        replicas: args.nats_replicas,
        ..JetStreamOptions::default()
    };
    // Several servers of one NATS cluster may be given, comma-separated.
    let servers: Vec<&str> = url
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let client = async_nats::connect(servers.clone())
        .await
        .with_context(|| format!("cannot connect to NATS at {url}"))?;
    let log = JetStreamLog::with_client(client.clone(), options)
        .await
        .context("cannot configure the JetStream streams")?;
    let worker = args.worker_id.clone().unwrap_or_else(default_worker_id);
    let ttl = Duration::from_millis(args.lease_ttl_ms.max(300));
    // Leases get a connection of their own, so renewals never queue behind a burst of
    // ingest publishes on the log's connection.
    let lease_client = async_nats::connect(servers.clone())
        .await
        .with_context(|| format!("cannot connect to NATS at {url}"))?;
    let lease_js = async_nats::jetstream::new(lease_client);
    let leases = Leases::open(&lease_js, log.names(), &worker, ttl, args.nats_replicas)
        .await
        .context("cannot open the track-lease bucket")?;
    tracing::info!(%worker, ?ttl, "cluster mode");
    let catalog: Option<Arc<dyn ReadModels>> = match &args.database {
        None => None,
        Some(url) => {
            let models = PgReadModels::connect(url, args.database_schema.as_deref())
                .await
                .context("cannot open the catalog on PostgreSQL")?;
            Some(Arc::new(models))
        }
    };
    let names = log.names().clone();
    let log: Arc<dyn EventLog> = Arc::new(log);
    let cluster = Cluster {
        leases,
        client,
        names,
        catalog,
    };
    Application::build_cluster(config, log, cluster).await
}

/// `<host>-<pid>`: unique per process on a machine, readable in the lease bucket.
fn default_worker_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".into());
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{host}-{}", std::process::id())
}
