//! `checkered demo`: one command brings up the server with three simulated tracks, each
//! fed by its simulated equipment through real relays (P3 decoders and an RMonitor results
//! feed), the board, and live scoring.

use crate::helpers::Reaped;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_demo_serves_three_live_tracks() {
    let mut child = Reaped(
        Command::new(env!("CARGO_BIN_EXE_checkered"))
            .args(["demo", "--listen", "127.0.0.1:0", "--speed", "40"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn checkered demo"),
    );
    let child = &mut child.0;
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("first line");
    // It prints the console login it created, with no setup.
    let mut login = String::new();
    while !login.contains("Console login") {
        login.clear();
        assert!(
            stdout.read_line(&mut login).expect("line") > 0,
            "no login printed"
        );
    }
    let credentials = login
        .rsplit(": ")
        .next()
        .expect("credentials")
        .trim()
        .to_owned();
    let (email, password) = credentials.split_once(" / ").expect("email / password");
    let (email, password) = (email.to_owned(), password.to_owned());
    // Keep reading what else it prints: a closed pipe must not be what the test measures.
    let drain = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // Sign in with the printed login (the raw log and dead letters are members-only).
    let token = runtime.block_on(async {
        let answer: Value = reqwest::Client::new()
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login answer");
        answer["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    });
    let get = |path: &str| -> Option<Value> {
        runtime.block_on(async {
            reqwest::Client::new()
                .get(format!("{base}{path}"))
                .bearer_auth(&token)
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()
        })
    };
    // Every track gets scored laps within the time limit (40x real time).
    let deadline = Instant::now() + Duration::from_secs(60);
    let tracks = ["kart-club", "club-circuit", "bmx-park"];
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < tracks.len() {
        for track in tracks {
            if let Some(board) = get(&format!("/api/v1/tracks/{track}/standings")) {
                let competitors = board["standings"]["competitors"].as_array().cloned();
                if competitors.is_some_and(|c| c.iter().any(|car| car["laps"].as_i64() > Some(0))) {
                    seen.insert(track);
                }
            }
        }
        assert!(Instant::now() < deadline, "tracks scored so far: {seen:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let listed = get("/api/v1/tracks").expect("tracks");
    assert_eq!(listed["tracks"].as_array().map(Vec::len), Some(3));
    // The club circuit is an RMonitor results feed, scored from its lines alone: every raw
    // event is an RMONITOR line, none was rejected, and the feed named the session.
    let raw = get("/api/v1/tracks/club-circuit/raw?limit=500").expect("raw log");
    let types: std::collections::BTreeSet<String> = raw["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["envelope"]["message_type"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        types,
        std::collections::BTreeSet::from(["RMONITOR".to_owned()])
    );
    // Decoder data reached the server through the demo's relays, one per decoder (a
    // client id each, gap-free seq per boot); decisions through race control.
    let raw = get("/api/v1/tracks/kart-club/raw?limit=2000").expect("raw log");
    let mut relays = std::collections::BTreeMap::<String, Vec<u64>>::new();
    for event in raw["events"].as_array().expect("events") {
        let envelope = &event["envelope"];
        let client = envelope["client_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match envelope["message_type"].as_str() {
            Some("CONTROL") => {}
            Some("PASSING" | "STATUS" | "GET_TIME") => {
                assert!(client.starts_with("demo-kart-club-decoder-"), "{envelope}");
                relays
                    .entry(client)
                    .or_default()
                    .push(envelope["seq"].as_u64().unwrap_or(0));
            }
            other => panic!("unexpected {other:?} on the kart track"),
        }
    }
    assert!(!relays.is_empty(), "no decoder data on the kart track");
    for (client, seqs) in &relays {
        assert!(
            seqs.windows(2).all(|w| w[1] == w[0] + 1),
            "{client}: seq gaps {seqs:?}"
        );
    }
    let rejected = get("/api/v1/tracks/club-circuit/dead-letters").expect("dead letters");
    assert_eq!(
        rejected["dead_letters"].as_array().map(Vec::len),
        Some(0),
        "{rejected}"
    );
    let board = get("/api/v1/tracks/club-circuit/standings").expect("club board");
    let session = board["standings"]["session"]["name"]
        .as_str()
        .unwrap_or_default();
    assert!(
        session.starts_with("Qualifying") || session.starts_with("Race"),
        "{board}"
    );
    // Anonymous readers see the board but not the raw log.
    let status = runtime.block_on(async {
        reqwest::get(format!("{base}/api/v1/tracks/kart-club/raw"))
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(status.ok(), Some(401));
    // The web UI is served.
    let (page, feed) = runtime
        .block_on(async {
            let page = reqwest::get(format!("{base}/")).await?.text().await?;
            let feed = reqwest::get(format!("{base}/ui/feed.js"))
                .await?
                .text()
                .await?;
            Ok::<_, reqwest::Error>((page, feed))
        })
        .expect("web UI");
    assert!(page.contains("/ui/app.js"), "the web UI is served");
    assert!(
        feed.contains("/ws/v1/live"),
        "the board follows the live socket"
    );
    // SIGTERM stops it cleanly: feeds stop, the server drains, the process exits 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("try_wait") {
            break exit;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the demo did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "demo exited with {exit}");
    assert!(
        drain.join().is_ok_and(|r| r.is_ok()),
        "stdout closed cleanly"
    );
}
