//! Typed, in-order access to the fields of one line, for the general decoder.
//!
//! A missing field becomes "wrong field count", a malformed one "bad number" or "bad
//! time" with its 1-based index; whatever follows the documented fields is kept as written.
//!
//! # Layout
//! - [`Reader`]: the typed field reader.
//! - [`raw_field`]: a field kept as written.

use super::tokenizer::{Field, Tokenizer};
use super::{Flag, RawField, RmTime, RmonitorError, Text};

/// Typed, in-order access to the fields of one line.
pub(super) struct Reader<'a> {
    /// The fields not read yet.
    pub(super) toks: Tokenizer<'a>,
    /// The record's command, for error messages.
    pub(super) command: &'static str,
    /// Fields the record needs, for the field-count error.
    pub(super) expected: usize,
    /// Whether every field so far was written as `, value` (one space, nothing after).
    pub(super) comma_space: bool,
}

impl<'a> Reader<'a> {
    pub(super) fn new(fields: Option<&'a [u8]>, command: &'static str, expected: usize) -> Self {
        Reader {
            toks: Tokenizer::new(fields),
            command,
            expected,
            comma_space: true,
        }
    }

    /// 1-based index of the field read last.
    pub(super) fn index(&self) -> usize {
        self.toks.next_index().saturating_sub(1)
    }

    pub(super) fn next(&mut self) -> Option<Result<Field<'a>, RmonitorError>> {
        let field = self.toks.next()?;
        if let Ok(f) = &field {
            self.comma_space &= matches!(f.leading, [b' ']) && f.trailing.is_empty();
        }
        Some(field)
    }

    pub(super) fn field(&mut self) -> Result<Field<'a>, RmonitorError> {
        match self.next() {
            Some(field) => field,
            None => Err(RmonitorError::FieldCount {
                command: self.command,
                expected: self.expected,
                got: self.index(),
            }),
        }
    }

    pub(super) fn string(&mut self) -> Result<Text, RmonitorError> {
        Ok(self.field()?.to_text())
    }

    pub(super) fn bad_number(&self, field: &Field<'_>) -> RmonitorError {
        RmonitorError::BadNumber {
            command: self.command,
            index: self.index(),
            text: field.text().into_owned(),
        }
    }

    pub(super) fn number_of(&self, field: &Field<'_>) -> Result<Option<u32>, RmonitorError> {
        if field.raw.is_empty() {
            return Ok(None);
        }
        let n = field.number().and_then(|n| u32::try_from(n).ok());
        n.map(Some).ok_or_else(|| self.bad_number(field))
    }

    pub(super) fn opt_u32(&mut self) -> Result<Option<u32>, RmonitorError> {
        let field = self.field()?;
        self.number_of(&field)
    }

    /// An optional count that may be negative (`-2` laps after a penalty).
    pub(super) fn opt_i32(&mut self) -> Result<Option<i32>, RmonitorError> {
        let field = self.field()?;
        let (negative, digits) = match field.raw.split_first() {
            None => return Ok(None),
            Some((b'-', rest)) => (true, Field { raw: rest, ..field }),
            Some(_) => (false, field),
        };
        let value = digits
            .number()
            .and_then(|n| i64::try_from(n).ok())
            .map(|n| if negative { -n } else { n });
        value
            .and_then(|n| i32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| self.bad_number(&field))
    }

    pub(super) fn u32(&mut self) -> Result<u32, RmonitorError> {
        let field = self.field()?;
        field
            .number()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.bad_number(&field))
    }

    pub(super) fn u64(&mut self) -> Result<u64, RmonitorError> {
        let field = self.field()?;
        field.number().ok_or_else(|| self.bad_number(&field))
    }

    pub(super) fn bad_time(&self, field: &Field<'_>) -> RmonitorError {
        RmonitorError::BadTime {
            command: self.command,
            index: self.index(),
            text: field.text().into_owned(),
        }
    }

    pub(super) fn time(&mut self) -> Result<RmTime, RmonitorError> {
        let field = self.field()?;
        RmTime::parse(field.raw).ok_or_else(|| self.bad_time(&field))
    }

    pub(super) fn flag(&mut self) -> Result<Flag, RmonitorError> {
        let field = self.field()?;
        Ok(if field.escaped {
            Flag::from_wire(&field.text())
        } else {
            Flag::from_wire_bytes(field.raw)
        })
    }

    /// Every remaining field, as written.
    pub(super) fn extra(&mut self) -> Result<Vec<RawField>, RmonitorError> {
        let mut out = Vec::new();
        while let Some(field) = self.next() {
            out.push(raw_field(&field?));
        }
        Ok(out)
    }
}

/// A field kept as written.
pub(super) fn raw_field(field: &Field<'_>) -> RawField {
    RawField {
        text: field.to_text(),
        quoted: field.quoted,
    }
}
