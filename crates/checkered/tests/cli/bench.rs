//! `checkered bench`: each scenario in a short smoke run on the real binary (which starts
//! its own `checkered serve` child). Asserts the JSON shape, that nothing was lost and
//! that the counts agree; never a timing threshold.

use crate::helpers::{data, run};
use serde_json::Value;

/// Runs `checkered bench ARGS`, asserts success and exactly one JSON line on stdout.
fn bench(args: &[&str]) -> Value {
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    let out = run(&all, b"");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bench {args:?} failed: {stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one JSON line on stdout, got: {stdout}");
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn number(report: &Value, key: &str) -> f64 {
    report[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {report}"))
}

fn assert_percentiles(report: &Value, prefix: &str) {
    let p: Vec<f64> = ["p50_ms", "p95_ms", "p99_ms", "max_ms"]
        .iter()
        .filter(|k| prefix.is_empty() || !k.starts_with("p95") && !k.starts_with("max"))
        .map(|k| number(report, &format!("{prefix}{k}")))
        .collect();
    assert!(
        p.windows(2).all(|w| w[0] <= w[1]),
        "percentiles in order: {report}"
    );
}

/// Whether a service is required (CI) rather than optional.
fn required() -> bool {
    std::env::var("CHECKERED_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

#[test]
fn bench_replay_counts_a_capture_through_the_engine() {
    let file = data("rmonitor/redmist-TestGap.log");
    let report = bench(&["replay", "--duration", "0.2", &file]);
    assert_eq!(report["scenario"], "replay");
    assert_eq!(report["format"], "RedmistLog");
    assert!(number(&report, "inputs") > 1000.0, "{report}");
    assert!(number(&report, "rounds") >= 1.0);
    assert!(number(&report, "events_per_s") > 0.0);
    assert!(number(&report, "derived_events") > 0.0);
}

#[test]
fn bench_replay_of_a_missing_file_fails_cleanly() {
    let out = run(&["bench", "replay", "/nonexistent/capture.log"], b"");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn bench_e2e_delivers_every_derived_event_to_every_client() {
    let report = bench(&[
        "e2e",
        "--tracks",
        "2",
        "--rate",
        "20",
        "--clients",
        "6",
        "--duration",
        "2",
    ]);
    for key in [
        "tracks",
        "clients",
        "raw_events",
        "delivered",
        "lost",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "max_ms",
        "server_rss_mb",
        "server_cpu_pct",
    ] {
        assert!(
            report.get(key).is_some_and(Value::is_number),
            "{key} missing: {report}"
        );
    }
    assert_eq!(report["lost"], 0, "{report}");
    assert_eq!(
        report["untimed"], 0,
        "every live event names its capture time: {report}"
    );
    assert!(number(&report, "raw_events") > 0.0, "{report}");
    let derived = number(&report, "derived");
    assert!(derived > 0.0, "{report}");
    // Three clients per track, each gets every event its track published.
    assert_eq!(number(&report, "delivered"), derived * 3.0, "{report}");
    assert_percentiles(&report, "");
    assert!(number(&report, "server_rss_mb") > 0.0);
}

#[test]
fn bench_e2e_refuses_what_it_cannot_run() {
    let out = run(
        &["bench", "e2e", "--backend", "cluster", "--duration", "1"],
        b"",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cluster"));
    let out = run(&["bench", "e2e", "--clients", "0"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("positive"));
}

#[test]
fn bench_ingest_reports_durable_throughput_and_the_nats_peer() {
    let nats = std::net::TcpStream::connect("127.0.0.1:4222").is_ok();
    if !nats {
        assert!(
            !required(),
            "NATS is required (CHECKERED_REQUIRE_SERVICES=1) but not on 127.0.0.1:4222"
        );
        eprintln!("skipping the NATS peer: nothing listens on 127.0.0.1:4222");
    }
    let url = if nats {
        "nats://127.0.0.1:4222"
    } else {
        "none"
    };
    let report = bench(&[
        "ingest",
        "--batch",
        "50",
        "--duration",
        "1",
        "--connections",
        "2",
        "--nats",
        url,
    ]);
    assert_eq!(report["scenario"], "ingest");
    assert!(number(&report, "events") >= 100.0, "{report}");
    assert_eq!(
        number(&report, "events") % 50.0,
        0.0,
        "whole batches: {report}"
    );
    assert!(number(&report, "events_per_s") > 0.0);
    assert!(number(&report, "requests") >= 2.0);
    assert_percentiles(&report, "");
    if nats {
        assert!(number(&report, "peer_nats_events_per_s") > 0.0, "{report}");
        assert!(number(&report, "ratio_vs_nats") > 0.0, "{report}");
    } else {
        assert!(report["peer_nats_skipped"].is_string(), "{report}");
    }
}

#[test]
fn bench_fanout_reports_rate_memory_and_the_socketio_peer() {
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node {
        assert!(
            !required(),
            "node is required (CHECKERED_REQUIRE_SERVICES=1) but missing"
        );
        eprintln!("skipping the Socket.IO peer: node is not installed");
    }
    let mut args = vec![
        "fanout",
        "--clients",
        "20",
        "--rate",
        "20",
        "--duration",
        "2",
    ];
    if !node {
        args.push("--no-peer");
    }
    let report = bench(&args);
    assert_eq!(report["scenario"], "fanout");
    assert_eq!(report["lost"], 0, "{report}");
    assert_eq!(
        number(&report, "delivered"),
        number(&report, "derived") * 20.0,
        "{report}"
    );
    assert!(number(&report, "msgs_per_s") > 0.0);
    assert!(number(&report, "per_connection_kib") >= 0.0);
    assert_percentiles(&report, "");
    if node {
        assert!(report.get("peer_socketio_skipped").is_none(), "{report}");
        assert_eq!(report["peer_socketio_lost"], 0, "{report}");
        assert!(number(&report, "peer_socketio_delivered") > 0.0, "{report}");
        assert!(number(&report, "ratio_msgs_per_s") > 0.0, "{report}");
        assert_percentiles(&report, "peer_socketio_");
    }
}
