//! Ground truth from the race simulator: its P3 stream, decoded and adapted, must give the
//! simulator's classification; missed passings must be flagged.

use checkered_engine::adapt::p3::record_input;
use checkered_engine::view::standings::CompetitorView;
use checkered_engine::{
    CarStatus, ControlIntent, DerivedEvent, EntrySpec, EventKind, Flag, Input, LoopRole,
    SessionKind, StagedRider, TimingLoop, TrackConfig, TrackEngine,
};
use checkered_protocol::p3::decode_all;
use checkered_sim::bmx::{MotoSpec, simulate_motos};
use checkered_sim::p3out::p3_stream;
use checkered_sim::{Entry, Faults, Line, RaceSpec, SimFlag, SimKind, Simulation, simulate};

fn config(kind: SessionKind) -> TrackConfig {
    let mut cfg = TrackConfig::new("sim");
    cfg.default_session_kind = kind;
    let role = |line| match line {
        Line::StartFinish => LoopRole::StartFinish,
        Line::PitIn => LoopRole::PitIn,
        Line::PitOut => LoopRole::PitOut,
        Line::Gate => LoopRole::Gate,
    };
    cfg.loops = Line::ALL
        .iter()
        .map(|&l| TimingLoop {
            id: l.id().into(),
            role: role(l),
            decoder_id: Some(l.decoder_id()),
        })
        .collect();
    cfg
}

fn entries(entries: &[Entry]) -> ControlIntent {
    let entries = entries
        .iter()
        .map(|e| EntrySpec {
            number: e.number.clone(),
            name: e.name.clone(),
            class: Some(e.class.clone()),
            transponders: vec![e.transponder.to_string()],
            grid: None,
        })
        .collect();
    ControlIntent::SetEntries { entries }
}

/// The simulator's P3 frames, decoded and adapted, merged with control inputs by time
/// (control first on a tie).
fn stream(
    cfg: &TrackConfig,
    readings: &[checkered_sim::Reading],
    control: Vec<Input>,
) -> Vec<Input> {
    let mut inputs: Vec<(i64, u8, Input)> = control.into_iter().map(|i| (i.at_us, 0, i)).collect();
    for frame in p3_stream(readings, &Line::ALL, 1) {
        for decoded in decode_all(&frame.wire) {
            let record = decoded.expect("simulator frames decode").frame.record;
            if let Some(input) = record_input(cfg, &record) {
                inputs.push((input.at_us, 1, input));
            }
        }
    }
    inputs.sort_by_key(|(at, order, _)| (*at, *order));
    inputs.into_iter().map(|(_, _, i)| i).collect()
}

fn run(cfg: TrackConfig, inputs: &[Input]) -> (TrackEngine, Vec<DerivedEvent>) {
    let mut engine = TrackEngine::new(cfg);
    let mut out = Vec::new();
    for input in inputs {
        engine.apply(input, &mut out);
    }
    (engine, out)
}

/// Runs a simulated race or practice through the engine and returns the final board.
fn score(sim: &Simulation) -> (Vec<CompetitorView>, Vec<DerivedEvent>) {
    let kind = match sim.spec.kind {
        SimKind::Race { .. } => SessionKind::Race,
        SimKind::Practice { .. } => SessionKind::Practice,
    };
    let t0 = sim.spec.start_us;
    let laps = match sim.spec.kind {
        SimKind::Race { laps } => Some(laps),
        SimKind::Practice { .. } => None,
    };
    let mut control = vec![
        Input::control(t0 - 60_000_000, entries(&sim.entries)),
        Input::control(
            t0 - 60_000_000,
            ControlIntent::Stage {
                name: Some("Sim".into()),
                kind: Some(kind),
                riders: vec![],
            },
        ),
        Input::control(
            t0,
            ControlIntent::Start {
                laps,
                duration_us: None,
            },
        ),
    ];
    for change in sim.flags.iter().skip(1) {
        let flag = match change.flag {
            SimFlag::Green => Flag::Green,
            SimFlag::Yellow => Flag::Yellow,
            // Races end on the engine's own lap count; practice on the clock.
            SimFlag::Finish if laps.is_some() => continue,
            SimFlag::Finish => Flag::Checkered,
        };
        control.push(Input::control(change.at_us, ControlIntent::Flag { flag }));
    }
    let last = sim.readings.last().map_or(t0, |r| r.at_us);
    control.push(Input::control(last + 60_000_000, ControlIntent::EndSession));
    let cfg = config(kind);
    let (engine, events) = run(cfg.clone(), &stream(&cfg, &sim.readings, control));
    let session = engine.sessions().last().map(|s| s.id).expect("a session");
    (
        engine
            .standings_for(session)
            .expect("standings")
            .competitors,
        events,
    )
}

fn assert_matches_truth(sim: &Simulation, board: &[CompetitorView]) {
    assert_eq!(board.len(), sim.classification.len());
    for (row, car) in sim.classification.iter().zip(board) {
        let entry = &sim.entries[row.car];
        let what = format!("seed {} position {}", sim.spec.seed, row.position);
        assert_eq!(car.number, entry.number, "{what}");
        assert_eq!(car.laps, i64::from(row.laps), "{what}");
        assert_eq!(car.total_time_us, Some(row.total_us), "{what}");
        assert_eq!(car.best_lap.map(|b| b.time_us), row.best_lap_us, "{what}");
        let status = if row.finished {
            CarStatus::Finished
        } else {
            CarStatus::Dnf
        };
        if matches!(sim.spec.kind, SimKind::Race { .. }) {
            assert_eq!(car.status, status, "{what}");
        }
    }
}

#[test]
fn club_races_with_noisy_decoders_match_the_simulated_truth() {
    let mut retirements = 0;
    for seed in 1..=25 {
        let sim = simulate(&RaceSpec::club_race(seed));
        assert!(sim.missed.is_empty());
        let (board, events) = score(&sim);
        assert_matches_truth(&sim, &board);
        assert!(
            !events
                .iter()
                .any(|e| matches!(e.kind, EventKind::ProbableMissedPassing { .. })),
            "seed {seed}"
        );
        retirements += board.iter().filter(|c| c.status == CarStatus::Dnf).count();
    }
    assert_eq!(retirements, 25, "one retirement per race");
}

#[test]
fn practice_sessions_match_the_simulated_truth() {
    for seed in 1..=10 {
        let spec = RaceSpec {
            kind: SimKind::Practice { minutes: 20 },
            ..RaceSpec::club_race(seed)
        };
        let sim = simulate(&spec);
        let (board, _) = score(&sim);
        assert_matches_truth(&sim, &board);
        assert!(
            board.iter().all(|c| c.status == CarStatus::Finished),
            "seed {seed}"
        );
    }
}

#[test]
fn every_detectable_missed_passing_is_flagged_and_nothing_else() {
    let mut total = 0;
    for seed in 1..=10 {
        // Arrange: no yellow or stops, so only a missed read makes a lap long
        let faults = Faults {
            missed_reads: 0.03,
            ..Faults::NOISY
        };
        let spec = RaceSpec {
            yellow: false,
            pit_stops: false,
            retirement: false,
            faults,
            ..RaceSpec::club_race(seed)
        };
        let sim = simulate(&spec);
        // Act
        let (_, events) = score(&sim);
        // Assert
        let mut flagged: Vec<String> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::ProbableMissedPassing { number, .. } => Some(number.to_string()),
                _ => None,
            })
            .collect();
        let mut expected: Vec<String> = detectable_misses(&sim);
        flagged.sort();
        expected.sort();
        assert_eq!(flagged, expected, "seed {seed}");
        total += flagged.len();
    }
    assert!(total >= 10, "the seeds exercise the rule ({total} flagged)");
}

/// Missed start/finish crossings with a completed lap read before them (a pace to compare
/// with) and a read crossing after them (the long lap is seen): one number per such lap.
fn detectable_misses(sim: &Simulation) -> Vec<String> {
    let mut numbers = Vec::new();
    for (car, entry) in sim.entries.iter().enumerate() {
        let read: Vec<i64> = sim
            .crossings
            .iter()
            .filter(|c| c.car == car && c.line == Line::StartFinish && !sim.missed.contains(c))
            .map(|c| c.at_us)
            .collect();
        let missed: Vec<i64> = sim
            .missed
            .iter()
            .filter(|c| c.car == car && c.line == Line::StartFinish)
            .map(|c| c.at_us)
            .collect();
        // Consecutive misses make one long lap: count each gap between reads once.
        for pair in read.windows(2).enumerate().filter(|(i, _)| *i >= 1) {
            let (from, to) = (pair.1[0], pair.1[1]);
            if missed.iter().any(|&m| m > from && m < to) {
                numbers.push(entry.number.clone());
            }
        }
    }
    numbers
}

#[test]
fn bmx_motos_match_the_simulated_finish_order() {
    let mut crashes = 0;
    for seed in 1..=5 {
        // Arrange: each moto staged with its lanes before its gate drop
        let sim = simulate_motos(&MotoSpec {
            seed,
            riders: 20,
            rounds: 3,
            start_us: 1_750_000_000_000_000,
            interval_s: 60,
        });
        let mut control = vec![Input::control(
            sim.motos[0].gate_drop_us - 30_000_000,
            entries(&sim.entries),
        )];
        for moto in &sim.motos {
            let riders = moto.lanes.iter().enumerate().map(|(lane, &r)| StagedRider {
                number: sim.entries[r].number.clone(),
                gate: u8::try_from(lane + 1).ok(),
            });
            let stage = ControlIntent::Stage {
                name: None,
                kind: None,
                riders: riders.collect(),
            };
            control.push(Input::control(moto.gate_drop_us - 5_000_000, stage));
        }
        let end = sim.readings.last().map_or(0, |r| r.at_us) + 60_000_000;
        control.push(Input::control(end, ControlIntent::EndSession));
        let mut cfg = config(SessionKind::Moto);
        cfg.min_lap_time_us = 20_000_000;
        // Act
        let (engine, _) = run(cfg.clone(), &stream(&cfg, &sim.readings, control));
        // Assert
        let sessions = engine.sessions();
        assert_eq!(sessions.len(), sim.motos.len(), "seed {seed}");
        for (moto, session) in sim.motos.iter().zip(&sessions) {
            assert_eq!(session.name, format!("Moto {}", moto.number));
            let board = engine.standings_for(session.id).expect("board").competitors;
            let got: Vec<(String, Option<i64>, CarStatus)> = board
                .iter()
                .map(|c| (c.number.clone(), c.total_time_us, c.status))
                .collect();
            let mut want: Vec<(String, Option<i64>, CarStatus)> = moto
                .finish_order
                .iter()
                .map(|&(r, at)| {
                    (
                        sim.entries[r].number.clone(),
                        Some(at - moto.gate_drop_us),
                        CarStatus::Finished,
                    )
                })
                .collect();
            // Non-finishers follow in gate order.
            want.extend(
                moto.lanes
                    .iter()
                    .filter(|r| moto.dnf.contains(r))
                    .map(|&r| (sim.entries[r].number.clone(), None, CarStatus::Dnf)),
            );
            assert_eq!(got, want, "seed {seed} moto {}", moto.number);
            crashes += moto.dnf.len();
        }
    }
    assert!(crashes > 0, "the seeds include riders who do not finish");
}
