//! A capture file as the ordered batches of decoded messages a relay would have sent, each
//! with the time the engine should see.
//!
//! A batch is what arrived together: one `##` block of a RedMist log, one line of a
//! results feed, one P3 frame. Captures with timestamps (RedMist headers, `--timestamps`
//! lines, a PuTTY header) time their batches by them. Plain feed text has none, so its
//! clock is the time of day the feed itself sends in `$F` and `$I` (rolling over at
//! midnight); lines before the first one take its time. P3 passings are timed by the
//! decoder clock whatever the capture says.
//!
//! # Layout
//! - [`Message`], [`Batch`], [`Capture`]: what [`read`] returns.
//! - [`read`]: splits and decodes a whole capture; problems are kept, never fatal.
//! - `FeedClock`: the time-of-day clock of untimed feed text.

use crate::cli::InputFormat;
use checkered_protocol::capture::{self, CaptureFormat, CaptureItem};
use checkered_protocol::{multiloop, p3, rmonitor};

/// One decoded message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// An RMonitor record.
    Rmonitor(Box<rmonitor::Record>),
    /// A Multiloop message.
    Multiloop(Box<multiloop::Message>),
    /// A P3 frame.
    P3(Box<p3::Frame>),
}

/// Messages that arrived together, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Byte offset of the batch's first message in the capture.
    pub offset: u64,
    /// Engine time of the batch, µs since the epoch.
    pub at_us: i64,
    /// The messages, in capture order.
    pub messages: Vec<Message>,
}

/// A whole capture, decoded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capture {
    /// The batches in capture order.
    pub batches: Vec<Batch>,
    /// Lines, frames or headers that did not decode: byte offset and reason.
    pub problems: Vec<(u64, String)>,
}

/// Midnight UTC on 2000-01-01, the day untimed feed text is placed on.
const UNTIMED_EPOCH_US: i64 = 946_684_800_000_000;
const DAY_US: i64 = 86_400_000_000;

/// Splits and decodes a capture of `format` (`timestamps`: each line starts with an ISO
/// 8601 capture time).
pub fn read(format: InputFormat, timestamps: bool, bytes: &[u8]) -> Capture {
    let wrapper = match format {
        InputFormat::RedmistLog => CaptureFormat::RedmistLog,
        InputFormat::P3Hex => CaptureFormat::P3Hex,
        _ if timestamps => CaptureFormat::TimestampedLines,
        InputFormat::P3 if bytes.starts_with(capture::PUTTY_HEADER_PREFIX) => {
            CaptureFormat::PuttyLog
        }
        InputFormat::P3 => CaptureFormat::RawBinary,
        InputFormat::Rmonitor | InputFormat::Multiloop => CaptureFormat::RawText,
    };
    let mut out = Capture::default();
    let mut clock = FeedClock::default();
    for item in capture::split(wrapper, bytes) {
        match item {
            Ok(item) => decode_item(format, &item, &mut clock, &mut out),
            Err(e) => out.problems.push((e.offset() as u64, e.to_string())),
        }
    }
    clock.backfill(&mut out.batches);
    out
}

/// The protocol of one capture item: the RedMist `|type` when given, else the format's.
fn protocol_of(format: InputFormat, item: &CaptureItem<'_>) -> InputFormat {
    match item.source.map(str::to_ascii_lowercase).as_deref() {
        Some("multiloop") => InputFormat::Multiloop,
        Some("rmonitor") => InputFormat::Rmonitor,
        Some("p3") => InputFormat::P3,
        _ if format == InputFormat::RedmistLog && item.data.first() == Some(&b'$') => {
            // RedMist writes RMonitor batches without a type; Multiloop lines carry 0xA6.
            if item.data.contains(&multiloop::SEPARATOR) {
                InputFormat::Multiloop
            } else {
                InputFormat::Rmonitor
            }
        }
        _ if format == InputFormat::P3Hex => InputFormat::P3,
        _ => format,
    }
}

fn decode_item(
    format: InputFormat,
    item: &CaptureItem<'_>,
    clock: &mut FeedClock,
    out: &mut Capture,
) {
    let base = item.offset as u64;
    match protocol_of(format, item) {
        InputFormat::P3 | InputFormat::P3Hex => decode_p3(item, base, clock, out),
        InputFormat::Multiloop => decode_multiloop(item, base, clock, out),
        InputFormat::Rmonitor | InputFormat::RedmistLog => decode_rmonitor(item, base, clock, out),
    }
}

/// One batch per item when the item is timed (a RedMist block, a timestamped line); one
/// batch per line when it is plain text.
fn push_message(out: &mut Capture, item: &CaptureItem<'_>, offset: u64, at_us: i64, m: Message) {
    if let (Some(_), Some(last)) = (item.captured_at_us, out.batches.last_mut())
        && last.offset == item.offset as u64
    {
        last.messages.push(m);
        return;
    }
    let offset = if item.captured_at_us.is_some() {
        item.offset as u64
    } else {
        offset
    };
    out.batches.push(Batch {
        offset,
        at_us,
        messages: vec![m],
    });
}

fn decode_rmonitor(item: &CaptureItem<'_>, base: u64, clock: &mut FeedClock, out: &mut Capture) {
    let mut decoder = rmonitor::Decoder::new(rmonitor::DEFAULT_MAX_LINE_LEN);
    decoder.push(&item.data);
    decoder.finish();
    for located in decoder {
        let offset = base + located.offset;
        match located.result {
            Ok(record) => {
                clock.observe_rmonitor(&record);
                let at = item.captured_at_us.unwrap_or_else(|| clock.now());
                push_message(out, item, offset, at, Message::Rmonitor(Box::new(record)));
            }
            Err(e) => out.problems.push((offset, e.to_string())),
        }
    }
}

fn decode_multiloop(item: &CaptureItem<'_>, base: u64, clock: &mut FeedClock, out: &mut Capture) {
    let mut lines = Vec::new();
    let mut framer = multiloop::LineFramer::new(64 * 1024);
    let mut collect = |l: Result<multiloop::Line<'_>, multiloop::FrameError>| {
        lines.push(
            l.map(|l| (l.offset, l.bytes.to_vec()))
                .map_err(|e| e.to_string()),
        );
    };
    framer.push(0, &item.data, &mut collect);
    framer.finish(&mut collect);
    for line in lines {
        match line {
            Ok((_, bytes)) if bytes.iter().all(u8::is_ascii_whitespace) => {}
            Ok((offset, bytes)) => match multiloop::decode_line(&bytes) {
                Ok(message) => {
                    let at = item.captured_at_us.unwrap_or_else(|| clock.now());
                    push_message(
                        out,
                        item,
                        base + offset,
                        at,
                        Message::Multiloop(Box::new(message)),
                    );
                }
                Err(e) => out.problems.push((base + offset, e.to_string())),
            },
            Err(e) => out.problems.push((base, e)),
        }
    }
}

fn decode_p3(item: &CaptureItem<'_>, base: u64, clock: &mut FeedClock, out: &mut Capture) {
    for decoded in p3::decode_all(&item.data) {
        match decoded {
            Ok(d) => {
                let at = item.captured_at_us.unwrap_or_else(|| clock.now());
                let offset = base + d.offset;
                out.batches.push(Batch {
                    offset,
                    at_us: at,
                    messages: vec![Message::P3(Box::new(d.frame))],
                });
            }
            Err(e) => out.problems.push((base + e.offset, e.kind.to_string())),
        }
    }
}

/// The clock of untimed feed text, from the time of day in `$F` and `$I`.
#[derive(Debug, Default)]
struct FeedClock {
    /// Latest time, µs since the epoch.
    now_us: Option<i64>,
    /// Days added after midnight roll-overs.
    days: i64,
    /// Batches before the first time of day, to be given that time.
    untimed_prefix: bool,
}

impl FeedClock {
    fn now(&mut self) -> i64 {
        match self.now_us {
            Some(t) => t,
            None => {
                self.untimed_prefix = true;
                UNTIMED_EPOCH_US
            }
        }
    }

    fn observe_rmonitor(&mut self, record: &rmonitor::Record) {
        let tod = match record {
            rmonitor::Record::Heartbeat { time_of_day, .. }
            | rmonitor::Record::Init { time_of_day, .. } => time_of_day.ms(),
            _ => return,
        };
        if !(0..86_400_000).contains(&tod) {
            return;
        }
        let mut t = UNTIMED_EPOCH_US + self.days * DAY_US + tod * 1000;
        if let Some(now) = self.now_us
            && t < now - DAY_US / 2
        {
            self.days += 1;
            t += DAY_US;
        }
        self.now_us = Some(self.now_us.map_or(t, |n| n.max(t)));
    }

    /// Gives the batches read before the first time of day that first time.
    fn backfill(&self, batches: &mut [Batch]) {
        let Some(first) = self.first_time(batches) else {
            return;
        };
        if !self.untimed_prefix {
            return;
        }
        for b in batches
            .iter_mut()
            .take_while(|b| b.at_us == UNTIMED_EPOCH_US)
        {
            b.at_us = first;
        }
    }

    fn first_time(&self, batches: &[Batch]) -> Option<i64> {
        self.now_us?;
        batches
            .iter()
            .map(|b| b.at_us)
            .find(|&t| t != UNTIMED_EPOCH_US)
    }
}
