//! BMX motos: gate drops, finish order, DNS/DNF, re-runs and the next moto.

use crate::helpers::{Rig, has};
use checkered_engine::{
    CarStatus, ControlIntent, EventKind, LoopRole, SessionKind, StagedRider, TimingLoop,
    TrackConfig,
};

fn bmx() -> Rig {
    let l = |id: &str, role| TimingLoop {
        id: id.into(),
        role,
        decoder_id: None,
    };
    let mut cfg = TrackConfig::new("bmx");
    cfg.default_session_kind = SessionKind::Moto;
    cfg.min_lap_time_us = 20_000_000;
    cfg.loops = vec![
        l("gate", LoopRole::Gate),
        l("split", LoopRole::Sector { index: 1 }),
        l("finish", LoopRole::StartFinish),
    ];
    let mut rig = Rig::new(cfg);
    rig.entries(&[("10", "1010"), ("20", "1020"), ("30", "1030")]);
    rig
}

fn stage(rig: &mut Rig, ms: i64) {
    let riders = [("10", 3), ("20", 1), ("30", 2)]
        .map(|(n, g)| StagedRider {
            number: n.into(),
            gate: Some(g),
        })
        .to_vec();
    rig.control(
        ms,
        ControlIntent::Stage {
            name: None,
            kind: None,
            riders,
        },
    );
}

#[test]
fn the_gate_beacon_starts_the_moto_and_finish_order_ranks_riders() {
    // Arrange
    let mut rig = bmx();
    stage(&mut rig, 0);
    assert_eq!(
        rig.order(),
        ["20", "30", "10"],
        "gate order before the drop"
    );
    // Act
    let drop = rig.pass_on(10_000, "9992", "gate");
    rig.pass_on(30_000, "1030", "split");
    rig.pass_on(45_000, "1020", "finish");
    let second = rig.pass_on(45_400, "1010", "finish");
    // Assert
    assert!(has(&drop, "gate_drop"));
    assert!(has(&second, "car_finished"));
    assert_eq!(rig.order(), ["20", "10", "30"]);
    assert_eq!(rig.car("10").gap.and_then(|g| g.time_us), Some(400_000));
    // Act: close the moto; rider 30 was seen on the split only
    let closed = rig.control(120_000, ControlIntent::EndSession);
    // Assert
    let order = closed.iter().find_map(|e| match &e.kind {
        EventKind::MotoFinishOrder {
            complete: true,
            riders,
        } => Some(
            riders
                .iter()
                .map(|r| (r.number.to_string(), r.status, r.time_us))
                .collect::<Vec<_>>(),
        ),
        _ => None,
    });
    assert_eq!(
        order,
        Some(vec![
            ("20".to_owned(), CarStatus::Finished, Some(35_000_000)),
            ("10".to_owned(), CarStatus::Finished, Some(35_400_000)),
            ("30".to_owned(), CarStatus::Dnf, None),
        ])
    );
    assert_eq!(rig.engine.sessions()[0].name, "Moto 1");
}

#[test]
fn a_rider_never_read_where_others_were_did_not_start() {
    // Arrange
    let mut rig = bmx();
    stage(&mut rig, 0);
    rig.pass_on(5_000, "1010", "gate");
    rig.pass_on(5_000, "1020", "gate");
    rig.pass_on(10_000, "9991", "gate");
    // Act
    rig.pass_on(40_000, "1010", "finish");
    rig.pass_on(41_000, "1020", "finish");
    rig.control(90_000, ControlIntent::EndSession);
    // Assert
    let id = rig.engine.sessions()[0].id;
    let results = rig
        .engine
        .classification(id)
        .expect("classification")
        .results;
    assert_eq!(results[2].status, CarStatus::Dns);
    assert_eq!(results[0].total_time.as_deref(), Some("30.000"));
}

#[test]
fn finishing_before_the_minimum_time_or_twice_is_ignored() {
    // Arrange
    let mut rig = bmx();
    stage(&mut rig, 0);
    rig.pass_on(10_000, "9992", "gate");
    // Act: a rider rolling over the finish loop right after the drop, then a real finish, then a re-read
    let early = rig.pass_on(12_000, "1010", "finish");
    rig.pass_on(42_000, "1010", "finish");
    let again = rig.pass_on(43_000, "1010", "finish");
    // Assert
    assert!(!has(&early, "car_finished") && !has(&again, "car_finished"));
    assert_eq!(rig.car("10").total_time_us, Some(32_000_000));
}

#[test]
fn a_second_drop_before_any_finish_reruns_and_after_finishes_starts_the_next_moto() {
    // Arrange
    let mut rig = bmx();
    stage(&mut rig, 0);
    rig.pass_on(10_000, "9992", "gate");
    // Act: a duplicate beacon read, then a re-run after a crash
    assert!(rig.pass_on(10_500, "9992", "gate").is_empty());
    rig.pass_on(60_000, "9992", "gate");
    rig.pass_on(95_000, "1020", "finish");
    // Assert: timed from the second drop
    assert_eq!(rig.car("20").total_time_us, Some(35_000_000));
    // Act: the next drop starts Moto 2
    let next = rig.pass_on(200_000, "9992", "gate");
    // Assert
    assert!(
        has(&next, "session_ended") && has(&next, "session_started") && has(&next, "gate_drop")
    );
    let names: Vec<String> = rig.engine.sessions().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Moto 1", "Moto 2"]);
}

#[test]
fn riders_not_staged_are_ignored_in_a_staged_moto() {
    // Arrange
    let mut rig = bmx();
    stage(&mut rig, 0);
    rig.pass_on(10_000, "9992", "gate");
    // Act
    let events = rig.pass_on(40_000, "7777", "finish");
    // Assert
    assert!(!has(&events, "car_finished"));
    assert_eq!(rig.board().competitors.len(), 3);
}
