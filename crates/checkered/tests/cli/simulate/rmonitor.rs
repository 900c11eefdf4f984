//! `checkered simulate --protocol rmonitor` as a results-feed client sees it.

use super::harness::{DEADLINE, RmClient, Sim, config, count};
use checkered::simulate::{Protocol, SimConfig};
use checkered_engine::adapt::rmonitor::feed_record;
use checkered_engine::{Input, SessionKind, TrackConfig, TrackEngine};
use checkered_protocol::rmonitor::Record;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpSocket;

fn is_passing(r: &Record) -> bool {
    matches!(r, Record::Passing { .. })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_client_reads_lines_that_score_a_qualifying_and_a_race() {
    // Arrange
    let sim = Sim::start(config(Protocol::Rmonitor, 5000.0)).await;
    let mut client = RmClient::connect(sim.addr).await;
    // Act: until the second session (the race) has ended
    let ends = |r: &[Record]| r.iter().filter(|r| r.is_session_end()).count();
    client.read_until(|r| ends(r) >= 2).await;
    // Assert: the engine, fed only the feed, scored both sessions
    let mut cfg = TrackConfig::new("sim-rmonitor");
    cfg.min_lap_time_us = 60_000_000;
    let mut engine = TrackEngine::new(cfg);
    let mut out = Vec::new();
    // The client has no capture times; arrival order (1 ms apart) stands in for them.
    for (i, record) in client.records.iter().enumerate() {
        if let Some(feed) = feed_record(record) {
            engine.apply(&Input::feed(i as i64 * 1000, feed), &mut out);
        }
    }
    let sessions = engine.sessions();
    let kinds: Vec<(String, SessionKind, bool)> = sessions
        .iter()
        .map(|s| (s.name.clone(), s.kind, s.open))
        .collect();
    assert_eq!(
        kinds[..2],
        [
            ("Qualifying 1".to_owned(), SessionKind::Qualifying, false),
            ("Race 1".to_owned(), SessionKind::Race, false)
        ]
    );
    for s in &sessions[..2] {
        let result = engine.classification(s.id).expect("classification");
        assert_eq!(result.results.len(), 12, "{}", s.name);
        assert!(result.results.iter().all(|c| c.laps > 0), "{}", s.name);
    }
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_joining_mid_session_gets_the_state_first() {
    // Arrange: a session under way
    let sim = Sim::start(config(Protocol::Rmonitor, 2000.0)).await;
    let mut first = RmClient::connect(sim.addr).await;
    first.read_until(|r| count(r, is_passing) >= 30).await;
    // Act
    let mut late = RmClient::connect(sim.addr).await;
    late.read_until(|r| r.len() >= 40).await;
    // Assert: run, classes, track, all twelve entries and positions before anything else
    let state: Vec<&Record> = late
        .records
        .iter()
        .take_while(|r| !is_passing(r) && !matches!(r, Record::LineCrossing { .. }))
        .collect();
    assert!(
        matches!(state.first(), Some(Record::Run { run_no: 1, .. })),
        "{:?}",
        state.first()
    );
    assert_eq!(
        state
            .iter()
            .filter(|r| matches!(r, Record::Competitor { .. }))
            .count(),
        12
    );
    assert_eq!(
        state
            .iter()
            .filter(|r| matches!(r, Record::RacePosition { .. }))
            .count(),
        12
    );
    let laps: Option<i32> = state
        .iter()
        .filter_map(|r| match r {
            Record::RacePosition {
                position: 1, laps, ..
            } => *laps,
            _ => None,
        })
        .next();
    assert!(
        laps.is_some_and(|l| l >= 1),
        "the leader's laps are in the state"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_never_delays_the_other() {
    // Arrange: a fast, heavy feed; a stalled client with a tiny receive buffer
    let cfg = SimConfig {
        cars: 40,
        write_timeout: Duration::from_millis(300),
        ..config(Protocol::Rmonitor, 20_000.0)
    };
    let sim = Sim::start(cfg).await;
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("small buffer");
    let stalled = socket.connect(sim.addr).await.expect("connect");
    let mut reader = RmClient::connect(sim.addr).await;
    sim.wait_for_clients(2).await;
    // Act: keep reading until the stalled client has been dropped, then some more
    let clients = sim.clients.clone();
    reader.read_until(|_| clients.count() == 1).await;
    let at_drop = count(&reader.records, is_passing);
    reader
        .read_until(|r| count(r, is_passing) >= at_drop + 200)
        .await;
    // Assert: the reader got every heartbeat second without a gap
    let seconds: Vec<i64> = reader
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Heartbeat { time_of_day, .. } => Some(time_of_day.ms() / 1000),
            _ => None,
        })
        .collect();
    assert!(seconds.len() > 500);
    for w in seconds.windows(2) {
        let step = (w[1] - w[0]).rem_euclid(86_400);
        assert!(step <= 1, "heartbeat gap from {} to {}", w[0], w[1]);
    }
    // The stalled client finds its connection closed once it drains what was buffered.
    let mut stalled = stalled;
    let mut sink = Vec::new();
    let drained = tokio::time::timeout(DEADLINE, stalled.read_to_end(&mut sink)).await;
    assert!(drained.is_ok(), "the stalled connection was closed");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_are_closed_at_once() {
    // Arrange
    let cfg = SimConfig {
        max_clients: 1,
        ..config(Protocol::Rmonitor, 1000.0)
    };
    let sim = Sim::start(cfg).await;
    let mut first = RmClient::connect(sim.addr).await;
    sim.wait_for_clients(1).await;
    // Act
    let mut second = tokio::net::TcpStream::connect(sim.addr)
        .await
        .expect("connect");
    let mut sink = Vec::new();
    let closed = tokio::time::timeout(DEADLINE, second.read_to_end(&mut sink)).await;
    // Assert: the second is closed without a line; the first is served on
    assert!(matches!(closed, Ok(Ok(0))), "{closed:?}");
    first.read_until(|r| count(r, is_passing) >= 5).await;
    sim.stop().await;
}
