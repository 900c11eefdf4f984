//! `checkered admin`: the first run on an empty data directory, then relay clients made
//! and revoked from the command line, checked against the real server.

use crate::helpers::run;
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use serde_json::{Value, json};

const PASSWORD: &str = "first-owner-password";

fn admin(dir: &std::path::Path, args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut all = vec!["admin", "--data", dir.to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    run(&all, stdin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_creates_the_owner_and_relay_clients_are_made_and_revoked() {
    // Arrange: the first organisation and owner, on an empty data directory.
    let dir = tempfile::tempdir().expect("dir");
    let init = [
        "init",
        "--org",
        "club",
        "--email",
        "Owner@Club.example",
        "--password-stdin",
    ];
    let out = admin(dir.path(), &init, format!("{PASSWORD}\n").as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("operator: true"));
    let short = admin(
        dir.path(),
        &[
            "add-user",
            "--org",
            "club",
            "--email",
            "v@club.example",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        b"short\n",
    );
    assert!(!short.status.success(), "a short password is refused");
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_owned(),
        ..ServerConfig::default()
    };
    let app = Application::build(config).await.expect("server builds");
    let base = format!("http://{}", app.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    // Act: the owner signs in (email case does not matter) and creates a track.
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "owner@club.example", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let created = http
        .post(format!("{base}/api/v1/tracks"))
        .bearer_auth(&token)
        .json(&json!({"id": "t1"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let foreign = admin(
        dir.path(),
        &["relay-client", "--org", "club", "--track", "elsewhere"],
        b"",
    );
    assert!(
        !foreign.status.success(),
        "a track of no organisation is refused"
    );
    let out = admin(
        dir.path(),
        &["relay-client", "--org", "club", "--track", "t1"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .expect("field")
            .to_owned()
    };
    let (id, secret) = (field("client_id"), field("client_secret"));
    let grant = |secret: String| {
        let (http, base, id) = (http.clone(), base.clone(), id.clone());
        async move {
            http.post(format!("{base}/api/v1/auth/token"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                ])
                .send()
                .await
                .expect("token")
                .status()
                .as_u16()
        }
    };
    // Assert: the secret works until the client is revoked.
    assert_eq!(grant(secret.clone()).await, 200);
    assert_eq!(grant("cs_wrong".into()).await, 401);
    let out = admin(
        dir.path(),
        &["revoke", "--org", "club", "--client", &id],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(grant(secret).await, 401);
    let audit: Value = http
        .get(format!("{base}/api/v1/orgs/club/audit"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = audit["audit"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for action in [
        "cli.init",
        "POST /api/v1/tracks",
        "cli.relay_client.create",
        "cli.relay_client.revoke",
    ] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    let _ = stop.send(());
    server.await.expect("server task").expect("server stopped");
}
