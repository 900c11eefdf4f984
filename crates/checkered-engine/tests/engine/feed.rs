//! Results feeds: laps from `$J`/`$G`, resets, late refreshes, runs, corrections, pits.

use crate::helpers::{Rig, a, b, c, f, g, h, has, j};
use checkered_engine::{
    CarStatus, ClassificationState, EndReason, EventKind, FeedRecord, Flag, SessionKind,
};

/// Three cars in a green race on run 25.
fn green_race() -> Rig {
    let mut rig = Rig::track();
    rig.feed(0, c(1, "GT"));
    for reg in ["1", "2", "3"] {
        rig.feed(0, a(reg, &format!("Team {reg}"), 1));
    }
    rig.feed(0, b(25, "Saturday Race"));
    rig.feed(1_000, f(Flag::Green));
    rig
}

#[test]
fn a_zero_lap_time_is_the_start_crossing_and_each_later_j_a_lap() {
    // Arrange
    let mut rig = green_race();
    // Act
    rig.feed(3_000, j("1", 0, 2_051));
    rig.feed(3_000, j("2", 0, 2_207));
    rig.feed(63_000, j("2", 60_000, 62_207));
    // Assert
    assert_eq!(rig.order(), ["2", "1", "3"]);
    assert_eq!(rig.car("1").laps, 0);
    assert_eq!(
        rig.car("2").last_lap.map(|l| (l.lap, l.time_us)),
        Some((1, 60_000_000))
    );
}

#[test]
fn a_refresh_ahead_of_its_passing_counts_the_lap_once_and_learns_its_time() {
    // Arrange
    let mut rig = green_race();
    rig.feed(3_000, j("1", 0, 2_000));
    // Act: $G arrives before the $J of the same crossing
    rig.feed(63_000, g(1, "1", Some(1), 62_000));
    rig.feed(63_000, j("1", 60_000, 62_000));
    // Assert
    let car = rig.car("1");
    assert_eq!(car.laps, 1);
    assert_eq!(car.last_lap.map(|l| l.time_us), Some(60_000_000));
    assert_eq!(car.best_lap.map(|l| l.time_us), Some(60_000_000));
}

#[test]
fn a_reset_burst_and_empty_refresh_keep_laps_last_and_best_laps() {
    // Arrange
    let mut rig = green_race();
    rig.feed(3_000, j("1", 0, 2_000));
    rig.feed(63_000, j("1", 61_000, 63_000));
    rig.feed(123_000, j("1", 59_000, 122_000));
    let before = rig.car("1");
    // Act: $I x3 then a refresh that knows nothing yet
    for _ in 0..3 {
        assert!(has(&rig.feed(124_000, FeedRecord::Reset), "feed_reset"));
    }
    rig.feed(124_100, b(25, "Saturday Race"));
    rig.feed(124_100, a("1", "Team 1", 1));
    rig.feed(124_100, g(3, "1", None, 0));
    rig.feed(124_100, h(3, "1", 0, 0));
    // Assert
    let after = rig.car("1");
    assert_eq!(
        (after.laps, after.last_lap, after.best_lap),
        (2, before.last_lap, before.best_lap)
    );
    assert_eq!(after.total_time_us, Some(122_000_000));
    assert_eq!(
        rig.engine.sessions().len(),
        1,
        "a reset is not a new session"
    );
    assert_eq!(rig.engine.counters().feed_resets, 3);
}

#[test]
fn a_late_refresh_with_fewer_laps_never_moves_a_car_backwards() {
    // Arrange
    let mut rig = green_race();
    rig.feed(60_000, g(1, "1", Some(5), 300_000));
    rig.feed(60_000, g(2, "2", Some(4), 290_000));
    // Act: a stale refresh says car 1 has 3 laps
    let events = rig.feed(61_000, g(1, "1", Some(3), 180_000));
    // Assert
    assert!(events.is_empty());
    assert_eq!(rig.car("1").laps, 5);
    assert_eq!(rig.car("1").total_time_us, Some(300_000_000));
    assert_eq!(rig.order(), ["1", "2", "3"]);
}

#[test]
fn feed_positions_are_never_used_for_ranking() {
    // Arrange
    let mut rig = green_race();
    // Act: the feed claims car 3 leads although car 2 has more laps
    rig.feed(60_000, g(1, "3", Some(2), 130_000));
    rig.feed(60_000, g(2, "2", Some(3), 190_000));
    rig.feed(60_000, g(3, "1", Some(3), 185_000));
    // Assert
    assert_eq!(rig.order(), ["1", "2", "3"]);
}

#[test]
fn a_run_change_closes_the_session_with_a_final_classification() {
    // Arrange
    let mut rig = green_race();
    rig.feed(3_000, j("1", 0, 2_000));
    rig.feed(63_000, j("1", 60_000, 62_000));
    rig.feed(70_000, b(25, "Saturday Race"));
    assert_eq!(
        rig.engine.sessions().len(),
        1,
        "a repeated run number is no change"
    );
    // Act
    let events = rig.feed(80_000, b(26, "Sunday Qualifying"));
    // Assert
    let ended = events.iter().find_map(|e| match &e.kind {
        EventKind::SessionEnded { reason } => Some(*reason),
        _ => None,
    });
    assert_eq!(ended, Some(EndReason::RunChanged));
    let final_version = events.iter().find_map(|e| match &e.kind {
        EventKind::Classification {
            state,
            classification,
            ..
        } => Some((
            *state,
            classification.session.clone(),
            classification.results.len(),
        )),
        _ => None,
    });
    assert_eq!(
        final_version,
        Some((ClassificationState::Final, "Saturday Race".to_owned(), 3))
    );
    let sessions = rig.engine.sessions();
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        (sessions[1].name.as_str(), sessions[1].kind),
        ("Sunday Qualifying", SessionKind::Qualifying)
    );
    let old = rig.engine.classification(sessions[0].id).expect("kept");
    assert_eq!(old.results[0].number, "1");
    assert_eq!(old.results[1].status, CarStatus::Dns);
}

#[test]
fn run_95_closes_the_session_and_the_next_run_opens_a_new_one() {
    // Arrange
    let mut rig = green_race();
    rig.feed(3_000, j("1", 0, 2_000));
    // Act
    let ended = rig.feed(10_000, b(95, "Saturday Race"));
    let nothing = rig.feed(11_000, b(95, "Saturday Race"));
    // Assert
    assert!(has(&ended, "session_ended") && nothing.is_empty());
    assert!(rig.engine.current_session().is_none());
    assert!(has(
        &rig.feed(20_000, b(27, "Practice 2")),
        "session_started"
    ));
    assert_eq!(
        rig.board().session.map(|s| s.kind),
        Some(SessionKind::Practice)
    );
}

#[test]
fn run_names_choose_the_session_kind() {
    for (name, kind) in [
        ("GP1/GP2/GP3 Qualifying", SessionKind::Qualifying),
        ("Warm Up", SessionKind::Practice),
        ("Test Session 4", SessionKind::Practice),
        ("Test Race", SessionKind::Race),
        ("A Main Feature", SessionKind::Race),
        ("Saturday 8 Hour", SessionKind::Race),
    ] {
        assert_eq!(SessionKind::from_run_name(name), kind, "{name}");
    }
}

#[test]
fn qualifying_from_a_feed_ranks_by_best_lap_from_j_and_h() {
    // Arrange
    let mut rig = Rig::track();
    rig.feed(0, b(39, "GT Qualifying"));
    rig.feed(1_000, j("1", 0, 1_000));
    rig.feed(1_000, j("2", 0, 1_500));
    // Act: car 1 laps 90 s, car 2 laps 95 s then the feed's $H reports a 89.5 s best
    rig.feed(91_000, j("1", 90_000, 91_000));
    rig.feed(97_000, j("2", 95_000, 96_500));
    assert_eq!(rig.order(), ["1", "2"]);
    rig.feed(98_000, h(1, "2", 1, 89_500));
    // Assert
    assert_eq!(rig.order(), ["2", "1"]);
}

#[test]
fn a_correction_changes_the_total_and_the_order() {
    // Arrange
    let mut rig = green_race();
    rig.feed(60_000, g(1, "1", Some(1), 60_000));
    rig.feed(60_000, g(2, "2", Some(1), 60_400));
    // Act: photocell correction puts car 2 ahead
    let events = rig.feed(
        61_000,
        FeedRecord::Correction {
            reg_no: "2".into(),
            laps: Some(1),
            corrected_total_ms: Some(59_900),
            delta_ms: Some(-500),
        },
    );
    // Assert
    assert!(has(&events, "time_corrected"));
    assert_eq!(rig.order(), ["2", "1", "3"]);
}

#[test]
fn pit_line_crossings_drive_pit_state() {
    // Arrange
    let mut rig = green_race();
    let cross = |name: &str| FeedRecord::LineCrossing {
        car: "2".into(),
        timeline: "P3".into(),
        name: name.into(),
        time_ms: None,
    };
    // Act
    let pin = rig.feed(10_000, cross("PIP"));
    let during = rig.car("2");
    let pout = rig.feed(40_000, cross("POP"));
    // Assert
    assert!(has(&pin, "pit_in") && has(&pout, "pit_out"));
    assert_eq!((during.status, during.pit_stops), (CarStatus::InPit, 1));
    assert_eq!(
        (rig.car("2").status, rig.car("2").pit_stops),
        (CarStatus::Running, 1)
    );
}

#[test]
fn a_class_change_mid_race_moves_the_car_between_class_standings() {
    // Arrange
    let mut rig = green_race();
    rig.feed(0, c(2, "GTU"));
    rig.feed(60_000, g(1, "1", Some(1), 60_000));
    rig.feed(60_000, g(2, "2", Some(1), 61_000));
    assert_eq!(rig.car("2").class_position, 2);
    // Act
    rig.feed(61_000, a("2", "Team 2", 2));
    // Assert
    let two = rig.car("2");
    assert_eq!(
        (two.class.as_deref(), two.class_position, two.position),
        (Some("GTU"), 1, 2)
    );
    assert_eq!(rig.car("3").class_position, 2);
}

#[test]
fn the_chequered_flag_publishes_a_provisional_classification_and_finishes_cars() {
    // Arrange
    let mut rig = green_race();
    rig.feed(3_000, j("1", 0, 2_000));
    rig.feed(63_000, j("1", 60_000, 62_000));
    // Act
    let flag = rig.feed(100_000, f(Flag::Checkered));
    let finish = rig.feed(123_000, j("1", 60_000, 122_000));
    // Assert
    let provisional = flag.iter().any(|e| {
        matches!(
            e.kind,
            EventKind::Classification {
                state: ClassificationState::Provisional,
                version: 1,
                ..
            }
        )
    });
    assert!(provisional);
    assert!(has(&finish, "car_finished"));
    assert_eq!(rig.car("1").status, CarStatus::Finished);
}

#[test]
fn a_long_silence_closes_the_session_and_the_same_run_reopens() {
    // Arrange: 23 hours between two captures under the same run number
    let mut rig = green_race();
    rig.feed(60_000, g(1, "1", Some(225), 27_000_000));
    // Act
    let events = rig.feed(23 * 3_600_000, j("1", 100_000, 28_556_000));
    rig.feed(23 * 3_600_000, g(1, "1", Some(162), 28_556_000));
    // Assert
    let reason = events.iter().find_map(|e| match &e.kind {
        EventKind::SessionEnded { reason } => Some(*reason),
        _ => None,
    });
    assert_eq!(reason, Some(EndReason::IdleGap));
    assert_eq!(rig.car("1").laps, 162);
    let sessions = rig.engine.sessions();
    assert_eq!((sessions.len(), sessions[1].run), (2, Some(25)));
}

#[test]
fn a_feed_lap_shorter_than_the_minimum_is_a_double_read_the_feed_takes_back() {
    // Arrange: 28 laps of about 2 minutes (the Sebring capture's car 44)
    let mut rig = green_race();
    rig.feed(10_000, g(1, "1", Some(28), 6_592_215));
    rig.feed(10_000, j("1", 122_000, 6_592_215));
    // Act: a 3.054 s "lap", its refresh and best lap, then the feed takes it back
    rig.feed(11_000, j("1", 3_054, 6_595_269));
    rig.feed(11_000, g(1, "1", Some(29), 6_595_269));
    rig.feed(11_000, h(1, "1", 29, 3_054));
    rig.feed(20_000, g(2, "1", Some(28), 6_592_215));
    // Assert
    let car = rig.car("1");
    assert_eq!(
        (car.laps, car.best_lap.map(|b| b.time_us)),
        (28, Some(122_000_000))
    );
    assert_eq!(rig.engine.counters().duplicates, 2);
}
