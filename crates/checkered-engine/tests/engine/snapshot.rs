//! Snapshots: restore continues exactly; bad snapshots are refused cleanly.

use crate::helpers::{Rig, a, at, b, f, g, j, json_lines};
use checkered_engine::{
    ControlIntent, DerivedEvent, Flag, Input, RestoreError, Snapshot, TrackConfig, TrackEngine,
};

fn scenario() -> Vec<Input> {
    let mut inputs = vec![
        Input::feed(at(0), a("1", "One", 1)),
        Input::feed(at(0), a("2", "Two", 1)),
        Input::feed(at(0), b(5, "Club Race")),
        Input::feed(at(1_000), f(Flag::Green)),
    ];
    for lap in 0..6 {
        let ms = 2_000 + lap * 60_000;
        inputs.push(Input::feed(
            at(ms),
            j("1", if lap == 0 { 0 } else { 60_000 }, ms),
        ));
        inputs.push(Input::feed(at(ms + 500), g(2, "2", Some(lap), ms + 500)));
    }
    inputs.push(Input::control(
        at(400_000),
        ControlIntent::TimePenalty {
            number: "1".into(),
            penalty_us: 1_000_000,
            session_id: None,
        },
    ));
    inputs.push(Input::feed(at(401_000), b(95, "Club Race")));
    inputs
}

fn run(engine: &mut TrackEngine, inputs: &[Input]) -> Vec<DerivedEvent> {
    let mut out = Vec::new();
    for input in inputs {
        engine.apply(input, &mut out);
    }
    out
}

#[test]
fn restore_through_json_continues_byte_identically_at_every_cut() {
    let inputs = scenario();
    let mut full = TrackEngine::new(TrackConfig::new("t"));
    let expected = run(&mut full, &inputs);
    for cut in 0..=inputs.len() {
        // Arrange
        let mut first = TrackEngine::new(TrackConfig::new("t"));
        let mut events = run(&mut first, &inputs[..cut]);
        let json = serde_json::to_string(&first.snapshot()).expect("snapshot serialises");
        // Act
        let snapshot: Snapshot = serde_json::from_str(&json).expect("snapshot parses");
        let mut resumed = TrackEngine::restore(snapshot).expect("restores");
        events.extend(run(&mut resumed, &inputs[cut..]));
        // Assert
        assert_eq!(json_lines(&events), json_lines(&expected), "cut at {cut}");
        let a = serde_json::to_vec(&resumed.snapshot()).expect("json");
        let b = serde_json::to_vec(&full.snapshot()).expect("json");
        assert_eq!(a, b, "state after cut at {cut}");
    }
}

#[test]
fn snapshot_reports_its_cursor() {
    let mut rig = Rig::track();
    rig.pass(0, "1");
    let snapshot = rig.engine.snapshot();
    assert_eq!(
        (
            snapshot.inputs_applied(),
            snapshot.seq(),
            snapshot.track_id()
        ),
        (1, rig.engine.seq(), "test-track")
    );
    assert!(snapshot.seq() > 0);
}

#[test]
fn a_snapshot_of_another_format_is_refused() {
    let json =
        serde_json::to_value(TrackEngine::new(TrackConfig::new("t")).snapshot()).expect("json");
    let mut bad = json.clone();
    bad["format"] = 99.into();
    let snapshot: Snapshot = serde_json::from_value(bad).expect("parses");
    assert_eq!(
        TrackEngine::restore(snapshot).err(),
        Some(RestoreError::Format {
            found: 99,
            expected: 1
        })
    );
}

#[test]
fn a_snapshot_with_broken_indexes_is_refused() {
    // Arrange: a session whose order points past its cars
    let mut rig = Rig::track();
    rig.pass(0, "1");
    let mut json = serde_json::to_value(rig.engine.snapshot()).expect("json");
    json["state"]["current"]["order"] = serde_json::json!([0, 7]);
    let snapshot: Snapshot = serde_json::from_value(json).expect("parses");
    // Act + Assert
    assert!(matches!(
        TrackEngine::restore(snapshot),
        Err(RestoreError::Inconsistent(_))
    ));
}
