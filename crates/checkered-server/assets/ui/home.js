// Home: every track with its live (or last) session, flag and leader, and its recent
// sessions, linking to the board, the BMX display, race control and the embed widget.

import { api, track as trackPath } from "./api.js";
import { h, flagName } from "./format.js";

export async function homePage(root) {
  root.replaceChildren(h("h1", { text: "Live and recent" }), h("div.cards", { id: "tracks" }, h("p.dim", { text: "Loading tracks…" })));
  const cards = root.querySelector("#tracks");
  async function refresh() {
    const { tracks } = await api("/api/v1/tracks");
    const views = await Promise.all(tracks.map(async t => {
      const [board, sessions, events] = await Promise.all([
        api(`${trackPath(t.id)}/standings`).catch(() => null),
        api(`${trackPath(t.id)}/sessions`).catch(() => ({ sessions: [] })),
        api(`${trackPath(t.id)}/events`).catch(() => ({ events: [] })),
      ]);
      const s = board && board.standings.session;
      const leader = board && board.standings.competitors[0];
      const enc = encodeURIComponent(t.id);
      const recent = sessions.sessions.slice(-5).reverse();
      return h("article.panel", { "data-track": t.id },
        h("a.title", { href: `/tracks/${enc}` }, t.name),
        h("p", {}, s ? h("span", {}, h("span.tag", { text: s.open ? "live" : "closed" }), ` ${s.name} · ${s.kind} · ${flagName(s.flag)}`) : h("span.dim", { text: "no session yet" })),
        leader ? h("p.dim", { text: `P1 #${leader.number} ${leader.name}` }) : "",
        events.events.length ? h("p.dim", { text: `Events: ${events.events.slice(-3).map(e => e.name).join(", ")}` }) : "",
        recent.length ? h("ul.msgs", {}, recent.map(r => h("li", {}, h("a", { href: `/tracks/${enc}/sessions/${r.id}` }, r.name), ` · ${r.kind}${r.open ? " · live" : ""}`))) : "",
        h("p", {}, h("a", { href: `/tracks/${enc}` }, "Board"), " · ", h("a", { href: `/tracks/${enc}/bmx` }, "BMX"), " · ",
          h("a", { href: `/tracks/${enc}/control` }, "Race control"), " · ", h("a", { href: `/embed/tracks/${enc}` }, "Embed")));
    }));
    cards.replaceChildren(...(views.length ? views : [h("p", {}, "No tracks yet. ", h("a", { href: "/manage" }, "Create one"), ".")]));
  }
  await refresh();
  setInterval(() => refresh().catch(() => {}), 5000);
}
