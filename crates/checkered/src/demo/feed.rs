//! Plays a demo track into the server through the same HTTP ingest a relay uses: each
//! message is wrapped in an envelope (fresh boot id, gap-free seq) at its time, batched, and
//! posted until acknowledged (a failed batch is retried with the same envelopes, so the
//! server counts any repeat as a duplicate).

use super::scenario::{DemoTrack, TimedMessage};
use checkered_protocol::contract::{CONTRACT_VERSION, Envelope};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Most messages per ingest request.
const MAX_BATCH: usize = 500;

/// A relay identity for one run of the demo.
struct Relay {
    track: String,
    client: String,
    boot: String,
    seq: u64,
}

impl Relay {
    fn envelope(&mut self, epoch_us: i64, message: TimedMessage) -> Envelope {
        self.seq += 1;
        Envelope {
            event_id: ulid::Ulid::new().to_string(),
            track_id: self.track.clone(),
            client_id: self.client.clone(),
            boot_id: self.boot.clone(),
            seq: self.seq,
            captured_at_us: epoch_us + message.at_us,
            ingested_at_us: None,
            message_type: message.message_type,
            payload: message.payload,
        }
    }
}

/// Creates the track (if needed) and plays its messages at `speed` × real time until
/// `shutdown` turns true. `started` is the instant of demo time 0, `epoch_us` its wall time.
pub async fn run(
    http: reqwest::Client,
    base: String,
    track: DemoTrack,
    started: Instant,
    epoch_us: i64,
    speed: f64,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let body = json!({"id": track.id, "name": track.name, "config": track.config});
    let response = http
        .post(format!("{base}/api/v1/tracks"))
        .json(&body)
        .send()
        .await?;
    let status = response.status().as_u16();
    if status != 201 && status != 409 {
        let detail: Value = response.json().await.unwrap_or(Value::Null);
        anyhow::bail!("cannot create track {}: {status} {detail}", track.id);
    }
    let mut relay = Relay {
        track: track.id.clone(),
        client: format!("demo-{}", track.id),
        boot: ulid::Ulid::new().to_string(),
        seq: 0,
    };
    let url = format!("{base}/api/ingest/batch");
    let due = |m: &TimedMessage| {
        let secs = (m.at_us.max(0) as f64 / 1e6) / speed.max(1e-3);
        started + Duration::from_secs_f64(secs)
    };
    let mut messages = track.messages.peekable();
    loop {
        let Some(next) = messages.peek() else {
            return Ok(());
        };
        let at = due(next);
        tokio::select! {
            () = tokio::time::sleep_until(at) => {}
            _ = shutdown.changed() => return Ok(()),
        }
        let now = Instant::now();
        let mut batch = Vec::new();
        while batch.len() < MAX_BATCH {
            match messages.next_if(|m| due(m) <= now) {
                Some(m) => batch.push(relay.envelope(epoch_us, m)),
                None => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        let body = json!({"contract_version": CONTRACT_VERSION, "events": batch});
        let mut backoff = Duration::from_millis(100);
        loop {
            match http.post(&url).json(&body).send().await {
                Ok(r) if r.status().is_success() => break,
                Ok(r) => {
                    tracing::warn!(track = %relay.track, status = %r.status(), "ingest refused a batch; retrying")
                }
                Err(error) => {
                    tracing::warn!(track = %relay.track, %error, "ingest unreachable; retrying")
                }
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => return Ok(()),
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }
}
