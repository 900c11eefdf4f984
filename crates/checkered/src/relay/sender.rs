//! The sender: reads durable events from the spool oldest first, posts them in batches
//! to `POST /api/ingest/batch`, and acknowledges them in the spool only once the server
//! has answered (it answers only after its durable append).
//!
//! A failed request is retried with the very same envelopes, so a batch the server stored
//! but whose answer was lost comes back as duplicates, never as new events. Unreachable
//! servers, timeouts, 5xx and 429 are retried with backoff and jitter for ever. A
//! request the server refuses as such (401, 400, …) is a configuration problem: a file
//! replay stops with the server's reason; a live relay keeps spooling, raises the alarm and
//! keeps trying. A batch too large for the server (413) is split.
//!
//! # Layout
//! - [`Sender::run`]: the loop; `next_batch` (waiting and linger), `deliver` (retries),
//!   `settle` (acknowledgement).
//! - `post` / [`Attempt`]: one HTTP request and how its failure is classed.

use crate::relay::backoff::Backoff;
use crate::relay::config::RelayConfig;
use crate::relay::spool::{Pending, Spool, SpoolError};
use crate::relay::status::{Link, Status};
use checkered_protocol::contract::{CONTRACT_VERSION, Envelope, IngestResponse};
use reqwest::StatusCode;
use serde::Serialize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{Notify, watch};

/// Why the sender stopped before delivering everything.
#[derive(Debug, Error)]
pub enum SendError {
    /// The server refuses the requests (a file replay gives up).
    #[error("the server refuses the events: {0}")]
    Refused(String),
    /// The spool failed.
    #[error(transparent)]
    Spool(#[from] SpoolError),
}

/// How the sender ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendEnd {
    /// The source ended and every event was acknowledged.
    Drained,
    /// The relay was stopped.
    Stopped,
}

/// One failed attempt.
#[derive(Debug)]
enum Attempt {
    /// Worth retrying as it is.
    Retry(String),
    /// 413: the batch must be smaller.
    TooLarge,
    /// Refused as such: a configuration problem.
    Refused(String),
}

/// A batch's fate.
enum Delivery {
    Done(IngestResponse),
    TooLarge,
    Stopped,
}

/// The sender's connections.
pub struct Sender {
    /// The bearer token for ingest (static or by client credentials).
    pub bearer: crate::relay::token::Bearer,
    /// HTTP client (with timeouts).
    pub http: reqwest::Client,
    /// The relay's configuration.
    pub config: Arc<RelayConfig>,
    /// The spool (shared with the writer).
    pub spool: Arc<Mutex<Spool>>,
    /// Highest durable record id; closed when the writer is done.
    pub durable: watch::Receiver<u64>,
    /// Signalled after every acknowledgement (room in the spool).
    pub space: Arc<Notify>,
    /// Shared state.
    pub status: Status,
    /// Turns true when the relay stops.
    pub shutdown: watch::Receiver<bool>,
}

#[derive(Serialize)]
struct Body<'a> {
    contract_version: &'a str,
    events: Vec<&'a Envelope>,
}

impl Sender {
    /// Sends until the source is done and drained, or the relay stops.
    pub async fn run(mut self) -> Result<SendEnd, SendError> {
        if !self.check_track().await? {
            return Ok(SendEnd::Stopped);
        }
        let mut after = self.lock().stats().acked_rid;
        let mut size = self.config.batch;
        loop {
            let Some(batch) = self.next_batch(after, size).await? else {
                return Ok(if *self.shutdown.borrow() {
                    SendEnd::Stopped
                } else {
                    SendEnd::Drained
                });
            };
            let last = batch.last().map_or(after, |p| p.rid);
            match self.deliver(&batch).await? {
                Delivery::Done(answer) => self.settle(&batch, answer).await?,
                Delivery::TooLarge if batch.len() > 1 => {
                    size = (batch.len() / 2).max(1);
                    tracing::warn!(
                        batch = size,
                        "the server found the batch too large; sending smaller ones"
                    );
                    continue;
                }
                Delivery::TooLarge => self.too_large(&batch).await?,
                Delivery::Stopped => return Ok(SendEnd::Stopped),
            }
            after = last;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Spool> {
        self.spool.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for durable events after `after`, lingers for a fuller batch, reads it.
    /// `None` when the writer is done and nothing is left, or the relay stops.
    async fn next_batch(
        &mut self,
        after: u64,
        size: usize,
    ) -> Result<Option<Vec<Pending>>, SendError> {
        let mut shutdown = self.shutdown.clone();
        let ready = tokio::select! {
            r = self.durable.wait_for(|&d| d > after) => r.is_ok(),
            _ = shutdown.changed() => return Ok(None),
        };
        if !ready && *self.durable.borrow() <= after {
            return Ok(None);
        }
        let want = after + size as u64;
        if *self.durable.borrow() < want && self.durable.has_changed().is_ok() {
            let linger = self.config.linger;
            let _ = tokio::time::timeout(linger, self.durable.wait_for(|&d| d >= want)).await;
        }
        let spool = self.spool.clone();
        let batch = tokio::task::spawn_blocking(move || {
            spool
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .read(after, size)
        })
        .await
        .map_err(|e| SpoolError::Damaged("spool reader".into(), e.to_string()))??;
        Ok(Some(batch))
    }

    /// Posts one batch until the server answers it.
    async fn deliver(&mut self, batch: &[Pending]) -> Result<Delivery, SendError> {
        let body = serde_json::to_vec(&Body {
            contract_version: CONTRACT_VERSION,
            events: batch.iter().map(|p| &p.envelope).collect(),
        })
        .map_err(|e| SpoolError::Damaged("ingest body".into(), e.to_string()))?;
        let mut backoff = Backoff::new(Duration::from_millis(100), self.config.backoff_max);
        let mut down_since: Option<tokio::time::Instant> = None;
        loop {
            let reason = match self.post(&body).await {
                Ok(answer) => {
                    if let Some(since) = down_since {
                        tracing::info!(
                            down_s = since.elapsed().as_secs_f64(),
                            "server reachable again"
                        );
                    }
                    self.status
                        .update(|s| s.server = Link::Up(self.config.server_base.clone()));
                    return Ok(Delivery::Done(answer));
                }
                Err(Attempt::TooLarge) => return Ok(Delivery::TooLarge),
                Err(Attempt::Refused(reason)) if self.config.source.is_file() => {
                    return Err(SendError::Refused(reason));
                }
                Err(Attempt::Refused(reason) | Attempt::Retry(reason)) => reason,
            };
            let wait = backoff.next_delay();
            if down_since.is_none() {
                down_since = Some(tokio::time::Instant::now());
                tracing::warn!(
                    reason,
                    "server unavailable; events stay in the spool and are retried"
                );
            }
            tracing::debug!(
                reason,
                retry_in_ms = wait.as_millis() as u64,
                "ingest attempt failed"
            );
            self.status.update(|s| s.server = Link::Down(reason));
            let mut shutdown = self.shutdown.clone();
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => return Ok(Delivery::Stopped),
            }
        }
    }

    async fn post(&self, body: &[u8]) -> Result<IngestResponse, Attempt> {
        let mut request = self
            .http
            .post(&self.config.ingest_url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        let token = self.bearer.token(&self.http).await.map_err(|e| match e {
            crate::relay::token::TokenError::Retry(r) => Attempt::Retry(r),
            crate::relay::token::TokenError::Refused(r) => Attempt::Refused(r),
        })?;
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Attempt::Retry(describe(&e)))?;
        let status = response.status();
        if status.is_success() {
            return response
                .json::<IngestResponse>()
                .await
                .map_err(|e| Attempt::Retry(format!("unreadable answer: {}", describe(&e))));
        }
        let detail = problem_detail(response).await;
        let reason = format!("{status}: {detail}");
        if status == StatusCode::UNAUTHORIZED && self.bearer.renewable() {
            // Expired or revoked: a fresh token tells which (revoked fails at the grant).
            self.bearer.invalidate();
            return Err(Attempt::Retry(reason));
        }
        Err(match status {
            StatusCode::PAYLOAD_TOO_LARGE => Attempt::TooLarge,
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => Attempt::Retry(reason),
            s if s.is_client_error() => Attempt::Refused(reason),
            _ => Attempt::Retry(reason),
        })
    }

    /// Records the server's answer and forgets the batch from the spool.
    async fn settle(&self, batch: &[Pending], answer: IngestResponse) -> Result<(), SendError> {
        for r in &answer.rejected {
            let key = batch
                .get(r.index)
                .map(|p| p.envelope.idempotency_key().to_string());
            tracing::warn!(event = key.as_deref().unwrap_or("?"), reason = %r.reason, "the server rejected an event (it is in the server's dead letters)");
        }
        let answered = answer.accepted + answer.duplicates + answer.rejected.len() as u64;
        if answered != batch.len() as u64 {
            tracing::error!(
                sent = batch.len(),
                answered,
                "the server's answer does not add up to the batch"
            );
        }
        let n = batch.len() as u64;
        self.status.update(|s| {
            s.sent += n;
            s.accepted += answer.accepted;
            s.duplicates += answer.duplicates;
            s.rejected += answer.rejected.len() as u64;
        });
        self.ack(batch).await
    }

    async fn ack(&self, batch: &[Pending]) -> Result<(), SendError> {
        let Some(last) = batch.last().map(|p| p.rid) else {
            return Ok(());
        };
        let spool = self.spool.clone();
        let stats = tokio::task::spawn_blocking(move || {
            let mut spool = spool.lock().unwrap_or_else(PoisonError::into_inner);
            spool.ack(last).map(|()| spool.stats())
        })
        .await
        .map_err(|e| SpoolError::Damaged("spool ack".into(), e.to_string()))??;
        self.status.update(|s| {
            s.spooled = stats.pending_events;
            s.spooled_bytes = stats.pending_bytes;
            s.oldest_unsent_us = stats.oldest_spooled_at_us;
        });
        self.space.notify_one();
        Ok(())
    }
}

#[path = "sender_checks.rs"]
mod checks;

/// An error with its causes, on one line.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The `detail` of a problem document, or the start of whatever the body was.
async fn problem_detail(response: reqwest::Response) -> String {
    let text = response.text().await.unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_else(|| text.chars().take(200).collect())
}
