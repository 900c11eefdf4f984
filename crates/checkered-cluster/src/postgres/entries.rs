//! Entry lists on PostgreSQL, with the checks that keep numbers and transponders unique
//! in a list, inside the caller's transaction. The checks are the ones every backend shares
//! (`checkered_store::readmodel::entry_rules`), so both refuse the same imports alike.
//!
//! # Layout
//! - `list`, `get`, `remove`; `import` with the shared checks and `upsert`.

use super::backend;
use checkered_store::readmodel::entry_rules::{
    MAX_ENTRIES, clashes, number_order, repeats, same_fields,
};
use checkered_store::readmodel::{
    EntryList, EntryRecord, ImportMode, ImportOutcome, ReadModelError,
};
use deadpool_postgres::GenericClient;
use std::collections::{BTreeMap, HashSet};
use tokio_postgres::Row;

const COLUMNS: &str = "number, name, class, transponders, grid, created_at_us, updated_at_us";

fn entry_of(row: &Row) -> Result<EntryRecord, ReadModelError> {
    let number: String = row.get(0);
    let transponders: String = row.get(3);
    let transponders = serde_json::from_str(&transponders).map_err(|e| {
        ReadModelError::Backend(format!("transponders of entry {number} are not JSON: {e}"))
    })?;
    Ok(EntryRecord {
        number,
        name: row.get(1),
        class: row.get(2),
        transponders,
        grid: super::to_u32(row.get(4)),
        created_at_us: row.get(5),
        updated_at_us: row.get(6),
    })
}

/// `NotFound` unless the track (and the event, for an event's list) exists.
async fn check_list(
    c: &impl GenericClient,
    track: &str,
    list: &EntryList,
) -> Result<(), ReadModelError> {
    let known = c
        .query_opt("SELECT 1 FROM tracks WHERE id = $1", &[&track])
        .await
        .map_err(backend)?;
    if known.is_none() {
        return Err(ReadModelError::NotFound(format!("unknown track {track:?}")));
    }
    if let EntryList::Event(id) = list {
        let event = c
            .query_opt(
                "SELECT 1 FROM events WHERE track_id = $1 AND id = $2",
                &[&track, id],
            )
            .await
            .map_err(backend)?;
        if event.is_none() {
            return Err(ReadModelError::NotFound(format!(
                "track {track:?} has no event {id:?}"
            )));
        }
    }
    Ok(())
}

pub(super) async fn list(
    c: &impl GenericClient,
    track: &str,
    list: &EntryList,
) -> Result<Vec<EntryRecord>, ReadModelError> {
    check_list(c, track, list).await?;
    let sql = format!("SELECT {COLUMNS} FROM entries WHERE track_id = $1 AND list = $2");
    let rows = c
        .query(&sql, &[&track, &list.key()])
        .await
        .map_err(backend)?;
    let mut entries = rows.iter().map(entry_of).collect::<Result<Vec<_>, _>>()?;
    entries.sort_by(|a, b| number_order(&a.number, &b.number));
    Ok(entries)
}

pub(super) async fn get(
    c: &impl GenericClient,
    track: &str,
    list: &EntryList,
    number: &str,
) -> Result<Option<EntryRecord>, ReadModelError> {
    check_list(c, track, list).await?;
    let sql =
        format!("SELECT {COLUMNS} FROM entries WHERE track_id = $1 AND list = $2 AND number = $3");
    let row = c
        .query_opt(&sql, &[&track, &list.key(), &number])
        .await
        .map_err(backend)?;
    row.as_ref().map(entry_of).transpose()
}

/// Upserts `entries` into a list (and in replace mode removes the others).
pub(super) async fn import(
    c: &impl GenericClient,
    track: &str,
    list: &EntryList,
    entries: Vec<EntryRecord>,
    mode: ImportMode,
    now_us: i64,
) -> Result<ImportOutcome, ReadModelError> {
    let existing: BTreeMap<String, EntryRecord> = self::list(c, track, list)
        .await?
        .into_iter()
        .map(|e| (e.number.clone(), e))
        .collect();
    let mut errors = repeats(&entries);
    errors.extend(clashes(&existing, &entries, mode));
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.index);
        return Err(ReadModelError::Rejected(errors));
    }
    let mut outcome = ImportOutcome::default();
    if mode == ImportMode::Replace {
        let given: HashSet<&str> = entries.iter().map(|e| e.number.as_str()).collect();
        for old in existing
            .values()
            .filter(|e| !given.contains(e.number.as_str()))
        {
            remove(c, track, list, &old.number).await?;
            outcome.removed.push(old.clone());
        }
    }
    let kept = existing.len() - outcome.removed.len();
    let new = entries
        .iter()
        .filter(|e| !existing.contains_key(&e.number))
        .count();
    if kept + new > MAX_ENTRIES {
        return Err(ReadModelError::Invalid(format!(
            "an entry list holds at most {MAX_ENTRIES} entries; this one would hold {}",
            kept + new
        )));
    }
    for mut entry in entries {
        entry.updated_at_us = now_us;
        match existing.get(&entry.number) {
            Some(old) if same_fields(old, &entry) => outcome.unchanged += 1,
            Some(old) => {
                entry.created_at_us = old.created_at_us;
                upsert(c, track, list, &entry).await?;
                outcome.updated.push(entry);
            }
            None => {
                entry.created_at_us = now_us;
                upsert(c, track, list, &entry).await?;
                outcome.created.push(entry);
            }
        }
    }
    Ok(outcome)
}

async fn upsert(
    c: &impl GenericClient,
    track: &str,
    list: &EntryList,
    e: &EntryRecord,
) -> Result<(), ReadModelError> {
    let transponders = serde_json::to_string(&e.transponders).map_err(backend)?;
    let grid = e.grid.map(i64::from);
    c.execute(
        "INSERT INTO entries (track_id, list, number, name, class, transponders, grid,
                              created_at_us, updated_at_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (track_id, list, number) DO UPDATE SET
             name = excluded.name, class = excluded.class, transponders = excluded.transponders,
             grid = excluded.grid, updated_at_us = excluded.updated_at_us",
        &[
            &track,
            &list.key(),
            &e.number,
            &e.name,
            &e.class,
            &transponders,
            &grid,
            &e.created_at_us,
            &e.updated_at_us,
        ],
    )
    .await
    .map_err(backend)?;
    Ok(())
}

pub(super) async fn remove(
    c: &impl GenericClient,
    track: &str,
    list: &EntryList,
    number: &str,
) -> Result<u64, ReadModelError> {
    c.execute(
        "DELETE FROM entries WHERE track_id = $1 AND list = $2 AND number = $3",
        &[&track, &list.key(), &number],
    )
    .await
    .map_err(backend)
}
