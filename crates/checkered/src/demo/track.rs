//! One demo track run as a real track would be: its equipment on TCP ports of its own (a
//! simulated P3 decoder per timing loop, or a simulated RMonitor results feed), a real
//! relay per port spooling to disk and posting to the server's ingest, and the race
//! official's decisions (entries, staging, starts, flags) sent to the race-control API.
//!
//! # Layout
//! - [`start`]: creates the track and starts its equipment, relays and official.
//! - `Official`: the race-control poster, in step with the relays (`Delivery`).

use super::access::DemoAccess;
use super::scenario::{self, DemoTrack};
use super::wire;
use crate::relay::config::{RelayConfig, SourceSpec};
use crate::relay::status::Status;
use crate::simulate::server::{Items, SimServer};
use crate::simulate::{Protocol, SimConfig};
use anyhow::Context;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
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
    access: &Arc<DemoAccess>,
    spool_root: &Path,
    shutdown: &watch::Receiver<bool>,
    tasks: &mut JoinSet<anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let track = copy(index, clock)?;
    create(base, access, &track).await?;
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
    let mut relays = Vec::new();
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
        let mut relay = relay_config(base, &track.id, source, &spool_root.join(&name), &name);
        let (client_id, secret) = access.relay_client(&track.id, &name).await?;
        relay.client_id = Some(client_id);
        relay.client_secret = Some(secret);
        let stop = shutdown.clone();
        let status = Status::default();
        let counted: Items = match piece {
            Equipment::Decoder(id) => {
                Box::new(wire::decoder_items(copy(index, clock)?, id, clock.epoch_us))
            }
            Equipment::Feed => Box::new(wire::feed_items(copy(index, clock)?, clock.epoch_us)),
        };
        relays.push(Delivery {
            status: status.clone(),
            items: counted,
            next: None,
            due: 0,
        });
        tasks.spawn(async move {
            crate::relay::run(relay, status, stop).await?;
            Ok(())
        });
    }
    let official = Official {
        access: access.clone(),
        base: base.to_owned(),
        clock: clock.clone(),
        relays,
    };
    tasks.spawn(official.run(copy(index, clock)?, shutdown.clone()));
    Ok(())
}

/// What one relay of the track must have delivered before a decision is posted: the
/// equipment's items (walked on a copy of the track) and the relay's counters.
struct Delivery {
    status: Status,
    items: Items,
    next: Option<i64>,
    due: u64,
}

impl Delivery {
    /// Counts the items the equipment sends before `until_us` (absolute).
    fn due_before(&mut self, until_us: i64) -> u64 {
        loop {
            let at = match self.next {
                Some(at) => at,
                None => match self.items.next() {
                    Some(item) => item.at_us,
                    None => return self.due,
                },
            };
            if at >= until_us {
                self.next = Some(at);
                return self.due;
            }
            self.next = None;
            self.due += 1;
        }
    }
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
        client_secret: None,
        batch: 500,
        linger: Duration::from_millis(20),
        spool_limit: 64 * 1024 * 1024,
        segment_bytes: 4 * 1024 * 1024,
        silence: Duration::from_secs(60),
        backoff_max: Duration::from_secs(2),
    }
}

/// Creates the track (an existing one from an earlier run of the demo is kept).
async fn create(base: &str, access: &DemoAccess, track: &DemoTrack) -> anyhow::Result<()> {
    let body = json!({"id": track.id, "name": track.name, "config": track.config});
    let http = reqwest::Client::new();
    let token = access.token(&http).await?;
    let response = http
        .post(format!("{base}/api/v1/tracks"))
        .bearer_auth(token)
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
/// time comes, timed on the decoder clock the passings carry. The decision waits (a few
/// seconds at most) until the track's relays have delivered everything their equipment
/// sent before it, so the server logs decisions and passings in the order they happened
/// even when the demo runs many times faster than real time.
struct Official {
    access: Arc<DemoAccess>,
    base: String,
    clock: DemoClock,
    relays: Vec<Delivery>,
}

/// The longest a decision waits for the relays.
const DELIVERY_PATIENCE: Duration = Duration::from_secs(5);

impl Official {
    async fn run(
        mut self,
        track: DemoTrack,
        mut shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let url = format!("{}/api/v1/tracks/{}/control", self.base, track.id);
        for (at_us, decision) in wire::controls(track) {
            let secs = (at_us.max(0) as f64 / 1e6) / self.clock.speed.max(1e-3);
            let due = self.clock.started + Duration::from_secs_f64(secs);
            if due > Instant::now() {
                tokio::select! {
                    () = tokio::time::sleep_until(due) => {}
                    _ = shutdown.wait_for(|s| *s) => return Ok(()),
                }
            }
            let Some(decision) = decision else {
                continue;
            };
            let at = self.clock.epoch_us + decision.at_us;
            self.await_delivery(at, &mut shutdown).await;
            let body = json!({"intent": decision.payload, "at_us": at});
            post_until_accepted(&http, &self.access, &url, &body, &mut shutdown).await;
            if *shutdown.borrow() {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Waits until every relay acknowledged as many events as its equipment sent before
    /// `at_us`, or [`DELIVERY_PATIENCE`] passed.
    async fn await_delivery(&mut self, at_us: i64, shutdown: &mut watch::Receiver<bool>) {
        let deadline = Instant::now() + DELIVERY_PATIENCE;
        let wanted: Vec<u64> = self
            .relays
            .iter_mut()
            .map(|r| r.due_before(at_us))
            .collect();
        loop {
            let behind = self
                .relays
                .iter()
                .zip(&wanted)
                .any(|(r, &w)| r.status.snapshot().sent < w);
            if !behind || *shutdown.borrow() {
                return;
            }
            if Instant::now() >= deadline {
                tracing::warn!("relays are behind; race control posts its decision anyway");
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(10)) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// Posts a decision, retrying while the server is unreachable or busy.
async fn post_until_accepted(
    http: &reqwest::Client,
    access: &DemoAccess,
    url: &str,
    body: &Value,
    shutdown: &mut watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let token = match access.token(http).await {
            Ok(token) => token,
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "race control cannot sign in; retrying");
                String::new()
            }
        };
        match http.post(url).bearer_auth(token).json(body).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED => {
                // The access token expired: sign in again.
                access.invalidate();
                tracing::debug!("race control signs in again");
            }
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
