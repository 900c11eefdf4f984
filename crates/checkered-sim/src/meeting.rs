//! An endless club meeting: qualifying and races alternate, each session its own seeded
//! simulation, so a demo or a simulated feed can run for hours without repeating.
//!
//! # Layout
//! - [`MeetingSession`]: one session of the meeting.
//! - [`club_session`]: session `n` of a meeting.

use crate::spec::{RaceSpec, SimKind};

/// One session of the meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingSession {
    /// What to simulate (its `start_us` is the green flag).
    pub spec: RaceSpec,
    /// The session's name ("Qualifying 1", "Race 1"); results feeds tell the kind by it.
    pub name: String,
    /// Run number (1..=94, then around again; 95 means "no run" in RMonitor).
    pub run_no: u32,
}

/// Session `n` (from 0) of a club meeting of `cars` cars seeded by `seed`, green flag at
/// `green_us`: even sessions are 12-minute qualifying sessions, odd ones 12-lap races
/// with a yellow, pit stops and a retirement.
pub fn club_session(seed: u64, cars: usize, n: u64, green_us: i64) -> MeetingSession {
    let mut spec = RaceSpec::club_race(seed.wrapping_add(n));
    spec.cars = cars;
    spec.start_us = green_us;
    let name = if n.is_multiple_of(2) {
        spec.kind = SimKind::Practice { minutes: 12 };
        spec.retirement = false;
        format!("Qualifying {}", n / 2 + 1)
    } else {
        spec.kind = SimKind::Race { laps: 12 };
        format!("Race {}", n / 2 + 1)
    };
    MeetingSession {
        spec,
        name,
        run_no: u32::try_from(n % 94).unwrap_or(0) + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifying_and_races_alternate_with_fresh_seeds_and_run_numbers() {
        let q = club_session(5, 12, 0, 1_000);
        let r = club_session(5, 12, 1, 2_000);
        assert_eq!((q.name.as_str(), q.run_no), ("Qualifying 1", 1));
        assert_eq!((r.name.as_str(), r.run_no), ("Race 1", 2));
        assert!(matches!(q.spec.kind, SimKind::Practice { minutes: 12 }));
        assert!(matches!(r.spec.kind, SimKind::Race { laps: 12 }));
        assert_ne!(q.spec.seed, r.spec.seed);
        assert_eq!((r.spec.cars, r.spec.start_us), (12, 2_000));
        assert_eq!(club_session(5, 12, 94, 0).run_no, 1);
    }
}
