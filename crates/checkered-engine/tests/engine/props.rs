//! Property tests over random streams: determinism, snapshot-resume, monotonic laps, and
//! no panic on arbitrary input.

use crate::helpers::{T0, json_lines};
use checkered_engine::{
    ControlIntent, DerivedEvent, EntrySpec, FeedRecord, Flag, Input, LoopRole, SessionKind,
    Snapshot, TimingLoop, TrackConfig, TrackEngine,
};
use proptest::prelude::*;

fn time() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => (0i64..4_000_000_000).prop_map(|d| T0 + d),
        1 => any::<i64>(),
        1 => Just(0i64),
    ]
}

fn ms() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![4 => (0i64..30_000_000).prop_map(Some), 1 => Just(None), 1 => any::<i64>().prop_map(Some)]
}

fn reg() -> impl Strategy<Value = String> {
    prop_oneof![8 => (1u8..7).prop_map(|n| n.to_string()), 1 => ".{0,6}"]
}

fn flag() -> impl Strategy<Value = Flag> {
    prop_oneof![
        Just(Flag::None),
        Just(Flag::Green),
        Just(Flag::Yellow),
        Just(Flag::FullCourseYellow),
        Just(Flag::Red),
        Just(Flag::White),
        Just(Flag::Checkered)
    ]
}

fn kind() -> impl Strategy<Value = SessionKind> {
    prop_oneof![
        Just(SessionKind::Practice),
        Just(SessionKind::Qualifying),
        Just(SessionKind::Race),
        Just(SessionKind::Moto)
    ]
}

fn passing() -> impl Strategy<Value = Input> {
    let transponder = prop_oneof![8 => (1u8..7).prop_map(|n| n.to_string()), 1 => Just("9992".to_owned()), 1 => ".{0,5}"];
    let line = prop_oneof![4 => Just("sf"), 1 => Just("s1"), 1 => Just("trap"), 1 => Just("pin"), 1 => Just("pout"), 1 => Just("nowhere")];
    (time(), transponder, line).prop_map(|(at, t, l)| Input::passing(at, t, l))
}

fn feed() -> impl Strategy<Value = FeedRecord> {
    prop_oneof![
        (reg(), proptest::option::of(1u32..4)).prop_map(|(r, class_id)| FeedRecord::Entry {
            reg_no: r.clone(),
            number: r,
            transponder: None,
            first_name: "F".into(),
            last_name: String::new(),
            team: String::new(),
            class_id,
            grid: None
        }),
        (1u32..4, ".{0,4}").prop_map(|(id, name)| FeedRecord::Class { id, name }),
        (
            prop_oneof![Just(1u32), Just(2), Just(95)],
            prop_oneof![Just("Race"), Just("Qualifying"), Just("Practice")]
        )
            .prop_map(|(number, n)| FeedRecord::Run {
                number,
                name: n.into(),
                kind: None
            }),
        (proptest::option::of(flag()), ms()).prop_map(|(flag, race_time_ms)| {
            FeedRecord::Heartbeat {
                flag,
                laps_to_go: None,
                time_to_go_ms: None,
                race_time_ms,
                time_of_day_ms: None,
            }
        }),
        (
            reg(),
            proptest::option::of(prop_oneof![-3i64..40, any::<i64>()]),
            ms()
        )
            .prop_map(|(reg_no, laps, total_time_ms)| FeedRecord::RacePosition {
                reg_no,
                position: Some(1),
                laps,
                total_time_ms
            }),
        (reg(), proptest::option::of(0u32..40), ms()).prop_map(
            |(reg_no, best_lap_no, best_lap_ms)| FeedRecord::PracticePosition {
                reg_no,
                position: None,
                best_lap_no,
                best_lap_ms
            }
        ),
        (reg(), ms(), ms()).prop_map(|(reg_no, lap_time_ms, total_time_ms)| FeedRecord::Passing {
            reg_no,
            lap_time_ms,
            total_time_ms
        }),
        (reg(), proptest::option::of(-3i64..40), ms()).prop_map(
            |(reg_no, laps, corrected_total_ms)| FeedRecord::Correction {
                reg_no,
                laps,
                corrected_total_ms,
                delta_ms: None
            }
        ),
        (
            reg(),
            prop_oneof![Just("PIP"), Just("POP"), Just("SFT"), Just("SFP")]
        )
            .prop_map(|(car, n)| FeedRecord::LineCrossing {
                car,
                timeline: "P1".into(),
                name: n.into(),
                time_ms: None
            }),
        Just(FeedRecord::Reset),
    ]
}

fn control() -> impl Strategy<Value = ControlIntent> {
    let number = || (1u8..8).prop_map(|n| n.to_string());
    let session = || proptest::option::of(0u32..4);
    prop_oneof![
        proptest::collection::vec((number(), proptest::option::of(0u32..9)), 0..4).prop_map(|v| {
            ControlIntent::SetEntries {
                entries: v
                    .into_iter()
                    .map(|(n, grid)| EntrySpec {
                        number: n.clone(),
                        name: n.clone(),
                        class: Some("A".into()),
                        transponders: vec![n],
                        grid,
                    })
                    .collect(),
            }
        }),
        (
            proptest::option::of(kind()),
            proptest::collection::vec(number(), 0..3)
        )
            .prop_map(|(kind, r)| ControlIntent::Stage {
                name: None,
                kind,
                riders: r
                    .into_iter()
                    .map(|number| checkered_engine::StagedRider {
                        number,
                        gate: Some(1)
                    })
                    .collect()
            }),
        (
            proptest::option::of(0u32..5),
            proptest::option::of(any::<i64>())
        )
            .prop_map(|(laps, duration_us)| ControlIntent::Start { laps, duration_us }),
        flag().prop_map(|flag| ControlIntent::Flag { flag }),
        (number(), any::<i64>(), session()).prop_map(|(number, penalty_us, session_id)| {
            ControlIntent::TimePenalty {
                number,
                penalty_us,
                session_id,
            }
        }),
        (number(), any::<u32>(), session()).prop_map(|(number, laps, session_id)| {
            ControlIntent::LapPenalty {
                number,
                laps,
                session_id,
            }
        }),
        number().prop_map(|number| ControlIntent::DriveThrough { number }),
        (number(), session())
            .prop_map(|(number, session_id)| ControlIntent::Disqualify { number, session_id }),
        number().prop_map(|number| ControlIntent::Retire { number }),
        (number(), any::<i32>(), session()).prop_map(|(number, delta, session_id)| {
            ControlIntent::AdjustLaps {
                number,
                delta,
                session_id,
            }
        }),
        proptest::option::of(number()).prop_map(|number| ControlIntent::ForceFinish { number }),
        Just(ControlIntent::Reset),
        Just(ControlIntent::EndSession),
        kind().prop_map(|kind| ControlIntent::SetSessionKind { kind }),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        5 => passing(),
        4 => (time(), feed()).prop_map(|(at, r)| Input::feed(at, r)),
        2 => (time(), control()).prop_map(|(at, c)| Input::control(at, c)),
    ]
}

fn config() -> impl Strategy<Value = TrackConfig> {
    (kind(), any::<bool>(), 0i64..20_000_000).prop_map(|(kind, multi, min_lap)| {
        let mut cfg = TrackConfig::new("prop");
        cfg.default_session_kind = kind;
        cfg.min_lap_time_us = min_lap;
        if multi {
            let l = |id: &str, role| TimingLoop {
                id: id.into(),
                role,
                decoder_id: None,
            };
            cfg.loops = vec![
                l("sf", LoopRole::StartFinish),
                l("s1", LoopRole::Sector { index: 1 }),
                l(
                    "trap",
                    LoopRole::SpeedTrap {
                        from: "s1".into(),
                        distance_mm: u32::MAX,
                    },
                ),
                l("pin", LoopRole::PitIn),
                l("pout", LoopRole::PitOut),
            ];
        }
        cfg
    })
}

fn run(engine: &mut TrackEngine, inputs: &[Input]) -> Vec<DerivedEvent> {
    let mut out = Vec::new();
    for input in inputs {
        engine.apply(input, &mut out);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn same_inputs_give_byte_identical_events_and_views(cfg in config(), inputs in proptest::collection::vec(input(), 0..120)) {
        let mut one = TrackEngine::new(cfg.clone());
        let mut two = TrackEngine::new(cfg);
        prop_assert_eq!(json_lines(&run(&mut one, &inputs)), json_lines(&run(&mut two, &inputs)));
        let views = |e: &TrackEngine| serde_json::to_vec(&(e.standings(), e.sessions())).expect("json");
        prop_assert_eq!(views(&one), views(&two));
    }

    #[test]
    fn restoring_a_snapshot_at_any_cut_continues_like_the_full_replay(
        cfg in config(),
        inputs in proptest::collection::vec(input(), 1..120),
        cut in any::<prop::sample::Index>(),
    ) {
        let cut = cut.index(inputs.len() + 1);
        let mut full = TrackEngine::new(cfg.clone());
        let expected = run(&mut full, &inputs);
        let mut first = TrackEngine::new(cfg);
        let mut events = run(&mut first, &inputs[..cut]);
        let json = serde_json::to_string(&first.snapshot()).expect("json");
        let snapshot: Snapshot = serde_json::from_str(&json).expect("parses");
        let mut resumed = TrackEngine::restore(snapshot).expect("restores");
        events.extend(run(&mut resumed, &inputs[cut..]));
        prop_assert_eq!(json_lines(&events), json_lines(&expected));
    }

    /// Late refreshes never lower a car's laps. Only two refreshes may: one restating the
    /// car's latest crossing (same total time) with fewer laps — the scoring software
    /// taking a lap back — and one stating negative laps (penalties beyond the laps driven).
    #[test]
    fn race_refreshes_in_any_order_never_lower_a_cars_laps(
        refreshes in proptest::collection::vec((1u8..5, proptest::option::of(-2i64..30), 0i64..3_000_000), 1..80),
    ) {
        let mut engine = TrackEngine::new(TrackConfig::new("laps"));
        let mut out = Vec::new();
        let mut seen = std::collections::BTreeMap::new();
        for (i, (car, laps, total_ms)) in refreshes.into_iter().enumerate() {
            let number = car.to_string();
            let current_total = engine.standings().competitors.iter().find(|c| c.number == number).and_then(|c| c.total_time_us);
            let may_lower = laps.is_some_and(|l| l < 0) || current_total == Some(total_ms * 1000);
            let record = FeedRecord::RacePosition { reg_no: number.clone(), position: None, laps, total_time_ms: Some(total_ms) };
            engine.apply(&Input::feed(T0 + i as i64, record), &mut out);
            for c in engine.standings().competitors {
                let before = seen.insert(c.number.clone(), c.laps).unwrap_or(0);
                let exempt = may_lower && c.number == number;
                prop_assert!(exempt || c.laps >= before, "car {} went from {} to {} laps", c.number, before, c.laps);
            }
        }
    }

    #[test]
    fn arbitrary_inputs_never_panic_and_views_always_build(cfg in config(), inputs in proptest::collection::vec(input(), 0..200)) {
        let mut engine = TrackEngine::new(cfg);
        let events = run(&mut engine, &inputs);
        let _ = serde_json::to_vec(&events).expect("events serialise");
        let _ = serde_json::to_vec(&engine.standings()).expect("standings serialise");
        for s in engine.sessions() {
            prop_assert!(engine.classification(s.id).is_some());
        }
        let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
        prop_assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "sequence numbers are gapless");
    }
}
