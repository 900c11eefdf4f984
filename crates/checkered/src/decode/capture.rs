//! Whole capture files: split by `checkered_protocol::capture`, each piece decoded with its
//! protocol's stream decoder and stamped with the piece's capture time.
//!
//! # Layout
//! - [`Wrapper`]: which capture splitter a run uses.
//! - [`decode_capture`]: split, pick the codec per piece, decode, write.
//! - `hex_offset`: maps a byte of a decoded hex line back to its digits in the file.

use super::stream::{Item, Protocol, decoder};
use super::{Place, Writer};
use checkered_protocol::capture::{CaptureFormat, CaptureItem, split};
use std::io::Write;

/// How a capture wraps its protocol bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapper {
    /// A PuTTY binary log of a P3 decoder: one stream per session header.
    Putty,
    /// One P3 frame per line in hex, optionally time-prefixed.
    P3Hex,
    /// `<ISO 8601> <raw line>` lines of a text protocol.
    Timestamped(Protocol),
    /// A RedMist relay log: `##time[|type]` batches, each decoded by its type's codec.
    Redmist,
}

impl Wrapper {
    fn format(self) -> CaptureFormat {
        match self {
            Wrapper::Putty => CaptureFormat::PuttyLog,
            Wrapper::P3Hex => CaptureFormat::P3Hex,
            Wrapper::Timestamped(_) => CaptureFormat::TimestampedLines,
            Wrapper::Redmist => CaptureFormat::RedmistLog,
        }
    }
}

/// Decodes a whole capture and writes every message and problem.
pub(super) fn decode_capture<W: Write, E: Write>(
    wrapper: Wrapper,
    bytes: &[u8],
    writer: &mut Writer<W, E>,
) -> anyhow::Result<()> {
    let mut items = Vec::new();
    for piece in split(wrapper.format(), bytes) {
        let piece = match piece {
            Ok(piece) => piece,
            Err(e) => {
                // The offset has its own field; the message need not repeat it.
                let text = e.to_string();
                let prefix = format!("byte {}: ", e.offset());
                let reason = text.strip_prefix(&prefix).unwrap_or(&text);
                writer.problem(e.offset() as u64, reason)?;
                continue;
            }
        };
        let base = piece.offset as u64;
        let protocol = match wrapper {
            Wrapper::Putty | Wrapper::P3Hex => Protocol::P3,
            Wrapper::Timestamped(protocol) => protocol,
            Wrapper::Redmist => match piece.source {
                None => Protocol::sniff(&piece.data),
                Some(source) => match Protocol::from_source(source) {
                    Some(protocol) => protocol,
                    None => {
                        let reason = format!(
                            "no decoder for RedMist batch type {source:?} ({} bytes skipped; \
                             known: rmonitor, multiloop, p3)",
                            piece.data.len()
                        );
                        writer.problem(base, &reason)?;
                        continue;
                    }
                },
            },
        };
        let mut d = decoder(protocol);
        d.push(&piece.data, &mut items);
        d.finish(&mut items);
        if wrapper == Wrapper::P3Hex {
            relocate_hex(bytes, &piece, &mut items);
        }
        let place = Place {
            base: if wrapper == Wrapper::P3Hex { 0 } else { base },
            captured_at_us: piece.captured_at_us,
            feed: (wrapper == Wrapper::Redmist).then(|| protocol.name()),
        };
        writer.items(&mut items, &place)?;
    }
    Ok(())
}

/// Turns offsets into a hex line's decoded bytes into file offsets of their digits.
fn relocate_hex(file: &[u8], piece: &CaptureItem<'_>, items: &mut [Item]) {
    let text = file.get(piece.offset..).unwrap_or_default();
    let line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    for item in items {
        let (Item::Message { offset, .. } | Item::Problem { offset, .. }) = item;
        *offset = (piece.offset + hex_offset(line, *offset)) as u64;
    }
}

/// Index in `line` of the first digit of decoded byte `k` (the line's length past the end).
fn hex_offset(line: &[u8], k: u64) -> usize {
    let mut digits = 0u64;
    for (i, b) in line.iter().enumerate() {
        if b.is_ascii_hexdigit() {
            if digits == 2 * k {
                return i;
            }
            digits += 1;
        }
    }
    line.len()
}

#[cfg(test)]
mod tests {
    use super::hex_offset;

    #[test]
    fn hex_offsets_skip_spaces() {
        let line = b"8e 02 1f00\t8f";
        assert_eq!(hex_offset(line, 0), 0);
        assert_eq!(hex_offset(line, 1), 3);
        assert_eq!(hex_offset(line, 3), 8);
        assert_eq!(hex_offset(line, 4), 11);
        assert_eq!(hex_offset(line, 5), line.len());
    }
}
