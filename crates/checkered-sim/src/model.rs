//! The true race: who crossed which line when, and the correct classification.

use crate::decoder::{Reading, read_crossings};
use crate::spec::{Entry, Line, RaceSpec, SimKind};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A true line crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crossing {
    /// When, µs since the Unix epoch.
    pub at_us: i64,
    /// Index into [`Simulation::entries`].
    pub car: usize,
    /// Which loop.
    pub line: Line,
}

/// Flags race control shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SimFlag {
    /// Racing.
    Green,
    /// Full-course yellow.
    Yellow,
    /// Chequered flag: the session is over for each car at its next line crossing.
    Finish,
}

/// A flag shown at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagChange {
    /// When, µs since the Unix epoch.
    pub at_us: i64,
    /// The new flag.
    pub flag: SimFlag,
}

/// One line of the true classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthRow {
    /// 1-based position.
    pub position: u32,
    /// Index into [`Simulation::entries`].
    pub car: usize,
    /// Completed laps (the start crossing of a race is not a lap).
    pub laps: u32,
    /// From the green flag to the car's last start/finish crossing, µs.
    pub total_us: i64,
    /// Best lap, µs, if the car completed one.
    pub best_lap_us: Option<i64>,
    /// Took the chequered flag (false for a retirement).
    pub finished: bool,
}

/// A complete simulated session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// What was simulated.
    pub spec: RaceSpec,
    /// The cars.
    pub entries: Vec<Entry>,
    /// Every true crossing, in time order.
    pub crossings: Vec<Crossing>,
    /// Flags shown, in time order.
    pub flags: Vec<FlagChange>,
    /// The correct result.
    pub classification: Vec<TruthRow>,
    /// What the decoders read, in time order (faults included).
    pub readings: Vec<Reading>,
    /// True crossings the decoders missed.
    pub missed: Vec<Crossing>,
}

const FIRST_NAMES: [&str; 10] = [
    "Ana", "Ben", "Chloé", "Dev", "Emil", "Freya", "Goran", "Hana", "Ivo", "Jonas",
];
const LAST_NAMES: [&str; 10] = [
    "Álvarez", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "Gómez", "Horvat", "Ivanov",
    "Jansen",
];

fn entries(cars: usize) -> Vec<Entry> {
    (0..cars)
        .map(|i| Entry {
            number: (i * 3 + 2).to_string(),
            name: format!(
                "{} {}",
                FIRST_NAMES[i % 10],
                LAST_NAMES[(i / 10 + i * 7) % 10]
            ),
            class: if i % 3 == 2 {
                "GT4".into()
            } else {
                "GT3".into()
            },
            transponder: 1_000_000 + 37 * i as u32,
        })
        .collect()
}

/// Runs the model for `spec`. Deterministic: the same spec gives the same simulation.
pub fn simulate(spec: &RaceSpec) -> Simulation {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let cars = spec.cars.clamp(1, 200);
    let base_us = i64::from(spec.base_lap_ms.max(1000)) * 1000;
    let paces: Vec<f64> = (0..cars)
        .map(|i| {
            let rank = if cars > 1 {
                i as f64 / (cars - 1) as f64
            } else {
                0.0
            };
            base_us as f64
                * (1.0 + spec.field_spread.clamp(0.0, 1.0) * rank)
                * rng.random_range(0.997..1.003)
        })
        .collect();
    let (mut crossings, flags) = match spec.kind {
        SimKind::Race { laps } => race(spec, laps.max(1), &paces, &mut rng),
        SimKind::Practice { minutes } => practice(spec, minutes.max(1), &paces, &mut rng),
    };
    crossings.sort_by_key(|c| (c.at_us, c.car, c.line));
    let classification = classify(spec, cars, &crossings, &flags);
    let (readings, missed) = read_crossings(&crossings, &entries(cars), &spec.faults, &mut rng);
    Simulation {
        spec: spec.clone(),
        entries: entries(cars),
        crossings,
        flags,
        classification,
        readings,
        missed,
    }
}

/// One lap's duration for a car of `pace`, slowed under yellow.
fn lap_time(
    spec: &RaceSpec,
    pace: f64,
    at_us: i64,
    yellow: Option<(i64, i64)>,
    rng: &mut ChaCha8Rng,
) -> i64 {
    let jitter = spec.lap_jitter.clamp(0.0, 0.2);
    let mut lap = pace * (1.0 + rng.random_range(-jitter..=jitter));
    if yellow.is_some_and(|(from, to)| at_us >= from && at_us < to) {
        lap *= 1.35;
    }
    lap as i64
}

fn race(
    spec: &RaceSpec,
    laps: u32,
    paces: &[f64],
    rng: &mut ChaCha8Rng,
) -> (Vec<Crossing>, Vec<FlagChange>) {
    let t0 = spec.start_us;
    let base = paces.first().copied().unwrap_or(90e6) as i64;
    let yellow = spec.yellow.then(|| {
        (
            t0 + base * i64::from(laps) / 3,
            t0 + base * i64::from(laps) / 3 + base * 2,
        )
    });
    let retire = spec.retirement && paces.len() > 2;
    let retiring_car = if retire {
        rng.random_range(1..paces.len())
    } else {
        usize::MAX
    };
    let retire_after = rng.random_range(laps / 3..=(2 * laps / 3).max(laps / 3));
    let mut all = Vec::new();
    let mut sf: Vec<Vec<i64>> = Vec::new();
    for (car, &pace) in paces.iter().enumerate() {
        // Rolling start: the field crosses the line in grid order just after the green
        // flag, the pole car 0.4 s after it (a crossing exactly at the green would have a
        // zero race time, which results feeds write as "no time").
        let mut t = t0 + (car as i64 + 1) * 400_000;
        let mut times = vec![t];
        let pit_lap = rng.random_range((laps / 4).max(1)..=(3 * laps / 4).max(1));
        for lap in 1..=laps + 1 {
            if car == retiring_car && lap > retire_after {
                break;
            }
            let mut dt = lap_time(spec, pace, t, yellow, rng);
            if spec.pit_stops && lap == pit_lap {
                let pit_in = t + dt - 15_000_000;
                all.push(Crossing {
                    at_us: pit_in,
                    car,
                    line: Line::PitIn,
                });
                all.push(Crossing {
                    at_us: pit_in + 22_000_000,
                    car,
                    line: Line::PitOut,
                });
                dt += 25_000_000;
            }
            t += dt;
            times.push(t);
        }
        sf.push(times);
    }
    // The leader's `laps`-th lap ends the race; every car finishes at its next crossing.
    let finish = sf
        .iter()
        .filter_map(|t| t.get(laps as usize))
        .copied()
        .min()
        .unwrap_or(t0);
    for (car, times) in sf.iter().enumerate() {
        let last = times
            .iter()
            .position(|&t| t >= finish)
            .unwrap_or(times.len().saturating_sub(1));
        all.extend(times.iter().take(last + 1).map(|&at_us| Crossing {
            at_us,
            car,
            line: Line::StartFinish,
        }));
        all.retain(|c| {
            c.car != car
                || c.line == Line::StartFinish
                || c.at_us < times.get(last).copied().unwrap_or(i64::MAX)
        });
    }
    let mut flags = vec![FlagChange {
        at_us: t0,
        flag: SimFlag::Green,
    }];
    if let Some((from, to)) = yellow.filter(|&(_, to)| to < finish) {
        flags.push(FlagChange {
            at_us: from,
            flag: SimFlag::Yellow,
        });
        flags.push(FlagChange {
            at_us: to,
            flag: SimFlag::Green,
        });
    }
    flags.push(FlagChange {
        at_us: finish,
        flag: SimFlag::Finish,
    });
    (all, flags)
}

fn practice(
    spec: &RaceSpec,
    minutes: u32,
    paces: &[f64],
    rng: &mut ChaCha8Rng,
) -> (Vec<Crossing>, Vec<FlagChange>) {
    let t0 = spec.start_us;
    let end = t0 + i64::from(minutes) * 60_000_000;
    let mut all = Vec::new();
    for (car, &pace) in paces.iter().enumerate() {
        // Leave the pits some time in the first two minutes, cross the line to start timing.
        let mut t = t0 + rng.random_range(0..120_000_000);
        all.push(Crossing {
            at_us: t,
            car,
            line: Line::PitOut,
        });
        t += 20_000_000;
        all.push(Crossing {
            at_us: t,
            car,
            line: Line::StartFinish,
        });
        let mut stint = rng.random_range(3..8);
        while t < end {
            let mut dt = lap_time(spec, pace, t, None, rng);
            stint -= 1;
            if spec.pit_stops && stint == 0 {
                let pit_in = t + dt - 15_000_000;
                let stop = rng.random_range(60_000_000..240_000_000);
                all.push(Crossing {
                    at_us: pit_in,
                    car,
                    line: Line::PitIn,
                });
                all.push(Crossing {
                    at_us: pit_in + stop,
                    car,
                    line: Line::PitOut,
                });
                dt += stop + 5_000_000;
                stint = rng.random_range(3..8);
            }
            t += dt;
            all.push(Crossing {
                at_us: t,
                car,
                line: Line::StartFinish,
            });
        }
    }
    let flags = vec![
        FlagChange {
            at_us: t0,
            flag: SimFlag::Green,
        },
        FlagChange {
            at_us: end,
            flag: SimFlag::Finish,
        },
    ];
    (all, flags)
}

fn classify(
    spec: &RaceSpec,
    cars: usize,
    crossings: &[Crossing],
    flags: &[FlagChange],
) -> Vec<TruthRow> {
    let finish = flags
        .iter()
        .find(|f| f.flag == SimFlag::Finish)
        .map_or(i64::MAX, |f| f.at_us);
    let mut rows: Vec<(TruthRow, i64, i64)> = (0..cars)
        .map(|car| {
            let times: Vec<i64> = crossings
                .iter()
                .filter(|c| c.car == car && c.line == Line::StartFinish)
                .map(|c| c.at_us)
                .collect();
            let laps: Vec<(i64, i64)> = times.windows(2).map(|w| (w[1] - w[0], w[1])).collect();
            // Best lap; on a tie, the one set first.
            let best = laps.iter().copied().min_by_key(|&(lap, at)| (lap, at));
            let last = times.last().copied().unwrap_or(i64::MAX);
            let row = TruthRow {
                position: 0,
                car,
                laps: u32::try_from(laps.len()).unwrap_or(u32::MAX),
                total_us: times.last().map_or(0, |&t| t - spec.start_us),
                best_lap_us: best.map(|(lap, _)| lap),
                finished: last >= finish && last != i64::MAX,
            };
            (row, last, best.map_or(i64::MAX, |(_, at)| at))
        })
        .collect();
    match spec.kind {
        SimKind::Race { .. } => {
            rows.sort_by_key(|(r, last, _)| (std::cmp::Reverse(r.laps), *last, r.car))
        }
        SimKind::Practice { .. } => {
            rows.sort_by_key(|(r, _, set_at)| (r.best_lap_us.unwrap_or(i64::MAX), *set_at, r.car))
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, (mut row, _, _))| {
            row.position = u32::try_from(i + 1).unwrap_or(u32::MAX);
            row
        })
        .collect()
}
