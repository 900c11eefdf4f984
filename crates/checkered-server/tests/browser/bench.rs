//! Figures for docs/BENCHMARKS.md (ignored by default; run with
//! `cargo test -p checkered-server --test browser --release -- --ignored --nocapture bench`):
//! how many board updates per second the page applies before frames drop, and the page
//! weight as the browser downloaded it.

use crate::helpers::{Server, race, sim_track};
use crate::page::{ONE_AT_A_TIME, board_matches_engine};
use crate::webdriver::Driver;
use checkered_engine::SessionKind;

/// Feeds the board synthetic derived events (laps and overtakes between neighbours, seqs
/// following the real ones) through its delay line at a fixed rate for `ms`, and times
/// every animation frame meanwhile.
const HARNESS: &str = r#"
const { model, line, stats } = window.checkered;
let seq = model.seq;
const cars = () => model.ordered();
function events() {
  const list = cars();
  const i = Math.floor(Math.random() * (list.length - 1));
  const a = list[i], b = list[i + 1];
  seq++;
  const lap = { kind: "event", channel: "race", seq, payload: { seq, ts_us: model.lastTs + 1000, session_id: model.session.id,
    kind: { type: "lap_completed", number: b.number, lap: (b.rawLaps ?? b.laps) + 1, lap_time_us: 90e6 + Math.random() * 5e6, total_time_us: (a.total || 0) - 1000, position: a.position } } };
  const out = [lap];
  for (const [c, from, to] of [[b, b.position, a.position], [a, a.position, b.position]]) {
    seq++;
    out.push({ kind: "event", channel: "race", seq, payload: { seq, ts_us: model.lastTs + 1000, session_id: model.session.id, kind: { type: "position_changed", number: c.number, from, to } } });
  }
  return out;
}
async function run(rate, ms) {
  const frames = [];
  let running = true;
  const tick = t => { frames.push(t); if (running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const start = performance.now(), applied0 = stats.applied, apply0 = stats.applyMs, draw0 = stats.drawMs, frames0 = stats.frames;
  let sent = 0;
  await new Promise(done => {
    const timer = setInterval(() => {
      const now = performance.now();
      let due = Math.floor(((now - start) / 1000) * rate) - sent;
      while (due > 0) { for (const e of events()) { line.push(e); sent++; due--; } }
      if (now - start >= ms) { clearInterval(timer); done(); }
    }, 4);
  });
  running = false;
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((x, y) => x - y);
  const budget = gaps.length ? gaps[Math.floor(gaps.length / 2)] : 16.7;
  const long = gaps.filter(g => g > budget * 1.5).length;
  return { rate, sent, applied: stats.applied - applied0, frames: frames.length, median_frame_ms: +budget.toFixed(2),
    p99_frame_ms: +(gaps[Math.floor(gaps.length * 0.99)] || 0).toFixed(2), long_frames: long, dropped_share: +(long / Math.max(1, gaps.length)).toFixed(4),
    apply_us_per_update: +((stats.applyMs - apply0) * 1000 / Math.max(1, stats.applied - applied0)).toFixed(2),
    draw_ms_per_frame: +((stats.drawMs - draw0) / Math.max(1, stats.frames - frames0)).toFixed(3), model_gaps: model.gaps };
}
const out = [];
for (const rate of [0, 100, 300, 1000, 3000, 10000, 30000]) out.push(await run(rate, 3000));
return out;
"#;

#[tokio::test]
#[ignore = "a measurement: run it on purpose, it takes a minute"]
async fn bench_board_updates_per_second_and_page_weight() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let server = Server::start().await;
    server
        .create_track(&sim_track("club", SessionKind::Race))
        .await;
    let (_, events) = race("club", 5);
    server.ingest(&events[..events.len() / 2]).await;
    let browser = driver.browser(1280, 900).await;
    browser.goto(&format!("{}/tracks/club", server.base)).await;
    board_matches_engine(&browser, &server, "club").await;

    let weight = browser
        .js("return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].filter(e => e.name.includes('/ui/') || e.entryType === 'navigation').map(e => ({name: new URL(e.name).pathname, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize}))")
        .await;
    let total = |key: &str| {
        weight
            .as_array()
            .map(|a| a.iter().map(|e| e[key].as_u64().unwrap_or(0)).sum::<u64>())
            .unwrap_or(0)
    };
    println!(
        "page weight: {} files, {} bytes on the wire (gzip, with headers), {} encoded, {} decoded",
        weight.as_array().map_or(0, Vec::len),
        total("transfer"),
        total("encoded"),
        total("decoded")
    );
    println!("{weight:#}");

    browser.script_timeout(120_000).await;
    let figures = browser
        .js(&format!("return (async () => {{ {HARNESS} }})()"))
        .await;
    println!("updates/s before frames drop:");
    for row in figures.as_array().into_iter().flatten() {
        println!("{row}");
    }
    browser.close().await;
    server.stop().await;
}
