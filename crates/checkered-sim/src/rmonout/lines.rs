//! Builders of the RMonitor records the simulated scoring system sends, typed so the
//! protocol crate's encoder writes them (never hand-formatted text).
//!
//! # Layout
//! - Session definition: [`init`], [`setting`], [`run`], [`class`], [`competitor`],
//!   [`competitor_ext`].
//! - Scoring: [`passing`], [`race_position`], [`practice_position`], [`line_crossing`].
//! - Clock: [`heartbeat`].

use super::board::CarScore;
use super::clock::{crossing_date, init_date, time_of_day_ms};
use crate::spec::Entry;
use checkered_protocol::rmonitor::{Flag, Record, RmTime, Separator};

/// `$I`: clear the scoreboard, stamped with the time of day and date.
pub fn init(at_us: i64) -> Record {
    Record::Init {
        time_of_day: RmTime::from_ms(time_of_day_ms(at_us)),
        date: init_date(at_us).into(),
        separator: Separator::Comma,
        extra: Vec::new(),
    }
}

/// `$E`: a track setting (`TRACKNAME`, `TRACKLENGTH`).
pub fn setting(key: &str, value: &str) -> Record {
    Record::Setting {
        key: key.into(),
        value: value.into(),
        extra: Vec::new(),
    }
}

/// `$B`: the current run.
pub fn run(run_no: u32, name: &str) -> Record {
    Record::Run {
        run_no,
        description: name.into(),
        extra: Vec::new(),
    }
}

/// `$C`: a class definition.
pub fn class(class_no: u32, name: &str) -> Record {
    Record::Class {
        class_no,
        description: name.into(),
        extra: Vec::new(),
    }
}

/// First and last name of an entry (`"Ana Álvarez"` → `("Ana", "Álvarez")`).
fn names(entry: &Entry) -> (String, String) {
    match entry.name.split_once(' ') {
        Some((first, last)) => (first.to_owned(), last.to_owned()),
        None => (String::new(), entry.name.clone()),
    }
}

/// `$A`: a competitor, keyed by its race number, with its transponder.
pub fn competitor(entry: &Entry, class_no: u32) -> Record {
    let (first_name, last_name) = names(entry);
    Record::Competitor {
        reg_no: entry.number.as_str().into(),
        number: entry.number.as_str().into(),
        transponder: entry.transponder.to_string().into(),
        first_name: first_name.into(),
        last_name: last_name.into(),
        nationality: Default::default(),
        class_no: Some(class_no),
        extra: Vec::new(),
    }
}

/// `$COMP`: the same competitor with the additional-data field.
pub fn competitor_ext(entry: &Entry, class_no: u32) -> Record {
    let (first_name, last_name) = names(entry);
    Record::CompetitorExt {
        reg_no: entry.number.as_str().into(),
        number: entry.number.as_str().into(),
        class_no: Some(class_no),
        first_name: first_name.into(),
        last_name: last_name.into(),
        nationality: Default::default(),
        additional: Default::default(),
        extra: Vec::new(),
    }
}

/// `$J`: a start/finish crossing (lap time zero on the first crossing).
pub fn passing(reg_no: &str, lap_ms: Option<i64>, total_ms: i64) -> Record {
    Record::Passing {
        reg_no: reg_no.into(),
        lap_time: RmTime::from_ms(lap_ms.unwrap_or(0)),
        total_time: RmTime::from_ms(total_ms),
        extra: Vec::new(),
    }
}

/// `$G`: race position; laps stay empty until the first lap is completed, as Orbits
/// writes them, and the total is zero before the first crossing.
pub fn race_position(position: u32, reg_no: &str, car: &CarScore) -> Record {
    Record::RacePosition {
        position,
        reg_no: reg_no.into(),
        laps: i32::try_from(car.laps).ok().filter(|l| *l > 0),
        total_time: RmTime::from_ms(car.total_ms.unwrap_or(0)),
        extra: Vec::new(),
    }
}

/// `$H`: best-lap position; lap 0 and a zero time before the first completed lap.
pub fn practice_position(position: u32, reg_no: &str, car: &CarScore) -> Record {
    Record::PracticePosition {
        position,
        reg_no: reg_no.into(),
        best_lap_no: Some(car.best.map_or(0, |b| b.lap)),
        best_lap_time: RmTime::from_ms(car.best.map_or(0, |b| b.ms)),
        extra: Vec::new(),
    }
}

/// IMSA `$L`: the car crossed a timeline (`T1`/`SFT` start/finish, `P1`/`PIT` pit in,
/// `P2`/`POT` pit out) at `at_us`.
pub fn line_crossing(number: &str, timeline: (&str, &str), at_us: i64) -> Record {
    Record::LineCrossing {
        car: number.into(),
        timeline_no: timeline.0.into(),
        timeline_name: timeline.1.into(),
        date: crossing_date(at_us).into(),
        time: RmTime::from_ms(time_of_day_ms(at_us)),
        driver_id: None,
        class_name: None,
        extra: Vec::new(),
    }
}

/// What a `$F` heartbeat states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// Laps to go (9999 when the session is not lap-limited).
    pub laps_to_go: u32,
    /// Seconds to go (0 when not time-limited).
    pub time_to_go_s: i64,
    /// Seconds since the green flag.
    pub race_time_s: i64,
    /// The flag shown.
    pub flag: Flag,
}

/// `$F`: the once-a-second heartbeat at `at_us`.
pub fn heartbeat(at_us: i64, clock: &Clock) -> Record {
    Record::Heartbeat {
        laps_to_go: Some(clock.laps_to_go),
        time_to_go: RmTime::from_secs(clock.time_to_go_s),
        time_of_day: RmTime::from_secs(time_of_day_ms(at_us) / 1000),
        race_time: RmTime::from_secs(clock.race_time_s),
        flag: clock.flag.clone(),
        extra: Vec::new(),
    }
}
