//! Line-oriented capture formats: timestamped protocol lines and P3 hex dumps.
//!
//! # Layout
//! - `RawLine` / `Lines`: physical lines with offsets, terminators kept aside.
//! - `LineSplit`: one item per `<ISO 8601> <raw line>` line, or per hex-dump line.
//! - `decode_hex`: pairs of hex digits, whitespace allowed between pairs.

use super::error::CaptureError;
use super::time::parse_datetime;
use super::{CaptureItem, skip_bom};
use std::borrow::Cow;

/// One physical line: `content` lacks the terminator, `full` keeps it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawLine<'a> {
    pub offset: usize,
    pub content: &'a [u8],
    pub full: &'a [u8],
}

impl RawLine<'_> {
    /// Whether the line holds only spaces, tabs and CRs.
    pub fn is_blank(&self) -> bool {
        self.content
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
    }
}

/// Iterates over the lines of `bytes` from `pos` (LF-terminated; CRs before the LF are
/// terminator too).
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = RawLine<'a>;

    fn next(&mut self) -> Option<RawLine<'a>> {
        let rest = self.bytes.get(self.pos..).filter(|r| !r.is_empty())?;
        let len = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let (full, _) = rest.split_at(len);
        let mut content = full.strip_suffix(b"\n").unwrap_or(full);
        while let Some(c) = content.strip_suffix(b"\r") {
            content = c;
        }
        let line = RawLine {
            offset: self.pos,
            content,
            full,
        };
        self.pos += len;
        Some(line)
    }
}

/// Which line format [`LineSplit`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineMode {
    Timestamped,
    Hex,
}

/// Splitter for `TimestampedLines` and `P3Hex`.
#[derive(Debug, Clone)]
pub(crate) struct LineSplit<'a> {
    lines: Lines<'a>,
    mode: LineMode,
}

impl<'a> LineSplit<'a> {
    pub fn new(bytes: &'a [u8], mode: LineMode) -> Self {
        Self {
            lines: Lines {
                bytes,
                pos: skip_bom(bytes),
            },
            mode,
        }
    }
}

impl<'a> Iterator for LineSplit<'a> {
    type Item = Result<CaptureItem<'a>, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = self.lines.next()?;
            let result = match self.mode {
                LineMode::Timestamped if line.is_blank() => continue,
                LineMode::Timestamped => timestamped(line),
                LineMode::Hex => {
                    let trimmed = trim_start(line.content);
                    if trimmed.is_empty() || trimmed.first() == Some(&b'#') {
                        continue;
                    }
                    hex_line(line)
                }
            };
            return Some(result);
        }
    }
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    bytes.get(n..).unwrap_or_default()
}

/// Parses the leading timestamp and the single space or tab after it; returns the
/// timestamp and the position just after the separator.
fn leading_timestamp(line: RawLine<'_>) -> Result<(i64, usize), CaptureError> {
    let (us, used) = parse_datetime(line.content).map_err(|reason| CaptureError::BadTimestamp {
        offset: line.offset,
        reason,
    })?;
    match line.content.get(used) {
        Some(b' ' | b'\t') => Ok((us, used + 1)),
        _ => Err(CaptureError::MissingSeparator {
            offset: line.offset + used,
        }),
    }
}

fn timestamped(line: RawLine<'_>) -> Result<CaptureItem<'_>, CaptureError> {
    let (us, start) = leading_timestamp(line)?;
    Ok(CaptureItem {
        offset: line.offset + start,
        captured_at_us: Some(us),
        source: None,
        data: Cow::Borrowed(line.full.get(start..).unwrap_or_default()),
    })
}

/// Whether `content` starts like `yyyy-`, the only way a hex-dump line can carry a time.
fn starts_with_date(content: &[u8]) -> bool {
    content.len() > 4
        && content.iter().take(4).all(u8::is_ascii_digit)
        && content.get(4) == Some(&b'-')
}

fn hex_line(line: RawLine<'_>) -> Result<CaptureItem<'static>, CaptureError> {
    let lead = line.content.len() - trim_start(line.content).len();
    let (captured_at_us, start) = if starts_with_date(trim_start(line.content)) {
        let inner = RawLine {
            offset: line.offset + lead,
            content: line.content.get(lead..).unwrap_or_default(),
            full: line.full.get(lead..).unwrap_or_default(),
        };
        let (us, used) = leading_timestamp(inner)?;
        (Some(us), lead + used)
    } else {
        (None, lead)
    };
    let text = line.content.get(start..).unwrap_or_default();
    let data = decode_hex(text, line.offset + start)?;
    if data.is_empty() {
        return Err(CaptureError::BadHex {
            offset: line.offset + start,
            reason: "no bytes on the line",
        });
    }
    Ok(CaptureItem {
        offset: line.offset + start,
        captured_at_us,
        source: None,
        data: Cow::Owned(data),
    })
}

/// Decodes pairs of hex digits; spaces and tabs may separate pairs. `base` is the file
/// offset of `text`, for error positions.
pub(crate) fn decode_hex(text: &[u8], base: usize) -> Result<Vec<u8>, CaptureError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<(u8, usize)> = None;
    for (i, &b) in text.iter().enumerate() {
        let nibble = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'F' => b - b'A' + 10,
            b'a'..=b'f' => b - b'a' + 10,
            b' ' | b'\t' => {
                if let Some((_, at)) = high {
                    return Err(CaptureError::BadHex {
                        offset: base + at,
                        reason: "lone hex digit",
                    });
                }
                continue;
            }
            _ => {
                return Err(CaptureError::BadHex {
                    offset: base + i,
                    reason: "not a hexadecimal digit",
                });
            }
        };
        match high.take() {
            Some((h, _)) => out.push(h << 4 | nibble),
            None => high = Some((nibble, i)),
        }
    }
    match high {
        Some((_, at)) => Err(CaptureError::BadHex {
            offset: base + at,
            reason: "lone hex digit",
        }),
        None => Ok(out),
    }
}
