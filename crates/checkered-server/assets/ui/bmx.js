// BMX display: the moto on the gate (lanes with their riders), then the finish order as
// riders cross the line; `?big=1` (or the button) is the big-screen mode for a display at
// the finish line.

import { api, track as trackPath } from "./api.js";
import { BoardModel } from "./model.js";
import { LiveFeed } from "./feed.js";
import { h, time } from "./format.js";

export async function bmxPage(root, trackId) {
  const params = new URLSearchParams(location.search);
  const big = () => document.body.classList.toggle("big", params.get("big") === "1");
  big();
  const model = new BoardModel();
  api(`${trackPath(trackId)}/competitors`).then(r => model.setCompetitors(r.competitors)).catch(() => {});
  const title = h("h1", { id: "moto" }), state = h("p", { id: "moto-state", class: "session-line", role: "status" });
  const lanes = h("div.lanes", { id: "lanes", "aria-label": "Gate" }), finish = h("ol.finish", { id: "finish", "aria-label": "Finish order" });
  const toggle = h("button", { type: "button", id: "big", onclick: () => {
    params.set("big", params.get("big") === "1" ? "0" : "1");
    history.replaceState(null, "", `?${params}`); big();
    if (params.get("big") === "1" && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  } }, "Big screen");
  const sheet = h("div.scroll", { id: "moto-sheet" });
  root.replaceChildren(h("div.bmx", {}, h("div.bar.bmx-tools", {}, toggle, h("span.dim", { text: "Press f for big screen" })), title, state,
    h("div.grid2", {}, h("section.panel", {}, h("h2", { text: "Finish" }), finish), h("section.panel", {}, h("h2", { text: "Gate" }), lanes)),
    h("section.panel.bmx-tools", {}, h("h2", { text: "Moto sheet" }), sheet)));

  // The moto sheet: the latest motos, each rider in its lane with the place it finished.
  // A request made while a draw is in flight is not dropped: it runs once that draw ends,
  // so the sheet always ends up drawn from data read after the last change.
  let sheetBusy = false, sheetAgain = false;
  async function drawSheet() {
    if (sheetBusy) { sheetAgain = true; return; }
    sheetBusy = true;
    try {
      const motos = (await api(`${trackPath(trackId)}/sessions`)).sessions.filter(x => x.kind === "moto").slice(-8).reverse();
      const boards = await Promise.all(motos.map(m => api(`${trackPath(trackId)}/sessions/${m.id}/standings`).then(r => r.standings || r).catch(() => null)));
      const lanesOf = boards.map(b => new Map(((b && b.competitors) || []).filter(c => c.gate != null).map(c => [c.gate, c])));
      const width = Math.max(8, ...lanesOf.map(l => Math.max(0, ...l.keys())));
      const gates = Array.from({ length: width }, (_, i) => i + 1);
      sheet.replaceChildren(h("table.plain", { "aria-label": "Moto sheet" },
        h("thead", {}, h("tr", {}, h("th", { text: "Moto" }), gates.map(g => h("th", { text: `Gate ${g}` })))),
        h("tbody", {}, motos.map((m, i) => h("tr", { "data-session": m.id },
          h("th", { scope: "row" }, h("a", { href: `/tracks/${encodeURIComponent(trackId)}/sessions/${m.id}` }, m.name), m.open ? " (live)" : ""),
          gates.map(g => { const c = lanesOf[i].get(g); return h("td", {}, c ? `#${c.number}${c.status === "finished" ? ` · P${c.position}` : c.status !== "running" ? ` · ${c.status.toUpperCase()}` : ""}` : ""); }))))));
    } catch { /* next event redraws */ } finally {
      sheetBusy = false;
      if (sheetAgain) { sheetAgain = false; drawSheet(); }
    }
  }
  drawSheet();
  document.addEventListener("keydown", e => { if (e.key === "f" && !e.target.matches("input, select, textarea")) toggle.click(); });

  let drawn = "";
  function draw() {
    const s = model.session;
    const cars = [...model.cars.values()];
    const order = s && s.motoOrder ? s.motoOrder.riders.filter(r => r.status === "finished").map(r => ({ ...(model.cars.get(r.number) || {}), ...r, total: r.time_us }))
      : cars.filter(c => c.finished).sort((a, b) => a.position - b.position);
    const stateText = !s ? "Waiting for the first moto" : !s.open ? "Moto closed" : s.motoOrder && s.motoOrder.complete ? "Moto complete"
      : s.started_us ? `Gate dropped · ${order.length} of ${cars.length} across the line` : "On the gate";
    const key = JSON.stringify([s && s.name, stateText, order.map(c => [c.number, c.total]), cars.map(c => [c.number, c.gate, c.name])]);
    document.body.dataset.seq = model.seq;
    if (key === drawn) return;
    drawn = key;
    title.textContent = s ? s.name : "BMX";
    state.textContent = stateText;
    const first = order[0] && order[0].total;
    finish.replaceChildren(...order.map(c => h("li", { "data-number": c.number }, h("span.no", { text: c.number }), " ", c.name || "",
      h("span.dim", {}, ` · gate ${c.gate ?? "?"} · ${time(c.total)}${c.total && first && c.total !== first ? ` (+${time(c.total - first)})` : ""}`))));
    const byGate = cars.filter(c => c.gate != null).sort((a, b) => a.gate - b.gate);
    lanes.replaceChildren(...(byGate.length ? byGate : cars).map(c => h("div.lane", { "data-number": c.number },
      h("div.gate", { text: `Gate ${c.gate ?? "?"}` }), h("div.no", { text: c.number }), h("div", { text: c.name || "" }), h("div.dim", { text: c.class || "" }))));
  }
  let queued = false;
  const schedule = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; draw(); }); } };
  let keyBusy = false, keyAgain = false;
  async function keyframe() {
    if (keyBusy) { keyAgain = true; return; }
    keyBusy = true;
    try { const r = await api(`${trackPath(trackId)}/standings`); model.apply({ kind: "keyframe", seq: r.standings.seq, standings: r.standings }); schedule(); }
    catch { /* next time */ } finally {
      keyBusy = false;
      if (keyAgain) { keyAgain = false; keyframe(); }
    }
  }
  const KEYS = new Set(["session_started", "gate_drop", "moto_finish_order", "session_ended", "entry_updated"]);
  const feed = new LiveFeed(trackId, {
    onFrame: f => {
      model.apply(f); schedule();
      if (f.kind === "event" && KEYS.has(f.payload?.kind?.type)) { setTimeout(keyframe, 200); setTimeout(drawSheet, 300); }
    },
    onState: s => { const c = document.getElementById("conn"); if (c) { c.dataset.state = s; c.textContent = s; } },
  });
  feed.start();
  window.checkered = { model, feed };
}
