//! The spool writer: takes messages from the source, envelopes and appends them, and
//! fsyncs each group before telling the sender they exist (group commit: one fsync for
//! whatever arrived together).
//!
//! At the spool limit it stops taking messages, so the source's channel fills and the
//! source stops reading: nothing is dropped. It raises the alarm once when the spool
//! fills and says when there is room again.

use crate::relay::now_us;
use crate::relay::spool::{Captured, Spool, SpoolError, Staged};
use crate::relay::status::Status;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{Notify, mpsc, watch};

/// Most messages in one group commit.
const GROUP: usize = 1024;

/// The writer's connections to the rest of the relay.
pub struct Writer {
    /// The spool (shared with the sender; the lock is never held across an await).
    pub spool: Arc<Mutex<Spool>>,
    /// Messages from the source.
    pub rx: mpsc::Receiver<Captured>,
    /// The highest durable record id, for the sender.
    pub durable: watch::Sender<u64>,
    /// Signalled by the sender whenever acknowledgements free space.
    pub space: Arc<Notify>,
    /// Shared state.
    pub status: Status,
    /// Turns true when the relay stops (a writer waiting for room then gives up its
    /// backlog: messages not yet spooled are not kept).
    pub shutdown: watch::Receiver<bool>,
}

impl Writer {
    /// Runs until the source ends (its channel closes) and everything it sent is durable.
    pub async fn run(mut self) -> Result<(), SpoolError> {
        let mut backlog: VecDeque<Captured> = VecDeque::new();
        loop {
            if backlog.is_empty() {
                match self.rx.recv().await {
                    Some(m) => backlog.push_back(m),
                    None => return Ok(()),
                }
            }
            while backlog.len() < GROUP {
                match self.rx.try_recv() {
                    Ok(m) => backlog.push_back(m),
                    Err(_) => break,
                }
            }
            let (rest, full) = self.write(backlog).await?;
            backlog = rest;
            if full && !self.wait_for_room().await {
                return Ok(());
            }
        }
    }

    /// Stages and commits what fits; gives back what did not, and whether the spool is full.
    async fn write(
        &self,
        batch: VecDeque<Captured>,
    ) -> Result<(VecDeque<Captured>, bool), SpoolError> {
        let spool = self.spool.clone();
        let done = tokio::task::spawn_blocking(move || {
            let mut spool = spool.lock().unwrap_or_else(PoisonError::into_inner);
            let mut rest = VecDeque::new();
            let mut written = 0u64;
            let now = now_us();
            let mut batch = batch;
            while let Some(m) = batch.pop_front() {
                match spool.stage(m, now)? {
                    Staged::Ok => written += 1,
                    Staged::Full(m) => {
                        rest.push_back(m);
                        rest.extend(batch);
                        break;
                    }
                }
            }
            let durable = spool.commit()?;
            Ok::<_, SpoolError>((rest, written, durable, spool.stats()))
        })
        .await
        .map_err(|e| SpoolError::Damaged("spool writer".into(), e.to_string()))??;
        let (rest, written, durable, stats) = done;
        let full = !rest.is_empty();
        let was_full = self.status.snapshot().spool_full;
        self.status.update(|s| {
            s.read += written;
            s.spooled = stats.pending_events;
            s.spooled_bytes = stats.pending_bytes;
            s.oldest_unsent_us = stats.oldest_spooled_at_us;
            s.spool_full = full;
        });
        if full && !was_full {
            tracing::error!(
                spooled = stats.pending_events,
                bytes = stats.pending_bytes,
                "spool full: reading from the source has stopped until the server acknowledges events"
            );
        } else if !full && was_full {
            tracing::info!("spool has room again: reading from the source");
        }
        self.durable.send_replace(durable);
        Ok((rest, full))
    }

    /// Waits for acknowledgements to free space; `false` if the relay stops first.
    async fn wait_for_room(&mut self) -> bool {
        if *self.shutdown.borrow() {
            return false;
        }
        tokio::select! {
            () = self.space.notified() => true,
            _ = self.shutdown.changed() => false,
        }
    }
}
