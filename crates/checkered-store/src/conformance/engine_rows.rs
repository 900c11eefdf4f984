//! Scenarios for what the engine and ingest store beside the raw log: derived events,
//! snapshots, dead letters, and retention.
//!
//! # Layout
//! - One `pub async fn` per scenario, plus small row builders.

use super::{T0, envelope, read_all_raw};
use crate::event_log::EventLog;
use crate::model::{DeadLetter, DerivedRow, Retention, RetentionReport, SnapshotRow};

const DAY_US: i64 = 86_400_000_000;

fn derived(seq: u64, ts_us: i64, tag: &str) -> DerivedRow {
    DerivedRow {
        seq,
        ts_us,
        session_id: seq.is_multiple_of(2).then(|| "heat-1".to_owned()),
        kind: "LAP".to_owned(),
        body: format!(r#"{{"seq":{seq},"tag":"{tag}"}}"#),
    }
}

fn snapshot(raw_seq: u64, derived_seq: u64, ts_us: i64, body: &[u8]) -> SnapshotRow {
    SnapshotRow {
        raw_seq,
        derived_seq,
        ts_us,
        body: body.to_vec(),
    }
}

fn letter(track: Option<&str>, reason: &str, received_at_us: i64) -> DeadLetter {
    DeadLetter {
        source: "ingest".to_owned(),
        track_id: track.map(str::to_owned),
        reason: reason.to_owned(),
        body: r#"{"seq":0}"#.to_owned(),
        received_at_us,
    }
}

/// Re-appending derived rows that exist skips them and keeps the first copy; reads page by
/// seq; derived rows alone do not make a track appear in `tracks()`.
pub async fn derived_appends_are_idempotent(log: &dyn EventLog) {
    let first: Vec<DerivedRow> = (1..=5).map(|s| derived(s, T0, "first")).collect();
    assert_eq!(
        log.append_derived("zeta", first.clone())
            .await
            .expect("append"),
        5
    );
    let rerun: Vec<DerivedRow> = (3..=8).map(|s| derived(s, T0, "rerun")).collect();
    assert_eq!(log.append_derived("zeta", rerun).await.expect("append"), 3);

    let all = log.read_derived("zeta", 0, 100).await.expect("read");
    assert_eq!(
        all.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7, 8]
    );
    assert_eq!(all.get(2), first.get(2), "the first copy of seq 3 is kept");
    assert_eq!(
        all.get(5).map(|r| r.body.as_str()),
        Some(r#"{"seq":6,"tag":"rerun"}"#)
    );
    let page = log.read_derived("zeta", 6, 1).await.expect("read");
    assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), [7]);
    assert_eq!(log.last_derived_seq("zeta").await.expect("last"), 8);
    assert_eq!(log.last_derived_seq("eta").await.expect("last"), 0);
    assert!(
        log.read_derived("eta", 0, 10)
            .await
            .expect("read")
            .is_empty()
    );
    assert!(log.tracks().await.expect("tracks").is_empty());
    assert_eq!(
        log.append_derived("zeta", Vec::new()).await.expect("empty"),
        0
    );
}

/// Every snapshot is kept as a keyframe; the latest is the highest `raw_seq`; seeking finds
/// the newest at or before a derived seq; saving the same `raw_seq` again replaces it.
pub async fn snapshots_are_keyframes(log: &dyn EventLog) {
    assert_eq!(log.latest_snapshot("theta").await.expect("latest"), None);
    for snap in [
        snapshot(10, 4, T0, b"s10"),
        snapshot(20, 9, T0 + 1, b"s20"),
        snapshot(30, 9, T0 + 2, b"s30"),
    ] {
        log.save_snapshot("theta", snap).await.expect("save");
    }
    let latest = log.latest_snapshot("theta").await.expect("latest");
    assert_eq!(latest, Some(snapshot(30, 9, T0 + 2, b"s30")));
    let at = |seq| async move {
        let found = log.snapshot_at_or_before("theta", seq).await.expect("seek");
        found.map(|s| s.raw_seq)
    };
    assert_eq!(at(9).await, Some(30));
    assert_eq!(at(8).await, Some(10));
    assert_eq!(at(4).await, Some(10));
    assert_eq!(at(3).await, None);
    assert_eq!(at(u64::from(u32::MAX)).await, Some(30));
    assert_eq!(log.latest_snapshot("iota").await.expect("other"), None);

    log.save_snapshot("theta", snapshot(30, 9, T0 + 2, b"again"))
        .await
        .expect("replace");
    let latest = log.latest_snapshot("theta").await.expect("latest");
    assert_eq!(latest.map(|s| s.body), Some(b"again".to_vec()));
}

/// Dead letters come back in id order with their contents, filtered by track and paged.
pub async fn dead_letters_round_trip(log: &dyn EventLog) {
    let rows = vec![
        letter(Some("kappa"), "seq must start at 1", T0),
        letter(None, "malformed JSON", T0 + 1),
        letter(Some("lambda"), "payload must be a JSON object", T0 + 2),
    ];
    log.dead_letter(rows.clone()).await.expect("store");
    log.dead_letter(Vec::new()).await.expect("empty");

    let all = log.read_dead_letters(None, 0, 100).await.expect("read");
    assert_eq!(
        all.iter().map(|d| d.letter.clone()).collect::<Vec<_>>(),
        rows
    );
    assert!(all.windows(2).all(|w| matches!(w, [a, b] if a.id < b.id)));
    let kappa = log
        .read_dead_letters(Some("kappa"), 0, 100)
        .await
        .expect("read");
    assert_eq!(kappa.len(), 1);
    assert_eq!(
        kappa.first().map(|d| d.letter.reason.as_str()),
        Some("seq must start at 1")
    );
    let first_id = all.first().map_or(0, |d| d.id);
    let next = log
        .read_dead_letters(None, first_id, 1)
        .await
        .expect("page");
    assert_eq!(next.len(), 1);
    assert_eq!(next.first().map(|d| d.letter.track_id.clone()), Some(None));
}

/// Retention deletes aged rows but keeps each track's latest snapshot and the raw and
/// derived events after it; a track without a snapshot keeps everything; sequences
/// continue after deletion; a second pass deletes nothing.
pub async fn retention_keeps_what_a_restart_needs(log: &dyn EventLog) {
    arrange_aged_rows(log).await;

    let report = log
        .enforce_retention(T0, &Retention::default())
        .await
        .expect("retain");
    let expected = RetentionReport {
        raw: 4,
        derived: 3,
        snapshots: 1,
        dead_letters: 1,
    };
    assert_eq!(report, expected);
    check_what_retention_kept(log).await;

    let more = log
        .append_raw(vec![envelope("mu", "r1", "b1", 6)], T0)
        .await
        .expect("raw");
    assert_eq!(more.first().map(|o| o.track_seq()), Some(6));
    let again = log
        .enforce_retention(T0, &Retention::default())
        .await
        .expect("retain");
    assert_eq!(again, RetentionReport::default());
}

/// Track `mu`: 5 raw events 10 days old, 5 derived 40 days old, snapshots at raw 3 (old) and
/// raw 4 (9 days old). Track `nu`: 3 raw, 5 derived, no snapshot. Dead letters 15 and 1 days old.
async fn arrange_aged_rows(log: &dyn EventLog) {
    let old = T0 - 10 * DAY_US;
    let raw = |track: &str, n: u64| (1..=n).map(|s| envelope(track, "r1", "b1", s)).collect();
    log.append_raw(raw("mu", 5), old).await.expect("raw");
    log.append_raw(raw("nu", 3), old).await.expect("raw");
    let ancient: Vec<DerivedRow> = (1..=5).map(|s| derived(s, T0 - 40 * DAY_US, "x")).collect();
    log.append_derived("mu", ancient.clone())
        .await
        .expect("derived");
    log.append_derived("nu", ancient).await.expect("derived");
    log.save_snapshot("mu", snapshot(3, 2, old, b"a"))
        .await
        .expect("snap");
    log.save_snapshot("mu", snapshot(4, 3, T0 - 9 * DAY_US, b"b"))
        .await
        .expect("snap");
    let letters = vec![
        letter(None, "old", T0 - 15 * DAY_US),
        letter(None, "new", T0 - DAY_US),
    ];
    log.dead_letter(letters).await.expect("dlq");
}

/// What the retention pass of the scenario must have left.
async fn check_what_retention_kept(log: &dyn EventLog) {
    let seqs = |rows: Vec<super::StoredRaw>| rows.iter().map(|r| r.track_seq).collect::<Vec<_>>();
    assert_eq!(seqs(read_all_raw(log, "mu").await), [5]);
    assert_eq!(seqs(read_all_raw(log, "nu").await), [1, 2, 3]);
    let mu_derived = log.read_derived("mu", 0, 100).await.expect("read");
    assert_eq!(mu_derived.iter().map(|r| r.seq).collect::<Vec<_>>(), [4, 5]);
    assert_eq!(log.read_derived("nu", 0, 100).await.expect("read").len(), 5);
    let latest = log.latest_snapshot("mu").await.expect("latest");
    assert_eq!(latest.map(|s| s.raw_seq), Some(4));
    assert_eq!(
        log.snapshot_at_or_before("mu", 2).await.expect("seek"),
        None
    );
    let left = log.read_dead_letters(None, 0, 10).await.expect("dlq");
    assert_eq!(
        left.iter()
            .map(|d| d.letter.reason.as_str())
            .collect::<Vec<_>>(),
        ["new"]
    );

    assert_eq!(log.last_raw_seq("mu").await.expect("last"), 5);
    assert_eq!(log.last_derived_seq("mu").await.expect("last"), 5);
}
