// The live timing board: a keyed table (one row per car, reused in place, moved only when
// its position changes, cells written only when their text changes), redrawn at most once
// per animation frame however many events arrive, with fixed row heights and tabular
// figures so nothing shifts. Everything shown comes from one BoardModel fed through the
// viewer's delay line, so a delay or a pause holds back every element alike.

import { api, track as trackPath } from "./api.js";
import { BoardModel, penaltyText } from "./model.js";
import { LiveFeed, DelayLine } from "./feed.js";
import { time, clock, gap, flagName, statusName, h, wallTime } from "./format.js";
import { lapChart, lapTimes } from "./chart.js";

const COLUMNS = [
  ["mv", "", "mv", "Position change"], ["pos", "Pos", "", "Position"], ["no", "No", "no", "Number"],
  ["name", "Name", "l name", "Name"], ["class", "Class", "l hide-sm", "Class"], ["cpos", "Cls", "hide-sm", "Class position"],
  ["laps", "Laps", "", "Laps"], ["last", "Last", "hide-xs", "Last lap"], ["best", "Best", "hide-sm", "Best lap"],
  ["gap", "Gap", "", "Gap to the leader"], ["int", "Int", "hide-sm", "Interval to the car ahead"],
  ["pit", "Pit", "hide-sm", "Pit stops"], ["st", "Status", "l", "Status"],
];
const MARK_MS = 8000;

/** Renders a board table for `model` into `table`; returns `draw()` to call per frame. */
export function boardTable(table, model, opts = {}) {
  const cols = opts.columns ? COLUMNS.filter(c => opts.columns.includes(c[0])) : COLUMNS;
  table.className = "board";
  table.replaceChildren(
    h("thead", {}, h("tr", {}, cols.map(c => h("th", { class: c[2], title: c[3], scope: "col", text: c[1] })))),
    h("tbody"),
  );
  const body = table.tBodies[0];
  const rows = new Map();
  return function draw(classFilter) {
    const cars = model.ordered();
    const now = performance.now();
    const fastest = model.session && model.session.fastest;
    const seen = new Set();
    let index = 0;
    for (const c of cars) {
      seen.add(c.number);
      let row = rows.get(c.number);
      if (!row) {
        const tr = h("tr", { "data-number": c.number, tabindex: opts.focusable === false ? null : 0 });
        const cells = cols.map(col => tr.appendChild(h("td", { class: col[2] })));
        row = { tr, cells, text: cols.map(() => null), cls: cols.map(() => null), trc: null };
        rows.set(c.number, row);
      }
      const hidden = !!classFilter && (c.class ?? "") !== classFilter;
      if (row.tr.hidden !== hidden) row.tr.hidden = hidden;
      const mark = c.moved && now - c.movedAt < MARK_MS ? c.moved : 0;
      const pb = c.last_lap && c.best_lap && c.last_lap.lap === c.best_lap.lap && c.last_lap.time_us === c.best_lap.time_us;
      const ob = fastest && fastest.number === c.number;
      const lastOb = ob && pb && c.last_lap.lap === fastest.lap.lap;
      const values = {
        mv: [mark > 0 ? `▲${mark}` : mark < 0 ? `▼${-mark}` : "", mark > 0 ? "mv up" : mark < 0 ? "mv down" : "mv"],
        pos: [c.position], no: [c.number], name: [c.name], class: [c.class || ""], cpos: [c.class ? c.class_position : ""],
        laps: [c.laps], last: [time(c.last_lap && c.last_lap.time_us), lastOb ? "ob hide-xs" : pb ? "pb hide-xs" : "hide-xs"],
        best: [time(c.best_lap && c.best_lap.time_us), ob ? "ob hide-sm" : "hide-sm"],
        gap: [gap(c.gap)], int: [gap(c.interval)], pit: [c.pit_stops || ""], st: [statusName(c.status), "l"],
      };
      cols.forEach((col, i) => {
        const [text, cls] = values[col[0]];
        const t = text == null ? "" : String(text);
        if (row.text[i] !== t) { row.cells[i].textContent = t; row.text[i] = t; }
        if (cls !== undefined && row.cls[i] !== cls) { row.cells[i].className = cls; row.cls[i] = cls; }
      });
      const trc = c.in_pit ? "pit" : ["dnf", "dns", "dq"].includes(c.status) ? "out" : "";
      if (row.trc !== trc) { row.tr.className = trc; row.trc = trc; }
      if (body.children[index] !== row.tr) body.insertBefore(row.tr, body.children[index] || null);
      index++;
    }
    for (const [number, row] of rows) if (!seen.has(number)) { row.tr.remove(); rows.delete(number); }
  };
}

/** The flag banner with the session clock, extrapolated between updates. */
export function flagBanner(model, el, extrapolate) {
  const label = h("span"), clk = h("span.clock");
  el.className = "flag"; el.setAttribute("role", "status"); el.replaceChildren(label, clk);
  return () => {
    const s = model.session;
    const flag = s ? s.flag : "none";
    if (el.dataset.flag !== flag) el.dataset.flag = flag;
    const text = s ? flagName(flag) : "no session";
    if (label.textContent !== text) label.textContent = text;
    const c = model.clock(extrapolate());
    const parts = [];
    if (c.laps_to_go != null && c.laps_to_go < 9999) parts.push(`${c.laps_to_go} lap${c.laps_to_go === 1 ? "" : "s"} to go`);
    if (c.time_to_go_us != null) parts.push(`${clock(c.time_to_go_us)} to go`);
    else if (c.elapsed_us != null) parts.push(clock(c.elapsed_us));
    const ct = parts.join(" · ");
    if (clk.textContent !== ct) clk.textContent = ct;
  };
}

/** Data time now: the time of the last applied event, moved on by the wall clock at the
 *  rate data time has been advancing (the demo runs faster than real time). */
export function dataClock(model) {
  let wallAt = performance.now(), tsAt = null, rate = 1, samples = [];
  return {
    applied() {
      const now = performance.now();
      if (model.lastTs == null) return;
      samples.push([now, model.lastTs]);
      while (samples.length > 2 && now - samples[0][0] > 20000) samples.shift();
      if (samples.length > 1) {
        const [w0, t0] = samples[0], dw = now - w0, dt = (model.lastTs - t0) / 1000;
        if (dw > 2000 && dt > 0) rate = Math.min(200, Math.max(0.2, dt / dw));
      }
      wallAt = now; tsAt = model.lastTs;
    },
    now(paused) {
      if (tsAt == null) return model.lastTs;
      if (paused) return tsAt;
      return tsAt + Math.min(60000, performance.now() - wallAt) * rate * 1000;
    },
  };
}

/** The live board page: `/tracks/{track}` (or `/embed/tracks/{track}` with `embed`). */
export async function boardPage(root, trackId, opts = {}) {
  const params = new URLSearchParams(location.search);
  const model = new BoardModel();
  const dc = dataClock(model);
  const table = h("table", { "aria-label": "Standings", "aria-rowcount": -1 });
  const banner = h("div");
  const sessionLine = h("div.session-line");
  const messages = h("ul.msgs", { "aria-label": "Race control messages", "aria-live": "polite" });
  const classSel = h("select", { id: "class-filter", "aria-label": "Class filter" }, h("option", { value: "", text: "All classes" }));
  const delayIn = h("input", { id: "delay", type: "number", min: 0, max: 3600, step: 1, value: params.get("delay") || 0, size: 5, "aria-label": "Delay in seconds" });
  const pauseBtn = h("button", { id: "pause", type: "button", title: "Pause or resume (p)" }, "Pause");
  const liveBtn = h("button", { id: "golive", type: "button", title: "Back to live (l)" }, "Live");
  const held = h("span.dim", { id: "held" });
  const scrub = h("input", { id: "scrub", type: "range", min: 0, max: 0, step: 1, value: 0, "aria-label": "Replay: position in the session (derived seq)" });
  const speedSel = h("select", { id: "replay-speed", "aria-label": "Replay speed" }, [1, 2, 5, 10, 20].map(x => h("option", { value: x, text: `${x}×` })));
  const scrubAt = h("span.dim", { id: "scrub-at" });
  const chartBox = h("div", { id: "chart" }), carBox = h("div", { id: "car-laps" });
  let trackName = trackId;
  api(trackPath(trackId)).then(t => { trackName = t.name || trackId; title.textContent = trackName; document.title = `${trackName} — Checkered`; })
    .catch(e => { if (e.status === 404) { feed.stop(); root.replaceChildren(h("p.err", { role: "alert" }, e.message), h("p", {}, h("a", { href: "/" }, "All tracks"))); } });
  const title = h("h1", {}, trackName);
  api(`${trackPath(trackId)}/competitors`).then(r => model.setCompetitors(r.competitors)).catch(() => {});

  if (opts.embed) {
    document.body.classList.add("embed");
    root.replaceChildren(banner, h("div.scroll", {}, table),
      h("p.dim", {}, h("a", { href: `/tracks/${encodeURIComponent(trackId)}`, target: "_blank", rel: "noopener" }, "Full timing ↗")));
  } else {
    root.replaceChildren(
      h("div.bar", {}, title, sessionLine),
      banner,
      h("div.bar", { role: "toolbar", "aria-label": "Board controls" },
        h("label", {}, "Class", classSel),
        h("label", { title: "Broadcast delay: every update is shown this many seconds after it arrives" }, "Delay (s)", delayIn),
        pauseBtn, liveBtn, held),
      h("div.bar", { role: "group", "aria-label": "Replay" },
        h("label", { title: "Scrub back through the session: the board is rebuilt from the log at that point, paused; Resume plays on from there" }, "Replay", scrub),
        speedSel, scrubAt),
      h("div.grid2", {},
        h("div.scroll.panel", {}, table),
        h("aside.panel", {}, h("h2", { text: "Race control" }), messages)),
      h("section.panel", {}, h("h2", { text: "Lap chart" }), chartBox, carBox),
    );
  }
  const draw = boardTable(table, model, opts.embed ? { columns: ["pos", "no", "name", "laps", "last", "gap"], focusable: false } : {});
  const drawBanner = flagBanner(model, banner, () => dc.now(line.paused));
  let classes = "";
  let selectedCar = null;
  table.addEventListener("click", e => { const tr = e.target.closest("tr[data-number]"); if (tr) { selectedCar = tr.dataset.number; chartDirty = true; chartAt = 0; schedule(); } });
  table.addEventListener("keydown", e => { if (e.key === "Enter" && e.target.matches("tr[data-number]")) e.target.click(); });

  function drawAll() {
    draw(classSel.value);
    drawBanner();
    const s = model.session;
    const sl = s ? `${s.name} · ${s.kind}${s.open ? "" : " · closed"}` : "waiting for a session";
    if (sessionLine.textContent !== sl) sessionLine.textContent = sl;
    const cls = [...new Set([...model.cars.values()].map(c => c.class).filter(Boolean))].sort().join("\n");
    if (cls !== classes) {
      classes = cls;
      const keep = classSel.value;
      classSel.replaceChildren(h("option", { value: "", text: "All classes" }), ...cls.split("\n").filter(Boolean).map(c => h("option", { value: c, text: c })));
      classSel.value = keep;
    }
    if (msgVersion !== model.messages.length + ":" + (model.messages[0] && model.messages[0].ts)) {
      msgVersion = model.messages.length + ":" + (model.messages[0] && model.messages[0].ts);
      messages.replaceChildren(...model.messages.slice(0, 30).map(m => h("li", { class: m.level === "warn" ? "err" : "" }, h("time", {}, wallTime(m.ts)), m.text)));
    }
    const ht = line.paused ? `paused · ${line.held} held` : line.delay || line.replay ? `${line.held} held` : "";
    if (held.textContent !== ht) held.textContent = ht;
    pauseBtn.textContent = line.paused ? "Resume" : "Pause";
    if (delayIn !== document.activeElement && Number(delayIn.value) !== Math.round(line.delay)) delayIn.value = Math.round(line.delay);
    document.body.dataset.seq = model.seq;
    if (sessionFirst && document.activeElement !== scrub) {
      scrub.min = sessionFirst; scrub.max = Math.max(sessionFirst, feed.lastSeq); scrub.value = model.seq;
    }
    const at = line.replay ? `replay at seq ${model.seq} · ${wallTime(model.lastTs)}` : "";
    if (scrubAt.textContent !== at) scrubAt.textContent = at;
    // The chart is a whole SVG: redrawn at most once a second, never per update.
    if (chartDirty && !opts.embed && performance.now() - chartAt > 1000) {
      chartDirty = false; chartAt = performance.now();
      const laps = history.concat(model.laps);
      lapChart(chartBox, laps, model, selectedCar);
      if (selectedCar) lapTimes(carBox, laps, selectedCar);
    }
  }
  let msgVersion = "", chartDirty = true, chartAt = 0, history = [];
  let queued = false, lastVersion = -1;
  const stats = { applied: 0, frames: 0, applyMs: 0, drawMs: 0 }; // for the benchmark harness
  function schedule() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; stats.frames++; const t = performance.now(); drawAll(); stats.drawMs += performance.now() - t; });
  }
  const line = new DelayLine(item => {
    const t = performance.now();
    model.apply(item);
    stats.applyMs += performance.now() - t;
    stats.applied++;
    dc.applied();
    if (model.version !== lastVersion) { lastVersion = model.version; if (item.kind !== "event" || item.payload?.kind?.type === "lap_completed") chartDirty = true; schedule(); }
  });
  if (params.get("delay")) line.setDelay(Number(params.get("delay")) || 0);
  setInterval(schedule, 1000); // clock, position markers and a pending chart move on without events

  // Keyframes: the engine's board now and then, through the same delay line.
  // A keyframe asked for while one is in flight runs once it lands, so the last change
  // is always followed by a read of the board taken after it.
  let keyBusy = false, keyAgain = false, lastKey = 0;
  async function keyframe() {
    if (keyBusy) { keyAgain = true; return; }
    keyBusy = true; lastKey = performance.now();
    try {
      const r = await api(`${trackPath(trackId)}/standings`);
      line.push({ kind: "keyframe", seq: r.standings.seq, ts_us: r.standings.now_us, standings: r.standings });
    } catch { /* the next one will do */ } finally {
      keyBusy = false;
      if (keyAgain) { keyAgain = false; keyframe(); }
    }
  }
  const KEY_TYPES = new Set(["session_started", "session_green", "session_reset", "session_ended", "classification", "flag_changed"]);
  const feed = new LiveFeed(trackId, {
    onState: (state, retry) => {
      document.body.dataset.conn = state; // a board that is not live is dimmed
      const c = document.getElementById("conn");
      if (c) { c.dataset.state = state; c.textContent = retry ? `${state} in ${retry}s` : state; }
    },
    onFrame: frame => {
      if (frame.kind === "heartbeat") return;
      if (frame.kind === "error") { if (frame.payload && frame.payload.resync) model.note(frame.ts_us, "Resynchronised with the server", "warn"); return; }
      line.push(frame);
      const type = frame.payload && frame.payload.kind && frame.payload.kind.type;
      if (frame.kind === "event" && (KEY_TYPES.has(type) || performance.now() - lastKey > 5000)) setTimeout(keyframe, 300);
    },
  });
  // Scrubbing: the session's first seq bounds the slider; a seek rebuilds the board from
  // the log up to the chosen seq and re-reads the stream from there, paused.
  let sessionFirst = 0;
  async function sessionRange(id) {
    try { sessionFirst = (await api(`${trackPath(trackId)}/sessions/${id}`)).first_seq; }
    catch { setTimeout(() => { if (model.session && model.session.id === id) sessionRange(id); }, 3000); }
  }
  async function seekTo(x) {
    if (!sessionFirst) return;
    x = Math.max(sessionFirst, Math.min(x, feed.lastSeq));
    line.seek(0);
    model.reset(sessionFirst - 1);
    history = [];
    let after = sessionFirst - 1;
    try {
      while (after < x) {
        const r = await api(`${trackPath(trackId)}/events/log?after=${after}&limit=${Math.min(5000, x - after)}`);
        if (!r.events.length) break;
        for (const e of r.events) if (e.seq <= x) model.apply({ kind: "event", channel: "race", seq: e.seq, ts_us: e.ts_us, payload: e });
        after = r.events[r.events.length - 1].seq;
      }
    } catch (e) { model.note(model.lastTs, `Replay failed: ${e.message}`, "warn"); }
    line.seek(model.lastTs ?? 0, Number(speedSel.value));
    feed.resumeFrom(model.seq);
    dc.applied(); chartDirty = true; chartAt = 0; schedule();
  }
  scrub.onchange = () => seekTo(Number(scrub.value));
  speedSel.onchange = () => line.setSpeed(Number(speedSel.value));
  model.onSession = s => {
    history = [];
    sessionFirst = 0;
    sessionRange(s.id);
    if (line.replay) return;
    api(`${trackPath(trackId)}/sessions/${s.id}/laps?limit=5000`).then(r => { history = r.laps.filter(l => !model.laps.some(m => m.number === l.number && m.lap === l.lap)); chartDirty = true; schedule(); }).catch(() => {});
  };
  feed.start();

  classSel.onchange = schedule;
  delayIn.onchange = () => { line.setDelay(Number(delayIn.value) || 0); schedule(); };
  pauseBtn.onclick = () => { line.paused ? line.resume() : line.pause(); schedule(); };
  liveBtn.onclick = () => { line.live(); schedule(); };
  document.addEventListener("keydown", e => {
    if (e.target.matches("input, select, textarea")) return;
    if (e.key === "p") pauseBtn.click();
    else if (e.key === "l") liveBtn.click();
    else if (e.key === "c") classSel.focus();
    else if (e.key === "+" || e.key === "-") { line.setDelay(Math.max(0, line.delay + (e.key === "+" ? 5 : -5))); schedule(); }
  });
  window.checkered = { model, feed, line, stats, keyframe, seekTo };
  schedule();
}

/** An earlier session: `/tracks/{track}/sessions/{id}`, from the REST reads. */
export async function sessionPage(root, trackId, sessionId) {
  const model = new BoardModel();
  const table = h("table", { "aria-label": "Standings" });
  const banner = h("div"), chartBox = h("div"), carBox = h("div");
  root.replaceChildren(h("h1", {}, h("a", { href: `/tracks/${encodeURIComponent(trackId)}` }, trackId), ` · session ${sessionId}`), banner,
    h("div.scroll.panel", {}, table), h("section.panel", {}, h("h2", { text: "Lap chart" }), chartBox, carBox));
  try {
    const r = await api(`${trackPath(trackId)}/sessions/${encodeURIComponent(sessionId)}/standings`);
    model.load(r.standings || r, 0);
    const draw = boardTable(table, model);
    draw("");
    flagBanner(model, banner, () => model.lastTs)();
    const laps = await api(`${trackPath(trackId)}/sessions/${encodeURIComponent(sessionId)}/laps?limit=5000`).then(x => x.laps).catch(() => []);
    lapChart(chartBox, laps, model, null);
    table.addEventListener("click", e => { const tr = e.target.closest("tr[data-number]"); if (tr) { lapChart(chartBox, laps, model, tr.dataset.number); lapTimes(carBox, laps, tr.dataset.number); } });
  } catch (e) {
    root.append(h("p.err", { role: "alert" }, e.message));
  }
  window.checkered = { model };
  void penaltyText;
}
