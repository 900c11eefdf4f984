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
    /// Problems reported (bad frames, junk, undecodable lines).
    pub errors: u64,
}

impl Summary {
    /// Counts one decoded message of type `kind`.
    pub fn message(&mut self, kind: &str) {
        self.messages += 1;
        match self.types.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                self.types.insert(kind.to_owned(), 1);
            }
        }
    }

    /// Counts one problem.
    pub fn problem(&mut self) {
        self.errors += 1;
    }
}
