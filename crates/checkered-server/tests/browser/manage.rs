//! Event management (CSV import with per-row errors), the BMX display, the embeddable
//! widget and the home page, in one browser session.

use crate::helpers::{Relay, Server};
use crate::page::{ONE_AT_A_TIME, ROW_ORDER, engine_board};
use crate::webdriver::{Driver, screenshot_path};
use checkered_engine::{
    ControlIntent, EntrySpec, LoopRole, SessionKind, StagedRider, TimingLoop, TrackConfig,
};
use checkered_protocol::contract::Envelope;
use checkered_protocol::p3::decode_all;
use checkered_sim::Line;
use checkered_sim::bmx::{MotoSpec, simulate_motos};
use checkered_sim::p3out::p3_stream;
use serde_json::{Value, json};

const T0: i64 = 1_790_000_000_000_000;

fn bmx_track() -> TrackConfig {
    let mut cfg = TrackConfig::new("bmx");
    cfg.default_session_kind = SessionKind::Moto;
    cfg.min_lap_time_us = 20_000_000;
    cfg.loops = [
        (Line::Gate, LoopRole::Gate),
        (Line::StartFinish, LoopRole::StartFinish),
    ]
    .into_iter()
    .map(|(l, role)| TimingLoop {
        id: l.id().into(),
        role,
        decoder_id: Some(l.decoder_id()),
    })
    .collect();
    cfg
}

/// One moto of eight riders: entries, staging with gates, then the gate and finish loops.
fn moto() -> Vec<Envelope> {
    let sim = simulate_motos(&MotoSpec {
        seed: 4,
        riders: 8,
        rounds: 1,
        start_us: T0 + 30_000_000,
        interval_s: 75,
    });
    let mut relay = Relay::new("bmx", "test-relay");
    let entries = sim
        .entries
        .iter()
        .map(|e| EntrySpec {
            number: e.number.clone(),
            name: e.name.clone(),
            class: Some(e.class.clone()),
            transponders: vec![e.transponder.to_string()],
            grid: None,
        })
        .collect();
    let intent = |i: &ControlIntent| serde_json::to_value(i).expect("intent");
    let mut out = vec![relay.envelope(
        T0,
        "CONTROL",
        intent(&ControlIntent::SetEntries { entries }),
    )];
    let first = &sim.motos[0];
    let riders = first
        .lanes
        .iter()
        .enumerate()
        .map(|(lane, &r)| StagedRider {
            number: sim.entries[r].number.clone(),
            gate: u8::try_from(lane + 1).ok(),
        })
        .collect();
    let stage = ControlIntent::Stage {
        name: Some("Moto 1".into()),
        kind: Some(SessionKind::Moto),
        riders,
    };
    out.push(relay.envelope(first.gate_drop_us - 20_000_000, "CONTROL", intent(&stage)));
    for frame in p3_stream(&sim.readings, &[Line::Gate, Line::StartFinish], 1) {
        for decoded in decode_all(&frame.wire) {
            let json =
                serde_json::to_value(&decoded.expect("sim frames decode").frame).expect("frame");
            let kind = json["type"].as_str().expect("type").to_owned();
            out.push(relay.envelope(frame.at_us, &kind, json));
        }
    }
    out
}

#[tokio::test]
async fn csv_errors_per_row_bmx_display_embed_and_home() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let server = Server::start().await;
    server.create_track(&bmx_track()).await;
    let browser = driver.browser(1280, 900).await;

    // A CSV with two bad rows: each problem is listed with its row and the row's text.
    browser
        .goto(&format!("{}/manage?track=bmx", server.base))
        .await;
    let bad = "number,name,class,transponders\n7,Jane Doe,Elite Men,1234567\n,No Number,Elite Men,1\n9,Bob,Elite Men,1234567\n";
    browser.type_into("#csv", bad).await;
    browser.click("#csv-import").await;
    let rows = browser
        .wait_for("the per-row errors", "const t = document.getElementById('import-errors'); return t && [...t.tBodies[0].rows].map(r => [r.dataset.row, r.cells[1].textContent, r.cells[2].textContent, r.cells[3].textContent])")
        .await;
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).expect("rows");
    let problems: Value = {
        let (status, _, body) = server
            .post_csv("/api/v1/tracks/bmx/entries/import", bad)
            .await;
        assert_eq!(status, 422);
        body
    };
    let expected: Vec<String> = problems["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["row"].to_string())
        .collect();
    assert_eq!(
        rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(),
        expected
    );
    assert!(
        rows.iter()
            .any(|r| r[0] == "3" && r[1] == "number" && r[3] == ",No Number,Elite Men,1"),
        "{rows:?}"
    );
    assert!(
        rows.iter().all(|r| !r[2].is_empty()),
        "every row has its reason: {rows:?}"
    );
    assert_eq!(
        server.get("/api/v1/tracks/bmx/entries").await.1["entries"],
        json!([])
    );
    // A good file imports and the list shows it.
    browser
        .type_into("#csv", "number,name,class\n7,Jane Doe,Elite Men\n")
        .await;
    browser.click("#csv-import").await;
    browser
        .wait_for(
            "the import summary",
            "return document.getElementById('import-ok')?.textContent.includes('1 created')",
        )
        .await;
    browser
        .wait_for(
            "the new entry",
            "return !!document.querySelector('#entries tr[data-number=\"7\"]')",
        )
        .await;

    // BMX: the gate, then the finish order as riders cross, as the engine has it.
    let events = moto();
    browser
        .goto(&format!("{}/tracks/bmx/bmx", server.base))
        .await;
    server.ingest(&events).await;
    let (_, order, _) = engine_board(&server, "bmx").await;
    assert_eq!(order.len(), 8, "the eight staged riders: {order:?}");
    let finishers: Vec<String> = server.wait_idle("bmx").await["standings"]["competitors"]
        .as_array()
        .expect("cars")
        .iter()
        .filter(|c| c["status"] == "finished")
        .map(|c| c["number"].as_str().expect("number").to_owned())
        .collect();
    assert!(finishers.len() >= 6, "most riders finish: {finishers:?}");
    let script = format!(
        "return JSON.stringify([...document.querySelectorAll('#finish li')].map(li => li.dataset.number)) === {:?}",
        serde_json::to_string(&finishers).expect("json")
    );
    browser.wait_for("the finish order", &script).await;
    let gates = browser
        .wait_for("eight lanes", "const l = [...document.querySelectorAll('#lanes .gate')].map(g => g.textContent); return l.length === 8 && !l.includes('Gate ?') && l")
        .await;
    assert_eq!(
        gates,
        json!((1..=8).map(|g| format!("Gate {g}")).collect::<Vec<_>>())
    );
    let winner = format!("#{} · P1", finishers[0]);
    browser
        .wait_for(
            "the winner on the moto sheet",
            &format!("return [...document.querySelectorAll('#moto-sheet td')].some(td => td.textContent === {winner:?})"),
        )
        .await;
    browser.screenshot(&screenshot_path("bmx.png")).await;
    browser
        .goto(&format!("{}/tracks/bmx/bmx?big=1", server.base))
        .await;
    browser.wait_for("big-screen mode", "return document.body.classList.contains('big') && document.querySelectorAll('#finish li').length > 0").await;
    browser.screenshot(&screenshot_path("bmx-big.png")).await;

    // The embeddable widget: a minimal leaderboard in the engine's order, no page chrome.
    browser
        .goto(&format!("{}/embed/tracks/bmx", server.base))
        .await;
    let (seq, order, _) = engine_board(&server, "bmx").await;
    let script = format!(
        "return document.body.dataset.seq === '{seq}' && JSON.stringify({ROW_ORDER}) === {:?}",
        serde_json::to_string(&order).expect("json")
    );
    browser.wait_for("the embedded leaderboard", &script).await;
    assert_eq!(
        browser
            .js("return getComputedStyle(document.querySelector('header.top')).display")
            .await,
        json!("none")
    );
    assert_eq!(
        browser
            .js("return document.querySelectorAll('table.board thead th').length")
            .await,
        json!(6)
    );

    // Home lists the track with its session.
    browser.goto(&format!("{}/", server.base)).await;
    browser
        .wait_for("the track on the home page", "const a = document.querySelector('[data-track=\"bmx\"]'); return a && a.textContent.includes('Moto 1')")
        .await;
    browser.close().await;
    server.stop().await;
}
