//! Streaming frame splitter: arbitrary TCP chunks in, frames and located errors out.
//!
//! A raw 0x8E always starts a frame and a raw 0x8F always ends one (both are escaped
//! inside frames), so the framer resynchronises on the next start marker after junk, a
//! truncated frame or a corrupt one, and never loses the next good frame.

use super::codec::{Frame, decode_unescaped};
use super::error::{FrameError, FrameErrorKind};
use super::escape::{EOR, SOR, has_raw_low, unescape_into};

/// Default upper bound on one escaped frame; real frames are under 100 bytes.
pub const DEFAULT_MAX_FRAME: usize = 4096;

/// A frame with its location in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Offset of the frame's start marker in the whole stream.
    pub offset: u64,
    /// Escaped length on the wire.
    pub wire_len: usize,
    /// The decoded frame.
    pub frame: Frame,
}

/// Splits a P3 byte stream into frames.
///
/// ```
/// use checkered_protocol::p3::Framer;
/// let mut framer = Framer::new();
/// framer.push(&[0x00, 0x01]); // junk
/// framer.push(&[0x8e, 0x02, 0x0b, 0x00, 0x2a, 0xb8, 0x00, 0x00, 0x24]);
/// framer.push(&[0x00, 0x8f]); // GET_TIME, split across reads
/// assert!(framer.next_frame().unwrap().is_err()); // the two junk bytes, located
/// assert!(framer.next_frame().unwrap().is_ok());
/// assert!(framer.next_frame().is_none());
/// ```
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    /// Index in `buf` of the first byte not yet consumed.
    start: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Junk bytes seen but not yet reported: (stream offset, count). Reported as one
    /// error when the next frame starts or the stream ends, so chunking never changes
    /// what is reported.
    junk: Option<(u64, u64)>,
    scratch: Vec<u8>,
    max_frame: usize,
}

impl Default for Framer {
    fn default() -> Self {
        Self::new()
    }
}

impl Framer {
    /// A framer with the default maximum frame size.
    pub fn new() -> Self {
        Self::with_max_frame(DEFAULT_MAX_FRAME)
    }

    /// A framer that gives up on a frame after `max_frame` escaped bytes without an end.
    pub fn with_max_frame(max_frame: usize) -> Self {
        Framer {
            buf: Vec::with_capacity(8192),
            start: 0,
            base: 0,
            junk: None,
            scratch: Vec::with_capacity(128),
            max_frame: max_frame.max(16),
        }
    }

    /// Appends bytes read from the stream.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.base += self.start as u64;
            self.buf.clear();
            self.start = 0;
        } else if self.start > 4096 && self.start * 2 > self.buf.len() {
            self.base += self.start as u64;
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Stream offset of the next unconsumed byte.
    pub fn position(&self) -> u64 {
        self.base + self.start as u64
    }

    /// The next frame or error, or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Decoded, FrameError>> {
        loop {
            let data = self.buf.get(self.start..).unwrap_or_default();
            let first = *data.first()?;
            if first != SOR {
                let skip = memchr::memchr(SOR, data).unwrap_or(data.len());
                self.note_junk(skip);
                continue;
            }
            if self.junk.is_some() {
                return self.take_junk().map(Err);
            }
            let offset = self.position();
            let data = self.buf.get(self.start..).unwrap_or_default();
            let rest = data.get(1..).unwrap_or_default();
            let Some(end) = memchr::memchr2(SOR, EOR, rest).map(|i| i + 1) else {
                if data.len() > self.max_frame {
                    let limit = self.max_frame;
                    self.start = self.buf.len();
                    return Some(Err(FrameError {
                        offset,
                        kind: FrameErrorKind::TooLong { limit },
                    }));
                }
                return None;
            };
            if data.get(end) == Some(&SOR) {
                self.start += end;
                return Some(Err(FrameError {
                    offset,
                    kind: FrameErrorKind::Truncated { len: end },
                }));
            }
            let result = self.decode_span(end);
            self.start += end + 1;
            return Some(
                result
                    .map_err(|kind| FrameError { offset, kind })
                    .map(|frame| Decoded {
                        offset,
                        wire_len: end + 1,
                        frame,
                    }),
            );
        }
    }

    /// Call at end of stream: reports junk or a partial frame still buffered.
    pub fn finish(&mut self) -> Option<FrameError> {
        let data = self.buf.get(self.start..).unwrap_or_default();
        if data.first() == Some(&SOR) {
            let offset = self.position();
            let len = data.len();
            self.start = self.buf.len();
            return Some(FrameError {
                offset,
                kind: FrameErrorKind::UnexpectedEof { len },
            });
        }
        let len = data.len();
        self.note_junk(len);
        self.take_junk()
    }

    fn note_junk(&mut self, len: usize) {
        if len == 0 {
            return;
        }
        let at = self.position();
        let entry = self.junk.get_or_insert((at, 0));
        entry.1 += len as u64;
        self.start += len;
    }

    fn take_junk(&mut self) -> Option<FrameError> {
        self.junk.take().map(|(offset, len)| FrameError {
            offset,
            kind: FrameErrorKind::Junk { len },
        })
    }

    /// Unescapes `buf[start..=start+end]` (SOR..EOR) and decodes it.
    fn decode_span(&mut self, end: usize) -> Result<Frame, FrameErrorKind> {
        let span = self
            .buf
            .get(self.start + 1..self.start + end)
            .unwrap_or_default();
        self.scratch.clear();
        self.scratch.push(SOR);
        unescape_into(span, &mut self.scratch).map_err(|_| FrameErrorKind::BadEscape)?;
        self.scratch.push(EOR);
        let mut frame = decode_unescaped(&self.scratch)?;
        frame.escape_low = !has_raw_low(span);
        Ok(frame)
    }
}

/// Decodes a complete byte stream, in order, including the end-of-stream check.
pub fn decode_all(bytes: &[u8]) -> Vec<Result<Decoded, FrameError>> {
    let mut framer = Framer::with_max_frame(DEFAULT_MAX_FRAME);
    framer.push(bytes);
    let mut out: Vec<_> = std::iter::from_fn(|| framer.next_frame()).collect();
    out.extend(framer.finish().map(Err));
    out
}
