//! A live run and a replay of the same data give the same classification, byte for byte:
//! the RedMist TestGap race posted to the real server as RMONITOR envelopes, against
//! `checkered replay --out` of the capture.

use crate::helpers::{data, run};
use checkered::cli::InputFormat;
use checkered::replay::source::{self, Message};
use checkered_engine::TrackConfig;
use checkered_protocol::contract::{CONTRACT_VERSION, Envelope};
use checkered_protocol::{cp1252, rmonitor};
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use serde_json::json;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);
const CAPTURE: &str = "rmonitor/redmist-TestGap.log";

/// Every RMonitor line of the capture as the envelope a relay would post, timed like the
/// replay times it.
fn envelopes(track: &str) -> Vec<Envelope> {
    let bytes = std::fs::read(data(CAPTURE)).expect("read capture");
    let capture = source::read(InputFormat::RedmistLog, false, &bytes);
    let boot = ulid::Ulid::new().to_string();
    let mut out = Vec::new();
    for batch in &capture.batches {
        for message in &batch.messages {
            let Message::Rmonitor(record) = message else {
                continue;
            };
            let mut line = Vec::new();
            rmonitor::encode_line(record, &mut line);
            let text = cp1252::decode(line.trim_ascii_end());
            out.push(Envelope {
                event_id: ulid::Ulid::new().to_string(),
                track_id: track.into(),
                client_id: "replay-test".into(),
                boot_id: boot.clone(),
                seq: out.len() as u64 + 1,
                captured_at_us: batch.at_us,
                ingested_at_us: None,
                message_type: "RMONITOR".into(),
                payload: json!({ "line": text }),
            });
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_run_and_a_replay_serve_the_same_classification_bytes() {
    // Arrange: the real server on port 0 with a fresh data directory.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_owned(),
        ..ServerConfig::default()
    };
    config.auth.enabled = false;
    let app = Application::build(config).await.expect("server builds");
    let base = format!("http://{}", app.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let track = json!({"id": "road-america", "name": "Road America", "config": TrackConfig::new("road-america")});
    let created = client
        .post(format!("{base}/api/v1/tracks"))
        .json(&track)
        .send()
        .await
        .expect("post");
    assert_eq!(created.status().as_u16(), 201);
    // Act: post the capture in relay-sized batches, then read the classification.
    let events = envelopes("road-america");
    for chunk in events.chunks(200) {
        let body = json!({"contract_version": CONTRACT_VERSION, "events": chunk});
        let answer = client
            .post(format!("{base}/api/ingest/batch"))
            .json(&body)
            .send()
            .await
            .expect("ingest");
        assert_eq!(answer.status().as_u16(), 200);
    }
    let live = wait_for_applied(&client, &base, events.len()).await;
    // Assert: the replay's per-session document is exactly the live one.
    let dir_out = tempfile::tempdir().expect("temp dir");
    let out = dir_out.path().join("results.json");
    let output = run(
        &[
            "replay",
            "--format",
            "redmist-log",
            "--out",
            out.to_str().expect("path"),
            &data(CAPTURE),
        ],
        b"",
    );
    assert!(output.status.success(), "{output:?}");
    let written = std::fs::read_to_string(&out).expect("--out");
    assert_eq!(written, format!("[{live}]\n"));
    let _ = stop.send(());
    server
        .await
        .expect("server task")
        .expect("server stopped cleanly");
}

/// Polls until the track's engine applied every raw event, then returns the latest
/// session's classification body as served.
async fn wait_for_applied(client: &reqwest::Client, base: &str, raw: usize) -> String {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let standings: serde_json::Value = client
            .get(format!("{base}/api/v1/tracks/road-america/standings"))
            .send()
            .await
            .expect("standings")
            .json()
            .await
            .expect("json");
        let raw_log: serde_json::Value = client
            .get(format!(
                "{base}/api/v1/tracks/road-america/raw?after={}&limit=1",
                raw - 1
            ))
            .send()
            .await
            .expect("raw")
            .json()
            .await
            .expect("json");
        let caught_up = standings["lag"].as_u64() == Some(0)
            && standings["seq"] == standings["published_seq"]
            && raw_log
                .to_string()
                .contains(&format!("\"track_seq\":{raw}"));
        if caught_up {
            let response = client
                .get(format!(
                    "{base}/api/v1/tracks/road-america/sessions/latest/classification"
                ))
                .send()
                .await
                .expect("classification");
            assert_eq!(response.status().as_u16(), 200);
            return response.text().await.expect("body");
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never caught up: {standings}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
