//! The catalog on SQLite, beyond the shared catalog scenarios (`conformance::catalog_*`,
//! which `tests/sqlite_conformance.rs` runs here and the PostgreSQL catalog runs too): what
//! only a file-backed store can show, that everything survives reopening the database.

use crate::conformance;
use crate::readmodel::{ReadModels, SqliteReadModels};

#[tokio::test]
async fn tracks_round_trip_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("dir");
    let models = SqliteReadModels::open(dir.path()).expect("open");
    conformance::catalog_tracks_round_trip(&models).await;
    let before = models.list_tracks().await.expect("list");
    assert!(!before.is_empty(), "the scenario leaves a track behind");
    drop(models);
    let models = SqliteReadModels::open(dir.path()).expect("reopen");
    assert_eq!(models.list_tracks().await.expect("list"), before);
}
