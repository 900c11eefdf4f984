//! External identity providers: tokens of a configured OIDC issuer, verified against the
//! JWKS a tiny axum server serves here, with organisation and role mapped from claims.

use super::fixture::{COST, PASSWORD, access, call, expect};
use crate::helpers::Server;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use checkered_server::auth::bootstrap;
use checkered_server::auth::oidc::OidcIssuer;
use checkered_store::identity::SqliteIdentity;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// An Ed25519 key: its PKCS#8 DER (for signing) and its JWK (for the JWKS).
fn key(seed: [u8; 32], kid: &str) -> (EncodingKey, Value) {
    let public = ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes();
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&seed);
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(public), "kid": kid, "alg": "EdDSA", "use": "sig"});
    (EncodingKey::from_ed_der(&der), jwk)
}

fn token(key: &EncodingKey, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).expect("sign")
}

/// Serves `{"keys": [jwk]}` at `/jwks` on a free port; returns its URL.
async fn jwks_server(jwk: Value) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let set = json!({"keys": [jwk]});
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || async move { axum::Json(set) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/jwks")
}

#[tokio::test]
async fn tokens_of_a_configured_issuer_are_mapped_to_organisation_and_role() {
    // Arrange: an identity provider's key and JWKS, and a server trusting it.
    let (signing, jwk) = key([3u8; 32], "idp-1");
    let (stranger, _) = key([4u8; 32], "idp-1");
    let jwks_url = jwks_server(jwk).await;
    let issuer = "https://idp.example/realms/series";
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteIdentity::open(dir.path()).expect("store");
    bootstrap::init(
        &store,
        COST,
        "org-a",
        None,
        "owner@a.example",
        Some(PASSWORD),
    )
    .await
    .expect("init");
    drop(store);
    let config = OidcIssuer {
        issuer: issuer.into(),
        jwks_url,
        audience: Some("checkered".into()),
        org_claim: "club".into(),
        role_claim: "groups".into(),
        org: None,
        roles: [("race-director".to_owned(), "race_control".to_owned())].into(),
    };
    let server = Server::start_in(dir.path().to_owned(), |c| {
        c.auth.enabled = true;
        c.auth.oidc = vec![config];
    })
    .await;
    let owner = access(&server, "owner@a.example").await;
    expect(
        &server,
        reqwest::Method::POST,
        "/api/v1/tracks",
        Some(&owner),
        Some(json!({"id": "alpha"})),
        201,
    )
    .await;
    let now = checkered_server::clock::now_us() / 1_000_000;
    let claims = |groups: Value, exp: i64| json!({"iss": issuer, "sub": "kc-user-1", "aud": "checkered", "club": "org-a", "groups": groups, "exp": exp, "iat": now});
    let intent = json!({"intent": {"type": "flag", "flag": "green"}});
    let control = "/api/v1/tracks/alpha/control";
    let post = reqwest::Method::POST;

    // Act and assert: a race director of org-a may send intents…
    let director = token(
        &signing,
        "idp-1",
        &claims(json!(["staff", "race-director"]), now + 300),
    );
    expect(
        &server,
        post.clone(),
        control,
        Some(&director),
        Some(intent.clone()),
        202,
    )
    .await;
    // …a viewer may read the members-only log but not send intents…
    let viewer = token(&signing, "idp-1", &claims(json!("viewer"), now + 300));
    expect(
        &server,
        reqwest::Method::GET,
        "/api/v1/tracks/alpha/control/log",
        Some(&viewer),
        None,
        200,
    )
    .await;
    expect(
        &server,
        post.clone(),
        control,
        Some(&viewer),
        Some(intent.clone()),
        403,
    )
    .await;
    // …a role of another organisation counts for nothing here…
    let other_org = token(
        &signing,
        "idp-1",
        &json!({"iss": issuer, "sub": "u2", "aud": "checkered", "club": "org-b", "groups": "owner", "exp": now + 300}),
    );
    expect(
        &server,
        post.clone(),
        control,
        Some(&other_org),
        Some(intent.clone()),
        403,
    )
    .await;
    // …and expired, foreign-key, wrong-audience and symmetric tokens are refused.
    let expired = token(&signing, "idp-1", &claims(json!("race-director"), now - 1));
    let forged = token(
        &stranger,
        "idp-1",
        &claims(json!("race-director"), now + 300),
    );
    let mut wrong_aud = claims(json!("race-director"), now + 300);
    wrong_aud["aud"] = json!("someone-else");
    let wrong_aud = token(&signing, "idp-1", &wrong_aud);
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some("idp-1".into());
    let symmetric = jsonwebtoken::encode(
        &hs,
        &claims(json!("race-director"), now + 300),
        &EncodingKey::from_secret(b"public"),
    )
    .expect("sign");
    for bad in [expired, forged, wrong_aud, symmetric] {
        let (status, _, text) = call(
            &server,
            post.clone(),
            control,
            Some(&bad),
            Some(intent.clone()),
        )
        .await;
        assert_eq!(status, 401, "{text}");
    }
    // The built-in issuer still works beside it.
    expect(&server, post, control, Some(&owner), Some(intent), 202).await;
    server.stop().await;
}
