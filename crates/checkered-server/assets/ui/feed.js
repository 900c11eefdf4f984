// The live WebSocket with resume, and the per-viewer delay line every frame passes through.
//
// LiveFeed remembers the last `seq` it received and reconnects with `from=<seq+1>` after
// an exponential backoff, so a dropped link resumes without a gap. It reports its state
// (connecting, live, reconnecting, stale) to `onState`.
//
// DelayLine holds every item (frames and REST keyframes) with its arrival time and hands
// it on `delay` ms later, in arrival order; pausing stops the hand-over (items keep
// arriving) and resuming adds the paused time to the delay, like a recorder. After a seek
// (scrubbing back through the session) it plays items by their own data time instead.

const STALE_MS = 15000;

export class LiveFeed {
  constructor(trackId, { onFrame, onState, channels = "race" }) {
    this.trackId = trackId; this.onFrame = onFrame; this.onState = onState; this.channels = channels;
    this.lastSeq = 0; this.attempt = 0; this.socket = null; this.closed = false;
    this.connections = []; // every URL opened (tests read it to check resumes)
    this.lastHeard = 0;
    this.watchdog = setInterval(() => this.checkStale(), 1000);
  }

  /** Resume point: the next seq after the last one received (0: start with a snapshot). */
  url() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const from = this.lastSeq > 0 ? this.lastSeq + 1 : "now";
    return `${proto}://${location.host}/ws/v1/live?track_id=${encodeURIComponent(this.trackId)}&channels=${this.channels}&from=${from}`;
  }

  start() {
    if (this.closed) return;
    const url = this.url();
    this.connections.push(url);
    this.setState(this.attempt ? "reconnecting" : "connecting");
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => { this.attempt = 0; this.lastHeard = Date.now(); this.setState("live"); };
    socket.onmessage = m => {
      this.lastHeard = Date.now();
      let frame;
      try { frame = JSON.parse(m.data); } catch { return; }
      if (frame.kind === "snapshot") this.lastSeq = frame.seq;
      else if (frame.kind === "event" && frame.channel === "race") this.lastSeq = Math.max(this.lastSeq, frame.seq);
      if (this.state !== "live") this.setState("live");
      this.onFrame(frame);
    };
    socket.onclose = () => {
      if (this.socket !== socket || this.closed) return;
      this.socket = null;
      const wait = Math.min(10000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt++;
      this.setState("reconnecting", Math.round(wait / 100) / 10);
      this.timer = setTimeout(() => this.start(), wait);
    };
  }

  /** Re-reads the stream from `seq + 1` (the server replays it from its log), dropping
   *  the current link without delivering anything more from it. */
  resumeFrom(seq) {
    this.lastSeq = seq;
    clearTimeout(this.timer);
    const old = this.socket;
    this.socket = null;
    if (old) { old.onmessage = null; old.onclose = null; old.close(); }
    this.attempt = 0;
    this.start();
  }

  /** Drops the link as a network failure would (the feed reconnects by itself). */
  drop() { if (this.socket) this.socket.close(); }

  stop() { this.closed = true; clearInterval(this.watchdog); clearTimeout(this.timer); if (this.socket) this.socket.close(); }

  checkStale() {
    if (this.state === "live" && Date.now() - this.lastHeard > STALE_MS) this.setState("stale");
  }

  setState(state, retryIn) { this.state = state; if (this.onState) this.onState(state, retryIn); }
}

export class DelayLine {
  constructor(deliver) {
    this.deliver = deliver; this.items = []; this.delayMs = 0; this.pausedAt = null;
    this.timer = setInterval(() => this.flush(), 100);
  }

  push(item) { this.items.push({ at: performance.now(), item }); if (this.delayMs === 0 && this.pausedAt == null && !this.replay) this.flush(); }

  /** Hands on everything that is due: by arrival time plus the delay, or in replay by the
   *  data time of each item against the replay clock. */
  flush() {
    if (this.pausedAt != null || !this.items.length) return;
    const due = performance.now() - this.delayMs;
    const clock = this.replay ? this.replayClock() : 0;
    let n = 0;
    if (this.replay) while (n < this.items.length && !(itemTs(this.items[n].item) > clock)) n++;
    else while (n < this.items.length && this.items[n].at <= due) n++;
    if (!n) return;
    const out = this.items.splice(0, n);
    for (const x of out) this.deliver(x.item);
  }

  setDelay(seconds) { this.delayMs = Math.max(0, seconds * 1000); this.flush(); }
  get delay() { return this.delayMs / 1000; }
  get paused() { return this.pausedAt != null; }
  pause() { if (this.pausedAt == null) this.pausedAt = performance.now(); }
  resume() {
    if (this.pausedAt == null) return;
    const paused = performance.now() - this.pausedAt;
    if (this.replay) this.replay.wall += paused; else this.delayMs += paused;
    this.pausedAt = null;
    this.flush();
  }
  /** Back to live: no delay, no replay, everything held is applied now. */
  live() { this.pausedAt = null; this.delayMs = 0; this.replay = null; this.flush(); }

  /** Replay mode, paused at data time `ts` (µs): once resumed, items come out when their
   *  own data time is reached, at `speed` × real time. Whatever is held is dropped. */
  seek(ts, speed = 1) {
    this.items = [];
    this.replay = { ts, wall: performance.now(), speed };
    this.pausedAt = performance.now();
  }
  setSpeed(speed) { if (this.replay) { this.replay.ts = this.replayClock(); this.replay.wall = this.pausedAt ?? performance.now(); this.replay.speed = speed; } }
  replayClock() {
    const r = this.replay;
    const now = this.pausedAt ?? performance.now();
    return r.ts + (now - r.wall) * 1000 * r.speed;
  }
  get held() { return this.items.length; }
}

/** The data time of a frame or keyframe, µs (undefined: due at once). */
const itemTs = item => item.ts_us ?? (item.payload && item.payload.ts_us);
