//! The shared `conformance` scenarios of the event log, each on a fresh JetStream prefix of
//! the machine's NATS server (the same functions the SQLite backend passes).

mod common;

use checkered_store::EventLog;
use checkered_store::conformance as scenario;
use std::sync::Arc;

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(test) = common::jetstream_log().await else { return };
                scenario::$name(&test.log).await;
            }
        )*
    };
}

conformance!(
    raw_appends_get_gap_free_seqs_per_track,
    duplicates_change_nothing,
    reads_page_after_a_seq,
    raw_reads_filter_by_message_type,
    invalid_envelopes_are_refused_whole,
    derived_appends_are_idempotent,
    snapshots_are_keyframes,
    dead_letters_round_trip,
    retention_keeps_what_a_restart_needs,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appenders_get_gap_free_seqs() {
    let Some(test) = common::jetstream_log().await else {
        return;
    };
    let log: Arc<dyn EventLog> = Arc::new(test.log.clone());
    scenario::concurrent_appenders_get_gap_free_seqs(log, 12, 30).await;
}

/// Two logs on the same prefix (two ingest processes) see one gap-free sequence per
/// track, and a retry through the other process is a duplicate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_one_sequence() {
    let Some(test) = common::jetstream_log().await else {
        return;
    };
    let options = checkered_cluster::JetStreamOptions {
        prefix: test.prefix.clone(),
        ..Default::default()
    };
    let other = checkered_cluster::JetStreamLog::connect(&common::nats_url(), options)
        .await
        .expect("second connection");
    let e = |seq| scenario::envelope("shared", "r1", "b1", seq);
    let a = test
        .log
        .append_raw(vec![e(1), e(2)], scenario::T0)
        .await
        .expect("a");
    let b = other
        .append_raw(vec![e(2), e(3)], scenario::T0)
        .await
        .expect("b");
    let seqs: Vec<u64> = a.iter().chain(&b).map(|o| o.track_seq()).collect();
    assert_eq!(seqs, [1, 2, 2, 3]);
    assert!(matches!(
        b[0],
        checkered_store::AppendOutcome::Duplicate { track_seq: 2 }
    ));
    assert_eq!(other.last_raw_seq("shared").await.expect("last"), 3);
}

/// A test's prefix is gone after its guard drops: tests leave nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_up_deletes_the_prefix() {
    use futures_util::TryStreamExt;
    let Some(test) = common::jetstream_log().await else {
        return;
    };
    let e = scenario::envelope("gone", "r1", "b1", 1);
    test.log
        .append_raw(vec![e], scenario::T0)
        .await
        .expect("append");
    let names = test.log.names().clone();
    let js = test.log.context().clone();
    drop(test);
    let left: Vec<String> = js.stream_names().try_collect().await.expect("names");
    assert!(left.iter().all(|n| !names.owns_stream(n)), "{left:?}");
}
