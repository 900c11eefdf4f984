//! A demo track's messages as the equipment at the track would send them: one P3 decoder
//! per timing loop (PASSING frames numbered by that decoder without gaps, a STATUS frame
//! every five seconds, also between sessions), or the scoring system's RMonitor feed; and
//! apart from them, the race-control decisions an official takes (entries, staging, starts,
//! flags), which go to the server's race-control API rather than through a relay.
//!
//! Every stream is cut from its own copy of the track's seeded scenario, so they all agree
//! without sharing state.
//!
//! # Layout
//! - [`decoder_items`]: one decoder's wire items.
//! - [`feed_items`]: the RMonitor feed's wire items.
//! - [`controls`]: the race-control decisions.

use super::scenario::{DemoTrack, TimedMessage};
use crate::simulate::program::{Payload, Timed};
use checkered_protocol::{cp1252, p3, rmonitor};
use checkered_sim::Line;
use checkered_sim::p3out::{STATUS_INTERVAL_US, status_frame};
use serde_json::Value;
use std::iter::Peekable;

/// One decoder's frames: the track's passings read by `decoder_id`, renumbered from 1,
/// merged with its STATUS heartbeat; times are absolute (`epoch_us` + demo time). Walks the
/// whole scenario, so a loop nobody crosses for a while still sends its heartbeat.
pub fn decoder_items(
    track: DemoTrack,
    decoder_id: u32,
    epoch_us: i64,
) -> impl Iterator<Item = Timed> + Send {
    let line = Line::ALL
        .into_iter()
        .find(|l| l.decoder_id() == decoder_id)
        .unwrap_or(Line::StartFinish);
    Decoder {
        messages: track.messages.peekable(),
        decoder_id,
        line,
        number: 0,
        next_status_us: epoch_us,
        epoch_us,
    }
}

/// The P3 PASSING frame of a scenario message, with the decoder's own number.
fn passing_item(m: TimedMessage, number: u32, epoch_us: i64) -> Option<Timed> {
    let mut payload = m.payload;
    if let Some(n) = payload.get_mut("passing_number") {
        *n = number.into();
    }
    let frame: p3::Frame = serde_json::from_value(payload).ok()?;
    let mut wire = Vec::with_capacity(64);
    p3::encode(&frame, &mut wire);
    Some(Timed {
        at_us: epoch_us + m.at_us,
        payload: Payload::Passing { number, wire },
    })
}

/// One decoder of a track: its passings in time order, a STATUS every
/// [`STATUS_INTERVAL_US`].
struct Decoder {
    messages: Peekable<Box<dyn Iterator<Item = TimedMessage> + Send>>,
    decoder_id: u32,
    line: Line,
    number: u32,
    next_status_us: i64,
    epoch_us: i64,
}

impl Decoder {
    fn reads(&self, m: &TimedMessage) -> bool {
        m.message_type == "PASSING"
            && m.payload.get("decoder_id").and_then(Value::as_u64)
                == Some(u64::from(self.decoder_id))
    }

    fn status(&mut self) -> Timed {
        let frame = status_frame(self.line, self.next_status_us);
        self.next_status_us += STATUS_INTERVAL_US;
        Timed {
            at_us: frame.at_us,
            payload: Payload::Status { wire: frame.wire },
        }
    }
}

impl Iterator for Decoder {
    type Item = Timed;

    fn next(&mut self) -> Option<Timed> {
        loop {
            let next_at = self.messages.peek().map(|m| self.epoch_us + m.at_us);
            if next_at.is_none_or(|t| t >= self.next_status_us) {
                return Some(self.status());
            }
            let m = self.messages.next()?;
            if self.reads(&m) {
                self.number = self.number.wrapping_add(1);
                if let Some(item) = passing_item(m, self.number, self.epoch_us) {
                    return Some(item);
                }
            }
        }
    }
}

/// The RMonitor feed's lines, CR LF terminated, at absolute times.
pub fn feed_items(track: DemoTrack, epoch_us: i64) -> impl Iterator<Item = Timed> + Send {
    track.messages.filter_map(move |m| {
        let line = m.payload.get("line")?.as_str()?;
        let record = rmonitor::decode_line(&cp1252::encode(line)).ok()?;
        let mut wire = Vec::with_capacity(line.len() + 2);
        rmonitor::encode_line(&record, &mut wire);
        Some(Timed {
            at_us: epoch_us + m.at_us,
            payload: Payload::Line { record, wire },
        })
    })
}

/// The race-control decisions of a track, in demo time, each with the demo time up to
/// which the scenario was walked (`None` items only mark time, so a track without decisions
/// never makes a caller wait for ever).
pub fn controls(track: DemoTrack) -> impl Iterator<Item = (i64, Option<TimedMessage>)> + Send {
    track.messages.map(|m| {
        let at = m.at_us;
        (at, (m.message_type == "CONTROL").then_some(m))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::scenario::tracks;

    fn track(id: &str) -> DemoTrack {
        tracks(5, 0)
            .into_iter()
            .find(|t| t.id == id)
            .expect("demo track")
    }

    #[test]
    fn each_decoder_numbers_its_passings_without_gaps_and_keeps_a_heartbeat() {
        for decoder in track("kart-club")
            .config
            .loops
            .iter()
            .filter_map(|l| l.decoder_id)
        {
            let items: Vec<Timed> = decoder_items(track("kart-club"), decoder, 0)
                .take_while(|t| t.at_us < 3 * 3_600_000_000)
                .collect();
            let numbers: Vec<u32> = items
                .iter()
                .filter_map(|t| match &t.payload {
                    Payload::Passing { number, wire } => {
                        let decoded = p3::decode_all(wire);
                        assert!(decoded.iter().all(Result::is_ok), "frames decode");
                        Some(*number)
                    }
                    _ => None,
                })
                .collect();
            assert!(!numbers.is_empty(), "decoder {decoder:x} read nothing");
            assert!(numbers.iter().copied().eq(1..=numbers.len() as u32));
            assert!(items.windows(2).all(|w| w[0].at_us <= w[1].at_us));
            let gaps = items.windows(2).map(|w| w[1].at_us - w[0].at_us);
            assert!(
                gaps.max().unwrap_or(0) <= STATUS_INTERVAL_US,
                "silent for longer than 5 s"
            );
        }
    }

    #[test]
    fn the_club_feed_is_only_lines_and_the_kart_track_has_controls() {
        let lines = feed_items(track("club-circuit"), 0).take(500);
        assert!(
            lines
                .into_iter()
                .all(|t| matches!(t.payload, Payload::Line { .. }))
        );
        let hour = |id| controls(track(id)).take_while(|(at, _)| *at < 3_600_000_000);
        assert_eq!(hour("club-circuit").filter(|(_, c)| c.is_some()).count(), 0);
        assert!(hour("kart-club").any(|(_, c)| c.is_some()));
    }
}
