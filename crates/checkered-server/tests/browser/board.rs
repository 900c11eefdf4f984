//! The live board: it follows the engine's order through a live simulated race, shows the
//! flag and the best laps, and resumes without a gap after the server restarts.

use crate::helpers::{Server, race, sim_track};
use crate::page::{ONE_AT_A_TIME, ROW_ORDER, board_matches_engine, engine_board, number};
use crate::webdriver::{Driver, screenshot_path};
use checkered_engine::SessionKind;
use serde_json::json;

#[tokio::test]
async fn the_board_follows_the_engine_and_resumes_without_gaps_after_a_restart() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    // Arrange: a track and the first third of a simulated club race.
    let server = Server::start().await;
    let cfg = sim_track("club", SessionKind::Race);
    server.create_track(&cfg).await;
    let (_, events) = race("club", 5);
    let third = events.len() / 3;
    server.ingest(&events[..third]).await;
    let browser = driver.browser(1280, 900).await;

    // Act: open the board, then feed the second third while it is open.
    browser.goto(&format!("{}/tracks/club", server.base)).await;
    board_matches_engine(&browser, &server, "club").await;
    for chunk in events[third..2 * third].chunks(200) {
        server.ingest(chunk).await;
    }

    // Assert: the order, the flag and the applied seq follow the engine; the overall best
    // lap is highlighted on the car that holds it.
    let order = board_matches_engine(&browser, &server, "club").await;
    let mid = number(&browser, "return window.checkered.model.seq").await;
    let standings = server.wait_idle("club").await;
    let fastest = standings["standings"]["session"]["fastest_lap"]["number"].clone();
    assert!(
        fastest.is_string(),
        "the engine has a fastest lap: {standings}"
    );
    let highlighted = browser
        .wait_for("the overall best highlighted", "const td = document.querySelector('td.ob'); return td && td.closest('tr').dataset.number")
        .await;
    assert_eq!(highlighted, fastest);
    assert_eq!(
        browser
            .js("return document.getElementById('conn').dataset.state")
            .await,
        json!("live")
    );
    assert_eq!(
        number(&browser, "return window.checkered.model.gaps").await,
        0
    );
    assert_eq!(
        order.len(),
        browser
            .js(&format!("return {ROW_ORDER}.length"))
            .await
            .as_u64()
            .unwrap_or(0) as usize
    );
    browser.screenshot(&screenshot_path("board.png")).await;

    // Act: the server goes away and comes back on the same port and data; the rest of the
    // race arrives meanwhile.
    let before = number(&browser, "return window.checkered.feed.lastSeq").await;
    let addr = server.addr;
    let dir = server.stop().await.expect("data dir guard");
    browser
        .wait_for(
            "the board to notice the link is down",
            "return document.getElementById('conn').dataset.state !== 'live'",
        )
        .await;
    let server = Server::start_in(dir.path().to_owned(), |c| c.listen = addr).await;
    for chunk in events[2 * third..].chunks(500) {
        server.ingest(chunk).await;
    }

    // Assert: it reconnected from the next seq, applied every event once and in order, and
    // shows the engine's final order.
    let final_order = board_matches_engine(&browser, &server, "club").await;
    let (seq, engine_order, _) = engine_board(&server, "club").await;
    assert!(seq > before, "the race went on after the restart");
    assert_eq!(final_order, engine_order);
    let urls = browser.js("return window.checkered.feed.connections").await;
    let urls: Vec<String> = serde_json::from_value(urls).expect("urls");
    assert!(urls.len() >= 2, "reconnected: {urls:?}");
    assert!(urls[0].ends_with("from=now"), "{urls:?}");
    assert!(
        urls[1..]
            .iter()
            .any(|u| u.ends_with(&format!("from={}", before + 1))),
        "resumed from seq {}: {urls:?}",
        before + 1
    );
    assert_eq!(
        number(&browser, "return window.checkered.model.gaps").await,
        0
    );

    // Scrubbing back to the middle of the race rebuilds the board from the log as it was
    // then, paused; Live brings it back to the engine's board.
    browser
        .wait_for(
            "the replay slider",
            "return Number(document.getElementById('scrub').min) > 0",
        )
        .await;
    browser
        .js(&format!("const s = document.getElementById('scrub'); s.value = {mid}; s.dispatchEvent(new Event('change'));"))
        .await;
    let script = format!(
        "return document.body.dataset.seq === '{mid}' && window.checkered.line.paused && JSON.stringify({ROW_ORDER}) === {:?}",
        serde_json::to_string(&order).expect("json")
    );
    browser
        .wait_for(&format!("the board as it was at seq {mid}"), &script)
        .await;
    browser.click("#golive").await;
    board_matches_engine(&browser, &server, "club").await;

    // On a phone, in the dark theme: the same board, the least needed columns hidden.
    browser
        .js("localStorage.setItem('checkered.theme', 'dark')")
        .await;
    browser.resize(390, 844).await;
    browser.goto(&format!("{}/tracks/club", server.base)).await;
    board_matches_engine(&browser, &server, "club").await;
    assert_eq!(
        browser
            .js("return document.documentElement.dataset.theme")
            .await,
        json!("dark")
    );
    assert_eq!(
        browser
            .js("return getComputedStyle(document.querySelector('table.board thead th.hide-sm')).display")
            .await,
        json!("none")
    );
    browser
        .screenshot(&screenshot_path("board-phone-dark.png"))
        .await;
    browser.close().await;
    server.stop().await;
    drop(dir);
}
