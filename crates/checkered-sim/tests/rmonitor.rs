//! The simulator's RMonitor feed: it decodes, and the race engine fed with it reproduces
//! the simulator's truth and agrees, line by line, with the positions the feed states.

use checkered_engine::adapt::rmonitor::feed_record;
use checkered_engine::view::standings::CompetitorView;
use checkered_engine::{CarStatus, Input, SessionKind, TrackConfig, TrackEngine};
use checkered_protocol::cp1252;
use checkered_protocol::rmonitor::{Decoder, Flag, Record, decode_line};
use checkered_sim::meeting::club_session;
use checkered_sim::rmonout::{FeedSpec, FeedStream, rmonitor_stream};
use checkered_sim::{Line, RaceSpec, SimKind, Simulation, TruthRow, simulate};

fn feed_of(sim: &Simulation, name: &str) -> FeedStream {
    rmonitor_stream(sim, &FeedSpec::club(7, name))
}

fn session(seed: u64, n: u64) -> (Simulation, FeedStream) {
    let plan = club_session(seed, 20, n, 1_750_000_000_000_000);
    let sim = simulate(&plan.spec);
    let feed = feed_of(&sim, &plan.name);
    (sim, feed)
}

#[test]
fn the_feed_decodes_line_by_line_and_as_one_byte_stream() {
    let (_, feed) = session(3, 1);
    let bytes: Vec<u8> = feed.lines.iter().flat_map(|l| l.wire()).collect();
    let mut decoder = Decoder::new(4096);
    decoder.push(&bytes);
    decoder.finish();
    let decoded: Vec<Record> = decoder
        .map(|r| r.result.expect("every line decodes"))
        .collect();
    let typed: Vec<Record> = feed.lines.iter().map(|l| l.record.clone()).collect();
    assert_eq!(decoded, typed);
    for line in &feed.lines {
        let text = cp1252::encode(&line.text());
        assert_eq!(decode_line(&text).ok(), Some(line.record.clone()));
    }
    assert!(feed.lines.windows(2).all(|w| w[0].at_us <= w[1].at_us));
    assert!(matches!(feed.lines[0].record, Record::Init { .. }));
    let last = feed.lines.last().expect("lines");
    assert!(last.at_us < feed.ends_at_us && feed.end_us < feed.ends_at_us);
}

#[test]
fn heartbeats_come_every_second_and_the_flag_falls_before_the_winner_crosses() {
    let (sim, feed) = session(4, 1);
    let beats: Vec<(i64, &Flag)> = feed
        .lines
        .iter()
        .filter_map(|l| match &l.record {
            Record::Heartbeat { flag, .. } => Some((l.at_us, flag)),
            _ => None,
        })
        .collect();
    // One on every whole second from the announcement to the end of the idle time, and
    // one more at each flag change, showing the new flag.
    let first = beats.first().expect("heartbeats").0;
    let seconds = (feed.ends_at_us - first + 999_999) / 1_000_000;
    assert_eq!(beats.len() as i64, seconds + sim.flags.len() as i64);
    for second in 0..seconds {
        let at = first + second * 1_000_000;
        assert!(beats.iter().any(|b| b.0 == at), "no $F at {at}");
    }
    for change in &sim.flags {
        let shown = beats
            .iter()
            .find(|b| b.0 == change.at_us)
            .expect("a $F at the change");
        assert_eq!(shown.1.wire_text().trim(), format!("{:?}", change.flag));
    }
    let finish = sim.flags.last().expect("flags").at_us;
    let first_finish = feed
        .lines
        .iter()
        .position(|l| {
            matches!(
                &l.record,
                Record::Heartbeat {
                    flag: Flag::Finish,
                    ..
                }
            )
        })
        .expect("a Finish heartbeat");
    assert_eq!(feed.lines[first_finish].at_us, finish);
    let winner = &sim.entries[sim.classification[0].car].number;
    let winning_j = feed
        .lines
        .iter()
        .rposition(|l| matches!(&l.record, Record::Passing { reg_no, .. } if reg_no == winner))
        .expect("winner's last $J");
    assert!(first_finish < winning_j);
    assert_eq!(feed.lines[winning_j].at_us, finish);
}

#[test]
fn pit_stops_and_every_start_finish_crossing_are_in_the_feed() {
    let (sim, feed) = session(5, 1);
    let count =
        |pred: &dyn Fn(&Record) -> bool| feed.lines.iter().filter(|l| pred(&l.record)).count();
    let sf = sim
        .crossings
        .iter()
        .filter(|c| c.line == Line::StartFinish)
        .count();
    assert_eq!(count(&|r| matches!(r, Record::Passing { .. })), sf);
    let pit_in = sim
        .crossings
        .iter()
        .filter(|c| c.line == Line::PitIn)
        .count();
    let pit_lines = count(
        &|r| matches!(r, Record::LineCrossing { timeline_name, .. } if timeline_name == "PIT"),
    );
    assert_eq!(pit_lines, pit_in);
    assert!(pit_in >= 19, "the race has its pit stops");
}

#[test]
fn same_simulation_same_feed() {
    let (sim, feed) = session(9, 0);
    assert_eq!(feed, feed_of(&sim, "Qualifying 1"));
    assert_ne!(feed.lines, session(10, 0).1.lines);
}

/// Feeds every line into an engine, checking after each `$G` (race) or `$H` (practice)
/// that the engine ranks that car where the feed says; returns the final board.
fn score(feed: &FeedStream, kind: SessionKind) -> (Vec<CompetitorView>, usize) {
    let mut cfg = TrackConfig::new("club");
    cfg.min_lap_time_us = 60_000_000;
    let mut engine = TrackEngine::new(cfg);
    let mut out = Vec::new();
    let mut checked = 0;
    for line in &feed.lines {
        let Some(record) = feed_record(&line.record) else {
            continue;
        };
        engine.apply(&Input::feed(line.at_us, record), &mut out);
        let stated = match (&line.record, kind) {
            (
                Record::RacePosition {
                    position, reg_no, ..
                },
                SessionKind::Race,
            ) => Some((position, reg_no)),
            (
                Record::PracticePosition {
                    position, reg_no, ..
                },
                SessionKind::Qualifying,
            ) => Some((position, reg_no)),
            _ => None,
        };
        if let Some((position, reg_no)) = stated {
            let board = engine.standings().competitors;
            let car = board
                .iter()
                .find(|c| &c.number == reg_no)
                .expect("car on the board");
            assert_eq!(car.position, *position, "{reg_no} at {}", line.at_us);
            checked += 1;
        }
    }
    let sessions = engine.sessions();
    assert_eq!(sessions.len(), 1);
    assert!(!sessions[0].open, "$B,95 closed the session");
    assert_eq!(sessions[0].kind, kind);
    let board = engine
        .standings_for(sessions[0].id)
        .expect("board")
        .competitors;
    (board, checked)
}

/// Whether two rows of the truth may rank either way at the feed's millisecond
/// resolution: equal race keys in ms, or best laps within the 1 ms a truncated lap may move.
fn tie_at_feed_resolution(sim: &Simulation, a: &TruthRow, b: &TruthRow) -> bool {
    match sim.spec.kind {
        SimKind::Race { .. } => a.laps == b.laps && a.total_us / 1000 == b.total_us / 1000,
        SimKind::Practice { .. } => match (a.best_lap_us, b.best_lap_us) {
            (Some(x), Some(y)) => (x - y).abs() < 2000,
            _ => false,
        },
    }
}

fn assert_matches_truth(sim: &Simulation, board: &[CompetitorView]) {
    assert_eq!(board.len(), sim.classification.len());
    let row_of = |number: &str| {
        let row = sim
            .classification
            .iter()
            .find(|r| sim.entries[r.car].number == number);
        row.expect("every car on the board is in the truth")
    };
    for (row, at_position) in sim.classification.iter().zip(board) {
        let what = format!("seed {} position {}", sim.spec.seed, row.position);
        let number = &sim.entries[row.car].number;
        if &at_position.number != number {
            let other = row_of(&at_position.number);
            assert!(
                tie_at_feed_resolution(sim, row, other),
                "{what}: {} ahead of {number}",
                at_position.number
            );
        }
        let car = board
            .iter()
            .find(|c| &c.number == number)
            .expect("car on the board");
        assert_eq!(car.laps, i64::from(row.laps), "{what}");
        assert_eq!(
            car.total_time_us,
            Some(row.total_us / 1000 * 1000),
            "{what}"
        );
        let best = car.best_lap.map(|b| b.time_us);
        let diff = best.zip(row.best_lap_us).map(|(a, b)| (a - b).abs());
        assert!(
            diff.is_some_and(|d| d < 1000),
            "{what}: best {best:?} vs {:?}",
            row.best_lap_us
        );
        if matches!(sim.spec.kind, SimKind::Race { .. }) {
            let status = if row.finished {
                CarStatus::Finished
            } else {
                CarStatus::Dnf
            };
            assert_eq!(car.status, status, "{what}");
        }
    }
}

#[test]
fn the_engine_scores_feed_races_as_the_truth_and_agrees_with_every_g_line() {
    for seed in 1..=6 {
        let (sim, feed) = session(seed * 10, 1);
        let (board, checked) = score(&feed, SessionKind::Race);
        assert_matches_truth(&sim, &board);
        assert!(checked > 200, "seed {seed}: {checked} $G lines checked");
        assert!(
            board.iter().any(|c| c.pit_stops > 0),
            "seed {seed}: pit stops from $L"
        );
        assert_eq!(
            board.iter().filter(|c| c.status == CarStatus::Dnf).count(),
            1
        );
    }
}

#[test]
fn the_engine_scores_feed_qualifying_as_the_truth_and_agrees_with_every_h_line() {
    for seed in 1..=6 {
        let (sim, feed) = session(seed * 10, 0);
        let (board, checked) = score(&feed, SessionKind::Qualifying);
        assert_matches_truth(&sim, &board);
        assert!(checked > 200, "seed {seed}: {checked} $H lines checked");
    }
}

#[test]
fn a_small_field_and_a_long_race_also_match() {
    let spec = RaceSpec {
        cars: 3,
        kind: SimKind::Race { laps: 40 },
        ..RaceSpec::club_race(77)
    };
    let sim = simulate(&spec);
    let (board, _) = score(&feed_of(&sim, "Feature Race"), SessionKind::Race);
    assert_matches_truth(&sim, &board);
}
