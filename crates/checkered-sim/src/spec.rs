//! What to simulate.

use serde::{Deserialize, Serialize};

/// The kind of session the model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SimKind {
    /// A race over a number of laps from a rolling start at the green flag.
    Race {
        /// Laps the leader completes before the chequered flag.
        laps: u32,
    },
    /// A practice or qualifying session of fixed length, cars in and out of the pits.
    Practice {
        /// Session length in minutes.
        minutes: u32,
    },
}

/// Decoder faults injected into the readings of true crossings (probabilities per crossing).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    /// A second read of the same transponder a few hundred ms later.
    pub duplicate_reads: f64,
    /// The crossing is not read at all.
    pub missed_reads: f64,
    /// Read with low strength and few hits (still a valid passing).
    pub weak_reads: f64,
}

impl Faults {
    /// A perfect decoder.
    pub const NONE: Faults = Faults {
        duplicate_reads: 0.0,
        missed_reads: 0.0,
        weak_reads: 0.0,
    };
    /// Realistic club-track noise without lost passings.
    pub const NOISY: Faults = Faults {
        duplicate_reads: 0.05,
        missed_reads: 0.0,
        weak_reads: 0.05,
    };
}

/// A simulated session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceSpec {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of cars (1..=200).
    pub cars: usize,
    /// Race or practice.
    pub kind: SimKind,
    /// Time of the green flag, µs since the Unix epoch.
    pub start_us: i64,
    /// Typical lap of the fastest car, ms.
    pub base_lap_ms: u32,
    /// How much slower the slowest car is than the fastest (0.08 = 8 %).
    pub field_spread: f64,
    /// Lap-to-lap variation as a fraction of the lap (standard-deviation-like).
    pub lap_jitter: f64,
    /// A full-course yellow in the middle third of the session.
    pub yellow: bool,
    /// Each car makes one pit stop (races) or several runs (practice).
    pub pit_stops: bool,
    /// One car retires part way through.
    pub retirement: bool,
    /// Decoder faults.
    pub faults: Faults,
}

impl RaceSpec {
    /// A 20-car, 15-lap club race with a yellow, pit stops and a retirement.
    pub fn club_race(seed: u64) -> Self {
        RaceSpec {
            seed,
            cars: 20,
            kind: SimKind::Race { laps: 15 },
            start_us: 1_750_000_000_000_000,
            base_lap_ms: 92_000,
            field_spread: 0.06,
            lap_jitter: 0.008,
            yellow: true,
            pit_stops: true,
            retirement: true,
            faults: Faults::NOISY,
        }
    }
}

/// A car (or rider) taking part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Race number.
    pub number: String,
    /// Driver or rider name.
    pub name: String,
    /// Class name.
    pub class: String,
    /// Transponder id.
    pub transponder: u32,
}

/// The timing loops of the simulated track, each with its own decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Line {
    /// Start/finish line.
    StartFinish,
    /// Pit entry.
    PitIn,
    /// Pit exit.
    PitOut,
    /// BMX start gate (the gate-drop beacon is read here).
    Gate,
}

impl Line {
    /// All lines, in track order.
    pub const ALL: [Line; 4] = [Line::StartFinish, Line::PitIn, Line::PitOut, Line::Gate];

    /// The P3 decoder id of the loop's decoder.
    pub fn decoder_id(self) -> u32 {
        match self {
            Line::StartFinish => 0x0001_0001,
            Line::PitIn => 0x0001_0002,
            Line::PitOut => 0x0001_0003,
            Line::Gate => 0x0001_0004,
        }
    }

    /// The loop id used in track configuration (`sf`, `pit-in`, `pit-out`, `gate`).
    pub fn id(self) -> &'static str {
        match self {
            Line::StartFinish => "sf",
            Line::PitIn => "pit-in",
            Line::PitOut => "pit-out",
            Line::Gate => "gate",
        }
    }
}
