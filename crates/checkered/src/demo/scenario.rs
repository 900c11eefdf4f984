//! The demo's simulated tracks: endless, seeded and pure. Each track is a configuration and
//! an iterator of timed messages (time relative to the demo's start) in the envelope payload
//! convention of docs/SERVER.md, session after session with pauses in between, as a relay
//! would capture them.
//!
//! # Layout
//! - [`TimedMessage`], [`DemoTrack`]: what a scenario yields.
//! - [`tracks`]: the three demo tracks (kart practice, club race, BMX motos); the club
//!   circuit's RMonitor feed is in `super::club`.
//! - [`Session`], `Sessions`: one generated session, and the endless iterator that
//!   generates one session at a time.

use checkered_engine::{
    ControlIntent, EntrySpec, Flag, LoopRole, SessionKind, StagedRider, TimingLoop, TrackConfig,
};
use checkered_protocol::p3::{self, Record};
use checkered_sim::bmx::{MotoSpec, simulate_motos};
use checkered_sim::p3out::p3_stream;
use checkered_sim::{Entry, Faults, Line, RaceSpec, Reading, SimFlag, SimKind, simulate};
use serde_json::Value;
use std::collections::VecDeque;

/// Where simulated sessions start in simulator time; shifted to demo time on output.
const SIM_T0: i64 = 1_750_000_000_000_000;
const SECOND: i64 = 1_000_000;
const MINUTE: i64 = 60 * SECOND;

/// One message as a relay would capture it.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedMessage {
    /// µs since the demo started.
    pub at_us: i64,
    /// Envelope `message_type`.
    pub message_type: String,
    /// Envelope `payload`.
    pub payload: Value,
}

/// A simulated track: its definition and its endless message stream.
pub struct DemoTrack {
    /// Slug.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Engine configuration.
    pub config: TrackConfig,
    /// The messages, in time order, forever.
    pub messages: Box<dyn Iterator<Item = TimedMessage> + Send>,
}

/// The three demo tracks, seeded: a kart track in open practice (P3, three loops with pit
/// lane), a club circuit alternating qualifying and races (an Orbits RMonitor results
/// feed), a BMX track running motos behind a gate (P3 with gate-drop beacons). `epoch_us`
/// is the wall-clock time of the demo's start, used for the decoder clocks and the feed's
/// time of day.
pub fn tracks(seed: u64, epoch_us: i64) -> Vec<DemoTrack> {
    vec![
        DemoTrack {
            id: "kart-club".into(),
            name: "Kart club — open practice".into(),
            config: circuit_config("kart-club", SessionKind::Practice, 20 * SECOND),
            messages: Box::new(Sessions::new(epoch_us, move |n, at| {
                kart_practice(seed.wrapping_add(n), n, at)
            })),
        },
        DemoTrack {
            id: "club-circuit".into(),
            name: "Club circuit — qualifying and races".into(),
            config: circuit_config("club-circuit", SessionKind::Race, 60 * SECOND),
            messages: Box::new(Sessions::new(epoch_us, move |n, at| {
                super::club::club_session(seed.wrapping_add(1_000), n, at, epoch_us)
            })),
        },
        DemoTrack {
            id: "bmx-park".into(),
            name: "BMX park — motos".into(),
            config: bmx_config("bmx-park"),
            messages: Box::new(Sessions::new(epoch_us, move |n, at| {
                bmx_round(seed.wrapping_add(2_000 + n), n, at)
            })),
        },
    ]
}

fn circuit_config(id: &str, kind: SessionKind, min_lap_us: i64) -> TrackConfig {
    let mut cfg = TrackConfig::new(id);
    cfg.default_session_kind = kind;
    cfg.min_lap_time_us = min_lap_us;
    cfg.loops = [Line::StartFinish, Line::PitIn, Line::PitOut]
        .iter()
        .map(|&l| loop_of(l))
        .collect();
    cfg
}

fn bmx_config(id: &str) -> TrackConfig {
    let mut cfg = TrackConfig::new(id);
    cfg.default_session_kind = SessionKind::Moto;
    cfg.min_lap_time_us = 20 * SECOND;
    cfg.loops = [Line::Gate, Line::StartFinish]
        .iter()
        .map(|&l| loop_of(l))
        .collect();
    cfg
}

fn loop_of(line: Line) -> TimingLoop {
    TimingLoop {
        id: line.id().into(),
        role: match line {
            Line::StartFinish => LoopRole::StartFinish,
            Line::PitIn => LoopRole::PitIn,
            Line::PitOut => LoopRole::PitOut,
            Line::Gate => LoopRole::Gate,
        },
        decoder_id: Some(line.decoder_id()),
    }
}

/// One generated session: its messages (any order) and when the next may start.
pub struct Session {
    /// The session's messages, demo time.
    pub messages: Vec<TimedMessage>,
    /// Demo time the next session may begin.
    pub next_at_us: i64,
}

/// Endless: generates session `n` starting at the previous one's `next_at_us`.
struct Sessions<F> {
    make: F,
    epoch_us: i64,
    n: u64,
    at_us: i64,
    first_passing: u32,
    queue: VecDeque<TimedMessage>,
}

impl<F: FnMut(u64, i64) -> Session> Sessions<F> {
    fn new(epoch_us: i64, make: F) -> Self {
        Sessions {
            make,
            epoch_us,
            n: 0,
            at_us: 5 * SECOND,
            first_passing: 1,
            queue: VecDeque::new(),
        }
    }
}

impl<F: FnMut(u64, i64) -> Session> Iterator for Sessions<F> {
    type Item = TimedMessage;

    fn next(&mut self) -> Option<TimedMessage> {
        while self.queue.is_empty() {
            let mut session = (self.make)(self.n, self.at_us);
            self.n += 1;
            self.at_us = session.next_at_us;
            // Decoder clocks run on wall time; passing numbers continue across sessions.
            for m in &mut session.messages {
                if let Some(Value::Number(t)) = m.payload.get_mut("rtc_time_us")
                    && let Some(rel) = t.as_i64()
                {
                    *t = (self.epoch_us + rel).max(0).into();
                }
                if let Some(Value::Number(n)) = m.payload.get_mut("passing_number")
                    && let Some(k) = n.as_u64()
                {
                    let shifted = u64::from(self.first_passing) + k - 1;
                    *n = shifted.into();
                }
            }
            let passings = session
                .messages
                .iter()
                .filter(|m| m.message_type == "PASSING")
                .count();
            self.first_passing = self
                .first_passing
                .wrapping_add(u32::try_from(passings).unwrap_or(0));
            session.messages.sort_by_key(|m| m.at_us);
            self.queue.extend(session.messages);
        }
        self.queue.pop_front()
    }
}

fn control(at_us: i64, intent: &ControlIntent) -> TimedMessage {
    TimedMessage {
        at_us,
        message_type: "CONTROL".into(),
        payload: serde_json::to_value(intent).unwrap_or(Value::Null),
    }
}

fn entries(list: &[Entry]) -> ControlIntent {
    ControlIntent::SetEntries {
        entries: list
            .iter()
            .map(|e| EntrySpec {
                number: e.number.clone(),
                name: e.name.clone(),
                class: Some(e.class.clone()),
                transponders: vec![e.transponder.to_string()],
                grid: None,
            })
            .collect(),
    }
}

/// The P3 frames of some readings, times moved so that simulator time `SIM_T0` lands on
/// demo time `at_us` (the wall-clock epoch is added by `Sessions`).
fn p3_messages(readings: &[Reading], lines: &[Line], at_us: i64) -> Vec<TimedMessage> {
    let shift = at_us - SIM_T0;
    let mut out = Vec::new();
    for frame in p3_stream(readings, lines, 1) {
        for decoded in p3::decode_all(&frame.wire) {
            let Ok(decoded) = decoded else { continue };
            let mut frame_json = decoded.frame;
            if let Record::Passing(p) = &mut frame_json.record {
                p.rtc_time_us = p
                    .rtc_time_us
                    .and_then(|t| i64::try_from(t).ok())
                    .and_then(|t| u64::try_from(t + shift).ok());
            }
            let payload = serde_json::to_value(&frame_json).unwrap_or(Value::Null);
            let kind = payload
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("UNKNOWN")
                .to_owned();
            out.push(TimedMessage {
                at_us: frame.at_us + shift,
                message_type: kind,
                payload,
            });
        }
    }
    out
}

fn flags(changes: &[checkered_sim::FlagChange], shift: i64, race: bool) -> Vec<TimedMessage> {
    changes
        .iter()
        .skip(1)
        .filter_map(|c| {
            let flag = match c.flag {
                SimFlag::Green => Flag::Green,
                SimFlag::Yellow => Flag::Yellow,
                // Races end on the engine's own lap count; practice on the clock.
                SimFlag::Finish if race => return None,
                SimFlag::Finish => Flag::Checkered,
            };
            Some(control(c.at_us + shift, &ControlIntent::Flag { flag }))
        })
        .collect()
}

fn kart_practice(seed: u64, n: u64, at_us: i64) -> Session {
    let spec = RaceSpec {
        seed,
        cars: 14,
        kind: SimKind::Practice { minutes: 10 },
        start_us: SIM_T0,
        base_lap_ms: 47_000,
        field_spread: 0.05,
        lap_jitter: 0.012,
        yellow: n % 3 == 1,
        pit_stops: true,
        retirement: false,
        faults: Faults::NOISY,
    };
    circuit_session(
        &spec,
        n,
        at_us,
        SessionKind::Practice,
        format!("Practice {}", n + 1),
    )
}

fn circuit_session(
    spec: &RaceSpec,
    n: u64,
    at_us: i64,
    kind: SessionKind,
    name: String,
) -> Session {
    let sim = simulate(spec);
    let shift = at_us - SIM_T0;
    let race = matches!(spec.kind, SimKind::Race { .. });
    let mut messages = Vec::new();
    if n == 0 {
        messages.push(control(at_us - 4 * SECOND, &entries(&sim.entries)));
    }
    let stage = ControlIntent::Stage {
        name: Some(name),
        kind: Some(kind),
        riders: vec![],
    };
    messages.push(control(at_us - 3 * SECOND, &stage));
    let start = ControlIntent::Start {
        laps: match spec.kind {
            SimKind::Race { laps } => Some(laps),
            SimKind::Practice { .. } => None,
        },
        duration_us: match spec.kind {
            SimKind::Race { .. } => None,
            SimKind::Practice { minutes } => Some(i64::from(minutes) * MINUTE),
        },
    };
    messages.push(control(at_us, &start));
    messages.extend(flags(&sim.flags, shift, race));
    let lines = [Line::StartFinish, Line::PitIn, Line::PitOut];
    messages.extend(p3_messages(&sim.readings, &lines, at_us));
    let last = messages.iter().map(|m| m.at_us).max().unwrap_or(at_us);
    messages.push(control(last + 30 * SECOND, &ControlIntent::EndSession));
    Session {
        messages,
        next_at_us: last + 2 * MINUTE,
    }
}

fn bmx_round(seed: u64, n: u64, at_us: i64) -> Session {
    let sim = simulate_motos(&MotoSpec {
        seed,
        riders: 16,
        rounds: 3,
        start_us: SIM_T0 + 30 * SECOND,
        interval_s: 75,
    });
    let shift = at_us - SIM_T0;
    let mut messages = Vec::new();
    if n == 0 {
        messages.push(control(at_us, &entries(&sim.entries)));
    }
    for moto in &sim.motos {
        let riders = moto
            .lanes
            .iter()
            .enumerate()
            .map(|(lane, &r)| StagedRider {
                number: sim.entries[r].number.clone(),
                gate: u8::try_from(lane + 1).ok(),
            })
            .collect();
        let stage = ControlIntent::Stage {
            name: None,
            kind: Some(SessionKind::Moto),
            riders,
        };
        messages.push(control(moto.gate_drop_us + shift - 20 * SECOND, &stage));
    }
    messages.extend(p3_messages(
        &sim.readings,
        &[Line::Gate, Line::StartFinish],
        at_us,
    ));
    let last = messages.iter().map(|m| m.at_us).max().unwrap_or(at_us);
    messages.push(control(last + 20 * SECOND, &ControlIntent::EndSession));
    Session {
        messages,
        next_at_us: last + 3 * MINUTE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkered_engine::adapt::rmonitor::feed_record;
    use checkered_engine::{Input, InputKind, TrackEngine};
    use checkered_protocol::{cp1252, rmonitor};

    fn first_hours(track: DemoTrack, hours: i64) -> Vec<TimedMessage> {
        track
            .messages
            .take_while(|m| m.at_us < hours * 60 * MINUTE)
            .collect()
    }

    #[test]
    fn streams_are_deterministic_and_in_time_order() {
        for (a, b) in tracks(7, 0).into_iter().zip(tracks(7, 0)) {
            let a = first_hours(a, 1);
            let b = first_hours(b, 1);
            assert!(!a.is_empty());
            assert_eq!(a, b);
            assert!(a.windows(2).all(|w| w[0].at_us <= w[1].at_us));
            assert!(a.iter().all(|m| m.at_us >= 0));
        }
    }

    #[test]
    fn three_hours_of_each_track_score_into_sessions() {
        let epoch = 1_790_000_000_000_000;
        for track in tracks(3, epoch) {
            let id = track.id.clone();
            let mut engine = TrackEngine::new(track.config.clone());
            let mut out = Vec::new();
            for m in first_hours(track, 3) {
                let input = match m.message_type.as_str() {
                    "CONTROL" => Some(Input {
                        at_us: epoch + m.at_us,
                        kind: InputKind::Control(
                            serde_json::from_value(m.payload).expect("intent"),
                        ),
                    }),
                    "PASSING" | "STATUS" => {
                        let frame: p3::Frame = serde_json::from_value(m.payload).expect("p3 frame");
                        checkered_engine::adapt::p3::record_input(engine.config(), &frame.record)
                    }
                    "RMONITOR" => {
                        let line = m.payload["line"].as_str().expect("a line");
                        let record =
                            rmonitor::decode_line(&cp1252::encode(line)).expect("a valid line");
                        feed_record(&record).map(|f| Input::feed(epoch + m.at_us, f))
                    }
                    other => panic!("unexpected message type {other}"),
                };
                if let Some(input) = input {
                    engine.apply(&input, &mut out);
                }
            }
            let sessions = engine.sessions();
            assert!(
                sessions.len() >= 3,
                "{id}: {} sessions in 3 h",
                sessions.len()
            );
            let closed = sessions.iter().filter(|s| !s.open).count();
            assert!(closed >= 2, "{id}: sessions never closed");
            for s in sessions.iter().filter(|s| !s.open) {
                let c = engine.classification(s.id).expect("classification");
                assert!(!c.results.is_empty(), "{id}: {} classified nobody", s.name);
                assert!(
                    c.results.iter().any(|r| r.laps > 0),
                    "{id}: {} has no laps",
                    s.name
                );
            }
        }
    }
}
