//! `checkered replay` on every shared RMonitor capture: agreement with the feed's own
//! positions, session boundaries, entry lists and final classifications read off the
//! captures.

use crate::helpers::{data, run};
use checkered_protocol::rmonitor::{Record, decode_line};
use serde_json::Value;
use std::collections::BTreeMap;

/// A replay's `--out` document and the `--check-feed` summary line.
struct Replay {
    sessions: Vec<Value>,
    check: Value,
    stdout: String,
}

fn replay(format: &str, file: &str) -> Replay {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("results.json");
    let output = run(
        &[
            "replay",
            "--format",
            format,
            "--check-feed",
            "--out",
            out.to_str().expect("utf-8 path"),
            &data(&format!("rmonitor/{file}")),
        ],
        b"",
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let check = serde_json::from_str(stdout.lines().last().expect("a last line")).expect("json");
    let text = std::fs::read_to_string(&out).expect("--out written");
    let sessions = serde_json::from_str::<Vec<Value>>(&text).expect("an array");
    Replay {
        sessions,
        check,
        stdout,
    }
}

/// The feed's last stated position of every car, from the lines of `text` that `keep`
/// selects: `$G` (race) or `$H` (best lap) positions of cars that have a result, in
/// position order. This reads the feed, not the engine.
fn feed_final_order(text: &str, best_lap: bool) -> Vec<String> {
    let mut last: BTreeMap<String, u32> = BTreeMap::new();
    for line in text.lines() {
        match decode_line(line.as_bytes()) {
            Ok(Record::RacePosition {
                position,
                reg_no,
                laps: Some(laps),
                ..
            }) if !best_lap && laps >= 1 => {
                last.insert(reg_no.into(), position);
            }
            Ok(Record::PracticePosition {
                position,
                reg_no,
                best_lap_time,
                ..
            }) if best_lap && best_lap_time.ms() > 0 && !best_lap_time.is_no_passing() => {
                last.insert(reg_no.into(), position);
            }
            _ => {}
        }
    }
    let mut order: Vec<(u32, String)> = last.into_iter().map(|(r, p)| (p, r)).collect();
    order.sort();
    order.into_iter().map(|(_, r)| r).collect()
}

/// The numbers of a classification's cars with a result, in position order.
fn engine_order(session: &Value, best_lap: bool) -> Vec<String> {
    session["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| {
            if best_lap {
                !r["best_lap"].is_null()
            } else {
                r["laps"].as_i64().unwrap_or(0) >= 1
            }
        })
        .map(|r| r["number"].as_str().expect("number").to_owned())
        .collect()
}

/// (name, kind, competitors) of each session.
fn shape(replay: &Replay) -> Vec<(String, String, usize)> {
    replay
        .sessions
        .iter()
        .map(|s| {
            (
                s["session"].as_str().expect("name").to_owned(),
                s["kind"].as_str().expect("kind").to_owned(),
                s["results"].as_array().expect("results").len(),
            )
        })
        .collect()
}

fn owned(v: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
    v.iter()
        .map(|(n, k, c)| ((*n).to_owned(), (*k).to_owned(), *c))
        .collect()
}

fn assert_agreement(replay: &Replay, sessions: u64) {
    let check = &replay.check;
    assert_eq!(check["sessions"], sessions, "{check}");
    assert!(check["checked"].as_u64().unwrap_or(0) > 0, "{check}");
    let agreement = check["agreement"].as_f64().expect("agreement");
    assert!(
        agreement >= 0.99,
        "agreement {agreement} below 99 %: {check}"
    );
}

#[test]
fn orbits_mock_race_is_classified_as_the_feed_finished_it() {
    // Act
    let r = replay("rmonitor", "orbits-mock-session.txt");
    // Assert: one race, six Formula Vee cars, the order and times of the last $G lines.
    assert_eq!(shape(&r), owned(&[("Test Race", "race", 6)]));
    assert_agreement(&r, 1);
    let results = r.sessions[0]["results"].as_array().expect("results");
    let row = |i: usize| {
        let c = &results[i];
        (
            c["number"].as_str().unwrap_or_default().to_owned(),
            c["laps"].as_i64().unwrap_or(-1),
            c["total_time"].as_str().unwrap_or_default().to_owned(),
            c["status"].as_str().unwrap_or_default().to_owned(),
        )
    };
    assert_eq!(
        row(0),
        ("3".into(), 8, "5:14.808".into(), "finished".into())
    );
    assert_eq!(
        row(1),
        ("4".into(), 8, "5:16.121".into(), "finished".into())
    );
    assert_eq!(
        row(3),
        ("5".into(), 8, "5:42.891".into(), "finished".into())
    );
    assert_eq!(results[0]["name"], "Morgan Freeman");
    assert_eq!(results[0]["class"], "Formula Vee");
    assert_eq!(results[0]["best_lap"], "33.271");
    let text = std::fs::read_to_string(data("rmonitor/orbits-mock-session.txt")).expect("read");
    assert_eq!(
        engine_order(&r.sessions[0], false),
        feed_final_order(&text, false)
    );
    // The human-readable table names the session and its winner.
    assert!(r.stdout.contains("Test Race"), "{}", r.stdout);
    assert!(r.stdout.contains("Morgan Freeman"), "{}", r.stdout);
}

#[test]
fn sebring_test_session_is_a_practice_ranked_like_the_feeds_best_laps() {
    // Act
    let r = replay("rmonitor", "imsa-sebring-2009-session4.txt");
    // Assert: "Test Session 4" is practice; the placeholder entry list loaded after the
    // session ended (no passing, 00:59:59.999 times) opens no session.
    assert_eq!(shape(&r), owned(&[("Test Session 4", "practice", 11)]));
    assert_agreement(&r, 1);
    let best = &r.sessions[0]["results"][0];
    assert_eq!(
        (best["number"].as_str(), best["best_lap"].as_str()),
        (Some("66"), Some("1:44.811"))
    );
    let text =
        std::fs::read_to_string(data("rmonitor/imsa-sebring-2009-session4.txt")).expect("read");
    assert_eq!(
        engine_order(&r.sessions[0], true),
        feed_final_order(&text, true)
    );
}

#[test]
fn redmist_race_captures_agree_with_the_feed_and_end_in_its_order() {
    for (file, cars) in [
        ("redmist-TestStart.log", 52),
        ("redmist-TestGap.log", 76),
        ("redmist-TestAbnormalReset.log", 52),
        ("redmist-TestResetRetainLapTime.log", 52),
    ] {
        // Act
        let r = replay("redmist-log", file);
        // Assert
        let name = if file == "redmist-TestGap.log" {
            "Sunday 7 hour"
        } else {
            "Saturday 8 Hour"
        };
        assert_eq!(shape(&r), owned(&[(name, "race", cars)]), "{file}");
        assert_agreement(&r, 1);
        let text = std::fs::read_to_string(data(&format!("rmonitor/{file}"))).expect("read");
        assert_eq!(
            engine_order(&r.sessions[0], false),
            feed_final_order(&text, false),
            "{file}"
        );
    }
}

#[test]
fn a_capture_spanning_two_days_is_two_sessions_each_ending_in_the_feeds_order() {
    for file in [
        "redmist-event-finish-with-cars-data.log",
        "redmist-event-finish-with-stopped.log",
    ] {
        // Act
        let r = replay("redmist-log", file);
        // Assert: the same run number on the next day, after a day of silence, is a new
        // session; both end in the order of the feed's last refresh of that day.
        let name = "Barber - Saturday - 8 Hour";
        assert_eq!(
            shape(&r),
            owned(&[(name, "race", 59), (name, "race", 60)]),
            "{file}"
        );
        assert_agreement(&r, 2);
        let text = std::fs::read_to_string(data(&format!("rmonitor/{file}"))).expect("read");
        let split = text.find("##2025-03-02").expect("second day");
        let (day1, day2) = text.split_at(split);
        assert_eq!(
            engine_order(&r.sessions[0], false),
            feed_final_order(day1, false)
        );
        assert_eq!(
            engine_order(&r.sessions[1], false),
            feed_final_order(day2, false)
        );
        let winner = &r.sessions[1]["results"][0];
        assert_eq!(
            (
                winner["number"].as_str(),
                winner["laps"].as_i64(),
                winner["status"].as_str()
            ),
            (Some("58"), Some(221), Some("finished")),
            "{file}"
        );
    }
}

#[test]
fn entry_lists_and_classes_come_from_the_feed() {
    // TestEntries: 48 competitors listed, no lap yet.
    let r = replay("redmist-log", "redmist-TestEntries.log");
    assert_eq!(shape(&r), owned(&[("Saturday 8 Hour", "race", 48)]));
    assert_eq!(r.sessions[0]["results"][0]["number"], "70");
    assert_eq!(r.sessions[0]["results"][0]["name"], "Round 3 Racing");
    assert_eq!(r.sessions[0]["results"][0]["class"], "GTO");
    // TestMidRaceClassChange: class 1 is renamed GP1 → GP2 after the entry was listed.
    let r = replay("redmist-log", "redmist-TestMidRaceClassChange.log");
    assert_eq!(
        shape(&r),
        owned(&[("GP1/GP2/GP3 Qualifying", "qualifying", 1)])
    );
    assert_eq!(r.sessions[0]["results"][0]["class"], "GP2");
    // TestInitialPositions: a grid refresh with no run and no activity opens no session.
    let r = replay("redmist-log", "redmist-TestInitialPositions.log");
    assert!(r.sessions.is_empty(), "{:?}", r.sessions);
    assert_eq!(r.check["checked"], 0);
}

#[test]
fn the_initial_positions_refresh_registers_every_car_it_lists() {
    // Arrange
    let bytes = std::fs::read(data("rmonitor/redmist-TestInitialPositions.log")).expect("read");
    let options = checkered::replay::ReplayOptions {
        format: checkered::cli::InputFormat::RedmistLog,
        timestamps: false,
        config: checkered_engine::TrackConfig::new("t"),
        session_kind: None,
        check_feed: false,
    };
    // Act
    let replayed = checkered::replay::replay(&bytes, &options);
    // Assert: 48 distinct cars in the $G lines (counted off the capture).
    assert_eq!(replayed.engine.entries().len(), 48);
    assert!(replayed.problems.is_empty(), "{:?}", replayed.problems);
}

#[test]
fn a_forced_session_kind_and_bad_input_are_handled() {
    // --session-kind overrides the run name.
    let output = run(
        &[
            "replay",
            "--format",
            "rmonitor",
            "--session-kind",
            "practice",
            &data("rmonitor/orbits-mock-session.txt"),
        ],
        b"",
    );
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("(practice, closed"));
    // Garbage on stdin: no panic, the bad lines reported, exit 0.
    let output = run(
        &["replay", "--format", "rmonitor", "-"],
        b"\x00\xff garbage\n$G,x\n",
    );
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("\"offset\""));
    // A file that cannot be read: non-zero with a clear message.
    let output = run(
        &["replay", "--format", "rmonitor", "/nonexistent/capture"],
        b"",
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent/capture"));
}

#[test]
fn a_p3_decoder_log_replays_to_a_practice_of_every_transponder() {
    // Act
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("kart.json");
    let output = run(
        &[
            "replay",
            "--format",
            "p3",
            "--session-kind",
            "practice",
            "--out",
            out.to_str().expect("path"),
            &data("p3/kart-decoder-2022-05-01.log"),
        ],
        b"",
    );
    // Assert: 45 passings of 10 transponders: each car's first crossing starts its lap,
    // so 35 laps in all; the one corrupt frame is reported, not fatal.
    assert!(output.status.success(), "{output:?}");
    let sessions: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("out")).expect("json");
    assert_eq!(sessions.len(), 1);
    let results = sessions[0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 10);
    let laps: i64 = results
        .iter()
        .map(|r| r["laps"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(laps, 35);
    assert_eq!(results[0]["number"], "9341623");
    assert_eq!(results[0]["best_lap"], "21.381");
    assert!(String::from_utf8_lossy(&output.stderr).contains("LENGTH field says 51 bytes"));
}
