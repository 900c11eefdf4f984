//! `checkered relay --source file://…` on the real binary: a capture replayed into the
//! real server scores exactly as `checkered replay` scores it, and the exit status says
//! whether every event was acknowledged.

use crate::helpers::{data, json_lines};
use crate::relay_support::*;
use std::process::{Command, Output};

fn relay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_checkered"))
        .arg("relay")
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("CHECKERED_INGEST_TOKEN")
        .output()
        .expect("run checkered relay")
}

fn file(capture: &str, query: &str) -> String {
    format!("file://{}{query}", data(capture))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_capture_scores_exactly_like_a_replay() {
    // Arrange
    let dir = tempfile::tempdir().expect("data");
    let server = Server::start(dir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    create_track(
        &server,
        "road-america",
        serde_json::json!({"track_id": "road-america"}),
    )
    .await;
    let spool = tempfile::tempdir().expect("spool");
    let source = file("rmonitor/redmist-TestGap.log", "?speed=max");

    // Act
    let out = relay(&[
        "--source",
        &source,
        "--ingest",
        &server.base,
        "--track",
        "road-america",
        "--spool",
        spool.path().to_str().expect("path"),
    ]);

    // Assert: exit 0 with a summary; the server's classification is the replay's.
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = &json_lines(&out.stdout)[0];
    assert_eq!(summary["spooled"], 0);
    assert_eq!(summary["sent"], summary["read"]);
    assert_eq!(summary["accepted"], summary["read"]);
    server.settled_standings("road-america").await;
    let live = reqwest::get(format!(
        "{}/api/v1/tracks/road-america/sessions/latest/classification",
        server.base
    ))
    .await
    .expect("get")
    .text()
    .await
    .expect("body");
    let results = spool.path().join("results.json");
    let replay = Command::new(env!("CARGO_BIN_EXE_checkered"))
        .args(["replay", "--format", "redmist-log", "--out"])
        .arg(&results)
        .arg(data("rmonitor/redmist-TestGap.log"))
        .output()
        .expect("replay");
    assert!(replay.status.success());
    assert_eq!(
        std::fs::read_to_string(&results).expect("results"),
        format!("[{live}]\n")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_p3_capture_forwards_its_good_frames_and_counts_the_bad_one() {
    let dir = tempfile::tempdir().expect("data");
    let server = Server::start(dir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    create_track(&server, "kart", serde_json::json!({"track_id": "kart"})).await;
    let spool = tempfile::tempdir().expect("spool");
    let source = file("p3/kart-decoder-2022-05-01.log", "?speed=max");
    let out = relay(&[
        "--source",
        &source,
        "--ingest",
        &server.base,
        "--track",
        "kart",
        "--spool",
        spool.path().to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = &json_lines(&out.stdout)[0];
    assert_eq!(summary["read"], 66, "{summary}");
    assert_eq!(summary["bad_frames"], 1, "{summary}");
    let raw = server.wait_raw("kart", 66).await;
    assert_eq!(
        raw.iter()
            .filter(|e| e["message_type"] == "PASSING")
            .count(),
        45
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_track_or_a_wrong_token_fails_with_the_reason() {
    let dir = tempfile::tempdir().expect("data");
    let server = Server::start_with_token(
        dir.path(),
        "127.0.0.1:0".parse().expect("addr"),
        Some("s3cret"),
    )
    .await;
    create_track(&server, "known", serde_json::json!({"track_id": "known"})).await;
    let source = file("rmonitor/orbits-mock-session.txt", "?speed=max");
    let spool = tempfile::tempdir().expect("spool");
    let spool = spool.path().to_str().expect("path");

    let other_spool = tempfile::tempdir().expect("spool");
    let other_spool = other_spool.path().to_str().expect("path");
    let unknown = relay(&[
        "--source",
        &source,
        "--ingest",
        &server.base,
        "--track",
        "nowhere",
        "--spool",
        other_spool,
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("track \"nowhere\" does not exist on the server"),
        "{stderr}"
    );

    let refused = relay(&[
        "--source",
        &source,
        "--ingest",
        &server.base,
        "--track",
        "known",
        "--spool",
        spool,
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("401"), "{stderr}");
    assert!(server.raw("known").await.is_empty());

    // The events refused meanwhile stayed in the spool: with the token they all arrive, once.
    let ok = relay(&[
        "--source",
        &source,
        "--ingest",
        &server.base,
        "--track",
        "known",
        "--spool",
        spool,
        "--credentials",
        "s3cret",
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let raw = server.raw("known").await;
    assert_eq!(raw.len(), 584, "the mock session's 584 lines, once");
    let seqs: Vec<u64> = raw.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1] || w[1] == 1),
        "in order within each boot"
    );
    server.stop().await;
}

#[test]
fn a_bad_source_url_is_refused_before_anything_starts() {
    let out = relay(&[
        "--source",
        "tcp://decoder:5403",
        "--ingest",
        "http://127.0.0.1:9",
        "--track",
        "t",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("must be p3://HOST:PORT"), "{stderr}");
}
