//! The sender's two guards: the track must exist before events are sent (so a forgotten
//! track never turns a race into dead letters), and an event too large for any request
//! is set aside in the spool directory, loudly, instead of blocking the spool for ever.

use super::{SendError, Sender, describe};
use crate::relay::backoff::Backoff;
use crate::relay::spool::{Pending, SpoolError};
use crate::relay::status::Link;
use reqwest::StatusCode;
use std::io::Write;
use std::time::Duration;

/// File in the spool directory that keeps events no request could carry.
pub const TOO_LARGE: &str = "too-large.jsonl";

impl Sender {
    /// Waits until the server knows the track. `Ok(false)` if the relay stops first. A
    /// server that cannot be asked is assumed to know it (sending then finds out).
    pub(super) async fn check_track(&mut self) -> Result<bool, SendError> {
        let url = format!(
            "{}/api/v1/tracks/{}",
            self.config.server_base, self.config.track
        );
        let mut backoff = Backoff::new(Duration::from_millis(200), self.config.backoff_max);
        loop {
            let mut request = self.http.get(&url);
            if let Ok(Some(token)) = self.bearer.token(&self.http).await {
                request = request.bearer_auth(token);
            }
            let status = match request.send().await {
                Ok(response) => response.status(),
                Err(e) => {
                    tracing::debug!(error = describe(&e), "cannot check the track yet");
                    return Ok(true);
                }
            };
            if status != StatusCode::NOT_FOUND {
                return Ok(true);
            }
            let reason = format!(
                "track {:?} does not exist on the server; create it (POST /api/v1/tracks)",
                self.config.track
            );
            if self.config.source.is_file() {
                return Err(SendError::Refused(reason));
            }
            tracing::error!(
                reason,
                "not sending until the track exists; events stay in the spool"
            );
            self.status.update(|s| s.server = Link::Down(reason));
            let mut shutdown = self.shutdown.clone();
            tokio::select! {
                () = tokio::time::sleep(backoff.next_delay()) => {}
                _ = shutdown.changed() => return Ok(false),
            }
        }
    }

    /// One event the server will never take in any request: keep it beside the spool and
    /// acknowledge it, so the events after it can flow.
    pub(super) async fn too_large(&self, batch: &[Pending]) -> Result<(), SendError> {
        let path = self.config.spool_dir.join(TOO_LARGE);
        let mut lines = Vec::new();
        for p in batch {
            serde_json::to_writer(&mut lines, &p.envelope)
                .map_err(|e| SpoolError::Damaged(path.clone(), e.to_string()))?;
            lines.push(b'\n');
            tracing::error!(
                event = %p.envelope.idempotency_key(),
                file = %path.display(),
                "the server refuses this event as too large; it is kept in the file and skipped"
            );
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(&lines).and_then(|()| f.sync_all()))
            .map_err(|e| SpoolError::io(&path, e))?;
        self.status.update(|s| s.rejected += batch.len() as u64);
        self.ack(batch).await
    }
}
