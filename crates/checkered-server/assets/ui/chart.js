// Lap chart (position of every car after each lap) and one car's lap times, as SVG.

const NS = "http://www.w3.org/2000/svg";
const svg = (tag, attrs, text) => {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text != null) n.textContent = text;
  return n;
};
const hue = (number, i) => `hsl(${(i * 47 + [...String(number)].reduce((a, c) => a + c.charCodeAt(0), 0) * 13) % 360} 65% 50%)`;

/** `laps`: [{number, lap, position}]; the selected car is drawn bold. */
export function lapChart(box, laps, model, selected) {
  const byCar = new Map();
  for (const l of laps) { if (!byCar.has(l.number)) byCar.set(l.number, []); byCar.get(l.number).push(l); }
  if (!byCar.size) { box.replaceChildren(document.createTextNode("No laps yet.")); return; }
  const maxLap = Math.max(...laps.map(l => l.lap)), maxPos = Math.max(...laps.map(l => l.position), 1);
  const W = 900, H = Math.max(160, maxPos * 18 + 30), L = 40, T = 10;
  const x = lap => L + (maxLap <= 1 ? 0 : ((lap - 1) / (maxLap - 1)) * (W - L - 50));
  const y = pos => T + ((pos - 1) / Math.max(1, maxPos - 1)) * (H - T - 25);
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Lap chart: positions over ${maxLap} laps` });
  for (let p = 1; p <= maxPos; p++) root.append(svg("text", { x: 4, y: y(p) + 4 }, String(p)));
  const step = Math.max(1, Math.ceil(maxLap / 20));
  for (let l = 1; l <= maxLap; l += step) root.append(svg("text", { x: x(l) - 4, y: H - 6 }, String(l)));
  let i = 0;
  for (const [number, list] of byCar) {
    list.sort((a, b) => a.lap - b.lap);
    const color = hue(number, i++);
    const bold = selected === number;
    const d = list.map((l, j) => `${j ? "L" : "M"}${x(l.lap).toFixed(1)},${y(l.position).toFixed(1)}`).join("");
    const path = svg("path", { d, fill: "none", stroke: color, "stroke-width": bold ? 3.5 : 1.4, opacity: selected && !bold ? 0.35 : 0.9 });
    path.append(svg("title", {}, `#${number}`));
    root.append(path);
    const last = list[list.length - 1];
    root.append(svg("text", { x: x(last.lap) + 4, y: y(last.position) + 4, style: `fill:${color};font-weight:${bold ? 700 : 400}` }, `#${number}`));
  }
  box.replaceChildren(root, document.createTextNode(selected ? "" : "Select a car in the table for its lap times."));
  void model;
}

/** One car's lap times as bars, best lap highlighted. */
export function lapTimes(box, laps, number) {
  const list = laps.filter(l => l.number === number).map(l => ({ lap: l.lap, t: l.lap_time_us ?? l.time_us })).filter(l => l.t > 0).sort((a, b) => a.lap - b.lap);
  if (!list.length) { box.replaceChildren(document.createTextNode(`#${number}: no timed laps yet.`)); return; }
  const best = Math.min(...list.map(l => l.t)), worst = Math.max(...list.map(l => l.t));
  const W = 900, H = 160, L = 40, bw = Math.max(2, (W - L) / list.length - 2);
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Lap times of #${number}` });
  const span = Math.max(1, worst - best * 0.98);
  list.forEach((l, i) => {
    const hgt = 20 + ((l.t - best * 0.98) / span) * (H - 50);
    const r = svg("rect", { x: L + i * (bw + 2), y: H - 20 - hgt, width: bw, height: hgt, fill: l.t === best ? "var(--ob)" : "var(--dim)" });
    r.append(svg("title", {}, `lap ${l.lap}: ${(l.t / 1e6).toFixed(3)} s`));
    root.append(r);
  });
  root.append(svg("text", { x: 4, y: 14 }, `#${number} · best ${(best / 1e6).toFixed(3)} s over ${list.length} laps`));
  box.replaceChildren(root);
}
