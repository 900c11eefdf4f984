//! Entry-list rules every catalog backend applies the same way: the size limit, the
//! order of race numbers, and the refusals of an import (a number or transponder given
//! twice, a transponder another kept entry carries). Pure functions, no storage.

use super::{EntryRecord, ImportMode, ItemError};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Most entries one list may hold.
pub const MAX_ENTRIES: usize = 10_000;

/// Numbers that are whole numbers first, by value, then the others by text.
pub fn number_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Refusals within the import itself: a number or a transponder given twice.
pub fn repeats(entries: &[EntryRecord]) -> Vec<ItemError> {
    let mut errors = Vec::new();
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let mut transponders: HashMap<&str, usize> = HashMap::new();
    for (index, e) in entries.iter().enumerate() {
        if let Some(first) = numbers.insert(&e.number, index) {
            numbers.insert(&e.number, first);
            errors.push(item(
                index,
                "number",
                format!("number {:?} is already given by item {first}", e.number),
            ));
        }
        for t in &e.transponders {
            if let Some(first) = transponders.insert(t, index) {
                transponders.insert(t, first);
                errors.push(item(
                    index,
                    "transponders",
                    format!("transponder {t:?} is already given by item {first}"),
                ));
            }
        }
    }
    errors
}

fn item(index: usize, field: &str, reason: String) -> ItemError {
    ItemError {
        index,
        field: Some(field.to_owned()),
        reason,
    }
}

/// Refusals against the stored list: a transponder that an entry kept by this write
/// (merge mode: every entry not given) already carries.
pub fn clashes(
    existing: &BTreeMap<String, EntryRecord>,
    entries: &[EntryRecord],
    mode: ImportMode,
) -> Vec<ItemError> {
    if mode == ImportMode::Replace {
        return Vec::new();
    }
    let given: HashSet<&str> = entries.iter().map(|e| e.number.as_str()).collect();
    let kept: HashMap<&str, &str> = existing
        .values()
        .filter(|e| !given.contains(e.number.as_str()))
        .flat_map(|e| {
            e.transponders
                .iter()
                .map(move |t| (t.as_str(), e.number.as_str()))
        })
        .collect();
    let mut errors = Vec::new();
    for (index, e) in entries.iter().enumerate() {
        for t in &e.transponders {
            if let Some(owner) = kept.get(t.as_str()) {
                errors.push(item(
                    index,
                    "transponders",
                    format!("transponder {t:?} is carried by entry {owner:?} of this list"),
                ));
            }
        }
    }
    errors
}

/// Whether an import would change nothing of a stored entry (timestamps aside).
pub fn same_fields(a: &EntryRecord, b: &EntryRecord) -> bool {
    a.name == b.name && a.class == b.class && a.transponders == b.transponders && a.grid == b.grid
}
