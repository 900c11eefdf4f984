//! Scenario builders shared by the engine tests.

use checkered_engine::view::standings::CompetitorView;
use checkered_engine::{
    ControlIntent, DerivedEvent, EntrySpec, FeedRecord, Flag, Input, SessionKind, Standings,
    TrackConfig, TrackEngine,
};

/// An arbitrary epoch for scenarios (2023-11-14).
pub const T0: i64 = 1_700_000_000_000_000;

/// Input time `ms` milliseconds after [`T0`].
pub fn at(ms: i64) -> i64 {
    T0 + ms * 1000
}

/// An engine with the events it emitted.
pub struct Rig {
    pub engine: TrackEngine,
    pub events: Vec<DerivedEvent>,
}

impl Rig {
    pub fn new(config: TrackConfig) -> Self {
        Self {
            engine: TrackEngine::new(config),
            events: Vec::new(),
        }
    }

    /// A single-loop track, 10 s minimum lap.
    pub fn track() -> Self {
        Self::new(TrackConfig::new("test-track"))
    }

    /// Applies one input and returns the events it caused.
    pub fn apply(&mut self, input: Input) -> Vec<DerivedEvent> {
        let mut out = Vec::new();
        self.engine.apply(&input, &mut out);
        self.events.extend(out.iter().cloned());
        out
    }

    pub fn pass(&mut self, ms: i64, transponder: &str) -> Vec<DerivedEvent> {
        self.apply(Input::passing(at(ms), transponder, "sf"))
    }

    pub fn pass_on(&mut self, ms: i64, transponder: &str, line: &str) -> Vec<DerivedEvent> {
        self.apply(Input::passing(at(ms), transponder, line))
    }

    pub fn feed(&mut self, ms: i64, record: FeedRecord) -> Vec<DerivedEvent> {
        self.apply(Input::feed(at(ms), record))
    }

    pub fn control(&mut self, ms: i64, intent: ControlIntent) -> Vec<DerivedEvent> {
        self.apply(Input::control(at(ms), intent))
    }

    /// Registers cars `(number, transponder)` with class "A".
    pub fn entries(&mut self, cars: &[(&str, &str)]) {
        let entries = cars
            .iter()
            .map(|(n, t)| EntrySpec {
                number: (*n).to_owned(),
                name: format!("Driver {n}"),
                class: Some("A".to_owned()),
                transponders: vec![(*t).to_owned()],
                grid: None,
            })
            .collect();
        self.control(0, ControlIntent::SetEntries { entries });
    }

    /// Entries, a staged race of `kind` and a start at t = 0.
    pub fn staged(cars: &[(&str, &str)], kind: SessionKind) -> Self {
        let mut rig = Self::track();
        rig.entries(cars);
        rig.control(
            0,
            ControlIntent::Stage {
                name: Some("Heat 1".into()),
                kind: Some(kind),
                riders: vec![],
            },
        );
        rig.control(
            0,
            ControlIntent::Start {
                laps: None,
                duration_us: None,
            },
        );
        rig
    }

    pub fn board(&self) -> Standings {
        self.engine.standings()
    }

    pub fn car(&self, number: &str) -> CompetitorView {
        let board = self.board();
        let found = board.competitors.into_iter().find(|c| c.number == number);
        found.unwrap_or_else(|| panic!("car {number} not on the board"))
    }

    /// Car numbers in position order.
    pub fn order(&self) -> Vec<String> {
        self.board()
            .competitors
            .into_iter()
            .map(|c| c.number)
            .collect()
    }
}

/// The `type` tag of each event.
pub fn types(events: &[DerivedEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let v = serde_json::to_value(&e.kind).expect("event serialises");
            v["type"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

/// Whether an event of this type is present.
pub fn has(events: &[DerivedEvent], kind: &str) -> bool {
    types(events).iter().any(|t| t == kind)
}

/// JSON lines of events, for byte comparisons.
pub fn json_lines(events: &[DerivedEvent]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for e in events {
        bytes.extend(serde_json::to_vec(e).expect("event serialises"));
        bytes.push(b'\n');
    }
    bytes
}

// Feed record builders (RMonitor letters in the names for readability).

pub fn a(reg: &str, first: &str, class_id: u32) -> FeedRecord {
    FeedRecord::Entry {
        reg_no: reg.into(),
        number: reg.into(),
        transponder: None,
        first_name: first.into(),
        last_name: String::new(),
        team: String::new(),
        class_id: Some(class_id),
        grid: None,
    }
}

pub fn b(run: u32, name: &str) -> FeedRecord {
    FeedRecord::Run {
        number: run,
        name: name.into(),
        kind: None,
    }
}

pub fn c(id: u32, name: &str) -> FeedRecord {
    FeedRecord::Class {
        id,
        name: name.into(),
    }
}

pub fn f(flag: Flag) -> FeedRecord {
    FeedRecord::Heartbeat {
        flag: Some(flag),
        laps_to_go: None,
        time_to_go_ms: None,
        race_time_ms: None,
        time_of_day_ms: None,
    }
}

pub fn g(pos: u32, reg: &str, laps: Option<i64>, total_ms: i64) -> FeedRecord {
    FeedRecord::RacePosition {
        reg_no: reg.into(),
        position: Some(pos),
        laps,
        total_time_ms: Some(total_ms),
    }
}

pub fn h(pos: u32, reg: &str, lap_no: u32, best_ms: i64) -> FeedRecord {
    FeedRecord::PracticePosition {
        reg_no: reg.into(),
        position: Some(pos),
        best_lap_no: Some(lap_no),
        best_lap_ms: Some(best_ms),
    }
}

pub fn j(reg: &str, lap_ms: i64, total_ms: i64) -> FeedRecord {
    FeedRecord::Passing {
        reg_no: reg.into(),
        lap_time_ms: Some(lap_ms),
        total_time_ms: Some(total_ms),
    }
}
