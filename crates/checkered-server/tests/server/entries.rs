//! Entry lists over HTTP: CSV import (all or nothing, errors row by row) and entries that
//! reach the engine through the log.

use crate::helpers::{Server, race, sim_track};
use checkered_engine::SessionKind;
use checkered_sim::Simulation;
use serde_json::{Value, json};

const PROBLEM: &str = "application/problem+json";

/// The simulation's entry list as CSV, names prefixed so the board shows where they came
/// from; columns in an unusual order, one name quoted with a comma.
fn csv_of(sim: &Simulation) -> String {
    let mut out = String::from("Transponder,number,NAME,class\n");
    for e in &sim.entries {
        out.push_str(&format!(
            "{},{},\"Imported, {}\",{}\n",
            e.transponder, e.number, e.name, e.class
        ));
    }
    out
}

async fn numbers(server: &Server, path: &str) -> Vec<String> {
    let (status, list) = server.get(path).await;
    assert_eq!(status, 200, "{list}");
    list["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["number"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_imported_list_reaches_the_engine() {
    // Arrange: a race whose own entry list is left out, so only the import names the cars.
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let (sim, events) = race("club", 5);
    // Act
    let (status, _, summary) = server
        .post_csv("/api/v1/tracks/club/entries/import", &csv_of(&sim))
        .await;
    for chunk in events[1..].chunks(500) {
        server.ingest(chunk).await;
    }
    let board = server.wait_idle("club").await;
    // Assert
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (summary["created"].clone(), summary["updated"].clone()),
        (json!(sim.entries.len()), json!(0))
    );
    assert!(summary["raw_seq"].as_u64().is_some(), "{summary}");
    let competitors = board["standings"]["competitors"].as_array().expect("board");
    assert_eq!(competitors.len(), sim.entries.len());
    for car in competitors {
        let number = car["number"].as_str().expect("number");
        let entry = sim
            .entries
            .iter()
            .find(|e| e.number == number)
            .unwrap_or_else(|| panic!("car {number} is not an imported number"));
        assert_eq!(car["name"], format!("Imported, {}", entry.name));
        assert_eq!(car["class"], entry.class.as_str());
    }
    let mut expected: Vec<String> = sim.entries.iter().map(|e| e.number.clone()).collect();
    expected.sort_by_key(|n| n.parse::<u64>().unwrap_or(u64::MAX));
    assert_eq!(
        numbers(&server, "/api/v1/tracks/club/entries").await,
        expected
    );
    // The engine's registry, as projected, lists them too.
    server.wait_projected("club").await;
    let (_, known) = server.get("/api/v1/tracks/club/competitors").await;
    assert_eq!(
        known["competitors"].as_array().expect("competitors").len(),
        sim.entries.len(),
        "{known}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_bad_file_is_refused_row_by_row_and_stores_nothing() {
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    server
        .post(
            "/api/v1/tracks/club/events",
            &json!({"id": "cup", "name": "Cup"}),
        )
        .await;
    let import = "/api/v1/tracks/club/events/cup/entries/import";
    let (status, _, _) = server
        .post_csv(import, "number,name,transponders\n1,Ann,101\n2,Bo,102\n")
        .await;
    assert_eq!(status, 200);
    server.wait_projected("club").await;
    let intents_before = server.get("/api/v1/tracks/club/control/log").await.1["intents"]
        .as_array()
        .map_or(0, Vec::len);

    // Rows 3 and 5 break the format rules (row 6 repeating row 2's number is only checked
    // against the list once every row is well-formed, as the next file shows).
    let bad = "number,name,grid,transponders\n3,Cy,1,103\n4,Di,first,104\n5,Ed,2,105\n,Nobody,3,106\n3,Again,4,107\n";
    let (status, kind, problem) = server.post_csv(import, bad).await;
    assert_eq!((status, kind.as_str()), (422, PROBLEM), "{problem}");
    let rows: Vec<(u64, &str)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["field"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(rows, [(3, "grid"), (5, "number")], "{problem}");

    // Well-formed, but row 3 takes a transponder entry 1 keeps, and row 4 repeats row 2.
    let clash = "number,transponders\n3,103\n4,101\n3,108\n";
    let (status, _, problem) = server.post_csv(import, clash).await;
    assert_eq!(status, 422, "{problem}");
    let rows: Vec<u64> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["row"].as_u64())
        .collect();
    assert_eq!(rows, [3, 4], "{problem}");
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("\"1\""),
        "{problem}"
    );

    // A header typo, a wrong content type: the whole file is refused.
    let (status, _, problem) = server.post_csv(import, "number,nmae\n9,X\n").await;
    assert_eq!(
        (status, problem["errors"][0]["row"].clone()),
        (422, json!(1)),
        "{problem}"
    );
    let (status, kind, _) = server.post(import, &json!({"number": "9"})).await;
    assert_eq!((status, kind.as_str()), (415, PROBLEM));

    let huge = format!("number,name\n1,{}\n", "x".repeat(5 * 1024 * 1024));
    let (status, kind, _) = server.post_csv(import, &huge).await;
    assert_eq!((status, kind.as_str()), (413, PROBLEM));

    // Nothing of it was stored or sent.
    assert_eq!(
        numbers(&server, "/api/v1/tracks/club/events/cup/entries").await,
        ["1", "2"]
    );
    server.wait_projected("club").await;
    let intents_after = server.get("/api/v1/tracks/club/control/log").await.1["intents"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(
        intents_after, intents_before,
        "a refused import logged an intent"
    );
    assert!(
        numbers(&server, "/api/v1/tracks/club/entries")
            .await
            .is_empty(),
        "the track's own list is separate"
    );
    server.stop().await;
}

#[tokio::test]
async fn replace_mode_removes_what_the_file_leaves_out_and_sync_resends() {
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let import = "/api/v1/tracks/club/entries/import";
    server
        .post_csv(
            import,
            "number,name,transponders\n1,Ann,101\n2,Bo,102\n3,Cy,103\n",
        )
        .await;
    // 2 leaves; its transponder moves to the new 4; 1 is unchanged; 3 is renamed.
    let (status, _, summary) = server
        .post_csv(
            &format!("{import}?mode=replace"),
            "number,name,transponders\n1,Ann,101\n3,Cyd,103\n4,Dee,102\n",
        )
        .await;
    assert_eq!(status, 200, "{summary}");
    let counts: Vec<Value> = ["created", "updated", "unchanged", "removed"]
        .iter()
        .map(|k| summary[*k].clone())
        .collect();
    assert_eq!(
        counts,
        [json!(1), json!(1), json!(1), json!(1)],
        "{summary}"
    );
    assert_eq!(
        numbers(&server, "/api/v1/tracks/club/entries").await,
        ["1", "3", "4"]
    );
    let (status, _, _) = server
        .post_csv(&format!("{import}?mode=overwrite"), "number\n1\n")
        .await;
    assert_eq!(status, 400);
    let (status, _, synced) = server
        .post("/api/v1/tracks/club/entries/sync", &json!({}))
        .await;
    assert_eq!(status, 200, "{synced}");
    server.wait_projected("club").await;
    let (_, log) = server.get("/api/v1/tracks/club/control/log").await;
    let intents = log["intents"].as_array().expect("intents");
    let last = &intents[intents.len() - 1]["intent"]["entries"];
    assert_eq!(
        last.as_array().map(Vec::len),
        Some(3),
        "sync sends the whole list: {log}"
    );
    let moved = &intents[1]["intent"]["entries"];
    let order: Vec<(String, usize)> = moved
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["number"].as_str().unwrap_or("").to_owned(),
                e["transponders"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("2".to_owned(), 0),
            ("3".to_owned(), 0),
            ("4".to_owned(), 1),
            ("3".to_owned(), 1)
        ],
        "transponders leave before they are given"
    );
    let (_, known) = server.get("/api/v1/tracks/club/competitors").await;
    let names: Vec<&str> = known["competitors"]
        .as_array()
        .expect("competitors")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Ann", "Bo", "Cyd", "Dee"],
        "the engine keeps entry 2 without transponders: {known}"
    );
    server.stop().await;
}
