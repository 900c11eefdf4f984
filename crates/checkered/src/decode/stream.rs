//! One streaming decoder per protocol, all yielding the same [`Item`]s.
//!
//! Each decoder takes arbitrary chunks of one stream (a TCP read, a file block, one
//! capture batch) and reports every message or problem with its byte offset from the
//! start of that stream. Callers add the stream's own offset in the file.
//!
//! # Layout
//! - [`Item`]: a message (type name and JSON) or a located problem.
//! - [`StreamDecoder`], [`decoder`]: the common interface and its constructor.
//! - [`Protocol`]: the protocols, and [`Protocol::sniff`] for batches of unknown type.
//! - `P3Stream`, `RmonitorStream`, `MultiloopStream`: the decoders.

use checkered_protocol::{multiloop, p3, rmonitor};

/// A decoded message or a located problem, in stream order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A decoded message: its offset, type name and JSON form.
    Message {
        /// Byte offset of the message in its stream.
        offset: u64,
        /// The message type (`PASSING`, `HEARTBEAT`, …), as in the JSON's `type` field.
        kind: String,
        /// The record as a JSON object whose first field is `type`.
        json: String,
    },
    /// Bytes that did not decode, with the reason.
    Problem {
        /// Byte offset of the offending bytes in their stream.
        offset: u64,
        /// Why they did not decode.
        reason: String,
    },
}

/// A protocol decoder fed arbitrary chunks of one stream.
pub trait StreamDecoder {
    /// Feeds bytes; decoded items are appended to `out` in order.
    fn push(&mut self, chunk: &[u8], out: &mut Vec<Item>);
    /// Ends the stream: reports what is left in the buffer.
    fn finish(&mut self, out: &mut Vec<Item>);
}

/// The protocols `decode` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// MyLaps/AMB P3 binary.
    P3,
    /// Orbits RMonitor text.
    Rmonitor,
    /// Multiloop text (0xA6-separated).
    Multiloop,
}

impl Protocol {
    /// The protocol's name, as RedMist logs spell it after `|` and as `feed` in the output.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::P3 => "p3",
            Protocol::Rmonitor => "rmonitor",
            Protocol::Multiloop => "multiloop",
        }
    }

    /// The protocol a RedMist batch type names (`rmonitor`, `multiloop`, `p3`, any case).
    pub fn from_source(source: &str) -> Option<Protocol> {
        [Protocol::P3, Protocol::Rmonitor, Protocol::Multiloop]
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(source.trim()))
    }

    /// Guesses the protocol of a batch from its first line: a P3 start marker, a Multiloop
    /// 0xA6 separator before any comma, or else RMonitor (what RedMist assumes for
    /// batches without a type).
    ///
    /// ```
    /// use checkered::decode::stream::Protocol;
    /// assert_eq!(Protocol::sniff(b"$H\xa6N\xa62F4\xa6Q1\r\n"), Protocol::Multiloop);
    /// assert_eq!(Protocol::sniff(b"$F,9999,\"00:00:00\"\r\n"), Protocol::Rmonitor);
    /// assert_eq!(Protocol::sniff(b"\x8e\x02\x1f\x00"), Protocol::P3);
    /// ```
    pub fn sniff(batch: &[u8]) -> Protocol {
        let start = batch
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(batch.len());
        let text = batch.get(start..).unwrap_or_default();
        if text.first() == Some(&p3::escape::SOR) {
            return Protocol::P3;
        }
        let line = text.split(|&b| b == b'\n').next().unwrap_or_default();
        match line
            .iter()
            .find(|&&b| b == multiloop::SEPARATOR || b == b',')
        {
            Some(&multiloop::SEPARATOR) => Protocol::Multiloop,
            _ => Protocol::Rmonitor,
        }
    }
}

/// A fresh decoder for one stream of `protocol`.
pub fn decoder(protocol: Protocol) -> Box<dyn StreamDecoder> {
    match protocol {
        Protocol::P3 => Box::new(P3Stream(p3::Framer::new())),
        Protocol::Rmonitor => Box::new(Bom::new(RmonitorStream(rmonitor::Decoder::default()))),
        Protocol::Multiloop => Box::new(Bom::new(MultiloopStream {
            framer: multiloop::LineFramer::new(rmonitor::DEFAULT_MAX_LINE_LEN),
            offset: 0,
        })),
    }
}

/// The name in a record's JSON `"type"` field: the counts in the summary use exactly the
/// names the output shows.
fn type_name(json: &str) -> &str {
    json.strip_prefix("{\"type\":\"")
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("UNKNOWN")
}

/// Builds a message item from any record that serialises to an object tagged `type`.
fn message<T: serde::Serialize>(offset: u64, record: &T) -> Item {
    match serde_json::to_string(record) {
        Ok(json) => Item::Message {
            offset,
            kind: type_name(&json).to_owned(),
            json,
        },
        Err(e) => Item::Problem {
            offset,
            reason: format!("decoded record could not be written as JSON: {e}"),
        },
    }
}

struct P3Stream(p3::Framer);

impl P3Stream {
    fn item(result: Result<p3::Decoded, p3::FrameError>) -> Item {
        match result {
            Ok(d) => message(d.offset, &d.frame),
            Err(e) => Item::Problem {
                offset: e.offset,
                reason: e.kind.to_string(),
            },
        }
    }
}

impl StreamDecoder for P3Stream {
    fn push(&mut self, chunk: &[u8], out: &mut Vec<Item>) {
        self.0.push(chunk);
        out.extend(std::iter::from_fn(|| self.0.next_frame()).map(Self::item));
    }

    fn finish(&mut self, out: &mut Vec<Item>) {
        out.extend(self.0.finish().map(|e| Self::item(Err(e))));
    }
}

/// Skips a UTF-8 byte-order mark at the start of a text stream (Windows tools write one),
/// keeping offsets relative to the stream's first byte.
struct Bom<D> {
    inner: D,
    /// The stream's first bytes while they may still be the start of a mark.
    head: Vec<u8>,
    /// Whether the start of the stream has been dealt with.
    started: bool,
    /// Bytes skipped (0 or 3), added to the inner decoder's offsets.
    skipped: u64,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<D: StreamDecoder> Bom<D> {
    fn new(inner: D) -> Self {
        Bom {
            inner,
            head: Vec::new(),
            started: false,
            skipped: 0,
        }
    }

    fn forward(&mut self, chunk: &[u8], out: &mut Vec<Item>) {
        let first = out.len();
        self.inner.push(chunk, out);
        self.shift(out, first);
    }

    fn shift(&self, out: &mut [Item], first: usize) {
        for item in out.iter_mut().skip(first) {
            match item {
                Item::Message { offset, .. } | Item::Problem { offset, .. } => {
                    *offset += self.skipped;
                }
            }
        }
    }

    /// Decides on the mark once the head is long enough (or the stream ended).
    fn start(&mut self, out: &mut Vec<Item>, at_end: bool) {
        let head = std::mem::take(&mut self.head);
        let could_be = BOM.starts_with(&head) || head.starts_with(BOM);
        if could_be && head.len() < BOM.len() && !at_end {
            self.head = head;
            return;
        }
        self.started = true;
        let rest = match head.strip_prefix(BOM) {
            Some(rest) => {
                self.skipped = BOM.len() as u64;
                rest
            }
            None => &head,
        };
        self.forward(rest, out);
    }
}

impl<D: StreamDecoder> StreamDecoder for Bom<D> {
    fn push(&mut self, chunk: &[u8], out: &mut Vec<Item>) {
        if self.started {
            self.forward(chunk, out);
        } else {
            self.head.extend_from_slice(chunk);
            self.start(out, false);
        }
    }

    fn finish(&mut self, out: &mut Vec<Item>) {
        if !self.started {
            self.start(out, true);
        }
        let first = out.len();
        self.inner.finish(out);
        self.shift(out, first);
    }
}

struct RmonitorStream(rmonitor::Decoder);

fn rmonitor_item(l: rmonitor::Located<rmonitor::Record>) -> Item {
    match l.result {
        Ok(record) => message(l.offset, &record),
        Err(e) => Item::Problem {
            offset: l.offset,
            reason: e.to_string(),
        },
    }
}

impl StreamDecoder for RmonitorStream {
    fn push(&mut self, chunk: &[u8], out: &mut Vec<Item>) {
        // Whole lines are decoded where they lie in the chunk.
        self.0.push_with(chunk, |l| out.push(rmonitor_item(l)));
    }

    fn finish(&mut self, out: &mut Vec<Item>) {
        self.0.finish();
        out.extend(self.0.by_ref().map(rmonitor_item));
    }
}

struct MultiloopStream {
    framer: multiloop::LineFramer,
    /// Stream offset of the next chunk.
    offset: u64,
}

/// A Multiloop message as JSON: the record (tagged `type`) with the header after it.
fn multiloop_item(offset: u64, message: &multiloop::Message) -> Item {
    let record = message_json(&message.record);
    let header = message_json(&message.header);
    let verbatim = (!message.verbatim.is_empty()).then(|| message_json(&message.verbatim));
    match (record, header, verbatim.transpose()) {
        (Ok(record), Ok(header), Ok(verbatim)) => {
            // `record` is an object that at least holds `type`: open it up and append.
            let body = record.strip_suffix('}').unwrap_or(&record);
            let mut json = format!("{body},\"header\":{header}");
            if let Some(v) = verbatim {
                json.push_str(",\"verbatim\":");
                json.push_str(&v);
            }
            json.push('}');
            Item::Message {
                offset,
                kind: type_name(&json).to_owned(),
                json,
            }
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Item::Problem {
            offset,
            reason: format!("decoded record could not be written as JSON: {e}"),
        },
    }
}

fn message_json<T: serde::Serialize>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value)
}

fn multiloop_line(line: Result<multiloop::Line<'_>, multiloop::FrameError>) -> Item {
    match line {
        Ok(line) => match multiloop::decode_line(line.bytes) {
            Ok(message) => multiloop_item(line.offset, &message),
            Err(e) => Item::Problem {
                offset: line.offset,
                reason: e.to_string(),
            },
        },
        Err(e) => {
            let offset = match e {
                multiloop::FrameError::LineTooLong { offset, .. } => offset,
                multiloop::FrameError::Discontinuity { got, .. } => got,
            };
            Item::Problem {
                offset,
                reason: e.to_string(),
            }
        }
    }
}

impl StreamDecoder for MultiloopStream {
    fn push(&mut self, chunk: &[u8], out: &mut Vec<Item>) {
        self.framer
            .push(self.offset, chunk, |l| out.push(multiloop_line(l)));
        self.offset += chunk.len() as u64;
    }

    fn finish(&mut self, out: &mut Vec<Item>) {
        self.framer.finish(|l| out.push(multiloop_line(l)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(protocol: Protocol, chunks: &[&[u8]]) -> Vec<Item> {
        let mut d = decoder(protocol);
        let mut out = Vec::new();
        for c in chunks {
            d.push(c, &mut out);
        }
        d.finish(&mut out);
        out
    }

    fn offsets(items: &[Item]) -> Vec<(u64, bool)> {
        items
            .iter()
            .map(|i| match i {
                Item::Message { offset, .. } => (*offset, true),
                Item::Problem { offset, .. } => (*offset, false),
            })
            .collect()
    }

    #[test]
    fn a_bom_split_across_reads_is_skipped_and_offsets_count_it() {
        let text: &[u8] = b"\xEF\xBB\xBF$C,1,\"GT\"\r\n$C,2,\"GP\"\r\n";
        for split in 0..text.len() {
            let (a, b) = text.split_at(split);
            let items = decode(Protocol::Rmonitor, &[a, b]);
            assert_eq!(
                offsets(&items),
                vec![(3, true), (14, true)],
                "split {split}"
            );
        }
    }

    #[test]
    fn text_that_only_starts_like_a_bom_is_kept() {
        let items = decode(Protocol::Rmonitor, &[b"\xEF", b"$C,1,\"GT\"\r\n"]);
        assert_eq!(offsets(&items), vec![(0, false)]);
        assert!(decode(Protocol::Rmonitor, &[b"\xEF\xBB"]).len() == 1);
    }

    #[test]
    fn multiloop_messages_carry_type_first_and_their_header() {
        let line: &[u8] = b"$H\xa6N\xa62F4\xa6Q1\xa6G\xa6685E9B2F\xa69A0AB\xa60\xa6D42B4\r\n";
        let items = decode(Protocol::Multiloop, &[line, b"junk\r\n"]);
        let Some(Item::Message { kind, json, offset }) = items.first() else {
            panic!("{items:?}")
        };
        assert_eq!((kind.as_str(), *offset), ("HEARTBEAT", 0));
        let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
        assert_eq!(value["elapsed_ms"], 630_955);
        assert_eq!(value["header"]["preamble"], "Q1");
        assert!(json.starts_with("{\"type\":\"HEARTBEAT\""), "{json}");
        assert!(
            matches!(items.get(1), Some(Item::Problem { offset, .. }) if *offset == line.len() as u64)
        );
    }

    #[test]
    fn sources_and_sniffing() {
        assert_eq!(Protocol::from_source("RMonitor"), Some(Protocol::Rmonitor));
        assert_eq!(Protocol::from_source("x2pass"), None);
        assert_eq!(Protocol::sniff(b"\r\n$A\xa6N,x"), Protocol::Multiloop);
        assert_eq!(Protocol::sniff(b""), Protocol::Rmonitor);
    }
}
