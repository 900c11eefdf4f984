//! Streaming: arbitrary byte chunks in, complete lines (and records) out.
//!
//! RMonitor arrives over TCP in chunks that split lines anywhere. The framer buffers at
//! most one partial line, bounded by a configurable length: a longer line is skipped
//! without being buffered and reported as [`RmonitorError::LineTooLong`] once its end
//! arrives, so a misbehaving peer cannot make memory grow. Lines end at LF; any CRs before
//! it are dropped (CRLF from Orbits, `\r\r\n` from RedMist captures). At end of stream,
//! [`LineFramer::finish`] turns unterminated trailing bytes into a final line, because real
//! captures often lack the last newline.
//!
//! # Layout
//! - [`Located`]: a result with the stream offset of the line it came from.
//! - [`LineFramer`]: bytes → lines.
//! - [`Decoder`]: bytes → records (blank lines skipped).

use super::tokenizer::is_space;
use super::{Record, RmonitorError, decode_line};

/// Default line-length limit: far above any real record (a `$T` with dozens of sections
/// is a few kB), small enough that a stream without newlines costs little memory.
pub const DEFAULT_MAX_LINE_LEN: usize = 64 * 1024;

/// A result tied to the absolute byte offset (from the start of the stream) of the first
/// byte of its line, so errors and records can be traced back to a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// Offset of the line's first byte in the stream.
    pub offset: u64,
    /// The line (or record), or why it was rejected.
    pub result: Result<T, RmonitorError>,
}

/// A line being skipped because it exceeds the limit.
#[derive(Debug, Clone, Copy)]
struct Skip {
    offset: u64,
    len: u64,
}

/// Splits a byte stream into lines (LF-terminated, CRs before the LF dropped) with memory
/// bounded by the line limit: longer lines are skipped unbuffered and reported as
/// [`RmonitorError::LineTooLong`]; at end of stream ([`LineFramer::finish`]) trailing bytes
/// without a terminator become the last line.
#[derive(Debug, Clone)]
pub struct LineFramer {
    /// Bytes received and not yet returned; `buf[start..]` is pending.
    buf: Vec<u8>,
    /// Index in `buf` of the first pending byte.
    start: usize,
    /// Pending bytes already searched for LF without success.
    scanned: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Longest line kept, in bytes without the terminator.
    max_line_len: usize,
    /// The over-long line being discarded, if any.
    skipping: Option<Skip>,
    /// An over-long line that ended during `push`, reported before later lines.
    finished_skip: Option<Skip>,
    /// End of stream: unterminated pending bytes form a final line.
    eof: bool,
}

impl Default for LineFramer {
    fn default() -> Self {
        LineFramer::new(DEFAULT_MAX_LINE_LEN)
    }
}

impl LineFramer {
    /// A framer that skips (and reports) lines longer than `max_line_len` bytes.
    pub fn new(max_line_len: usize) -> Self {
        LineFramer {
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            base: 0,
            max_line_len,
            skipping: None,
            finished_skip: None,
            eof: false,
        }
    }

    /// Appends a chunk. Drain [`LineFramer::next_line`] after each push: memory stays
    /// bounded by the limit plus one chunk. Pushing after [`LineFramer::finish`] resumes
    /// the stream.
    pub fn push(&mut self, chunk: &[u8]) {
        self.eof = false;
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.base += self.start as u64;
            self.start = 0;
        }
        let mut chunk = chunk;
        if let Some(mut skip) = self.skipping.take() {
            match memchr::memchr(b'\n', chunk) {
                None => {
                    skip.len += chunk.len() as u64;
                    self.base += chunk.len() as u64;
                    self.skipping = Some(skip);
                    return;
                }
                Some(i) => {
                    skip.len += i as u64;
                    self.base += i as u64 + 1;
                    self.finished_skip = Some(skip);
                    chunk = chunk.get(i + 1..).unwrap_or_default();
                }
            }
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Feeds a chunk and hands every line it completes to `emit`, in order: exactly the
    /// lines (and over-long-line errors) that [`LineFramer::push`] followed by draining
    /// [`LineFramer::next_line`] gives, but the lines wholly inside the chunk are handed
    /// out where they lie, without being copied; only the unterminated tail is buffered.
    pub fn push_lines(&mut self, chunk: &[u8], mut emit: impl FnMut(Located<&[u8]>)) {
        // Up to the first LF the chunk continues whatever is pending (a partial line, an
        // over-long line being skipped): that part takes the buffered path.
        let Some(first) = memchr::memchr(b'\n', chunk) else {
            self.push(chunk);
            while let Some(line) = self.next_line() {
                emit(line);
            }
            return;
        };
        let (head, rest) = chunk.split_at(first + 1);
        self.push(head);
        while let Some(line) = self.next_line() {
            emit(line);
        }
        // Nothing is pending now: `head` ended with a LF. Whole lines of the rest are
        // handed out in place, with the same length check as `next_line`.
        let base = self.base + self.start as u64;
        let mut pos = 0;
        for lf in memchr::memchr_iter(b'\n', rest) {
            let line = rest.get(pos..lf).unwrap_or_default();
            let offset = base + pos as u64;
            emit(if line.len() > self.max_line_len {
                self.too_long(Skip {
                    offset,
                    len: line.len() as u64,
                })
            } else {
                Located {
                    offset,
                    result: Ok(trim_cr(line)),
                }
            });
            pos = lf + 1;
        }
        // The unterminated tail is buffered as `push` would.
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        self.base = base + pos as u64;
        self.push(rest.get(pos..).unwrap_or_default());
        while let Some(line) = self.next_line() {
            emit(line);
        }
    }

    /// Marks the end of the stream: [`LineFramer::next_line`] then also returns the
    /// trailing bytes that have no line terminator (or the over-long line being skipped).
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// Bytes buffered and not yet returned (at most the limit plus the last chunk).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next complete line (trailing CRs removed), an over-long-line error, or `None`
    /// until more bytes arrive.
    pub fn next_line(&mut self) -> Option<Located<&[u8]>> {
        if let Some(skip) = self.finished_skip.take() {
            return Some(self.too_long(skip));
        }
        let pending = self.buf.get(self.start..).unwrap_or_default();
        let found = pending
            .get(self.scanned..)
            .and_then(|s| memchr::memchr(b'\n', s));
        let (line_start, line_end) = match found {
            Some(i) => {
                let end = self.start + self.scanned + i;
                (std::mem::replace(&mut self.start, end + 1), end)
            }
            None => return self.no_terminator(),
        };
        self.scanned = 0;
        let offset = self.base + line_start as u64;
        let len = line_end - line_start;
        if len > self.max_line_len {
            return Some(self.too_long(Skip {
                offset,
                len: len as u64,
            }));
        }
        let line = self.buf.get(line_start..line_end).unwrap_or_default();
        Some(Located {
            offset,
            result: Ok(trim_cr(line)),
        })
    }

    /// No LF in the pending bytes: start skipping if they are too long already, and at
    /// end of stream return them as the last line.
    fn no_terminator(&mut self) -> Option<Located<&[u8]>> {
        let pending_len = self.buf.len() - self.start;
        self.scanned = pending_len;
        if pending_len > self.max_line_len {
            let offset = self.base + self.start as u64;
            self.skipping = Some(Skip {
                offset,
                len: pending_len as u64,
            });
            self.buf.clear();
            self.base = offset + pending_len as u64;
            self.start = 0;
            self.scanned = 0;
        }
        if !self.eof {
            return None;
        }
        if let Some(skip) = self.skipping.take() {
            return Some(self.too_long(skip));
        }
        if pending_len == 0 {
            return None;
        }
        let line_start = std::mem::replace(&mut self.start, self.buf.len());
        self.scanned = 0;
        let line = self.buf.get(line_start..).unwrap_or_default();
        Some(Located {
            offset: self.base + line_start as u64,
            result: Ok(trim_cr(line)),
        })
    }

    fn too_long<T>(&self, skip: Skip) -> Located<T> {
        Located {
            offset: skip.offset,
            result: Err(RmonitorError::LineTooLong {
                len: skip.len,
                max: self.max_line_len,
            }),
        }
    }
}

/// Drops the CRs before the LF.
fn trim_cr(line: &[u8]) -> &[u8] {
    let end = line.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
    line.get(..end).unwrap_or_default()
}

/// Decodes a byte stream into records: a [`LineFramer`] plus [`decode_line`], skipping
/// blank lines. Iterate it after each [`Decoder::push`] and after [`Decoder::finish`].
///
/// ```
/// use checkered_protocol::rmonitor::{Decoder, Record};
/// let mut dec = Decoder::default();
/// dec.push(b"$B,95,\"Test R");
/// assert!(dec.next().is_none());
/// dec.push(b"ace\"\r\n$C,1,\"GT\"");
/// let first = dec.next().unwrap();
/// assert_eq!(first.offset, 0);
/// assert!(first.result.unwrap().is_session_end());
/// dec.finish();
/// let last = dec.next().unwrap();
/// assert_eq!(last.offset, 19);
/// assert!(matches!(last.result, Ok(Record::Class { class_no: 1, .. })));
/// assert!(dec.next().is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    framer: LineFramer,
}

impl Decoder {
    /// A decoder that skips (and reports) lines longer than `max_line_len` bytes.
    pub fn new(max_line_len: usize) -> Self {
        Decoder {
            framer: LineFramer::new(max_line_len),
        }
    }

    /// Appends a chunk (see [`LineFramer::push`]).
    pub fn push(&mut self, chunk: &[u8]) {
        self.framer.push(chunk);
    }

    /// Marks the end of the stream (see [`LineFramer::finish`]).
    pub fn finish(&mut self) {
        self.framer.finish();
    }

    /// Feeds a chunk and hands every record it completes to `emit`: the same records, in
    /// the same order, as [`Decoder::push`] followed by iterating, but lines wholly inside
    /// the chunk are decoded where they lie instead of being copied into the buffer first
    /// (see [`LineFramer::push_lines`]). Mixing both ways of feeding is fine.
    ///
    /// ```
    /// use checkered_protocol::rmonitor::{Decoder, Record};
    /// let mut dec = Decoder::default();
    /// let mut records = Vec::new();
    /// dec.push_with(b"$C,1,\"GT\"\r\n$B,95,\"Test R", |r| records.push(r));
    /// dec.push_with(b"ace\"\r\n", |r| records.push(r));
    /// assert_eq!(records.len(), 2);
    /// assert_eq!(records[1].offset, 11);
    /// assert!(matches!(&records[1].result, Ok(r) if r.is_session_end()));
    /// ```
    pub fn push_with(&mut self, chunk: &[u8], mut emit: impl FnMut(Located<Record>)) {
        self.framer.push_lines(chunk, |Located { offset, result }| {
            let result = match result {
                Ok(line) if line.iter().all(|&b| is_space(b)) => return,
                Ok(line) => decode_line(line),
                Err(e) => Err(e),
            };
            emit(Located { offset, result });
        });
    }
}

impl Iterator for Decoder {
    type Item = Located<Record>;

    fn next(&mut self) -> Option<Located<Record>> {
        loop {
            let Located { offset, result } = self.framer.next_line()?;
            let result = match result {
                Ok(line) if line.iter().all(|&b| is_space(b)) => continue,
                Ok(line) => decode_line(line),
                Err(e) => Err(e),
            };
            return Some(Located { offset, result });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(framer: &mut LineFramer) -> Vec<(u64, Result<Vec<u8>, RmonitorError>)> {
        std::iter::from_fn(|| {
            framer
                .next_line()
                .map(|l| (l.offset, l.result.map(<[u8]>::to_vec)))
        })
        .collect()
    }

    #[test]
    fn splits_on_lf_and_strips_crs_with_offsets() {
        let mut f = LineFramer::default();
        f.push(b"$A\r\n$B\n$C\r\r\n\n$D");
        let got = lines(&mut f);
        let want: Vec<(u64, Result<Vec<u8>, RmonitorError>)> = vec![
            (0, Ok(b"$A".to_vec())),
            (4, Ok(b"$B".to_vec())),
            (7, Ok(b"$C".to_vec())),
            (12, Ok(vec![])),
        ];
        assert_eq!(got, want);
        f.finish();
        assert_eq!(lines(&mut f), vec![(13, Ok(b"$D".to_vec()))]);
        assert_eq!(f.buffered(), 0);
    }

    #[test]
    fn over_long_lines_are_reported_and_skipped_without_buffering() {
        let mut f = LineFramer::new(4);
        f.push(b"$ok\n$toolong");
        assert_eq!(lines(&mut f), vec![(0, Ok(b"$ok".to_vec()))]);
        assert_eq!(f.buffered(), 0, "the over-long partial line is dropped");
        f.push(b"xxxxxxxxxxxxxxxxxxxx");
        assert_eq!(f.buffered(), 0);
        assert!(lines(&mut f).is_empty());
        f.push(b"yy\n$B\n");
        let too_long = Err(RmonitorError::LineTooLong { len: 30, max: 4 });
        assert_eq!(lines(&mut f), vec![(4, too_long), (35, Ok(b"$B".to_vec()))]);
    }

    #[test]
    fn over_long_complete_line_and_unterminated_tail() {
        let mut f = LineFramer::new(3);
        f.push(b"$1234\n$1\n$99999");
        f.finish();
        let got = lines(&mut f);
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0],
            (0, Err(RmonitorError::LineTooLong { len: 5, max: 3 }))
        );
        assert_eq!(got[1], (6, Ok(b"$1".to_vec())));
        assert_eq!(
            got[2],
            (9, Err(RmonitorError::LineTooLong { len: 6, max: 3 }))
        );
    }

    /// Feeds `chunks` to two decoders, one through `push` and iteration, one through
    /// `push_with`, and checks they give the same records in the same order.
    fn both_ways(max: usize, chunks: &[&[u8]]) -> Vec<Located<Record>> {
        let (mut iterated, mut called) = (Decoder::new(max), Decoder::new(max));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for chunk in chunks {
            iterated.push(chunk);
            a.extend(iterated.by_ref());
            called.push_with(chunk, |r| b.push(r));
            assert_eq!(a, b, "after a chunk of {}", chunk.len());
        }
        iterated.finish();
        called.finish();
        a.extend(iterated);
        b.extend(called);
        assert_eq!(a, b);
        a
    }

    #[test]
    fn push_with_matches_push_on_a_real_capture() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/rmonitor/orbits-mock-session.txt"
        );
        let bytes = std::fs::read(path).unwrap_or_default();
        for size in [1, 2, 7, 46, 100, 4096, bytes.len()] {
            let chunks: Vec<&[u8]> = bytes.chunks(size).collect();
            assert_eq!(both_ways(DEFAULT_MAX_LINE_LEN, &chunks).len(), 584);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// Lines of every kind (records, blanks, CRs, over-long ones, an unterminated
        /// tail), cut anywhere, with a small line limit.
        #[test]
        fn push_with_matches_push(
            pieces in proptest::collection::vec(0usize..9, 0..40),
            cuts in proptest::collection::vec(0usize..300, 0..8),
            max in 0usize..40,
        ) {
            const PIECES: [&[u8]; 9] = [
                b"$F,9999,\"00:00:00\",\"07:59:36\",\"00:59:59\",\"Green \"",
                b"$C,1,\"GT\"", b"\r\n", b"\n", b"\r", b"  ", b"junk",
                b"$G,4,\"7\",,\"00:00:03.863\"", b"$B,95,\"Test Race\"",
            ];
            let stream: Vec<u8> = pieces.iter().flat_map(|&i| PIECES[i].iter().copied()).collect();
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= stream.len()).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut at = 0;
            for cut in cuts.into_iter().chain([stream.len()]) {
                chunks.push(&stream[at..cut]);
                at = cut;
            }
            both_ways(max, &chunks);
        }
    }

    #[test]
    fn decoder_skips_blank_lines_and_reports_bad_ones() {
        let mut d = Decoder::default();
        d.push(b"\r\n  \r\n$C,1,\"GT\"\r\njunk\r\n");
        let got: Vec<_> = d.by_ref().map(|l| (l.offset, l.result.is_ok())).collect();
        assert_eq!(got, vec![(6, true), (17, false)]);
    }
}
