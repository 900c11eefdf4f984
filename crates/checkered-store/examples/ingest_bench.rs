//! Ingest throughput of the SQLite event log: N concurrent appenders each send batches of B
//! PASSING envelopes (~200-byte payloads) for D seconds; prints durable events/s and the
//! latency of one `append_raw` call (p50/p99/max).
//!
//! ```text
//! cargo run --release -p checkered-store --example ingest_bench -- \
//!     --tasks 64 --batch 10 --seconds 10 [--tracks 8] [--dir PATH]
//! ```
//! Without `--dir` a temporary directory is used and removed afterwards.

use checkered_store::conformance::{T0, envelope};
use checkered_store::{AppendOutcome, EventLog, SqliteLog, SqliteOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
struct Args {
    tasks: usize,
    batch: usize,
    seconds: u64,
    tracks: usize,
    dir: Option<std::path::PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        tasks: 64,
        batch: 10,
        seconds: 10,
        tracks: 8,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--tasks" => args.tasks = usize::try_from(number()?).map_err(|e| e.to_string())?,
            "--batch" => args.batch = usize::try_from(number()?).map_err(|e| e.to_string())?,
            "--seconds" => args.seconds = number()?,
            "--tracks" => args.tracks = usize::try_from(number()?).map_err(|e| e.to_string())?,
            "--dir" => args.dir = Some(value.into()),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

/// One appender, like one relay: its own client id, all its events on track `task % tracks`.
/// Returns (accepted, latencies µs).
async fn appender(
    log: Arc<dyn EventLog>,
    task: usize,
    args: Args,
    until: Instant,
) -> (u64, Vec<u32>) {
    let client = format!("relay-{task}");
    let track = format!("track-{}", task % args.tracks.max(1));
    let mut seq = 0u64;
    let mut accepted = 0u64;
    let mut latencies = Vec::new();
    while Instant::now() < until {
        let batch: Vec<_> = (0..args.batch)
            .map(|_| {
                seq += 1;
                envelope(&track, &client, "b1", seq)
            })
            .collect();
        let started = Instant::now();
        let outcomes = log.append_raw(batch, T0).await.expect("append");
        latencies.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
        accepted += outcomes
            .iter()
            .filter(|o| matches!(o, AppendOutcome::Accepted { .. }))
            .count() as u64;
    }
    (accepted, latencies)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    let index = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
    f64::from(sorted.get(index).copied().unwrap_or(0)) / 1000.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let temp = tempfile::tempdir()?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(&dir, SqliteOptions::default())?);
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let handles: Vec<_> = (0..args.tasks)
        .map(|task| tokio::spawn(appender(Arc::clone(&log), task, args.clone(), until)))
        .collect();
    let mut accepted = 0u64;
    let mut latencies = Vec::new();
    for handle in handles {
        let (n, lat) = handle.await?;
        accepted += n;
        latencies.extend(lat);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    println!(
        "tasks={} batch={} tracks={} seconds={:.1}: {} events, {:.0} events/s durable, {} appends; \
         append latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        args.tasks,
        args.batch,
        args.tracks,
        elapsed,
        accepted,
        accepted as f64 / elapsed,
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    Ok(())
}
