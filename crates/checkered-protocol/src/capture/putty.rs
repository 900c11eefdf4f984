//! PuTTY binary session logs: a text header line
//! `=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2022.05.01 14:55:57 =~=~=~=~=~=~=~=~=~=~=~=` CR LF,
//! then the raw bytes of the session. A log that was appended to holds one header per
//! session; each session becomes one item stamped with its header's start time.
//!
//! Bytes before the first header are yielded without a timestamp. A malformed header is
//! reported and its session's bytes are still yielded, without a timestamp.
//!
//! # Layout
//! - [`HEADER_PREFIX`]: how a header starts.
//! - `PuttySplit`: the iterator.

use super::CaptureItem;
use super::error::CaptureError;
use super::time::parse_putty;
use std::borrow::Cow;

/// How every PuTTY log header starts.
pub const HEADER_PREFIX: &[u8] = b"=~=~=~=~=~=~=~=~=~=~=~= PuTTY log ";

/// How a PuTTY log header ends, before its line terminator.
const HEADER_SUFFIX: &[u8] = b" =~=~=~=~=~=~=~=~=~=~=~=";

/// A header line is short; a line feed further away than this means the header is broken.
const MAX_HEADER_TAIL: usize = 64;

/// Splitter for [`super::CaptureFormat::PuttyLog`].
#[derive(Debug, Clone)]
pub(crate) struct PuttySplit<'a> {
    bytes: &'a [u8],
    pos: usize,
    queued: Option<CaptureItem<'a>>,
}

impl<'a> PuttySplit<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            queued: None,
        }
    }
}

/// Offset of the next header at or after `from`.
fn find_header(bytes: &[u8], from: usize) -> Option<usize> {
    let hay = bytes.get(from..)?;
    hay.windows(HEADER_PREFIX.len())
        .position(|w| w == HEADER_PREFIX)
        .map(|i| from + i)
}

/// Parses the header at `at`; returns its timestamp (or the error) and where data starts.
fn parse_header(bytes: &[u8], at: usize) -> (Result<i64, CaptureError>, usize) {
    let tail_start = at + HEADER_PREFIX.len();
    let tail = bytes.get(tail_start..).unwrap_or_default();
    let window = tail.get(..MAX_HEADER_TAIL).unwrap_or(tail);
    let Some(lf) = window.iter().position(|&b| b == b'\n') else {
        let reason = "PuTTY header line does not end";
        return (
            Err(CaptureError::BadTimestamp {
                offset: tail_start,
                reason,
            }),
            tail_start,
        );
    };
    let data_start = tail_start + lf + 1;
    let mut line = window.get(..lf).unwrap_or_default();
    line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(stamp) = line.strip_suffix(HEADER_SUFFIX) else {
        let reason = "PuTTY header lacks its closing =~=~ marks";
        return (
            Err(CaptureError::BadTimestamp {
                offset: tail_start,
                reason,
            }),
            data_start,
        );
    };
    let parsed = parse_putty(stamp).map_err(|reason| CaptureError::BadTimestamp {
        offset: tail_start,
        reason,
    });
    (parsed, data_start)
}

impl<'a> Iterator for PuttySplit<'a> {
    type Item = Result<CaptureItem<'a>, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.queued.take() {
            return Some(Ok(item));
        }
        let bytes = self.bytes;
        if self.pos >= bytes.len() {
            return None;
        }
        let item = |offset: usize, end: usize, captured_at_us| CaptureItem {
            offset,
            captured_at_us,
            source: None,
            data: Cow::Borrowed(bytes.get(offset..end).unwrap_or_default()),
        };
        let header = find_header(bytes, self.pos);
        if header != Some(self.pos) {
            // Bytes before the first header: a log whose header was cut off.
            let end = header.unwrap_or(bytes.len());
            let start = std::mem::replace(&mut self.pos, end);
            return Some(Ok(item(start, end, None)));
        }
        let (stamp, data_start) = parse_header(bytes, self.pos);
        let end = find_header(bytes, data_start)
            .unwrap_or(bytes.len())
            .max(data_start);
        self.pos = end;
        match stamp {
            Ok(us) => Some(Ok(item(data_start, end, Some(us)))),
            Err(e) => {
                if end > data_start {
                    self.queued = Some(item(data_start, end, None));
                }
                Some(Err(e))
            }
        }
    }
}
