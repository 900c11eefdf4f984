//! One demo track run as a real track would be: its equipment on TCP ports of its own (a
//! simulated P3 decoder per timing loop, or a simulated RMonitor results feed), a real
//! relay per port spooling to disk and posting to the server's ingest, and the race
//! official's decisions (entries, staging, starts, flags) sent to the race-control API.
//!
//! # Layout
//! - [`start`]: creates the track and starts its equipment, relays and official.
//! - `official`: the race-control poster.

use super::scenario::{self, DemoTrack};
use super::wire;
use crate::relay::config::{RelayConfig, SourceSpec};
use crate::relay::status::Status;
use crate::simulate::server::{Items, SimServer};
use crate::simulate::{Protocol, SimConfig};
use anyhow::Context;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// What a demo track is fed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Equipment {
    /// One P3 decoder per loop (its decoder id).
    Decoder(u32),
    /// The scoring system's RMonitor feed.
    Feed,
}

/// Everything the tracks share.
#[derive(Clone)]
pub struct DemoClock {
    /// The scenario seed.
    pub seed: u64,
    /// Wall-clock time of demo time 0, µs since the epoch.
    pub epoch_us: i64,
    /// Demo time 0.
    pub started: Instant,
    /// Demo seconds per real second.
    pub speed: f64,
}

/// Creates track `index` of the scenario on the server at `base`, and starts its
/// equipment, one relay per piece of equipment (spooling under `spool_root`), and its
/// official, all in `tasks` until `shutdown`.
pub async fn start(
    index: usize,
    clock: &DemoClock,
    base: &str,
    spool_root: &Path,
    shutdown: &watch::Receiver<bool>,
    tasks: &mut JoinSet<anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let track = copy(index, clock)?;
    create(base, &track).await?;
    let equipment: Vec<Equipment> = if track.id == "club-circuit" {
        vec![Equipment::Feed]
    } else {
        track
            .config
            .loops
            .iter()
            .filter_map(|l| l.decoder_id)
            .map(Equipment::Decoder)
            .collect()
    };
    for piece in equipment {
        let (protocol, items, decoder_id, name): (Protocol, Items, u32, String) = match piece {
            Equipment::Decoder(id) => (
                Protocol::P3,
                Box::new(wire::decoder_items(copy(index, clock)?, id, clock.epoch_us)),
                id,
                format!("{}-decoder-{id:x}", track.id),
            ),
            Equipment::Feed => (
                Protocol::Rmonitor,
                Box::new(wire::feed_items(copy(index, clock)?, clock.epoch_us)),
                0,
                format!("{}-feed", track.id),
            ),
        };
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot bind a simulated decoder")?;
        let addr = listener.local_addr()?.to_string();
        let mut config = SimConfig::new(protocol);
        config.speed = clock.speed;
        config.start_us = clock.epoch_us;
        let sim = SimServer::with_items(listener, config, items, decoder_id)?;
        let mut stop = shutdown.clone();
        tasks.spawn(async move {
            sim.run_until_stopped(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
        });
        let source = match protocol {
            Protocol::P3 => SourceSpec::P3 { addr },
            Protocol::Rmonitor => SourceSpec::Rmonitor { addr },
        };
        let relay = relay_config(base, &track.id, source, &spool_root.join(&name), &name);
        let stop = shutdown.clone();
        tasks.spawn(async move {
            crate::relay::run(relay, Status::default(), stop).await?;
            Ok(())
        });
    }
    let official = official(
        copy(index, clock)?,
        base.to_owned(),
        clock.clone(),
        shutdown.clone(),
    );
    tasks.spawn(official);
    Ok(())
}

/// A fresh copy of track `index` (the scenario is seeded, so every copy is the same).
fn copy(index: usize, clock: &DemoClock) -> anyhow::Result<DemoTrack> {
    scenario::tracks(clock.seed, clock.epoch_us)
        .into_iter()
        .nth(index)
        .with_context(|| format!("the demo has no track {index}"))
}

/// The relay of one piece of equipment, tuned for a local server.
fn relay_config(
    base: &str,
    track: &str,
    source: SourceSpec,
    spool: &Path,
    name: &str,
) -> RelayConfig {
    RelayConfig {
        source,
        ingest_url: format!("{base}/api/ingest/batch"),
        server_base: base.to_owned(),
        track: track.to_owned(),
        credentials: None,
        spool_dir: spool.to_owned(),
        client_id: Some(format!("demo-{name}")),
        batch: 500,
        linger: Duration::from_millis(20),
        spool_limit: 64 * 1024 * 1024,
        segment_bytes: 4 * 1024 * 1024,
        silence: Duration::from_secs(60),
        backoff_max: Duration::from_secs(2),
    }
}

/// Creates the track (an existing one from an earlier run of the demo is kept).
async fn create(base: &str, track: &DemoTrack) -> anyhow::Result<()> {
    let body = json!({"id": track.id, "name": track.name, "config": track.config});
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/tracks"))
        .json(&body)
        .send()
        .await?;
    let status = response.status().as_u16();
    if status != 201 && status != 409 {
        let detail: Value = response.json().await.unwrap_or(Value::Null);
        anyhow::bail!("cannot create track {}: {status} {detail}", track.id);
    }
    Ok(())
}

/// The track's race official: posts each decision to the race-control API when its demo
/// time comes, timed on the decoder clock the passings carry.
async fn official(
    track: DemoTrack,
    base: String,
    clock: DemoClock,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let url = format!("{base}/api/v1/tracks/{}/control", track.id);
    for (at_us, decision) in wire::controls(track) {
        let secs = (at_us.max(0) as f64 / 1e6) / clock.speed.max(1e-3);
        let due = clock.started + Duration::from_secs_f64(secs);
        if due > Instant::now() {
            tokio::select! {
                () = tokio::time::sleep_until(due) => {}
                _ = shutdown.wait_for(|s| *s) => return Ok(()),
            }
        }
        let Some(decision) = decision else {
            continue;
        };
        let body = json!({"intent": decision.payload, "at_us": clock.epoch_us + decision.at_us});
        post_until_accepted(&http, &url, &body, &mut shutdown).await;
        if *shutdown.borrow() {
            return Ok(());
        }
    }
    Ok(())
}

/// Posts a decision, retrying while the server is unreachable or busy.
async fn post_until_accepted(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
    shutdown: &mut watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match http.post(url).json(body).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) if r.status().is_client_error() => {
                tracing::error!(%url, status = %r.status(), "race control refused a decision");
                return;
            }
            Ok(r) => tracing::warn!(%url, status = %r.status(), "race control busy; retrying"),
            Err(error) => tracing::warn!(%url, %error, "race control unreachable; retrying"),
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}
