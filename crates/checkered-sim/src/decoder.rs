//! What the decoders read of the true crossings: faults included.

use crate::model::Crossing;
use crate::spec::{Entry, Faults, Line};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Why a reading exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadingKind {
    /// A clean read of a true crossing.
    Genuine,
    /// A clean read with low signal: still the true crossing.
    Weak,
    /// A second read of a crossing already read (not a crossing).
    Duplicate,
    /// The BMX gate-drop beacon.
    Beacon,
}

/// One passing as a decoder reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    /// Decoder timestamp, µs since the Unix epoch.
    pub at_us: i64,
    /// Transponder read.
    pub transponder: u32,
    /// Loop (and so decoder) that read it.
    pub line: Line,
    /// Signal strength.
    pub strength: u16,
    /// Hits.
    pub hits: u16,
    /// Why the reading exists.
    pub kind: ReadingKind,
}

/// Reads every crossing through a decoder with `faults`; returns the readings in time order
/// and the crossings that were missed.
pub fn read_crossings(
    crossings: &[Crossing],
    entries: &[Entry],
    faults: &Faults,
    rng: &mut ChaCha8Rng,
) -> (Vec<Reading>, Vec<Crossing>) {
    let mut readings = Vec::with_capacity(crossings.len() * 11 / 10);
    let mut missed = Vec::new();
    let p = |x: f64| x.clamp(0.0, 1.0);
    for c in crossings {
        let Some(entry) = entries.get(c.car) else {
            continue;
        };
        if rng.random_bool(p(faults.missed_reads)) {
            missed.push(*c);
            continue;
        }
        let weak = rng.random_bool(p(faults.weak_reads));
        let (strength, hits, kind) = if weak {
            (
                rng.random_range(35..60),
                rng.random_range(2..6),
                ReadingKind::Weak,
            )
        } else {
            (
                rng.random_range(95..150),
                rng.random_range(18..70),
                ReadingKind::Genuine,
            )
        };
        readings.push(Reading {
            at_us: c.at_us,
            transponder: entry.transponder,
            line: c.line,
            strength,
            hits,
            kind,
        });
        if rng.random_bool(p(faults.duplicate_reads)) {
            readings.push(Reading {
                at_us: c.at_us + rng.random_range(150_000..900_000),
                transponder: entry.transponder,
                line: c.line,
                strength: rng.random_range(40..90),
                hits: rng.random_range(3..15),
                kind: ReadingKind::Duplicate,
            });
        }
    }
    readings.sort_by_key(|r| (r.at_us, r.transponder, r.line));
    (readings, missed)
}
