//! What the simulator sends, forever: a club meeting of alternating qualifying sessions
//! and races ([`checkered_sim::meeting`]), one seeded simulation at a time, as the wire
//! items of the chosen protocol in time order. Pure: the same seed, field and start time
//! always give the same items, and only one session is held in memory.
//!
//! - P3: the start/finish decoder's PASSING frames (duplicate and weak reads included),
//!   numbered without gaps across sessions, and its STATUS frame every five seconds, also
//!   between sessions.
//! - RMonitor: the scoring system's lines ([`checkered_sim::rmonout`]), heartbeats
//!   included, each session announced when the previous one's idle time ends.
//!
//! # Layout
//! - [`Payload`], [`Timed`]: one item.
//! - [`Program`]: the endless iterator.

use super::Protocol;
use checkered_protocol::rmonitor::Record;
use checkered_sim::meeting::club_session;
use checkered_sim::p3out::{STATUS_INTERVAL_US, passing_frame, status_frame};
use checkered_sim::rmonout::{FeedSpec, rmonitor_stream};
use checkered_sim::{Line, simulate};
use std::collections::VecDeque;

const SECOND: i64 = 1_000_000;
/// P3: time from the end of a session's last passing to the next session's green flag.
const P3_BREAK_US: i64 = 120 * SECOND;

/// One thing to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A P3 PASSING frame with its passing number (the decoder keeps it for RESEND).
    Passing {
        /// The frame's passing number.
        number: u32,
        /// The escaped frame.
        wire: Vec<u8>,
    },
    /// A P3 STATUS frame.
    Status {
        /// The escaped frame.
        wire: Vec<u8>,
    },
    /// An RMonitor line (the record is kept for the feed's state cache).
    Line {
        /// The record.
        record: Record,
        /// The line on the wire, CR LF included.
        wire: Vec<u8>,
    },
}

impl Payload {
    /// The bytes on the wire.
    pub fn wire(&self) -> &[u8] {
        match self {
            Payload::Passing { wire, .. }
            | Payload::Status { wire }
            | Payload::Line { wire, .. } => wire,
        }
    }
}

/// An item at the simulated time it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    /// Simulated time, µs since the Unix epoch.
    pub at_us: i64,
    /// What is sent.
    pub payload: Payload,
}

/// The endless stream of one simulator.
#[derive(Debug)]
pub struct Program {
    protocol: Protocol,
    seed: u64,
    cars: usize,
    /// Next session to generate.
    n: u64,
    /// When the next session may begin.
    next_session_us: i64,
    /// The current session's items not yet taken.
    queue: VecDeque<Timed>,
    /// P3: the next STATUS frame's time.
    next_status_us: i64,
    /// P3: the next passing number.
    next_number: u32,
}

impl Program {
    /// The program of `protocol` for `cars` cars (1..=200), seeded, starting at
    /// `start_us` (µs since the Unix epoch).
    pub fn new(protocol: Protocol, seed: u64, cars: usize, start_us: i64) -> Self {
        Program {
            protocol,
            seed,
            cars: cars.clamp(1, 200),
            n: 0,
            next_session_us: start_us,
            queue: VecDeque::new(),
            next_status_us: start_us + (-start_us).rem_euclid(STATUS_INTERVAL_US),
            next_number: 1,
        }
    }

    /// Generates the next session into the queue.
    fn refill(&mut self) {
        let n = self.n;
        self.n += 1;
        match self.protocol {
            Protocol::P3 => self.p3_session(n),
            Protocol::Rmonitor => self.rmonitor_session(n),
        }
    }

    fn p3_session(&mut self, n: u64) {
        let green = self.next_session_us + 10 * SECOND;
        let plan = club_session(self.seed, self.cars, n, green);
        let sim = simulate(&plan.spec);
        let mut last = green;
        for reading in sim.readings.iter().filter(|r| r.line == Line::StartFinish) {
            let frame = passing_frame(reading, self.next_number);
            self.queue.push_back(Timed {
                at_us: frame.at_us,
                payload: Payload::Passing {
                    number: self.next_number,
                    wire: frame.wire,
                },
            });
            self.next_number = self.next_number.wrapping_add(1).max(1);
            last = last.max(reading.at_us);
        }
        self.next_session_us = last + P3_BREAK_US;
    }

    fn rmonitor_session(&mut self, n: u64) {
        let mut spec = FeedSpec::club(1, "");
        let plan = club_session(
            self.seed,
            self.cars,
            n,
            self.next_session_us + spec.lead_in_us,
        );
        spec.run_no = plan.run_no;
        spec.run_name = plan.name.clone();
        let feed = rmonitor_stream(&simulate(&plan.spec), &spec);
        self.queue.extend(feed.lines.into_iter().map(|line| Timed {
            at_us: line.at_us,
            payload: Payload::Line {
                wire: line.wire(),
                record: line.record,
            },
        }));
        self.next_session_us = feed.ends_at_us;
    }
}

impl Iterator for Program {
    type Item = Timed;

    fn next(&mut self) -> Option<Timed> {
        while self.queue.is_empty() {
            self.refill();
        }
        if self.protocol == Protocol::P3 {
            let front = self.queue.front().map_or(i64::MAX, |t| t.at_us);
            if self.next_status_us <= front {
                let frame = status_frame(Line::StartFinish, self.next_status_us);
                self.next_status_us += STATUS_INTERVAL_US;
                return Some(Timed {
                    at_us: frame.at_us,
                    payload: Payload::Status { wire: frame.wire },
                });
            }
        }
        self.queue.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkered_protocol::p3::{self, Record as P3Record};

    const T0: i64 = 1_790_000_000_000_000;

    #[test]
    fn p3_frames_are_timed_numbered_without_gaps_and_status_keeps_coming() {
        let items: Vec<Timed> = Program::new(Protocol::P3, 4, 8, T0)
            .take_while(|t| t.at_us < T0 + 3 * 3600 * SECOND)
            .collect();
        assert!(items.windows(2).all(|w| w[0].at_us <= w[1].at_us));
        let numbers: Vec<u32> = items
            .iter()
            .filter_map(|t| match t.payload {
                Payload::Passing { number, .. } => Some(number),
                _ => None,
            })
            .collect();
        assert!(numbers.len() > 500, "{} passings in 3 h", numbers.len());
        assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());
        let status: Vec<i64> = items
            .iter()
            .filter(|t| matches!(t.payload, Payload::Status { .. }))
            .map(|t| t.at_us)
            .collect();
        assert!(status.windows(2).all(|w| w[1] - w[0] == STATUS_INTERVAL_US));
        for item in &items {
            let decoded = p3::decode_all(item.payload.wire());
            let Some(Ok(frame)) = decoded.first() else {
                panic!("bad frame {decoded:?}")
            };
            if let (P3Record::Passing(p), Payload::Passing { number, .. }) =
                (&frame.frame.record, &item.payload)
            {
                assert_eq!(p.passing_number, Some(*number));
                assert_eq!(p.rtc_time_us, u64::try_from(item.at_us).ok());
            }
        }
    }

    #[test]
    fn rmonitor_sessions_follow_each_other_with_new_run_numbers() {
        let runs: Vec<u32> = Program::new(Protocol::Rmonitor, 2, 10, T0)
            .take_while(|t| t.at_us < T0 + 2 * 3600 * SECOND)
            .filter_map(|t| match t.payload {
                Payload::Line {
                    record: Record::Run { run_no, .. },
                    ..
                } if run_no != 95 => Some(run_no),
                _ => None,
            })
            .collect();
        let mut distinct = runs.clone();
        distinct.dedup();
        assert!(distinct.len() >= 4, "runs in 2 h: {distinct:?}");
        assert_eq!(distinct, (1..=distinct.len() as u32).collect::<Vec<_>>());
    }

    #[test]
    fn same_seed_same_program() {
        let take = |seed| -> Vec<Timed> {
            Program::new(Protocol::Rmonitor, seed, 6, T0)
                .take(3000)
                .collect()
        };
        assert_eq!(take(1), take(1));
        assert_ne!(take(1), take(2));
    }
}
