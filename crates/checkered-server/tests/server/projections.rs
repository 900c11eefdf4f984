//! The read models over HTTP: they agree with the engine (laps, flags, classifications),
//! and are the same after a restart, after a full rebuild from the logs, and on a server
//! that saw the same input in one go.

use crate::helpers::{Server, race, sim_track};
use checkered_engine::SessionKind;
use checkered_protocol::contract::Envelope;
use serde_json::{Value, json};

/// A race in four parts with race control between them: yellow, green, chequered, end.
struct Script {
    parts: Vec<Vec<Envelope>>,
    intents: Vec<(&'static str, i64)>,
}

fn script() -> Script {
    let (_, events) = race("club", 9);
    let quarter = events.len() / 4;
    let parts: Vec<Vec<Envelope>> = vec![
        events[..quarter].to_vec(),
        events[quarter..2 * quarter].to_vec(),
        events[2 * quarter..3 * quarter].to_vec(),
        events[3 * quarter..].to_vec(),
    ];
    let after = |part: &Vec<Envelope>, us: i64| part.last().map_or(0, |e| e.captured_at_us) + us;
    let intents = vec![
        ("yellow", after(&parts[0], 1)),
        ("green", after(&parts[1], 1)),
        ("checkered", after(&parts[2], 1)),
        ("end", after(&parts[3], 2_000_000)),
    ];
    Script { parts, intents }
}

async fn play(server: &Server, script: &Script, parts: std::ops::Range<usize>) {
    for i in parts {
        for chunk in script.parts[i].chunks(400) {
            server.ingest(chunk).await;
        }
        server.wait_idle("club").await;
        let (what, at_us) = script.intents[i];
        let intent = match what {
            "end" => json!({"type": "end_session"}),
            flag => json!({"type": "flag", "flag": flag}),
        };
        let (status, _, answer) = server
            .post(
                "/api/v1/tracks/club/control",
                &json!({"intent": intent, "at_us": at_us}),
            )
            .await;
        assert_eq!(status, 202, "{answer}");
        server.wait_idle("club").await;
    }
    server.wait_projected("club").await;
}

/// Every projection read of the race's session, with what differs between servers (ids
/// and wall-clock times of the intents' envelopes) left out of the control log.
async fn reads(server: &Server) -> Value {
    let mut all = serde_json::Map::new();
    for path in [
        "sessions/1",
        "sessions/1/cars",
        "sessions/1/laps?limit=5000",
        "sessions/1/classifications",
        "sessions/1/flags",
        "competitors",
    ] {
        let (status, body) = server.get(&format!("/api/v1/tracks/club/{path}")).await;
        assert_eq!(status, 200, "{path}: {body}");
        all.insert(path.to_owned(), body);
    }
    let (_, log) = server
        .get("/api/v1/tracks/club/control/log?limit=1000")
        .await;
    let intents: Vec<Value> = log["intents"]
        .as_array()
        .expect("intents")
        .iter()
        .map(|i| json!([i["raw_seq"], i["intent_type"], i["at_us"], i["intent"]]))
        .collect();
    all.insert("control".to_owned(), Value::Array(intents));
    Value::Object(all)
}

async fn start() -> Server {
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    server
}

#[tokio::test]
async fn projections_survive_a_restart_and_a_rebuild_and_match_a_clean_run() {
    // Arrange: half the race, a restart, the other half.
    let script = script();
    let server = start().await;
    play(&server, &script, 0..2).await;
    let data = server.data.clone();
    let dir = server.stop().await;
    let server = Server::start_in(data, |_| {}).await;
    play(&server, &script, 2..4).await;
    // Act
    let restarted = reads(&server).await;
    let (status, _, _) = server
        .post("/api/v1/tracks/club/projections/rebuild", &json!({}))
        .await;
    assert_eq!(status, 202);
    server.wait_projected("club").await;
    let rebuilt = reads(&server).await;
    let clean = start().await;
    play(&clean, &script, 0..4).await;
    let one_go = reads(&clean).await;
    // Assert
    assert_eq!(
        rebuilt, restarted,
        "a rebuild from the logs differs from the projections kept across a restart"
    );
    assert_eq!(
        one_go, restarted,
        "a clean run differs from one with a restart"
    );
    assert_eq!(restarted["sessions/1"]["end_reason"], "control");
    let laps = restarted["sessions/1/laps?limit=5000"]["laps"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(laps > 100, "only {laps} laps projected");
    server.stop().await;
    clean.stop().await;
    drop(dir);
}

#[tokio::test]
async fn laps_flags_and_classifications_agree_with_the_engine() {
    // Arrange
    let script = script();
    let server = start().await;
    // Act
    play(&server, &script, 0..4).await;
    // Assert
    let (_, board) = server.get("/api/v1/tracks/club/sessions/1/standings").await;
    let standings = &board["standings"];
    laps_agree(&server, standings).await;
    flags_agree(&server, standings, &script).await;
    classifications_agree(&server).await;
    control_log_lists_every_intent(&server, &script).await;
    server.stop().await;
}

async fn laps_agree(server: &Server, standings: &Value) {
    // Laps per car: as many as the engine counted, the same last and best lap.
    for car in standings["competitors"].as_array().expect("competitors") {
        let number = car["number"].as_str().expect("number");
        let (status, page) = server
            .get(&format!(
                "/api/v1/tracks/club/sessions/1/cars/{number}/laps"
            ))
            .await;
        assert_eq!(status, 200, "{page}");
        let laps = page["laps"].as_array().expect("laps");
        assert_eq!(
            laps.len() as i64,
            car["laps"].as_i64().expect("laps"),
            "car {number}"
        );
        assert_eq!(
            laps.last().map(|l| l["lap_time_us"].clone()),
            Some(car["last_lap"]["time_us"].clone()),
            "car {number}"
        );
        let best = laps.iter().filter_map(|l| l["lap_time_us"].as_i64()).min();
        assert_eq!(best, car["best_lap"]["time_us"].as_i64(), "car {number}");
        let (_, filtered) = server
            .get(&format!(
                "/api/v1/tracks/club/sessions/latest/laps?car={number}"
            ))
            .await;
        assert_eq!(&filtered["laps"], &page["laps"]);
    }
    // Paging through every lap gives each once, in seq order.
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let (_, page) = server
            .get(&format!(
                "/api/v1/tracks/club/sessions/1/laps?after={after}&limit=37"
            ))
            .await;
        let laps = page["laps"].as_array().expect("laps").clone();
        if laps.is_empty() {
            break;
        }
        after = page["next_after"].as_u64().expect("next");
        seen.extend(laps.iter().filter_map(|l| l["seq"].as_u64()));
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let total: i64 = standings["competitors"]
        .as_array()
        .expect("cars")
        .iter()
        .filter_map(|c| c["laps"].as_i64())
        .sum();
    assert_eq!(seen.len() as i64, total);
}

async fn flags_agree(server: &Server, standings: &Value, script: &Script) {
    // Flag history: the engine's periods, durations and laps, exactly.
    let (_, flags) = server.get("/api/v1/tracks/club/sessions/1/flags").await;
    let ours: Vec<Value> = flags["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .map(|p| {
            json!([
                p["flag"],
                p["from_us"],
                p["to_us"],
                p["duration_us"],
                p["laps"]
            ])
        })
        .collect();
    let theirs: Vec<Value> = standings["session"]["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|p| {
            json!([
                p["flag"],
                p["from_us"],
                p["to_us"],
                p["duration_us"],
                p["laps"]
            ])
        })
        .collect();
    assert_eq!(ours, theirs);
    let (yellow, green) = (script.intents[0].1, script.intents[1].1);
    assert_eq!(
        flags["totals"]["yellow"]["duration_us"],
        yellow.max(green) - yellow
    );
    assert!(
        flags["totals"]["yellow"]["laps"].as_u64().unwrap_or(0) > 0,
        "{flags}"
    );
}

async fn classifications_agree(server: &Server) {
    // Classification versions: provisional at the flag, final at the end, the final one
    // byte for byte the engine's document.
    let (_, versions) = server
        .get("/api/v1/tracks/club/sessions/1/classifications")
        .await;
    let states: Vec<&str> = versions["classifications"]
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["state"].as_str())
        .collect();
    assert_eq!(states.first(), Some(&"provisional"));
    assert_eq!(states.last(), Some(&"final"));
    let (_, _, ours) = server
        .send(
            reqwest::Method::GET,
            "/api/v1/tracks/club/sessions/1/classifications/latest",
            None,
        )
        .await;
    let (_, _, theirs) = server
        .send(
            reqwest::Method::GET,
            "/api/v1/tracks/club/sessions/1/classification",
            None,
        )
        .await;
    assert_eq!(ours, theirs);
}

async fn control_log_lists_every_intent(server: &Server, script: &Script) {
    // The control log: the relay's entry list, then the four intents with their origin.
    let (_, log) = server.get("/api/v1/tracks/club/control/log").await;
    let intents = log["intents"].as_array().expect("intents");
    let kinds: Vec<&str> = intents
        .iter()
        .filter_map(|i| i["intent_type"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["set_entries", "flag", "flag", "flag", "end_session"]
    );
    assert_eq!(
        (intents[0]["client_id"].clone(), intents[0]["audit"].clone()),
        (json!("test-relay"), Value::Null)
    );
    for i in &intents[1..] {
        assert_eq!(i["audit"]["via"], "control", "{i}");
        assert!(
            i["audit"]["remote_addr"]
                .as_str()
                .is_some_and(|a| a.starts_with("127.0.0.1:")),
            "{i}"
        );
    }
    assert_eq!(intents[1]["at_us"], script.intents[0].1);
    let (_, page) = server
        .get(&format!(
            "/api/v1/tracks/club/control/log?after={}&limit=2",
            intents[1]["raw_seq"]
        ))
        .await;
    assert_eq!(page["intents"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["intents"][0]["raw_seq"], intents[2]["raw_seq"]);
}
