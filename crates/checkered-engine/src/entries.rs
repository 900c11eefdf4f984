//! The track's competitor registry: who carries which transponder, under which number,
//! name and class. Sessions refer to entries by index, so names follow corrections.
//!
//! # Layout
//! - [`Entry`]: one competitor.
//! - [`Entries`]: the registry with its lookup indexes.
//! - `KeyIndex`: a hash index for the per-passing lookups that serialises sorted, so
//!   snapshots stay byte-stable whatever the hash order.

use crate::event::CarNumber;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiply-rotate hasher for short keys (transponders, numbers): the passing
/// lookup is on the hot path and SipHash dominated it. Keys come from the track's own
/// decoder and feed, so flooding protection is not needed here.
#[derive(Clone, Copy, Debug, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word.iter_mut().zip(chunk).for_each(|(w, b)| *w = *b);
            let word = u64::from_le_bytes(word);
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type KeyMap = HashMap<String, u32, BuildHasherDefault<KeyHasher>>;

/// Text key → entry index. Hashing keeps the hot passing lookup cheap; it is never
/// iterated for output except sorted, in `serialize`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct KeyIndex(KeyMap);

impl KeyIndex {
    fn get(&self, key: &str) -> Option<&u32> {
        self.0.get(key)
    }

    fn insert(&mut self, key: String, id: u32) {
        self.0.insert(key, id);
    }

    fn remove(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn values(&self) -> impl Iterator<Item = &u32> {
        self.0.values()
    }
}

impl Serialize for KeyIndex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let sorted: BTreeMap<&String, &u32> = self.0.iter().collect();
        sorted.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for KeyIndex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        KeyMap::deserialize(deserializer).map(KeyIndex)
    }
}

/// One competitor as the track knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The feed's key (`$A` reg_no); race-control entries use the number.
    pub reg_no: String,
    /// Number shown on the board.
    pub number: CarNumber,
    /// First name (or team).
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Team or nationality.
    pub team: String,
    /// Class id (see [`Entries::class_name`]).
    pub class_id: Option<u32>,
    /// Transponders mapped to this entry.
    pub transponders: Vec<String>,
    /// Grid position for cars that have not crossed yet.
    pub grid: Option<u32>,
    /// False when the entry was created from an unknown transponder's passing.
    pub registered: bool,
}

impl Entry {
    /// "First Last", trimmed, as the board shows it.
    pub fn display_name(&self) -> String {
        let first = self.first_name.trim();
        let last = self.last_name.trim();
        match (first.is_empty(), last.is_empty()) {
            (false, false) => format!("{first} {last}"),
            (false, true) => first.to_owned(),
            _ => last.to_owned(),
        }
    }
}

/// The registry: entries in first-seen order plus lookup indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entries {
    list: Vec<Entry>,
    by_reg: KeyIndex,
    by_number: KeyIndex,
    by_transponder: KeyIndex,
    classes: BTreeMap<u32, String>,
}

impl Entries {
    /// Entry by index.
    pub fn get(&self, id: u32) -> Option<&Entry> {
        self.list.get(id as usize)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when no entry is known.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The entry a feed key names.
    pub fn by_reg(&self, reg_no: &str) -> Option<u32> {
        self.by_reg.get(reg_no).copied()
    }

    /// The entry a car number names.
    pub fn by_number(&self, number: &str) -> Option<u32> {
        self.by_number.get(number).copied()
    }

    /// The entry carrying a transponder.
    pub fn by_transponder(&self, transponder: &str) -> Option<u32> {
        self.by_transponder.get(transponder).copied()
    }

    /// Class name of a class id.
    pub fn class_name(&self, id: Option<u32>) -> Option<&str> {
        id.and_then(|id| self.classes.get(&id)).map(String::as_str)
    }

    /// The number of an entry, or empty text for a bad index.
    pub fn number(&self, id: u32) -> CarNumber {
        self.get(id).map(|e| e.number.clone()).unwrap_or_default()
    }

    /// Sets a class name; returns true when it changed.
    pub fn set_class(&mut self, id: u32, name: &str) -> bool {
        if self.classes.get(&id).is_some_and(|n| n == name) {
            return false;
        }
        self.classes.insert(id, name.to_owned());
        true
    }

    /// The class id with this name, created when new (race-control entries name classes).
    pub fn class_id_for(&mut self, name: &str) -> u32 {
        if let Some((id, _)) = self.classes.iter().find(|(_, n)| *n == name) {
            return *id;
        }
        let id = self
            .classes
            .keys()
            .next_back()
            .map_or(1, |m| m.saturating_add(1));
        self.classes.insert(id, name.to_owned());
        id
    }

    /// Finds the entry keyed `reg_no` or creates it; returns its index.
    pub fn ensure_reg(&mut self, reg_no: &str) -> u32 {
        if let Some(id) = self.by_reg(reg_no) {
            return id;
        }
        self.push(Entry {
            reg_no: reg_no.to_owned(),
            number: reg_no.into(),
            registered: true,
            ..Entry::default()
        })
    }

    /// Finds the entry carrying `transponder` or creates an unregistered one numbered after
    /// it, so unknown transponders still show on the board.
    pub fn ensure_transponder(&mut self, transponder: &str) -> u32 {
        if let Some(id) = self.by_transponder(transponder) {
            return id;
        }
        let id = self.push(Entry {
            reg_no: transponder.to_owned(),
            number: transponder.into(),
            transponders: vec![transponder.to_owned()],
            registered: false,
            ..Entry::default()
        });
        self.by_transponder.insert(transponder.to_owned(), id);
        id
    }

    /// Replaces entry `id` with `new`, keeping indexes in step; returns true if it changed.
    pub fn update(&mut self, id: u32, new: Entry) -> bool {
        let Some(old) = self.list.get(id as usize) else {
            return false;
        };
        if *old == new {
            return false;
        }
        let old = old.clone();
        remove_if(&mut self.by_reg, &old.reg_no, id);
        remove_if(&mut self.by_number, &old.number, id);
        for t in &old.transponders {
            remove_if(&mut self.by_transponder, t, id);
        }
        self.index(id, &new);
        if let Some(slot) = self.list.get_mut(id as usize) {
            *slot = new;
        }
        true
    }

    fn push(&mut self, entry: Entry) -> u32 {
        let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.index(id, &entry);
        self.list.push(entry);
        id
    }

    fn index(&mut self, id: u32, entry: &Entry) {
        self.by_reg.insert(entry.reg_no.clone(), id);
        self.by_number.insert(entry.number.to_string(), id);
        for t in &entry.transponders {
            self.by_transponder.insert(t.clone(), id);
        }
    }

    /// Checks that every index points at an existing entry (restoring untrusted snapshots).
    pub(crate) fn is_consistent(&self) -> bool {
        let n = self.list.len();
        [&self.by_reg, &self.by_number, &self.by_transponder]
            .iter()
            .all(|m| m.values().all(|&id| (id as usize) < n))
    }
}

fn remove_if(map: &mut KeyIndex, key: &str, id: u32) {
    if map.get(key) == Some(&id) {
        map.remove(key);
    }
}
