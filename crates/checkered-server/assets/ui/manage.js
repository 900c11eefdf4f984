// Event management: tracks, events (meetings), their schedule, and the track's entry list
// with CSV import. A refused import lists every problem by row, next to the row's text.

import { api, track as trackPath } from "./api.js";
import { h, wallTime } from "./format.js";

const KINDS = ["practice", "qualifying", "race", "moto"];
const usOf = v => (v ? new Date(v).getTime() * 1000 : null);
const localOf = us => (us ? new Date(us / 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16) : "");

function field(id, label, attrs = {}) {
  const input = h(attrs.tag || "input", { id, "aria-label": label, placeholder: label, ...attrs, tag: null });
  return input;
}

export async function managePage(root) {
  const params = new URLSearchParams(location.search);
  const note = h("p", { id: "manage-status", role: "status", "aria-live": "polite" });
  const say = (text, bad) => { note.textContent = text; note.className = bad ? "err" : "ok"; };
  const trackSel = h("select", { id: "track", "aria-label": "Track" });
  const tracksBox = h("div");
  const eventsBox = h("div"), scheduleBox = h("div"), entriesBox = h("div");
  const csv = h("textarea", { id: "csv", "aria-label": "Entry list CSV", spellcheck: "false", placeholder: "number,name,class,transponders\n7,\"Doe, Jane\",GT3,1234567" });
  const file = h("input", { id: "csv-file", type: "file", accept: ".csv,text/csv", "aria-label": "CSV file" });
  const mode = h("select", { id: "csv-mode", "aria-label": "Import mode" }, h("option", { value: "merge", text: "merge" }), h("option", { value: "replace", text: "replace (remove entries not in the file)" }));
  const importResult = h("div", { id: "import-result" });
  const newId = field("new-track-id", "track id (slug)"), newName = field("new-track-name", "name");
  const newKind = h("select", { id: "new-track-kind", "aria-label": "Default session kind" }, KINDS.map(k => h("option", { value: k, text: k, selected: k === "race" })));

  root.replaceChildren(
    h("h1", { text: "Event management" }), note,
    h("section.panel", {}, h("h2", { text: "Tracks" }), tracksBox,
      h("form.inline", { onsubmit: e => { e.preventDefault(); createTrack(); } }, newId, newName, newKind, h("button", { type: "submit" }, "Create track"))),
    h("div.bar", {}, h("label", {}, "Track", trackSel)),
    h("section.panel", {}, h("h2", { text: "Events" }), eventsBox),
    h("section.panel", {}, h("h2", { text: "Schedule" }), scheduleBox),
    h("section.panel", {}, h("h2", { text: "Entry list" }),
      h("p.dim", {}, "CSV with a header row: number (required), name, class, transponders (separated by ; or spaces), grid."),
      csv, h("div.bar", {}, file, mode, h("button", { id: "csv-import", type: "button", onclick: importCsv }, "Import")),
      importResult, entriesBox),
  );
  file.onchange = async () => { if (file.files[0]) csv.value = await file.files[0].text(); };

  let tracks = [];
  async function loadTracks() {
    tracks = (await api("/api/v1/tracks")).tracks;
    const want = trackSel.value || params.get("track") || (tracks[0] && tracks[0].id);
    trackSel.replaceChildren(...tracks.map(t => h("option", { value: t.id, text: t.name })));
    if (want) trackSel.value = want;
    tracksBox.replaceChildren(h("table.plain", {}, h("thead", {}, h("tr", {}, ["Id", "Name", "Kind", "Pages"].map(t => h("th", { text: t })))),
      h("tbody", {}, tracks.map(t => h("tr", {}, h("td", { text: t.id }), h("td", { text: t.name }), h("td", { text: t.config?.default_session_kind || "" }),
        h("td", {}, ...[["", "board"], ["/bmx", "BMX"], ["/control", "race control"]].map(([p, l]) => [h("a", { href: `/tracks/${encodeURIComponent(t.id)}${p}` }, l), " "]),
          h("a", { href: `/embed/tracks/${encodeURIComponent(t.id)}` }, "embed")))))));
    await loadTrack();
  }
  async function createTrack() {
    try {
      await api("/api/v1/tracks", { json: { id: newId.value.trim(), name: newName.value.trim() || undefined, config: { default_session_kind: newKind.value } } });
      say(`Track ${newId.value} created.`);
      trackSel.value = newId.value.trim();
      newId.value = newName.value = "";
      await loadTracks();
    } catch (e) { say(e.message, true); }
  }
  const t = () => trackSel.value;
  trackSel.onchange = () => loadTrack();

  let selectedEvent = null;
  async function loadTrack() {
    if (!t()) return;
    await Promise.all([loadEvents(), loadEntries()]);
  }

  async function loadEvents() {
    const { events } = await api(`${trackPath(t())}/events`).catch(e => (say(e.message, true), { events: [] }));
    const name = field("event-name", "event name"), starts = field("event-starts", "starts", { type: "datetime-local" }), ends = field("event-ends", "ends", { type: "datetime-local" });
    eventsBox.replaceChildren(
      h("table.plain", { id: "events" }, h("thead", {}, h("tr", {}, ["Event", "Starts", "Ends", "Visibility", ""].map(x => h("th", { text: x })))),
        h("tbody", {}, events.map(ev => h("tr", { "aria-selected": selectedEvent === ev.id ? "true" : "false" },
          h("td", {}, h("button", { type: "button", onclick: () => { selectedEvent = ev.id; loadEvents(); } }, ev.name)),
          h("td", { text: ev.starts_at_us ? new Date(ev.starts_at_us / 1000).toLocaleString() : "" }),
          h("td", { text: ev.ends_at_us ? new Date(ev.ends_at_us / 1000).toLocaleString() : "" }),
          h("td", { text: ev.visibility }),
          h("td", {}, h("button.danger", { type: "button", onclick: async () => { if (!confirm(`Delete ${ev.name}, its schedule and entry list?`)) return; try { await api(`${trackPath(t())}/events/${encodeURIComponent(ev.id)}`, { method: "DELETE" }); if (selectedEvent === ev.id) selectedEvent = null; loadEvents(); } catch (e) { say(e.message, true); } } }, "Delete")))))),
      h("form.inline", { onsubmit: async e => {
        e.preventDefault();
        try { const ev = await api(`${trackPath(t())}/events`, { json: { name: name.value, starts_at_us: usOf(starts.value), ends_at_us: usOf(ends.value) } }); selectedEvent = ev.id; say(`Event ${ev.name} created.`); loadEvents(); }
        catch (err) { say(err.message, true); }
      } }, name, starts, ends, h("button", { type: "submit" }, "Create event")),
    );
    if (!selectedEvent && events[0]) selectedEvent = events[0].id;
    await loadSchedule();
  }

  async function loadSchedule() {
    if (!selectedEvent) { scheduleBox.replaceChildren(h("p.dim", { text: "Create or pick an event to plan its sessions." })); return; }
    const path = `${trackPath(t())}/events/${encodeURIComponent(selectedEvent)}/sessions`;
    const r = await api(path).catch(e => (say(e.message, true), { sessions: [], actual: [] }));
    const name = field("plan-name", "session name"), kind = h("select", { id: "plan-kind", "aria-label": "Kind" }, KINDS.map(k => h("option", { value: k, text: k })));
    const at = field("plan-start", "start", { type: "datetime-local" }), laps = field("plan-laps", "laps", { type: "number", min: 1 }), mins = field("plan-minutes", "minutes", { type: "number", min: 1 });
    scheduleBox.replaceChildren(
      h("table.plain", { id: "schedule" }, h("thead", {}, h("tr", {}, ["Session", "Kind", "Start", "Laps", "Duration", "Ran as", ""].map(x => h("th", { text: x })))),
        h("tbody", {}, r.sessions.map(s => h("tr", {}, h("td", { text: s.name }), h("td", { text: s.kind || "" }),
          h("td", { text: s.scheduled_start_us ? new Date(s.scheduled_start_us / 1000).toLocaleString() : "" }), h("td", { text: s.laps ?? "" }),
          h("td", { text: s.duration_us ? `${Math.round(s.duration_us / 6e7)} min` : "" }),
          h("td", {}, s.session_id ? h("a", { href: `/tracks/${encodeURIComponent(t())}/sessions/${s.session_id}` }, `session ${s.session_id}`) : ""),
          h("td", {}, h("button.danger", { type: "button", onclick: async () => { if (!confirm(`Remove ${s.name} from the schedule?`)) return; await api(`${path}/${s.id}`, { method: "DELETE" }).catch(e => say(e.message, true)); loadSchedule(); } }, "Remove")))))),
      h("p.dim", {}, "Sessions run: ", ...(r.actual || []).map(a => [h("a", { href: `/tracks/${encodeURIComponent(t())}/sessions/${a.id ?? a.session_id}` }, a.name || `session ${a.id ?? a.session_id}`), " "])),
      h("form.inline", { onsubmit: async e => {
        e.preventDefault();
        try { await api(path, { json: { name: name.value, kind: kind.value, scheduled_start_us: usOf(at.value), laps: laps.value ? Number(laps.value) : null, duration_us: mins.value ? Number(mins.value) * 6e7 : null } }); say(`${name.value} planned.`); loadSchedule(); }
        catch (err) { say(err.message, true); }
      } }, name, kind, at, laps, mins, h("button", { type: "submit" }, "Add session")),
    );
    void localOf; void wallTime;
  }

  async function loadEntries() {
    const { entries } = await api(`${trackPath(t())}/entries`).catch(e => (say(e.message, true), { entries: [] }));
    entriesBox.replaceChildren(h("h2", { text: `${entries.length} entries` }),
      h("div.scroll", {}, h("table.plain", { id: "entries" }, h("thead", {}, h("tr", {}, ["No", "Name", "Class", "Transponders", "Grid"].map(x => h("th", { text: x })))),
        h("tbody", {}, entries.map(e => h("tr", { "data-number": e.number }, h("td", { text: e.number }), h("td", { text: e.name }), h("td", { text: e.class || "" }),
          h("td", { text: (e.transponders || []).join(" ") }), h("td", { text: e.grid ?? "" })))))));
  }

  async function importCsv() {
    importResult.replaceChildren();
    try {
      const r = await api(`${trackPath(t())}/entries/import?mode=${mode.value}`, { body: csv.value, type: "text/csv", method: "POST" });
      importResult.replaceChildren(h("p.ok", { id: "import-ok" }, `Imported: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.removed} removed.`));
      loadEntries();
    } catch (e) {
      const lines = csv.value.replace(/^\uFEFF/, "").split(/\r?\n/);
      const errors = (e.problem && e.problem.errors) || [];
      importResult.replaceChildren(
        h("p.err", { role: "alert" }, `Nothing was imported: ${e.message}`),
        errors.length ? h("table.plain", { id: "import-errors" }, h("thead", {}, h("tr", {}, ["Row", "Field", "Problem", "Line"].map(x => h("th", { text: x })))),
          h("tbody", {}, errors.map(er => h("tr", { "data-row": er.row ?? "" }, h("td", { text: er.row ?? "" }), h("td", { text: er.field ?? "" }),
            h("td.err", { text: er.reason || er.detail || "" }), h("td", {}, h("code", { text: er.row ? lines[er.row - 1] ?? "" : "" })))))) : "",
      );
    }
  }

  await loadTracks().catch(e => say(e.message, true));
  window.checkered = { reload: loadTracks };
}
