//! [`PgReadModels`]: the catalog ([`ReadModels`](checkered_store::readmodel::ReadModels)) on
//! PostgreSQL, shared by every worker of a cluster, through `tokio-postgres` with a
//! `deadpool-postgres` pool (not sqlx: its SQLite driver would link a second libsqlite3
//! beside rusqlite's).
//!
//! Migrations under `migrations/` are compiled in and applied at start-up, each once, in
//! one transaction with its row in `schema_version`, under an advisory lock so workers
//! starting together do not race. A database from a newer build is refused.
//!
//! # Layout
//! - [`PgReadModels`]: connecting (optionally in a schema of its own), migrations.
//! - `catalog`: tracks, events, schedules, the audit annex; `entries`: entry lists.

mod catalog;
mod entries;

use checkered_store::readmodel::ReadModelError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

/// `(version, sql)` in order.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/0001_catalog.sql"))];

/// Pool size per process.
const POOL_SIZE: usize = 8;

/// The read models on PostgreSQL. Cheap to clone.
#[derive(Clone)]
pub struct PgReadModels {
    pool: Pool,
}

/// A backend failure as the trait reports it.
pub(crate) fn backend(e: impl std::fmt::Display) -> ReadModelError {
    ReadModelError::Backend(e.to_string())
}

/// Whether `name` is a plain lowercase identifier (safe to put in DDL unquoted).
fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

impl PgReadModels {
    /// Connects to `url` (`postgres://user@host/db`) and migrates. With `schema`, every
    /// table lives in that schema (created if needed): one deployment, or one test, each.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, ReadModelError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(backend)?;
        if let Some(schema) = schema {
            if !is_identifier(schema) {
                return Err(ReadModelError::Invalid(format!(
                    "bad schema name {schema:?}"
                )));
            }
            let (client, connection) = config.connect(NoTls).await.map_err(backend)?;
            let task = tokio::spawn(connection);
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .await
                .map_err(backend)?;
            drop(client);
            let _ = task.await;
            config.options(format!("-c search_path={schema}"));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(backend)?;
        let models = PgReadModels { pool };
        models.migrate().await?;
        Ok(models)
    }

    async fn migrate(&self) -> Result<(), ReadModelError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        tx.batch_execute(
            "SELECT pg_advisory_xact_lock(7214); \
             CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
        )
        .await
        .map_err(backend)?;
        let row = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
            .await
            .map_err(backend)?;
        let found: i64 = row.get(0);
        let latest = MIGRATIONS.last().map_or(0, |(v, _)| *v);
        if found > latest {
            return Err(ReadModelError::Backend(format!(
                "the database has schema version {found}; this program knows up to {latest}"
            )));
        }
        for &(version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
            tx.batch_execute(sql).await.map_err(backend)?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&version],
            )
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, ReadModelError> {
        self.pool.get().await.map_err(backend)
    }

    /// Drops `schema` with everything in it (tests' clean-up).
    pub async fn drop_schema(url: &str, schema: &str) -> Result<(), ReadModelError> {
        if !is_identifier(schema) {
            return Err(ReadModelError::Invalid(format!(
                "bad schema name {schema:?}"
            )));
        }
        let config: tokio_postgres::Config = url.parse().map_err(backend)?;
        let (client, connection) = config.connect(NoTls).await.map_err(backend)?;
        let task = tokio::spawn(connection);
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await
            .map_err(backend)?;
        drop(client);
        let _ = task.await;
        Ok(())
    }
}

/// A `u32` column value (stored as BIGINT).
pub(crate) fn to_u32(v: Option<i64>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}
