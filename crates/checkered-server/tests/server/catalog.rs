//! The catalog over HTTP: events, their schedules and single entries, with the errors a
//! client gets when it is wrong.

use crate::helpers::{Server, sim_track};
use checkered_engine::SessionKind;
use serde_json::{Value, json};

const PROBLEM: &str = "application/problem+json";

async fn server_with_track() -> Server {
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    server
}

#[tokio::test]
async fn events_and_their_schedules_round_trip() {
    // Arrange
    let server = server_with_track().await;
    let spring = json!({"id": "spring", "name": "Spring Sprint", "starts_at_us": 1_000, "ends_at_us": 9_000});
    // Act
    let (status, _, created) = server.post("/api/v1/tracks/club/events", &spring).await;
    let (_, _, assigned) = server
        .post("/api/v1/tracks/club/events", &json!({"name": "Winter"}))
        .await;
    let (status_put, _, updated) = server
        .put(
            "/api/v1/tracks/club/events/spring",
            &json!({"name": "Spring Cup", "ends_at_us": null, "visibility": "private"}),
        )
        .await;
    // Assert
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["visibility"], "public");
    let winter = assigned["id"].as_str().expect("assigned id").to_owned();
    assert_eq!(winter.len(), 26, "a lowercase ULID: {winter}");
    assert_eq!(status_put, 200, "{updated}");
    assert_eq!(
        (
            updated["name"].clone(),
            updated["ends_at_us"].clone(),
            updated["starts_at_us"].clone()
        ),
        (json!("Spring Cup"), Value::Null, json!(1_000))
    );
    let (_, read) = server.get("/api/v1/tracks/club/events/spring").await;
    assert_eq!(read, updated);
    let (_, list) = server.get("/api/v1/tracks/club/events").await;
    let ids: Vec<&str> = list["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["spring", winter.as_str()],
        "events with a start come first"
    );

    // The schedule.
    let base = "/api/v1/tracks/club/events/spring/sessions";
    let (s1, _, late) = server
        .post(
            base,
            &json!({"name": "Race", "kind": "race", "scheduled_start_us": 5_000, "laps": 20}),
        )
        .await;
    let (s2, _, early) = server
        .post(
            base,
            &json!({"name": "Qualifying", "kind": "qualifying", "scheduled_start_us": 2_000}),
        )
        .await;
    assert_eq!((s1, s2), (201, 201), "{late} {early}");
    let (_, schedule) = server.get(base).await;
    let names: Vec<&str> = schedule["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["Qualifying", "Race"]);
    assert_eq!(schedule["actual"], json!([]));
    let race = format!("{base}/{}", late["id"]);
    let (status, _, linked) = server
        .put(&race, &json!({"session_id": 1, "laps": null}))
        .await;
    assert_eq!(status, 200, "{linked}");
    assert_eq!(
        (
            linked["session_id"].clone(),
            linked["laps"].clone(),
            linked["kind"].clone()
        ),
        (json!(1), Value::Null, json!("race"))
    );
    assert_eq!(server.delete(&race).await.0, 204);
    assert_eq!(server.get(&race).await.0, 404);

    // Deleting the event takes its schedule with it.
    assert_eq!(
        server.delete("/api/v1/tracks/club/events/spring").await.0,
        204
    );
    assert_eq!(server.get(base).await.0, 404);
    assert_eq!(server.get("/api/v1/tracks/club/events/spring").await.0, 404);
    server.stop().await;
}

#[tokio::test]
async fn mistakes_get_problem_documents() {
    let server = server_with_track().await;
    let cases: Vec<(u16, (u16, String, Value))> = vec![
        (
            404,
            server
                .post("/api/v1/tracks/nowhere/events", &json!({"name": "x"}))
                .await,
        ),
        (
            400,
            server
                .post(
                    "/api/v1/tracks/club/events",
                    &json!({"id": "Not A Slug", "name": "x"}),
                )
                .await,
        ),
        (
            400,
            server
                .post(
                    "/api/v1/tracks/club/events",
                    &json!({"id": "log", "name": "x"}),
                )
                .await,
        ),
        (
            400,
            server
                .post(
                    "/api/v1/tracks/club/events",
                    &json!({"name": "x", "colour": "red"}),
                )
                .await,
        ),
        (
            422,
            server
                .post("/api/v1/tracks/club/events", &json!({"id": "a"}))
                .await,
        ),
        (
            422,
            server
                .post(
                    "/api/v1/tracks/club/events",
                    &json!({"name": "x", "starts_at_us": 9, "ends_at_us": 1}),
                )
                .await,
        ),
        (
            404,
            server
                .post(
                    "/api/v1/tracks/club/events/none/sessions",
                    &json!({"name": "x"}),
                )
                .await,
        ),
        (
            404,
            server
                .put("/api/v1/tracks/club/events/none", &json!({"name": "x"}))
                .await,
        ),
        (404, server.delete("/api/v1/tracks/club/entries/12").await),
        (
            422,
            server
                .put(
                    "/api/v1/tracks/club/entries/12",
                    &json!({"transponders": ["1", "1"], "grid": 0}),
                )
                .await,
        ),
        (
            400,
            server
                .put("/api/v1/tracks/club/entries/12", &json!({"number": "13"}))
                .await,
        ),
        (
            404,
            server
                .put("/api/v1/tracks/club/events/none/entries/12", &json!({}))
                .await,
        ),
        (
            405,
            server.delete("/api/v1/tracks/club/entries/import").await,
        ),
        (
            404,
            server.get_full("/api/v1/tracks/club/sessions/7/laps").await,
        ),
        (
            400,
            server
                .get_full("/api/v1/tracks/club/sessions/first/flags")
                .await,
        ),
        (
            404,
            server
                .get_full("/api/v1/tracks/club/sessions/latest/classifications")
                .await,
        ),
    ];
    for (i, (expected, (status, kind, body))) in cases.into_iter().enumerate() {
        assert_eq!(
            (status, kind.as_str()),
            (expected, PROBLEM),
            "case {i}: {body}"
        );
        assert_eq!(body["status"], expected, "case {i}: {body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "case {i}: {body}"
        );
    }
    // The duplicate id, and the invalid entry, name what is wrong.
    server
        .post(
            "/api/v1/tracks/club/events",
            &json!({"id": "a", "name": "A"}),
        )
        .await;
    let (status, kind, _) = server
        .post(
            "/api/v1/tracks/club/events",
            &json!({"id": "a", "name": "A"}),
        )
        .await;
    assert_eq!((status, kind.as_str()), (409, PROBLEM));
    let (_, _, invalid) = server
        .put(
            "/api/v1/tracks/club/entries/12",
            &json!({"transponders": ["1", "1"], "grid": 0}),
        )
        .await;
    let fields: Vec<&str> = invalid["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["transponders", "grid"], "{invalid}");
    // The derived log keeps its path beside the events.
    assert_eq!(server.get("/api/v1/tracks/club/events/log").await.0, 200);
    server.stop().await;
}

#[tokio::test]
async fn single_entries_round_trip_and_clash_on_transponders() {
    let server = server_with_track().await;
    let base = "/api/v1/tracks/club/entries";
    let (status, _, created) = server
        .put(
            &format!("{base}/7"),
            &json!({"name": "Ann", "class": "GT", "transponders": ["700"], "grid": 2}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, _, replaced) = server
        .put(
            &format!("{base}/7"),
            &json!({"name": "Ann B", "transponders": ["700", "701"]}),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(
        (replaced["class"].clone(), replaced["grid"].clone()),
        (Value::Null, Value::Null),
        "PUT replaces the whole entry"
    );
    assert_eq!(replaced["created_at_us"], created["created_at_us"]);
    let (status, kind, clash) = server
        .put(
            &format!("{base}/8"),
            &json!({"name": "Bo", "transponders": ["701"]}),
        )
        .await;
    assert_eq!((status, kind.as_str()), (409, PROBLEM), "{clash}");
    assert!(
        clash["errors"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("701"),
        "{clash}"
    );
    server
        .put(&format!("{base}/10"), &json!({"name": "Cy"}))
        .await;
    server
        .put(&format!("{base}/9"), &json!({"name": "Di"}))
        .await;
    let (_, list) = server.get(base).await;
    let numbers: Vec<&str> = list["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["number"].as_str())
        .collect();
    assert_eq!(
        numbers,
        ["7", "9", "10"],
        "numeric order, and the refused 8 is absent"
    );
    assert_eq!(server.delete(&format!("{base}/7")).await.0, 204);
    assert_eq!(server.get(&format!("{base}/7")).await.0, 404);
    // Each change reached the engine's log as a set_entries intent, audited.
    server.wait_projected("club").await;
    let (_, log) = server.get("/api/v1/tracks/club/control/log").await;
    let intents = log["intents"].as_array().expect("intents");
    assert_eq!(intents.len(), 5, "{log}");
    assert!(
        intents
            .iter()
            .all(|i| i["intent_type"] == "set_entries" && i["audit"]["via"] == "entries"),
        "{log}"
    );
    let removal = &intents[4]["intent"]["entries"][0];
    assert_eq!(
        (removal["number"].clone(), removal["transponders"].clone()),
        (json!("7"), json!([])),
        "a delete detaches the transponders"
    );
    server.stop().await;
}
