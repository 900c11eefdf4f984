//! The P3 adapter on a real decoder capture and single frames.

use checkered_engine::adapt::p3::{passing_input, record_input};
use checkered_engine::{InputKind, LoopRole, SessionKind, TimingLoop, TrackConfig, TrackEngine};
use checkered_protocol::p3::{self, decode_all};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/p3/");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
}

fn records(bytes: &[u8]) -> Vec<p3::Record> {
    decode_all(bytes)
        .into_iter()
        .filter_map(Result::ok)
        .map(|d| d.frame.record)
        .collect()
}

#[test]
fn a_kart_practice_capture_scores_every_passing_once() {
    // Arrange: a single-loop kart track in practice
    let mut cfg = TrackConfig::new("kart");
    cfg.default_session_kind = SessionKind::Practice;
    let mut engine = TrackEngine::new(cfg.clone());
    let mut out = Vec::new();
    // Act
    let inputs: Vec<_> = records(&read("kart-decoder-2022-05-01.log"))
        .iter()
        .filter_map(|r| record_input(&cfg, r))
        .collect();
    for input in &inputs {
        engine.apply(input, &mut out);
    }
    // Assert: 45 passings of 10 karts, none a duplicate (laps about 22 s apart)
    assert_eq!(inputs.len(), 45);
    let board = engine.standings();
    assert_eq!(board.competitors.len(), 10);
    let crossings: i64 = board.competitors.iter().map(|c| c.laps + 1).sum();
    assert_eq!(crossings, 45);
    // Kart 9990307 crossed at 55.950, 78.174, 100.604, 122.660 and 144.317 s past 14:55
    let kart = board
        .competitors
        .iter()
        .find(|c| c.number == "9990307")
        .expect("kart");
    assert_eq!(kart.laps, 4);
    assert_eq!(
        kart.best_lap.map(|b| (b.lap, b.time_us)),
        Some((4, 21_657_000))
    );
    assert_eq!(kart.last_lap.map(|l| l.time_us), Some(21_657_000));
    let bests: Vec<i64> = board
        .competitors
        .iter()
        .filter_map(|c| c.best_lap.map(|b| b.time_us))
        .collect();
    assert!(
        bests.windows(2).all(|w| w[0] <= w[1]),
        "practice is ranked by best lap: {bests:?}"
    );
}

#[test]
fn a_passing_frame_maps_time_transponder_strength_and_decoder_line() {
    // Arrange
    let p = match records(&read("frame-good_passing.bin")).into_iter().next() {
        Some(p3::Record::Passing(p)) => p,
        other => panic!("expected a passing, got {other:?}"),
    };
    let decoder = p.decoder_id.expect("decoder id");
    let mut cfg = TrackConfig::new("t");
    cfg.loops = vec![TimingLoop {
        id: "finish".into(),
        role: LoopRole::StartFinish,
        decoder_id: Some(decoder),
    }];
    // Act
    let input = passing_input(&cfg, &p).expect("input");
    // Assert
    assert_eq!(
        Some(input.at_us),
        p.rtc_time_us.and_then(|t| i64::try_from(t).ok())
    );
    let InputKind::Passing(passing) = input.kind else {
        panic!("not a passing")
    };
    assert_eq!(
        passing.transponder,
        p.transponder.map(|t| t.to_string()).expect("transponder")
    );
    assert_eq!(
        (passing.line.as_str(), passing.strength, passing.hits),
        ("finish", p.strength, p.hits)
    );
    assert_eq!(passing.passing_number, Some(0x0001_bc48));
}

#[test]
fn a_passing_without_time_or_transponder_and_non_passings_give_no_input() {
    let cfg = TrackConfig::new("t");
    let no_time = p3::Passing {
        transponder: Some(5),
        ..p3::Passing::default()
    };
    let no_id = p3::Passing {
        rtc_time_us: Some(1),
        ..p3::Passing::default()
    };
    let coded = p3::Passing {
        rtc_time_us: Some(1),
        tran_code: Some("FL-94890".into()),
        ..p3::Passing::default()
    };
    assert!(passing_input(&cfg, &no_time).is_none());
    assert!(passing_input(&cfg, &no_id).is_none());
    let InputKind::Passing(p) = passing_input(&cfg, &coded).expect("input").kind else {
        panic!()
    };
    assert_eq!(p.transponder, "FL-94890");
    assert!(record_input(&cfg, &p3::Record::Status(p3::Status::default())).is_none());
}
