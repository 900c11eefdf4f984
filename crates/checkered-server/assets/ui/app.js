// Entry point: picks the page from the path, sets up the theme and the page links.

import { h } from "./format.js";

const THEME = "checkered.theme";
const applyTheme = t => { if (t) document.documentElement.dataset.theme = t; else delete document.documentElement.dataset.theme; };
applyTheme(localStorage.getItem(THEME));
function toggleTheme() {
  const dark = document.documentElement.dataset.theme ? document.documentElement.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  const next = dark ? "light" : "dark";
  localStorage.setItem(THEME, next);
  applyTheme(next);
}

const ROUTES = [
  [/^\/$/, async root => (await import("./home.js")).homePage(root)],
  [/^\/manage$/, async root => (await import("./manage.js")).managePage(root)],
  [/^\/tracks\/([^/]+)$/, async (root, t) => (await import("./board.js")).boardPage(root, t)],
  [/^\/tracks\/([^/]+)\/sessions\/([^/]+)$/, async (root, t, s) => (await import("./board.js")).sessionPage(root, t, s)],
  [/^\/tracks\/([^/]+)\/control$/, async (root, t) => (await import("./control.js")).controlPage(root, t)],
  [/^\/tracks\/([^/]+)\/bmx$/, async (root, t) => (await import("./bmx.js")).bmxPage(root, t)],
  [/^\/embed\/tracks\/([^/]+)$/, async (root, t) => (await import("./board.js")).boardPage(root, t, { embed: true })],
];

function nav(track) {
  const here = location.pathname;
  const links = [["/", "Home"], ["/manage", "Manage"]];
  if (track) {
    const t = encodeURIComponent(track);
    links.push([`/tracks/${t}`, "Board"], [`/tracks/${t}/bmx`, "BMX"], [`/tracks/${t}/control`, "Race control"]);
  }
  document.getElementById("nav").replaceChildren(...links.map(([href, text]) => h("a", { href, "aria-current": here === href ? "page" : null }, text)));
}

async function main() {
  const root = document.getElementById("app");
  document.getElementById("theme").onclick = toggleTheme;
  document.addEventListener("keydown", e => { if (e.key === "t" && !e.target.matches("input, select, textarea")) toggleTheme(); });
  for (const [re, page] of ROUTES) {
    const m = location.pathname.match(re);
    if (!m) continue;
    const args = m.slice(1).map(decodeURIComponent);
    nav(args[0]);
    try { await page(root, ...args); } catch (e) { root.replaceChildren(h("p.err", { role: "alert" }, `This page failed: ${e.message}`)); }
    return;
  }
  root.replaceChildren(h("p", {}, "No such page. ", h("a", { href: "/" }, "Home")));
}
main();
