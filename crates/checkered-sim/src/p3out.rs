//! Readings as the P3 byte stream a decoder sends: passings with per-decoder passing
//! numbers, and a STATUS heartbeat from every decoder every five seconds.

use crate::decoder::Reading;
use crate::spec::Line;
use checkered_protocol::p3::{self, Frame, Passing, Record, Status};
use std::collections::BTreeMap;

/// Interval between STATUS frames of each decoder.
pub const STATUS_INTERVAL_US: i64 = 5_000_000;

/// One frame on the wire, with the decoder time it carries (or would be sent at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedFrame {
    /// Decoder time, µs since the Unix epoch.
    pub at_us: i64,
    /// The decoder that sent it.
    pub line: Line,
    /// The escaped frame, ready to write to a socket.
    pub wire: Vec<u8>,
}

/// The PASSING record for a reading.
pub fn passing(reading: &Reading, passing_number: u32) -> Passing {
    Passing {
        passing_number: Some(passing_number),
        transponder: Some(reading.transponder),
        rtc_time_us: Some(u64::try_from(reading.at_us).unwrap_or(0)),
        strength: Some(reading.strength),
        hits: Some(reading.hits),
        flags: Some(0),
        decoder_id: Some(reading.line.decoder_id()),
        ..Passing::default()
    }
}

/// The STATUS frame the decoder of `line` sends at `at_us` (loop noise varies slowly).
pub fn status_frame(line: Line, at_us: i64) -> TimedFrame {
    let noise = u16::try_from((at_us / STATUS_INTERVAL_US).rem_euclid(9) + 18).unwrap_or(20);
    TimedFrame {
        at_us,
        line,
        wire: wire(Record::Status(status(line, noise))),
    }
}

/// The PASSING frame for a reading, numbered `passing_number` by its decoder.
pub fn passing_frame(reading: &Reading, passing_number: u32) -> TimedFrame {
    TimedFrame {
        at_us: reading.at_us,
        line: reading.line,
        wire: wire(Record::Passing(passing(reading, passing_number))),
    }
}

fn status(line: Line, noise: u16) -> Status {
    Status {
        noise: Some(noise),
        temperature: Some(31),
        input_voltage: Some(0x78),
        gps: Some(0),
        decoder_id: Some(line.decoder_id()),
        ..Status::default()
    }
}

fn wire(record: Record) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    p3::encode(&Frame::new(record), &mut out);
    out
}

/// Every frame the decoders of `lines` send for `readings`, in time order. Passing numbers
/// start at `first_number` for each decoder.
pub fn p3_stream(readings: &[Reading], lines: &[Line], first_number: u32) -> Vec<TimedFrame> {
    let mut numbers: BTreeMap<Line, u32> = lines.iter().map(|&l| (l, first_number)).collect();
    let mut frames: Vec<TimedFrame> = readings
        .iter()
        .map(|r| {
            let n = numbers.entry(r.line).or_insert(first_number);
            let frame = passing_frame(r, *n);
            *n = n.wrapping_add(1);
            frame
        })
        .collect();
    if let (Some(first), Some(last)) = (readings.first(), readings.last()) {
        let mut t = first.at_us - first.at_us.rem_euclid(STATUS_INTERVAL_US);
        while t <= last.at_us + STATUS_INTERVAL_US {
            frames.extend(lines.iter().map(|&line| status_frame(line, t)));
            t += STATUS_INTERVAL_US;
        }
    }
    frames.sort_by_key(|f| (f.at_us, f.line));
    frames
}
