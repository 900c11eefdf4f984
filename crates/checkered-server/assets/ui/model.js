// The board of one track as the viewer sees it: loaded from a snapshot (or a REST
// keyframe), then moved on by every derived event in `seq` order. Gaps, intervals and
// class positions are recomputed from the cars with the engine's rules, so a delayed or
// replayed board is as complete as the live one. Keyframes that arrive through the delay
// line replace the state at their seq, correcting anything the events do not carry
// (feed clocks, lap adjustments made before the page was opened).

const RECENT = 4000;

export class BoardModel {
  constructor() {
    this.seq = 0; this.session = null; this.cars = new Map(); this.entries = new Map();
    this.messages = []; this.laps = []; this.gaps = 0; this.pendingKey = null;
    this.recent = []; this.version = 0; this.lastTs = null; this.onSession = null;
  }

  /** Forgets the board (keeping the entries), ready to re-read the log from `seq + 1`. */
  reset(seq) {
    Object.assign(this, { seq, session: null, cars: new Map(), messages: [], laps: [], recent: [], pendingKey: null, lastTs: null });
    this.version++;
  }

  /** Entries (number → name, class) from GET …/competitors. */
  setCompetitors(list) { for (const c of list || []) this.entries.set(String(c.number), { name: c.name, class: c.class }); }

  /** Applies a frame (`snapshot` / `event`) or a keyframe `{kind:"keyframe", seq, standings}`. */
  apply(item) {
    if (item.kind === "snapshot") { this.load(item.payload.standings, item.seq); this.recent = []; return; }
    if (item.kind === "keyframe") return this.keyframe(item);
    if (item.kind !== "event" || item.channel !== "race") return;
    if (item.seq <= this.seq) return;
    if (this.seq > 0 && item.seq !== this.seq + 1) this.gaps++;
    this.event(item.payload, item.seq);
    this.recent.push(item);
    if (this.recent.length > 2 * RECENT) this.recent.splice(0, this.recent.length - RECENT); // amortised: one cut per RECENT events
    if (this.pendingKey && this.seq >= this.pendingKey.seq) {
      const k = this.pendingKey; this.pendingKey = null;
      if (this.seq === k.seq) this.load(k.standings, k.seq);
    }
  }

  keyframe(k) {
    if (!k.standings) return;
    if (k.seq > this.seq) { this.pendingKey = k; return; }
    const after = this.recent.filter(f => f.seq > k.seq);
    if (after.length && after[0].seq !== k.seq + 1) return; // cannot bridge: keep the events' state
    this.load(k.standings, k.seq);
    for (const f of after) this.event(f.payload, f.seq);
  }

  load(st, seq) {
    this.seq = seq;
    const s = st && st.session;
    const previous = this.session && this.session.id;
    this.session = s ? {
      id: s.id, name: s.name, kind: s.kind, run: s.run, open: s.open, flag: s.flag, started_us: s.started_us,
      laps_to_go: s.laps_to_go, time_to_go_us: s.time_to_go_us, elapsed_us: s.elapsed_us, leader: s.leader,
      fastest: s.fastest_lap ? { number: s.fastest_lap.number, lap: s.fastest_lap.lap } : null,
      at_us: st.now_us, leaderLaps0: 0, ltg0: s.laps_to_go, ttg0: s.time_to_go_us, el0: s.elapsed_us,
      motoOrder: null,
    } : null;
    const old = this.cars;
    this.cars = new Map();
    for (const c of (st && st.competitors) || []) {
      const penTime = (c.penalties || []).filter(p => p.kind === "time").reduce((a, p) => a + p.time_us, 0);
      const penLaps = (c.penalties || []).filter(p => p.kind === "laps").reduce((a, p) => a + p.laps, 0);
      this.entries.set(c.number, { name: c.name, class: c.class });
      this.cars.set(c.number, {
        number: c.number, name: c.name, class: c.class, position: c.position, class_position: c.class_position,
        laps: c.laps, rawLaps: null, lapAdj: -penLaps, last_lap: c.last_lap, best_lap: c.best_lap,
        total: c.total_time_us, penTime, gap: c.gap, interval: c.interval, in_pit: c.in_pit, pit_stops: c.pit_stops,
        status: c.status, penalties: c.penalties || [], gate: c.gate, moved: old.get(c.number)?.moved || 0,
        movedAt: old.get(c.number)?.movedAt || 0, finished: c.status === "finished",
      });
    }
    if (this.session) this.session.leaderLaps0 = this.leaderLaps();
    // A board opened mid-session lists the flags shown so far.
    if (s && !this.messages.length) for (const f of s.flags || []) this.note(f.from_us, `Flag: ${String(f.flag).replace(/_/g, " ")}`);
    if (st && st.now_us) this.lastTs = st.now_us;
    if (this.session && this.session.id !== previous && this.onSession) this.onSession(this.session);
    this.version++;
  }

  leaderLaps() { let m = 0; for (const c of this.cars.values()) m = Math.max(m, c.laps || 0); return m; }

  car(number) {
    let c = this.cars.get(number);
    if (!c) {
      const e = this.entries.get(number) || {};
      c = { number, name: e.name || "", class: e.class ?? null, position: 0, class_position: 0, laps: 0, rawLaps: null, lapAdj: 0,
        last_lap: null, best_lap: null, total: null, penTime: 0, gap: null, interval: null, in_pit: false, pit_stops: 0,
        status: "running", penalties: [], gate: null, moved: 0, movedAt: 0, finished: false };
      this.cars.set(number, c);
    }
    return c;
  }

  note(ts, text, level = "info") {
    this.messages.unshift({ ts, text, level });
    if (this.messages.length > 50) this.messages.length = 50;
  }

  event(p, seq) {
    this.seq = seq;
    this.version++;
    const k = p.kind && typeof p.kind === "object" ? p.kind : p;
    const ts = p.ts_us;
    this.lastTs = ts;
    const s = this.session;
    const n = k.number != null ? String(k.number) : null;
    switch (k.type) {
      case "session_started":
        if (!s || s.id !== p.session_id) {
          this.session = { id: p.session_id, name: k.name, kind: k.kind, run: k.run, open: true, flag: "none", started_us: null,
            laps_to_go: null, time_to_go_us: null, elapsed_us: null, leader: null, fastest: null, at_us: ts, leaderLaps0: 0,
            ltg0: null, ttg0: null, el0: null, motoOrder: null };
          this.cars = new Map(); this.laps = [];
          if (this.onSession) this.onSession(this.session);
        }
        this.note(ts, `${k.name} (${k.kind}) opened`);
        break;
      case "session_updated": if (s) Object.assign(s, { name: k.name, kind: k.kind, run: k.run }); break;
      case "session_green": if (s) { s.started_us = ts; s.el0 = 0; s.at_us = ts; } this.note(ts, "Session started"); break;
      case "session_reset":
        for (const c of this.cars.values()) Object.assign(c, { laps: 0, rawLaps: null, last_lap: null, best_lap: null, total: null, gap: null, interval: null, status: "running", finished: false });
        if (s) { s.fastest = null; s.started_us = null; s.motoOrder = null; }
        this.laps = [];
        this.note(ts, "Session reset for a restart", "warn");
        break;
      case "session_ended": if (s) s.open = false; this.note(ts, `Session closed (${String(k.reason).replace(/_/g, " ")})`); break;
      case "entry_updated": {
        this.entries.set(n, { name: k.name, class: k.class });
        const c = this.cars.get(n);
        if (c) { c.name = k.name; c.class = k.class; }
        break;
      }
      case "lap_completed": {
        const c = this.car(n);
        c.laps = c.rawLaps != null ? c.laps + (k.lap - c.rawLaps) : k.lap + c.lapAdj;
        c.rawLaps = k.lap;
        if (k.lap_time_us != null) c.last_lap = { lap: k.lap, time_us: k.lap_time_us };
        if (k.total_time_us != null) c.total = k.total_time_us + c.penTime;
        c.position = k.position;
        this.laps.push({ number: n, lap: k.lap, position: k.position, time_us: k.lap_time_us });
        break;
      }
      case "position_changed": {
        const c = this.car(n);
        c.position = k.to;
        if (k.from > 0 && k.from !== k.to) { c.moved = k.from - k.to; c.movedAt = performance.now(); }
        break;
      }
      case "lead_changed": if (s) s.leader = n; if (k.previous) this.note(ts, `#${n} takes the lead from #${k.previous}`); break;
      case "personal_best": this.car(n).best_lap = k.best; break;
      case "overall_best": if (s) s.fastest = { number: n, lap: k.best }; this.car(n).best_lap = k.best; break;
      case "pit_in": { const c = this.car(n); c.in_pit = true; c.pit_stops = k.stop; if (c.status === "running") c.status = "in_pit"; break; }
      case "pit_out": { const c = this.car(n); c.in_pit = false; if (c.status === "in_pit") c.status = "running"; break; }
      case "flag_changed": if (s) s.flag = k.to; this.note(ts, `Flag: ${String(k.to).replace(/_/g, " ")}${k.lap ? ` (lap ${k.lap})` : ""}`, k.to === "red" ? "warn" : "info"); break;
      case "penalty_applied": {
        const c = this.car(n); const pen = k.penalty || {};
        c.penalties.push(pen);
        if (pen.kind === "time") { c.penTime += pen.time_us; if (c.total != null) c.total += pen.time_us; }
        if (pen.kind === "laps") { c.lapAdj -= pen.laps; c.laps -= pen.laps; }
        if (pen.kind === "disqualification") c.status = "dq";
        this.note(ts, `Penalty #${n}: ${penaltyText(pen)}`, "warn");
        break;
      }
      case "laps_adjusted": { const c = this.car(n); c.lapAdj += k.delta; c.laps += k.delta; this.note(ts, `#${n}: ${k.delta > 0 ? "+" : ""}${k.delta} lap${Math.abs(k.delta) === 1 ? "" : "s"}`, "warn"); break; }
      case "time_corrected": { const c = this.car(n); c.total = k.total_time_us == null ? null : k.total_time_us + c.penTime; break; }
      case "status_changed": { const c = this.car(n); c.status = k.status; if (k.status !== "running") this.note(ts, `#${n} ${String(k.status).toUpperCase()}`, "warn"); break; }
      case "car_finished": { const c = this.car(n); c.status = "finished"; c.finished = true; c.position = k.position; if (k.total_time_us != null) c.total = k.total_time_us; break; }
      case "probable_missed_passing": this.note(ts, `#${n}: lap ${k.lap.lap} looks like a missed passing`, "warn"); break;
      case "gate_drop": if (s) { s.started_us = ts; s.el0 = 0; s.at_us = ts; } this.note(ts, "Gate drop"); break;
      case "moto_finish_order":
        if (s) s.motoOrder = k;
        for (const r of k.riders || []) if (r.gate != null) this.car(String(r.number)).gate = r.gate;
        break;
      case "feed_reset": this.note(ts, "Scoreboard feed reset"); break;
      default: break;
    }
  }

  /** Cars in position order, with gaps, intervals and class positions recomputed. */
  ordered() {
    const cars = [...this.cars.values()].filter(c => c.position > 0).sort((a, b) => a.position - b.position);
    const kind = this.session ? this.session.kind : "race";
    const leaderOf = new Map(), aheadOf = new Map();
    let ahead = null;
    for (const c of cars) {
      const cls = c.class ?? "";
      c.gap = cars[0] && cars[0] !== c ? gapBetween(kind, cars[0], c) : null;
      c.interval = ahead ? gapBetween(kind, ahead, c) : null;
      c.class_position = (leaderOf.get(cls) || 0) + 1;
      leaderOf.set(cls, c.class_position);
      aheadOf.set(cls, c);
      ahead = c;
    }
    return cars;
  }

  /** Laps and time to go and elapsed time at data time `ts` (µs). */
  clock(ts) {
    const s = this.session;
    if (!s) return {};
    const dt = ts != null && s.at_us != null ? ts - s.at_us : 0;
    const running = s.open && s.started_us != null && s.flag !== "checkered" && s.flag !== "red";
    const ltg = s.ltg0 != null ? Math.max(0, s.ltg0 - (this.leaderLaps() - s.leaderLaps0)) : null;
    const ttg = s.ttg0 != null ? Math.max(0, s.ttg0 - (running ? dt : 0)) : null;
    const el = s.el0 != null ? s.el0 + (running ? dt : 0) : s.started_us != null && ts != null ? ts - s.started_us : null;
    return { laps_to_go: ltg, time_to_go_us: ttg, elapsed_us: el };
  }
}

export function penaltyText(p) {
  switch (p.kind) {
    case "time": return `+${Math.round(p.time_us / 1e5) / 10} s`;
    case "laps": return `-${p.laps} lap${p.laps === 1 ? "" : "s"}`;
    case "drive_through": return p.served ? "drive-through (served)" : "drive-through";
    case "disqualification": return "disqualified";
    default: return p.kind || "penalty";
  }
}

function gapBetween(kind, a, c) {
  const diff = (x, y) => (x == null || y == null ? null : y - x);
  if (kind === "race") {
    const laps = (a.laps || 0) - (c.laps || 0);
    if (laps <= 0) { const t = diff(a.total, c.total); return t == null ? null : { laps: 0, time_us: t }; }
    return { laps, time_us: null };
  }
  if (kind === "moto") { const t = diff(a.finished ? a.total : null, c.finished ? c.total : null); return t == null ? null : { laps: 0, time_us: t }; }
  const t = diff(a.best_lap && a.best_lap.time_us, c.best_lap && c.best_lap.time_us);
  return t == null ? null : { laps: 0, time_us: t };
}
