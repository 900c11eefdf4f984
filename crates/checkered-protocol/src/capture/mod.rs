//! Capture files: raw protocol bytes as recorded at a track, with or without capture
//! timestamps, split into [`CaptureItem`]s that a protocol decoder can consume.
//!
//! Splitting is pure and borrows from the input where it can. Every item carries the byte
//! offset of its data in the file, so a decoder error can point back into the capture. A bad
//! header or line gives a [`CaptureError`] and splitting goes on with the next one.
//!
//! Timestamps without a zone (RedMist headers, PuTTY headers, ISO 8601 without `Z` or an
//! offset) are taken as UTC; see [`time`](self::days_from_civil) for why.
//!
//! ```
//! use checkered_protocol::capture::{split, CaptureFormat};
//!
//! let log = b"##2025-04-26 13:58:48.222|multiloop\n$H\xa6N\r\n\n##2025-04-26 13:58:49.234\n$F,1\r\n";
//! let items: Vec<_> = split(CaptureFormat::RedmistLog, log).collect::<Result<_, _>>()?;
//! assert_eq!(items.len(), 2);
//! assert_eq!(items[0].captured_at_us, Some(1_745_675_928_222_000));
//! assert_eq!(items[0].source, Some("multiloop"));
//! assert_eq!(&*items[0].data, b"$H\xa6N\r\n");
//! # Ok::<(), checkered_protocol::capture::CaptureError>(())
//! ```
//!
//! # Layout
//! - this file: [`CaptureFormat`], [`CaptureItem`], [`split`] and its [`Split`] iterator.
//! - `time`: [`days_from_civil`] and timestamp parsing.
//! - `redmist`, `putty`, `lines`: one splitter per family of formats.
//! - `sniff`: [`sniff`], the format guess.
//! - `error`: [`CaptureError`].

mod error;
mod lines;
mod putty;
mod redmist;
mod sniff;
mod time;

pub use error::CaptureError;
pub use putty::HEADER_PREFIX as PUTTY_HEADER_PREFIX;
pub use sniff::sniff;
pub use time::days_from_civil;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// The capture-file formats Checkered reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaptureFormat {
    /// RedMist relay log: `##yyyy-MM-dd HH:mm:ss.fff[|type]` headers, each followed by a
    /// raw batch. One item per batch. CLI name `redmist-log` (or `redmist`).
    RedmistLog,
    /// One protocol line per text line, prefixed by an ISO 8601 time and a space. One item
    /// per line. CLI name `timestamped-lines` (or `timestamped`).
    TimestampedLines,
    /// Plain protocol text (RMonitor, Multiloop). One item, no timestamp. CLI name
    /// `raw-text` (or `text`).
    RawText,
    /// Raw P3 bytes. One item, no timestamp. CLI name `raw-binary` (or `binary`).
    RawBinary,
    /// One P3 frame per line in hex, optionally time-prefixed; `#` lines are comments. CLI
    /// name `p3-hex` (or `hex`).
    P3Hex,
    /// PuTTY binary log: a header with the session start, then raw bytes. One item per
    /// session. CLI name `putty-log` (or `putty`).
    PuttyLog,
}

impl CaptureFormat {
    /// Every format, for help texts and exhaustive tests.
    pub const ALL: [CaptureFormat; 6] = [
        CaptureFormat::RedmistLog,
        CaptureFormat::TimestampedLines,
        CaptureFormat::RawText,
        CaptureFormat::RawBinary,
        CaptureFormat::P3Hex,
        CaptureFormat::PuttyLog,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            CaptureFormat::RedmistLog => "redmist-log",
            CaptureFormat::TimestampedLines => "timestamped-lines",
            CaptureFormat::RawText => "raw-text",
            CaptureFormat::RawBinary => "raw-binary",
            CaptureFormat::P3Hex => "p3-hex",
            CaptureFormat::PuttyLog => "putty-log",
        }
    }
}

impl fmt::Display for CaptureFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`CaptureFormat::name`] or its short alias.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown capture format {0:?} (expected redmist-log, timestamped-lines, raw-text, raw-binary, p3-hex or putty-log)"
)]
pub struct UnknownFormat(pub String);

impl FromStr for CaptureFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let alias = |f: CaptureFormat| match f {
            CaptureFormat::RedmistLog => "redmist",
            CaptureFormat::TimestampedLines => "timestamped",
            CaptureFormat::RawText => "text",
            CaptureFormat::RawBinary => "binary",
            CaptureFormat::P3Hex => "hex",
            CaptureFormat::PuttyLog => "putty",
        };
        let lower = s.to_ascii_lowercase().replace('_', "-");
        CaptureFormat::ALL
            .into_iter()
            .find(|&f| f.name() == lower || alias(f) == lower)
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// One piece of a capture: raw protocol bytes and when they were captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureItem<'a> {
    /// Byte offset in the file where this item's data starts (for hex dumps: where the
    /// line's hex text starts).
    pub offset: usize,
    /// Capture time, Unix microseconds; naive timestamps are taken as UTC. `None` when the
    /// format has no timestamps or the item's header was unreadable.
    pub captured_at_us: Option<i64>,
    /// Which feed the data came from (the `|type` of a RedMist header); `None` = default.
    pub source: Option<&'a str>,
    /// The raw protocol bytes, line terminators kept; owned only for decoded hex.
    pub data: Cow<'a, [u8]>,
}

/// Iterator over the items of a capture (see [`split`]).
#[derive(Debug, Clone)]
pub struct Split<'a>(Inner<'a>);

#[derive(Debug, Clone)]
enum Inner<'a> {
    Whole(Option<CaptureItem<'a>>),
    Redmist(redmist::RedmistSplit<'a>),
    Lines(lines::LineSplit<'a>),
    Putty(putty::PuttySplit<'a>),
}

impl<'a> Iterator for Split<'a> {
    type Item = Result<CaptureItem<'a>, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Inner::Whole(item) => item.take().map(Ok),
            Inner::Redmist(s) => s.next(),
            Inner::Lines(s) => s.next(),
            Inner::Putty(s) => s.next(),
        }
    }
}

/// Splits a whole capture into items. Never panics; errors carry the byte offset and the
/// iteration continues after them. Empty input yields nothing.
pub fn split(format: CaptureFormat, bytes: &[u8]) -> Split<'_> {
    let whole = || {
        (!bytes.is_empty()).then_some(CaptureItem {
            offset: 0,
            captured_at_us: None,
            source: None,
            data: Cow::Borrowed(bytes),
        })
    };
    Split(match format {
        CaptureFormat::RawText | CaptureFormat::RawBinary => Inner::Whole(whole()),
        CaptureFormat::RedmistLog => Inner::Redmist(redmist::RedmistSplit::new(bytes)),
        CaptureFormat::TimestampedLines => {
            Inner::Lines(lines::LineSplit::new(bytes, lines::LineMode::Timestamped))
        }
        CaptureFormat::P3Hex => Inner::Lines(lines::LineSplit::new(bytes, lines::LineMode::Hex)),
        CaptureFormat::PuttyLog => Inner::Putty(putty::PuttySplit::new(bytes)),
    })
}

/// Length of a leading UTF-8 byte-order mark (0 or 3); Windows tools write one.
fn skip_bom(bytes: &[u8]) -> usize {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    }
}
