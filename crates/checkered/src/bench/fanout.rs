//! `checkered bench fanout`: how many live messages per second the server delivers to
//! many WebSocket clients of one track, at what delay, and what each connection costs.
//!
//! One relay posts `--rate` passings per second; every derived event goes to all
//! `--clients` clients. Per-connection memory is the server's resident memory with every
//! client connected (and nothing sent yet) minus before any connected, over the clients.
//! With Node.js present, the same number of Socket.IO clients receive the same number of
//! messages from a Socket.IO server ([`super::peer_socketio`]) and the ratios are reported.

use super::live::{self, LiveRun};
use super::load_average;
use super::server::ServerProcess;
use super::stats::round;
use anyhow::bail;
use clap::Parser;
use serde_json::{Value, json};
use std::time::Duration;

/// Arguments of `checkered bench fanout`.
#[derive(Parser, Debug, Clone)]
pub struct FanoutArgs {
    /// WebSocket clients of the track.
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Raw passings per second (each makes one or more derived events).
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Tracks the clients are spread over (each fed at `--rate`).
    #[arg(long, default_value_t = 1)]
    pub tracks: usize,
    /// Seconds the relay sends for.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Compare with Socket.IO (`node` and `npm` needed); `--no-peer` skips it.
    #[arg(long)]
    pub no_peer: bool,
}

/// Runs the scenario; returns the JSON report.
pub async fn run(args: &FanoutArgs, progress: bool) -> anyhow::Result<Value> {
    if args.tracks == 0 || args.clients == 0 || args.rate <= 0.0 || args.duration <= 0.0 {
        bail!("--tracks, --clients, --rate and --duration must be positive");
    }
    let server = ServerProcess::start()?;
    let spec = LiveRun {
        label: "fanout",
        tracks: args.tracks,
        rate: args.rate,
        clients: args.clients,
        duration: Duration::from_secs_f64(args.duration),
        progress,
    };
    let mut out = live::run(&server, &spec).await?;
    server.stop();
    let p = out.delays.percentiles();
    let per_conn = out.rss_connected.saturating_sub(out.rss_idle) as f64 / args.clients as f64;
    // Delivered per second from the first send until the last client had everything: a
    // server that falls behind takes longer to deliver the same messages.
    let msgs_per_s = out.delivered as f64 / out.deliver_seconds.max(1e-9);
    let mut report = json!({
        "scenario": "fanout",
        "clients": args.clients,
        "rate": args.rate,
        "tracks": args.tracks,
        "duration_s": args.duration,
        "raw_events": out.raw_events,
        "derived": out.derived,
        "delivered": out.delivered,
        "lost": out.lost,
        "msgs_per_s": round(msgs_per_s, 0),
        "deliver_s": round(out.deliver_seconds, 2),
        "p50_ms": p.p50_ms,
        "p95_ms": p.p95_ms,
        "p99_ms": p.p99_ms,
        "max_ms": p.max_ms,
        "per_connection_kib": round(per_conn / 1024.0, 1),
        "server_rss_mb": round(out.rss_peak as f64 / 1_048_576.0, 1),
        "server_cpu_pct": round(out.cpu_pct, 1),
        "frame_bytes": out.frame_bytes,
        "resyncs": out.resyncs,
        "failed_clients": out.failed_clients,
        "client_error": out.first_error,
        "load_avg": load_average(),
    });
    if args.no_peer {
        report["peer_socketio_skipped"] = "--no-peer".into();
    } else {
        let per_client = out.derived as f64 / args.tracks as f64 / out.send_seconds.max(1e-9);
        super::peer_socketio::compare(
            &mut report,
            args,
            per_client,
            msgs_per_s,
            p.p99_ms,
            progress,
        )
        .await;
    }
    Ok(report)
}
