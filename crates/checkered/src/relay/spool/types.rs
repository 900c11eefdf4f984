//! The values the spool takes and gives.

use super::entry::Resume;
use checkered_protocol::contract::Envelope;

/// One message read from a source, before it has an envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    /// When it was captured, µs since the epoch.
    pub captured_at_us: i64,
    /// Envelope message type (`PASSING`, `RMONITOR`, …).
    pub message_type: String,
    /// The decoded message, as the ingest contract wants it.
    pub payload: serde_json::Value,
    /// Position in the source (a file's message index), for resuming.
    pub src: Option<u64>,
}

/// Sizes the spool works with.
#[derive(Debug, Clone, Copy)]
pub struct SpoolOptions {
    /// Most bytes of unacknowledged records.
    pub limit_bytes: u64,
    /// A new segment starts when the current one would grow past this.
    pub segment_bytes: u64,
}

/// Where an unacknowledged record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Record id.
    pub rid: u64,
    /// Segment number.
    pub segment: u64,
    /// Offset of the record frame in the segment.
    pub offset: u64,
    /// Frame size in bytes.
    pub size: u32,
    /// When it was spooled, µs since the epoch.
    pub spooled_at_us: i64,
}

/// A spooled record read back for sending.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Record id.
    pub rid: u64,
    /// The envelope, identity included.
    pub envelope: Envelope,
}

/// The outcome of [`Spool::stage`].
#[derive(Debug)]
pub enum Staged {
    /// Enveloped and buffered; durable after the next [`Spool::commit`].
    Ok,
    /// No room below the limit: the message is handed back untouched.
    Full(Captured),
}

/// What opening the spool found.
#[derive(Debug, Clone, Default)]
pub struct OpenReport {
    /// Unacknowledged events from earlier runs, to be drained first.
    pub pending: u64,
    /// Bytes cut from the tail (a write interrupted by a crash; never sent).
    pub torn_bytes: u64,
    /// Bytes skipped in older segments (media damage).
    pub damaged_bytes: u64,
    /// Where this source stood at the end of the last run, if it was the same source.
    pub resumed: Option<Resume>,
}

/// Counts for the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpoolStats {
    /// Durable, unacknowledged events.
    pub pending_events: u64,
    /// Their bytes on disk.
    pub pending_bytes: u64,
    /// When the oldest of them was spooled, µs since the epoch.
    pub oldest_spooled_at_us: Option<i64>,
    /// Highest record id made durable.
    pub durable_rid: u64,
    /// Highest record id acknowledged.
    pub acked_rid: u64,
}
