//! Crash safety: a child process appends in a loop and prints every acknowledged key; the
//! parent SIGKILLs it mid-stream, reopens the log, and checks that every acknowledged event
//! is there exactly once and every track's sequence is gap-free.
//!
//! The child is this same test binary, re-run with `--exact crash_child --ignored`.

use checkered_store::conformance::{T0, envelope, read_all_raw};
use checkered_store::{AppendOutcome, EventLog, SqliteLog, SqliteOptions};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const DIR_ENV: &str = "CHECKERED_STORE_CRASH_DIR";
const TRACKS: [&str; 3] = ["daytona", "sebring", "laguna"];
const ACKS_BEFORE_KILL: usize = 400;

/// The child: 8 appenders send batches of 5 forever, printing `ACK <key>` once durable.
#[test]
#[ignore = "run by kill_9_loses_no_acknowledged_append as its child process"]
fn crash_child() {
    let Some(dir) = std::env::var_os(DIR_ENV) else {
        return; // run by hand without the parent: nothing to do
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let log =
            SqliteLog::open(std::path::Path::new(&dir), SqliteOptions::default()).expect("open");
        let mut tasks = Vec::new();
        for writer in 0..8usize {
            let log = log.clone();
            tasks.push(tokio::spawn(
                async move { append_forever(&log, writer).await },
            ));
        }
        for task in tasks {
            task.await.expect("writer");
        }
    });
}

async fn append_forever(log: &SqliteLog, writer: usize) {
    let client = format!("w{writer}");
    for round in 0u64.. {
        let batch: Vec<_> = (1..=5u64)
            .map(|i| {
                let track = TRACKS[usize::try_from(round + i).unwrap_or(0) % TRACKS.len()];
                envelope(track, &client, "b1", round * 5 + i)
            })
            .collect();
        log.append_raw(batch.clone(), T0).await.expect("append");
        let mut out = std::io::stdout().lock();
        for event in &batch {
            writeln!(out, "ACK {}", event.idempotency_key()).expect("stdout");
        }
        out.flush().expect("flush");
    }
}

#[test]
fn kill_9_loses_no_acknowledged_append() {
    // Arrange: start the child appending into a fresh directory.
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args(["--exact", "crash_child", "--ignored", "--nocapture"])
        .env(DIR_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("piped stdout");

    // Act: read acknowledgements, then SIGKILL while batches are in flight.
    let acked = read_acks(stdout);
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    assert!(acked.len() >= ACKS_BEFORE_KILL, "child stopped early");

    // Assert
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(check_after_crash(dir.path(), &acked));
}

/// The first [`ACKS_BEFORE_KILL`] acknowledged keys the child prints.
fn read_acks(stdout: std::process::ChildStdout) -> Vec<String> {
    let mut acked = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read child");
        if let Some(key) = line.strip_prefix("ACK ") {
            acked.push(key.to_owned());
        }
        if acked.len() >= ACKS_BEFORE_KILL {
            break;
        }
    }
    acked
}

/// Reopens the log: every acked key once, seqs gap-free per track, and a retry of every
/// acknowledged event (the relay's spool after a lost answer) is a duplicate.
async fn check_after_crash(dir: &std::path::Path, acked: &[String]) {
    let log = SqliteLog::open(dir, SqliteOptions::default()).expect("reopen");
    let mut stored: HashMap<String, u64> = HashMap::new();
    for track in TRACKS {
        let rows = read_all_raw(&log, track).await;
        let want: Vec<u64> = (1..=rows.len() as u64).collect();
        assert_eq!(rows.iter().map(|r| r.track_seq).collect::<Vec<_>>(), want);
        assert_eq!(
            log.last_raw_seq(track).await.expect("last"),
            rows.len() as u64
        );
        for row in rows {
            let key = row.envelope.idempotency_key().to_string();
            assert!(
                stored.insert(key, row.track_seq).is_none(),
                "a key stored twice"
            );
        }
    }
    let retry: Vec<_> = acked.iter().map(|key| envelope_of(key)).collect();
    let outcomes = log.append_raw(retry, T0).await.expect("retry");
    for (key, outcome) in acked.iter().zip(outcomes) {
        let seq = stored.get(key).copied();
        assert_eq!(
            seq,
            Some(outcome.track_seq()),
            "acknowledged {key} stored once"
        );
        assert!(
            matches!(outcome, AppendOutcome::Duplicate { .. }),
            "{key}: {outcome:?}"
        );
    }
}

/// The envelope the child sent for an idempotency key (the fixture is deterministic).
fn envelope_of(key: &str) -> checkered_protocol::contract::Envelope {
    let parts: Vec<&str> = key.split(':').collect();
    let [track, client, boot, seq] = parts.as_slice() else {
        panic!("malformed key {key}");
    };
    envelope(track, client, boot, seq.parse().expect("seq"))
}
