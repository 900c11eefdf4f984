//! `checkered bench e2e`: capture → WebSocket client delay on a whole server.
//!
//! N relays post P3 passings (checkered-sim's race model) over keep-alive HTTP at R per
//! second per track, C WebSocket clients follow the tracks, and every derived event each
//! client receives is timed from its raw event's capture (the relay's clock at send) to
//! its arrival. See [`super::live`] for the phases and [`super::clients`] for `lost`.

use super::live::{self, LiveRun};
use super::server::ServerProcess;
use super::stats::round;
use super::{Backend, load_average};
use anyhow::bail;
use clap::Parser;
use serde_json::{Value, json};
use std::time::Duration;

/// Arguments of `checkered bench e2e`.
#[derive(Parser, Debug, Clone)]
pub struct E2eArgs {
    /// Tracks, each fed by its own relay.
    #[arg(long, default_value_t = 4)]
    pub tracks: usize,
    /// Raw passings per second per track.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// WebSocket clients, spread over the tracks.
    #[arg(long, default_value_t = 100)]
    pub clients: usize,
    /// Seconds the relays send for.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Which server to run.
    #[arg(long, value_enum, default_value_t = Backend::Embedded)]
    pub backend: Backend,
}

/// Runs the scenario; returns the JSON report.
pub async fn run(args: &E2eArgs, progress: bool) -> anyhow::Result<Value> {
    if args.backend == Backend::Cluster {
        bail!(
            "the cluster backend is not in this build yet: `checkered serve` has no --nats/--database; use --backend embedded"
        );
    }
    if args.tracks == 0 || args.clients == 0 || args.rate <= 0.0 || args.duration <= 0.0 {
        bail!("--tracks, --clients, --rate and --duration must be positive");
    }
    let server = ServerProcess::start()?;
    let spec = LiveRun {
        label: "e2e",
        tracks: args.tracks,
        rate: args.rate,
        clients: args.clients,
        duration: Duration::from_secs_f64(args.duration),
        progress,
    };
    let mut out = live::run(&server, &spec).await?;
    server.stop();
    let p = out.delays.percentiles();
    Ok(json!({
        "scenario": "e2e",
        "backend": "embedded",
        "tracks": args.tracks,
        "rate": args.rate,
        "clients": args.clients,
        "duration_s": args.duration,
        "raw_events": out.raw_events,
        "derived": out.derived,
        "delivered": out.delivered,
        "lost": out.lost,
        "p50_ms": p.p50_ms,
        "p95_ms": p.p95_ms,
        "p99_ms": p.p99_ms,
        "max_ms": p.max_ms,
        "server_rss_mb": round(out.rss_peak as f64 / 1_048_576.0, 1),
        "server_cpu_pct": round(out.cpu_pct, 1),
        "untimed": out.untimed,
        "resyncs": out.resyncs,
        "failed_clients": out.failed_clients,
        "client_error": out.first_error,
        "load_avg": load_average(),
    }))
}
