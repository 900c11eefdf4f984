//! Cluster mode failover on the machine's NATS JetStream (skipped without it unless
//! `CHECKERED_REQUIRE_SERVICES=1`): two `checkered serve --nats` workers, the owner of a
//! live track is SIGKILLed, the other takes the lease over and rebuilds from the latest
//! snapshot plus the raw stream, and the result equals an uninterrupted run.

use crate::crash::{Serve, config, create_track, envelopes, post, settled_standings};
use checkered_cluster::Leases;
use checkered_cluster::testing::{TestDatabase, TestLog, database_url, nats_url};
use checkered_engine::TrackEngine;
use checkered_protocol::contract::Envelope;
use checkered_server::runtime::convert;
use checkered_store::EventLog;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(30);
const TRACK: &str = "failover";

/// A cluster-mode `checkered serve` child on a free port. The pipeline under test runs
/// open: each worker would otherwise keep identities of its own (the identity store is not
/// shared across workers yet, docs/CLUSTER.md).
fn start_worker(data: &Path, prefix: &str, worker: &str, schema: &str) -> Serve {
    let nats = nats_url();
    let database = database_url();
    Serve::start_with(
        data,
        &[
            "--nats",
            &nats,
            "--nats-prefix",
            prefix,
            "--worker-id",
            worker,
            "--database",
            &database,
            "--database-schema",
            schema,
            "--lease-ttl-ms",
            "3000",
        ],
    )
}

async fn wait_owner(leases: &Leases, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(owner) = leases.owner(TRACK).await.expect("owner")
            && want(&owner)
        {
            return owner;
        }
        assert!(Instant::now() < deadline, "no owner as wanted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until a worker's ingest accepts `probe` (its view of the catalog has the
/// track); returns how many of it were accepted.
async fn wait_known(client: &reqwest::Client, base: &str, probe: &[Envelope]) -> u64 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(answer) = post(client, base, probe).await
            && answer["rejected"] == json!([])
        {
            return answer["accepted"].as_u64().unwrap_or(0);
        }
        assert!(
            Instant::now() < deadline,
            "{base} never learned of the track"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The derived events of a clean, uninterrupted replay of `events`.
fn clean_replay(events: &[Envelope]) -> Vec<Value> {
    let cfg = config(TRACK);
    let mut engine = TrackEngine::new(cfg.clone());
    let mut out = Vec::new();
    for envelope in events {
        let decoded = convert::decode(&envelope.message_type, &envelope.payload).expect("decodes");
        if let Some(input) = convert::to_input(&cfg, &decoded, envelope.captured_at_us) {
            engine.apply(&input, &mut out);
        }
    }
    out.iter()
        .map(|e| serde_json::to_value(e).expect("json"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_owner_is_replaced_and_nothing_is_doubled() {
    let Some(test) = TestLog::connect().await else {
        return;
    };
    let Some(db) = TestDatabase::connect().await else {
        return;
    };
    let events = envelopes(TRACK, 77);
    let half = events.len() / 2;
    let client = reqwest::Client::new();
    let (dir_a, dir_b, dir_e) = (
        tempfile::tempdir(),
        tempfile::tempdir(),
        tempfile::tempdir(),
    );
    let (dir_a, dir_b, dir_e) = (
        dir_a.expect("dir"),
        dir_b.expect("dir"),
        dir_e.expect("dir"),
    );
    let a = start_worker(dir_a.path(), &test.prefix, "worker-a", &db.schema);
    let b = start_worker(dir_b.path(), &test.prefix, "worker-b", &db.schema);
    // One catalog on PostgreSQL: created through one worker, claimed by whichever first.
    create_track(&client, &a.base, TRACK).await;
    let observer = Leases::open(
        test.log.context(),
        test.log.names(),
        "observer",
        Duration::from_secs(3),
        1,
    )
    .await
    .expect("leases");
    let owner = wait_owner(&observer, |_| true).await;
    let (owner, other, other_id) = if owner == "worker-a" {
        (a, b, "worker-b")
    } else {
        (b, a, "worker-a")
    };

    // First half through the worker that does not own the track: the owner's engine
    // follows through JetStream. (The probe is the first event, re-sent as a duplicate.)
    wait_known(&client, &other.base, &events[..1]).await;
    for chunk in events[..half].chunks(50) {
        let answer = post(&client, &other.base, chunk).await.expect("ingest");
        assert_eq!(answer["rejected"], json!([]));
    }
    settled_standings(&owner.base, TRACK, half as u64).await;

    let killed = Instant::now();
    owner.kill();
    wait_owner(&observer, |o| o == other_id).await;
    let takeover = killed.elapsed();
    eprintln!(
        "failover: lease taken over {} ms after SIGKILL (TTL 3000 ms)",
        takeover.as_millis()
    );

    for chunk in events[half..].chunks(50) {
        let answer = post(&client, &other.base, chunk).await.expect("ingest");
        assert_eq!(answer["rejected"], json!([]));
    }
    let standings = settled_standings(&other.base, TRACK, events.len() as u64).await;
    eprintln!(
        "failover: caught up {} ms after SIGKILL",
        killed.elapsed().as_millis()
    );

    // Derived events: exactly a clean replay's, seq 1..n, none doubled.
    let expected = clean_replay(&events);
    let stored = test
        .log
        .read_derived(TRACK, 0, expected.len() + 10)
        .await
        .expect("derived");
    let seqs: Vec<u64> = stored.iter().map(|r| r.seq).collect();
    assert_eq!(
        seqs,
        (1..=expected.len() as u64).collect::<Vec<_>>(),
        "gap-free, no duplicates"
    );
    let bodies: Vec<Value> = stored
        .iter()
        .map(|r| serde_json::from_str(&r.body).expect("json"))
        .collect();
    assert!(
        bodies == expected,
        "the derived log differs from an uninterrupted run"
    );

    // Standings: equal to an embedded server's that never stopped.
    let embedded = Serve::start(dir_e.path());
    create_track(&client, &embedded.base, TRACK).await;
    for chunk in events.chunks(200) {
        post(&client, &embedded.base, chunk).await.expect("ingest");
    }
    let clean = settled_standings(&embedded.base, TRACK, events.len() as u64).await;
    assert_eq!(standings, clean);
}

/// A relay retrying its batches through either worker (a load balancer in front) stores
/// every event once: the retries come back as duplicates with the first copy's seq.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_retries_through_any_worker_are_duplicates() {
    let Some(test) = TestLog::connect().await else {
        return;
    };
    let Some(db) = TestDatabase::connect().await else {
        return;
    };
    let track = "retries";
    let events = envelopes(track, 5);
    let client = reqwest::Client::new();
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let a = start_worker(dir_a.path(), &test.prefix, "worker-a", &db.schema);
    let b = start_worker(dir_b.path(), &test.prefix, "worker-b", &db.schema);
    create_track(&client, &b.base, track).await;
    // Both workers know the track once their lease rounds have read the catalog; the
    // probe is the first event, so the run below re-sends it as a duplicate.
    let (mut accepted, mut duplicates) = (wait_known(&client, &a.base, &events[..1]).await, 0u64);
    for (i, chunk) in events.chunks(40).enumerate() {
        let (first, retry) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let answer = post(&client, &first.base, chunk).await.expect("ingest");
        accepted += answer["accepted"].as_u64().expect("accepted");
        let again = post(&client, &retry.base, chunk).await.expect("retry");
        duplicates += again["duplicates"].as_u64().expect("duplicates");
        assert_eq!(again["accepted"], 0, "a retry stores nothing: {again}");
    }
    assert_eq!(accepted, events.len() as u64);
    assert_eq!(duplicates, events.len() as u64);
    let stored = test
        .log
        .read_raw(track, 0, events.len() + 10)
        .await
        .expect("raw");
    let keys: std::collections::HashSet<u64> = stored.iter().map(|r| r.envelope.seq).collect();
    assert_eq!(stored.len(), events.len());
    assert_eq!(keys.len(), events.len());
    assert_eq!(
        test.log.last_raw_seq(track).await.expect("last"),
        events.len() as u64
    );
}
