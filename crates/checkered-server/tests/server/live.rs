//! The live WebSocket: snapshot then ordered increments, resume from a sequence,
//! MessagePack, garbage from the client, bad subscriptions, and slow readers.

use crate::helpers::{PATIENCE, Server, race, sim_track};
use checkered_engine::SessionKind;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(server: &Server, query: &str) -> Socket {
    let url = format!("ws://{}/ws/v1/live?{query}", server.addr);
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connects");
    socket
}

/// The next data frame (JSON or MessagePack), skipping heartbeats unless asked for.
pub async fn next_frame(socket: &mut Socket, heartbeats: bool) -> Value {
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .expect("a frame before the timeout")
            .expect("socket open")
            .expect("valid frame");
        let value: Value = match message {
            Message::Text(text) => serde_json::from_str(text.as_str()).expect("json frame"),
            Message::Binary(bytes) => rmp_serde::from_slice(&bytes).expect("msgpack frame"),
            _ => continue,
        };
        if value["kind"] == "heartbeat" && !heartbeats {
            continue;
        }
        return value;
    }
}

/// Reads frames until an event with `seq >= last`; checks order and gaps on the way.
pub async fn read_to(socket: &mut Socket, track: &str, mut seq: u64, last: u64) -> u64 {
    while seq < last {
        let frame = next_frame(socket, false).await;
        assert_eq!(frame["track_id"], track, "{frame}");
        match frame["kind"].as_str() {
            Some("event") => {
                let s = frame["seq"].as_u64().expect("seq");
                assert_eq!(s, seq + 1, "events must come in order without gaps");
                assert_eq!(frame["payload"]["seq"], s);
                seq = s;
            }
            Some("error") => assert_eq!(frame["payload"]["resync"], true, "{frame}"),
            Some("snapshot") => seq = frame["seq"].as_u64().expect("seq"),
            other => panic!("unexpected frame kind {other:?}: {frame}"),
        }
    }
    seq
}

#[tokio::test]
async fn snapshot_then_every_event_in_order_then_resume() {
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let mut socket = connect(&server, "track_id=club").await;
    let first = next_frame(&mut socket, false).await;
    assert_eq!(first["kind"], "snapshot", "{first}");
    assert_eq!(first["seq"], 0);
    assert!(first["payload"]["standings"].is_object(), "{first}");

    let (_, events) = race("club", 11);
    for chunk in events.chunks(500) {
        server.ingest(chunk).await;
    }
    let last = crate::ingest::replay_locally(&sim_track("club", SessionKind::Race), &events)
        .last()
        .expect("events")["seq"]
        .as_u64()
        .expect("seq");
    server.wait_for_seq("club", last).await;
    let reached = read_to(&mut socket, "club", 0, last).await;
    assert_eq!(reached, last);

    // A client that reconnects with from=<seq> gets everything from there out of the log.
    let from = last / 2;
    let mut resumed = connect(&server, &format!("track_id=club&from={from}")).await;
    let frame = next_frame(&mut resumed, false).await;
    assert_eq!(frame["kind"], "event", "{frame}");
    assert_eq!(frame["seq"], from);
    assert_eq!(read_to(&mut resumed, "club", from, last).await, last);

    // MessagePack on request.
    let mut packed = connect(&server, "track_id=club&format=msgpack").await;
    let frame = next_frame(&mut packed, false).await;
    assert_eq!(frame["kind"], "snapshot");
    assert_eq!(frame["seq"], last);
    server.stop().await;
}

#[tokio::test]
async fn garbage_from_the_client_gets_an_error_frame_and_the_socket_stays() {
    let server = Server::start_with(|c| c.heartbeat = std::time::Duration::from_secs(1)).await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let mut socket = connect(&server, "track_id=club&channels=race,decoder").await;
    assert_eq!(next_frame(&mut socket, false).await["kind"], "snapshot");
    for garbage in [
        Message::Text("hello".into()),
        Message::Binary(vec![0xff, 0x00, 0x13].into()),
        Message::Text("{\"op\":\"subscribe\",\"track_id\":\"other\"}".into()),
    ] {
        socket.send(garbage).await.expect("send");
        let frame = next_frame(&mut socket, false).await;
        assert_eq!(frame["kind"], "error", "{frame}");
        assert_eq!(frame["payload"]["reason"], "unsupported_message");
        assert_eq!(frame["track_id"], "club");
    }
    socket
        .send(Message::Text("{\"op\":\"ping\"}".into()))
        .await
        .expect("send");
    assert_eq!(next_frame(&mut socket, true).await["kind"], "heartbeat");
    // Heartbeats also come on their own.
    assert_eq!(next_frame(&mut socket, true).await["kind"], "heartbeat");
    server.stop().await;
}

#[tokio::test]
async fn bad_subscriptions_are_refused_before_the_upgrade() {
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    for (query, want) in [
        ("", 400),
        ("track_id=nowhere", 404),
        ("track_id=club&channels=everything", 400),
        ("track_id=club&from=-3", 400),
        ("track_id=club&format=xml", 400),
        ("track_id=club", 400), // valid, but a plain GET is not a WebSocket upgrade
    ] {
        let response = reqwest::get(format!("{}/ws/v1/live?{query}", server.base))
            .await
            .expect("request");
        assert_eq!(response.status().as_u16(), want, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
    }
    let url = format!("ws://{}/ws/v1/live?track_id=nowhere", server.addr);
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_delays_nobody() {
    let server = Server::start_with(|c| c.live_buffer = 16).await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let mut stalled = connect(&server, "track_id=club").await;
    assert_eq!(next_frame(&mut stalled, false).await["kind"], "snapshot");
    let mut reader = connect(&server, "track_id=club").await;
    assert_eq!(next_frame(&mut reader, false).await["kind"], "snapshot");

    let (_, events) = race("club", 5);
    let mut last = 0;
    for (i, chunk) in events.chunks(200).enumerate() {
        server.ingest(chunk).await;
        if i % 4 == 3 {
            // The reader keeps up while the stalled client reads nothing at all.
            let (_, now) = server.get("/api/v1/tracks/club/standings").await;
            let seq = now["seq"].as_u64().unwrap_or(0);
            last = read_to(&mut reader, "club", last, seq).await;
        }
    }
    let end = crate::ingest::replay_locally(&sim_track("club", SessionKind::Race), &events)
        .last()
        .expect("events")["seq"]
        .as_u64()
        .expect("seq");
    server.wait_for_seq("club", end).await;
    assert_eq!(read_to(&mut reader, "club", last, end).await, end);
    // The stalled client, once it reads, either has every event in order or was resynced
    // with a snapshot (and never saw anything out of order in between).
    assert_eq!(read_to(&mut stalled, "club", 0, end).await, end);
    server.stop().await;
}

#[tokio::test]
async fn live_event_frames_name_the_capture_time_of_the_raw_event_behind_them() {
    // Arrange: the relay's capture clock runs 7 s after the decoder clock, so the two
    // times a frame carries cannot be confused.
    const OFFSET_US: i64 = 7_000_000;
    let server = Server::start().await;
    server
        .create_track(&sim_track("cap", SessionKind::Race))
        .await;
    let mut socket = connect(&server, "track_id=cap").await;
    assert_eq!(next_frame(&mut socket, false).await["kind"], "snapshot");
    let (_, mut events) = race("cap", 5);
    events.truncate(400);
    for e in events.iter_mut().filter(|e| e.message_type == "PASSING") {
        e.captured_at_us += OFFSET_US;
    }

    // Act
    server.ingest(&events).await;
    let mut laps = 0;
    let mut seq = 0;
    while laps < 20 {
        let frame = next_frame(&mut socket, false).await;
        assert_eq!(frame["kind"], "event", "{frame}");
        if frame["channel"] != "race" {
            continue;
        }
        // Assert: every live derived frame says when its raw event was captured.
        let captured = frame["captured_at_us"].as_i64().expect("captured_at_us");
        assert!(
            events.iter().any(|e| e.captured_at_us == captured),
            "{frame}"
        );
        if frame["payload"]["kind"]["type"] == "lap_completed" {
            assert_eq!(
                captured,
                frame["ts_us"].as_i64().expect("ts_us") + OFFSET_US,
                "{frame}"
            );
            laps += 1;
        }
        seq = frame["seq"].as_u64().expect("seq");
    }

    // Events read back from the log (resume) have no live capture time to give.
    let mut resumed = connect(&server, &format!("track_id=cap&from={seq}")).await;
    let frame = next_frame(&mut resumed, false).await;
    assert_eq!(frame["seq"], seq, "{frame}");
    assert!(frame.get("captured_at_us").is_none(), "{frame}");
}
