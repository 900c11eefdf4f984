//! `checkered bench ingest`: durable ingest throughput of a whole server.
//!
//! `--connections` relays (each its own track, keep-alive HTTP) post batches of `--batch`
//! P3 passings back to back for `--duration` seconds. The server answers only after the
//! durable append (`synchronous=FULL`), so every acknowledged event is on disk; the engine
//! scores them as they arrive. Reports acknowledged events/s and the request (append)
//! latency percentiles, and with `--peer nats` the same batches published to a NATS
//! JetStream file stream, side by side.

use super::server::ServerProcess;
use super::stats::{Samples, round};
use super::workload::{self, Feed, Relay};
use super::{load_average, procstat, progress::Progress};
use anyhow::{Context, bail};
use clap::Parser;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Arguments of `checkered bench ingest`.
#[derive(Parser, Debug, Clone)]
pub struct IngestArgs {
    /// Events per request.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Seconds to post for.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Concurrent relays (each posts to its own track, one request at a time).
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Also publish the same batches to NATS JetStream (file storage) at this URL and
    /// report the ratio; `none` skips it.
    #[arg(long, default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
}

/// What one side of the comparison did.
#[derive(Debug, Default)]
pub struct Throughput {
    /// Events acknowledged.
    pub events: u64,
    /// Seconds measured.
    pub seconds: f64,
    /// Per-request (per-batch) latencies.
    pub latencies: Samples,
}

impl Throughput {
    /// Events per second.
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.events as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Runs the scenario; returns the JSON report.
pub async fn run(args: &IngestArgs, progress: bool) -> anyhow::Result<Value> {
    if args.batch == 0 || args.connections == 0 || args.duration <= 0.0 {
        bail!("--batch, --connections and --duration must be positive");
    }
    let server = ServerProcess::start()?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections + 4)
        .timeout(Duration::from_secs(60))
        .build()?;
    let ids = workload::track_ids(args.connections);
    workload::create_tracks(&http, &server.base(), &ids).await?;
    let cpu_from = procstat::read(server.pid);
    let mut ours = post_for(&http, &server.base(), &ids, args, progress).await?;
    let cpu_to = procstat::read(server.pid);
    let rss = cpu_to.map_or(0, |r| r.rss_bytes);
    let cpu = match (cpu_from, cpu_to) {
        (Some(a), Some(b)) => procstat::cpu_pct(&a, &b),
        _ => 0.0,
    };
    server.stop();
    let p = ours.latencies.percentiles();
    let mut report = json!({
        "scenario": "ingest",
        "batch": args.batch,
        "connections": args.connections,
        "duration_s": args.duration,
        "events": ours.events,
        "events_per_s": round(ours.rate(), 0),
        "requests": ours.latencies.len(),
        "p50_ms": p.p50_ms,
        "p95_ms": p.p95_ms,
        "p99_ms": p.p99_ms,
        "max_ms": p.max_ms,
        "server_rss_mb": round(rss as f64 / 1_048_576.0, 1),
        "server_cpu_pct": round(cpu, 1),
        "load_avg": load_average(),
    });
    super::peer_nats::compare(&mut report, args, ours.rate(), progress).await;
    Ok(report)
}

async fn post_for(
    http: &reqwest::Client,
    base: &str,
    ids: &[String],
    args: &IngestArgs,
    progress: bool,
) -> anyhow::Result<Throughput> {
    let url = format!("{base}/api/ingest/batch");
    let events = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.duration);
    let tasks: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (http, url, id, events) = (http.clone(), url.clone(), id.clone(), events.clone());
            let batch = args.batch;
            tokio::spawn(async move {
                let mut feed = Feed::new(i as u64 + 1);
                let mut relay = Relay::new(&id, "bench-ingest");
                let mut latencies = Samples::default();
                let mut payloads = Vec::with_capacity(batch);
                while Instant::now() < deadline {
                    payloads.clear();
                    payloads.extend((0..batch).map(|_| feed.next_payload()));
                    let body = relay.batch_body(&payloads, workload::now_us());
                    let sent = Instant::now();
                    let n = workload::post_batch(&http, &url, body).await?;
                    latencies.push(sent.elapsed());
                    events.fetch_add(n, Ordering::Relaxed);
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut shown = Progress::new(progress);
    while Instant::now() < deadline {
        shown.update(|| {
            let n = events.load(Ordering::Relaxed);
            format!(
                "ingest: {:.0}/{:.0} s  {n} events  {:.0} events/s",
                started.elapsed().as_secs_f64(),
                args.duration,
                n as f64 / started.elapsed().as_secs_f64().max(0.001)
            )
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut out = Throughput::default();
    for task in tasks {
        out.latencies
            .merge(task.await.context("a relay task failed")??);
    }
    out.seconds = started.elapsed().as_secs_f64();
    out.events = events.load(Ordering::Relaxed);
    shown.finish();
    Ok(out)
}
