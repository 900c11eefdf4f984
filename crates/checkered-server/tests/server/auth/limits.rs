//! Rate limits: brute-force sign-in is slowed to the configured pace with 429 and
//! `Retry-After`, whatever the password.

use super::fixture::{COST, PASSWORD, call};
use crate::helpers::Server;
use checkered_server::auth::bootstrap;
use checkered_store::identity::SqliteIdentity;
use serde_json::json;

#[tokio::test]
async fn brute_force_sign_in_is_slowed_by_the_rate_limit() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteIdentity::open(dir.path()).expect("store");
    bootstrap::init(
        &store,
        COST,
        "club",
        None,
        "owner@club.example",
        Some(PASSWORD),
    )
    .await
    .expect("init");
    drop(store);
    let server = Server::start_in(dir.path().to_owned(), |c| {
        c.auth.enabled = true;
        c.auth.login_per_minute = 5;
    })
    .await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for n in 0..12 {
        let body = json!({"email": "owner@club.example", "password": format!("guess-{n:04}")});
        let (status, headers, text) = call(
            &server,
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(body),
        )
        .await;
        if status == 429 {
            assert!(text.contains("too many"), "{text}");
            retry_after = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    let wait: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    // Even the right password waits: the limit is on attempts, not on failures.
    let body = json!({"email": "owner@club.example", "password": PASSWORD});
    let (status, _, _) = call(
        &server,
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, 429);
    server.stop().await;
}
