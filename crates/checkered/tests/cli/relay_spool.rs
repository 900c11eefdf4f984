//! The spool at its size limit: with the server away, the relay spools up to the limit,
//! raises the alarm and stops reading from the decoder; nothing is dropped, and once the
//! server is back every event arrives once, in order.

use crate::relay_support::*;
use checkered::relay::config::SourceSpec;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_limit_the_relay_stops_reading_and_drops_nothing() {
    // Arrange: a server that is down (stopped; its port free), a relay with a 16 KiB spool.
    let data = tempfile::tempdir().expect("data");
    let spool = tempfile::tempdir().expect("spool");
    let server = Server::start(data.path(), "127.0.0.1:0".parse().expect("addr")).await;
    create_track(
        &server,
        "full",
        serde_json::to_value(sim_track("full")).expect("config"),
    )
    .await;
    let addr = server.addr;
    let base = server.base.clone();
    server.stop().await;
    let (_, frames) = race_frames(5);
    let decoder = Emulator::start().await;
    let limit = 16 * 1024;
    let mut config = relay_config(
        SourceSpec::P3 {
            addr: decoder.addr.to_string(),
        },
        &base,
        "full",
        spool.path().to_owned(),
    );
    config.spool_limit = limit;
    config.segment_bytes = 4096;
    let relay = RelayRun::start(config);
    decoder.connected(1).await;

    // Act: the decoder sends the whole race while nobody acknowledges anything.
    let writer = {
        let wire = frames.concat();
        let decoder = std::sync::Arc::new(decoder);
        let d = decoder.clone();
        (tokio::spawn(async move { d.write(&wire).await }), decoder)
    };
    let full = relay.wait("the spool to fill", |s| s.spool_full).await;

    // Assert: bounded by the limit, reading stopped well before the end of the race.
    assert!(
        full.spooled_bytes <= limit,
        "{} bytes spooled",
        full.spooled_bytes
    );
    assert!(
        full.read < frames.len() as u64 / 4,
        "read {} of {}",
        full.read,
        frames.len()
    );
    let on_disk: u64 = std::fs::read_dir(spool.path())
        .expect("spool dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("segment-"))
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    assert!(
        on_disk <= limit + 4096 + 512,
        "{on_disk} bytes of segments on disk"
    );
    let still = relay.status.snapshot();
    assert_eq!(
        still.read, full.read,
        "nothing more is read while the spool is full"
    );

    // Act: the server returns on the same port.
    let server = Server::start(data.path(), addr).await;
    let raw = server.wait_raw("full", frames.len()).await;
    let (writer, _decoder) = writer;
    writer
        .await
        .expect("the decoder wrote everything once the relay read again");

    // Assert: everything, once, in order; the alarm is over.
    let got: Vec<Value> = raw.iter().map(|e| e["payload"].clone()).collect();
    let want: Vec<Value> = frames.iter().map(|f| payload_of(f)).collect();
    assert!(got == want, "events lost, doubled or reordered");
    let done = relay.wait("drained", |s| s.spooled == 0).await;
    assert!(!done.spool_full);
    relay.stop().await;
    server.stop().await;
}
