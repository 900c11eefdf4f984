//! `checkered simulate --protocol p3` as a decoder client sees it.

use super::harness::{P3Client, Sim, T0, config};
use checkered::simulate::Protocol;
use checkered_engine::adapt::p3::record_input;
use checkered_engine::{LoopRole, TimingLoop, TrackConfig, TrackEngine};
use checkered_protocol::p3::{Record, command};
use checkered_sim::Line;
use std::collections::BTreeMap;

fn engine() -> TrackEngine {
    let mut cfg = TrackConfig::new("sim-p3");
    cfg.min_lap_time_us = 60_000_000;
    cfg.loops = vec![TimingLoop {
        id: "sf".into(),
        role: LoopRole::StartFinish,
        decoder_id: Some(Line::StartFinish.decoder_id()),
    }];
    TrackEngine::new(cfg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decoder_client_reads_valid_frames_that_score_as_a_race() {
    // Arrange
    let sim = Sim::start(config(Protocol::P3, 2000.0)).await;
    let mut client = P3Client::connect(sim.addr).await;
    // Act: about a quarter of an hour of qualifying
    client
        .read_until(|f| {
            f.iter()
                .filter(|f| matches!(f.record, Record::Passing(_)))
                .count()
                >= 120
        })
        .await;
    // Assert: gap-free passing numbers from the decoder, rising clock, STATUS in between
    let passings = client.passings();
    let numbers: Vec<u32> = passings.iter().filter_map(|p| p.passing_number).collect();
    assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());
    assert!(
        passings
            .windows(2)
            .all(|w| w[0].rtc_time_us <= w[1].rtc_time_us)
    );
    assert!(
        passings
            .iter()
            .all(|p| p.decoder_id == Some(Line::StartFinish.decoder_id()))
    );
    assert!(
        client
            .frames
            .iter()
            .any(|f| matches!(f.record, Record::Status(_)))
    );
    // Fed to the engine, every car's laps only go up, and the leaders complete laps.
    let mut engine = engine();
    let mut out = Vec::new();
    let mut laps: BTreeMap<String, i64> = BTreeMap::new();
    for frame in &client.frames {
        let Some(input) = record_input(engine.config(), &frame.record) else {
            continue;
        };
        engine.apply(&input, &mut out);
        for car in engine.standings().competitors {
            let before = laps.insert(car.number.clone(), car.laps).unwrap_or(0);
            assert!(
                car.laps >= before,
                "car {} went from {before} to {} laps",
                car.number,
                car.laps
            );
        }
    }
    let board = engine.standings().competitors;
    assert_eq!(board.len(), 12, "every car was read");
    assert!(board[0].laps >= 3, "leader laps: {}", board[0].laps);
    assert!(
        board
            .iter()
            .filter_map(|c| c.best_lap)
            .all(|b| b.time_us > 60_000_000)
    );
    // Duplicate reads (the decoder's noise) were collapsed by the minimum lap time.
    assert!(engine.counters().duplicates > 0);
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_returns_the_same_passings_and_get_time_the_decoder_clock() {
    // Arrange: a client that has seen 30 passings
    let sim = Sim::start(config(Protocol::P3, 1000.0)).await;
    let mut client = P3Client::connect(sim.addr).await;
    client
        .read_until(|f| {
            f.iter()
                .filter(|f| matches!(f.record, Record::Passing(_)))
                .count()
                >= 30
        })
        .await;
    let original: Vec<_> = client.passings().into_iter().cloned().collect();
    let seen_max = original
        .iter()
        .filter_map(|p| p.passing_number)
        .max()
        .expect("numbers");
    let last_rtc = original
        .iter()
        .filter_map(|p| p.rtc_time_us)
        .max()
        .expect("times");
    let seen = client.frames.len();
    // Act
    client.send(&command::resend(11, 20)).await;
    client.send(&command::get_time()).await;
    let resent =
        |frames: &[checkered_protocol::p3::Frame]| -> Vec<checkered_protocol::p3::Passing> {
            frames
                .iter()
                .skip(seen)
                .filter_map(|f| match &f.record {
                    Record::Passing(p) if p.passing_number.is_some_and(|n| n <= seen_max) => {
                        Some(p.clone())
                    }
                    _ => None,
                })
                .collect()
        };
    let answered = |frames: &[checkered_protocol::p3::Frame]| {
        frames
            .iter()
            .skip(seen)
            .any(|f| matches!(f.record, Record::GetTime(_)))
    };
    client
        .read_until(|f| resent(f).len() == 10 && answered(f))
        .await;
    // Assert: the very same passings, numbers 11..=20, and a clock past every passing sent
    let again = resent(&client.frames);
    let want: Vec<_> = original
        .iter()
        .filter(|p| p.passing_number.is_some_and(|n| (11..=20).contains(&n)))
        .cloned()
        .collect();
    assert_eq!(again, want);
    let time = client
        .frames
        .iter()
        .skip(seen)
        .find_map(|f| match &f.record {
            Record::GetTime(t) => Some(t.clone()),
            _ => None,
        })
        .expect("GET_TIME answer");
    assert!(
        time.rtc_time_us
            .is_some_and(|t| t >= last_rtc && t > T0 as u64),
        "{time:?}"
    );
    assert_eq!(time.decoder_id, Some(Line::StartFinish.decoder_id()));
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_unknown_commands_get_errors_and_the_stream_goes_on() {
    // Arrange
    let sim = Sim::start(config(Protocol::P3, 1000.0)).await;
    let mut client = P3Client::connect(sim.addr).await;
    client.read_until(|f| !f.is_empty()).await;
    // Act: junk, a frame with a broken CRC, and CLEAR_PASSING (not simulated)
    let mut broken = command::get_time();
    broken[4] ^= 0x01;
    client.send(b"hello decoder").await;
    client.send(&broken).await;
    client.send(&command::clear_passing()).await;
    let errors = |f: &[checkered_protocol::p3::Frame]| -> Vec<u16> {
        f.iter()
            .filter_map(|f| match &f.record {
                Record::Error(e) => e.code,
                _ => None,
            })
            .collect()
    };
    client.read_until(|f| errors(f).len() >= 2).await;
    let before = client.passings().len();
    client
        .read_until(|f| {
            f.iter()
                .filter(|f| matches!(f.record, Record::Passing(_)))
                .count()
                > before + 5
        })
        .await;
    // Assert: CRC error, then "TOR unknown"; the decoder kept streaming
    assert_eq!(errors(&client.frames), [1, 4]);
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_at_once_get_the_same_stream() {
    // Arrange
    let sim = Sim::start(config(Protocol::P3, 2000.0)).await;
    let mut a = P3Client::connect(sim.addr).await;
    let mut b = P3Client::connect(sim.addr).await;
    sim.wait_for_clients(2).await;
    // Act
    let enough = |f: &[checkered_protocol::p3::Frame]| {
        f.iter()
            .filter(|f| matches!(f.record, Record::Passing(_)))
            .count()
            >= 60
    };
    a.read_until(enough).await;
    b.read_until(enough).await;
    // Assert: from where the later one joined, both read the same frames
    let joined = aligned(&a.frames, &b.frames).or_else(|| aligned(&b.frames, &a.frames));
    assert!(joined.is_some(), "the two clients saw different streams");
    sim.stop().await;
}

/// Where `later` starts inside `earlier`, if they then agree for at least 50 frames.
fn aligned(
    earlier: &[checkered_protocol::p3::Frame],
    later: &[checkered_protocol::p3::Frame],
) -> Option<usize> {
    (0..earlier.len()).find(|&i| {
        let n = (earlier.len() - i).min(later.len());
        n >= 50 && earlier[i..i + n] == later[..n]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_higher_speed_runs_the_decoder_faster() {
    // Arrange: the same meeting at 10x and at 10000x real time
    let slow = Sim::start(config(Protocol::P3, 10.0)).await;
    let fast = Sim::start(config(Protocol::P3, 10_000.0)).await;
    let mut slow_client = P3Client::connect(slow.addr).await;
    let mut fast_client = P3Client::connect(fast.addr).await;
    // Act: the fast decoder delivers ten simulated minutes of passings
    let ten_minutes = (T0 + 600_000_000) as u64;
    fast_client
        .read_until(|f| {
            f.iter().any(
                |f| matches!(&f.record, Record::Passing(p) if p.rtc_time_us > Some(ten_minutes)),
            )
        })
        .await;
    slow_client.send(&command::get_time()).await;
    slow_client
        .read_until(|f| f.iter().any(|f| matches!(f.record, Record::GetTime(_))))
        .await;
    // Assert: meanwhile the slow decoder's clock moved far less (a thousandth, ideally)
    let slow_clock = slow_client
        .frames
        .iter()
        .find_map(|f| match &f.record {
            Record::GetTime(t) => t.rtc_time_us,
            _ => None,
        })
        .expect("slow clock");
    let slow_elapsed = slow_clock.saturating_sub(T0 as u64);
    assert!(
        slow_elapsed * 10 < 600_000_000,
        "slow decoder advanced {slow_elapsed} µs"
    );
    slow.stop().await;
    fast.stop().await;
}
