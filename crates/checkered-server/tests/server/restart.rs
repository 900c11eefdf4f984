//! Restarts: engines resume from their snapshot and the raw log with nothing lost or doubled,
//! and race control goes through the log like any other event.

use crate::helpers::{Server, race, sim_track};
use crate::ingest::derived_log;
use checkered_engine::SessionKind;
use serde_json::{Value, json};

#[tokio::test]
async fn a_restarted_server_resumes_every_track_exactly() {
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let (_, events) = race("club", 21);
    let half = events.len() / 2;
    for chunk in events[..half].chunks(400) {
        server.ingest(chunk).await;
    }
    let (_, log) = server
        .get("/api/v1/tracks/club/raw?after=0&limit=5000")
        .await;
    assert_eq!(log["events"].as_array().expect("raw").len(), half);
    let data = server.data.clone();
    let dir = server.stop().await;

    let server = Server::start_in(data.clone(), |_| {}).await;
    // The track came back from the catalog, its engine from its snapshot.
    let (status, track) = server.get("/api/v1/tracks/club").await;
    assert_eq!(status, 200, "{track}");
    let mut duplicates = 0;
    for chunk in events.chunks(400) {
        // The first half again (a relay that never saw the answers): duplicates.
        duplicates += server.ingest(chunk).await["duplicates"]
            .as_u64()
            .expect("dups");
    }
    assert_eq!(duplicates, half as u64);
    let last = crate::ingest::replay_locally(&sim_track("club", SessionKind::Race), &events)
        .last()
        .expect("events")["seq"]
        .as_u64()
        .expect("seq");
    server.wait_for_seq("club", last).await;
    let after_restart = derived_log(&server, "club").await;
    let standings = server.get("/api/v1/tracks/club/standings").await.1;
    server.stop().await;

    // A clean run of the same events in one go.
    let clean = Server::start().await;
    clean
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    for chunk in events.chunks(400) {
        clean.ingest(chunk).await;
    }
    clean.wait_for_seq("club", last).await;
    let clean_log = derived_log(&clean, "club").await;
    assert_eq!(
        clean_log.len(),
        after_restart.len(),
        "derived event counts differ after a restart"
    );
    if let Some(i) = (0..clean_log.len()).find(|&i| clean_log[i] != after_restart[i]) {
        panic!(
            "derived event {i} differs after a restart:\nclean   {}\nrestart {}",
            clean_log[i], after_restart[i]
        );
    }
    let clean_standings = clean.get("/api/v1/tracks/club/standings").await.1;
    assert_eq!(clean_standings, standings);
    clean.stop().await;
    drop(dir);
}

#[tokio::test]
async fn race_control_is_logged_and_applied_in_order() {
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let (_, events) = race("club", 3);
    server.ingest(&events[..200]).await;
    let intent = json!({"intent": {"type": "flag", "flag": "red"}});
    let (status, _, answer) = server.post("/api/v1/tracks/club/control", &intent).await;
    assert_eq!(status, 202, "{answer}");
    let raw_seq = answer["raw_seq"].as_u64().expect("raw seq");
    assert_eq!(raw_seq, 201);
    // The engine applies it: a flag change shows up in the derived log and on the board.
    let deadline = tokio::time::Instant::now() + crate::helpers::PATIENCE;
    loop {
        let (_, board) = server.get("/api/v1/tracks/club/standings").await;
        if board["standings"]["session"]["flag"] == "red" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "flag never applied: {board}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The board shows a change before its derived events are durably logged: wait for them.
    server.wait_idle("club").await;
    let log = derived_log(&server, "club").await;
    assert!(
        log.iter()
            .any(|e: &Value| e["kind"]["type"] == "flag_changed"),
        "no flag_changed event"
    );
    let (_, raw) = server
        .get("/api/v1/tracks/club/raw?after=200&limit=10")
        .await;
    assert_eq!(raw["events"][0]["envelope"]["message_type"], "CONTROL");
    assert_eq!(raw["events"][0]["envelope"]["client_id"], "race-control");
    // Bad intents are refused with a problem document and nothing is logged.
    let (status, kind, problem) = server
        .post(
            "/api/v1/tracks/club/control",
            &json!({"intent": {"type": "launch_rockets"}}),
        )
        .await;
    assert_eq!(
        (status, kind.as_str()),
        (400, "application/problem+json"),
        "{problem}"
    );
    let (status, _, _) = server.post("/api/v1/tracks/nowhere/control", &intent).await;
    assert_eq!(status, 404);
    let (_, raw) = server
        .get("/api/v1/tracks/club/raw?after=201&limit=10")
        .await;
    assert_eq!(raw["events"], json!([]));
    server.stop().await;
}
