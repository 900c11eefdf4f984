//! CSV-aware splitting of one RMonitor line into fields, without allocating.
//!
//! RMonitor fields are separated by commas; strings are double-quoted and may contain
//! commas, and a doubled quote inside quotes stands for one quote. Producers differ in
//! whitespace (the RedMist relay writes `$I, "00:00:00", "0/0/0000"`), so spaces, tabs and
//! carriage returns around a field are tolerated and reported, never part of the value.
//!
//! Fields borrow the line: [`Field::text`] only allocates when the text is not plain ASCII
//! or contains an escaped quote, which keeps the decoder fast on real feeds.
//!
//! # Layout
//! - [`Tokenizer`]: iterator over the fields of the text after the command.
//! - [`Field`]: one field (content, quoting, surrounding whitespace) and its decoders.

use std::borrow::Cow;

use super::{RmonitorError, Text};
use crate::cp1252;

/// Bytes tolerated around a field outside quotes.
#[inline]
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// One field of a line, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// Content between the quotes (quoted) or the trimmed text (bare), still escaped.
    pub raw: &'a [u8],
    /// Whether the field was written in double quotes.
    pub quoted: bool,
    /// Whether the quoted content holds doubled quotes (`""`) to unescape.
    pub escaped: bool,
    /// Whitespace before the field (before the opening quote when quoted).
    pub leading: &'a [u8],
    /// Whitespace after the field (after the closing quote when quoted).
    pub trailing: &'a [u8],
}

impl<'a> Field<'a> {
    /// The field's text, decoded from Windows-1252 with `""` unescaped. Borrows the line
    /// when the bytes are ASCII without escapes (almost always).
    pub fn text(&self) -> Cow<'a, str> {
        if !self.escaped
            && self.raw.is_ascii()
            && let Ok(s) = std::str::from_utf8(self.raw)
        {
            return Cow::Borrowed(s);
        }
        if !self.escaped {
            return Cow::Owned(cp1252::decode(self.raw));
        }
        let mut unescaped = Vec::with_capacity(self.raw.len());
        let mut bytes = self.raw.iter().copied().peekable();
        while let Some(b) = bytes.next() {
            unescaped.push(b);
            if b == b'"' && bytes.peek() == Some(&b'"') {
                bytes.next();
            }
        }
        Cow::Owned(cp1252::decode(&unescaped))
    }

    /// The field's text as an owned [`Text`] (see [`Field::text`]): inline, without an
    /// allocation, for the short ASCII fields feeds are made of.
    pub fn to_text(&self) -> Text {
        if !self.escaped
            && self.raw.is_ascii()
            && let Ok(s) = std::str::from_utf8(self.raw)
        {
            return Text::new(s);
        }
        Text::from(self.text())
    }

    /// Parses the field as an unsigned decimal number: ASCII digits only, no sign, no
    /// overflow. `None` when it is anything else (including empty).
    pub fn number(&self) -> Option<u64> {
        if self.raw.is_empty() || self.escaped {
            return None;
        }
        self.raw.iter().try_fold(0u64, |acc, &b| {
            let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
            acc.checked_mul(10)?.checked_add(u64::from(digit))
        })
    }
}

/// Iterator over the fields of the text that follows a record's command and its comma.
///
/// Yields an error (and then stops) on an unterminated quote or on text after a closing
/// quote. An empty input still has one (empty) field, as `$X,` has.
#[derive(Debug, Clone)]
pub struct Tokenizer<'a> {
    /// The remaining text, or `None` once the last field has been yielded.
    rest: Option<&'a [u8]>,
    /// 1-based index of the next field, for error messages.
    index: usize,
}

impl<'a> Tokenizer<'a> {
    /// Tokenizes `fields`, the text after `$COMMAND,`; `None` for a line with no comma
    /// after the command, which has no fields at all.
    pub fn new(fields: Option<&'a [u8]>) -> Self {
        Tokenizer {
            rest: fields,
            index: 1,
        }
    }

    /// The 1-based index of the next field to be yielded.
    pub fn next_index(&self) -> usize {
        self.index
    }

    /// A bare field: everything up to the next comma, whitespace trimmed.
    fn bare(&mut self, line: &'a [u8], start: usize) -> Field<'a> {
        let body = line.get(start..).unwrap_or_default();
        let (content, rest) = match find_byte(body, b',') {
            Some(i) => (body.get(..i).unwrap_or_default(), body.get(i + 1..)),
            None => (body, None),
        };
        let mut len = content.len();
        while len > 0 && content.get(len - 1).is_some_and(|&b| is_space(b)) {
            len -= 1;
        }
        let (raw, trailing) = content.split_at(len);
        self.rest = rest;
        Field {
            raw,
            quoted: false,
            escaped: false,
            leading: line.get(..start).unwrap_or_default(),
            trailing,
        }
    }

    /// A quoted field; `line[start]` is the opening quote.
    fn quoted(&mut self, line: &'a [u8], start: usize) -> Result<Field<'a>, RmonitorError> {
        let body = line.get(start + 1..).unwrap_or_default();
        let mut escaped = false;
        let mut from = 0;
        let close = loop {
            let Some(at) = body
                .get(from..)
                .and_then(|s| find_byte(s, b'"'))
                .map(|i| from + i)
            else {
                return Err(RmonitorError::UnterminatedQuote { index: self.index });
            };
            if body.get(at + 1) != Some(&b'"') {
                break at;
            }
            escaped = true;
            from = at + 2;
        };
        let (raw, after) = body.split_at(close);
        let after = after.get(1..).unwrap_or_default();
        let (trailing, rest) = match after.first() {
            None => (after, None),
            Some(b',') => (&after[..0], after.get(1..)),
            Some(_) => {
                let ws = after.iter().take_while(|&&b| is_space(b)).count();
                let (trailing, tail) = after.split_at(ws);
                match tail.split_first() {
                    None => (trailing, None),
                    Some((b',', more)) => (trailing, Some(more)),
                    Some(_) => return Err(RmonitorError::TextAfterQuote { index: self.index }),
                }
            }
        };
        self.rest = rest;
        Ok(Field {
            raw,
            quoted: true,
            escaped,
            leading: line.get(..start).unwrap_or_default(),
            trailing,
        })
    }
}

/// Position of the first `needle` in `hay`, eight bytes at a time (fields are short, so
/// this beats both a byte loop and a SIMD call's setup).
#[inline]
pub(crate) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let pattern = LOW * u64::from(needle);
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        if let Ok(bytes) = <[u8; 8]>::try_from(chunk) {
            let x = u64::from_le_bytes(bytes) ^ pattern;
            // The lowest set bit marks the first zero byte exactly.
            let zero = x.wrapping_sub(LOW) & !x & HIGH;
            if zero != 0 {
                return Some(base + (zero.trailing_zeros() / 8) as usize);
            }
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| base + i)
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Result<Field<'a>, RmonitorError>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = self.rest.take()?;
        let start = match line.first() {
            Some(&b) if !is_space(b) => 0,
            _ => line.iter().take_while(|&&b| is_space(b)).count(),
        };
        let field = if line.get(start) == Some(&b'"') {
            self.quoted(line, start)
        } else {
            Ok(self.bare(line, start))
        };
        self.index += 1;
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Result<Vec<(String, bool)>, RmonitorError> {
        Tokenizer::new(Some(line.as_bytes()))
            .map(|f| f.map(|f| (f.text().into_owned(), f.quoted)))
            .collect()
    }

    #[test]
    fn splits_quoted_and_bare_fields_keeping_empty_ones() {
        let got = texts(r#"4,"7",,"00:00:03.863""#).unwrap_or_default();
        let want = [
            ("4", false),
            ("7", true),
            ("", false),
            ("00:00:03.863", true),
        ];
        assert_eq!(got.len(), want.len());
        for ((g, gq), (w, wq)) in got.iter().zip(want) {
            assert_eq!((g.as_str(), *gq), (w, wq));
        }
    }

    #[test]
    fn commas_and_doubled_quotes_inside_quotes() {
        let got = texts(r#""Smith, ""JJ""",x"#).unwrap_or_default();
        assert_eq!(
            got,
            vec![(r#"Smith, "JJ""#.to_owned(), true), ("x".to_owned(), false)]
        );
    }

    #[test]
    fn whitespace_around_fields_is_tolerated_and_reported() {
        let fields: Vec<_> = Tokenizer::new(Some(br#" "00:00:00", "0/0/0000" , 7 "#))
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[0].leading, b" ");
        assert_eq!(fields[1].trailing, b" ");
        assert_eq!(fields[2].raw, b"7");
        assert_eq!(fields[2].number(), Some(7));
    }

    #[test]
    fn trailing_comma_gives_an_empty_last_field_and_no_comma_gives_none() {
        assert_eq!(Tokenizer::new(Some(b"1,")).count(), 2);
        assert_eq!(Tokenizer::new(Some(b"")).count(), 1);
        assert_eq!(Tokenizer::new(None).count(), 0);
    }

    #[test]
    fn windows_1252_text_is_decoded() {
        let f = Tokenizer::new(Some(b"\"M\xfcller \x80\"")).next();
        assert_eq!(
            f.and_then(Result::ok).map(|f| f.text().into_owned()),
            Some("Müller €".to_owned())
        );
    }

    #[test]
    fn quote_errors_name_the_field() {
        assert_eq!(
            texts(r#"1,"abc"#),
            Err(RmonitorError::UnterminatedQuote { index: 2 })
        );
        assert_eq!(
            texts(r#""a"b,1"#),
            Err(RmonitorError::TextAfterQuote { index: 1 })
        );
    }

    #[test]
    fn find_byte_matches_a_plain_search() {
        let hay = b"0123456789abcdef\"\",,xyz\x80\xff\"";
        for start in 0..hay.len() {
            for needle in [b'"', b',', b'z', b'\xff', b'Q'] {
                let s = &hay[start..];
                assert_eq!(
                    find_byte(s, needle),
                    s.iter().position(|&b| b == needle),
                    "{start} {needle}"
                );
            }
        }
    }

    #[test]
    fn numbers_are_digits_only() {
        let num = |s: &[u8]| {
            Tokenizer::new(Some(s))
                .next()
                .and_then(Result::ok)
                .and_then(|f| f.number())
        };
        assert_eq!(num(b"0042"), Some(42));
        assert_eq!(num(b"\"9999\""), Some(9999));
        assert_eq!(num(b"+1"), None);
        assert_eq!(num(b"1a"), None);
        assert_eq!(num(b""), None);
        assert_eq!(num(b"99999999999999999999999"), None);
    }
}
