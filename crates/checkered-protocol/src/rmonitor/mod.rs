//! Orbits RMonitor results feed (TCP 50000), with the IMSA Enhanced RMon and Race Monitor
//! extensions: decoding and encoding, pure and I/O-free.
//!
//! A feed is a stream of text lines, `$` + command + comma-separated fields + CR LF, in
//! Windows-1252. Strings are quoted, numbers bare, times `HH:MM:SS[.DDD]`. Every line
//! decodes to a typed [`Record`] (unknown commands included) or a precise
//! [`RmonitorError`]; every decoded record encodes back to the bytes it came from (only
//! whitespace around fields is normalised, except the `$I, "…"` style RedMist writes), so
//! captures can be relayed and replayed verbatim.
//!
//! ```
//! use checkered_protocol::rmonitor::{decode_line, encode_line, Flag, Record};
//! let line = br#"$F,9999,"00:00:00","07:59:59","00:00:00","Green ""#;
//! let rec = decode_line(line)?;
//! assert!(matches!(&rec, Record::Heartbeat { flag: Flag::Green, laps_to_go: Some(9999), .. }));
//! let mut out = Vec::new();
//! encode_line(&rec, &mut out);
//! assert_eq!(out, [&line[..], b"\r\n"].concat());
//! # Ok::<(), checkered_protocol::rmonitor::RmonitorError>(())
//! ```
//!
//! # Layout
//! - [`tokenizer`]: CSV-aware, allocation-free field splitting of one line.
//! - `time`: [`RmTime`], signed milliseconds that remember their text layout.
//! - `flag`: [`Flag`], the six-character track flag.
//! - `record`: [`Record`]; `parts`: what it is built of ([`RawField`], [`Separator`],
//!   [`LapKind`], [`Section`]).
//! - `decode`: [`decode_line`]; `reader`: its typed field reader; `fast`: its shortcuts
//!   for canonical `$F`, `$G`, `$H`, `$A` and `$COMP` lines.
//! - `encode`: [`encode_line`]; `writer`: its field-level writing.
//! - `framer`: [`LineFramer`] (bytes → lines, bounded memory) and [`Decoder`]
//!   (bytes → records), both reporting each line's stream offset via [`Located`].
//! - `error`: [`RmonitorError`].

mod decode;
mod encode;
mod error;
mod fast;
mod flag;
mod framer;
mod parts;
mod reader;
mod record;
mod time;
pub mod tokenizer;
mod writer;

pub use decode::decode_line;
pub use encode::encode_line;
pub use error::RmonitorError;
pub use flag::Flag;
pub use framer::{DEFAULT_MAX_LINE_LEN, Decoder, LineFramer, Located};
pub use parts::{LapKind, RawField, Section, Separator};
pub use record::{Record, SESSION_END_RUN};
pub use time::{NO_PASSING_MS, RmTime};

/// The text of a record field. Almost every field of a real feed (registration numbers,
/// names, class names) fits the 24 bytes a `CompactString` keeps inline, so decoding a
/// line allocates nothing for its text; it derefs to `&str` and serialises as a string.
pub type Text = compact_str::CompactString;

#[cfg(test)]
mod tests;
