//! Field-level reading and writing: the 0xA6 split, hexadecimal numbers, Windows-1252 text,
//! and the bookkeeping that makes re-encoding byte-exact.
//!
//! Orbits writes hexadecimal in upper case without leading zeros, but nothing forbids `0A` or
//! `a`. A decoded number whose canonical spelling differs from the wire is remembered as a
//! [`Verbatim`] entry beside the message, and the encoder writes that text back as long as it
//! still spells the same value.
//!
//! # Layout
//! - [`Verbatim`]: original spelling of a non-canonical hexadecimal field.
//! - `parse_hex` / `write_hex`: strict hexadecimal codec (no sign, no prefix, no spaces).
//! - `FieldReader`: walks the fields of one line, decoding and naming errors.
//! - `FieldWriter`: writes fields back, separators included.

use super::error::MultiloopError;
use crate::cp1252;
use serde::{Deserialize, Serialize};

/// The Multiloop field separator, the Windows-1252 broken bar.
pub const SEPARATOR: u8 = 0xA6;

/// The original spelling of a hexadecimal field that was not in canonical form (upper case,
/// no leading zeros), so that encoding gives back the exact bytes received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verbatim {
    /// Field position in the line (0 = command, 1 = type, 2 = sequence, 3 = preamble, 4.. =
    /// record fields).
    pub index: u32,
    /// The field's text as received.
    pub text: String,
}

/// Why a hexadecimal field failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HexError {
    Invalid,
    Overflow,
}

/// Parses strict hexadecimal (`[0-9A-Fa-f]+`); an empty field is `None`.
pub(crate) fn parse_hex(bytes: &[u8]) -> Result<Option<u64>, HexError> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let mut value: u64 = 0;
    for &b in bytes {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'F' => b - b'A' + 10,
            b'a'..=b'f' => b - b'a' + 10,
            _ => return Err(HexError::Invalid),
        };
        value = value
            .checked_mul(16)
            .and_then(|v| v.checked_add(u64::from(digit)))
            .ok_or(HexError::Overflow)?;
    }
    Ok(Some(value))
}

/// Writes `value` as canonical hexadecimal: upper case, no leading zeros.
pub(crate) fn write_hex(value: u64, out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut buf = [0u8; 16];
    let mut pos = buf.len();
    let mut v = value;
    loop {
        pos -= 1;
        // `v & 0xF` is below 16, so the lookup cannot miss.
        if let (Some(slot), Some(&d)) = (buf.get_mut(pos), DIGITS.get((v & 0xF) as usize)) {
            *slot = d;
        }
        v >>= 4;
        if v == 0 || pos == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(pos..).unwrap_or_default());
}

/// Whether `bytes` is exactly how [`write_hex`] spells its value.
fn is_canonical_hex(bytes: &[u8]) -> bool {
    let no_lower = !bytes.iter().any(u8::is_ascii_lowercase);
    let no_leading_zero = bytes.len() == 1 || bytes.first() != Some(&b'0');
    no_lower && no_leading_zero
}

/// Reads the fields of one line in order.
pub(crate) struct FieldReader<'a> {
    rest: Option<&'a [u8]>,
    index: usize,
    command: &'a [u8],
    /// Non-canonical hexadecimal spellings seen so far.
    pub verbatim: Vec<Verbatim>,
}

impl<'a> FieldReader<'a> {
    /// Starts reading `line` (terminator already removed) at field 0.
    pub fn new(line: &'a [u8]) -> Self {
        Self {
            rest: Some(line),
            index: 0,
            command: b"",
            verbatim: Vec::new(),
        }
    }

    /// Names the command in later error messages.
    pub fn set_command(&mut self, command: &'a [u8]) {
        self.command = command;
    }

    fn command_text(&self) -> String {
        cp1252::decode(self.command)
    }

    /// The next raw field, or `None` at the end of the line.
    pub fn next_raw(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        let field = match rest.iter().position(|&b| b == SEPARATOR) {
            Some(i) => {
                let (field, tail) = rest.split_at(i);
                self.rest = tail.get(1..);
                field
            }
            None => {
                self.rest = None;
                rest
            }
        };
        self.index += 1;
        Some(field)
    }

    /// Number of fields left on the line.
    pub fn remaining(&self) -> usize {
        self.rest
            .map_or(0, |r| r.iter().filter(|&&b| b == SEPARATOR).count() + 1)
    }

    /// The next field, which the record requires.
    pub fn required(&mut self, name: &'static str) -> Result<&'a [u8], MultiloopError> {
        let index = self.index;
        self.next_raw().ok_or_else(|| MultiloopError::MissingField {
            command: self.command_text(),
            index,
            name,
        })
    }

    /// The next field as Windows-1252 text.
    pub fn text(&mut self, name: &'static str) -> Result<String, MultiloopError> {
        self.required(name).map(cp1252::decode)
    }

    /// The next field as hexadecimal; empty gives `None`.
    pub fn hex(&mut self, name: &'static str) -> Result<Option<u64>, MultiloopError> {
        let index = self.index;
        let raw = self.required(name)?;
        match parse_hex(raw) {
            Ok(value) => {
                if value.is_some() && !is_canonical_hex(raw) {
                    self.verbatim.push(Verbatim {
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                        text: cp1252::decode(raw),
                    });
                }
                Ok(value)
            }
            Err(e) => {
                let (command, text) = (self.command_text(), cp1252::decode(raw));
                Err(match e {
                    HexError::Invalid => MultiloopError::InvalidHex {
                        command,
                        index,
                        name,
                        text,
                    },
                    HexError::Overflow => MultiloopError::HexOverflow {
                        command,
                        index,
                        name,
                        text,
                    },
                })
            }
        }
    }

    /// The next field as hexadecimal that must be present.
    pub fn hex_required(&mut self, name: &'static str) -> Result<u64, MultiloopError> {
        let index = self.index;
        self.hex(name)?.ok_or_else(|| MultiloopError::InvalidHex {
            command: self.command_text(),
            index,
            name,
            text: String::new(),
        })
    }

    /// Every field left, as text (extra trailing fields are kept, never dropped).
    pub fn rest(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(raw) = self.next_raw() {
            out.push(cp1252::decode(raw));
        }
        out
    }

    /// Fails with [`MultiloopError::CountTooLarge`] unless `count * per_item` fields remain.
    pub fn check_count(
        &self,
        name: &'static str,
        count: u64,
        per_item: u64,
    ) -> Result<usize, MultiloopError> {
        let available = self.remaining();
        let needed = count.checked_mul(per_item);
        match needed.and_then(|n| usize::try_from(n).ok()) {
            Some(n) if n <= available => Ok(n),
            _ => Err(MultiloopError::CountTooLarge {
                command: self.command_text(),
                name,
                announced: count,
                available,
            }),
        }
    }
}

/// Writes the fields of one line in order.
pub(crate) struct FieldWriter<'a> {
    out: &'a mut Vec<u8>,
    verbatim: &'a [Verbatim],
    index: usize,
}

impl<'a> FieldWriter<'a> {
    /// Starts a line whose field 0 (start of record and command) is already in `out`.
    pub fn after_command(out: &'a mut Vec<u8>, verbatim: &'a [Verbatim]) -> Self {
        Self {
            out,
            verbatim,
            index: 0,
        }
    }

    fn separator(&mut self) {
        self.out.push(SEPARATOR);
        self.index += 1;
    }

    /// Writes a text field. Characters Windows-1252 lacks, the separator and line feeds
    /// become `?`: the line would not frame otherwise.
    pub fn text(&mut self, text: &str) {
        self.separator();
        write_text(text, self.out);
    }

    /// Writes several text fields.
    pub fn texts(&mut self, fields: &[String]) {
        for f in fields {
            self.text(f);
        }
    }

    /// Writes a hexadecimal field, in its original spelling if one was kept for this
    /// position and still spells `value`.
    pub fn hex(&mut self, value: Option<u64>) {
        self.separator();
        let index = self.index;
        let Some(v) = value else { return };
        let kept = self.verbatim.iter().find(|k| {
            usize::try_from(k.index).ok() == Some(index)
                && parse_hex(k.text.as_bytes()) == Ok(Some(v))
        });
        match kept {
            Some(k) => self.out.extend_from_slice(k.text.as_bytes()),
            None => write_hex(v, self.out),
        }
    }
}

/// Appends `text` as Windows-1252, replacing bytes that would break framing by `?`.
pub(crate) fn write_text(text: &str, out: &mut Vec<u8>) {
    let start = out.len();
    cp1252::encode_into(text, out);
    if let Some(written) = out.get_mut(start..) {
        for b in written
            .iter_mut()
            .filter(|b| matches!(**b, SEPARATOR | b'\n'))
        {
            *b = b'?';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_parses_both_cases_and_rejects_junk() {
        assert_eq!(parse_hex(b"83DDF"), Ok(Some(0x83DDF)));
        assert_eq!(parse_hex(b"83ddf"), Ok(Some(0x83DDF)));
        assert_eq!(parse_hex(b""), Ok(None));
        assert_eq!(parse_hex(b"+1"), Err(HexError::Invalid));
        assert_eq!(parse_hex(b"??"), Err(HexError::Invalid));
        assert_eq!(parse_hex(b"FFFFFFFFFFFFFFFF"), Ok(Some(u64::MAX)));
        assert_eq!(parse_hex(b"10000000000000000"), Err(HexError::Overflow));
    }

    #[test]
    fn hex_writes_canonically() {
        for (v, s) in [
            (0u64, "0"),
            (0xA, "A"),
            (0x1CB83, "1CB83"),
            (u64::MAX, "FFFFFFFFFFFFFFFF"),
        ] {
            let mut out = Vec::new();
            write_hex(v, &mut out);
            assert_eq!(out, s.as_bytes());
        }
    }

    #[test]
    fn canonical_detection() {
        assert!(is_canonical_hex(b"0"));
        assert!(is_canonical_hex(b"1CB83"));
        assert!(!is_canonical_hex(b"00"));
        assert!(!is_canonical_hex(b"1cb83"));
    }

    #[test]
    fn text_sanitises_framing_bytes() {
        let mut out = Vec::new();
        write_text("a\u{A6}b\nc\u{65E5}", &mut out);
        assert_eq!(out, b"a?b?c?");
    }
}
