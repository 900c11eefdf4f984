//! Behaviour specific to the SQLite backend: durability across reopen, closing, many
//! concurrent writers, refusing files it cannot use, and group-commit isolation.

use checkered_store::conformance::{self as scenario, T0, envelope, read_all_raw};
use checkered_store::{
    AppendOutcome, DeadLetter, DerivedRow, EventLog, SnapshotRow, SqliteLog, SqliteOptions,
    StoreError,
};
use std::sync::Arc;

fn open(dir: &std::path::Path) -> SqliteLog {
    SqliteLog::open(dir, SqliteOptions::default()).expect("open")
}

fn letter(reason: &str) -> DeadLetter {
    DeadLetter {
        source: "ingest".into(),
        track_id: Some("sebring".into()),
        reason: reason.into(),
        body: "{}".into(),
        received_at_us: T0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_acknowledged_is_there_after_reopen() {
    // Arrange
    let dir = tempfile::tempdir().expect("tempdir");
    let first: Vec<_> = (1..=3)
        .map(|s| envelope("sebring", "r1", "b1", s))
        .collect();
    {
        let log = open(dir.path());
        log.append_raw(first.clone(), T0).await.expect("append");
        let row = DerivedRow {
            seq: 1,
            ts_us: T0,
            session_id: None,
            kind: "LAP".into(),
            body: "{}".into(),
        };
        log.append_derived("sebring", vec![row])
            .await
            .expect("derived");
        let snap = SnapshotRow {
            raw_seq: 3,
            derived_seq: 1,
            ts_us: T0,
            body: vec![1, 2],
        };
        log.save_snapshot("sebring", snap).await.expect("snapshot");
        log.dead_letter(vec![letter("bad")]).await.expect("dlq");
    } // dropping the last handle finishes queued work and releases the file

    // Act
    let log = open(dir.path());
    let retried = log.append_raw(first, T0 + 10).await.expect("retry");
    let next = log
        .append_raw(vec![envelope("sebring", "r1", "b1", 4)], T0 + 10)
        .await
        .expect("append");

    // Assert
    assert!(
        retried
            .iter()
            .all(|o| matches!(o, AppendOutcome::Duplicate { .. }))
    );
    assert_eq!(next, [AppendOutcome::Accepted { track_seq: 4 }]);
    assert_eq!(read_all_raw(&log, "sebring").await.len(), 4);
    assert_eq!(log.last_derived_seq("sebring").await.expect("last"), 1);
    let snap = log.latest_snapshot("sebring").await.expect("snapshot");
    assert_eq!(snap.map(|s| s.body), Some(vec![1, 2]));
    assert_eq!(
        log.read_dead_letters(None, 0, 10).await.expect("dlq").len(),
        1
    );
    assert_eq!(log.tracks().await.expect("tracks"), ["sebring"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_log_refuses_every_call_on_every_clone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path());
    let clone = log.clone();
    log.append_raw(vec![envelope("sebring", "r1", "b1", 1)], T0)
        .await
        .expect("append");

    log.close().await.expect("close");
    log.close().await.expect("closing twice is fine");

    let append = clone
        .append_raw(vec![envelope("sebring", "r1", "b1", 2)], T0)
        .await;
    assert!(matches!(append, Err(StoreError::Closed)), "{append:?}");
    let read = clone.read_raw("sebring", 0, 10).await;
    assert!(matches!(read, Err(StoreError::Closed)), "{read:?}");
    let dlq = log.dead_letter(vec![letter("late")]).await;
    assert!(matches!(dlq, Err(StoreError::Closed)), "{dlq:?}");
    // The file was released: a new log opens it and sees the acknowledged append.
    let reopened = open(dir.path());
    assert_eq!(reopened.last_raw_seq("sebring").await.expect("last"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_writers_of_two_hundred_batches_stay_gap_free() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log: Arc<dyn EventLog> = Arc::new(open(dir.path()));
    scenario::concurrent_appenders_get_gap_free_seqs(log, 50, 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_request_does_not_fail_the_others_of_its_group() {
    // Arrange: a trigger makes one envelope fail inside the writer's transaction.
    let dir = tempfile::tempdir().expect("tempdir");
    let log = Arc::new(open(dir.path()));
    let conn = rusqlite::Connection::open(dir.path().join("events.db")).expect("conn");
    conn.execute_batch(
        "CREATE TRIGGER refuse_bad BEFORE INSERT ON raw_events WHEN NEW.envelope LIKE '%01JBAD%'
         BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END;",
    )
    .expect("trigger");
    drop(conn);
    let mut poisoned = envelope("sebring", "r2", "b1", 2);
    poisoned.event_id = "01JBAD00000000000000000000".into();
    let failing_batch = vec![envelope("sebring", "r2", "b1", 1), poisoned];

    // Act: many appends in flight at once with one failing request among them.
    let mut tasks = Vec::new();
    for n in 1..=40u64 {
        let log = Arc::clone(&log);
        tasks.push(tokio::spawn(async move {
            let batch = vec![envelope("sebring", "r1", "b1", n)];
            log.append_raw(batch, T0).await.map(|_| ())
        }));
    }
    let failing = log.append_raw(failing_batch, T0).await;
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    let retry = log
        .append_raw(vec![envelope("sebring", "r2", "b1", 1)], T0)
        .await
        .expect("a good event of the failed batch");

    // Assert: the failed batch left nothing behind, not even a sequence number.
    assert!(
        matches!(failing, Err(StoreError::Backend(_))),
        "{failing:?}"
    );
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(retry, [AppendOutcome::Accepted { track_seq: 41 }]);
    let stored = read_all_raw(log.as_ref(), "sebring").await;
    let seqs: Vec<u64> = stored.iter().map(|r| r.track_seq).collect();
    assert_eq!(seqs, (1..=41).collect::<Vec<u64>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_it_cannot_use_are_refused_as_fatal() {
    let newer = tempfile::tempdir().expect("tempdir");
    drop(open(newer.path()));
    let conn = rusqlite::Connection::open(newer.path().join("events.db")).expect("conn");
    conn.execute("INSERT INTO schema_version (version) VALUES (1000)", [])
        .expect("bump");
    drop(conn);
    let err = SqliteLog::open(newer.path(), SqliteOptions::default()).expect_err("too new");
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 1000, .. }),
        "{err}"
    );
    assert!(!err.is_retryable());

    let garbage = tempfile::tempdir().expect("tempdir");
    std::fs::write(garbage.path().join("events.db"), vec![0x5a; 8192]).expect("write");
    let err = SqliteLog::open(garbage.path(), SqliteOptions::default()).expect_err("garbage");
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_also_drops_the_dedupe_runs_of_deleted_events() {
    // Arrange: runs written after every event, ten old events, a snapshot after all of them.
    let dir = tempfile::tempdir().expect("tempdir");
    let options = SqliteOptions {
        run_flush_events: 1,
        ..SqliteOptions::default()
    };
    let log = SqliteLog::open(dir.path(), options).expect("open");
    let old = T0 - 8 * 86_400_000_000;
    let batch: Vec<_> = (1..=10)
        .map(|s| envelope("sebring", "r1", "b1", s))
        .collect();
    log.append_raw(batch, old).await.expect("append");
    let snap = SnapshotRow {
        raw_seq: 10,
        derived_seq: 0,
        ts_us: T0,
        body: Vec::new(),
    };
    log.save_snapshot("sebring", snap).await.expect("snapshot");
    let runs = || {
        let conn = rusqlite::Connection::open(dir.path().join("events.db")).expect("conn");
        conn.query_row("SELECT COUNT(*) FROM raw_runs", [], |r| r.get::<_, i64>(0))
            .expect("count")
    };
    assert!(runs() > 0);

    // Act
    let report = log
        .enforce_retention(T0, &checkered_store::Retention::default())
        .await
        .expect("retention");

    // Assert: nothing points at deleted events, and dedupe does not outlive them: a retry
    // of a deleted event is stored again, after the track's high-water mark.
    assert_eq!(report.raw, 10);
    assert_eq!(runs(), 0);
    let again = log
        .append_raw(vec![envelope("sebring", "r1", "b1", 3)], T0)
        .await
        .expect("append");
    assert_eq!(again, [AppendOutcome::Accepted { track_seq: 11 }]);
}
