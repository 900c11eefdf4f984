//! The real `checkered relay` binary killed with SIGKILL at random moments, many times
//! over, then run to its end: the server holds every message of the capture once, in
//! order, exactly as a run that was never killed delivers it.

use crate::helpers::data;
use crate::relay_support::*;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CAPTURE: &str = "rmonitor/redmist-TestGap.log";
const KILLS: usize = 25;

/// The capture spans 9 min 15 s: at 100 times its pace a run takes about 5.5 s, so a kill
/// a few tens of milliseconds after a run's first delivery always lands mid-delivery,
/// however loaded the machine (at `speed=max` a run could deliver the whole capture
/// before the test got to kill it, and the test then failed for want of a split).
const PACE: u32 = 100;

fn relay(base: &str, track: &str, spool: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_checkered"))
        .args(["relay", "--source"])
        .arg(format!("file://{}?speed={PACE}", data(CAPTURE)))
        .args([
            "--ingest", base, "--track", track, "--batch", "20", "--linger", "0",
        ])
        .arg("--spool")
        .arg(spool)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn checkered relay")
}

/// What identifies a message's content and capture time, whoever sent it.
fn content(raw: &[Value]) -> Vec<(Value, Value, Value)> {
    raw.iter()
        .map(|e| {
            (
                e["message_type"].clone(),
                e["captured_at_us"].clone(),
                e["payload"].clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_and_doubles_nothing() {
    // Arrange: the real server; a reference run that is never killed.
    let data_dir = tempfile::tempdir().expect("data");
    let server = Server::start(data_dir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    for track in ["clean", "killed"] {
        create_track(&server, track, serde_json::json!({"track_id": track})).await;
    }
    let clean_spool = tempfile::tempdir().expect("spool");
    let status = relay(&server.base, "clean", clean_spool.path())
        .wait()
        .expect("clean run");
    assert!(status.success());
    let clean = server.raw("clean").await;
    assert!(clean.len() > 2000);

    // Act: start, kill at a random instant, start again on the same spool, …
    let seed = fastrand::u64(..);
    let mut rng = fastrand::Rng::with_seed(seed);
    let spool = tempfile::tempdir().expect("spool");
    let mut mid_delivery = 0;
    let mut stored = 0;
    for _ in 0..KILLS {
        let mut child = relay(&server.base, "killed", spool.path());
        // Let each run get somewhere, then kill it at a random instant after that.
        let before = stored;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !matches!(child.try_wait(), Ok(Some(_)))
            && !server.has_raw_after("killed", before).await
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the relay made no progress"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(0..40))).await;
        let running = child.try_wait().expect("try_wait").is_none();
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        stored = server.raw("killed").await.len();
        if running && stored < clean.len() {
            mid_delivery += 1;
        }
        if stored >= clean.len() {
            break;
        }
    }
    let status = relay(&server.base, "killed", spool.path())
        .wait()
        .expect("last run");

    // Assert: the last run completes, and the server holds exactly the clean run's
    // messages, in the same order, each under one idempotency key.
    assert!(status.success(), "seed {seed}: the last run failed");
    assert!(
        mid_delivery >= 3,
        "seed {seed}: only {mid_delivery} kills landed mid-delivery"
    );
    let killed = server.raw("killed").await;
    assert_eq!(
        killed.len(),
        clean.len(),
        "seed {seed}: events lost or doubled"
    );
    assert!(
        content(&killed) == content(&clean),
        "seed {seed}: the content or order differs"
    );
    let keys: HashSet<(String, u64)> = killed
        .iter()
        .map(|e| {
            (
                e["boot_id"].as_str().unwrap_or("").to_owned(),
                e["seq"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(keys.len(), killed.len());
    let boots: HashSet<&str> = killed
        .iter()
        .filter_map(|e| e["boot_id"].as_str())
        .collect();
    assert!(
        boots.len() > 1,
        "seed {seed}: the kills never split the file across boots"
    );
    server.stop().await;
}
