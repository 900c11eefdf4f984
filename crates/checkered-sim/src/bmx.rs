//! BMX motos: up to eight riders behind a start gate; the gate-drop beacon starts the moto
//! and riders are placed in the order they cross the finish line.

use crate::decoder::{Reading, ReadingKind};
use crate::spec::{Entry, Line};
use checkered_protocol::p3::GATE_BEACONS;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotoSpec {
    /// Seed of every random choice.
    pub seed: u64,
    /// Riders in the meeting (split into motos of at most eight).
    pub riders: usize,
    /// Rounds of motos.
    pub rounds: u32,
    /// First gate drop, µs since the Unix epoch.
    pub start_us: i64,
    /// Time between gate drops, seconds.
    pub interval_s: u32,
}

/// The truth of one moto.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moto {
    /// Moto number, from 1.
    pub number: u32,
    /// Gate drop, µs since the Unix epoch.
    pub gate_drop_us: i64,
    /// Riders by lane (gate 1 first): indices into the entries.
    pub lanes: Vec<usize>,
    /// Finish order: (rider, finish time µs).
    pub finish_order: Vec<(usize, i64)>,
    /// Riders who did not finish (crash) — no finish crossing.
    pub dnf: Vec<usize>,
}

/// A simulated BMX meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BmxSimulation {
    /// The riders.
    pub entries: Vec<Entry>,
    /// Every moto, in order.
    pub motos: Vec<Moto>,
    /// Decoder readings: beacons on the gate loop, riders on the finish loop.
    pub readings: Vec<Reading>,
}

/// Runs the BMX model. Deterministic for a given spec.
pub fn simulate_motos(spec: &MotoSpec) -> BmxSimulation {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let riders = spec.riders.clamp(1, 64);
    let entries: Vec<Entry> = (0..riders)
        .map(|i| Entry {
            number: format!("{}", 100 + i * 11),
            name: format!("Rider {}", i + 1),
            class: if i % 2 == 0 {
                "Elite Men".into()
            } else {
                "Junior Women".into()
            },
            transponder: 20_000 + 13 * i as u32,
        })
        .collect();
    let ability: Vec<f64> = (0..riders).map(|_| rng.random_range(31.0..37.0)).collect();
    let groups: Vec<Vec<usize>> = (0..riders)
        .collect::<Vec<_>>()
        .chunks(8)
        .map(<[usize]>::to_vec)
        .collect();
    let (mut motos, mut readings) = (Vec::new(), Vec::new());
    let mut t = spec.start_us;
    for round in 0..spec.rounds.max(1) {
        for group in &groups {
            let mut lanes = group.clone();
            let shift = round as usize % lanes.len().max(1);
            lanes.rotate_left(shift);
            let beacon = GATE_BEACONS[round as usize % 2];
            readings.push(Reading {
                at_us: t,
                transponder: beacon,
                line: Line::Gate,
                strength: 0,
                hits: 0,
                kind: ReadingKind::Beacon,
            });
            let mut finish_order = Vec::new();
            let mut dnf = Vec::new();
            for &rider in &lanes {
                if rng.random_bool(0.03) {
                    dnf.push(rider);
                    continue;
                }
                let at = t + (ability[rider] * rng.random_range(0.97..1.03) * 1e6) as i64;
                finish_order.push((rider, at));
                let transponder = entries.get(rider).map_or(0, |e| e.transponder);
                readings.push(Reading {
                    at_us: at,
                    transponder,
                    line: Line::StartFinish,
                    strength: rng.random_range(90..140),
                    hits: rng.random_range(10..40),
                    kind: ReadingKind::Genuine,
                });
            }
            finish_order.sort_by_key(|&(rider, at)| (at, rider));
            motos.push(Moto {
                number: u32::try_from(motos.len() + 1).unwrap_or(u32::MAX),
                gate_drop_us: t,
                lanes,
                finish_order,
                dnf,
            });
            t += i64::from(spec.interval_s.max(45)) * 1_000_000;
        }
    }
    readings.sort_by_key(|r| (r.at_us, r.transponder));
    BmxSimulation {
        entries,
        motos,
        readings,
    }
}
