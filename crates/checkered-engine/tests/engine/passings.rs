//! Raw passings: laps, ranking, duplicates, missed passings, loops, limits, finish.

use crate::helpers::{Rig, at, has, types};
use checkered_engine::{
    CarStatus, ControlIntent, EventKind, Flag, Input, LoopRole, SessionKind, TimingLoop,
    TrackConfig,
};

const CARS: &[(&str, &str)] = &[("1", "101"), ("2", "102"), ("3", "103")];

#[test]
fn race_ranks_by_laps_then_crossing_time_and_keeps_grid_before_crossing() {
    // Arrange
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    // Assert: nobody crossed, entry order is the grid
    assert_eq!(rig.order(), ["1", "2", "3"]);
    // Act: start crossings, then car 2 completes lap 1 first
    rig.pass(2_000, "101");
    rig.pass(2_500, "102");
    assert_eq!(rig.order(), ["1", "2", "3"]);
    rig.pass(3_000, "103");
    rig.pass(62_000, "102");
    rig.pass(63_000, "101");
    rig.pass(64_000, "103");
    // Assert
    assert_eq!(rig.order(), ["2", "1", "3"]);
    rig.pass(120_000, "101");
    assert_eq!(rig.order(), ["1", "2", "3"]);
    let two = rig.car("2");
    assert_eq!(
        (two.laps, two.last_lap.map(|l| l.time_us)),
        (1, Some(59_500_000))
    );
    assert_eq!(rig.car("1").laps, 2);
}

#[test]
fn a_car_that_crossed_the_start_line_ranks_ahead_of_one_that_did_not() {
    // Arrange
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    // Act: car 3 crosses the start line, cars 1 and 2 are still on the grid
    rig.pass(2_000, "103");
    // Assert
    assert_eq!(rig.order(), ["3", "1", "2"]);
}

#[test]
fn duplicate_reads_within_min_lap_time_are_collapsed_without_events() {
    // Arrange
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    rig.pass(2_000, "101");
    rig.pass(62_000, "101");
    // Act: re-reads 0.2 s and 9.9 s after the crossing
    let first = rig.pass(62_200, "101");
    let second = rig.pass(71_900, "101");
    // Assert
    assert!(first.is_empty() && second.is_empty());
    assert_eq!(rig.engine.counters().duplicates, 2);
    assert_eq!(rig.car("1").laps, 1);
    // A read after the minimum lap time is a lap again
    assert!(has(&rig.pass(122_000, "101"), "lap_completed"));
}

#[test]
fn a_passing_older_than_the_last_crossing_is_ignored() {
    // Arrange
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    rig.pass(2_000, "101");
    rig.pass(62_000, "101");
    // Act
    let events = rig.pass(30_000, "101");
    // Assert
    assert!(events.is_empty());
    assert_eq!(rig.engine.counters().out_of_order, 1);
    assert_eq!(rig.car("1").laps, 1);
}

#[test]
fn a_lap_far_above_the_median_is_flagged_unless_the_car_pitted() {
    // Arrange: laps of 60 s
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    for lap in 0..4 {
        rig.pass(2_000 + lap * 60_000, "101");
    }
    // Act: a 121 s lap (one crossing missed)
    let events = rig.pass(2_000 + 3 * 60_000 + 121_000, "101");
    // Assert
    let flagged = events.iter().find_map(|e| match &e.kind {
        EventKind::ProbableMissedPassing {
            number,
            lap,
            reference_us,
        } => Some((number.to_string(), lap.lap, *reference_us)),
        _ => None,
    });
    assert_eq!(flagged, Some(("1".to_owned(), 4, 60_000_000)));
    assert_eq!(rig.board().session.map(|s| s.missed_passings), Some(1));
    // A 100 s lap (1.67 x) is slow but plausible
    assert!(!has(
        &rig.pass(2_000 + 3 * 60_000 + 221_000, "101"),
        "probable_missed_passing"
    ));
}

#[test]
fn a_lapped_car_shows_its_gap_in_laps_and_time() {
    // Arrange
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    rig.pass(1_000, "101");
    rig.pass(2_000, "102");
    // Act: car 1 laps in 50 s, car 2 in 80 s
    for lap in 1..=3 {
        rig.pass(1_000 + lap * 50_000, "101");
    }
    rig.pass(82_000, "102");
    // Assert
    let two = rig.car("2");
    let gap = two.gap.expect("gap");
    assert_eq!(gap.laps, 2);
    assert_eq!(
        gap.time_us,
        Some(31_000_000),
        "82 s total against the leader's 51 s at lap 1"
    );
    assert_eq!(two.interval, two.gap);
}

#[test]
fn same_lap_gap_and_interval_are_time_differences_at_the_line() {
    // Arrange
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    for (t, ms) in [("101", 1_000), ("102", 1_500), ("103", 2_000)] {
        rig.pass(ms, t);
    }
    // Act
    rig.pass(61_000, "101");
    rig.pass(62_250, "102");
    rig.pass(64_000, "103");
    // Assert
    let three = rig.car("3");
    assert_eq!(three.gap.and_then(|g| g.time_us), Some(3_000_000));
    assert_eq!(three.interval.and_then(|g| g.time_us), Some(1_750_000));
    assert_eq!(three.class_position, 3);
}

fn multi_loop_config() -> TrackConfig {
    let l = |id: &str, role| TimingLoop {
        id: id.into(),
        role,
        decoder_id: None,
    };
    let mut cfg = TrackConfig::new("multi");
    cfg.loops = vec![
        l("sf", LoopRole::StartFinish),
        l("s1", LoopRole::Sector { index: 1 }),
        l("trap-a", LoopRole::Sector { index: 2 }),
        l(
            "trap-b",
            LoopRole::SpeedTrap {
                from: "trap-a".into(),
                distance_mm: 50_000,
            },
        ),
        l("pin", LoopRole::PitIn),
        l("pout", LoopRole::PitOut),
    ];
    cfg
}

#[test]
fn sectors_and_speed_trap_come_from_the_extra_loops() {
    // Arrange
    let mut rig = Rig::new(multi_loop_config());
    rig.pass_on(0, "7", "sf");
    // Act
    rig.pass_on(20_000, "7", "s1");
    rig.pass_on(45_000, "7", "trap-a");
    let trap = rig.pass_on(46_000, "7", "trap-b");
    rig.pass_on(60_000, "7", "sf");
    // Assert: 50 m in 1 s = 180 km/h
    assert!(has(&trap, "speed_trap"));
    let car = rig.car("7");
    assert_eq!(car.speed_trap.map(|s| s.speed_mkmh), Some(180_000));
    let sectors: Vec<(u8, i64)> = car
        .last_sectors
        .iter()
        .map(|s| (s.sector, s.time_us))
        .collect();
    assert_eq!(sectors, [(1, 20_000_000), (2, 25_000_000), (3, 15_000_000)]);
    assert!(car.sectors.is_empty());
}

#[test]
fn pit_loops_count_stops_serve_drive_throughs_and_excuse_long_laps() {
    // Arrange
    let mut rig = Rig::new(multi_loop_config());
    rig.entries(&[("7", "7")]);
    for lap in 0..3 {
        rig.pass_on(lap * 60_000, "7", "sf");
    }
    rig.control(121_000, ControlIntent::DriveThrough { number: "7".into() });
    // Act
    let pin = rig.pass_on(150_000, "7", "pin");
    let in_pit = rig.car("7");
    let pout = rig.pass_on(190_000, "7", "pout");
    let lap = rig.pass_on(260_000, "7", "sf");
    // Assert
    assert!(has(&pin, "pit_in") && has(&pout, "pit_out"));
    assert_eq!(
        (in_pit.status, in_pit.in_pit, in_pit.pit_stops),
        (CarStatus::InPit, true, 1)
    );
    let car = rig.car("7");
    assert_eq!((car.status, car.pit_stops), (CarStatus::Running, 1));
    let served = serde_json::to_value(&car.penalties).expect("json");
    assert_eq!(
        served,
        serde_json::json!([{"kind": "drive_through", "served": true}])
    );
    assert!(
        !has(&lap, "probable_missed_passing"),
        "a 140 s lap with a stop is expected"
    );
    let duration = pout.iter().find_map(|e| match e.kind {
        EventKind::PitOut { duration_us, .. } => duration_us,
        _ => None,
    });
    assert_eq!(duration, Some(40_000_000));
}

#[test]
fn race_distance_shows_the_flag_and_each_car_finishes_at_its_next_crossing() {
    // Arrange: a 2-lap race
    let mut rig = Rig::track();
    rig.entries(CARS);
    rig.control(
        0,
        ControlIntent::Stage {
            name: None,
            kind: Some(SessionKind::Race),
            riders: vec![],
        },
    );
    rig.control(
        0,
        ControlIntent::Start {
            laps: Some(2),
            duration_us: None,
        },
    );
    for (t, ms) in [("101", 1_000), ("102", 2_000)] {
        rig.pass(ms, t);
    }
    rig.pass(61_000, "101");
    rig.pass(62_000, "102");
    // Act
    let leader = rig.pass(121_000, "101");
    let second = rig.pass(125_000, "102");
    let cool_down = rig.pass(181_000, "101");
    // Assert
    let kinds = types(&leader);
    let index = |k: &str| {
        kinds
            .iter()
            .position(|t| t == k)
            .unwrap_or_else(|| panic!("no {k} in {kinds:?}"))
    };
    assert!(index("lap_completed") < index("flag_changed"));
    assert!(index("flag_changed") < index("classification"));
    assert!(index("classification") < index("car_finished"), "{kinds:?}");
    assert!(has(&second, "car_finished"));
    assert!(cool_down.is_empty(), "laps after the flag do not count");
    assert_eq!(rig.car("1").status, CarStatus::Finished);
    assert_eq!(rig.car("1").laps, 2);
    // Closing: the car that never crossed did not start
    rig.control(200_000, ControlIntent::EndSession);
    assert_eq!(rig.car("3").status, CarStatus::Dns);
}

#[test]
fn staged_race_ignores_crossings_until_the_start() {
    // Arrange
    let mut rig = Rig::track();
    rig.entries(CARS);
    rig.control(
        0,
        ControlIntent::Stage {
            name: None,
            kind: None,
            riders: vec![],
        },
    );
    // Act: formation lap crossing
    rig.pass(1_000, "101");
    rig.control(
        30_000,
        ControlIntent::Start {
            laps: None,
            duration_us: None,
        },
    );
    rig.pass(31_000, "101");
    rig.pass(91_000, "101");
    // Assert
    assert_eq!(rig.car("1").laps, 1);
    assert_eq!(rig.engine.counters().ignored_crossings, 1);
    assert_eq!(rig.car("1").total_time_us, Some(61_000_000));
}

#[test]
fn times_past_24_hours_keep_ranking_and_formatting() {
    // Arrange: a 25-hour race with 1-hour laps
    let mut rig = Rig::staged(&CARS[..2], SessionKind::Race);
    let mut cfg_ms = 0;
    rig.pass(1_000, "101");
    rig.pass(2_000, "102");
    for lap in 1..=25 {
        cfg_ms = lap * 3_600_000;
        rig.pass(cfg_ms + 1_000, "101");
        rig.pass(cfg_ms + 2_500, "102");
    }
    // Act
    rig.control(cfg_ms + 10_000, ControlIntent::EndSession);
    let id = rig.engine.sessions()[0].id;
    let results = rig
        .engine
        .classification(id)
        .expect("classification")
        .results;
    // Assert
    assert_eq!(results[0].number, "1");
    assert_eq!(results[0].total_time.as_deref(), Some("25:00:01.000"));
    assert_eq!(results[1].gap.as_deref(), Some("+1.500"));
}

#[test]
fn unknown_transponders_appear_under_their_own_number() {
    // Arrange
    let mut rig = Rig::track();
    // Act
    let events = rig.pass(0, "555");
    // Assert
    assert!(has(&events, "entry_updated") && has(&events, "session_started"));
    let entry = rig.engine.entries().get(0).cloned().expect("entry");
    assert!(!entry.registered);
    assert_eq!(rig.order(), ["555"]);
}

#[test]
fn flag_history_records_durations_and_laps_under_each_flag() {
    // Arrange
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    rig.pass(1_000, "101");
    rig.pass(61_000, "101");
    // Act
    rig.control(70_000, ControlIntent::Flag { flag: Flag::Yellow });
    rig.pass(141_000, "101");
    rig.pass(221_000, "101");
    rig.control(230_000, ControlIntent::Flag { flag: Flag::Green });
    rig.apply(Input::passing(at(281_000), "101", "sf"));
    // Assert
    let session = rig.board().session.expect("session");
    let flags: Vec<(Flag, i64, u32)> = session
        .flags
        .iter()
        .map(|f| (f.flag, f.duration_us, f.laps))
        .collect();
    assert_eq!(
        flags,
        [
            (Flag::Green, 70_000_000, 1),
            (Flag::Yellow, 160_000_000, 2),
            (Flag::Green, 51_000_000, 1)
        ]
    );
}

#[test]
fn lead_changes_and_positions_gained_follow_overtakes() {
    // Arrange
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    rig.pass(1_000, "101");
    rig.pass(1_500, "102");
    rig.pass(2_000, "103");
    // Act: 3 takes the lead on lap 1, 2 on lap 2
    rig.pass(60_000, "103");
    rig.pass(61_000, "101");
    rig.pass(61_500, "102");
    rig.pass(119_000, "102");
    rig.pass(120_000, "103");
    // Assert
    assert_eq!(rig.order(), ["2", "3", "1"]);
    let session = rig.board().session.expect("session");
    assert_eq!(
        (session.leader.as_deref(), session.lead_changes),
        (Some("2"), 1)
    );
    assert_eq!(rig.car("2").positions_gained, 1);
    assert_eq!(rig.car("3").positions_gained, 1);
    assert_eq!(rig.car("1").positions_gained, -2);
}
