//! RedMist relay logs: `##yyyy-MM-dd HH:mm:ss.fff[|type]` header lines, each followed by the
//! raw batch the relay received at that time, up to the next header.
//!
//! Blank lines before and after a batch are the logger's separators, not data. Data before
//! the first header (a truncated log) is still yielded, without a timestamp. A malformed
//! header is reported and its batch is still yielded, without timestamp or source.
//!
//! # Layout
//! - `RedmistSplit`: the iterator.
//! - `parse_header`, `trim_blank_lines`: helpers.

use super::error::CaptureError;
use super::lines::{Lines, RawLine};
use super::time::parse_datetime;
use super::{CaptureItem, skip_bom};
use std::borrow::Cow;

/// Splitter for [`super::CaptureFormat::RedmistLog`].
#[derive(Debug, Clone)]
pub(crate) struct RedmistSplit<'a> {
    bytes: &'a [u8],
    lines: Lines<'a>,
    queued: Option<CaptureItem<'a>>,
}

impl<'a> RedmistSplit<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            lines: Lines {
                bytes,
                pos: skip_bom(bytes),
            },
            queued: None,
        }
    }

    /// Consumes data lines up to (not including) the next header; returns the offset where
    /// the batch ends, at least `end` (the end of the line already consumed).
    fn batch_end(&mut self, mut end: usize) -> usize {
        loop {
            let save = self.lines.pos;
            match self.lines.next() {
                Some(l) if is_header(&l) => {
                    self.lines.pos = save;
                    return end;
                }
                Some(l) => end = l.offset + l.full.len(),
                None => return end,
            }
        }
    }
}

fn is_header(line: &RawLine<'_>) -> bool {
    line.content.starts_with(b"##")
}

/// Timestamp and optional source of a `##` header line.
fn parse_header<'a>(line: &RawLine<'a>) -> Result<(i64, Option<&'a str>), CaptureError> {
    let text = line.content.get(2..).unwrap_or_default();
    let offset = line.offset + 2;
    let (us, used) =
        parse_datetime(text).map_err(|reason| CaptureError::BadTimestamp { offset, reason })?;
    let rest = text.get(used..).unwrap_or_default();
    let source = match rest {
        [] => None,
        [b'|', name @ ..] => {
            let name = std::str::from_utf8(name).map_err(|_| CaptureError::BadSource {
                offset: offset + used + 1,
            })?;
            Some(name).filter(|n| !n.is_empty())
        }
        _ => {
            let reason = "unexpected text after the timestamp";
            return Err(CaptureError::BadTimestamp { offset, reason });
        }
    };
    Ok((us, source))
}

/// Drops blank lines at both ends of `bytes[start..end]`; returns the data's offset and bytes.
fn trim_blank_lines(bytes: &[u8], start: usize, end: usize) -> (usize, &[u8]) {
    let region = bytes.get(..end).unwrap_or_default();
    let mut first = None;
    let mut last_end = start;
    for line in (Lines {
        bytes: region,
        pos: start,
    }) {
        if !line.is_blank() {
            first.get_or_insert(line.offset);
            last_end = line.offset + line.full.len();
        }
    }
    let first = first.unwrap_or(start);
    (first, bytes.get(first..last_end).unwrap_or_default())
}

impl<'a> Iterator for RedmistSplit<'a> {
    type Item = Result<CaptureItem<'a>, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.queued.take() {
            return Some(Ok(item));
        }
        loop {
            let line = self.lines.next()?;
            let header = is_header(&line).then_some(line);
            let data_start = if header.is_some() {
                line.offset + line.full.len()
            } else {
                line.offset
            };
            let end = self.batch_end(line.offset + line.full.len());
            let (offset, data) = trim_blank_lines(self.bytes, data_start, end);
            let item = |captured_at_us, source| CaptureItem {
                offset,
                captured_at_us,
                source,
                data: Cow::Borrowed(data),
            };
            match header.map(|h| parse_header(&h)) {
                None if data.is_empty() => continue,
                None => return Some(Ok(item(None, None))),
                Some(Ok((us, source))) => return Some(Ok(item(Some(us), source))),
                Some(Err(e)) => {
                    if !data.is_empty() {
                        self.queued = Some(item(None, None));
                    }
                    return Some(Err(e));
                }
            }
        }
    }
}
