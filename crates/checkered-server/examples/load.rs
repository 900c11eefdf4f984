//! Load figures for docs/BENCHMARKS.md, against the real server in this process.
//!
//! `ingest`: many concurrent relays post batches of P3 passings over HTTP for a while;
//! prints durable events/s and request latency.
//! `latency`: tracks fed passings stamped with the wall clock, many WebSocket clients;
//! prints the capture → WebSocket delay of lap events (p50/p95/p99/max).
//!
//! ```text
//! cargo run --release -p checkered-server --example load -- ingest --tracks 4 --relays 32 --batch 100 --seconds 20
//! cargo run --release -p checkered-server --example load -- latency --tracks 3 --clients 1000 --rate 20 --seconds 30
//! ```
//!
//! `--no-projector` runs the in-process server without its projectors (for comparison).

use checkered_engine::{LoopRole, SessionKind, TimingLoop, TrackConfig};
use checkered_protocol::contract::{CONTRACT_VERSION, Envelope};
use checkered_protocol::p3::{Frame, Passing, Record};
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The server allocates per event; the binary uses the same allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DECODER: u32 = 0x0001_0001;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

fn passing_envelope(track: &str, boot: &str, seq: u64, transponder: u32, at_us: i64) -> Envelope {
    let frame = Frame {
        record: Record::Passing(Passing {
            passing_number: Some(seq as u32),
            transponder: Some(transponder),
            rtc_time_us: Some(at_us as u64),
            strength: Some(120),
            hits: Some(30),
            decoder_id: Some(DECODER),
            ..Passing::default()
        }),
        version: 2,
        header_flags: 0,
        tag_order: Vec::new(),
        escape_low: true,
    };
    Envelope {
        event_id: ulid::Ulid::new().to_string(),
        track_id: track.to_owned(),
        client_id: "load".to_owned(),
        boot_id: boot.to_owned(),
        seq,
        captured_at_us: at_us,
        ingested_at_us: None,
        message_type: "PASSING".to_owned(),
        payload: serde_json::to_value(frame).unwrap_or(Value::Null),
    }
}

fn track(id: &str) -> Value {
    let mut cfg = TrackConfig::new(id);
    cfg.default_session_kind = SessionKind::Practice;
    cfg.min_lap_time_us = 1_000_000;
    cfg.loops = vec![TimingLoop {
        id: "sf".into(),
        role: LoopRole::StartFinish,
        decoder_id: Some(DECODER),
    }];
    json!({"id": id, "name": id, "config": cfg})
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_else(|| "ingest".into());
    let dir = tempfile::tempdir()?;
    // `--server HOST:PORT` measures a separately started `checkered serve` (so profiles of
    // the server do not include this load generator); otherwise one runs in-process.
    let external: Option<std::net::SocketAddr> = args
        .iter()
        .position(|a| a == "--server")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok());
    let (addr, stop_tx, server) = match external {
        Some(addr) => (addr, None, None),
        None => {
            let mut config = ServerConfig {
                listen: "127.0.0.1:0".parse()?,
                data_dir: dir.path().to_owned(),
                projector: !args.iter().any(|a| a == "--no-projector"),
                ..ServerConfig::default()
            };
            // The pipeline is measured open, as an embedded single-user server runs it.
            config.auth.enabled = false;
            let app = Application::build(config).await?;
            let addr = app.local_addr()?;
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(app.run_until_stopped(async move {
                let _ = stop_rx.await;
            }));
            (addr, Some(stop_tx), Some(server))
        }
    };
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let tracks = arg(&args, "--tracks", 3) as usize;
    let seconds = arg(&args, "--seconds", 20);
    let names: Vec<String> = (0..tracks).map(|i| format!("load-{i}")).collect();
    for name in &names {
        http.post(format!("{base}/api/v1/tracks"))
            .json(&track(name))
            .send()
            .await?;
    }
    match mode.as_str() {
        "ingest" => ingest(&http, &base, &names, &args, seconds).await?,
        "latency" => latency(&http, &base, addr, &names, &args, seconds).await?,
        other => anyhow::bail!("unknown mode {other}; use ingest or latency"),
    }
    if let (Some(stop), Some(server)) = (stop_tx, server) {
        let _ = stop.send(());
        server.await??;
    }
    Ok(())
}

async fn ingest(
    http: &reqwest::Client,
    base: &str,
    names: &[String],
    args: &[String],
    seconds: u64,
) -> anyhow::Result<()> {
    let relays = arg(args, "--relays", 32) as usize;
    let batch = arg(args, "--batch", 100);
    let accepted = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for r in 0..relays {
        let http = http.clone();
        let url = format!("{base}/api/ingest/batch");
        let track = names[r % names.len()].clone();
        let accepted = accepted.clone();
        tasks.push(tokio::spawn(async move {
            let boot = ulid::Ulid::new().to_string();
            let mut seq = 0u64;
            let mut latencies = Vec::new();
            let t0 = now_us();
            while Instant::now() < deadline {
                let events: Vec<Envelope> = (0..batch)
                    .map(|_| {
                        seq += 1;
                        let at = t0 + seq as i64 * 1_000;
                        passing_envelope(
                            &track,
                            &boot,
                            seq,
                            1000 + (seq % 40) as u32 + r as u32 * 100,
                            at,
                        )
                    })
                    .collect();
                let body = json!({"contract_version": CONTRACT_VERSION, "events": events});
                let started = Instant::now();
                let answer: Value = match http.post(&url).json(&body).send().await {
                    Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
                    // A refused batch is a broken run, not a slow one: say so and stop.
                    Ok(r) => panic!(
                        "ingest answered {}: {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    ),
                    Err(_) => continue,
                };
                latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                accepted.fetch_add(answer["accepted"].as_u64().unwrap_or(0), Ordering::Relaxed);
            }
            latencies
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let total = accepted.load(Ordering::Relaxed);
    println!(
        "ingest: {total} events durably accepted in {elapsed:.1} s = {:.0} events/s; {} requests of {batch}, latency p50 {:.1} ms p99 {:.1} ms",
        total as f64 / elapsed,
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.99)
    );
    Ok(())
}

async fn latency(
    http: &reqwest::Client,
    base: &str,
    addr: std::net::SocketAddr,
    names: &[String],
    args: &[String],
    seconds: u64,
) -> anyhow::Result<()> {
    let clients = arg(args, "--clients", 300) as usize;
    let rate = arg(args, "--rate", 20).max(1);
    let delays = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let mut readers = Vec::new();
    for c in 0..clients {
        let url = format!("ws://{addr}/ws/v1/live?track_id={}", names[c % names.len()]);
        let (socket, _) = tokio_tungstenite::connect_async(url).await?;
        let delays = delays.clone();
        readers.push(tokio::spawn(async move {
            let (_, mut stream) = socket.split();
            while let Some(Ok(message)) = stream.next().await {
                let Ok(text) = message.into_text() else {
                    continue;
                };
                let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                if frame["kind"] == "event" && frame["payload"]["kind"]["type"] == "lap_completed" {
                    let ts = frame["ts_us"].as_i64().unwrap_or(0);
                    let delay = (now_us() - ts) as f64 / 1000.0;
                    delays.lock().map(|mut d| d.push(delay)).ok();
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut feeders = Vec::new();
    for name in names {
        let name = name.clone();
        let http = http.clone();
        let url = format!("{base}/api/ingest/batch");
        feeders.push(tokio::spawn(async move {
            let boot = ulid::Ulid::new().to_string();
            let mut seq = 0u64;
            let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
            while Instant::now() < deadline {
                tick.tick().await;
                seq += 1;
                // 40 cars; each passes every 40/rate seconds: well above the minimum lap.
                let envelope =
                    passing_envelope(&name, &boot, seq, 1000 + (seq % 40) as u32, now_us());
                let body = json!({"contract_version": CONTRACT_VERSION, "events": [envelope]});
                let _ = http.post(&url).json(&body).send().await;
            }
        }));
    }
    for f in feeders {
        f.await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for r in &readers {
        r.abort();
    }
    let mut all = delays.lock().map(|d| d.clone()).unwrap_or_default();
    all.sort_by(f64::total_cmp);
    println!(
        "latency: {} tracks, {clients} clients, {rate} passings/s per track, {} lap frames received; capture→socket p50 {:.2} ms p95 {:.2} ms p99 {:.2} ms max {:.2} ms",
        names.len(),
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 0.99),
        all.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}
