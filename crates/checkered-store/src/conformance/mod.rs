//! Backend-neutral scenarios every [`EventLog`] must pass. The SQLite tests run them on a
//! fresh log each; the JetStream backend will run the same functions.
//!
//! Each scenario expects an empty log and panics (like a test) on the first broken promise.
//!
//! # Layout
//! - Fixtures: [`envelope`], [`read_all_raw`], [`T0`].
//! - Raw log scenarios (this file): ordering, dedupe, paging, refusal, concurrency.
//! - `engine_rows`: derived events, snapshots, dead letters, retention.
//! - `catalog`: the catalog's scenarios ([`crate::readmodel::ReadModels`]).

mod catalog;
mod engine_rows;

pub use catalog::{
    catalog_events_and_schedules_cascade, catalog_imports_are_all_or_nothing,
    catalog_tracks_round_trip,
};

pub use engine_rows::{
    dead_letters_round_trip, derived_appends_are_idempotent, retention_keeps_what_a_restart_needs,
    snapshots_are_keyframes,
};

use crate::error::StoreError;
use crate::event_log::EventLog;
use crate::model::{AppendOutcome, StoredRaw};
use checkered_protocol::contract::Envelope;
use std::collections::HashMap;
use std::sync::Arc;

/// A fixed "now" (2025-06-15) so scenarios are deterministic.
pub const T0: i64 = 1_750_000_000_000_000;

/// A valid PASSING envelope of about the size a real decoder passing has (~200-byte payload).
pub fn envelope(track: &str, client: &str, boot: &str, seq: u64) -> Envelope {
    Envelope {
        event_id: format!("01J{:023}", seq),
        track_id: track.to_owned(),
        client_id: client.to_owned(),
        boot_id: boot.to_owned(),
        seq,
        captured_at_us: T0.saturating_add(i64::try_from(seq).unwrap_or(0)),
        ingested_at_us: None,
        message_type: "PASSING".to_owned(),
        payload: serde_json::json!({
            "passing_number": seq,
            "transponder": 1_000_000u64 + seq % 40,
            "rtc_time_us": 1_718_000_000_000_000u64 + seq * 1_000,
            "strength": 112,
            "hits": 37,
            "flags": 0,
            "decoder_id": "D0000C3E",
            "sport": "bmx",
            "loop": "finish",
        }),
    }
}

/// Every raw event of `track`, paging through [`EventLog::read_raw`].
pub async fn read_all_raw(log: &dyn EventLog, track: &str) -> Vec<StoredRaw> {
    let mut all: Vec<StoredRaw> = Vec::new();
    loop {
        let after = all.last().map_or(0, |r| r.track_seq);
        let page = log.read_raw(track, after, 1000).await.expect("read_raw");
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

fn seqs(outcomes: &[AppendOutcome]) -> Vec<(bool, u64)> {
    outcomes
        .iter()
        .map(|o| (matches!(o, AppendOutcome::Accepted { .. }), o.track_seq()))
        .collect()
}

/// Per-track sequences are gap-free from 1 in arrival order, envelopes come back as
/// posted with `ingested_at_us` from the server clock (never going back within a track).
pub async fn raw_appends_get_gap_free_seqs_per_track(log: &dyn EventLog) {
    let batch = vec![
        envelope("alpha", "r1", "b1", 1),
        envelope("beta", "r2", "b1", 1),
        envelope("alpha", "r1", "b1", 2),
        envelope("alpha", "r1", "b1", 3),
        envelope("beta", "r2", "b1", 2),
    ];
    let outcomes = log.append_raw(batch.clone(), T0).await.expect("append");
    let accepted = |s| (true, s);
    let expected = vec![
        accepted(1),
        accepted(1),
        accepted(2),
        accepted(3),
        accepted(2),
    ];
    assert_eq!(seqs(&outcomes), expected);

    let alpha = read_all_raw(log, "alpha").await;
    assert_eq!(
        alpha.iter().map(|r| r.track_seq).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    for (stored, sent) in alpha.iter().zip([&batch[0], &batch[2], &batch[3]]) {
        let mut want = sent.clone();
        want.ingested_at_us = Some(T0);
        assert_eq!(stored.envelope, want);
    }
    assert_eq!(log.last_raw_seq("alpha").await.expect("last"), 3);
    assert_eq!(log.last_raw_seq("beta").await.expect("last"), 2);
    assert_eq!(log.tracks().await.expect("tracks"), ["alpha", "beta"]);

    // A clock that steps back does not make ingest times go back; input values are ignored.
    let mut late = envelope("alpha", "r1", "b1", 4);
    late.ingested_at_us = Some(123);
    let outcomes = log
        .append_raw(vec![late], T0 - 5_000_000)
        .await
        .expect("append");
    assert_eq!(seqs(&outcomes), [accepted(4)]);
    let fourth = log.read_raw("alpha", 3, 10).await.expect("read");
    assert_eq!(fourth.len(), 1);
    assert_eq!(
        fourth.first().and_then(|r| r.envelope.ingested_at_us),
        Some(T0)
    );
}

/// A repeated idempotency key is a duplicate with the first copy's seq, within a batch or
/// across batches, and changes nothing (not even when the retry's content differs).
pub async fn duplicates_change_nothing(log: &dyn EventLog) {
    let first = vec![
        envelope("gamma", "r1", "b1", 1),
        envelope("gamma", "r1", "b1", 2),
    ];
    let outcomes = log.append_raw(first, T0).await.expect("append");
    assert_eq!(seqs(&outcomes), [(true, 1), (true, 2)]);

    let mut changed = envelope("gamma", "r1", "b1", 1);
    changed.payload = serde_json::json!({"tampered": true});
    let retry = vec![
        envelope("gamma", "r1", "b1", 2),
        changed,
        envelope("gamma", "r1", "b1", 3),
        envelope("gamma", "r1", "b1", 3),
        envelope("gamma", "r1", "b2", 1),
    ];
    let outcomes = log.append_raw(retry, T0 + 1_000).await.expect("retry");
    let expected = [(false, 2), (false, 1), (true, 3), (false, 3), (true, 4)];
    assert_eq!(seqs(&outcomes), expected);

    let stored = read_all_raw(log, "gamma").await;
    assert_eq!(stored.len(), 4);
    let first_copy = stored.first().expect("seq 1");
    assert_eq!(
        first_copy.envelope.payload,
        envelope("gamma", "r1", "b1", 1).payload
    );
    assert_eq!(first_copy.envelope.ingested_at_us, Some(T0));
    assert_eq!(log.last_raw_seq("gamma").await.expect("last"), 4);
}

/// `read_raw` pages by `after_seq` and `limit`; unknown tracks read as empty.
pub async fn reads_page_after_a_seq(log: &dyn EventLog) {
    let batch: Vec<Envelope> = (1..=10).map(|s| envelope("delta", "r1", "b1", s)).collect();
    log.append_raw(batch, T0).await.expect("append");
    let page = |after, limit| async move {
        let rows = log.read_raw("delta", after, limit).await.expect("read");
        rows.iter().map(|r| r.track_seq).collect::<Vec<_>>()
    };
    assert_eq!(page(0, 3).await, [1, 2, 3]);
    assert_eq!(page(3, 100).await, [4, 5, 6, 7, 8, 9, 10]);
    assert!(page(10, 100).await.is_empty());
    assert!(page(0, 0).await.is_empty());
    assert!(
        log.read_raw("nowhere", 0, 10)
            .await
            .expect("read")
            .is_empty()
    );
    assert_eq!(log.last_raw_seq("nowhere").await.expect("last"), 0);
}

/// `read_raw_of_type` returns only that message type within `(after, through]`, even when
/// another event's payload carries the type's text.
pub async fn raw_reads_filter_by_message_type(log: &dyn EventLog) {
    let batch: Vec<Envelope> = (1..=12)
        .map(|s| {
            let mut e = envelope("omega", "r1", "b1", s);
            if s % 3 == 0 {
                e.message_type = "CONTROL".into();
                e.payload = serde_json::json!({"type": "flag", "flag": "red"});
            } else if s == 4 {
                e.payload = serde_json::json!({"note": "\"message_type\":\"CONTROL\""});
            }
            e
        })
        .collect();
    log.append_raw(batch, T0).await.expect("append");
    let seqs = |after, through, limit| async move {
        let rows = log
            .read_raw_of_type("omega", after, through, "CONTROL", limit)
            .await
            .expect("read");
        assert!(rows.iter().all(|r| r.envelope.message_type == "CONTROL"));
        rows.iter().map(|r| r.track_seq).collect::<Vec<_>>()
    };
    assert_eq!(seqs(0, 100, 100).await, [3, 6, 9, 12]);
    assert_eq!(seqs(3, 9, 100).await, [6, 9]);
    assert_eq!(seqs(0, 100, 2).await, [3, 6]);
    assert!(seqs(12, 100, 100).await.is_empty());
    assert!(seqs(5, 5, 100).await.is_empty());
}

/// One invalid envelope refuses the whole call and stores nothing; an empty call is fine.
pub async fn invalid_envelopes_are_refused_whole(log: &dyn EventLog) {
    let mut bad = envelope("epsilon", "r1", "b1", 2);
    bad.client_id = "has:colon".into();
    let good = envelope("epsilon", "r1", "b1", 1);
    let err = log
        .append_raw(vec![good, bad], T0)
        .await
        .expect_err("refused");
    assert!(matches!(err, StoreError::Invalid { index: 1, .. }), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(log.last_raw_seq("epsilon").await.expect("last"), 0);
    assert!(log.tracks().await.expect("tracks").is_empty());
    assert!(
        log.append_raw(Vec::new(), T0)
            .await
            .expect("empty")
            .is_empty()
    );
}

/// `tasks` concurrent appenders each send `batches` small batches over three tracks (and
/// re-send every tenth batch as a retry). Every event is acknowledged once, each track's
/// seqs are exactly 1..=n, and each appender's events keep their order within a track.
pub async fn concurrent_appenders_get_gap_free_seqs(
    log: Arc<dyn EventLog>,
    tasks: usize,
    batches: usize,
) {
    let mut handles = Vec::new();
    for task in 0..tasks {
        let log = Arc::clone(&log);
        handles.push(tokio::spawn(async move {
            append_as_one_relay(log.as_ref(), task, batches).await
        }));
    }
    let mut accepted = 0usize;
    for handle in handles {
        accepted += handle.await.expect("appender task");
    }
    assert_eq!(accepted, tasks * batches * 2);

    let mut total = 0usize;
    for track in ["t0", "t1", "t2"] {
        let rows = read_all_raw(log.as_ref(), track).await;
        let want: Vec<u64> = (1..=rows.len() as u64).collect();
        assert_eq!(rows.iter().map(|r| r.track_seq).collect::<Vec<_>>(), want);
        assert_eq!(
            log.last_raw_seq(track).await.expect("last"),
            rows.len() as u64
        );
        let mut last_by_client: HashMap<&str, u64> = HashMap::new();
        for row in &rows {
            let previous = last_by_client.insert(&row.envelope.client_id, row.envelope.seq);
            assert!(previous < Some(row.envelope.seq), "order kept per appender");
        }
        total += rows.len();
    }
    assert_eq!(total, accepted);
}

/// One simulated relay: batches of two events (one on its home track, one on the next),
/// re-sending every tenth batch. Returns how many events were accepted.
async fn append_as_one_relay(log: &dyn EventLog, task: usize, batches: usize) -> usize {
    let client = format!("relay-{task}");
    let mut accepted = 0usize;
    let mut seq = 0u64;
    for n in 0..batches {
        let home = format!("t{}", task % 3);
        let next = format!("t{}", (task + 1) % 3);
        let batch = vec![
            envelope(&home, &client, "b1", seq + 1),
            envelope(&next, &client, "b1", seq + 2),
        ];
        seq += 2;
        let outcomes = log.append_raw(batch.clone(), T0).await.expect("append");
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, AppendOutcome::Accepted { .. }))
        );
        accepted += outcomes.len();
        if n % 10 == 9 {
            let again = log.append_raw(batch, T0).await.expect("retry");
            let same: Vec<_> = again.iter().map(|o| o.track_seq()).collect();
            let first: Vec<_> = outcomes.iter().map(|o| o.track_seq()).collect();
            assert_eq!(same, first);
            assert!(
                again
                    .iter()
                    .all(|o| matches!(o, AppendOutcome::Duplicate { .. }))
            );
        }
    }
    accepted
}
