//! What the simulated relays send: P3 PASSING envelopes read from checkered-sim's seeded
//! race model (a club meeting of qualifying sessions and races, duplicate and weak reads
//! included, three timing loops), posted as `POST /api/ingest/batch` bodies.
//!
//! The decoder clock (`rtc_time_us`) is the model's, so the engine scores real races;
//! only the pace is the benchmark's (`--rate` passings per second of wall time).
//! `captured_at_us` is the wall clock when the relay builds the batch, the start of every
//! capture → client delay measured downstream.
//!
//! # Layout
//! - [`track_config`], [`create_tracks`]: the tracks on the server.
//! - [`Feed`]: one track's endless passings, as payload JSON.
//! - [`Relay`]: numbers envelopes of one relay boot and writes batch bodies.

use anyhow::{Context, bail};
use checkered_engine::{LoopRole, SessionKind, TimingLoop, TrackConfig};
use checkered_protocol::contract::CONTRACT_VERSION;
use checkered_protocol::p3::{Frame, Record};
use checkered_sim::meeting::club_session;
use checkered_sim::p3out::passing;
use checkered_sim::{Line, Reading, simulate};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write;

/// Cars per simulated session.
const CARS: usize = 20;
/// Decoder time between the end of one session and the next green flag.
const BREAK_US: i64 = 15 * 60 * 1_000_000;
/// Decoder clock of the first green flag (2025-06-15).
const FIRST_GREEN_US: i64 = 1_750_000_000_000_000;

/// A circuit with start/finish and pit loops, races by default.
pub fn track_config(id: &str) -> TrackConfig {
    let mut cfg = TrackConfig::new(id);
    cfg.default_session_kind = SessionKind::Race;
    cfg.min_lap_time_us = 20_000_000;
    cfg.loops = [
        (Line::StartFinish, LoopRole::StartFinish),
        (Line::PitIn, LoopRole::PitIn),
        (Line::PitOut, LoopRole::PitOut),
    ]
    .into_iter()
    .map(|(line, role)| TimingLoop {
        id: line.id().into(),
        role,
        decoder_id: Some(line.decoder_id()),
    })
    .collect();
    cfg
}

/// Track ids `bench-0` … `bench-{n-1}`.
pub fn track_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("bench-{i}")).collect()
}

/// Defines every track on the server (each starts its engine).
pub async fn create_tracks(
    http: &reqwest::Client,
    base: &str,
    ids: &[String],
) -> anyhow::Result<()> {
    for id in ids {
        let body = serde_json::json!({"id": id, "name": id, "config": track_config(id)});
        let response = http
            .post(format!("{base}/api/v1/tracks"))
            .json(&body)
            .send()
            .await
            .with_context(|| format!("cannot create track {id}"))?;
        if !response.status().is_success() {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            bail!("creating track {id} failed with {status}: {text}");
        }
    }
    Ok(())
}

/// One track's passings, session after session, forever.
pub struct Feed {
    seed: u64,
    session: u64,
    green_us: i64,
    queue: VecDeque<Reading>,
    numbers: HashMap<Line, u32>,
}

impl Feed {
    /// The feed of a meeting seeded by `seed`.
    pub fn new(seed: u64) -> Feed {
        Feed {
            seed,
            session: 0,
            green_us: FIRST_GREEN_US,
            queue: VecDeque::new(),
            numbers: HashMap::new(),
        }
    }

    /// The next passing, as the JSON payload of a `PASSING` envelope.
    pub fn next_payload(&mut self) -> String {
        loop {
            if let Some(reading) = self.queue.pop_front() {
                let number = self.numbers.entry(reading.line).or_insert(1);
                let record = Record::Passing(passing(&reading, *number));
                *number = number.wrapping_add(1);
                return serde_json::to_string(&Frame::new(record)).unwrap_or_default();
            }
            let session = club_session(self.seed, CARS, self.session, self.green_us);
            self.session += 1;
            let sim = simulate(&session.spec);
            let last = sim.readings.last().map_or(self.green_us, |r| r.at_us);
            self.green_us = last + BREAK_US;
            self.queue.extend(sim.readings);
        }
    }
}

/// One relay boot: gap-free `seq`, a fresh `boot_id`.
pub struct Relay {
    track: String,
    client: String,
    boot: String,
    seq: u64,
}

impl Relay {
    /// A new boot of relay `client` for `track`.
    pub fn new(track: &str, client: &str) -> Relay {
        Relay {
            track: track.to_owned(),
            client: client.to_owned(),
            boot: ulid::Ulid::new().to_string(),
            seq: 0,
        }
    }

    /// The body of `POST /api/ingest/batch` for these passing payloads, every envelope
    /// stamped `captured_at_us`.
    pub fn batch_body(&mut self, payloads: &[String], captured_at_us: i64) -> String {
        let mut body = String::with_capacity(64 + payloads.len() * 420);
        let _ = write!(
            body,
            r#"{{"contract_version":"{CONTRACT_VERSION}","events":["#
        );
        for (i, payload) in payloads.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            self.write_envelope(&mut body, payload, captured_at_us);
        }
        body.push_str("]}");
        body
    }

    /// The next envelope alone, as JSON, and its idempotency key.
    pub fn envelope(&mut self, payload: &str, captured_at_us: i64) -> (String, String) {
        let mut json = String::with_capacity(420);
        self.write_envelope(&mut json, payload, captured_at_us);
        let key = format!("{}:{}:{}:{}", self.track, self.client, self.boot, self.seq);
        (key, json)
    }

    fn write_envelope(&mut self, out: &mut String, payload: &str, captured_at_us: i64) {
        self.seq += 1;
        let _ = write!(
            out,
            r#"{{"event_id":"{}","track_id":"{}","client_id":"{}","boot_id":"{}","seq":{},"captured_at_us":{},"message_type":"PASSING","payload":{}}}"#,
            ulid::Ulid::new(),
            self.track,
            self.client,
            self.boot,
            self.seq,
            captured_at_us,
            payload
        );
    }
}

/// Wall clock, µs since the Unix epoch.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Posts one batch; returns the events the server accepted (new or duplicate).
pub async fn post_batch(http: &reqwest::Client, url: &str, body: String) -> anyhow::Result<u64> {
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .context("ingest request failed")?;
    let status = response.status();
    let answer: serde_json::Value = response.json().await.context("ingest answer")?;
    if !status.is_success() {
        bail!("ingest answered {status}: {answer}");
    }
    let rejected = answer["rejected"].as_array().map_or(0, Vec::len);
    if rejected > 0 {
        bail!("ingest rejected {rejected} events: {answer}");
    }
    Ok(answer["accepted"].as_u64().unwrap_or(0) + answer["duplicates"].as_u64().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkered_protocol::contract::IngestBatch;

    #[test]
    fn batches_are_valid_envelopes_of_real_passings() {
        let mut feed = Feed::new(3);
        let payloads: Vec<String> = (0..2_000).map(|_| feed.next_payload()).collect();
        let mut relay = Relay::new("bench-0", "bench-relay");
        let body = relay.batch_body(&payloads, 1_800_000_000_000_000);
        let batch: IngestBatch = serde_json::from_str(&body).expect("a batch");
        assert_eq!(batch.events.len(), 2_000);
        for (i, e) in batch.events.iter().enumerate() {
            assert_eq!(e.validate(), Ok(()));
            assert_eq!(e.seq, i as u64 + 1);
            assert_eq!(e.payload["type"], "PASSING");
        }
        // 2 000 passings of 20 cars span more than one session of the meeting.
        let times: Vec<u64> = batch
            .events
            .iter()
            .map(|e| e.payload["rtc_time_us"].as_u64().expect("rtc"))
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "decoder time goes forward"
        );
        assert!(times[1_999] - times[0] > 3_600_000_000);
    }
}
