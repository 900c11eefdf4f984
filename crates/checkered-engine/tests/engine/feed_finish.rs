//! Results feeds at the end of a race and when the scoring software changes its mind: the
//! chequered flag stated a heartbeat after the leader took it, laps taken back, and the
//! session kind forced by configuration.

use crate::helpers::{Rig, a, b, c, g, has, j};
use checkered_engine::{CarStatus, EventKind, FeedRecord, Flag, SessionKind, TrackConfig};

/// A heartbeat with the feed's race time.
fn beat(flag: Flag, race_ms: i64) -> FeedRecord {
    FeedRecord::Heartbeat {
        flag: Some(flag),
        laps_to_go: None,
        time_to_go_ms: None,
        race_time_ms: Some(race_ms),
        time_of_day_ms: None,
    }
}

/// Two cars in a green feed race; both crossed the start line.
fn green_pair() -> Rig {
    let mut rig = Rig::track();
    rig.feed(0, c(1, "GT"));
    rig.feed(0, a("1", "Team 1", 1));
    rig.feed(0, a("2", "Team 2", 1));
    rig.feed(0, b(25, "Club Race"));
    rig.feed(1_000, beat(Flag::Green, 1_000));
    rig.feed(2_000, j("1", 0, 2_000));
    rig.feed(2_500, j("2", 0, 2_500));
    rig
}

#[test]
fn the_leader_who_crossed_just_before_the_finish_heartbeat_took_the_flag() {
    // Arrange: the leader completes the distance between two heartbeats.
    let mut rig = green_pair();
    rig.feed(60_000, beat(Flag::Green, 60_000));
    rig.feed(62_300, j("1", 60_300, 62_300));
    // Act: the feed states the flag in its next heartbeat.
    let events = rig.feed(63_000, beat(Flag::Checkered, 63_000));
    rig.feed(64_000, j("2", 61_500, 64_000));
    // Assert
    assert!(
        has(&events, "car_finished"),
        "leader finished at its crossing"
    );
    assert_eq!(rig.car("1").status, CarStatus::Finished);
    assert_eq!(rig.car("2").status, CarStatus::Finished);
    let provisional = events.iter().find_map(|e| match &e.kind {
        EventKind::Classification { classification, .. } => Some(classification.clone()),
        _ => None,
    });
    let provisional = provisional.expect("a provisional classification at the flag");
    assert_eq!(provisional.results[0].status, CarStatus::Finished);
}

#[test]
fn a_crossing_before_the_previous_heartbeat_did_not_take_the_flag() {
    // Arrange: the leader crossed, then a green heartbeat came, then the flag.
    let mut rig = green_pair();
    rig.feed(62_300, j("1", 60_300, 62_300));
    rig.feed(63_000, beat(Flag::Green, 63_000));
    // Act
    rig.feed(64_000, beat(Flag::Checkered, 64_000));
    // Assert: only its next crossing finishes it.
    assert_eq!(rig.car("1").status, CarStatus::Running);
    rig.feed(122_600, j("1", 60_300, 122_600));
    assert_eq!(rig.car("1").status, CarStatus::Finished);
    assert_eq!(rig.car("1").laps, 2);
}

#[test]
fn fewer_laps_at_the_same_crossing_take_a_lap_back() {
    // Arrange: car 1 leads on laps, car 2 is just behind on the road.
    let mut rig = green_pair();
    rig.feed(62_000, j("1", 60_000, 62_000));
    rig.feed(62_500, j("2", 60_000, 62_500));
    rig.feed(122_000, j("1", 60_000, 122_000));
    assert_eq!(rig.order(), ["1", "2"]);
    // Act: the scoring software re-states car 1's last crossing as one lap fewer.
    let events = rig.feed(123_000, g(2, "1", Some(1), 122_000));
    // Assert
    assert_eq!(rig.car("1").laps, 1);
    assert_eq!(rig.order(), ["2", "1"]);
    assert!(
        events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::LapsAdjusted { delta: -1, .. }))
    );
}

#[test]
fn a_late_refresh_with_an_older_total_never_takes_laps_back() {
    // Arrange
    let mut rig = green_pair();
    rig.feed(62_000, j("1", 60_000, 62_000));
    rig.feed(122_000, j("1", 60_000, 122_000));
    // Act: a refresh from before the last crossing arrives late.
    rig.feed(122_100, g(1, "1", Some(1), 62_000));
    // Assert
    assert_eq!(rig.car("1").laps, 2);
    assert_eq!(rig.car("1").total_time_us, Some(122_000_000));
}

#[test]
fn a_forced_session_kind_beats_the_run_name_and_the_feed() {
    // Arrange
    let mut config = TrackConfig::new("forced");
    config.forced_session_kind = Some(SessionKind::Practice);
    let mut rig = Rig::new(config);
    rig.feed(0, a("1", "Team 1", 1));
    // Act: a run named like a race opens the session.
    rig.feed(0, b(7, "Saturday Feature Race"));
    rig.feed(1_000, beat(Flag::Green, 1_000));
    rig.feed(2_000, b(7, "Saturday Feature Race (renamed)"));
    // Assert
    let sessions = rig.engine.sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].kind, SessionKind::Practice);
    assert_eq!(sessions[0].name, "Saturday Feature Race (renamed)");
}

#[test]
fn negative_feed_laps_are_kept_as_a_debt_the_car_drives_off() {
    // Arrange
    let mut rig = green_pair();
    rig.feed(62_000, j("2", 59_500, 62_000));
    // Act: the feed penalises car 1 below zero laps, then car 1 drives two laps.
    rig.feed(63_000, g(2, "1", Some(-2), 2_000));
    assert_eq!(rig.car("1").laps, -2);
    rig.feed(64_000, j("1", 62_000, 64_000));
    rig.feed(65_000, g(2, "1", Some(-1), 64_000));
    rig.feed(126_000, j("1", 62_000, 126_000));
    rig.feed(127_000, g(2, "1", Some(0), 126_000));
    // Assert: the board shows the feed's count and the later refreshes change nothing.
    assert_eq!(rig.car("1").laps, 0);
    assert_eq!(rig.order(), ["2", "1"]);
}
