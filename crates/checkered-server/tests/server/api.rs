//! The API description and the metrics exposition.

use crate::helpers::{Server, race, sim_track};
use checkered_engine::SessionKind;

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let server = Server::start().await;
    let (status, doc) = server.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3."),
        "{doc}"
    );
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/ingest/batch",
        "/api/v1/tracks",
        "/api/v1/tracks/{track}",
        "/api/v1/tracks/{track}/standings",
        "/api/v1/tracks/{track}/sessions/{session}/classification",
        "/api/v1/tracks/{track}/control",
        "/api/v1/dead-letters",
        "/api/v1/tracks/{track}/events",
        "/api/v1/tracks/{track}/events/{event}",
        "/api/v1/tracks/{track}/events/{event}/sessions",
        "/api/v1/tracks/{track}/events/{event}/sessions/{id}",
        "/api/v1/tracks/{track}/entries",
        "/api/v1/tracks/{track}/entries/{number}",
        "/api/v1/tracks/{track}/entries/import",
        "/api/v1/tracks/{track}/entries/sync",
        "/api/v1/tracks/{track}/events/{event}/entries",
        "/api/v1/tracks/{track}/events/{event}/entries/{number}",
        "/api/v1/tracks/{track}/events/{event}/entries/import",
        "/api/v1/tracks/{track}/events/{event}/entries/sync",
        "/api/v1/tracks/{track}/sessions/{session}",
        "/api/v1/tracks/{track}/sessions/{session}/cars",
        "/api/v1/tracks/{track}/sessions/{session}/laps",
        "/api/v1/tracks/{track}/sessions/{session}/cars/{number}/laps",
        "/api/v1/tracks/{track}/sessions/{session}/classifications",
        "/api/v1/tracks/{track}/sessions/{session}/classifications/{version}",
        "/api/v1/tracks/{track}/sessions/{session}/flags",
        "/api/v1/tracks/{track}/competitors",
        "/api/v1/tracks/{track}/control/log",
        "/api/v1/tracks/{track}/projections",
        "/api/v1/tracks/{track}/projections/rebuild",
        "/ws/v1/live",
        "/healthz/ready",
        "/metrics",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    let import = &paths["/api/v1/tracks/{track}/entries/import"]["post"];
    assert!(
        import["requestBody"]["content"]["text/csv"].is_object(),
        "{import}"
    );
    assert!(import["responses"]["422"].is_object(), "{import}");
    let ingest = &paths["/api/ingest/batch"]["post"];
    assert!(ingest["responses"]["413"].is_object(), "{ingest}");
    assert!(doc["components"]["schemas"]["Envelope"].is_object());
    server.stop().await;
}

#[tokio::test]
async fn metrics_expose_ingest_engine_and_socket_figures() {
    let server = Server::start().await;
    server
        .create_track(&sim_track("metered", SessionKind::Race))
        .await;
    let (_, events) = race("metered", 2);
    server.ingest(&events[..300]).await;
    server.ingest(&events[..10]).await; // duplicates
    server.wait_for_seq("metered", 1).await;
    let wanted = [
        "checkered_ingest_append_seconds",
        "checkered_events_in_total{track=\"metered\"}",
        "checkered_ingest_duplicates_total",
        "checkered_derived_events_total{track=\"metered\"}",
        "checkered_engine_lag_events{track=\"metered\"}",
        "checkered_projected_events_total{track=\"metered\",stream=\"derived\"}",
        "checkered_projection_lag_events{track=\"metered\"}",
    ];
    // The engine's figures are recorded just after it publishes: poll, don't assume.
    let deadline = tokio::time::Instant::now() + crate::helpers::PATIENCE;
    loop {
        let text = reqwest::get(format!("{}/metrics", server.base))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        let missing: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|m| !text.contains(m))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{missing:?} missing from /metrics"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.stop().await;
}
