//! A secured server with two organisations and a member of every role, ready-made
//! credentials, and forged tokens (expired, other key, `alg: none`).

use crate::helpers::Server;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use checkered_server::auth::bootstrap;
use checkered_server::auth::secrets::{self, Cost};
use checkered_server::auth::token::{Claims, ISSUER, Keys};
use checkered_store::identity::SqliteIdentity;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Cheap hashing for tests.
pub const COST: Cost = Cost {
    memory_kib: 64,
    iterations: 1,
};

/// Every password of the fixture.
pub const PASSWORD: &str = "correct horse battery";

/// The secured server and a bearer token per subject name (`None`: anonymous).
pub struct World {
    /// The server (authorisation on).
    pub server: Server,
    /// Subject name → bearer token.
    pub tokens: BTreeMap<&'static str, Option<String>>,
    /// Relay client of `alpha` (id, secret).
    pub relay: (String, String),
    /// The data directory guard.
    _dir: tempfile::TempDir,
}

/// An HTTP call with an optional bearer token: status, headers, body text.
pub async fn call(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", server.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

/// `call` returning JSON, asserting the status.
pub async fn expect(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    status: u16,
) -> Value {
    let (got, _, text) = call(server, method.clone(), path, token, body).await;
    assert_eq!(got, status, "{method} {path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Signs in; returns the whole answer.
pub async fn login(server: &Server, email: &str) -> Value {
    let body = json!({"email": email, "password": PASSWORD});
    expect(
        server,
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(body),
        200,
    )
    .await
}

/// The access token of a sign-in.
pub async fn access(server: &Server, email: &str) -> String {
    login(server, email).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Trades relay credentials for an access token.
pub async fn relay_token(server: &Server, id: &str, secret: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", server.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), 200, "client credentials refused");
    let body: Value = response.json().await.expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}

/// Creates a relay client of `org` for `tracks` as `token`; returns (id, secret).
pub async fn new_relay(
    server: &Server,
    token: &str,
    org: &str,
    tracks: &[&str],
) -> (String, String) {
    let body = json!({"name": "relay", "tracks": tracks});
    let path = format!("/api/v1/orgs/{org}/relay-clients");
    let got = expect(
        server,
        reqwest::Method::POST,
        &path,
        Some(token),
        Some(body),
        201,
    )
    .await;
    (
        got["client_id"].as_str().expect("id").to_owned(),
        got["client_secret"].as_str().expect("secret").to_owned(),
    )
}

fn forge(claims: &Claims, key: &[u8]) -> String {
    Keys::new(key).sign(claims).expect("sign")
}

/// Builds the world: operator (org `series`), org `org-a` with one member per role and
/// track `alpha` (public event `ev`, private event `secret` later this year), org `org-b`
/// with its owner and track `beta`.
pub async fn world() -> World {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteIdentity::open(dir.path()).expect("identity store");
    let init = |org: &'static str, email: &'static str| {
        let store = store.clone();
        async move {
            bootstrap::init(&store, COST, org, None, email, Some(PASSWORD))
                .await
                .expect("init")
        }
    };
    init("series", "operator@example.org").await;
    let owner_a = init("org-a", "owner@a.example").await;
    init("org-b", "owner@b.example").await;
    drop(store);
    let server = Server::start_in(dir.path().to_owned(), |c| {
        c.auth.enabled = true;
        // The matrix signs in and reads a lot from one address; `limits` tests the limits.
        c.auth.login_per_minute = 10_000;
        c.auth.public_per_second = 10_000;
    })
    .await;
    let owner = access(&server, "owner@a.example").await;
    for role in ["admin", "race_control", "timing_official", "viewer"] {
        let body =
            json!({"email": format!("{role}@a.example"), "password": PASSWORD, "role": role});
        expect(
            &server,
            reqwest::Method::POST,
            "/api/v1/orgs/org-a/users",
            Some(&owner),
            Some(body),
            201,
        )
        .await;
    }
    let owner_b = access(&server, "owner@b.example").await;
    let post = reqwest::Method::POST;
    expect(
        &server,
        post.clone(),
        "/api/v1/tracks",
        Some(&owner),
        Some(json!({"id": "alpha"})),
        201,
    )
    .await;
    expect(
        &server,
        post.clone(),
        "/api/v1/tracks",
        Some(&owner_b),
        Some(json!({"id": "beta"})),
        201,
    )
    .await;
    let ev = json!({"id": "ev", "name": "Club day"});
    expect(
        &server,
        post.clone(),
        "/api/v1/tracks/alpha/events",
        Some(&owner),
        Some(ev),
        201,
    )
    .await;
    let year = 365 * 24 * 3600 * 1_000_000_i64;
    let now = checkered_server::clock::now_us();
    let secret = json!({"id": "secret", "name": "Test day", "visibility": "private",
        "starts_at_us": now + year / 2, "ends_at_us": now + year});
    expect(
        &server,
        post.clone(),
        "/api/v1/tracks/alpha/events",
        Some(&owner),
        Some(secret),
        201,
    )
    .await;
    let relay = new_relay(&server, &owner, "org-a", &["alpha"]).await;
    let relay_access = relay_token(&server, &relay.0, &relay.1).await;
    let revoked = new_relay(&server, &owner, "org-a", &["alpha"]).await;
    let revoked_access = relay_token(&server, &revoked.0, &revoked.1).await;
    let path = format!("/api/v1/orgs/org-a/relay-clients/{}", revoked.0);
    expect(
        &server,
        reqwest::Method::DELETE,
        &path,
        Some(&owner),
        None,
        204,
    )
    .await;
    let key = secrets::signing_key(dir.path()).expect("key");
    let now_s = now / 1_000_000;
    let claims = Claims {
        iss: ISSUER.into(),
        sub: owner_a.id.clone(),
        kind: "user".into(),
        fam: None,
        iat: now_s - 3600,
        exp: now_s - 1,
    };
    let expired = forge(&claims, &key);
    let fresh = Claims {
        exp: now_s + 600,
        ..claims
    };
    let other_key = forge(&fresh, &[9u8; 32]);
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&fresh).expect("claims"));
    let alg_none = format!("{header}.{payload}.");
    let mut tokens = BTreeMap::new();
    tokens.insert("owner", Some(owner));
    for role in ["admin", "race_control", "timing_official", "viewer"] {
        tokens.insert(
            role,
            Some(access(&server, &format!("{role}@a.example")).await),
        );
    }
    tokens.insert("foreign_owner", Some(owner_b));
    tokens.insert(
        "operator",
        Some(access(&server, "operator@example.org").await),
    );
    tokens.insert("relay", Some(relay_access));
    tokens.insert("revoked_relay", Some(revoked_access));
    tokens.insert("anonymous", None);
    tokens.insert("expired", Some(expired));
    tokens.insert("other_key", Some(other_key));
    tokens.insert("alg_none", Some(alg_none));
    World {
        server,
        tokens,
        relay,
        _dir: dir,
    }
}
