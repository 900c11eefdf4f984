//! Event visibility: a private event is invisible to anyone outside its organisation, on
//! REST and on the live WebSocket, and while it runs it hides the track's live data.

use super::fixture::{call, expect, world};
use serde_json::json;

async fn ws(base: &str, query: &str) -> Result<(), u16> {
    let url = format!("{}/ws/v1/live?{query}", base.replace("http://", "ws://"));
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => Ok(()),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(other) => panic!("websocket failed: {other}"),
    }
}

#[tokio::test]
async fn a_private_event_is_hidden_from_other_organisations_on_rest_and_websocket() {
    let world = world().await;
    let server = &world.server;
    let foreign = world.tokens["foreign_owner"].clone().expect("foreign");
    let viewer = world.tokens["viewer"].clone().expect("viewer");
    let get = reqwest::Method::GET;
    // The (future) private event: members see it, nobody else does.
    expect(
        server,
        get.clone(),
        "/api/v1/tracks/alpha/events/secret",
        Some(&viewer),
        None,
        200,
    )
    .await;
    expect(
        server,
        get.clone(),
        "/api/v1/tracks/alpha/events/secret",
        Some(&foreign),
        None,
        404,
    )
    .await;
    expect(
        server,
        get.clone(),
        "/api/v1/tracks/alpha/events/secret",
        None,
        None,
        404,
    )
    .await;
    let base = &server.base;
    assert_eq!(
        ws(
            base,
            &format!("track_id=alpha&event_id=secret&access_token={foreign}")
        )
        .await,
        Err(404)
    );
    assert_eq!(ws(base, "track_id=alpha&event_id=secret").await, Err(404));
    ws(
        base,
        &format!("track_id=alpha&event_id=secret&access_token={viewer}"),
    )
    .await
    .expect("member subscribes");
    // The public track is open to all while nothing private runs.
    ws(base, "track_id=alpha").await.expect("public track");
    // A private test day running now hides the whole track from outsiders.
    let owner = world.tokens["owner"].clone();
    let now = checkered_server::clock::now_us();
    let day = json!({"id": "test-day", "name": "Private test day", "visibility": "private", "starts_at_us": now - 1_000_000});
    expect(
        server,
        reqwest::Method::POST,
        "/api/v1/tracks/alpha/events",
        owner.as_deref(),
        Some(day),
        201,
    )
    .await;
    assert_eq!(ws(base, "track_id=alpha").await, Err(404));
    assert_eq!(
        ws(base, &format!("track_id=alpha&access_token={foreign}")).await,
        Err(404)
    );
    let (status, _, _) = call(
        server,
        get.clone(),
        "/api/v1/tracks/alpha/standings",
        Some(&foreign),
        None,
    )
    .await;
    assert_eq!(status, 404);
    ws(base, &format!("track_id=alpha&access_token={viewer}"))
        .await
        .expect("member follows the test day");
    expect(
        server,
        get,
        "/api/v1/tracks/alpha/standings",
        Some(&viewer),
        None,
        200,
    )
    .await;
    world.server.stop().await;
}

#[tokio::test]
async fn an_unlisted_event_needs_its_access_code_and_stays_out_of_lists() {
    let world = world().await;
    let server = &world.server;
    let owner = world.tokens["owner"].clone();
    let foreign = world.tokens["foreign_owner"].clone().expect("foreign");
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;
    let no_code = json!({"id": "club-night", "name": "Club night", "visibility": "unlisted"});
    expect(
        server,
        post.clone(),
        "/api/v1/tracks/alpha/events",
        owner.as_deref(),
        Some(no_code),
        422,
    )
    .await;
    let now = checkered_server::clock::now_us();
    let event = json!({"id": "club-night", "name": "Club night", "visibility": "unlisted",
        "access_code": "lap-42", "starts_at_us": now - 1_000_000});
    expect(
        server,
        post,
        "/api/v1/tracks/alpha/events",
        owner.as_deref(),
        Some(event),
        201,
    )
    .await;
    let path = "/api/v1/tracks/alpha/events/club-night";
    expect(server, get.clone(), path, None, None, 404).await;
    expect(
        server,
        get.clone(),
        &format!("{path}?code=wrong"),
        Some(&foreign),
        None,
        404,
    )
    .await;
    expect(
        server,
        get.clone(),
        &format!("{path}?code=lap-42"),
        None,
        None,
        200,
    )
    .await;
    let (status, _, _) = call(
        server,
        get.clone(),
        "/api/v1/tracks/alpha/standings",
        None,
        None,
    )
    .await;
    assert_eq!(
        status, 404,
        "the running unlisted event hides the track without the code"
    );
    expect(
        server,
        get.clone(),
        "/api/v1/tracks/alpha/standings?code=lap-42",
        None,
        None,
        200,
    )
    .await;
    let base = &server.base;
    assert_eq!(
        ws(base, "track_id=alpha&event_id=club-night").await,
        Err(404)
    );
    ws(base, "track_id=alpha&event_id=club-night&code=lap-42")
        .await
        .expect("with the code");
    // Lists show outsiders the public events only; members see all.
    let listed = expect(
        server,
        get.clone(),
        "/api/v1/tracks/alpha/events?code=lap-42",
        None,
        None,
        200,
    )
    .await;
    let ids: Vec<&str> = listed["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, vec!["ev"], "{listed}");
    let viewer = world.tokens["viewer"].clone();
    let listed = expect(
        server,
        get,
        "/api/v1/tracks/alpha/events",
        viewer.as_deref(),
        None,
        200,
    )
    .await;
    assert_eq!(
        listed["events"].as_array().map(Vec::len),
        Some(3),
        "{listed}"
    );
    world.server.stop().await;
}
