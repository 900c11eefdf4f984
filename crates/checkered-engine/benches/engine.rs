//! Engine throughput: a 40-car race of raw passings through `TrackEngine::apply`.
//!
//! The race is generated deterministically (a small LCG, no randomness crate): each car
//! laps around 60 s with its own pace and a few hundred ms of jitter, so the order changes
//! now and then as in a real race. Target: >= 2 million passings per second per core.

use checkered_engine::{
    ControlIntent, DerivedEvent, EntrySpec, Input, SessionKind, TrackConfig, TrackEngine,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const CARS: u32 = 40;
const LAPS: u32 = 100;
const T0: i64 = 1_700_000_000_000_000;

fn race() -> Vec<Input> {
    let mut inputs = vec![
        Input::control(
            T0,
            ControlIntent::SetEntries {
                entries: (1..=CARS)
                    .map(|n| EntrySpec {
                        number: n.to_string(),
                        name: format!("Driver {n}"),
                        class: Some(if n % 2 == 0 { "GT" } else { "Proto" }.to_owned()),
                        transponders: vec![(100_000 + n).to_string()],
                        grid: Some(n),
                    })
                    .collect(),
            },
        ),
        Input::control(
            T0,
            ControlIntent::Stage {
                name: Some("Bench".into()),
                kind: Some(SessionKind::Race),
                riders: vec![],
            },
        ),
        Input::control(
            T0,
            ControlIntent::Start {
                laps: None,
                duration_us: None,
            },
        ),
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as i64
    };
    let mut passings = Vec::new();
    for car in 1..=CARS {
        let pace = 60_000_000 + i64::from(car) * 150_000;
        let mut t = T0 + 1_000_000 + i64::from(car) * 200_000;
        for _ in 0..=LAPS {
            passings.push((t, car));
            t += pace + next() % 800_000;
        }
    }
    passings.sort();
    inputs.extend(
        passings
            .into_iter()
            .map(|(t, car)| Input::passing(t, (100_000 + car).to_string(), "sf")),
    );
    inputs
}

fn bench(c: &mut Criterion) {
    let inputs = race();
    let passings = inputs.len() as u64 - 3;
    // The bench must measure real scoring: every car ends with every lap counted.
    let mut check = TrackEngine::new(TrackConfig::new("bench"));
    let mut events = Vec::new();
    for input in &inputs {
        check.apply(input, &mut events);
    }
    let board = check.standings();
    assert_eq!(board.competitors.len(), CARS as usize);
    assert!(board.competitors.iter().all(|c| c.laps == i64::from(LAPS)));
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(passings));
    group.bench_function("race_40_cars_passings", |b| {
        let mut out: Vec<DerivedEvent> = Vec::with_capacity(64);
        b.iter(|| {
            let mut engine = TrackEngine::new(TrackConfig::new("bench"));
            for input in &inputs {
                engine.apply(input, &mut out);
                out.clear();
            }
            black_box(engine.seq())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
