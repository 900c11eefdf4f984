//! What the relay tests share: the real server in-process (stoppable and restartable on the
//! same port and data), a P3 decoder emulator on a real socket that answers RESEND and
//! GET_TIME, an in-process relay, and waits on conditions with a deadline.

use checkered::relay::config::{RelayConfig, SourceSpec};
use checkered::relay::status::{Status, StatusData};
use checkered::relay::{Outcome, RelayError};

use checkered_engine::{LoopRole, SessionKind, TimingLoop, TrackConfig};
use checkered_protocol::p3::{self, Frame, GetTime, Record};
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::net::tcp::OwnedWriteHalf;
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
        let config = ServerConfig {
            listen: addr,
            data_dir: data.to_owned(),
            ingest_token: token.map(str::to_owned),
            ..ServerConfig::default()
        };
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
        batch: 100,
        linger: Duration::from_millis(5),
        spool_limit: 64 << 20,
        segment_bytes: 64 << 10,
        silence: Duration::from_secs(30),
        backoff_max: Duration::from_millis(200),
    }
}

/// A P3 decoder on a real socket: the test writes frames to whoever is connected; the
/// emulator answers RESEND from the passings it was told about, and GET_TIME if asked to.
pub struct Emulator {
    /// Where it listens.
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

/// Passing frames by decoder id and passing number.
type Library = HashMap<(Option<u32>, u32), Vec<u8>>;

#[derive(Default)]
struct Inner {
    writer: tokio::sync::Mutex<Option<OwnedWriteHalf>>,
    connections: Mutex<u64>,
    resends: Mutex<Vec<(u32, u32)>>,
    passings: Mutex<Library>,
    clock_offset_us: Mutex<Option<i64>>,
}

impl Emulator {
    /// Listens on a free port.
    pub async fn start() -> Emulator {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let inner = Arc::new(Inner::default());
        let accept = inner.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (rd, wr) = stream.into_split();
                *accept.writer.lock().await = Some(wr);
                *accept.connections.lock().expect("lock") += 1;
                tokio::spawn(commands(rd, accept.clone()));
            }
        });
        Emulator { addr, inner }
    }

    /// Answers GET_TIME with a decoder clock this far from the real one.
    pub fn answer_clock(&self, offset_us: i64) {
        *self.inner.clock_offset_us.lock().expect("lock") = Some(offset_us);
    }

    /// Remembers passing frames so RESEND can be answered.
    pub fn know(&self, frames: &[Vec<u8>]) {
        let mut map = self.inner.passings.lock().expect("lock");
        for wire in frames {
            if let Some(Ok(d)) = p3::decode_all(wire).first()
                && let Record::Passing(p) = &d.frame.record
                && let Some(n) = p.passing_number
            {
                map.insert((p.decoder_id, n), wire.clone());
            }
        }
    }

    /// Waits until `n` connections were accepted in all.
    pub async fn connected(&self, n: u64) {
        eventually(&format!("connection {n} from the relay"), || async {
            (*self.inner.connections.lock().expect("lock") >= n).then_some(())
        })
        .await;
    }

    /// Writes to the connected relay.
    pub async fn write(&self, bytes: &[u8]) {
        let mut writer = self.inner.writer.lock().await;
        let w = writer.as_mut().expect("a relay is connected");
        w.write_all(bytes).await.expect("write to the relay");
    }

    /// Closes the connection (as a decoder reboot or a cable pull would).
    pub async fn hang_up(&self) {
        if let Some(mut w) = self.inner.writer.lock().await.take() {
            let _ = w.shutdown().await;
        }
    }

    /// The RESEND ranges received.
    pub fn resends(&self) -> Vec<(u32, u32)> {
        self.inner.resends.lock().expect("lock").clone()
    }
}

/// Reads commands from the relay and answers them.
async fn commands(mut rd: tokio::net::tcp::OwnedReadHalf, inner: Arc<Inner>) {
    let mut framer = p3::Framer::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = rd.read(&mut buf).await {
        if n == 0 {
            return;
        }
        framer.push(&buf[..n]);
        while let Some(Ok(d)) = framer.next_frame() {
            let answer = answer(&d.frame.record, &inner);
            if !answer.is_empty()
                && let Some(w) = inner.writer.lock().await.as_mut()
            {
                let _ = w.write_all(&answer).await;
            }
        }
    }
}

fn answer(record: &Record, inner: &Inner) -> Vec<u8> {
    let mut out = Vec::new();
    match record {
        Record::Resend(r) => {
            let (Some(from), Some(until)) = (r.from, r.until) else {
                return out;
            };
            inner.resends.lock().expect("lock").push((from, until));
            let map = inner.passings.lock().expect("lock");
            for n in from..=until {
                if let Some(wire) = map.get(&(r.decoder_id, n)) {
                    out.extend_from_slice(wire);
                }
            }
        }
        Record::GetTime(_) => {
            if let Some(offset) = *inner.clock_offset_us.lock().expect("lock") {
                let now = checkered::relay::now_us() + offset;
                let reply = GetTime {
                    rtc_time_us: u64::try_from(now).ok(),
                    ..GetTime::default()
                };
                p3::encode(&Frame::new(Record::GetTime(reply)), &mut out);
            }
        }
        _ => {}
    }
    out
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
