//! The shared `conformance` scenarios, each on a fresh `SqliteLog` in a temporary directory.

use checkered_store::conformance as scenario;
use checkered_store::{EventLog, SqliteLog, SqliteOptions};
use std::sync::Arc;
use tempfile::TempDir;

/// A fresh log; `eager` writes dedupe runs after every event instead of every few thousand,
/// so both the in-memory and the on-disk dedupe paths run every scenario.
fn fresh(eager: bool) -> (TempDir, SqliteLog) {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = SqliteOptions {
        run_flush_events: if eager { 1 } else { 4_096 },
        ..SqliteOptions::default()
    };
    let log = SqliteLog::open(dir.path(), options).expect("open");
    (dir, log)
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod lazy_runs {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (_dir, log) = fresh(false);
                    scenario::$name(&log).await;
                }
            )*
        }
        mod eager_runs {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (_dir, log) = fresh(true);
                    scenario::$name(&log).await;
                }
            )*
        }
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
    let (_dir, log) = fresh(true);
    let log: Arc<dyn EventLog> = Arc::new(log);
    scenario::concurrent_appenders_get_gap_free_seqs(log, 12, 30).await;
}

mod catalog {
    use checkered_store::conformance as scenario;
    use checkered_store::readmodel::SqliteReadModels;

    macro_rules! catalog {
        ($($name:ident),* $(,)?) => {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let models = SqliteReadModels::open(dir.path()).expect("open");
                    scenario::$name(&models).await;
                }
            )*
        };
    }

    catalog!(
        catalog_tracks_round_trip,
        catalog_events_and_schedules_cascade,
        catalog_imports_are_all_or_nothing,
    );
}
