//! What the tests read off the pages, and one lock so browser tests run one at a time (each
//! Chromium wants a core of this small machine).

use crate::helpers::Server;
use crate::webdriver::Browser;
use serde_json::Value;

/// Held for the whole of each browser test.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Car numbers in the order the board shows them (visible rows).
pub const ROW_ORDER: &str = "[...document.querySelectorAll('table.board tbody tr')].filter(r => !r.hidden).map(r => r.dataset.number)";

/// The engine's board: (seq, numbers in position order, flag).
pub async fn engine_board(server: &Server, track: &str) -> (u64, Vec<String>, String) {
    let body = server.wait_idle(track).await;
    let order = body["standings"]["competitors"]
        .as_array()
        .map(|cars| {
            cars.iter()
                .filter_map(|c| c["number"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let flag = body["standings"]["session"]["flag"]
        .as_str()
        .unwrap_or("none")
        .to_owned();
    (body["seq"].as_u64().unwrap_or(0), order, flag)
}

/// Waits until the board has applied the engine's latest seq and shows its order; returns
/// the order.
pub async fn board_matches_engine(browser: &Browser, server: &Server, track: &str) -> Vec<String> {
    let (seq, order, flag) = engine_board(server, track).await;
    assert!(!order.is_empty(), "the engine has no board yet");
    let script = format!(
        "const order = {ROW_ORDER}; \
         return document.body.dataset.seq === '{seq}' && JSON.stringify(order) === {:?} \
           && document.querySelector('.flag').dataset.flag === {flag:?}",
        serde_json::to_string(&order).expect("json")
    );
    let _ = browser
        .wait_for(
            &format!("seq {seq}, order {order:?} and flag {flag}"),
            &script,
        )
        .await;
    order
}

/// A number from the page.
pub async fn number(browser: &Browser, script: &str) -> u64 {
    match browser.js(script).await {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        other => panic!("{script} gave {other}"),
    }
}
