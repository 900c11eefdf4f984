//! `checkered bench <scenario>`: figures measured the same way every time, each scenario
//! ending with one JSON line on stdout (progress goes to stderr).
//!
//! Every scenario that needs a server starts `checkered serve` as a child process on a
//! free port with a fresh data directory ([`server`]), so the server's memory and CPU
//! ([`procstat`]) are its own and the load generator never shares its runtime.
//!
//! # Layout
//! - [`e2e`]: capture → WebSocket delay over many tracks and clients.
//! - [`ingest`]: durable ingest throughput and append latency; [`peer_nats`] the JetStream
//!   comparison.
//! - [`fanout`]: live messages per second to many clients, per-connection memory;
//!   [`peer_socketio`] the Socket.IO comparison.
//! - [`replay`]: a capture through the engine, events per second.
//! - [`live`], [`clients`]: the relays-and-clients run e2e and fanout share.
//! - [`workload`]: the simulated relays' envelopes; [`stats`]: percentiles;
//!   [`progress`]: the progress line; [`server`], [`procstat`]: the server under test.

pub mod clients;
pub mod e2e;
pub mod fanout;
pub mod ingest;
pub mod live;
pub mod peer_nats;
pub mod peer_socketio;
pub mod procstat;
pub mod progress;
pub mod replay;
pub mod server;
pub mod stats;
pub mod workload;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `checkered bench`.
#[derive(Parser, Debug, Clone)]
pub struct BenchArgs {
    /// The scenario.
    #[command(subcommand)]
    pub scenario: Scenario,
    /// Show the progress line on stderr even when it is not a terminal.
    #[arg(long, global = true)]
    pub progress: bool,
}

/// The scenarios.
#[derive(Subcommand, Debug, Clone)]
pub enum Scenario {
    /// Capture → WebSocket client delay: relays over HTTP, clients over WebSocket.
    E2e(e2e::E2eArgs),
    /// Durable ingest throughput and append latency (and NATS JetStream beside it).
    Ingest(ingest::IngestArgs),
    /// Live messages per second to many clients, delay, memory per connection.
    Fanout(fanout::FanoutArgs),
    /// Events per second replaying a capture through the engine.
    Replay(replay::ReplayBenchArgs),
}

/// Which server `bench e2e` runs.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One process, SQLite (`checkered serve`).
    Embedded,
    /// NATS JetStream and PostgreSQL (not in this build yet).
    Cluster,
}

/// Runs a scenario and prints its JSON line.
pub fn run_cli(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let limit = procstat::raise_nofile();
    tracing::debug!(limit, "open-file limit");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(scenario(&args.scenario, args.progress))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{report}").context("cannot write the report")?;
    out.flush().context("cannot write the report")?;
    Ok(ExitCode::SUCCESS)
}

async fn scenario(scenario: &Scenario, progress: bool) -> anyhow::Result<serde_json::Value> {
    match scenario {
        Scenario::E2e(a) => e2e::run(a, progress).await,
        Scenario::Ingest(a) => ingest::run(a, progress).await,
        Scenario::Fanout(a) => fanout::run(a, progress).await,
        Scenario::Replay(a) => replay::run(a, progress),
    }
}

/// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), so every figure says how
/// busy the machine was.
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}
