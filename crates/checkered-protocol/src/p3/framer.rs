//! Streaming frame splitter: arbitrary TCP chunks in, frames and located errors out.
//!
//! A raw 0x8E always starts a frame and a raw 0x8F always ends one (both are escaped
//! inside frames), so the framer resynchronises on the next start marker after junk, a
//! truncated frame or a corrupt one, and never loses the next good frame.

use super::codec::{Frame, HEADER_LEN, decode_unescaped};
use super::error::{FrameError, FrameErrorKind};
use super::escape::{EOR, SOR, any_escapable, has_raw_low, unescape_into};

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
    /// Whether escape-free frames are decoded in place ([`clean_frame`]); off only in
    /// the tests that hold both paths to the same results.
    clean_path: bool,
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
            clean_path: true,
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
            if let Some(frame) = clean_frame(data).filter(|_| self.clean_path) {
                // Nothing to unescape: decode the frame where it lies in the buffer.
                let wire_len = frame.len();
                let result = decode_unescaped(frame);
                self.start += wire_len;
                return Some(
                    result
                        .map_err(|kind| FrameError { offset, kind })
                        .map(|frame| Decoded {
                            offset,
                            wire_len,
                            frame,
                        }),
                );
            }
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

/// The frame at the start of `data` if it needs no unescaping: its LENGTH field points at
/// an end marker and no byte between the markers is in 0x8A..=0x8F (so there is no escape,
/// no earlier marker, and the escaped length is the unescaped one). The general path would
/// find the same end and decode the same bytes; this one skips the marker search and the
/// copy. Anything else (escapes, a LENGTH that does not point at an end marker, a frame
/// not fully received) is left to the general path.
#[inline]
fn clean_frame(data: &[u8]) -> Option<&[u8]> {
    let len = usize::from(u16::from_le_bytes([*data.get(2)?, *data.get(3)?]));
    if len <= HEADER_LEN {
        return None;
    }
    let frame = data.get(..len)?;
    let inner = frame.get(1..len - 1)?;
    (frame.last() == Some(&EOR) && !any_escapable(inner)).then_some(frame)
}

/// Decodes a complete byte stream, in order, including the end-of-stream check.
pub fn decode_all(bytes: &[u8]) -> Vec<Result<Decoded, FrameError>> {
    let mut framer = Framer::with_max_frame(DEFAULT_MAX_FRAME);
    framer.push(bytes);
    let mut out: Vec<_> = std::iter::from_fn(|| framer.next_frame()).collect();
    out.extend(framer.finish().map(Err));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kart_frames() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/p3/kart-decoder-2022-05-01.log"
        );
        let bytes = std::fs::read(path).unwrap_or_default();
        bytes.get(79..).unwrap_or_default().to_vec()
    }

    fn run(mut framer: Framer, bytes: &[u8], chunk: usize) -> Vec<Result<Decoded, FrameError>> {
        let mut out = Vec::new();
        for piece in bytes.chunks(chunk.max(1)) {
            framer.push(piece);
            out.extend(std::iter::from_fn(|| framer.next_frame()));
        }
        out.extend(framer.finish().map(Err));
        out
    }

    fn both_paths(bytes: &[u8], chunk: usize) {
        let fast = run(Framer::new(), bytes, chunk);
        let mut general = Framer::new();
        general.clean_path = false;
        assert_eq!(fast, run(general, bytes, chunk));
    }

    #[test]
    fn the_kart_capture_decodes_the_same_on_both_paths() {
        let bytes = kart_frames();
        assert!(bytes.len() > 3000);
        for chunk in [1, 7, 51, 1460, bytes.len()] {
            both_paths(&bytes, chunk);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Damaged real streams: every flip, insertion or deletion (escape bytes, markers,
        /// LENGTH fields pointing elsewhere, truncations) must give the same frames and
        /// errors with and without the in-place path.
        #[test]
        fn damaged_streams_decode_the_same_on_both_paths(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..12),
            chunk in 1usize..200,
        ) {
            let mut bytes = kart_frames();
            bytes.truncate(600);
            for (at, byte, kind) in edits {
                let i = at.index(bytes.len() + 1);
                match kind {
                    0 if i < bytes.len() => bytes[i] = byte,
                    1 => bytes.insert(i, [SOR, EOR, 0x8D, 0x8A, byte][usize::from(byte) % 5]),
                    _ if i < bytes.len() => { bytes.remove(i); }
                    _ => {}
                }
            }
            both_paths(&bytes, chunk);
        }
    }
}
