//! The shared catalog scenarios on the machine's PostgreSQL (the same functions the SQLite
//! read models pass), each in a schema of its own that is dropped afterwards.

use checkered_cluster::testing::TestDatabase;
use checkered_store::conformance as scenario;

macro_rules! catalog {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = TestDatabase::connect().await else { return };
                scenario::$name(&db.models).await;
            }
        )*
    };
}

catalog!(
    catalog_tracks_round_trip,
    catalog_events_and_schedules_cascade,
    catalog_imports_are_all_or_nothing,
);

/// Migrations run once: a second process on the same schema finds the tables and the data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_connection_shares_the_catalog() {
    use checkered_store::readmodel::{ReadModels, TrackRecord};
    let Some(db) = TestDatabase::connect().await else {
        return;
    };
    let record = TrackRecord {
        id: "shared".into(),
        name: "Shared".into(),
        config: serde_json::json!({"track_id": "shared"}),
        created_at_us: 1,
        updated_at_us: 1,
    };
    db.models
        .create_track(record.clone())
        .await
        .expect("create");
    let url = checkered_cluster::testing::database_url();
    let other = checkered_cluster::PgReadModels::connect(&url, Some(&db.schema))
        .await
        .expect("second");
    assert_eq!(other.list_tracks().await.expect("list"), vec![record]);
}

/// The schema is gone after the guard drops: tests leave nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_up_drops_the_schema() {
    let Some(db) = TestDatabase::connect().await else {
        return;
    };
    let schema = db.schema.clone();
    drop(db);
    let config: tokio_postgres::Config = checkered_cluster::testing::database_url()
        .parse()
        .expect("url");
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let rows = client
        .query("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
        .await
        .expect("query");
    assert!(rows.is_empty(), "schema {schema} left behind");
}
