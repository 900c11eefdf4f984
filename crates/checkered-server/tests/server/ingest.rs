//! Ingest: durable append, dedupe of retries, dead letters, and every kind of bad input.

use crate::helpers::{Relay, Server, batch, race, sim_track};
use checkered_engine::{DerivedEvent, SessionKind, TrackEngine};
use checkered_server::runtime::convert;
use serde_json::{Value, json};

/// A valid RMonitor heartbeat line.
const HEARTBEAT: &str = "$F,14,\"00:12:45\",\"13:34:23\",\"00:09:47\",\"Green \"";

#[tokio::test]
async fn a_race_is_scored_and_retries_change_nothing() {
    let server = Server::start().await;
    let cfg = sim_track("club", SessionKind::Race);
    server.create_track(&cfg).await;
    let (sim, events) = race("club", 7);
    let mut accepted = 0;
    for chunk in events.chunks(300) {
        let answer = server.ingest(chunk).await;
        assert_eq!(answer["rejected"], json!([]), "{answer}");
        accepted += answer["accepted"].as_u64().expect("accepted");
    }
    assert_eq!(accepted, events.len() as u64);

    // The same events again (a relay retrying after a lost answer): all duplicates.
    for chunk in events.chunks(1_000) {
        let answer = server.ingest(chunk).await;
        assert_eq!(answer["accepted"], 0, "{answer}");
        assert_eq!(answer["duplicates"], chunk.len(), "{answer}");
    }

    // A fresh engine fed the same events gives exactly the derived events the server logged.
    let mut engine = TrackEngine::new(cfg.clone());
    let mut expected: Vec<DerivedEvent> = Vec::new();
    for envelope in &events {
        let decoded = convert::decode(&envelope.message_type, &envelope.payload).expect("valid");
        if let Some(input) = convert::to_input(&cfg, &decoded, envelope.captured_at_us) {
            engine.apply(&input, &mut expected);
        }
    }
    let last = expected.last().expect("the race derives events").seq;
    server.wait_for_seq("club", last).await;
    let logged = derived_log(&server, "club").await;
    let expected: Vec<Value> = expected
        .iter()
        .map(|e| serde_json::to_value(e).expect("json"))
        .collect();
    assert_eq!(logged.len(), expected.len());
    assert!(
        logged == expected,
        "the server's derived log differs from a clean replay"
    );

    // The classification answers with the engine's document for the session.
    let (status, classification) = server
        .get("/api/v1/tracks/club/sessions/latest/classification")
        .await;
    assert_eq!(status, 200, "{classification}");
    let session = engine.sessions().last().expect("a session").id;
    let local =
        serde_json::to_value(engine.classification(session).expect("classified")).expect("json");
    assert_eq!(classification, local);
    let winner = &sim.classification[0];
    assert_eq!(
        classification["results"][0]["number"], sim.entries[winner.car].number,
        "{classification}"
    );
    server.stop().await;
}

/// The derived events a fresh engine gives for these envelopes, as JSON.
pub fn replay_locally(
    cfg: &checkered_engine::TrackConfig,
    events: &[checkered_protocol::contract::Envelope],
) -> Vec<Value> {
    let mut engine = TrackEngine::new(cfg.clone());
    let mut out: Vec<DerivedEvent> = Vec::new();
    for envelope in events {
        let decoded = convert::decode(&envelope.message_type, &envelope.payload).expect("valid");
        if let Some(input) = convert::to_input(cfg, &decoded, envelope.captured_at_us) {
            engine.apply(&input, &mut out);
        }
    }
    out.iter()
        .map(|e| serde_json::to_value(e).expect("json"))
        .collect()
}

/// Every derived event of a track, through the paged log endpoint.
pub async fn derived_log(server: &Server, track: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = 0u64;
    loop {
        let (status, page) = server
            .get(&format!(
                "/api/v1/tracks/{track}/events/log?after={after}&limit=500"
            ))
            .await;
        assert_eq!(status, 200, "{page}");
        let events = page["events"].as_array().expect("events").clone();
        if events.is_empty() {
            return all;
        }
        after = page["next_after"].as_u64().expect("next");
        all.extend(events);
    }
}

#[tokio::test]
async fn bad_events_are_rejected_one_by_one_and_dead_lettered() {
    let server = Server::start().await;
    server
        .create_track(&sim_track("kart", SessionKind::Practice))
        .await;
    let mut relay = Relay::new("kart", "r1");
    let good = relay.envelope(
        1_700_000_000_000_000,
        "RMONITOR",
        json!({"line": "$F,14,\"00:12:45\",\"13:34:23\",\"00:09:47\",\"Green \""}),
    );
    let mut unknown_track = relay.envelope(
        1_700_000_000_000_001,
        "RMONITOR",
        json!({"line": "$I,\"16:36:08.000\",\"12 jan 01\""}),
    );
    unknown_track.track_id = "nowhere".into();
    let bad_payload = relay.envelope(1_700_000_000_000_002, "PASSING", json!({"type": "STATUS"}));
    let mut bad_seq = relay.envelope(
        1_700_000_000_000_003,
        "RMONITOR",
        json!({"line": HEARTBEAT}),
    );
    bad_seq.seq = 0;
    let mut body = batch(&[good, unknown_track, bad_payload, bad_seq]);
    body["events"]
        .as_array_mut()
        .expect("events")
        .push(json!({"track_id": "kart", "seq": 9}));
    let (status, _, answer) = server.post("/api/ingest/batch", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["accepted"], 1, "{answer}");
    let rejected: Vec<u64> = answer["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|r| r["index"].as_u64().expect("index"))
        .collect();
    assert_eq!(rejected, vec![1, 2, 3, 4], "{answer}");
    for r in answer["rejected"].as_array().expect("rejected") {
        assert!(!r["reason"].as_str().unwrap_or("").is_empty(), "{r}");
    }
    assert!(
        answer["rejected"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("unknown track")
    );

    let (status, letters) = server.get("/api/v1/dead-letters").await;
    assert_eq!(status, 200);
    let letters = letters["dead_letters"].as_array().expect("letters").clone();
    assert_eq!(letters.len(), 4, "{letters:?}");
    assert_eq!(letters[0]["track_id"], "nowhere");
    assert_eq!(letters[3]["track_id"], "kart");
    assert!(
        letters[3]["body"]
            .as_str()
            .unwrap_or("")
            .contains("\"seq\":9")
    );
    let (_, kart_letters) = server.get("/api/v1/tracks/kart/dead-letters").await;
    assert_eq!(
        kart_letters["dead_letters"]
            .as_array()
            .expect("letters")
            .len(),
        3
    );
    server.stop().await;
}

#[tokio::test]
async fn malformed_requests_get_problem_documents() {
    let server = Server::start_with(|c| {
        c.max_batch_events = 10;
        c.max_body_bytes = 64 * 1024;
    })
    .await;
    server
        .create_track(&sim_track("kart", SessionKind::Practice))
        .await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/ingest/batch", server.base);
    let send = |body: Vec<u8>, content_type: &'static str| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let response = client
                .post(url)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            let kind = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, kind, body)
        }
    };
    let cases: Vec<(Vec<u8>, &'static str, u16, &str)> = vec![
        (
            b"{not json".to_vec(),
            "application/json",
            400,
            "not a valid ingest batch",
        ),
        (
            br#"{"contract_version":"track_ingest.v1","events":[]}"#.to_vec(),
            "application/json",
            400,
            "unsupported contract_version",
        ),
        (
            br#"{"events":[]}"#.to_vec(),
            "application/json",
            400,
            "contract_version",
        ),
        (b"a,b,c".to_vec(), "text/csv", 415, "must be JSON"),
        (
            vec![b' '; 100 * 1024],
            "application/json",
            413,
            "larger than",
        ),
    ];
    for (body, content_type, want, detail) in cases {
        let (status, kind, problem) = send(body, content_type).await;
        assert_eq!(status, want, "{problem}");
        assert_eq!(kind, "application/problem+json");
        assert_eq!(problem["status"], want);
        assert!(
            problem["detail"].as_str().unwrap_or("").contains(detail),
            "{problem}"
        );
    }
    // Too many events in one batch.
    let mut relay = Relay::new("kart", "r1");
    let events: Vec<_> = (0..11)
        .map(|i| {
            relay.envelope(
                1_700_000_000_000_000 + i,
                "RMONITOR",
                json!({"line": HEARTBEAT}),
            )
        })
        .collect();
    let (status, kind, problem) = server.post("/api/ingest/batch", &batch(&events)).await;
    assert_eq!((status, kind.as_str()), (413, "application/problem+json"));
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("at most 10")
    );
    // Nothing of the refused requests reached the log.
    let (_, letters) = server.get("/api/v1/dead-letters").await;
    assert_eq!(letters["dead_letters"], json!([]));
    // Unknown routes are problems too.
    let (status, body) = server.get("/api/v1/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(body["status"], 404);
    server.stop().await;
}

#[tokio::test]
async fn the_static_token_guards_ingest() {
    let server = Server::start_with(|c| c.ingest_token = Some("s3cret".into())).await;
    server
        .create_track(&sim_track("kart", SessionKind::Practice))
        .await;
    let mut relay = Relay::new("kart", "r1");
    let events = vec![relay.envelope(
        1_700_000_000_000_000,
        "RMONITOR",
        json!({"line": HEARTBEAT}),
    )];
    let client = reqwest::Client::new();
    let url = format!("{}/api/ingest/batch", server.base);
    for header in [None, Some("Bearer wrong"), Some("s3cret")] {
        let mut request = client.post(&url).json(&batch(&events));
        if let Some(h) = header {
            request = request.header("authorization", h);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status().as_u16(), 401, "{header:?}");
    }
    let response = client
        .post(&url)
        .header("authorization", "Bearer s3cret")
        .json(&batch(&events))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["accepted"], 1);
    server.stop().await;
}
