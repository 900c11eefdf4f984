//! The feed generator: walks one session's events (announcement, flags, crossings,
//! heartbeats, refreshes, the end) in time order and writes the lines each one causes.
//!
//! # Layout
//! - `Event`: what happens, ordered within one instant (a flag before a crossing at the
//!   same time, so the chequered flag precedes the leader's finishing `$J`).
//! - `timeline`: every event of the session, sorted.
//! - `Feed`: the scoring system's state and the lines it writes; `generate` drives it.

use super::board::{Board, positions};
use super::lines::{self, Clock};
use super::{FeedSpec, FeedStream, TimedLine};
use crate::model::{Crossing, SimFlag, Simulation};
use crate::spec::{Line, SimKind};
use checkered_protocol::rmonitor::{Flag, Record, SESSION_END_RUN};

const SECOND: i64 = 1_000_000;

/// Something that makes the scoring system write lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Announce,
    Flag(SimFlag),
    Crossing(Crossing),
    Heartbeat,
    Refresh,
    End,
}

impl Event {
    /// The order of events at the same instant (the declaration order).
    fn rank(&self) -> u8 {
        match self {
            Event::Announce => 0,
            Event::Flag(_) => 1,
            Event::Crossing(_) => 2,
            Event::Heartbeat => 3,
            Event::Refresh => 4,
            Event::End => 5,
        }
    }
}

/// When the session's phases begin and end, µs since the Unix epoch.
struct Times {
    announce: i64,
    green: i64,
    end: i64,
    ends_at: i64,
}

fn times(sim: &Simulation, spec: &FeedSpec) -> Times {
    let green = sim.spec.start_us;
    let last_crossing = sim.crossings.last().map_or(green, |c| c.at_us);
    let last_flag = sim.flags.last().map_or(green, |f| f.at_us);
    let end = last_crossing.max(last_flag) + spec.linger_us.max(0);
    Times {
        announce: green - spec.lead_in_us.max(0),
        green,
        end,
        ends_at: end + spec.idle_after_us.max(SECOND),
    }
}

/// Every event of the session in the order the scoring system meets them.
fn timeline(sim: &Simulation, spec: &FeedSpec, t: &Times) -> Vec<(i64, Event)> {
    let mut events = vec![(t.announce, Event::Announce), (t.end, Event::End)];
    events.extend(sim.flags.iter().map(|f| (f.at_us, Event::Flag(f.flag))));
    events.extend(sim.crossings.iter().map(|c| (c.at_us, Event::Crossing(*c))));
    let mut beat = t.announce + (-t.announce).rem_euclid(SECOND);
    while beat < t.ends_at {
        events.push((beat, Event::Heartbeat));
        beat += SECOND;
    }
    let every = spec.refresh_us.max(SECOND);
    let mut refresh = t.announce + every;
    while refresh < t.end {
        events.push((refresh, Event::Refresh));
        refresh += every;
    }
    // Stable: crossings at one instant keep the model's order.
    events.sort_by_key(|(at, event)| (*at, event.rank()));
    events
}

/// Runs the generator over the session.
pub(super) fn generate(sim: &Simulation, spec: &FeedSpec) -> FeedStream {
    let t = times(sim, spec);
    let mut feed = Feed::new(sim, spec, t.green);
    for (at, event) in timeline(sim, spec, &t) {
        feed.apply(at, event);
    }
    FeedStream {
        lines: feed.lines,
        green_us: t.green,
        end_us: t.end,
        ends_at_us: t.ends_at,
    }
}

/// The scoring system during one session.
struct Feed<'a> {
    sim: &'a Simulation,
    spec: &'a FeedSpec,
    green_us: i64,
    /// Class names; an entry's class number is its index here plus one.
    classes: Vec<String>,
    board: Board,
    /// Positions last published, per car.
    race_pos: Vec<u32>,
    best_pos: Vec<u32>,
    flag: Flag,
    green_shown: bool,
    ended: bool,
    lines: Vec<TimedLine>,
}

impl<'a> Feed<'a> {
    fn new(sim: &'a Simulation, spec: &'a FeedSpec, green_us: i64) -> Self {
        let mut classes: Vec<String> = Vec::new();
        for entry in &sim.entries {
            if !classes.contains(&entry.class) {
                classes.push(entry.class.clone());
            }
        }
        let board = Board::new(sim.entries.len());
        Feed {
            race_pos: positions(&board.race_order()),
            best_pos: positions(&board.best_order()),
            sim,
            spec,
            green_us,
            classes,
            board,
            flag: Flag::None,
            green_shown: false,
            ended: false,
            lines: Vec::new(),
        }
    }

    fn push(&mut self, at_us: i64, record: Record) {
        self.lines.push(TimedLine { at_us, record });
    }

    fn apply(&mut self, at: i64, event: Event) {
        match event {
            Event::Announce => {
                self.push(at, lines::init(at));
                self.definitions(at);
            }
            Event::Flag(flag) => {
                self.flag = match flag {
                    SimFlag::Green => Flag::Green,
                    SimFlag::Yellow => Flag::Yellow,
                    SimFlag::Finish => Flag::Finish,
                };
                self.green_shown = true;
                self.heartbeat(at);
            }
            Event::Crossing(c) => self.crossing(at, &c),
            Event::Heartbeat => self.heartbeat(at),
            Event::Refresh => self.definitions(at),
            Event::End => {
                self.ended = true;
                let name = self.spec.run_name.clone();
                self.push(at, lines::run(SESSION_END_RUN, &name));
            }
        }
    }

    fn class_no(&self, class: &str) -> u32 {
        let index = self.classes.iter().position(|c| c == class).unwrap_or(0);
        u32::try_from(index + 1).unwrap_or(1)
    }

    /// `$E`, `$B`, `$C`, `$A`, `$COMP`, then `$G` and `$H` for every car in order.
    fn definitions(&mut self, at: i64) {
        let spec = self.spec;
        self.push(at, lines::setting("TRACKNAME", &spec.track_name));
        self.push(at, lines::setting("TRACKLENGTH", &spec.track_length));
        self.push(at, lines::run(spec.run_no, &spec.run_name));
        let classes: Vec<Record> = (1u32..)
            .zip(&self.classes)
            .map(|(class_no, name)| lines::class(class_no, name))
            .collect();
        for record in classes {
            self.push(at, record);
        }
        let entries = &self.sim.entries;
        for entry in entries {
            self.push(at, lines::competitor(entry, self.class_no(&entry.class)));
        }
        for entry in entries {
            self.push(
                at,
                lines::competitor_ext(entry, self.class_no(&entry.class)),
            );
        }
        for car in self.board.race_order() {
            self.race_line(at, car);
        }
        for car in self.board.best_order() {
            self.best_line(at, car);
        }
    }

    fn race_line(&mut self, at: i64, car: usize) {
        let (Some(entry), Some(score)) = (self.sim.entries.get(car), self.board.cars().get(car))
        else {
            return;
        };
        let position = self.race_pos.get(car).copied().unwrap_or(0);
        let record = lines::race_position(position, &entry.number, score);
        self.push(at, record);
    }

    fn best_line(&mut self, at: i64, car: usize) {
        let (Some(entry), Some(score)) = (self.sim.entries.get(car), self.board.cars().get(car))
        else {
            return;
        };
        let position = self.best_pos.get(car).copied().unwrap_or(0);
        let record = lines::practice_position(position, &entry.number, score);
        self.push(at, record);
    }

    fn crossing(&mut self, at: i64, c: &Crossing) {
        let timeline = match c.line {
            Line::StartFinish => ("T1", "SFT"),
            Line::PitIn => ("P1", "PIT"),
            Line::PitOut => ("P2", "POT"),
            Line::Gate => return,
        };
        let Some(number) = self.sim.entries.get(c.car).map(|e| e.number.clone()) else {
            return;
        };
        self.push(at, lines::line_crossing(&number, timeline, at));
        if c.line != Line::StartFinish {
            return;
        }
        let total_ms = (at - self.green_us).div_euclid(1000);
        let Some(scored) = self.board.cross(c.car, total_ms, at) else {
            return;
        };
        self.push(at, lines::passing(&number, scored.lap_ms, scored.total_ms));
        self.publish_positions(at, c.car);
    }

    /// `$G`/`$H` for the car that crossed, then for every car whose positions moved.
    fn publish_positions(&mut self, at: i64, crossed: usize) {
        let race_order = self.board.race_order();
        let best_order = self.board.best_order();
        let (old_race, old_best) = (
            std::mem::replace(&mut self.race_pos, positions(&race_order)),
            std::mem::replace(&mut self.best_pos, positions(&best_order)),
        );
        self.race_line(at, crossed);
        self.best_line(at, crossed);
        for car in race_order {
            if car != crossed && old_race.get(car) != self.race_pos.get(car) {
                self.race_line(at, car);
            }
        }
        for car in best_order {
            if car != crossed && old_best.get(car) != self.best_pos.get(car) {
                self.best_line(at, car);
            }
        }
    }

    fn heartbeat(&mut self, at: i64) {
        let clock = self.clock(at);
        self.push(at, lines::heartbeat(at, &clock));
    }

    /// The session clock at `at`: counting down to the limit once the green has shown;
    /// zeros and no flag once the run has ended.
    fn clock(&self, at: i64) -> Clock {
        if self.ended {
            return Clock {
                laps_to_go: 0,
                time_to_go_s: 0,
                race_time_s: 0,
                flag: Flag::None,
            };
        }
        let race_time_s = if self.green_shown {
            (at - self.green_us).max(0) / SECOND
        } else {
            0
        };
        let (laps_to_go, time_to_go_s) = match self.sim.spec.kind {
            SimKind::Race { laps } => (laps.saturating_sub(self.board.leader_laps()), 0),
            SimKind::Practice { minutes } => (9999, (i64::from(minutes) * 60 - race_time_s).max(0)),
        };
        Clock {
            laps_to_go,
            time_to_go_s,
            race_time_s,
            flag: self.flag.clone(),
        }
    }
}
