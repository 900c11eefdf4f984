//! The relay's state, shared by its tasks and shown as one status line (on a terminal)
//! or logged as JSON (otherwise).
//!
//! # Layout
//! - [`Status`]: the cheap-to-clone handle every task updates.
//! - [`StatusData`]: the state itself; [`StatusData::line`] renders the status line.
//! - [`Link`]: the state of the decoder link and of the server link.

use serde::Serialize;
use std::sync::{Arc, Mutex, PoisonError};

/// The state of one link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum Link {
    /// Not tried yet, or connecting.
    #[default]
    Connecting,
    /// Working; the detail says to what.
    Up(String),
    /// Not working; the detail says why.
    Down(String),
    /// The source has ended (a file read to its end).
    Done,
}

impl Link {
    fn show(&self) -> String {
        match self {
            Link::Connecting => "connecting".into(),
            Link::Up(what) => format!("up ({what})"),
            Link::Down(why) => format!("DOWN ({why})"),
            Link::Done => "done".into(),
        }
    }
}

/// Everything the status line shows, and the counters behind the exit summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusData {
    /// The decoder, feed or file.
    pub source: Link,
    /// The server's ingest.
    pub server: Link,
    /// Durable events not yet acknowledged.
    pub spooled: u64,
    /// Their bytes.
    pub spooled_bytes: u64,
    /// When the oldest unacknowledged event was spooled, µs since the epoch.
    pub oldest_unsent_us: Option<i64>,
    /// The spool is at its limit: the relay has stopped reading.
    pub spool_full: bool,
    /// Messages read and spooled by this run.
    pub read: u64,
    /// Events acknowledged by the server in this run.
    pub sent: u64,
    /// … of which newly stored.
    pub accepted: u64,
    /// … of which already stored (retries).
    pub duplicates: u64,
    /// … of which refused (in the server's dead letters).
    pub rejected: u64,
    /// Frames or lines that failed their checks (CRC, framing, syntax), never forwarded.
    pub bad_frames: u64,
    /// Junk bytes between frames.
    pub junk_bytes: u64,
    /// RESEND requests sent to the decoder.
    pub resends: u64,
    /// Duplicate passings (resend overlap) dropped.
    pub duplicate_passings: u64,
    /// Passings the decoder never resent (reported, not recoverable).
    pub lost_passings: u64,
    /// Decoder clock minus relay clock, µs (P3, from GET_TIME).
    pub clock_offset_us: Option<i64>,
}

impl StatusData {
    /// The one-line summary: links, spool, oldest unsent age, send rate.
    pub fn line(&self, now_us: i64, sent_per_sec: f64) -> String {
        let age = self.oldest_unsent_us.map_or_else(
            || "-".to_owned(),
            |t| format!("{:.1}s", (now_us - t).max(0) as f64 / 1e6),
        );
        let full = if self.spool_full {
            " SPOOL FULL, not reading"
        } else {
            ""
        };
        let clock = self
            .clock_offset_us
            .map_or_else(String::new, |o| format!(" clock {:+.3}s", o as f64 / 1e6));
        let bad = if self.bad_frames > 0 {
            format!(" | bad frames {}", self.bad_frames)
        } else {
            String::new()
        };
        format!(
            "source {}{clock} | server {} | spooled {} ({} B){full} | oldest unsent {age} | sent {:.1}/s{bad}",
            self.source.show(),
            self.server.show(),
            self.spooled,
            self.spooled_bytes,
            sent_per_sec,
        )
    }
}

/// A shared handle on the relay's [`StatusData`].
#[derive(Debug, Clone, Default)]
pub struct Status(Arc<Mutex<StatusData>>);

impl Status {
    /// Changes the state. The lock is never held across an await.
    pub fn update(&self, change: impl FnOnce(&mut StatusData)) {
        let mut data = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut data);
    }

    /// A copy of the current state.
    pub fn snapshot(&self) -> StatusData {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_both_links_the_spool_and_the_rate() {
        let data = StatusData {
            source: Link::Up("10.0.0.5:5403".into()),
            server: Link::Down("connection refused".into()),
            spooled: 12,
            spooled_bytes: 3400,
            oldest_unsent_us: Some(1_000_000),
            spool_full: true,
            ..StatusData::default()
        };
        let line = data.line(3_500_000, 0.0);
        assert_eq!(
            line,
            "source up (10.0.0.5:5403) | server DOWN (connection refused) | spooled 12 (3400 B) SPOOL FULL, not reading | oldest unsent 2.5s | sent 0.0/s"
        );
    }
}
