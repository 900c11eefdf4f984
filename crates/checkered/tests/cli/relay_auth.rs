//! `checkered relay --client-id … --client-secret …` against a server with authorisation
//! on: the relay trades its credentials for tokens and delivers a capture; once the client
//! is revoked it stops with the server's reason instead of retrying for ever.

use crate::helpers::{data, json_lines};
use checkered_server::auth::bootstrap;
use checkered_server::auth::secrets::Cost;
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use checkered_store::identity::SqliteIdentity;
use serde_json::{Value, json};
use std::process::{Command, Output};

fn relay(base: &str, track: &str, id: &str, secret: &str, spool: &std::path::Path) -> Output {
    let source = format!("file://{}?speed=max", data("rmonitor/redmist-TestGap.log"));
    Command::new(env!("CARGO_BIN_EXE_checkered"))
        .args([
            "relay", "--source", &source, "--ingest", base, "--track", track,
        ])
        .args(["--client-id", id, "--spool"])
        .arg(spool)
        .env("CHECKERED_CLIENT_SECRET", secret)
        .env("RUST_LOG", "warn")
        .env_remove("CHECKERED_INGEST_TOKEN")
        .output()
        .expect("run checkered relay")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_with_client_credentials_delivers_until_revoked() {
    // Arrange: a secured server, its owner, a track and a relay client for it.
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteIdentity::open(dir.path()).expect("store");
    let cost = Cost {
        memory_kib: 64,
        iterations: 1,
    };
    bootstrap::init(
        &store,
        cost,
        "club",
        None,
        "o@club.example",
        Some("owner-password"),
    )
    .await
    .expect("init");
    drop(store);
    let mut config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_owned(),
        ..ServerConfig::default()
    };
    config.auth.argon2_memory_kib = 64;
    config.auth.argon2_iterations = 1;
    let app = Application::build(config).await.expect("server builds");
    let base = format!("http://{}", app.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "o@club.example", "password": "owner-password"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let post = |path: &str, body: Value| {
        let request = http
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body);
        async move {
            request
                .send()
                .await
                .expect("post")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    post("/api/v1/tracks", json!({"id": "road-america"})).await;
    let client = post(
        "/api/v1/orgs/club/relay-clients",
        json!({"name": "ra", "tracks": ["road-america"]}),
    )
    .await;
    let id = client["client_id"].as_str().expect("id").to_owned();
    let secret = client["client_secret"].as_str().expect("secret").to_owned();
    let spool = tempfile::tempdir().expect("spool");

    // Act: relay a capture with the credentials.
    let out = relay(&base, "road-america", &id, &secret, spool.path());

    // Assert: every event acknowledged.
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = &json_lines(&out.stdout)[0];
    assert_eq!(summary["accepted"], summary["read"], "{summary}");
    assert!(summary["read"].as_u64() > Some(100), "{summary}");

    // Revoked: the relay stops with the reason rather than retrying.
    let revoked = http
        .delete(format!("{base}/api/v1/orgs/club/relay-clients/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), 204);
    let again = tempfile::tempdir().expect("spool");
    let out = relay(&base, "road-america", &id, &secret, again.path());
    assert!(!out.status.success(), "a revoked relay must not succeed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("credentials"), "{stderr}");
    assert!(!stderr.contains(&secret), "the secret is never printed");
    let _ = stop.send(());
    server.await.expect("server task").expect("server stopped");
}
