//! Practice and qualifying: best-lap ranking, ties, bests, kind changes.

use crate::helpers::{Rig, has};
use checkered_engine::{ControlIntent, EventKind, SessionKind, TrackConfig};

fn practice_rig() -> Rig {
    let mut cfg = TrackConfig::new("kart");
    cfg.default_session_kind = SessionKind::Practice;
    Rig::new(cfg)
}

#[test]
fn practice_ranks_by_best_lap_and_the_first_to_set_a_tied_time_wins() {
    // Arrange
    let mut rig = practice_rig();
    // Act: A 70 s then 60 s (set at 130 s); B 65 s then 60 s (set at 125 s); C only out-lap
    for (ms, t) in [
        (0, "A"),
        (1_000, "B"),
        (2_000, "C"),
        (66_000, "B"),
        (70_000, "A"),
        (126_000, "B"),
        (130_000, "A"),
    ] {
        rig.pass(ms, t);
    }
    // Assert
    assert_eq!(rig.order(), ["B", "A", "C"]);
    let session = rig.board().session.expect("session");
    assert_eq!(session.kind, SessionKind::Practice);
    assert_eq!(
        session.fastest_lap.map(|f| (f.number, f.lap.time_us)),
        Some(("B".to_owned(), 60_000_000))
    );
}

#[test]
fn a_faster_lap_moves_the_car_up_and_emits_bests() {
    // Arrange
    let mut rig = practice_rig();
    for (ms, t) in [(0, "A"), (500, "B"), (60_000, "A"), (61_000, "B")] {
        rig.pass(ms, t);
    }
    assert_eq!(rig.order(), ["A", "B"]);
    // Act: B laps in 58 s
    let events = rig.pass(119_000, "B");
    // Assert
    assert_eq!(rig.order(), ["B", "A"]);
    assert!(has(&events, "personal_best") && has(&events, "overall_best"));
    let moved = events.iter().any(|e| matches!(&e.kind, EventKind::PositionChanged { number, from: 2, to: 1 } if &**number == "B"));
    assert!(moved);
    // A slower lap is no best
    assert!(!has(&rig.pass(190_000, "B"), "personal_best"));
}

#[test]
fn race_control_can_change_the_kind_mid_session_and_the_order_follows() {
    // Arrange: a race where A has more laps but B the best lap
    let mut rig = Rig::staged(&[("A", "A"), ("B", "B")], SessionKind::Race);
    for (ms, t) in [
        (0, "A"),
        (500, "B"),
        (60_000, "A"),
        (59_000, "B"),
        (120_000, "A"),
        (180_000, "A"),
    ] {
        rig.pass(ms, t);
    }
    assert_eq!(rig.order(), ["A", "B"]);
    // Act
    let events = rig.control(
        181_000,
        ControlIntent::SetSessionKind {
            kind: SessionKind::Qualifying,
        },
    );
    // Assert
    assert_eq!(rig.order(), ["B", "A"]);
    assert!(has(&events, "session_updated") && has(&events, "position_changed"));
}
