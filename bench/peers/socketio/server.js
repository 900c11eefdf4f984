// The Socket.IO peer of `checkered bench fanout`: a Socket.IO v4 server (WebSocket
// transport only, no compression) on a free loopback port. Once --clients clients have
// connected it broadcasts --rate messages per second for --duration seconds, each
// `["m", {seq, sent_at_us, pad}]` padded to --size bytes on the wire, then prints a
// summary line. Its first stdout line is {"port": N}.
"use strict";
const http = require("http");
const { performance } = require("perf_hooks");
const { Server } = require("socket.io");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const clients = arg("clients", 100);
const rate = arg("rate", 100);
const duration = arg("duration", 5);
const size = arg("size", 300);
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

const httpServer = http.createServer();
const io = new Server(httpServer, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  pingInterval: 25000,
  pingTimeout: 60000,
});

let connected = 0;
let started = false;
io.on("connection", () => {
  connected += 1;
  if (connected >= clients && !started) {
    started = true;
    setTimeout(broadcast, 200);
  }
});

function broadcast() {
  const empty = JSON.stringify(["m", { seq: 1, sent_at_us: nowUs(), pad: "" }]).length + 2;
  const pad = "x".repeat(Math.max(0, size - empty));
  const t0 = performance.now();
  let seq = 0;
  const tick = Math.max(1, Math.min(50, 1000 / rate));
  const timer = setInterval(() => {
    const elapsed = (performance.now() - t0) / 1000;
    const due = Math.floor(Math.min(elapsed, duration) * rate);
    while (seq < due) {
      seq += 1;
      io.emit("m", { seq, sent_at_us: nowUs(), pad });
    }
    if (elapsed >= duration) {
      clearInterval(timer);
      console.log(JSON.stringify({ done: true, sent: seq, rss_bytes: process.memoryUsage().rss }));
    }
  }, tick);
}

httpServer.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: httpServer.address().port }));
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
