//! Field-level writing for the encoder: separators, quoting, numbers, times.
//!
//! # Layout
//! - [`Writer`]: appends fields, each preceded by its separator.

use super::time::push_padded;
use super::tokenizer::is_space;
use super::{RawField, RmTime};
use crate::cp1252;

/// Writes fields after the command, each preceded by its separator.
pub(super) struct Writer<'o> {
    /// The line being written.
    pub(super) out: &'o mut Vec<u8>,
    /// `, ` instead of `,` between fields.
    pub(super) spaced: bool,
}

impl Writer<'_> {
    fn sep(&mut self) {
        self.out.push(b',');
        if self.spaced {
            self.out.push(b' ');
        }
    }

    /// A quoted string (`""` for a quote; a line feed becomes a space).
    pub(super) fn quoted(&mut self, text: &str) {
        self.sep();
        self.out.push(b'"');
        if text.is_ascii() && !text.bytes().any(|b| b == b'"' || b == b'\n') {
            self.out.extend_from_slice(text.as_bytes());
        } else {
            for c in text.chars() {
                match c {
                    '"' => self.out.extend_from_slice(b"\"\""),
                    '\n' => self.out.push(b' '),
                    c => self.out.push(cp1252::encode_char(c).unwrap_or(b'?')),
                }
            }
        }
        self.out.push(b'"');
    }

    /// A field the protocol writes without quotes; quoted when bare text would not read
    /// back the same.
    pub(super) fn bare_text(&mut self, text: &str) {
        let first = text.bytes().next();
        let last = text.bytes().next_back();
        let needs_quotes = first == Some(b'"')
            || first.is_some_and(is_space)
            || last.is_some_and(is_space)
            || text.bytes().any(|b| b == b',' || b == b'\n');
        if needs_quotes {
            self.quoted(text);
        } else {
            self.sep();
            cp1252::encode_into(text, self.out);
        }
    }

    /// A bare unsigned number.
    pub(super) fn num(&mut self, n: u64) {
        self.sep();
        push_padded(self.out, n, 1);
    }

    /// A bare number, or nothing for `None`.
    pub(super) fn opt_num(&mut self, n: Option<u32>) {
        self.sep();
        if let Some(n) = n {
            push_padded(self.out, u64::from(n), 1);
        }
    }

    /// A number in quotes (Race Monitor `$RMHL`), `""` for `None`.
    pub(super) fn quoted_num(&mut self, n: Option<u32>) {
        self.sep();
        self.out.push(b'"');
        if let Some(n) = n {
            push_padded(self.out, u64::from(n), 1);
        }
        self.out.push(b'"');
    }

    /// A time in quotes, in its own layout.
    pub(super) fn time(&mut self, t: &RmTime) {
        self.sep();
        self.out.push(b'"');
        t.write_to(self.out);
        self.out.push(b'"');
    }

    /// A bare signed number, or nothing for `None`.
    pub(super) fn opt_signed(&mut self, n: Option<i32>) {
        self.sep();
        if let Some(n) = n {
            if n < 0 {
                self.out.push(b'-');
            }
            push_padded(self.out, u64::from(n.unsigned_abs()), 1);
        }
    }

    /// Fields kept as written.
    pub(super) fn extra(&mut self, fields: &[RawField]) {
        for f in fields {
            if f.quoted {
                self.quoted(&f.text);
            } else {
                self.bare_text(&f.text);
            }
        }
    }
}
