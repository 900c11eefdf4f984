//! [`ReadModels`] for [`PgReadModels`]: tracks, events, schedules and the audit annex, each
//! write one transaction (the same SQL as the embedded backend, in PostgreSQL's dialect).
//!
//! # Layout
//! - Row decoders; the trait implementation (entry lists delegate to `entries`).

use super::{PgReadModels, backend, entries, to_u32};
use async_trait::async_trait;
use checkered_store::readmodel::{
    ControlAudit, EntryList, EntryRecord, EventRecord, ImportMode, ImportOutcome, ReadModelError,
    ReadModels, ScheduledSession, TrackRecord, Visibility,
};
use tokio_postgres::Row;

const TRACK_COLUMNS: &str = "id, name, config, created_at_us, updated_at_us";
const EVENT_COLUMNS: &str =
    "track_id, id, name, starts_at_us, ends_at_us, visibility, created_at_us, updated_at_us";
const SCHEDULED_COLUMNS: &str = "id, track_id, event_id, name, kind, scheduled_start_us, laps,
    duration_us, session_id, created_at_us, updated_at_us";

fn track_of(row: &Row) -> Result<TrackRecord, ReadModelError> {
    let id: String = row.get(0);
    let config: String = row.get(2);
    let config = serde_json::from_str(&config)
        .map_err(|e| ReadModelError::Backend(format!("stored config of {id} is not JSON: {e}")))?;
    Ok(TrackRecord {
        id,
        name: row.get(1),
        config,
        created_at_us: row.get(3),
        updated_at_us: row.get(4),
    })
}

fn event_of(row: &Row) -> EventRecord {
    let visibility: String = row.get(5);
    EventRecord {
        track_id: row.get(0),
        id: row.get(1),
        name: row.get(2),
        starts_at_us: row.get(3),
        ends_at_us: row.get(4),
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Private),
        created_at_us: row.get(6),
        updated_at_us: row.get(7),
    }
}

fn scheduled_of(row: &Row) -> ScheduledSession {
    ScheduledSession {
        id: row.get(0),
        track_id: row.get(1),
        event_id: row.get(2),
        name: row.get(3),
        kind: row.get(4),
        scheduled_start_us: row.get(5),
        laps: to_u32(row.get(6)),
        duration_us: row.get(7),
        session_id: to_u32(row.get(8)),
        created_at_us: row.get(9),
        updated_at_us: row.get(10),
    }
}

fn unknown_event(track: &str, id: &str) -> ReadModelError {
    ReadModelError::NotFound(format!("track {track:?} has no event {id:?}"))
}

fn unknown_scheduled(event: &str, id: i64) -> ReadModelError {
    ReadModelError::NotFound(format!("event {event:?} has no planned session {id}"))
}

fn wide(v: Option<u32>) -> Option<i64> {
    v.map(i64::from)
}

#[async_trait]
impl ReadModels for PgReadModels {
    async fn create_track(&self, track: TrackRecord) -> Result<(), ReadModelError> {
        let client = self.client().await?;
        let inserted = client
            .execute(
                "INSERT INTO tracks (id, name, config, created_at_us, updated_at_us)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
                &[
                    &track.id,
                    &track.name,
                    &track.config.to_string(),
                    &track.created_at_us,
                    &track.updated_at_us,
                ],
            )
            .await
            .map_err(backend)?;
        if inserted == 0 {
            return Err(ReadModelError::Conflict(format!(
                "track {:?} already exists",
                track.id
            )));
        }
        Ok(())
    }

    async fn get_track(&self, id: &str) -> Result<Option<TrackRecord>, ReadModelError> {
        let client = self.client().await?;
        let sql = format!("SELECT {TRACK_COLUMNS} FROM tracks WHERE id = $1");
        let row = client.query_opt(&sql, &[&id]).await.map_err(backend)?;
        row.as_ref().map(track_of).transpose()
    }

    async fn list_tracks(&self) -> Result<Vec<TrackRecord>, ReadModelError> {
        let client = self.client().await?;
        let sql = format!("SELECT {TRACK_COLUMNS} FROM tracks ORDER BY id");
        let rows = client.query(&sql, &[]).await.map_err(backend)?;
        rows.iter().map(track_of).collect()
    }

    async fn update_track(&self, track: TrackRecord) -> Result<(), ReadModelError> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE tracks SET name = $2, config = $3, updated_at_us = $4 WHERE id = $1",
                &[
                    &track.id,
                    &track.name,
                    &track.config.to_string(),
                    &track.updated_at_us,
                ],
            )
            .await
            .map_err(backend)?;
        if changed == 0 {
            return Err(ReadModelError::NotFound(format!(
                "unknown track {:?}",
                track.id
            )));
        }
        Ok(())
    }

    async fn delete_track(&self, id: &str) -> Result<(), ReadModelError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let changed = tx
            .execute("DELETE FROM tracks WHERE id = $1", &[&id])
            .await
            .map_err(backend)?;
        if changed == 0 {
            return Err(ReadModelError::NotFound(format!("unknown track {id:?}")));
        }
        for table in ["events", "scheduled_sessions", "entries", "control_audit"] {
            tx.execute(&format!("DELETE FROM {table} WHERE track_id = $1"), &[&id])
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn create_event(&self, e: EventRecord) -> Result<(), ReadModelError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let track = tx
            .query_opt("SELECT 1 FROM tracks WHERE id = $1", &[&e.track_id])
            .await
            .map_err(backend)?;
        if track.is_none() {
            return Err(ReadModelError::NotFound(format!(
                "unknown track {:?}",
                e.track_id
            )));
        }
        let inserted = tx
            .execute(
                "INSERT INTO events (track_id, id, name, starts_at_us, ends_at_us, visibility,
                                     created_at_us, updated_at_us)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                &[
                    &e.track_id,
                    &e.id,
                    &e.name,
                    &e.starts_at_us,
                    &e.ends_at_us,
                    &e.visibility.as_str(),
                    &e.created_at_us,
                    &e.updated_at_us,
                ],
            )
            .await
            .map_err(backend)?;
        if inserted == 0 {
            return Err(ReadModelError::Conflict(format!(
                "event {:?} already exists at track {:?}",
                e.id, e.track_id
            )));
        }
        tx.commit().await.map_err(backend)
    }

    async fn get_event(
        &self,
        track: &str,
        id: &str,
    ) -> Result<Option<EventRecord>, ReadModelError> {
        let client = self.client().await?;
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE track_id = $1 AND id = $2");
        let row = client
            .query_opt(&sql, &[&track, &id])
            .await
            .map_err(backend)?;
        Ok(row.as_ref().map(event_of))
    }

    async fn list_events(&self, track: &str) -> Result<Vec<EventRecord>, ReadModelError> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE track_id = $1
             ORDER BY starts_at_us IS NULL, starts_at_us, id"
        );
        let rows = client.query(&sql, &[&track]).await.map_err(backend)?;
        Ok(rows.iter().map(event_of).collect())
    }

    async fn update_event(&self, e: EventRecord) -> Result<(), ReadModelError> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE events SET name = $3, starts_at_us = $4, ends_at_us = $5, visibility = $6,
                                   updated_at_us = $7
                 WHERE track_id = $1 AND id = $2",
                &[
                    &e.track_id,
                    &e.id,
                    &e.name,
                    &e.starts_at_us,
                    &e.ends_at_us,
                    &e.visibility.as_str(),
                    &e.updated_at_us,
                ],
            )
            .await
            .map_err(backend)?;
        if changed == 0 {
            return Err(unknown_event(&e.track_id, &e.id));
        }
        Ok(())
    }

    async fn delete_event(&self, track: &str, id: &str) -> Result<(), ReadModelError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let changed = tx
            .execute(
                "DELETE FROM events WHERE track_id = $1 AND id = $2",
                &[&track, &id],
            )
            .await
            .map_err(backend)?;
        if changed == 0 {
            return Err(unknown_event(track, id));
        }
        tx.execute(
            "DELETE FROM scheduled_sessions WHERE track_id = $1 AND event_id = $2",
            &[&track, &id],
        )
        .await
        .map_err(backend)?;
        tx.execute(
            "DELETE FROM entries WHERE track_id = $1 AND list = $2",
            &[&track, &id],
        )
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn create_scheduled(
        &self,
        s: ScheduledSession,
    ) -> Result<ScheduledSession, ReadModelError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let event = tx
            .query_opt(
                "SELECT 1 FROM events WHERE track_id = $1 AND id = $2",
                &[&s.track_id, &s.event_id],
            )
            .await
            .map_err(backend)?;
        if event.is_none() {
            return Err(unknown_event(&s.track_id, &s.event_id));
        }
        let row = tx
            .query_one(
                "INSERT INTO scheduled_sessions (track_id, event_id, name, kind, scheduled_start_us,
                     laps, duration_us, session_id, created_at_us, updated_at_us)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &[
                    &s.track_id,
                    &s.event_id,
                    &s.name,
                    &s.kind,
                    &s.scheduled_start_us,
                    &wide(s.laps),
                    &s.duration_us,
                    &wide(s.session_id),
                    &s.created_at_us,
                    &s.updated_at_us,
                ],
            )
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(ScheduledSession {
            id: row.get(0),
            ..s
        })
    }

    async fn get_scheduled(
        &self,
        track: &str,
        event: &str,
        id: i64,
    ) -> Result<Option<ScheduledSession>, ReadModelError> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {SCHEDULED_COLUMNS} FROM scheduled_sessions
             WHERE track_id = $1 AND event_id = $2 AND id = $3"
        );
        let row = client
            .query_opt(&sql, &[&track, &event, &id])
            .await
            .map_err(backend)?;
        Ok(row.as_ref().map(scheduled_of))
    }

    async fn list_scheduled(
        &self,
        track: &str,
        event: &str,
    ) -> Result<Vec<ScheduledSession>, ReadModelError> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {SCHEDULED_COLUMNS} FROM scheduled_sessions
             WHERE track_id = $1 AND event_id = $2
             ORDER BY scheduled_start_us IS NULL, scheduled_start_us, id"
        );
        let rows = client
            .query(&sql, &[&track, &event])
            .await
            .map_err(backend)?;
        Ok(rows.iter().map(scheduled_of).collect())
    }

    async fn update_scheduled(&self, s: ScheduledSession) -> Result<(), ReadModelError> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE scheduled_sessions SET name = $4, kind = $5, scheduled_start_us = $6,
                     laps = $7, duration_us = $8, session_id = $9, updated_at_us = $10
                 WHERE track_id = $1 AND event_id = $2 AND id = $3",
                &[
                    &s.track_id,
                    &s.event_id,
                    &s.id,
                    &s.name,
                    &s.kind,
                    &s.scheduled_start_us,
                    &wide(s.laps),
                    &s.duration_us,
                    &wide(s.session_id),
                    &s.updated_at_us,
                ],
            )
            .await
            .map_err(backend)?;
        if changed == 0 {
            return Err(unknown_scheduled(&s.event_id, s.id));
        }
        Ok(())
    }

    async fn delete_scheduled(
        &self,
        track: &str,
        event: &str,
        id: i64,
    ) -> Result<(), ReadModelError> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "DELETE FROM scheduled_sessions WHERE track_id = $1 AND event_id = $2 AND id = $3",
                &[&track, &event, &id],
            )
            .await
            .map_err(backend)?;
        if changed == 0 {
            return Err(unknown_scheduled(event, id));
        }
        Ok(())
    }

    async fn list_entries(
        &self,
        track: &str,
        list: &EntryList,
    ) -> Result<Vec<EntryRecord>, ReadModelError> {
        let client = self.client().await?;
        entries::list(&client, track, list).await
    }

    async fn get_entry(
        &self,
        track: &str,
        list: &EntryList,
        number: &str,
    ) -> Result<Option<EntryRecord>, ReadModelError> {
        let client = self.client().await?;
        entries::get(&client, track, list, number).await
    }

    async fn import_entries(
        &self,
        track: &str,
        list: &EntryList,
        items: Vec<EntryRecord>,
        mode: ImportMode,
        now_us: i64,
    ) -> Result<ImportOutcome, ReadModelError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        // Imports into one list are serialised (the checks read the list first).
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            &[&format!("{track}\u{1f}{}", list.key())],
        )
        .await
        .map_err(backend)?;
        let outcome = entries::import(&tx, track, list, items, mode, now_us).await?;
        tx.commit().await.map_err(backend)?;
        Ok(outcome)
    }

    async fn delete_entry(
        &self,
        track: &str,
        list: &EntryList,
        number: &str,
    ) -> Result<EntryRecord, ReadModelError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let entry = entries::get(&tx, track, list, number)
            .await?
            .ok_or_else(|| {
                ReadModelError::NotFound(format!("the entry list has no number {number:?}"))
            })?;
        entries::remove(&tx, track, list, number).await?;
        tx.commit().await.map_err(backend)?;
        Ok(entry)
    }

    async fn record_audit(&self, audit: ControlAudit) -> Result<(), ReadModelError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO control_audit
                     (event_id, track_id, actor, remote_addr, user_agent, via, received_at_us)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (event_id) DO NOTHING",
                &[
                    &audit.event_id,
                    &audit.track_id,
                    &audit.actor,
                    &audit.remote_addr,
                    &audit.user_agent,
                    &audit.via,
                    &audit.received_at_us,
                ],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }
}
