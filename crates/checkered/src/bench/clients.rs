//! The live WebSocket clients of `bench e2e` and `bench fanout`: each subscribes to one
//! track's `race` channel, measures now − `captured_at_us` for every derived event frame,
//! and counts by the per-track `seq` what it should have received and did not.
//!
//! A client starts at the `seq` of its first snapshot. Every event after that is owed to
//! it: a jump in `seq` (or a resync snapshot further on) counts the events in between as
//! lost, and when the run ends a client short of its track's final published `seq`
//! counts the rest as lost.
//!
//! # Layout
//! - [`Phase`]: what the run tells its clients.
//! - [`ClientReport`]: one client's tally; [`spawn`] starts one client.

use super::stats::Samples;
use super::workload::now_us;
use futures_util::StreamExt;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;

/// How long one client may take to connect.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// What the run tells its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Events are being sent.
    Running,
    /// Sending is over and each track's final `seq` is known: finish on reaching it.
    Final,
    /// Stop now; whatever is missing is lost.
    Abort,
}

/// Counters shared by every client (for the progress line and the connection barrier).
#[derive(Debug, Default)]
pub struct Shared {
    /// Clients subscribed (first snapshot received).
    pub connected: AtomicU64,
    /// Clients that could not connect.
    pub failed: AtomicU64,
    /// Event frames delivered so far.
    pub delivered: AtomicU64,
    /// Events lost so far (gaps seen).
    pub lost: AtomicU64,
    /// Bytes of the event frames delivered (for the peer's message size).
    pub bytes: AtomicU64,
}

/// One client's tally.
#[derive(Debug, Default)]
pub struct ClientReport {
    /// Whether it ever subscribed.
    pub connected: bool,
    /// New derived events received (in `seq` order, each once).
    pub received: u64,
    /// Derived events it should have received and did not.
    pub lost: u64,
    /// Event frames without `captured_at_us` (not timed).
    pub untimed: u64,
    /// `error` frames with `resync: true`.
    pub resyncs: u64,
    /// Frames that were not the JSON the protocol promises.
    pub bad_frames: u64,
    /// Capture → client delays of the timed events.
    pub delays: Samples,
    /// Why it stopped early, if it did.
    pub error: Option<String>,
}

/// The fields of a frame the client needs; the payload is skipped unparsed.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    kind: &'a str,
    #[serde(default, borrow)]
    channel: Option<&'a str>,
    #[serde(default)]
    seq: u64,
    #[serde(default)]
    captured_at_us: Option<i64>,
}

/// Everything a client needs to know about its run.
pub struct Setup {
    /// The server.
    pub addr: SocketAddr,
    /// The track to follow.
    pub track: String,
    /// Final published `seq` of the track, valid once the phase is [`Phase::Final`].
    pub target: Arc<AtomicU64>,
    /// The run's phase.
    pub phase: watch::Receiver<Phase>,
    /// Shared counters.
    pub shared: Arc<Shared>,
    /// Limits concurrent WebSocket handshakes.
    pub handshakes: Arc<Semaphore>,
}

/// WebSocket settings of a benchmark client: thousands of them share the generator's
/// memory, and each only reads small frames, so the read buffer is 16 KiB rather than
/// tungstenite's 128 KiB (which would be 2.5 GB for 20 000 clients).
pub fn client_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .write_buffer_size(0)
}

/// Starts one client task.
pub fn spawn(setup: Setup) -> tokio::task::JoinHandle<ClientReport> {
    tokio::spawn(async move {
        let mut report = ClientReport::default();
        let shared = setup.shared.clone();
        if let Err(error) = follow(setup, &mut report).await {
            report.error = Some(error);
        }
        if !report.connected {
            // Never subscribed: counted apart, so the run does not wait for it.
            shared.failed.fetch_add(1, Ordering::Relaxed);
        }
        report
    })
}

async fn follow(mut setup: Setup, report: &mut ClientReport) -> Result<(), String> {
    let url = format!("ws://{}/ws/v1/live?track_id={}", setup.addr, setup.track);
    let socket = {
        let _permit = setup
            .handshakes
            .acquire()
            .await
            .map_err(|e| e.to_string())?;
        let connect =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(client_config()), true);
        match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok((socket, _))) => socket,
            Ok(Err(e)) => return Err(format!("cannot connect: {e}")),
            Err(_) => return Err(format!("no WebSocket handshake within {CONNECT_TIMEOUT:?}")),
        }
    };
    let (_sink, mut stream) = socket.split();
    let mut last: Option<u64> = None;
    loop {
        tokio::select! {
            message = stream.next() => {
                let text = match message {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None => return Err("the server closed the socket".into()),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(format!("socket error: {e}")),
                };
                let Ok(head) = serde_json::from_str::<Head<'_>>(text.as_str()) else {
                    report.bad_frames += 1;
                    continue;
                };
                if head.kind == "event" {
                    setup.shared.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                }
                on_frame(&head, &mut last, report, &setup.shared);
                if last.is_some() && !report.connected {
                    report.connected = true;
                    setup.shared.connected.fetch_add(1, Ordering::Relaxed);
                }
            }
            changed = setup.phase.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
        let phase = *setup.phase.borrow();
        if phase == Phase::Abort
            || (phase == Phase::Final && last.unwrap_or(0) >= setup.target.load(Ordering::Acquire))
        {
            break;
        }
    }
    let target = setup.target.load(Ordering::Acquire);
    if let Some(last) = last
        && target != u64::MAX
        && last < target
    {
        report.lost += target - last;
        setup
            .shared
            .lost
            .fetch_add(target - last, Ordering::Relaxed);
    }
    Ok(())
}

fn on_frame(head: &Head<'_>, last: &mut Option<u64>, report: &mut ClientReport, shared: &Shared) {
    match (head.kind, head.channel) {
        ("snapshot", _) => {
            if let Some(l) = *last
                && head.seq > l
            {
                report.lost += head.seq - l;
                shared.lost.fetch_add(head.seq - l, Ordering::Relaxed);
            }
            *last = Some(last.map_or(head.seq, |l| l.max(head.seq)));
        }
        ("event", Some("race")) => {
            let Some(l) = *last else {
                return;
            };
            if head.seq <= l {
                return;
            }
            let gap = head.seq - l - 1;
            if gap > 0 {
                report.lost += gap;
                shared.lost.fetch_add(gap, Ordering::Relaxed);
            }
            *last = Some(head.seq);
            report.received += 1;
            shared.delivered.fetch_add(1, Ordering::Relaxed);
            match head.captured_at_us {
                Some(at) => report.delays.push_us(now_us() - at),
                None => report.untimed += 1,
            }
        }
        ("error", _) => report.resyncs += 1,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(kind: &'static str, seq: u64) -> Head<'static> {
        Head {
            kind,
            channel: Some("race"),
            seq,
            captured_at_us: Some(now_us()),
        }
    }

    #[test]
    fn gaps_and_resync_snapshots_count_as_lost() {
        let shared = Shared::default();
        let mut report = ClientReport::default();
        let mut last = None;
        for (kind, seq) in [
            ("snapshot", 10),
            ("event", 11),
            ("event", 12),
            ("event", 15),
            ("event", 14),
            ("snapshot", 20),
            ("event", 21),
        ] {
            on_frame(&head(kind, seq), &mut last, &mut report, &shared);
        }
        assert_eq!(last, Some(21));
        assert_eq!(report.received, 4);
        assert_eq!(report.lost, 2 + 5);
        assert_eq!(report.delays.len(), 4);
        assert_eq!(shared.delivered.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn events_before_the_first_snapshot_are_not_owed() {
        let shared = Shared::default();
        let mut report = ClientReport::default();
        let mut last = None;
        on_frame(&head("event", 3), &mut last, &mut report, &shared);
        assert_eq!((last, report.received, report.lost), (None, 0, 0));
    }
}
