//! Catalog SQL: entry lists, with the checks that keep numbers and transponders unique in
//! a list, all inside the caller's transaction.
//!
//! # Layout
//! - `list`, `get`, `delete`; `import` with its checks (`readmodel::entry_rules`) and writes (`write`, `upsert`, `remove`).

use super::backend;
use crate::readmodel::entry_rules::{MAX_ENTRIES, clashes, number_order, repeats, same_fields};
use crate::readmodel::{EntryList, EntryRecord, ImportMode, ImportOutcome, ReadModelError};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::{BTreeMap, HashSet};

const COLUMNS: &str = "number, name, class, transponders, grid, created_at_us, updated_at_us";

fn entry_of(row: &Row<'_>) -> rusqlite::Result<(EntryRecord, String)> {
    let transponders: String = row.get(3)?;
    Ok((
        EntryRecord {
            number: row.get(0)?,
            name: row.get(1)?,
            class: row.get(2)?,
            transponders: Vec::new(),
            grid: row.get(4)?,
            created_at_us: row.get(5)?,
            updated_at_us: row.get(6)?,
        },
        transponders,
    ))
}

fn decode((mut entry, transponders): (EntryRecord, String)) -> Result<EntryRecord, ReadModelError> {
    entry.transponders = serde_json::from_str(&transponders).map_err(|e| {
        ReadModelError::Backend(format!(
            "transponders of entry {} are not JSON: {e}",
            entry.number
        ))
    })?;
    Ok(entry)
}

/// `NotFound` unless the track (and the event, for an event's list) exists.
fn check_list(c: &Connection, track: &str, list: &EntryList) -> Result<(), ReadModelError> {
    let track_known: Option<i64> = c
        .query_row("SELECT 1 FROM tracks WHERE id = ?1", params![track], |r| {
            r.get(0)
        })
        .optional()
        .map_err(backend)?;
    if track_known.is_none() {
        return Err(ReadModelError::NotFound(format!("unknown track {track:?}")));
    }
    if let EntryList::Event(id) = list
        && super::events::get_event(c, track, id)?.is_none()
    {
        return Err(ReadModelError::NotFound(format!(
            "track {track:?} has no event {id:?}"
        )));
    }
    Ok(())
}

pub(super) fn list(
    c: &Connection,
    track: &str,
    list: &EntryList,
) -> Result<Vec<EntryRecord>, ReadModelError> {
    check_list(c, track, list)?;
    let mut entries = c
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM entries WHERE track_id = ?1 AND list = ?2"
        ))
        .map_err(backend)?
        .query_map(params![track, list.key()], entry_of)
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?
        .into_iter()
        .map(decode)
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort_by(|a, b| number_order(&a.number, &b.number));
    Ok(entries)
}

pub(super) fn get(
    c: &Connection,
    track: &str,
    list: &EntryList,
    number: &str,
) -> Result<Option<EntryRecord>, ReadModelError> {
    check_list(c, track, list)?;
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM entries WHERE track_id = ?1 AND list = ?2 AND number = ?3"
    ))
    .map_err(backend)?
    .query_row(params![track, list.key(), number], entry_of)
    .optional()
    .map_err(backend)?
    .map(decode)
    .transpose()
}

/// Upserts `entries` into a list (and in replace mode removes the others).
pub(super) fn import(
    c: &Connection,
    track: &str,
    list: &EntryList,
    entries: Vec<EntryRecord>,
    mode: ImportMode,
    now_us: i64,
) -> Result<ImportOutcome, ReadModelError> {
    let existing: BTreeMap<String, EntryRecord> = self::list(c, track, list)?
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
            remove(c, track, list, &old.number)?;
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
    for entry in entries {
        write(c, track, list, &existing, entry, now_us, &mut outcome)?;
    }
    Ok(outcome)
}

/// Stores one entry of an import unless it is unchanged, recording what happened.
fn write(
    c: &Connection,
    track: &str,
    list: &EntryList,
    existing: &BTreeMap<String, EntryRecord>,
    mut entry: EntryRecord,
    now_us: i64,
    outcome: &mut ImportOutcome,
) -> Result<(), ReadModelError> {
    entry.updated_at_us = now_us;
    match existing.get(&entry.number) {
        Some(old) if same_fields(old, &entry) => outcome.unchanged += 1,
        Some(old) => {
            entry.created_at_us = old.created_at_us;
            upsert(c, track, list, &entry)?;
            outcome.updated.push(entry);
        }
        None => {
            entry.created_at_us = now_us;
            upsert(c, track, list, &entry)?;
            outcome.created.push(entry);
        }
    }
    Ok(())
}

fn upsert(
    c: &Connection,
    track: &str,
    list: &EntryList,
    e: &EntryRecord,
) -> Result<(), ReadModelError> {
    let transponders = serde_json::to_string(&e.transponders).map_err(backend)?;
    c.prepare_cached(
        "INSERT INTO entries (track_id, list, number, name, class, transponders, grid,
                              created_at_us, updated_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (track_id, list, number) DO UPDATE SET
             name = excluded.name, class = excluded.class, transponders = excluded.transponders,
             grid = excluded.grid, updated_at_us = excluded.updated_at_us",
    )
    .map_err(backend)?
    .execute(params![
        track,
        list.key(),
        e.number,
        e.name,
        e.class,
        transponders,
        e.grid,
        e.created_at_us,
        e.updated_at_us
    ])
    .map_err(backend)?;
    Ok(())
}

fn remove(
    c: &Connection,
    track: &str,
    list: &EntryList,
    number: &str,
) -> Result<usize, ReadModelError> {
    c.execute(
        "DELETE FROM entries WHERE track_id = ?1 AND list = ?2 AND number = ?3",
        params![track, list.key(), number],
    )
    .map_err(backend)
}

/// Removes one entry and returns it.
pub(super) fn delete(
    c: &Connection,
    track: &str,
    list: &EntryList,
    number: &str,
) -> Result<EntryRecord, ReadModelError> {
    let entry = get(c, track, list, number)?.ok_or_else(|| {
        ReadModelError::NotFound(format!("the entry list has no number {number:?}"))
    })?;
    remove(c, track, list, number)?;
    Ok(entry)
}
