// Text for times, gaps and flags, and a tiny element builder.

/** µs → `S.mmm`, `M:SS.mmm` or `H:MM:SS.mmm`. */
export function time(us) {
  if (us == null) return "";
  const neg = us < 0, ms = Math.floor(Math.abs(us) / 1000);
  const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60, f = ms % 1000;
  const ff = String(f).padStart(3, "0"), ss = String(s).padStart(2, "0");
  return (neg ? "-" : "") + (h ? `${h}:${String(m).padStart(2, "0")}:${ss}.${ff}` : m ? `${m}:${ss}.${ff}` : `${s}.${ff}`);
}

/** A clock without milliseconds: `M:SS` or `H:MM:SS`. */
export function clock(us) {
  if (us == null) return "";
  const t = Math.max(0, Math.floor(us / 1e6)), h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
  return h ? `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` : `${m}:${String(s).padStart(2, "0")}`;
}

/** A gap `{laps, time_us}` as the engine's result sheets show it. */
export function gap(g) {
  if (!g) return "";
  if (g.laps === 1) return "+1 lap";
  if (g.laps > 1) return `+${g.laps} laps`;
  return g.time_us != null ? "+" + time(g.time_us) : "";
}

export const flagName = f => (!f || f === "none" ? "no flag" : f === "full_course_yellow" ? "full course yellow" : f);
export const statusName = s => ({ running: "", in_pit: "pit", finished: "fin", dnf: "DNF", dns: "DNS", dq: "DQ" })[s] ?? (s || "");

/** h("tag.class", {attr}, ...children) */
export function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split(".");
  const node = document.createElement(tag || "div");
  if (classes.length) node.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c != null) node.append(c instanceof Node ? c : String(c));
  return node;
}

export const wallTime = us => (us ? new Date(us / 1000).toLocaleTimeString() : "");
