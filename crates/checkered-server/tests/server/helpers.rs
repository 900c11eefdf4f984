//! A real server on port 0 with a temporary data directory, and builders for the
//! envelopes a relay would send.

use checkered_engine::{ControlIntent, EntrySpec, LoopRole, SessionKind, TimingLoop, TrackConfig};
use checkered_protocol::contract::{CONTRACT_VERSION, Envelope};
use checkered_protocol::p3::decode_all;
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use checkered_sim::p3out::p3_stream;
use checkered_sim::{Line, RaceSpec, Simulation, simulate};
use checkered_store::EventLog;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long a test waits for a condition before failing.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A running server.
pub struct Server {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub base: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// Its data directory (kept for restarts).
    pub data: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts a server on a fresh temporary data directory.
    pub async fn start() -> Server {
        Self::start_with(|_| {}).await
    }

    /// Starts a server, letting the caller adjust its configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = Self::start_in(dir.path().to_owned(), adjust).await;
        server._dir = Some(dir);
        server
    }

    /// Starts a server on an existing data directory.
    pub async fn start_in(data: PathBuf, adjust: impl FnOnce(&mut ServerConfig)) -> Server {
        Self::start_on(data, None, adjust).await
    }

    /// Starts a server on a fresh data directory (read models) and the given event log
    /// (the cluster backend's).
    pub async fn start_on_log(log: Arc<dyn EventLog>) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = Self::start_on(dir.path().to_owned(), Some(log), |_| {}).await;
        server._dir = Some(dir);
        server
    }

    async fn start_on(
        data: PathBuf,
        log: Option<Arc<dyn EventLog>>,
        adjust: impl FnOnce(&mut ServerConfig),
    ) -> Server {
        let mut config = ServerConfig {
            listen: "127.0.0.1:0".parse().expect("addr"),
            data_dir: data.clone(),
            ..ServerConfig::default()
        };
        // Tests of the pipeline run as the embedded single-user server; the `auth` tests
        // switch authorisation back on. Hashing is cheap in every test.
        config.auth.enabled = false;
        config.auth.argon2_memory_kib = 64;
        config.auth.argon2_iterations = 1;
        adjust(&mut config);
        let app = match log {
            None => Application::build(config).await,
            Some(log) => Application::build_with_log(config, log, None).await,
        };
        let app = app.expect("server builds");
        let addr = app.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        Server {
            base: format!("http://{addr}"),
            addr,
            data,
            stop: Some(tx),
            task: Some(task),
            _dir: None,
        }
    }

    /// Stops the server gracefully and waits for it; returns the data directory guard.
    pub async fn stop(mut self) -> Option<tempfile::TempDir> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
        self._dir.take()
    }

    /// `GET base+path` as JSON, with the status.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = reqwest::get(format!("{}{path}", self.base))
            .await
            .expect("request");
        let status = response.status().as_u16();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// `POST base+path` with a JSON body, with the status, content type and body.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, String, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, content_type, body)
    }

    /// Sends `method base+path` with an optional body of `content_type`; returns the
    /// status, content type and body text.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<(&str, String)>,
    ) -> (u16, String, String) {
        let mut request = reqwest::Client::new().request(method, format!("{}{path}", self.base));
        if let Some((content_type, text)) = body {
            request = request.header("content-type", content_type).body(text);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type, response.text().await.expect("body"))
    }

    /// `GET base+path`: status, content type, body.
    pub async fn get_full(&self, path: &str) -> (u16, String, Value) {
        parsed(self.send(reqwest::Method::GET, path, None).await)
    }

    /// `PUT base+path` with a JSON body: status, content type, body.
    pub async fn put(&self, path: &str, body: &Value) -> (u16, String, Value) {
        parsed(
            self.send(
                reqwest::Method::PUT,
                path,
                Some(("application/json", body.to_string())),
            )
            .await,
        )
    }

    /// `DELETE base+path`: status, content type, body.
    pub async fn delete(&self, path: &str) -> (u16, String, Value) {
        parsed(self.send(reqwest::Method::DELETE, path, None).await)
    }

    /// `POST base+path` with a CSV body: status, content type, body.
    pub async fn post_csv(&self, path: &str, csv: &str) -> (u16, String, Value) {
        parsed(
            self.send(
                reqwest::Method::POST,
                path,
                Some(("text/csv", csv.to_owned())),
            )
            .await,
        )
    }

    /// Waits until the track's engine has applied every appended raw event and published
    /// everything it derived; returns the board.
    pub async fn wait_idle(&self, track: &str) -> Value {
        self.wait_until(track, "standings", |b| {
            b["lag"] == 0 && b["published_seq"] == b["seq"]
        })
        .await
    }

    /// Waits until the track's projections have caught up with the engine and the raw log.
    pub async fn wait_projected(&self, track: &str) -> Value {
        self.wait_idle(track).await;
        self.wait_until(track, "projections", |p| {
            p["lag"] == 0
                && p["derived_seq"] == p["published_seq"]
                && p["raw_seq"] == p["appended_raw_seq"]
        })
        .await
    }

    /// Polls `GET /api/v1/tracks/{track}/{what}` until `done` holds.
    pub async fn wait_until(
        &self,
        track: &str,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let (status, body) = self.get(&format!("/api/v1/tracks/{track}/{what}")).await;
            if status == 200 && done(&body) {
                return body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what} of {track} never settled: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Defines a track through the REST API.
    pub async fn create_track(&self, config: &TrackConfig) {
        let body = json!({"id": config.track_id, "name": config.track_id, "config": config});
        let (status, _, answer) = self.post("/api/v1/tracks", &body).await;
        assert_eq!(status, 201, "track creation failed: {answer}");
    }

    /// Ingests events, asserting the request itself succeeded; returns the answer.
    pub async fn ingest(&self, events: &[Envelope]) -> Value {
        let (status, _, answer) = self.post("/api/ingest/batch", &batch(events)).await;
        assert_eq!(status, 200, "ingest failed: {answer}");
        answer
    }

    /// Waits until the track's derived event `seq` (or a later one) is durably logged and
    /// published.
    pub async fn wait_for_seq(&self, track: &str, seq: u64) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let (status, body) = self.get(&format!("/api/v1/tracks/{track}/standings")).await;
            if status == 200 && body["published_seq"].as_u64().unwrap_or(0) >= seq {
                return body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "track {track} never reached seq {seq}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The ingest request body for some events.
pub fn batch(events: &[Envelope]) -> Value {
    json!({"contract_version": CONTRACT_VERSION, "events": events})
}

/// A track configured for the simulator's P3 decoders.
pub fn sim_track(id: &str, kind: SessionKind) -> TrackConfig {
    let mut cfg = TrackConfig::new(id);
    cfg.default_session_kind = kind;
    cfg.loops = Line::ALL
        .iter()
        .map(|&l| TimingLoop {
            id: l.id().into(),
            role: match l {
                Line::StartFinish => LoopRole::StartFinish,
                Line::PitIn => LoopRole::PitIn,
                Line::PitOut => LoopRole::PitOut,
                Line::Gate => LoopRole::Gate,
            },
            decoder_id: Some(l.decoder_id()),
        })
        .collect();
    cfg
}

/// A relay's view of one boot: numbers envelopes gap-free.
pub struct Relay {
    track: String,
    client: String,
    boot: String,
    seq: u64,
}

impl Relay {
    /// A new boot of a relay for a track.
    pub fn new(track: &str, client: &str) -> Relay {
        Relay {
            track: track.to_owned(),
            client: client.to_owned(),
            boot: ulid::Ulid::new().to_string(),
            seq: 0,
        }
    }

    /// The next envelope.
    pub fn envelope(&mut self, at_us: i64, message_type: &str, payload: Value) -> Envelope {
        self.seq += 1;
        Envelope {
            event_id: ulid::Ulid::new().to_string(),
            track_id: self.track.clone(),
            client_id: self.client.clone(),
            boot_id: self.boot.clone(),
            seq: self.seq,
            captured_at_us: at_us,
            ingested_at_us: None,
            message_type: message_type.to_owned(),
            payload,
        }
    }

    /// The race-control envelope giving the simulator's entry list.
    pub fn entries(&mut self, sim: &Simulation, at_us: i64) -> Envelope {
        let entries = sim
            .entries
            .iter()
            .map(|e| EntrySpec {
                number: e.number.clone(),
                name: e.name.clone(),
                class: Some(e.class.clone()),
                transponders: vec![e.transponder.to_string()],
                grid: None,
            })
            .collect();
        let intent = ControlIntent::SetEntries { entries };
        self.envelope(
            at_us,
            "CONTROL",
            serde_json::to_value(intent).expect("intent json"),
        )
    }

    /// Every P3 frame of a simulation, as envelopes in decoder-time order.
    pub fn p3(&mut self, sim: &Simulation) -> Vec<Envelope> {
        let mut out = Vec::new();
        for frame in p3_stream(&sim.readings, &Line::ALL, 1) {
            for decoded in decode_all(&frame.wire) {
                let frame_json = serde_json::to_value(&decoded.expect("sim frames decode").frame)
                    .expect("frame json");
                let kind = frame_json["type"].as_str().expect("type").to_owned();
                out.push(self.envelope(frame.at_us, &kind, frame_json));
            }
        }
        out
    }
}

/// A simulated club race (seeded) and its envelopes: entries first, then the P3 stream.
pub fn race(track: &str, seed: u64) -> (Simulation, Vec<Envelope>) {
    let sim = simulate(&RaceSpec::club_race(seed));
    let mut relay = Relay::new(track, "test-relay");
    let first = sim.readings.first().map_or(0, |r| r.at_us) - 1_000_000;
    let mut events = vec![relay.entries(&sim, first)];
    events.extend(relay.p3(&sim));
    (sim, events)
}

/// A `send` answer with its body parsed as JSON (`Null` when it is not JSON).
fn parsed((status, kind, text): (u16, String, String)) -> (u16, String, Value) {
    (
        status,
        kind,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}
