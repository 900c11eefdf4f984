//! What the relay tests share: the real server in-process (stoppable and restartable on the
//! same port and data), an in-process relay, race frames, and waits on conditions with a
//! deadline. The decoder emulator is in `relay_emulator`.

pub use crate::relay_emulator::Emulator;
use checkered::relay::config::{RelayConfig, SourceSpec};
use checkered::relay::status::{Status, StatusData};
use checkered::relay::{Outcome, RelayError};

use checkered_engine::{LoopRole, SessionKind, TimingLoop, TrackConfig};
use checkered_protocol::p3;
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// How long a test waits for a condition.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `check` until it gives a value, failing with `what` after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The real server, in this process.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Bound address (reused by a restart).
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Server {
    /// Starts on `data`, on `addr` (port 0 for a free one).
    pub async fn start(data: &Path, addr: SocketAddr) -> Server {
        Self::start_with_token(data, addr, None).await
    }

    /// Starts one that wants `token` from relays.
    pub async fn start_with_token(data: &Path, addr: SocketAddr, token: Option<&str>) -> Server {
        let mut config = ServerConfig {
            listen: addr,
            data_dir: data.to_owned(),
            ingest_token: token.map(str::to_owned),
            ..ServerConfig::default()
        };
        // The embedded single-user server: the static token alone guards ingest.
        config.auth.enabled = false;
        let app = Application::build(config).await.expect("server builds");
        let addr = app.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        Server {
            base: format!("http://{addr}"),
            addr,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Stops it (the port is free afterwards).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }

    /// `GET` as JSON.
    pub async fn get(&self, path: &str) -> Value {
        reqwest::get(format!("{}{path}", self.base))
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    /// `POST` JSON, asserting success.
    pub async fn post(&self, path: &str, body: &Value) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .expect("post");
        assert!(
            response.status().is_success(),
            "POST {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// Every raw envelope of a track, in arrival order.
    pub async fn raw(&self, track: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = self
                .get(&format!(
                    "/api/v1/tracks/{track}/raw?after={after}&limit=1000"
                ))
                .await;
            let rows = page["events"].as_array().cloned().unwrap_or_default();
            if rows.is_empty() {
                return out;
            }
            after = page["next_after"].as_u64().expect("next_after");
            out.extend(rows.into_iter().map(|r| r["envelope"].clone()));
        }
    }

    /// Whether the track holds more than `n` raw events.
    pub async fn has_raw_after(&self, track: &str, n: usize) -> bool {
        let page = self
            .get(&format!("/api/v1/tracks/{track}/raw?after={n}&limit=1"))
            .await;
        page["events"].as_array().is_some_and(|e| !e.is_empty())
    }

    /// Waits until the track holds `n` raw events (and no more), then returns them.
    pub async fn wait_raw(&self, track: &str, n: usize) -> Vec<Value> {
        let raw = eventually(&format!("{n} raw events on {track}"), || async {
            let raw = self.raw(track).await;
            (raw.len() >= n).then_some(raw)
        })
        .await;
        assert_eq!(raw.len(), n, "more raw events than sent");
        raw
    }

    /// Waits until the track holds `n` raw events other than GET_TIME answers (which a
    /// relay forwards as they come), then returns those.
    pub async fn wait_raw_without_clock(&self, track: &str, n: usize) -> Vec<Value> {
        let raw = eventually(&format!("{n} raw events on {track}"), || async {
            let raw: Vec<Value> = self
                .raw(track)
                .await
                .into_iter()
                .filter(|e| e["message_type"] != "GET_TIME")
                .collect();
            (raw.len() >= n).then_some(raw)
        })
        .await;
        assert_eq!(raw.len(), n, "more raw events than sent");
        raw
    }

    /// Waits until the engine applied everything, then returns the standings.
    pub async fn settled_standings(&self, track: &str) -> Value {
        eventually("settled standings", || async {
            let board = self.get(&format!("/api/v1/tracks/{track}/standings")).await;
            (board["lag"] == 0 && board["published_seq"] == board["seq"])
                .then(|| board["standings"].clone())
        })
        .await
    }
}

/// A track set up for the simulator's decoders.
pub fn sim_track(id: &str) -> TrackConfig {
    let mut cfg = TrackConfig::new(id);
    cfg.default_session_kind = SessionKind::Race;
    cfg.loops = checkered_sim::Line::ALL
        .iter()
        .map(|&l| TimingLoop {
            id: l.id().into(),
            role: match l {
                checkered_sim::Line::StartFinish => LoopRole::StartFinish,
                checkered_sim::Line::PitIn => LoopRole::PitIn,
                checkered_sim::Line::PitOut => LoopRole::PitOut,
                checkered_sim::Line::Gate => LoopRole::Gate,
            },
            decoder_id: Some(l.decoder_id()),
        })
        .collect();
    cfg
}

/// Creates `track` on `server`.
pub async fn create_track(server: &Server, track: &str, config: Value) {
    server
        .post(
            "/api/v1/tracks",
            &json!({"id": track, "name": track, "config": config}),
        )
        .await;
}

/// A relay running in this process.
pub struct RelayRun {
    /// Its live state.
    pub status: Status,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<Outcome, RelayError>>,
}

impl RelayRun {
    /// Starts a relay with `config`.
    pub fn start(config: RelayConfig) -> RelayRun {
        let status = Status::default();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(checkered::relay::run(config, status.clone(), stopped));
        RelayRun { status, stop, task }
    }

    /// Waits for a state of the relay.
    pub async fn wait(&self, what: &str, check: impl Fn(&StatusData) -> bool) -> StatusData {
        eventually(what, || async {
            let s = self.status.snapshot();
            check(&s).then_some(s)
        })
        .await
    }

    /// Stops it and returns how it ended.
    pub async fn stop(self) -> Outcome {
        let _ = self.stop.send(true);
        self.task.await.expect("relay task").expect("relay ran")
    }
}

/// A relay configuration for tests: small batches, short waits.
pub fn relay_config(source: SourceSpec, server: &str, track: &str, spool: PathBuf) -> RelayConfig {
    RelayConfig {
        source,
        ingest_url: format!("{server}/api/ingest/batch"),
        server_base: server.to_owned(),
        track: track.to_owned(),
        credentials: None,
        spool_dir: spool,
        client_id: None,
        client_secret: None,
        batch: 100,
        linger: Duration::from_millis(5),
        spool_limit: 64 << 20,
        segment_bytes: 64 << 10,
        silence: Duration::from_secs(30),
        backoff_max: Duration::from_millis(200),
    }
}

/// The frames of a simulated club race, and the envelope payload each becomes.
pub fn race_frames(seed: u64) -> (checkered_sim::Simulation, Vec<Vec<u8>>) {
    let sim = checkered_sim::simulate(&checkered_sim::RaceSpec::club_race(seed));
    let frames = checkered_sim::p3out::p3_stream(&sim.readings, &checkered_sim::Line::ALL, 1)
        .into_iter()
        .map(|f| f.wire)
        .collect();
    (sim, frames)
}

/// The payload a relay forwards for a P3 frame.
pub fn payload_of(wire: &[u8]) -> Value {
    let decoded = p3::decode_all(wire);
    let Some(Ok(d)) = decoded.first() else {
        panic!("not a frame: {decoded:?}")
    };
    serde_json::to_value(&d.frame).expect("json")
}

/// Posts the simulation's entry list as race control, before the first passing.
pub async fn post_entries(server: &Server, track: &str, sim: &checkered_sim::Simulation) {
    let entries: Vec<Value> = sim
        .entries
        .iter()
        .map(|e| json!({"number": e.number, "name": e.name, "class": e.class, "transponders": [e.transponder.to_string()]}))
        .collect();
    let at = sim.readings.first().map_or(0, |r| r.at_us) - 1_000_000;
    server
        .post(
            &format!("/api/v1/tracks/{track}/control"),
            &json!({"intent": {"type": "set_entries", "entries": entries}, "at_us": at}),
        )
        .await;
}
