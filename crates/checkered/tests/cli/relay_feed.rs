//! An RMonitor results feed on a real socket: good lines are forwarded as sent, a line
//! that does not decode is counted and skipped, and a feed that falls silent is dropped
//! and reconnected.

use crate::helpers::data;
use crate::relay_support::*;
use checkered::relay::config::SourceSpec;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_lines_are_forwarded_as_sent_and_bad_ones_skipped() {
    // Arrange: the Orbits mock session as a live feed, with one garbled line in it.
    let dir = tempfile::tempdir().expect("data");
    let spool = tempfile::tempdir().expect("spool");
    let server = Server::start(dir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    create_track(&server, "feed", serde_json::json!({"track_id": "feed"})).await;
    let text = std::fs::read(data("rmonitor/orbits-mock-session.txt")).expect("capture");
    let lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii_end)
        .filter(|l| !l.is_empty())
        .collect();
    let feed = Emulator::start().await;
    let mut config = relay_config(
        SourceSpec::Rmonitor {
            addr: feed.addr.to_string(),
        },
        &server.base,
        "feed",
        spool.path().to_owned(),
    );
    config.silence = Duration::from_millis(500);
    let relay = RelayRun::start(config);
    feed.connected(1).await;

    // Act: half the lines, a garbled one, the rest; then silence.
    let half = lines.len() / 2;
    let mut wire = Vec::new();
    for l in &lines[..half] {
        wire.extend_from_slice(l);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"$G,not a position,\"12\r\n");
    for l in &lines[half..] {
        wire.extend_from_slice(l);
        wire.extend_from_slice(b"\r\n");
    }
    feed.write(&wire).await;
    let raw = server.wait_raw("feed", lines.len()).await;

    // Assert: each line exactly as sent, in order; the garbled one counted, not sent;
    // the silent feed is dropped and dialled again.
    let got: Vec<String> = raw
        .iter()
        .map(|e| e["payload"]["line"].as_str().unwrap_or("").to_owned())
        .collect();
    let want: Vec<String> = lines
        .iter()
        .map(|l| checkered_protocol::cp1252::decode(l))
        .collect();
    assert_eq!(got, want);
    assert!(raw.iter().all(|e| e["message_type"] == "RMONITOR"));
    feed.connected(2).await;
    let state = relay.wait("all acknowledged", |s| s.spooled == 0).await;
    assert_eq!(state.bad_frames, 1);
    relay.stop().await;
    server.stop().await;
}
