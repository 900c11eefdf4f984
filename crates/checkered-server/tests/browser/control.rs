//! Broadcast delay and race control: a delayed or paused board holds every update back,
//! and a flag shown from the race control console reaches another viewer's board.

use crate::helpers::{Server, race, sim_track};
use crate::page::{ONE_AT_A_TIME, board_matches_engine, engine_board, number};
use crate::webdriver::{Browser, Driver, screenshot_path};
use checkered_engine::SessionKind;
use serde_json::json;

async fn flag_shown(viewer: &Browser) -> String {
    viewer
        .js("return document.querySelector('.flag').dataset.flag")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits until the viewer has received (not necessarily applied) the engine's latest seq.
async fn received_all(viewer: &Browser, server: &Server) -> u64 {
    let (seq, _, _) = engine_board(server, "club").await;
    viewer
        .wait_for(
            &format!("frames up to seq {seq} received"),
            &format!("return window.checkered.feed.lastSeq === {seq}"),
        )
        .await;
    seq
}

async fn engine_flag_becomes(server: &Server, flag: &str) {
    server
        .wait_until("club", "standings", |b| {
            b["standings"]["session"]["flag"] == flag
        })
        .await;
}

#[tokio::test]
async fn delay_and_pause_hold_updates_back_and_a_console_flag_reaches_another_viewer() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let (_, events) = race("club", 9);
    let half = events.len() / 2;
    server.ingest(&events[..half / 2]).await;
    let viewer = driver.browser(1280, 900).await;
    viewer.goto(&format!("{}/tracks/club", server.base)).await;
    board_matches_engine(&viewer, &server, "club").await;

    // A 10-minute delay: frames arrive but none is applied.
    viewer.type_into("#delay", "600\u{E007}").await;
    let shown = number(&viewer, "return window.checkered.model.seq").await;
    server.ingest(&events[half / 2..half]).await;
    let received = received_all(&viewer, &server).await;
    assert!(received > shown);
    assert_eq!(
        number(&viewer, "return window.checkered.model.seq").await,
        shown
    );
    assert_eq!(
        viewer.js("return document.body.dataset.seq").await,
        json!(shown.to_string())
    );
    viewer
        .wait_for(
            "the held count",
            "return /^[1-9][0-9]* held$/.test(document.getElementById('held').textContent)",
        )
        .await;
    // Back to live: everything held is applied.
    viewer.click("#golive").await;
    board_matches_engine(&viewer, &server, "club").await;

    // Paused: a flag from the console is received but not shown until resumed.
    viewer.click("#pause").await;
    let console = driver.browser(1280, 1300).await;
    console
        .goto(&format!("{}/tracks/club/control", server.base))
        .await;
    // Signing in shows the server's own problem detail when it refuses.
    console
        .type_into("#login-email", "official@example.org")
        .await;
    console.type_into("#login-password", "wrong").await;
    console.click("#login button[type=submit]").await;
    let (status, _, problem) = server
        .post(
            "/api/v1/auth/login",
            &json!({"email": "official@example.org", "password": "wrong"}),
        )
        .await;
    assert!(status >= 400, "a wrong login is refused");
    let detail = problem["detail"]
        .as_str()
        .expect("problem detail")
        .to_owned();
    let shown = console
        .wait_for("the login error", "const s = document.getElementById('login-state'); return s.className === 'err' && s.textContent")
        .await;
    assert_eq!(shown, json!(detail));
    console.click("#flag-yellow").await;
    engine_flag_becomes(&server, "yellow").await;
    received_all(&viewer, &server).await;
    assert_ne!(
        flag_shown(&viewer).await,
        "yellow",
        "a paused board shows nothing new"
    );
    viewer.click("#pause").await; // resume
    viewer
        .wait_for(
            "the yellow flag after resuming",
            "return document.querySelector('.flag').dataset.flag === 'yellow'",
        )
        .await;

    // Live again: a red flag from the console shows on the viewer's board and in its
    // race-control messages, and the console's audit trail lists it.
    viewer.click("#golive").await;
    console.click("#flag-red").await;
    engine_flag_becomes(&server, "red").await;
    viewer
        .wait_for(
            "the red flag on the viewer's board",
            "return document.querySelector('.flag').dataset.flag === 'red'",
        )
        .await;
    viewer
        .wait_for("a red flag message", "return [...document.querySelectorAll('.msgs li')].some(li => li.textContent.includes('Flag: red'))")
        .await;
    console
        .wait_for("the control log row", "return [...document.querySelectorAll('#control-log tbody tr')].some(tr => tr.textContent.includes('flag flag=red') && tr.textContent.includes('control'))")
        .await;
    board_matches_engine(&console, &server, "club").await;

    // A destructive action asks first; cancelling sends nothing.
    let (seq, _, _) = engine_board(&server, "club").await;
    console.screenshot(&screenshot_path("control.png")).await;
    console.click("#reset").await;
    console
        .wait_for(
            "the confirmation",
            "return !!document.querySelector('dialog[open]')",
        )
        .await;
    console.click("#confirm-no").await;
    console
        .wait_for(
            "cancelled",
            "return document.getElementById('control-status').textContent === 'Cancelled.'",
        )
        .await;
    let (after, _, flag) = engine_board(&server, "club").await;
    assert_eq!((after, flag.as_str()), (seq, "red"), "nothing was sent");
    viewer.close().await;
    console.close().await;
    server.stop().await;
}
