//! The decoder's side of a P3 connection: its passing memory and its answers to the
//! command frames a client sends (pure; the connection task does the I/O).
//!
//! - RESEND `from..=until` re-sends the PASSING frames of that passing-number range,
//!   byte for byte as first sent (same numbers), as far as the memory reaches.
//! - GET_TIME answers the decoder clock (RTC and UTC, the simulator keeps one time).
//! - VERSION answers the decoder's description and version.
//! - Any other record type is answered with an ERROR frame (code 4, "TOR unknown"), a
//!   frame that fails its checks with ERROR 1 (CRC) or 3 (header); junk between frames is
//!   ignored, as decoders do. A command's REQUEST_ID is echoed in the answer.
//!
//! # Layout
//! - [`PassingMemory`]: the bounded memory of sent passings.
//! - [`answer`], [`answer_bad_frame`]: the reply to a command or to a bad frame.

use checkered_protocol::p3::{
    self, ErrorRecord, Frame, FrameErrorKind, GetTime, Record, Resend, Version,
};
use std::collections::VecDeque;
use std::sync::Arc;

/// Passings the memory keeps by default (a few hours of a busy club race).
pub const DEFAULT_MEMORY: usize = 100_000;
/// Most passings one RESEND returns (decoders answer large requests in parts).
pub const MAX_RESEND: usize = 10_000;

/// The passings a decoder has sent, oldest first, bounded.
#[derive(Debug)]
pub struct PassingMemory {
    frames: VecDeque<(u32, Arc<[u8]>)>,
    capacity: usize,
}

impl PassingMemory {
    /// An empty memory of at most `capacity` passings.
    pub fn new(capacity: usize) -> Self {
        PassingMemory {
            frames: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Remembers a passing frame; the oldest is forgotten when full.
    pub fn remember(&mut self, number: u32, wire: Arc<[u8]>) {
        if self.frames.len() == self.capacity {
            self.frames.pop_front();
        }
        self.frames.push_back((number, wire));
    }

    /// Passings remembered.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The frames of passings `from..=until` still in memory, in order, at most
    /// [`MAX_RESEND`] of them.
    pub fn range(&self, from: u32, until: u32) -> Vec<u8> {
        // Numbers increase along the memory (they only wrap after 4 billion passings),
        // so the range starts where a binary search puts `from`.
        let start = self.frames.partition_point(|(n, _)| *n < from);
        self.frames
            .range(start..)
            .take_while(|(n, _)| *n <= until)
            .take(MAX_RESEND)
            .flat_map(|(_, wire)| wire.iter().copied())
            .collect()
    }
}

fn wire(record: Record, request_id: Option<u64>, decoder_id: u32) -> Vec<u8> {
    let mut record = record;
    set_general(&mut record, request_id, decoder_id);
    let mut out = Vec::with_capacity(64);
    p3::encode(&Frame::new(record), &mut out);
    out
}

fn set_general(record: &mut Record, request_id: Option<u64>, decoder_id: u32) {
    macro_rules! general {
        ($body:expr) => {{
            $body.request_id = request_id;
            $body.decoder_id = Some(decoder_id);
        }};
    }
    match record {
        Record::GetTime(r) => general!(r),
        Record::Version(r) => general!(r),
        Record::Error(r) => general!(r),
        _ => {}
    }
}

fn error(code: u16, description: String, request_id: Option<u64>, decoder_id: u32) -> Vec<u8> {
    let record = Record::Error(ErrorRecord {
        code: Some(code),
        description: Some(description),
        ..ErrorRecord::default()
    });
    wire(record, request_id, decoder_id)
}

/// The decoder's reply to a command frame, given its memory and clock (µs since epoch).
pub fn answer(command: &Frame, memory: &PassingMemory, now_us: i64, decoder_id: u32) -> Vec<u8> {
    let request_id = request_id(&command.record);
    match &command.record {
        Record::Resend(Resend {
            from: Some(from),
            until: Some(until),
            ..
        }) if from <= until => memory.range(*from, *until),
        Record::Resend(_) => error(
            5,
            "RESEND needs FROM and UNTIL, FROM not after UNTIL".into(),
            request_id,
            decoder_id,
        ),
        Record::GetTime(_) => {
            let now = u64::try_from(now_us).unwrap_or(0);
            let record = Record::GetTime(GetTime {
                rtc_time_us: Some(now),
                utc_time_us: Some(now),
                ..GetTime::default()
            });
            wire(record, request_id, decoder_id)
        }
        Record::Version(_) => {
            let record = Record::Version(Box::new(Version {
                description: Some("Checkered simulator".into()),
                version: Some(env!("CARGO_PKG_VERSION").into()),
                ..Version::default()
            }));
            wire(record, request_id, decoder_id)
        }
        other => {
            let name = other.tor().name();
            let text = format!("{name} is not a command this decoder accepts");
            error(4, text, request_id, decoder_id)
        }
    }
}

/// The REQUEST_ID a command carries, to echo.
fn request_id(record: &Record) -> Option<u64> {
    match record {
        Record::Resend(r) => r.request_id,
        Record::GetTime(r) => r.request_id,
        Record::Version(r) => r.request_id,
        Record::Passing(r) => r.request_id,
        Record::Status(r) => r.request_id,
        Record::Error(r) => r.request_id,
        Record::Unknown { body, .. } => body.request_id,
        Record::Reset(g)
        | Record::ClearPassing(g)
        | Record::ServerSettings(g)
        | Record::Session(g)
        | Record::NetworkSettings(g)
        | Record::Watchdog(g)
        | Record::Ping(g)
        | Record::GeneralSettings(g)
        | Record::Signals(g)
        | Record::LoopTrigger(g)
        | Record::GpsInfo(g)
        | Record::FirstContact(g)
        | Record::Timeline(g) => g.request_id,
    }
}

/// The decoder's reply to bytes that did not make a frame: nothing for junk between
/// frames, ERROR 1 for a bad checksum, ERROR 6 for an over-long frame, ERROR 3 otherwise.
pub fn answer_bad_frame(kind: &FrameErrorKind, decoder_id: u32) -> Option<Vec<u8>> {
    let code = match kind {
        FrameErrorKind::Junk { .. } => return None,
        FrameErrorKind::CrcMismatch { .. } => 1,
        FrameErrorKind::TooLong { .. } => 6,
        _ => 3,
    };
    Some(error(code, kind.to_string(), None, decoder_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkered_protocol::p3::{Passing, command, decode_all};

    fn record(wire: &[u8]) -> Vec<Record> {
        decode_all(wire)
            .into_iter()
            .map(|d| d.expect("valid frame").frame.record)
            .collect()
    }

    fn frame(wire: &[u8]) -> Frame {
        decode_all(wire)
            .into_iter()
            .next()
            .and_then(Result::ok)
            .expect("a frame")
            .frame
    }

    fn memory_of(numbers: std::ops::RangeInclusive<u32>, capacity: usize) -> PassingMemory {
        let mut memory = PassingMemory::new(capacity);
        for n in numbers {
            let mut out = Vec::new();
            let passing = Passing {
                passing_number: Some(n),
                transponder: Some(1000 + n),
                ..Passing::default()
            };
            p3::encode(&Frame::new(Record::Passing(passing)), &mut out);
            memory.remember(n, out.into());
        }
        memory
    }

    #[test]
    fn resend_returns_the_range_still_in_memory() {
        let memory = memory_of(1..=50, 40);
        assert_eq!(memory.len(), 40);
        let numbers = |wire: Vec<u8>| -> Vec<u32> {
            record(&wire)
                .into_iter()
                .filter_map(|r| match r {
                    Record::Passing(p) => p.passing_number,
                    _ => None,
                })
                .collect()
        };
        let resend = frame(&command::resend(20, 25));
        assert_eq!(
            numbers(answer(&resend, &memory, 0, 7)),
            [20, 21, 22, 23, 24, 25]
        );
        let forgotten = frame(&command::resend(1, 12));
        assert_eq!(numbers(answer(&forgotten, &memory, 0, 7)), [11, 12]);
        let backwards = frame(&command::resend(9, 3));
        assert!(matches!(
            record(&answer(&backwards, &memory, 0, 7)).as_slice(),
            [Record::Error(ErrorRecord { code: Some(5), .. })]
        ));
    }

    #[test]
    fn get_time_answers_the_clock_and_echoes_the_request_id() {
        let mut get_time = frame(&command::get_time());
        if let Record::GetTime(g) = &mut get_time.record {
            g.request_id = Some(99);
        }
        let reply = record(&answer(
            &get_time,
            &PassingMemory::new(1),
            1_700_000_000_123_456,
            7,
        ));
        let [Record::GetTime(time)] = reply.as_slice() else {
            panic!("{reply:?}")
        };
        assert_eq!(time.rtc_time_us, Some(1_700_000_000_123_456));
        assert_eq!((time.request_id, time.decoder_id), (Some(99), Some(7)));
    }

    #[test]
    fn other_commands_and_bad_frames_get_an_error() {
        let clear = frame(&command::clear_passing());
        assert!(matches!(
            record(&answer(&clear, &PassingMemory::new(1), 0, 7)).as_slice(),
            [Record::Error(ErrorRecord { code: Some(4), .. })]
        ));
        let crc = FrameErrorKind::CrcMismatch {
            found: 1,
            computed: 2,
        };
        let reply = answer_bad_frame(&crc, 7).expect("an answer");
        assert!(matches!(
            record(&reply).as_slice(),
            [Record::Error(ErrorRecord { code: Some(1), .. })]
        ));
        assert_eq!(answer_bad_frame(&FrameErrorKind::Junk { len: 3 }, 7), None);
    }
}
