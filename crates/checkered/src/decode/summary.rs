//! The one-line summary `decode` prints at the end.

use serde::Serialize;
use std::collections::BTreeMap;

/// Counts of what a decode run produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Messages decoded.
    pub messages: u64,
    /// Messages per type name.
    pub types: BTreeMap<String, u64>,
    /// Messages per feed (protocol), for RedMist logs, whose batches may mix protocols;
    /// empty, and left out of the JSON, otherwise.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub feeds: BTreeMap<String, u64>,
    /// Problems reported (bad frames, junk, undecodable lines).
    pub errors: u64,
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_owned(), 1);
        }
    }
}

impl Summary {
    /// Counts one decoded message of type `kind`, from `feed` if the input names one.
    pub fn message(&mut self, kind: &str, feed: Option<&str>) {
        self.messages += 1;
        bump(&mut self.types, kind);
        if let Some(feed) = feed {
            bump(&mut self.feeds, feed);
        }
    }

    /// Counts one problem.
    pub fn problem(&mut self) {
        self.errors += 1;
    }
}
