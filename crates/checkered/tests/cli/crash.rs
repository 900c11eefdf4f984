//! Crash safety of `checkered serve`: SIGKILL while batches are in flight, restart on the
//! same data directory, and check that every acknowledged event is there exactly once and
//! the standings equal those of a clean run.

use checkered_engine::{ControlIntent, EntrySpec, LoopRole, SessionKind, TimingLoop, TrackConfig};
use checkered_protocol::contract::{CONTRACT_VERSION, Envelope};
use checkered_protocol::p3::decode_all;
use checkered_sim::p3out::p3_stream;
use checkered_sim::{Line, RaceSpec, simulate};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);

/// A `checkered serve` child on a free port.
pub(crate) struct Serve {
    child: Child,
    pub(crate) base: String,
}

impl Serve {
    pub(crate) fn start(data: &Path) -> Serve {
        Serve::start_with(data, &[])
    }

    /// `checkered serve` with authorisation off on a free port, plus `extra` arguments
    /// (cluster mode's, for one); returns once it printed the URL it serves.
    pub(crate) fn start_with(data: &Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_checkered"))
            .args([
                "serve",
                "--auth",
                "off",
                "--listen",
                "127.0.0.1:0",
                "--data",
            ])
            .arg(data)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn checkered serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("first line");
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Serve { child, base }
    }

    pub(crate) fn kill(mut self) {
        // SIGKILL: no shutdown hook runs, nothing is flushed on the way out.
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn config(track: &str) -> TrackConfig {
    let mut cfg = TrackConfig::new(track);
    cfg.default_session_kind = SessionKind::Race;
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

/// A simulated race as a relay would send it: entries, then every P3 frame.
pub(crate) fn envelopes(track: &str, seed: u64) -> Vec<Envelope> {
    let sim = simulate(&RaceSpec::club_race(seed));
    let boot = ulid::Ulid::new().to_string();
    let mut out = Vec::new();
    let mut push = |at_us: i64, kind: &str, payload: Value| {
        let seq = out.len() as u64 + 1;
        out.push(Envelope {
            event_id: ulid::Ulid::new().to_string(),
            track_id: track.into(),
            client_id: "crash-relay".into(),
            boot_id: boot.clone(),
            seq,
            captured_at_us: at_us,
            ingested_at_us: None,
            message_type: kind.into(),
            payload,
        });
    };
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
    let first = sim.readings.first().map_or(0, |r| r.at_us);
    push(
        first - 1_000_000,
        "CONTROL",
        serde_json::to_value(ControlIntent::SetEntries { entries }).expect("json"),
    );
    for frame in p3_stream(&sim.readings, &Line::ALL, 1) {
        for decoded in decode_all(&frame.wire) {
            let json = serde_json::to_value(&decoded.expect("decodes").frame).expect("json");
            let kind = json["type"].as_str().expect("type").to_owned();
            push(frame.at_us, &kind, json);
        }
    }
    out
}

pub(crate) async fn post(
    client: &reqwest::Client,
    base: &str,
    events: &[Envelope],
) -> Option<Value> {
    let body = json!({"contract_version": CONTRACT_VERSION, "events": events});
    let response = client
        .post(format!("{base}/api/ingest/batch"))
        .json(&body)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

pub(crate) async fn get(base: &str, path: &str) -> Value {
    reqwest::get(format!("{base}{path}"))
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

pub(crate) async fn create_track(client: &reqwest::Client, base: &str, track: &str) {
    let status = client
        .post(format!("{base}/api/v1/tracks"))
        .json(&json!({"id": track, "name": track, "config": config(track)}))
        .send()
        .await
        .expect("create")
        .status();
    assert_eq!(status.as_u16(), 201);
}

/// Waits until the engine has applied every raw event and published everything.
pub(crate) async fn settled_standings(base: &str, track: &str, raw_events: u64) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let board = get(base, &format!("/api/v1/tracks/{track}/standings")).await;
        let raw = get(
            base,
            &format!(
                "/api/v1/tracks/{track}/raw?after={}&limit=1",
                raw_events.saturating_sub(1)
            ),
        )
        .await;
        let all_in = raw["next_after"].as_u64() == Some(raw_events);
        if all_in && board["lag"] == 0 && board["published_seq"] == board["seq"] {
            return board["standings"].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never settled: {board}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const TRACKS: [&str; 2] = ["crash-a", "crash-b"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_in_flight_loses_no_acknowledged_event() {
    let streams: Vec<Vec<Envelope>> = TRACKS
        .iter()
        .enumerate()
        .map(|(i, t)| envelopes(t, 40 + i as u64))
        .collect();
    let total: usize = streams.iter().map(Vec::len).sum();
    let client = reqwest::Client::new();
    let dir = tempfile::tempdir().expect("dir");

    let server = Serve::start(dir.path());
    for track in TRACKS {
        create_track(&client, &server.base, track).await;
    }
    // One relay per track, each posting its stream in order, both at once; the server is
    // killed while batches are in flight.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(HashSet::<(String, u64)>::new()));
    let tasks: Vec<_> = streams
        .iter()
        .map(|stream| {
            let client = client.clone();
            let base = server.base.clone();
            let acked = acked.clone();
            let stream = stream.clone();
            tokio::spawn(async move {
                for chunk in stream.chunks(20) {
                    match post(&client, &base, chunk).await {
                        Some(answer) => {
                            assert_eq!(answer["rejected"], json!([]));
                            let mut acked = acked.lock().expect("lock");
                            acked.extend(chunk.iter().map(|e| (e.track_id.clone(), e.seq)));
                        }
                        None => return, // the server died under us
                    }
                }
            })
        })
        .collect();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while acked.lock().expect("lock").len() < total / 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "ingest too slow to test"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    for task in tasks {
        let _ = task.await;
    }
    let acked: HashSet<(String, u64)> = acked.lock().expect("lock").clone();
    assert!(
        !acked.is_empty() && acked.len() < total,
        "the kill must land mid-run"
    );

    // Restart on the same directory: every acknowledged event is there, exactly once.
    let server = Serve::start(dir.path());
    let mut stored = Vec::new();
    for track in TRACKS {
        let mut after = 0;
        loop {
            let page = get(
                &server.base,
                &format!("/api/v1/tracks/{track}/raw?after={after}&limit=1000"),
            )
            .await;
            let rows = page["events"].as_array().expect("events").clone();
            if rows.is_empty() {
                break;
            }
            after = page["next_after"].as_u64().expect("next");
            stored.extend(rows.iter().map(|r| {
                let e = &r["envelope"];
                (
                    e["track_id"].as_str().expect("track").to_owned(),
                    e["seq"].as_u64().expect("seq"),
                )
            }));
        }
    }
    let unique: HashSet<(String, u64)> = stored.iter().cloned().collect();
    assert_eq!(unique.len(), stored.len(), "an event is stored twice");
    assert!(acked.is_subset(&unique), "an acknowledged event was lost");

    // Each relay sends its whole stream again (it never saw some answers), in order.
    for stream in &streams {
        for chunk in stream.chunks(500) {
            let answer = post(&client, &server.base, chunk)
                .await
                .expect("ingest after restart");
            assert_eq!(answer["rejected"], json!([]));
        }
    }
    let mut recovered = Vec::new();
    for (track, stream) in TRACKS.iter().zip(&streams) {
        let board = settled_standings(&server.base, track, stream.len() as u64).await;
        let log = get(
            &server.base,
            &format!("/api/v1/tracks/{track}/events/log?after=0&limit=5000"),
        )
        .await;
        recovered.push((board, log));
    }
    drop(server);

    // A clean run of the same streams.
    let clean_dir = tempfile::tempdir().expect("dir");
    let clean = Serve::start(clean_dir.path());
    for (i, track) in TRACKS.iter().enumerate() {
        create_track(&client, &clean.base, track).await;
        for chunk in streams[i].chunks(500) {
            post(&client, &clean.base, chunk).await.expect("ingest");
        }
        let board = settled_standings(&clean.base, track, streams[i].len() as u64).await;
        let log = get(
            &clean.base,
            &format!("/api/v1/tracks/{track}/events/log?after=0&limit=5000"),
        )
        .await;
        assert_eq!(
            recovered[i].0, board,
            "{track}: standings differ from a clean run"
        );
        assert_eq!(
            recovered[i].1["events"].as_array().map(Vec::len),
            log["events"].as_array().map(Vec::len),
            "{track}: derived event counts differ (a duplicate or a gap)"
        );
        assert!(
            recovered[i].1 == log,
            "{track}: derived events differ from a clean run"
        );
    }
}
