//! Several tracks at once: nothing of one track reaches another's subscribers or state.

use crate::helpers::{Server, race, sim_track};
use crate::ingest::derived_log;
use crate::live::{connect, next_frame, read_to};
use checkered_engine::{SessionKind, TrackEngine};
use checkered_server::runtime::convert;
use serde_json::Value;

#[tokio::test]
async fn three_tracks_fed_concurrently_stay_apart() {
    let server = Server::start().await;
    three_tracks_stay_apart(&server).await;
    server.stop().await;
}

/// The scenario, on any server (the cluster tests run it on the JetStream backend).
pub async fn three_tracks_stay_apart(server: &Server) {
    let tracks = ["alpha", "bravo", "charlie"];
    let mut sockets = Vec::new();
    for (i, id) in tracks.iter().enumerate() {
        server.create_track(&sim_track(id, SessionKind::Race)).await;
        let mut socket = connect(server, &format!("track_id={id}")).await;
        assert_eq!(next_frame(&mut socket, false).await["kind"], "snapshot");
        sockets.push((i, *id, socket));
    }
    let races: Vec<_> = tracks
        .iter()
        .enumerate()
        .map(|(i, id)| race(id, 100 + i as u64))
        .collect();
    let feeds = races.iter().map(|(_, events)| async move {
        for chunk in events.chunks(250) {
            server.ingest(chunk).await;
        }
    });
    futures_util::future::join_all(feeds).await;

    for (i, id, mut socket) in sockets {
        let cfg = sim_track(id, SessionKind::Race);
        let mut engine = TrackEngine::new(cfg.clone());
        let mut expected = Vec::new();
        for envelope in &races[i].1 {
            let decoded = convert::decode(&envelope.message_type, &envelope.payload).expect("ok");
            if let Some(input) = convert::to_input(&cfg, &decoded, envelope.captured_at_us) {
                engine.apply(&input, &mut expected);
            }
        }
        let last = expected.last().expect("events").seq;
        server.wait_for_seq(id, last).await;
        // Per-track order preserved and nothing foreign: the log equals a clean replay.
        let logged = derived_log(server, id).await;
        let expected: Vec<Value> = expected
            .iter()
            .map(|e| serde_json::to_value(e).expect("json"))
            .collect();
        assert!(
            logged == expected,
            "track {id}: derived log differs from its own replay"
        );
        // The socket scoped to this track sees only it (read_to checks track_id).
        assert_eq!(read_to(&mut socket, id, 0, last).await, last);
        // Its board lists only its own cars.
        let (_, board) = server.get(&format!("/api/v1/tracks/{id}/standings")).await;
        let numbers: Vec<&str> = races[i]
            .0
            .entries
            .iter()
            .map(|e| e.number.as_str())
            .collect();
        for car in board["standings"]["competitors"]
            .as_array()
            .expect("competitors")
        {
            let number = car["number"].as_str().expect("number");
            assert!(
                numbers.contains(&number),
                "track {id} shows a foreign car {number}"
            );
        }
    }
}
