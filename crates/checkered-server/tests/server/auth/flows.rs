//! Sign-in flows: refresh rotation and reuse, logout, relay scopes and revocation, and
//! that no secret ever reaches the logs.

use super::fixture::{PASSWORD, call, expect, login, new_relay, relay_token, world};
use crate::helpers::{Relay, batch};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

fn now() -> i64 {
    checkered_server::clock::now_us()
}

fn refresh_body(token: &Value) -> Value {
    json!({"refresh_token": token.as_str().expect("refresh token")})
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_login() {
    let world = world().await;
    let server = &world.server;
    let post = reqwest::Method::POST;
    let first = login(server, "viewer@a.example").await;
    assert_eq!(first["token_type"], "Bearer");
    assert!(first["expires_in"].as_i64().expect("expires_in") > 0);
    let second = expect(
        server,
        post.clone(),
        "/api/v1/auth/refresh",
        None,
        Some(refresh_body(&first["refresh_token"])),
        200,
    )
    .await;
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let latest = second["access_token"].as_str().expect("access").to_owned();
    expect(
        server,
        reqwest::Method::GET,
        "/api/v1/orgs",
        Some(&latest),
        None,
        200,
    )
    .await;
    // The first refresh token again: theft is assumed, the family dies.
    expect(
        server,
        post.clone(),
        "/api/v1/auth/refresh",
        None,
        Some(refresh_body(&first["refresh_token"])),
        401,
    )
    .await;
    expect(
        server,
        post.clone(),
        "/api/v1/auth/refresh",
        None,
        Some(refresh_body(&second["refresh_token"])),
        401,
    )
    .await;
    expect(
        server,
        reqwest::Method::GET,
        "/api/v1/orgs",
        Some(&latest),
        None,
        401,
    )
    .await;
    // Another login of the same user is unaffected.
    let other = login(server, "viewer@a.example").await;
    let token = other["access_token"].as_str().expect("access");
    expect(
        server,
        reqwest::Method::GET,
        "/api/v1/orgs",
        Some(token),
        None,
        200,
    )
    .await;
    // The reuse is in the organisation's audit log.
    let owner = world.tokens["owner"].clone();
    let audit = expect(
        server,
        reqwest::Method::GET,
        "/api/v1/orgs/org-a/audit",
        owner.as_deref(),
        None,
        200,
    )
    .await;
    let actions: Vec<&str> = audit["audit"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    assert!(actions.contains(&"refresh.reused"), "{actions:?}");
    world.server.stop().await;
}

#[tokio::test]
async fn logout_revokes_the_login_and_its_refresh_token() {
    let world = world().await;
    let server = &world.server;
    let answer = login(server, "admin@a.example").await;
    let token = answer["access_token"].as_str().expect("access").to_owned();
    expect(
        server,
        reqwest::Method::POST,
        "/api/v1/auth/logout",
        Some(&token),
        None,
        204,
    )
    .await;
    expect(
        server,
        reqwest::Method::GET,
        "/api/v1/orgs",
        Some(&token),
        None,
        401,
    )
    .await;
    let body = refresh_body(&answer["refresh_token"]);
    expect(
        server,
        reqwest::Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(body),
        401,
    )
    .await;
    // A wrong password is refused and audited.
    let wrong = json!({"email": "admin@a.example", "password": "not the password"});
    expect(
        server,
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(wrong),
        401,
    )
    .await;
    let owner = world.tokens["owner"].clone();
    let audit = expect(
        server,
        reqwest::Method::GET,
        "/api/v1/orgs/org-a/audit",
        owner.as_deref(),
        None,
        200,
    )
    .await;
    let failed = audit["audit"].as_array().expect("rows").iter().any(|r| {
        r["action"] == "login.failed"
            && r["actor"] == "admin@a.example"
            && r["remote_addr"].is_string()
    });
    assert!(failed, "{audit}");
    world.server.stop().await;
}

#[tokio::test]
async fn a_relay_scoped_to_alpha_cannot_write_to_beta_and_revocation_applies_at_once() {
    let world = world().await;
    let server = &world.server;
    let (id, secret) = world.relay.clone();
    let token = relay_token(server, &id, &secret).await;
    let mut alpha = Relay::new("alpha", "relay-a");
    let mut beta = Relay::new("beta", "relay-a");
    let events = vec![
        alpha.envelope(now(), "CONTROL", json!({"type": "flag", "flag": "green"})),
        beta.envelope(now(), "CONTROL", json!({"type": "flag", "flag": "red"})),
    ];
    let post = reqwest::Method::POST;
    let answer = expect(
        server,
        post.clone(),
        "/api/ingest/batch",
        Some(&token),
        Some(batch(&events)),
        200,
    )
    .await;
    assert_eq!(answer["accepted"], 1, "{answer}");
    assert_eq!(answer["rejected"][0]["index"], 1, "{answer}");
    let reason = answer["rejected"][0]["reason"].as_str().expect("reason");
    assert!(reason.contains("outside"), "{reason}");
    let owner = world.tokens["owner"].clone();
    let (raw_status, _, raw) = call(
        server,
        reqwest::Method::GET,
        "/api/v1/tracks/beta/raw",
        world.tokens["foreign_owner"].as_deref(),
        None,
    )
    .await;
    assert_eq!(raw_status, 200);
    assert!(!raw.contains("\"red\""), "beta's log got the event: {raw}");
    // A user token cannot ingest at all.
    let more = vec![alpha.envelope(now(), "CONTROL", json!({"type": "flag", "flag": "yellow"}))];
    expect(
        server,
        post.clone(),
        "/api/ingest/batch",
        owner.as_deref(),
        Some(batch(&more)),
        403,
    )
    .await;
    // Revoked: the very next batch is refused, and no new token is issued.
    let path = format!("/api/v1/orgs/org-a/relay-clients/{id}");
    expect(
        server,
        reqwest::Method::DELETE,
        &path,
        owner.as_deref(),
        None,
        204,
    )
    .await;
    expect(
        server,
        post.clone(),
        "/api/ingest/batch",
        Some(&token),
        Some(batch(&more)),
        401,
    )
    .await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", server.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
            ("client_secret", secret.as_str()),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), 401);
    // A relay client cannot be scoped to another organisation's track.
    let body = json!({"name": "sneaky", "tracks": ["beta"]});
    expect(
        server,
        post,
        "/api/v1/orgs/org-a/relay-clients",
        owner.as_deref(),
        Some(body),
        422,
    )
    .await;
    world.server.stop().await;
}

/// Everything the process logs, for the secrets test (installed once per test binary).
fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Capture(buffer.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || sink.clone())
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    })
    .clone()
}

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_appear_in_the_logs() {
    let logs = captured();
    let world = world().await;
    let server = &world.server;
    let owner = world.tokens["owner"].clone().expect("owner");
    // Every kind of secret crosses the server, right and wrong.
    let answer = login(server, "viewer@a.example").await;
    let wrong = json!({"email": "viewer@a.example", "password": "hunter2-wrong-password"});
    expect(
        server,
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(wrong),
        401,
    )
    .await;
    let refreshed = expect(
        server,
        reqwest::Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(refresh_body(&answer["refresh_token"])),
        200,
    )
    .await;
    let (id, secret) = new_relay(server, &owner, "org-a", &["alpha"]).await;
    let relay = relay_token(server, &id, &secret).await;
    let bad = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", server.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
            ("client_secret", "cs_wrong-secret-value"),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(bad.status(), 401);
    let mut alpha = Relay::new("alpha", "relay-a");
    let events = vec![alpha.envelope(now(), "CONTROL", json!({"type": "flag", "flag": "green"}))];
    let ingested = expect(
        server,
        reqwest::Method::POST,
        "/api/ingest/batch",
        Some(&relay),
        Some(batch(&events)),
        200,
    )
    .await;
    assert_eq!(ingested["accepted"], 1, "{ingested}");
    expect(
        server,
        reqwest::Method::POST,
        "/api/v1/tracks/alpha/control",
        Some(&owner),
        Some(json!({"intent": {"type": "flag", "flag": "yellow"}})),
        202,
    )
    .await;
    // The intent is audited: who, what, when, from where; outsiders cannot read it.
    let get = reqwest::Method::GET;
    let audit = expect(
        server,
        get.clone(),
        "/api/v1/orgs/org-a/audit",
        Some(&owner),
        None,
        200,
    )
    .await;
    let rows = audit["audit"].as_array().expect("rows");
    let intent = rows
        .iter()
        .find(|r| r["action"] == "POST /api/v1/tracks/{track}/control")
        .unwrap_or_else(|| panic!("no intent in {audit}"));
    assert!(
        intent["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("user:")),
        "{intent}"
    );
    assert_eq!(intent["target"], "alpha");
    let from = intent["remote_addr"].as_str().unwrap_or_default();
    assert!(from.starts_with("127.0.0.1:"), "{intent}");
    assert!(intent["at_us"].as_i64().is_some_and(|t| t > 0), "{intent}");
    let foreign = world.tokens["foreign_owner"].clone();
    expect(
        server,
        get,
        "/api/v1/orgs/org-a/audit",
        foreign.as_deref(),
        None,
        403,
    )
    .await;
    world.server.stop().await;
    let text =
        String::from_utf8_lossy(&logs.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(
        text.contains("login failed"),
        "the capture holds the server's logs"
    );
    let secrets = [
        PASSWORD.to_owned(),
        "hunter2-wrong-password".to_owned(),
        answer["access_token"].as_str().expect("a").to_owned(),
        answer["refresh_token"].as_str().expect("r").to_owned(),
        refreshed["refresh_token"].as_str().expect("r").to_owned(),
        secret,
        "cs_wrong-secret-value".to_owned(),
        relay,
        owner,
    ];
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret is in the logs");
    }
}
