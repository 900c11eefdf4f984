//! Multiloop: the MyLaps/Orbits results feed whose fields are separated by the byte 0xA6.
//!
//! A line is `<SOR><Command>¦<Type>¦<SeqNum>¦<Preamble>¦<fields…>` CR LF, where `¦` is the
//! raw byte 0xA6 and SOR defaults to `$`. Lines are split on that byte before any text is
//! decoded (as Windows-1252), so names with accents never confuse the split. Numbers are
//! hexadecimal. [`decode_line`] turns a line into a [`Message`]; [`encode_line`] writes it
//! back byte for byte (the terminator is always CR LF). [`LineFramer`] cuts a byte stream,
//! delivered in arbitrary chunks, into lines.
//!
//! ```
//! use checkered_protocol::multiloop::{decode_line, encode_line, Record};
//!
//! let line = b"$H\xa6N\xa62F4\xa6Q1\xa6G\xa6685E9B2F\xa69A0AB\xa60\xa6D42B4\r\n";
//! let msg = decode_line(line)?;
//! let Record::Heartbeat(h) = &msg.record else { panic!("not a heartbeat") };
//! assert_eq!(h.elapsed_ms, Some(630_955));
//! let mut out = Vec::new();
//! encode_line(&msg, &mut out);
//! assert_eq!(out, line);
//! # Ok::<(), checkered_protocol::multiloop::MultiloopError>(())
//! ```
//!
//! # Layout
//! - this file: [`Message`], [`Header`], [`decode_line`], [`encode_line`].
//! - [`record`]: the typed records and [`Record`].
//! - [`status`]: one-letter codes as enums.
//! - `field`: the 0xA6 split, hexadecimal, and [`Verbatim`] spellings.
//! - `codec`: the field order of every record, both directions.
//! - `framer`: [`LineFramer`], streaming line framing with a length limit.
//! - `error`: [`MultiloopError`], [`FrameError`].

mod codec;
mod error;
mod field;
mod framer;
pub mod record;
pub mod status;

pub use error::{FrameError, MultiloopError};
pub use field::{SEPARATOR, Verbatim};
pub use framer::{Line, LineFramer};
pub use record::*;
pub use status::{CrossingSource, CrossingStatus, LapStatus, RecordKind, RunType, TrackStatus};

use field::{FieldReader, FieldWriter};
use serde::{Deserialize, Serialize};

/// The default start-of-record character.
pub const DEFAULT_START: char = '$';

/// The four header fields every Multiloop line starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Start-of-record character; `$` unless the scoring software was configured otherwise.
    #[serde(default = "default_start", skip_serializing_if = "is_default_start")]
    pub start: char,
    /// New, repeated or updated.
    pub kind: RecordKind,
    /// Sequence number, unique per command.
    pub sequence: u64,
    /// User-defined run tag (`Q1`, `CP01`).
    pub preamble: String,
}

fn default_start() -> char {
    DEFAULT_START
}

fn is_default_start(c: &char) -> bool {
    *c == DEFAULT_START
}

/// One Multiloop line: header, record, and the spellings needed to re-encode it exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Header fields.
    pub header: Header,
    /// The record, tagged by its `type` in JSON (`"COMPLETED_LAP"`).
    pub record: Record,
    /// Hexadecimal fields that arrived in a non-canonical spelling (`0A`, `ff`); empty for
    /// canonical input and for messages built in code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verbatim: Vec<Verbatim>,
}

/// Removes the line terminator: a final LF, then any CRs before it.
fn trim_terminator(mut line: &[u8]) -> &[u8] {
    if let Some(rest) = line.strip_suffix(b"\n") {
        line = rest;
    }
    while let Some(rest) = line.strip_suffix(b"\r") {
        line = rest;
    }
    line
}

/// Decodes one line, with or without its CR LF / LF terminator.
///
/// Never panics; every failure names its reason and field (see [`MultiloopError`]).
pub fn decode_line(line: &[u8]) -> Result<Message, MultiloopError> {
    let line = trim_terminator(line);
    if line.is_empty() {
        return Err(MultiloopError::Empty);
    }
    if let Some(position) = line.iter().position(|&b| b == b'\n') {
        return Err(MultiloopError::EmbeddedLineFeed { position });
    }
    let mut r = FieldReader::new(line);
    let first = r.next_raw().unwrap_or_default();
    let (start, command) = match first.split_first() {
        Some((b'\r', _)) => return Err(MultiloopError::InvalidStart { byte: b'\r' }),
        Some((&start, command)) if !command.is_empty() => (start, command),
        _ => return Err(MultiloopError::MissingCommand),
    };
    r.set_command(command);
    let kind = RecordKind::from_code(&r.text("record type")?);
    let sequence = r.hex_required("sequence number")?;
    let preamble = r.text("preamble")?;
    let record = codec::decode_record(command, &mut r)?;
    let header = Header {
        start: crate::cp1252::decode_byte(start),
        kind,
        sequence,
        preamble,
    };
    Ok(Message {
        header,
        record,
        verbatim: r.verbatim,
    })
}

/// Appends `message` to `out` as one line ending in CR LF.
///
/// Text is written as Windows-1252; characters it lacks, and the separator or line feeds
/// inside text, become `?` so the line always frames. A field that arrived in a
/// non-canonical hexadecimal spelling is written in that spelling (see [`Verbatim`]).
pub fn encode_line(message: &Message, out: &mut Vec<u8>) {
    let start = crate::cp1252::encode_char(message.header.start)
        .filter(|b| !matches!(*b, SEPARATOR | b'\r' | b'\n'))
        .unwrap_or(b'?');
    out.push(start);
    field::write_text(message.record.command(), out);
    let mut w = FieldWriter::after_command(out, &message.verbatim);
    w.text(message.header.kind.code());
    w.hex(Some(message.header.sequence));
    w.text(&message.header.preamble);
    codec::encode_record(&message.record, &mut w);
    out.extend_from_slice(b"\r\n");
}
