//! What a spool record holds (JSON inside the frame): a segment's `start` entry, written
//! first in every segment, and one `event` entry per envelope.
//!
//! The `start` entry carries the source's [`Resume`] position as of the segment's
//! creation; replaying the events after it (with [`Resume::apply`]) gives the position
//! after the last durable event, so a restarted relay neither re-reads what it already
//! spooled (a file) nor forgets which passing number comes next (a P3 decoder).

use checkered_protocol::contract::Envelope;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One record of a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum Entry {
    /// First record of a segment.
    Start(Start),
    /// One spooled envelope.
    Event(Box<StoredEvent>),
}

/// The head of a segment: which boot wrote it and where its source stood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Start {
    /// The boot that writes the segment.
    pub boot_id: String,
    /// [`SourceSpec::identity`](crate::relay::config::SourceSpec::identity) of its source.
    pub source: String,
    /// Where the source stood when the segment began.
    pub resume: Resume,
    /// When the segment began, µs since the epoch.
    pub started_at_us: i64,
}

/// One envelope as spooled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Spool-wide record id: increasing, never reused, also across boots.
    pub rid: u64,
    /// Position of the message in its source (the message index of a file), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<u64>,
    /// When the relay spooled it, µs since the epoch.
    pub spooled_at_us: i64,
    /// The envelope, identity included, exactly as it is sent.
    pub envelope: Envelope,
}

/// Where a source stands: enough to continue after a restart without re-reading or
/// forgetting anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    /// File sources: index of the next message to read.
    #[serde(default)]
    pub file_next: u64,
    /// P3 sources: per decoder (its id, or `-`), the passing number expected next.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub passings: BTreeMap<String, u32>,
}

/// The decoder key of a P3 payload (`-` when it names no decoder).
pub fn decoder_key(payload: &serde_json::Value) -> String {
    payload
        .get("decoder_id")
        .and_then(serde_json::Value::as_u64)
        .map_or_else(|| "-".to_owned(), |d| d.to_string())
}

impl Resume {
    /// Moves the position past one spooled event.
    pub fn apply(&mut self, src: Option<u64>, envelope: &Envelope) {
        if let Some(index) = src {
            self.file_next = self.file_next.max(index + 1);
        }
        if envelope.message_type == "PASSING"
            && let Some(n) = envelope
                .payload
                .get("passing_number")
                .and_then(serde_json::Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
        {
            let slot = self.passings.entry(decoder_key(&envelope.payload));
            let next = advance(
                match &slot {
                    std::collections::btree_map::Entry::Occupied(o) => Some(*o.get()),
                    std::collections::btree_map::Entry::Vacant(_) => None,
                },
                n,
            );
            *slot.or_insert(next) = next;
        }
    }
}

/// A passing number this far below the expected one means the decoder's numbering
/// restarted (its memory was cleared), not a late resend.
pub const RESTART_BELOW: u32 = 1000;

/// The passing number expected after `n` arrived while `current` was expected: later
/// numbers move it forward, a late resend does not move it back, a restart resets it.
pub fn advance(current: Option<u32>, n: u32) -> u32 {
    match current {
        Some(c) if n < c && n.saturating_add(RESTART_BELOW) >= c => c,
        _ => n.saturating_add(1),
    }
}
