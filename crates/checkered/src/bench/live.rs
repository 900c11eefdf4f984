//! The shared run of `bench e2e` and `bench fanout`: tracks on a server, WebSocket clients
//! spread over them, then relays posting passings at a fixed rate for a while, then a
//! drain until every client has every event its track published (or a timeout).
//!
//! # Layout
//! - [`LiveRun`]: what to run; [`LiveOutcome`]: what was seen.
//! - [`run`]: the phases (connect, feed, settle, drain).
//! - `feed`: one track's relay.

use super::clients::{self, ClientReport, Phase, Setup, Shared};
use super::procstat;
use super::progress::Progress;
use super::server::ServerProcess;
use super::stats::Samples;
use super::workload::{self, Feed, Relay};
use anyhow::{Context, bail};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, watch};

/// Concurrent WebSocket handshakes while clients connect.
const HANDSHAKES: usize = 128;
/// How long clients may take to connect, and the server to settle after the run.
const PATIENCE: Duration = Duration::from_secs(120);
/// Shortest interval between two batches of one relay.
const MIN_TICK: Duration = Duration::from_millis(5);

/// What to run.
#[derive(Debug, Clone)]
pub struct LiveRun {
    /// Scenario name for the progress line.
    pub label: &'static str,
    /// Tracks, each fed by its own relay.
    pub tracks: usize,
    /// Raw passings per second per track.
    pub rate: f64,
    /// WebSocket clients, spread round-robin over the tracks.
    pub clients: usize,
    /// How long the relays send.
    pub duration: Duration,
    /// Show progress even when stderr is not a terminal.
    pub progress: bool,
}

/// What a run saw.
#[derive(Debug, Default)]
pub struct LiveOutcome {
    /// Raw events the server acknowledged.
    pub raw_events: u64,
    /// Derived events the tracks published during the run.
    pub derived: u64,
    /// Derived event frames delivered to clients.
    pub delivered: u64,
    /// Derived events clients should have received and did not.
    pub lost: u64,
    /// Event frames without a capture time.
    pub untimed: u64,
    /// Resync errors clients got.
    pub resyncs: u64,
    /// Clients that never subscribed.
    pub failed_clients: u64,
    /// Capture → client delays.
    pub delays: Samples,
    /// Seconds the relays sent for.
    pub send_seconds: f64,
    /// Seconds from the first send until the last client had everything.
    pub deliver_seconds: f64,
    /// Server RSS before any client connected, bytes.
    pub rss_idle: u64,
    /// Server RSS with every client connected, before sending, bytes.
    pub rss_connected: u64,
    /// Highest server RSS seen while sending, bytes.
    pub rss_peak: u64,
    /// Server CPU while sending, percent of one core.
    pub cpu_pct: f64,
    /// First client error, if any client stopped early.
    pub first_error: Option<String>,
    /// Average size of a delivered event frame, bytes.
    pub frame_bytes: u64,
}

/// Runs the scenario against `server`.
pub async fn run(server: &ServerProcess, spec: &LiveRun) -> anyhow::Result<LiveOutcome> {
    let base = server.base();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(spec.tracks.max(1) + 4)
        .timeout(Duration::from_secs(60))
        .build()?;
    let ids = workload::track_ids(spec.tracks.max(1));
    workload::create_tracks(&http, &base, &ids).await?;
    let mut out = LiveOutcome {
        rss_idle: procstat::read(server.pid).map_or(0, |r| r.rss_bytes),
        ..LiveOutcome::default()
    };
    let mut progress = Progress::new(spec.progress);

    // Connect every client before anything is sent.
    let shared = Arc::new(Shared::default());
    let targets: Vec<Arc<AtomicU64>> = ids
        .iter()
        .map(|_| Arc::new(AtomicU64::new(u64::MAX)))
        .collect();
    let (phase_tx, phase_rx) = watch::channel(Phase::Running);
    let handshakes = Arc::new(Semaphore::new(HANDSHAKES));
    let tasks: Vec<_> = (0..spec.clients)
        .map(|c| {
            let t = c % ids.len();
            clients::spawn(Setup {
                addr: server.addr,
                track: ids[t].clone(),
                target: targets[t].clone(),
                phase: phase_rx.clone(),
                shared: shared.clone(),
                handshakes: handshakes.clone(),
            })
        })
        .collect();
    let started = Instant::now();
    loop {
        let connected = shared.connected.load(Ordering::Relaxed);
        let failed = shared.failed.load(Ordering::Relaxed);
        if connected + failed >= spec.clients as u64 {
            break;
        }
        if started.elapsed() > PATIENCE {
            let _ = phase_tx.send(Phase::Abort);
            bail!(
                "only {connected} of {} clients connected within {PATIENCE:?}",
                spec.clients
            );
        }
        progress.update(|| {
            format!(
                "{}: {connected}/{} clients connected",
                spec.label, spec.clients
            )
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    out.failed_clients = shared.failed.load(Ordering::Relaxed);
    let first_seq = published_seqs(&http, &base, &ids).await?;
    out.rss_connected = procstat::read(server.pid).map_or(0, |r| r.rss_bytes);

    // Send.
    let cpu_from = procstat::read(server.pid);
    let send_started = Instant::now();
    let deadline = send_started + spec.duration;
    let raw = Arc::new(AtomicU64::new(0));
    let feeders: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (http, url, raw, id) = (
                http.clone(),
                format!("{base}/api/ingest/batch"),
                raw.clone(),
                id.clone(),
            );
            let rate = spec.rate;
            tokio::spawn(
                async move { feed(&http, &url, &id, i as u64, rate, deadline, &raw).await },
            )
        })
        .collect();
    while Instant::now() < deadline {
        if let Some(r) = procstat::read(server.pid) {
            out.rss_peak = out.rss_peak.max(r.rss_bytes);
        }
        progress.update(|| {
            format!(
                "{}: {:.0}/{:.0} s  raw {}  delivered {}  lost {}",
                spec.label,
                send_started.elapsed().as_secs_f64(),
                spec.duration.as_secs_f64(),
                raw.load(Ordering::Relaxed),
                shared.delivered.load(Ordering::Relaxed),
                shared.lost.load(Ordering::Relaxed)
            )
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for f in feeders {
        f.await.context("a relay task failed")??;
    }
    out.send_seconds = send_started.elapsed().as_secs_f64();
    if let (Some(from), Some(to)) = (cpu_from, procstat::read(server.pid)) {
        out.cpu_pct = procstat::cpu_pct(&from, &to);
        out.rss_peak = out.rss_peak.max(to.rss_bytes);
    }
    out.raw_events = raw.load(Ordering::Relaxed);

    // Settle: the final published seq of every track, then let clients drain to it.
    let last_seq = settled_seqs(&http, &base, &ids).await?;
    out.derived = last_seq.iter().zip(&first_seq).map(|(l, f)| l - f).sum();
    for (target, seq) in targets.iter().zip(&last_seq) {
        target.store(*seq, Ordering::Release);
    }
    let _ = phase_tx.send(Phase::Final);
    let drain_deadline = Instant::now() + PATIENCE;
    let mut reports = Vec::with_capacity(tasks.len());
    for mut task in tasks {
        let report = match tokio::time::timeout_at(drain_deadline.into(), &mut task).await {
            Ok(report) => report?,
            Err(_) => {
                // Past the drain deadline: whatever a client still lacks is lost.
                let _ = phase_tx.send(Phase::Abort);
                task.await?
            }
        };
        reports.push(report);
    }
    out.deliver_seconds = send_started.elapsed().as_secs_f64();
    progress.finish();
    tally(&mut out, reports);
    out.frame_bytes = shared.bytes.load(Ordering::Relaxed) / out.delivered.max(1);
    Ok(out)
}

fn tally(out: &mut LiveOutcome, reports: Vec<ClientReport>) {
    for r in reports {
        if !r.connected {
            if out.first_error.is_none() {
                out.first_error = r.error.map(|e| format!("a client never subscribed: {e}"));
            }
            continue;
        }
        out.delivered += r.received;
        out.lost += r.lost;
        out.untimed += r.untimed;
        out.resyncs += r.resyncs;
        if out.first_error.is_none() {
            out.first_error = r.error.clone();
        }
        out.delays.merge(r.delays);
    }
}

/// One track's relay: every tick, the passings due by now in one batch stamped with the
/// wall clock; a batch that fails is posted again as it is (the server dedupes), so a
/// slow answer makes the next batch bigger, as with a real relay.
async fn feed(
    http: &reqwest::Client,
    url: &str,
    track: &str,
    seed: u64,
    rate: f64,
    deadline: Instant,
    raw: &AtomicU64,
) -> anyhow::Result<()> {
    let mut source = Feed::new(seed + 1);
    let mut relay = Relay::new(track, "bench-relay");
    let tick = Duration::from_secs_f64(1.0 / rate.max(0.001)).max(MIN_TICK);
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let started = Instant::now();
    let mut sent = 0u64;
    let mut payloads = Vec::new();
    while Instant::now() < deadline {
        ticker.tick().await;
        let due = (started.elapsed().as_secs_f64() * rate) as u64;
        payloads.clear();
        while sent + (payloads.len() as u64) < due {
            payloads.push(source.next_payload());
        }
        if payloads.is_empty() {
            continue;
        }
        let body = relay.batch_body(&payloads, workload::now_us());
        let mut attempts = 0;
        loop {
            match workload::post_batch(http, url, body.clone()).await {
                Ok(n) => {
                    raw.fetch_add(n, Ordering::Relaxed);
                    break;
                }
                Err(e) if attempts < 5 => {
                    attempts += 1;
                    tracing::debug!(error = %e, "ingest failed; retrying");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e),
            }
        }
        sent += payloads.len() as u64;
    }
    Ok(())
}

async fn standings(
    http: &reqwest::Client,
    base: &str,
    id: &str,
) -> anyhow::Result<serde_json::Value> {
    let response = http
        .get(format!("{base}/api/v1/tracks/{id}/standings"))
        .send()
        .await
        .context("cannot read standings")?;
    response.json().await.context("standings are not JSON")
}

async fn published_seqs(
    http: &reqwest::Client,
    base: &str,
    ids: &[String],
) -> anyhow::Result<Vec<u64>> {
    let mut seqs = Vec::with_capacity(ids.len());
    for id in ids {
        seqs.push(
            standings(http, base, id).await?["published_seq"]
                .as_u64()
                .unwrap_or(0),
        );
    }
    Ok(seqs)
}

/// Waits until each track's engine has applied every raw event and published all it
/// derived; returns the published seqs.
async fn settled_seqs(
    http: &reqwest::Client,
    base: &str,
    ids: &[String],
) -> anyhow::Result<Vec<u64>> {
    let deadline = Instant::now() + PATIENCE;
    let mut seqs = Vec::with_capacity(ids.len());
    for id in ids {
        loop {
            let board = standings(http, base, id).await?;
            if board["lag"] == 0 && board["published_seq"] == board["seq"] {
                seqs.push(board["published_seq"].as_u64().unwrap_or(0));
                break;
            }
            if Instant::now() > deadline {
                bail!("track {id} did not settle within {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(seqs)
}
