//! The fan-out peer: a Socket.IO v4 server in Node.js (`bench/peers/socketio/server.js`,
//! socket.io from npm) broadcasting as many messages per second per client, of the same
//! size, as Checkered delivered, to as many clients. The clients are the same Rust
//! WebSocket clients as for Checkered, speaking Engine.IO v4 / Socket.IO v4 text framing
//! (`0{…}` open, `40` connect, `2`/`3` ping/pong, `42["m",{…}]` events), so both sides
//! are measured by the same code. Skipped with the reason when `node` is missing.
//!
//! The peer does less work per message than Checkered (no ingest, no durable logs, no
//! engine): its delay is from its own send, Checkered's from the relay's capture.

use super::clients::client_config;
use super::fanout::FanoutArgs;
use super::procstat;
use super::progress::Progress;
use super::stats::{Samples, round};
use super::workload::now_us;
use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::Value;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;

/// Adds `peer_socketio_*` figures and the ratios to `report`, or `peer_socketio_skipped`.
pub async fn compare(
    report: &mut Value,
    args: &FanoutArgs,
    per_client_rate: f64,
    ours_msgs_per_s: f64,
    ours_p99_ms: f64,
    progress: bool,
) {
    let mut shown = Progress::new(progress);
    shown.update(|| "fanout: now Socket.IO with the same clients and messages".to_owned());
    let size = report["frame_bytes"].as_u64().unwrap_or(300);
    match run(args, per_client_rate, size).await {
        Ok(mut peer) => {
            let p = peer.delays.percentiles();
            let theirs = peer.delivered as f64 / peer.seconds.max(1e-9);
            report["peer_socketio_msgs_per_s"] = round(theirs, 0).into();
            report["peer_socketio_delivered"] = peer.delivered.into();
            report["peer_socketio_deliver_s"] = round(peer.seconds, 2).into();
            report["peer_socketio_lost"] = peer.lost.into();
            report["peer_socketio_p50_ms"] = p.p50_ms.into();
            report["peer_socketio_p99_ms"] = p.p99_ms.into();
            report["peer_socketio_per_connection_kib"] =
                round(peer.per_connection / 1024.0, 1).into();
            report["ratio_msgs_per_s"] = round(ours_msgs_per_s / theirs.max(1e-9), 3).into();
            report["p99_ratio"] = round(ours_p99_ms / p.p99_ms.max(1e-9), 3).into();
        }
        Err(e) => report["peer_socketio_skipped"] = format!("{e:#}").into(),
    }
    shown.finish();
}

/// What the peer run saw.
#[derive(Default)]
struct PeerOutcome {
    delivered: u64,
    lost: u64,
    delays: Samples,
    seconds: f64,
    per_connection: f64,
}

/// Where the peer's files are: `$CHECKERED_BENCH_PEERS/socketio`, else the source tree's
/// `bench/peers/socketio`, else `./bench/peers/socketio`.
fn peer_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CHECKERED_BENCH_PEERS") {
        return PathBuf::from(dir).join("socketio");
    }
    let tree = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../bench/peers/socketio"
    ));
    if tree.join("server.js").exists() {
        tree
    } else {
        PathBuf::from("bench/peers/socketio")
    }
}

/// Installs the peer's npm packages on first use (`npm ci`, from the committed lock file).
fn ensure_installed(dir: &std::path::Path) -> anyhow::Result<()> {
    if !dir.join("server.js").exists() {
        bail!("the Socket.IO peer is not at {}", dir.display());
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        bail!("node is not installed (apt-get install nodejs npm)");
    }
    if dir.join("node_modules/socket.io").exists() {
        return Ok(());
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--silent"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .context("cannot run npm (apt-get install npm)")?;
    if !status.success() {
        bail!("`npm ci` in {} failed with {status}", dir.display());
    }
    Ok(())
}

/// The node process, killed when dropped.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn run(args: &FanoutArgs, rate: f64, size: u64) -> anyhow::Result<PeerOutcome> {
    let dir = peer_dir();
    ensure_installed(&dir)?;
    let clients = args.clients * args.tracks;
    let mut child = Command::new("node")
        .arg(dir.join("server.js"))
        .args([
            "--clients",
            &clients.to_string(),
            "--rate",
            &rate.to_string(),
        ])
        .args([
            "--duration",
            &args.duration.to_string(),
            "--size",
            &size.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start node")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let node = Node(child);
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .context("the Socket.IO server did not start")?;
    let port = serde_json::from_str::<Value>(&first)?["port"]
        .as_u64()
        .context("no port")?;
    let pid = node.0.id();
    let idle = procstat::read(pid).map_or(0, |r| r.rss_bytes);
    let expected = (args.duration * rate).floor() as u64;
    let shared = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let handshakes = Arc::new(Semaphore::new(128));
    let url = format!("ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket");
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (url, shared, stop, handshakes) = (
                url.clone(),
                shared.clone(),
                stop_rx.clone(),
                handshakes.clone(),
            );
            tokio::spawn(async move { client(url, expected, shared, stop, handshakes).await })
        })
        .collect();
    let started = Instant::now();
    while shared.load(Ordering::Relaxed) < clients as u64 {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = stop_tx.send(true);
            bail!(
                "only {} of {clients} Socket.IO clients connected",
                shared.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connected = procstat::read(pid).map_or(0, |r| r.rss_bytes);
    let send_started = Instant::now();
    let deadline = Duration::from_secs_f64(args.duration) + Duration::from_secs(60);
    let mut out = PeerOutcome {
        per_connection: connected.saturating_sub(idle) as f64 / clients as f64,
        ..PeerOutcome::default()
    };
    for mut task in tasks {
        let left = deadline.saturating_sub(send_started.elapsed());
        let (received, lost, delays) = match tokio::time::timeout(left, &mut task).await {
            Ok(r) => r??,
            Err(_) => {
                let _ = stop_tx.send(true);
                task.await??
            }
        };
        out.delivered += received;
        out.lost += lost;
        out.delays.merge(delays);
    }
    // As for Checkered: from the first send until the last client had everything.
    out.seconds = send_started.elapsed().as_secs_f64();
    drop(node);
    Ok(out)
}

/// The fields of a peer message the client needs.
#[derive(Deserialize)]
struct PeerMsg {
    seq: u64,
    sent_at_us: i64,
}

/// One Socket.IO client: connects, answers pings, times every `m` event until it has
/// `expected` of them (or is stopped); returns (received, lost, delays).
async fn client(
    url: String,
    expected: u64,
    connected: Arc<AtomicU64>,
    mut stop: watch::Receiver<bool>,
    handshakes: Arc<Semaphore>,
) -> anyhow::Result<(u64, u64, Samples)> {
    let socket = {
        let _permit = handshakes.acquire().await?;
        tokio_tungstenite::connect_async_with_config(url.as_str(), Some(client_config()), true)
            .await
            .context("Socket.IO connect")?
            .0
    };
    let (mut sink, mut stream) = socket.split();
    let (mut received, mut last, mut delays) = (0u64, 0u64, Samples::default());
    while last < expected {
        let message = tokio::select! {
            m = stream.next() => m,
            _ = stop.changed() => break,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            _ => break,
        };
        let text = text.as_str();
        if text.starts_with('0') {
            sink.send(Message::text("40")).await?;
        } else if text == "2" {
            sink.send(Message::text("3")).await?;
        } else if text.starts_with("40") {
            connected.fetch_add(1, Ordering::Relaxed);
        } else if let Some(body) = text.strip_prefix("42")
            && let Ok((_, msg)) = serde_json::from_str::<(&str, PeerMsg)>(body)
        {
            delays.push_us(now_us() - msg.sent_at_us);
            received += 1;
            last = last.max(msg.seq);
        }
    }
    Ok((received, expected.saturating_sub(received), delays))
}
