//! What an entry-list change tells the engine: one `set_entries` intent.
//!
//! The engine matches a spec to an existing entry by number, else by a transponder that
//! entry carries (so a transponder seen before the import takes the imported number). A
//! transponder moving from one number to another must therefore leave its old entry first:
//! the intent starts by detaching the transponders of every removed or changed entry, then
//! gives the created and changed entries in full. The engine keeps entries it knows (it has
//! no removal); a removed entry keeps its number and name but no transponder.
//!
//! # Layout
//! - [`intent_for`]: the intent for a stored change; [`intent_for_list`]: for a whole list.

use checkered_engine::{ControlIntent, EntrySpec};
use checkered_store::readmodel::{EntryRecord, ImportOutcome};

fn spec(entry: &EntryRecord, with_transponders: bool) -> EntrySpec {
    EntrySpec {
        number: entry.number.clone(),
        name: entry.name.clone(),
        class: entry.class.clone(),
        transponders: if with_transponders {
            entry.transponders.clone()
        } else {
            Vec::new()
        },
        grid: entry.grid,
    }
}

/// The intent for a stored change, if it changed anything.
pub fn intent_for(outcome: &ImportOutcome) -> Option<ControlIntent> {
    let detach = outcome
        .removed
        .iter()
        .chain(&outcome.updated)
        .map(|e| spec(e, false));
    let give = outcome
        .created
        .iter()
        .chain(&outcome.updated)
        .map(|e| spec(e, true));
    let entries: Vec<EntrySpec> = detach.chain(give).collect();
    (!entries.is_empty()).then_some(ControlIntent::SetEntries { entries })
}

/// The intent giving a whole list (a resync, or activating an event's list).
pub fn intent_for_list(entries: &[EntryRecord]) -> Option<ControlIntent> {
    let entries: Vec<EntrySpec> = entries.iter().map(|e| spec(e, true)).collect();
    (!entries.is_empty()).then_some(ControlIntent::SetEntries { entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(number: &str, transponder: &str) -> EntryRecord {
        EntryRecord {
            number: number.into(),
            name: format!("N{number}"),
            class: None,
            transponders: vec![transponder.into()],
            grid: None,
            created_at_us: 0,
            updated_at_us: 0,
        }
    }

    #[test]
    fn transponders_leave_removed_and_changed_entries_first() {
        let outcome = ImportOutcome {
            created: vec![entry("4", "2")],
            updated: vec![entry("1", "9")],
            unchanged: 3,
            removed: vec![entry("2", "2")],
        };
        let Some(ControlIntent::SetEntries { entries }) = intent_for(&outcome) else {
            panic!("expected set_entries");
        };
        let order: Vec<(&str, usize)> = entries
            .iter()
            .map(|e| (e.number.as_str(), e.transponders.len()))
            .collect();
        assert_eq!(order, [("2", 0), ("1", 0), ("4", 1), ("1", 1)]);
        assert!(intent_for(&ImportOutcome::default()).is_none());
    }
}
