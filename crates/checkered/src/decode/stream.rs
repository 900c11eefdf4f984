//! One streaming decoder per protocol, all yielding the same [`Item`]s.

use checkered_protocol::p3;

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
}

/// A fresh decoder for one stream of `protocol`.
pub fn decoder(protocol: Protocol) -> Box<dyn StreamDecoder> {
    match protocol {
        Protocol::P3 => Box::new(P3Stream(p3::Framer::new())),
    }
}

/// Builds a message item from any record that serialises to an object tagged `type`.
fn message<T: serde::Serialize>(offset: u64, kind: &str, record: &T) -> Item {
    match serde_json::to_string(record) {
        Ok(json) => Item::Message {
            offset,
            kind: kind.to_owned(),
            json,
        },
        Err(e) => Item::Problem {
            offset,
            reason: format!("decoded {kind} could not be written as JSON: {e}"),
        },
    }
}

struct P3Stream(p3::Framer);

impl P3Stream {
    fn item(result: Result<p3::Decoded, p3::FrameError>) -> Item {
        match result {
            Ok(d) => message(d.offset, d.frame.record.tor().name(), &d.frame),
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
