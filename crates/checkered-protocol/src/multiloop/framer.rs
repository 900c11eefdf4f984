//! Streaming line framing for text feeds: bytes arrive in chunks of any size (TCP reads,
//! file blocks), lines leave with the absolute offset of their first byte.
//!
//! A line ends at LF; one CR before the LF is part of the terminator. Blank lines carry no
//! record and are skipped. A line longer than the limit is reported once and its bytes are
//! skipped without being buffered, so a peer that never sends LF cannot grow memory past the
//! limit. Lines wholly inside one chunk are handed out without copying.
//!
//! # Layout
//! - [`Line`]: one framed line, borrowed.
//! - [`LineFramer`]: `push` chunks, `finish` at end of stream.

use super::error::FrameError;

/// One line without its terminator, borrowed from the chunk or the framer's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// Absolute stream offset of the line's first byte.
    pub offset: u64,
    /// The line's bytes, terminator removed.
    pub bytes: &'a [u8],
}

/// Cuts a byte stream into lines (see the module docs).
///
/// ```
/// use checkered_protocol::multiloop::LineFramer;
///
/// let mut framer = LineFramer::new(1024);
/// let mut lines = Vec::new();
/// framer.push(0, b"$H\xa6N\r\n$C\xa6", |l| lines.push(l.map(|l| (l.offset, l.bytes.to_vec()))));
/// framer.push(9, b"U\r\n$V", |l| lines.push(l.map(|l| (l.offset, l.bytes.to_vec()))));
/// framer.finish(|l| lines.push(l.map(|l| (l.offset, l.bytes.to_vec()))));
/// assert_eq!(lines, vec![
///     Ok((0, b"$H\xa6N".to_vec())),
///     Ok((6, b"$C\xa6U".to_vec())),
///     Ok((12, b"$V".to_vec())),
/// ]);
/// ```
#[derive(Debug, Clone)]
pub struct LineFramer {
    max_len: usize,
    /// Stream offset just past the last byte pushed; `None` before the first chunk.
    next_offset: Option<u64>,
    /// Offset of the first byte of the line being assembled.
    line_start: u64,
    /// Bytes of the line being assembled (at most `max_len + 1`: a CR may await its LF).
    pending: Vec<u8>,
    /// While skipping an over-long line: its length so far and whether it ends in CR.
    overflow: Option<(u64, bool)>,
}

impl LineFramer {
    /// A framer that rejects lines longer than `max_line_len` bytes (terminator excluded).
    pub fn new(max_line_len: usize) -> Self {
        Self {
            max_len: max_line_len,
            next_offset: None,
            line_start: 0,
            pending: Vec::new(),
            overflow: None,
        }
    }

    /// Bytes held for the unfinished line (bounded by the limit plus one).
    pub fn buffered(&self) -> usize {
        self.pending.len()
    }

    /// Feeds `chunk`, whose first byte sits at absolute `offset`, and calls `emit` for every
    /// line it completes, in order. A chunk that does not start where the previous one
    /// ended drops the partial line and reports [`FrameError::Discontinuity`].
    pub fn push(
        &mut self,
        offset: u64,
        chunk: &[u8],
        mut emit: impl FnMut(Result<Line<'_>, FrameError>),
    ) {
        match self.next_offset {
            Some(expected) if expected != offset => {
                emit(Err(FrameError::Discontinuity {
                    expected,
                    got: offset,
                }));
                self.reset_line(offset);
            }
            Some(_) => {}
            None => self.reset_line(offset),
        }
        self.next_offset = Some(offset.saturating_add(chunk.len() as u64));
        let mut rest = chunk;
        let mut at = offset;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            let (segment, tail) = rest.split_at(i);
            self.complete(segment, &mut emit);
            let consumed = i as u64 + 1;
            at = at.saturating_add(consumed);
            self.reset_line(at);
            rest = tail.get(1..).unwrap_or_default();
        }
        self.partial(rest);
    }

    /// Ends the stream: delivers a final unterminated line (or its over-length error) and
    /// makes the framer ready for a new stream.
    pub fn finish(&mut self, mut emit: impl FnMut(Result<Line<'_>, FrameError>)) {
        self.complete(b"", &mut emit);
        self.next_offset = None;
        self.reset_line(0);
    }

    fn reset_line(&mut self, start: u64) {
        self.pending.clear();
        self.overflow = None;
        self.line_start = start;
    }

    fn too_long(&self, length: u64) -> FrameError {
        FrameError::LineTooLong {
            offset: self.line_start,
            length,
            max: self.max_len,
        }
    }

    /// The line ends after `segment` (its bytes since the last chunk boundary).
    fn complete(&mut self, segment: &[u8], emit: &mut impl FnMut(Result<Line<'_>, FrameError>)) {
        if let Some((len, ends_cr)) = self.overflow {
            let total = len.saturating_add(segment.len() as u64);
            let cr = if segment.is_empty() {
                ends_cr
            } else {
                segment.last() == Some(&b'\r')
            };
            emit(Err(self.too_long(total.saturating_sub(u64::from(cr)))));
            return;
        }
        let cr = segment.last().or(self.pending.last()) == Some(&b'\r');
        let content = (self.pending.len() + segment.len()).saturating_sub(usize::from(cr));
        if content > self.max_len {
            // Checked before copying: the buffer never holds more than the limit.
            emit(Err(self.too_long(content as u64)));
            return;
        }
        let line: &[u8] = if self.pending.is_empty() {
            segment
        } else {
            self.pending.extend_from_slice(segment);
            &self.pending
        };
        if let Some(bytes) = line.get(..content).filter(|b| !b.is_empty()) {
            emit(Ok(Line {
                offset: self.line_start,
                bytes,
            }));
        }
    }

    /// `rest` is the start of a line whose end has not arrived yet.
    fn partial(&mut self, rest: &[u8]) {
        if rest.is_empty() {
            return;
        }
        let ends_cr = rest.last() == Some(&b'\r');
        if let Some((len, _)) = self.overflow {
            self.overflow = Some((len.saturating_add(rest.len() as u64), ends_cr));
        } else if self.pending.len().saturating_add(rest.len()) > self.max_len.saturating_add(1) {
            let len = (self.pending.len() + rest.len()) as u64;
            self.pending.clear();
            self.overflow = Some((len, ends_cr));
        } else {
            self.pending.extend_from_slice(rest);
        }
    }
}
