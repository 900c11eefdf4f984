//! Race control: penalties, post-race amendments, status decisions, restarts.

use crate::helpers::{Rig, has};
use checkered_engine::{CarStatus, ClassificationState, ControlIntent, EventKind, SessionKind};

const CARS: &[(&str, &str)] = &[("1", "101"), ("2", "102"), ("3", "103")];

/// Three cars, two laps each, car 1 ahead of 2 by 1 s, car 3 one lap down.
fn two_laps() -> Rig {
    let mut rig = Rig::staged(CARS, SessionKind::Race);
    for (ms, t) in [(1_000, "101"), (2_000, "102"), (3_000, "103")] {
        rig.pass(ms, t);
    }
    for (ms, t) in [
        (61_000, "101"),
        (62_000, "102"),
        (70_000, "103"),
        (121_000, "101"),
        (122_000, "102"),
    ] {
        rig.pass(ms, t);
    }
    rig
}

#[test]
fn a_post_race_time_penalty_amends_the_final_classification() {
    // Arrange
    let mut rig = two_laps();
    rig.control(130_000, ControlIntent::EndSession);
    let id = rig.engine.sessions()[0].id;
    // Act
    let penalty = ControlIntent::TimePenalty {
        number: "1".into(),
        penalty_us: 5_000_000,
        session_id: Some(id),
    };
    let events = rig.control(3_600_000, penalty);
    // Assert
    let versions: Vec<(u32, ClassificationState)> = rig
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Classification { version, state, .. } => Some((*version, *state)),
            _ => None,
        })
        .collect();
    assert_eq!(
        versions,
        [
            (1, ClassificationState::Final),
            (2, ClassificationState::Amended)
        ]
    );
    assert!(has(&events, "penalty_applied"));
    let results = rig.engine.classification(id).expect("kept").results;
    assert_eq!(
        results
            .iter()
            .map(|r| r.number.as_str())
            .collect::<Vec<_>>(),
        ["2", "1", "3"]
    );
    assert_eq!(results[1].gap.as_deref(), Some("+4.000"));
    assert_eq!(results[1].total_time.as_deref(), Some("2:06.000"));
}

#[test]
fn lap_penalties_and_lap_adjustments_change_the_lap_count() {
    // Arrange
    let mut rig = two_laps();
    // Act
    rig.control(
        123_000,
        ControlIntent::LapPenalty {
            number: "1".into(),
            laps: 1,
            session_id: None,
        },
    );
    // Assert: car 1 now has one lap like car 3, which crossed earlier
    assert_eq!(rig.order(), ["2", "3", "1"]);
    assert_eq!(rig.car("1").laps, 1);
    // Act: race control restores a missed passing for car 3
    let events = rig.control(
        124_000,
        ControlIntent::AdjustLaps {
            number: "3".into(),
            delta: 1,
            session_id: None,
        },
    );
    // Assert
    assert!(has(&events, "laps_adjusted"));
    assert_eq!(rig.car("3").laps, 2);
}

#[test]
fn disqualification_and_retirement_set_statuses_and_dq_goes_last() {
    // Arrange
    let mut rig = two_laps();
    // Act
    rig.control(
        123_000,
        ControlIntent::Disqualify {
            number: "1".into(),
            session_id: None,
        },
    );
    rig.control(123_000, ControlIntent::Retire { number: "3".into() });
    // Assert
    assert_eq!(rig.order(), ["2", "3", "1"]);
    assert_eq!(
        (rig.car("1").status, rig.car("3").status),
        (CarStatus::Dq, CarStatus::Dnf)
    );
}

#[test]
fn force_finish_ends_the_race_for_every_running_car() {
    // Arrange
    let mut rig = two_laps();
    // Act
    let events = rig.control(125_000, ControlIntent::ForceFinish { number: None });
    // Assert
    let finished = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::CarFinished { .. }))
        .count();
    assert_eq!(finished, 3);
    assert!(has(&events, "flag_changed"));
    assert!(
        rig.board()
            .competitors
            .iter()
            .all(|c| c.status == CarStatus::Finished)
    );
}

#[test]
fn reset_clears_results_and_waits_for_a_new_start() {
    // Arrange
    let mut rig = two_laps();
    // Act
    let events = rig.control(125_000, ControlIntent::Reset);
    rig.pass(130_000, "101");
    // Assert
    assert!(has(&events, "session_reset"));
    assert!(
        rig.board()
            .competitors
            .iter()
            .all(|c| c.laps == 0 && c.best_lap.is_none())
    );
    assert_eq!(rig.order(), ["1", "2", "3"]);
    rig.control(
        200_000,
        ControlIntent::Start {
            laps: None,
            duration_us: None,
        },
    );
    rig.pass(201_000, "102");
    rig.pass(261_000, "102");
    assert_eq!(rig.order(), ["2", "1", "3"]);
}

#[test]
fn staging_a_new_session_closes_the_open_one() {
    // Arrange
    let mut rig = two_laps();
    // Act
    rig.control(
        200_000,
        ControlIntent::Stage {
            name: Some("Final".into()),
            kind: None,
            riders: vec![],
        },
    );
    // Assert
    let sessions = rig.engine.sessions();
    assert_eq!(
        sessions
            .iter()
            .map(|s| (s.name.as_str(), s.open))
            .collect::<Vec<_>>(),
        [("Heat 1", false), ("Final", true)]
    );
    assert_eq!(rig.order(), ["1", "2", "3"]);
}

#[test]
fn decisions_about_unknown_cars_are_counted_not_applied() {
    // Arrange
    let mut rig = two_laps();
    // Act
    let events = rig.control(
        125_000,
        ControlIntent::Disqualify {
            number: "99".into(),
            session_id: None,
        },
    );
    // Assert
    assert!(events.is_empty());
    assert_eq!(rig.engine.counters().unknown_cars, 1);
}
