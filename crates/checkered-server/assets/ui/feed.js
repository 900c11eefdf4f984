// The live WebSocket with resume, and the per-viewer delay line every frame passes through.
//
// LiveFeed remembers the last `seq` it received and reconnects with `from=<seq+1>` after
// an exponential backoff, so a dropped link resumes without a gap. It reports its state
// (connecting, live, reconnecting, stale) to `onState`.
//
// DelayLine holds every item (frames and REST keyframes) with its arrival time and hands
// it on `delay` ms later, in arrival order; pausing stops the hand-over (items keep
// arriving) and resuming adds the paused time to the delay, like a recorder.

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

  push(item) { this.items.push({ at: performance.now(), item }); if (this.delayMs === 0 && this.pausedAt == null) this.flush(); }

  /** Hands on everything that is due. */
  flush() {
    if (this.pausedAt != null || !this.items.length) return;
    const due = performance.now() - this.delayMs;
    let n = 0;
    while (n < this.items.length && this.items[n].at <= due) n++;
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
    this.delayMs += performance.now() - this.pausedAt;
    this.pausedAt = null;
    this.flush();
  }
  /** Back to live: no delay, everything held is applied now. */
  live() { this.pausedAt = null; this.delayMs = 0; this.flush(); }
  get held() { return this.items.length; }
}
