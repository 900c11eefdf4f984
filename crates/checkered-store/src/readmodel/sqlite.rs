//! The SQLite read models: their own file (`readmodels.db`, WAL) beside the event log, so
//! projection and catalog writes never queue behind ingest.

use super::{ReadModelError, ReadModels, TrackRecord};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// File name inside the data directory.
pub const FILE_NAME: &str = "readmodels.db";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tracks (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    config        TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
";

/// Read models in one SQLite file. Cheap to clone.
#[derive(Clone)]
pub struct SqliteReadModels {
    conn: Arc<Mutex<Connection>>,
}

fn backend(e: impl std::fmt::Display) -> ReadModelError {
    ReadModelError::Backend(e.to_string())
}

impl SqliteReadModels {
    /// Opens (creating if needed) `readmodels.db` in `dir`.
    pub fn open(dir: &Path) -> Result<Self, ReadModelError> {
        std::fs::create_dir_all(dir).map_err(backend)?;
        let conn = Connection::open(dir.join(FILE_NAME)).map_err(backend)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(backend)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(backend)?;
        conn.execute_batch(SCHEMA).map_err(backend)?;
        Ok(SqliteReadModels {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection off the async threads.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, ReadModelError> + Send + 'static,
    ) -> Result<T, ReadModelError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let guard = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&guard)
        })
        .await
        .map_err(backend)?
    }
}

fn track_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, i64, i64)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn track_of(
    (id, name, config, created_at_us, updated_at_us): (String, String, String, i64, i64),
) -> Result<TrackRecord, ReadModelError> {
    let config = serde_json::from_str(&config)
        .map_err(|e| ReadModelError::Backend(format!("stored config of {id} is not JSON: {e}")))?;
    Ok(TrackRecord {
        id,
        name,
        config,
        created_at_us,
        updated_at_us,
    })
}

#[async_trait]
impl ReadModels for SqliteReadModels {
    async fn create_track(&self, track: TrackRecord) -> Result<(), ReadModelError> {
        self.with(move |c| {
            let inserted = c
                .execute(
                    "INSERT INTO tracks (id, name, config, created_at_us, updated_at_us)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
                    params![
                        track.id,
                        track.name,
                        track.config.to_string(),
                        track.created_at_us,
                        track.updated_at_us
                    ],
                )
                .map_err(backend)?;
            if inserted == 0 {
                return Err(ReadModelError::Conflict(format!(
                    "track {:?} already exists",
                    track.id
                )));
            }
            Ok(())
        })
        .await
    }

    async fn get_track(&self, id: &str) -> Result<Option<TrackRecord>, ReadModelError> {
        let id = id.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT id, name, config, created_at_us, updated_at_us FROM tracks WHERE id = ?1",
                params![id],
                track_row,
            )
            .optional()
            .map_err(backend)?
            .map(track_of)
            .transpose()
        })
        .await
    }

    async fn list_tracks(&self) -> Result<Vec<TrackRecord>, ReadModelError> {
        self.with(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT id, name, config, created_at_us, updated_at_us FROM tracks ORDER BY id",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map([], track_row)
                .map_err(backend)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(backend)?;
            rows.into_iter().map(track_of).collect()
        })
        .await
    }

    async fn update_track(&self, track: TrackRecord) -> Result<(), ReadModelError> {
        self.with(move |c| {
            let changed = c
                .execute(
                    "UPDATE tracks SET name = ?2, config = ?3, updated_at_us = ?4 WHERE id = ?1",
                    params![
                        track.id,
                        track.name,
                        track.config.to_string(),
                        track.updated_at_us
                    ],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Err(ReadModelError::NotFound(format!(
                    "unknown track {:?}",
                    track.id
                )));
            }
            Ok(())
        })
        .await
    }

    async fn delete_track(&self, id: &str) -> Result<(), ReadModelError> {
        let id = id.to_owned();
        self.with(move |c| {
            let changed = c
                .execute("DELETE FROM tracks WHERE id = ?1", params![id])
                .map_err(backend)?;
            if changed == 0 {
                return Err(ReadModelError::NotFound(format!("unknown track {id:?}")));
            }
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str) -> TrackRecord {
        TrackRecord {
            id: id.into(),
            name: format!("Track {id}"),
            config: serde_json::json!({"track_id": id}),
            created_at_us: 1,
            updated_at_us: 1,
        }
    }

    #[tokio::test]
    async fn tracks_round_trip_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("dir");
        let models = SqliteReadModels::open(dir.path()).expect("open");
        models.create_track(track("b")).await.expect("create");
        models.create_track(track("a")).await.expect("create");
        assert!(matches!(
            models.create_track(track("a")).await,
            Err(ReadModelError::Conflict(_))
        ));
        let mut changed = track("a");
        changed.name = "Renamed".into();
        changed.updated_at_us = 2;
        models.update_track(changed.clone()).await.expect("update");
        assert!(matches!(
            models.update_track(track("zzz")).await,
            Err(ReadModelError::NotFound(_))
        ));
        drop(models);
        let models = SqliteReadModels::open(dir.path()).expect("reopen");
        let all = models.list_tracks().await.expect("list");
        assert_eq!(all, vec![changed, track("b")]);
        models.delete_track("b").await.expect("delete");
        assert!(matches!(
            models.delete_track("b").await,
            Err(ReadModelError::NotFound(_))
        ));
        assert_eq!(models.get_track("b").await.expect("get"), None);
    }
}
