//! The catalog's rows: what officials define. Times are µs since the epoch (UTC).
//!
//! # Layout
//! - [`TrackRecord`]; [`EventRecord`] with [`Visibility`]; [`ScheduledSession`].
//! - Entry lists: [`EntryList`], [`EntryRecord`], [`ImportMode`], [`ImportOutcome`],
//!   [`ItemError`].
//! - [`ControlAudit`]: who sent a race-control intent, from where.

use serde::Serialize;

/// A track: client-chosen slug id, name and the engine configuration (stored opaque).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRecord {
    /// Slug id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The engine's `TrackConfig` as JSON.
    pub config: serde_json::Value,
    /// Creation time, µs since the epoch.
    pub created_at_us: i64,
    /// Last change, µs since the epoch.
    pub updated_at_us: i64,
}

/// Who may see an event (enforced by the server's policy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone.
    #[default]
    Public,
    /// Anyone with the event's access code (not listed); the organisation always.
    Unlisted,
    /// Only the organisation.
    Private,
}

impl Visibility {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "public" => Some(Visibility::Public),
            "unlisted" => Some(Visibility::Unlisted),
            "private" => Some(Visibility::Private),
            _ => None,
        }
    }
}

/// An event (meeting) at a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRecord {
    /// The track it is held at.
    pub track_id: String,
    /// Slug id, unique per track.
    pub id: String,
    /// Display name.
    pub name: String,
    /// First moment of the meeting, when known.
    pub starts_at_us: Option<i64>,
    /// Last moment of the meeting, when known.
    pub ends_at_us: Option<i64>,
    /// Who may see it.
    pub visibility: Visibility,
    /// Creation time.
    pub created_at_us: i64,
    /// Last change.
    pub updated_at_us: i64,
}

/// A planned session of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledSession {
    /// Assigned by the store on creation (ignored on input).
    pub id: i64,
    /// The track.
    pub track_id: String,
    /// The event it belongs to.
    pub event_id: String,
    /// Display name ("Qualifying 1").
    pub name: String,
    /// How it is ranked (`practice`, `qualifying`, `race`, `moto`), when planned.
    pub kind: Option<String>,
    /// Planned start.
    pub scheduled_start_us: Option<i64>,
    /// Planned distance in laps.
    pub laps: Option<u32>,
    /// Planned duration, µs.
    pub duration_us: Option<i64>,
    /// The engine session that ran it, once linked.
    pub session_id: Option<u32>,
    /// Creation time.
    pub created_at_us: i64,
    /// Last change.
    pub updated_at_us: i64,
}

/// Which entry list of a track: its own, or one of its events'.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntryList {
    /// The track's own list (clubs that do not plan events).
    Track,
    /// The list of an event of the track.
    Event(String),
}

impl EntryList {
    /// The stored key: empty for the track's list, else the event id.
    pub fn key(&self) -> &str {
        match self {
            EntryList::Track => "",
            EntryList::Event(id) => id,
        }
    }
}

/// One competitor of an entry list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRecord {
    /// Car/rider number, unique in the list.
    pub number: String,
    /// Driver, rider or team name.
    pub name: String,
    /// Class name.
    pub class: Option<String>,
    /// Transponders carried; each is on at most one entry of the list.
    pub transponders: Vec<String>,
    /// Grid position.
    pub grid: Option<u32>,
    /// Creation time (set by the store).
    pub created_at_us: i64,
    /// Last change (set by the store).
    pub updated_at_us: i64,
}

/// How an import treats entries already in the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImportMode {
    /// Upsert by number; entries not in the import stay.
    #[default]
    Merge,
    /// The import becomes the list: entries not in it are removed.
    Replace,
}

/// What an import or a single write changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// New entries.
    pub created: Vec<EntryRecord>,
    /// Entries whose fields changed.
    pub updated: Vec<EntryRecord>,
    /// Entries given again unchanged.
    pub unchanged: usize,
    /// Entries removed (replace mode, or a delete).
    pub removed: Vec<EntryRecord>,
}

/// Why one item of a batch was refused; `index` is its place in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemError {
    /// 0-based index in the call's input.
    pub index: usize,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

/// Who submitted a race-control intent and from where, as far as the server knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlAudit {
    /// The raw event the intent was logged as.
    pub event_id: String,
    /// The track.
    pub track_id: String,
    /// The authenticated identity (none until authentication lands).
    pub actor: Option<String>,
    /// The peer address of the request.
    pub remote_addr: Option<String>,
    /// The request's `User-Agent`.
    pub user_agent: Option<String>,
    /// Which API submitted it (`control`, `entries`, …).
    pub via: String,
    /// When the server received it.
    pub received_at_us: i64,
}
