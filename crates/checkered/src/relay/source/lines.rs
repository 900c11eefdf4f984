//! RMonitor and Multiloop feed links: the stream is cut into lines, each line is checked
//! by the protocol's decoder, and a good line is forwarded as sent
//! (`{"line": "…"}`, Windows-1252 text, no line end). A line that does not decode is
//! counted and skipped, never forwarded.

use super::link::{Output, Protocol};
use super::report_bad;
use crate::relay::now_us;
use crate::relay::spool::Captured;
use crate::relay::status::Status;
use checkered_protocol::{cp1252, multiloop, rmonitor};
use serde_json::json;

/// Longest line kept; longer ones are skipped and counted.
const MAX_LINE: usize = 64 * 1024;

/// A framed line (offset, bytes) or a framing problem (offset, reason).
type Cut = Result<(u64, Vec<u8>), (u64, String)>;

enum Framing {
    Rmonitor(rmonitor::LineFramer),
    Multiloop {
        framer: multiloop::LineFramer,
        offset: u64,
    },
}

/// A results-feed link.
pub struct LineLink {
    framing: Framing,
    status: Status,
}

impl LineLink {
    /// An Orbits RMonitor feed.
    pub fn rmonitor(status: Status) -> Self {
        LineLink {
            framing: Framing::Rmonitor(rmonitor::LineFramer::new(MAX_LINE)),
            status,
        }
    }

    /// A Multiloop feed.
    pub fn multiloop(status: Status) -> Self {
        LineLink {
            framing: Framing::Multiloop {
                framer: multiloop::LineFramer::new(MAX_LINE),
                offset: 0,
            },
            status,
        }
    }

    fn fresh(&mut self) {
        self.framing = match self.framing {
            Framing::Rmonitor(_) => Framing::Rmonitor(rmonitor::LineFramer::new(MAX_LINE)),
            Framing::Multiloop { .. } => Framing::Multiloop {
                framer: multiloop::LineFramer::new(MAX_LINE),
                offset: 0,
            },
        };
    }

    /// Cuts lines from `chunk` (or, with `None`, the unterminated rest at the end).
    fn cut(&mut self, chunk: Option<&[u8]>) -> Vec<Cut> {
        let mut lines = Vec::new();
        match &mut self.framing {
            Framing::Rmonitor(framer) => {
                match chunk {
                    Some(c) => framer.push(c),
                    None => framer.finish(),
                }
                while let Some(l) = framer.next_line() {
                    lines.push(
                        l.result
                            .map(|b| (l.offset, b.to_vec()))
                            .map_err(|e| (l.offset, e.to_string())),
                    );
                }
            }
            Framing::Multiloop { framer, offset } => {
                let mut emit = |l: Result<multiloop::Line<'_>, multiloop::FrameError>| {
                    lines.push(
                        l.map(|l| (l.offset, l.bytes.to_vec()))
                            .map_err(|e| (0, e.to_string())),
                    );
                };
                match chunk {
                    Some(c) => {
                        framer.push(*offset, c, &mut emit);
                        *offset += c.len() as u64;
                    }
                    None => framer.finish(&mut emit),
                }
            }
        }
        lines
    }

    fn check(&self, line: &[u8]) -> Result<&'static str, String> {
        match self.framing {
            Framing::Rmonitor(_) => rmonitor::decode_line(line)
                .map(|_| "RMONITOR")
                .map_err(|e| e.to_string()),
            Framing::Multiloop { .. } => multiloop::decode_line(line)
                .map(|_| "MULTILOOP")
                .map_err(|e| e.to_string()),
        }
    }

    fn lines(&mut self, chunk: Option<&[u8]>, out: &mut Output) {
        for line in self.cut(chunk) {
            let (offset, bytes) = match line {
                Ok(l) => l,
                Err((offset, reason)) => {
                    report_bad(&self.status, offset, &reason);
                    continue;
                }
            };
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match self.check(&bytes) {
                Ok(message_type) => {
                    out.alive = true;
                    out.messages.push(Captured {
                        captured_at_us: now_us(),
                        message_type: message_type.to_owned(),
                        payload: json!({ "line": cp1252::decode(trim_end(&bytes)) }),
                        src: None,
                    });
                }
                Err(reason) => report_bad(&self.status, offset, &reason),
            }
        }
    }
}

/// The line without its CR/LF.
fn trim_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |i| i + 1);
    line.get(..end).unwrap_or_default()
}

impl Protocol for LineLink {
    fn connected(&mut self, _now_ms: u64) -> Vec<u8> {
        self.fresh();
        Vec::new()
    }

    fn bytes(&mut self, chunk: &[u8], _now_ms: u64, out: &mut Output) {
        self.lines(Some(chunk), out);
    }

    fn tick(&mut self, _now_ms: u64, _out: &mut Output) {}

    fn disconnected(&mut self, _out: &mut Output) {
        // A line cut off by the disconnect is incomplete even if it happens to parse.
        for line in self.cut(None) {
            match line {
                Ok((offset, bytes)) if !bytes.iter().all(u8::is_ascii_whitespace) => {
                    report_bad(&self.status, offset, "line cut off by the disconnect")
                }
                Ok(_) => {}
                Err((offset, reason)) => report_bad(&self.status, offset, &reason),
            }
        }
    }

    fn finish(&mut self, _out: &mut Output) {}
}
