// Race control console: flags, session actions, penalties and lap corrections for one
// track, posted to POST /api/v1/tracks/{track}/control, with a live mini board to see the
// effect and the audited control log. Destructive actions ask for confirmation first.

import { api, login, setToken, token, track as trackPath } from "./api.js";
import { BoardModel } from "./model.js";
import { LiveFeed } from "./feed.js";
import { boardTable, flagBanner } from "./board.js";
import { h, wallTime } from "./format.js";

const FLAGS = ["green", "yellow", "full_course_yellow", "red", "white", "checkered"];
const KINDS = ["practice", "qualifying", "race", "moto"];

/** Asks before a destructive action; resolves true when confirmed. */
function confirmAction(text) {
  return new Promise(resolve => {
    const yes = h("button.danger", { type: "button", id: "confirm-yes" }, "Confirm");
    const no = h("button", { type: "button", id: "confirm-no" }, "Cancel");
    const dialog = h("dialog", { id: "confirm", "aria-label": "Confirm" }, h("p", {}, text), h("div.bar", {}, yes, no));
    document.body.append(dialog);
    const done = v => { dialog.close(); dialog.remove(); resolve(v); };
    yes.onclick = () => done(true); no.onclick = () => done(false);
    dialog.addEventListener("cancel", () => done(false));
    dialog.showModal();
    no.focus();
  });
}

function describe(intent) {
  const rest = Object.entries(intent).filter(([k]) => k !== "type" && k !== "entries" && k !== "riders")
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ");
  const extra = intent.entries ? ` (${intent.entries.length} entries)` : intent.riders && intent.riders.length ? ` (${intent.riders.length} riders)` : "";
  return `${intent.type.replace(/_/g, " ")} ${rest}${extra}`;
}

export async function controlPage(root, trackId) {
  const status = h("p", { id: "control-status", role: "status", "aria-live": "polite" });
  const say = (text, bad) => { status.textContent = text; status.className = bad ? "err" : "ok"; };
  async function send(intent, question) {
    if (question && !(await confirmAction(question))) { say("Cancelled."); return; }
    try {
      const r = await api(`${trackPath(trackId)}/control`, { json: { intent } });
      say(`Sent: ${describe(intent)} (raw seq ${r.raw_seq})`);
      pollLog();
    } catch (e) { say(`Refused: ${e.message}`, true); }
  }
  const btn = (id, text, onclick, cls) => h(cls ? `button.${cls}` : "button", { id, type: "button", onclick }, text);

  // Sign-in (the token goes on every request through api()).
  const email = h("input", { id: "login-email", type: "email", placeholder: "email", autocomplete: "username", "aria-label": "Email" });
  const password = h("input", { id: "login-password", type: "password", placeholder: "password", autocomplete: "current-password", "aria-label": "Password" });
  const who = h("span.dim", { id: "login-state" });
  const loginForm = h("form.inline", { id: "login", onsubmit: async e => {
    e.preventDefault();
    try { await login(email.value, password.value); password.value = ""; who.textContent = "signed in"; who.className = "ok"; }
    catch (err) { who.textContent = err.message; who.className = "err"; }
  } }, email, password, h("button", { type: "submit" }, "Sign in"), btn("logout", "Sign out", () => { setToken(null); who.textContent = "signed out"; who.className = "dim"; }), who);
  who.textContent = token() ? "signed in" : "not signed in (writes are open until authentication is enabled)";

  const flags = h("div.bar", { role: "group", "aria-label": "Flags" }, FLAGS.map(f =>
    btn(`flag-${f}`, f.replace(/_/g, " "), () => send({ type: "flag", flag: f }), null)));
  const stageName = h("input", { id: "stage-name", placeholder: "session name", "aria-label": "Session name" });
  const stageKind = h("select", { id: "stage-kind", "aria-label": "Session kind" }, h("option", { value: "", text: "track default" }), KINDS.map(k => h("option", { value: k, text: k })));
  const startLaps = h("input", { id: "start-laps", type: "number", min: 1, placeholder: "laps", size: 5, "aria-label": "Race distance in laps" });
  const startMin = h("input", { id: "start-minutes", type: "number", min: 1, placeholder: "minutes", size: 6, "aria-label": "Race duration in minutes" });
  const kindSel = h("select", { id: "session-kind", "aria-label": "Change the session kind" }, KINDS.map(k => h("option", { value: k, text: k })));
  const session = h("div", {},
    h("div.bar", {}, stageName, stageKind, btn("stage", "Stage", () => send({ type: "stage", name: stageName.value || null, kind: stageKind.value || null }))),
    h("div.bar", {}, startLaps, startMin, btn("start", "Start", () => send({ type: "start", laps: Number(startLaps.value) || null, duration_us: startMin.value ? Number(startMin.value) * 60e6 : null }))),
    h("div.bar", {}, kindSel, btn("set-kind", "Set kind", () => send({ type: "set_session_kind", kind: kindSel.value }))),
    h("div.bar", {},
      btn("reset", "Reset", () => send({ type: "reset" }, "Reset the session? Its results are cleared and it waits for a new start."), "danger"),
      btn("force-finish", "Force finish all", () => send({ type: "force_finish" }, "Finish every running car now?"), "danger"),
      btn("end-session", "End session", () => send({ type: "end_session" }, "Close the session and finalise its classification?"), "danger")),
  );
  const car = h("input", { id: "car", placeholder: "car no", size: 6, "aria-label": "Car number" });
  const secs = h("input", { id: "penalty-seconds", type: "number", min: 1, value: 5, size: 4, "aria-label": "Time penalty in seconds" });
  const laps = h("input", { id: "penalty-laps", type: "number", min: 1, value: 1, size: 3, "aria-label": "Lap penalty" });
  const need = () => { const n = car.value.trim(); if (!n) say("Enter a car number first.", true); return n; };
  const cars = h("div", {},
    h("div.bar", {}, h("label", {}, "Car", car)),
    h("div.bar", {},
      secs, btn("time-penalty", "Time penalty", () => { const n = need(); if (n) send({ type: "time_penalty", number: n, penalty_us: Number(secs.value) * 1e6 }); }),
      laps, btn("lap-penalty", "Lap penalty", () => { const n = need(); if (n) send({ type: "lap_penalty", number: n, laps: Number(laps.value) }); }),
      btn("drive-through", "Drive-through", () => { const n = need(); if (n) send({ type: "drive_through", number: n }); })),
    h("div.bar", {},
      btn("add-lap", "+1 lap", () => { const n = need(); if (n) send({ type: "adjust_laps", number: n, delta: 1 }); }),
      btn("remove-lap", "−1 lap", () => { const n = need(); if (n) send({ type: "adjust_laps", number: n, delta: -1 }, `Remove a lap from #${n}?`); }, "danger"),
      btn("retire", "Retire", () => { const n = need(); if (n) send({ type: "retire", number: n }, `Retire #${n} (DNF)?`); }, "danger"),
      btn("disqualify", "Disqualify", () => { const n = need(); if (n) send({ type: "disqualify", number: n }, `Disqualify #${n}?`); }, "danger"),
      btn("finish-car", "Finish car", () => { const n = need(); if (n) send({ type: "force_finish", number: n }, `Finish #${n} now?`); }, "danger")),
  );

  const logBody = h("tbody");
  const logTable = h("table.plain", { id: "control-log", "aria-label": "Control log" },
    h("thead", {}, h("tr", {}, ["Applies", "Received", "Intent", "Via", "From", "Client"].map(t => h("th", { scope: "col", text: t })))), logBody);
  const model = new BoardModel();
  const table = h("table", { "aria-label": "Standings" }), banner = h("div");
  root.replaceChildren(
    h("h1", {}, `Race control · ${trackId}`),
    h("section.panel", { "aria-label": "Sign in" }, loginForm),
    status,
    h("div.grid2", {},
      h("div", {},
        h("section.panel", {}, h("h2", { text: "Flag" }), flags),
        h("section.panel", {}, h("h2", { text: "Session" }), session),
        h("section.panel", {}, h("h2", { text: "Car" }), cars),
        h("section.panel", {}, h("h2", { text: "Control log (audit)" }), h("div.scroll", {}, logTable))),
      h("aside", {}, banner, h("div.scroll.panel", {}, table))),
  );
  table.addEventListener("click", e => { const tr = e.target.closest("tr[data-number]"); if (tr) { car.value = tr.dataset.number; car.focus(); } });
  table.addEventListener("keydown", e => { if (e.key === "Enter" && e.target.matches("tr[data-number]")) e.target.click(); });

  const draw = boardTable(table, model, { columns: ["pos", "no", "name", "laps", "last", "gap", "st"] });
  const drawBanner = flagBanner(model, banner, () => model.lastTs);
  let queued = false;
  const schedule = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; draw(""); drawBanner(); document.body.dataset.seq = model.seq; }); } };
  const feed = new LiveFeed(trackId, {
    onFrame: f => { model.apply(f); schedule(); },
    onState: s => { const c = document.getElementById("conn"); if (c) { c.dataset.state = s; c.textContent = s; } },
  });
  feed.start();

  let after = 0;
  const intents = [];
  let polling = null;
  function pollLog() {
    if (!polling) polling = readLog().finally(() => { polling = null; });
    return polling;
  }
  async function readLog() {
    try {
      for (;;) {
        const r = await api(`${trackPath(trackId)}/control/log?after=${after}&limit=1000`);
        intents.push(...r.intents);
        if (r.next_after == null || !r.intents.length) break;
        after = r.next_after;
        if (r.intents.length < 1000) break;
      }
      if (intents.length > 2000) intents.splice(0, intents.length - 2000);
      logBody.replaceChildren(...intents.slice(-50).reverse().map(i => h("tr", {},
        h("td", {}, wallTime(i.at_us)), h("td", {}, wallTime(i.audit?.received_at_us)), h("td", {}, describe(i.intent)),
        h("td", {}, i.audit?.via || i.client_id || ""), h("td", {}, i.audit?.remote_addr || i.client_id || ""),
        h("td", { title: i.audit?.user_agent || "" }, (i.audit?.actor || i.audit?.user_agent || "").slice(0, 40)))));
    } catch (e) { say(`Control log: ${e.message}`, true); }
  }
  pollLog();
  setInterval(pollLog, 3000);
  window.checkered = { model, feed };
}
