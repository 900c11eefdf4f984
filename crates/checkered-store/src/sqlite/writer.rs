//! The single writer thread and its group commit.
//!
//! SQLite allows one writer per file, and a durable commit costs an fsync (~0.3 ms here)
//! however many rows it carries. So one thread owns the write connection, blocks for the
//! first queued request, drains whatever else is queued (up to a row cap), runs all of it in
//! one `BEGIN IMMEDIATE … COMMIT`, and only then answers each caller. Under load many small
//! appends share one fsync; when idle a lone append commits at once (no timer to wait for).
//!
//! If a group fails, it is rolled back and each request is retried alone, so one bad request
//! cannot fail the others that happened to share its commit.
//!
//! # Layout
//! - [`Op`] / [`Work`] / [`Output`]: what callers send and get back.
//! - [`spawn`]: starts the thread; it stops when every sender is gone and the queue is empty.
//! - `Writer::commit_group`: the group commit.
//! - The per-track and per-source state it caches lives in `cache`.

use super::cache::Cache;
use super::checkpointer::Checkpointer;
use super::ops;
use super::{SqliteOptions, sql_error};
use crate::error::StoreError;
use crate::model::{
    AppendOutcome, DeadLetter, DerivedRow, Retention, RetentionReport, SnapshotRow,
};
use rusqlite::{Connection, TransactionBehavior};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot};

/// A raw envelope made ready for storage in the caller's task (validated, keyed, encoded),
/// so the writer thread spends its time only on SQL. Two allocations per event.
#[derive(Debug)]
pub(crate) struct PreparedRaw {
    /// `{track}:{client}:{boot}`: the idempotency key without its seq. None of the three
    /// parts contains `:` (validated), so the parts are found again by splitting.
    pub source_key: String,
    /// Length of the track id at the start of `source_key`.
    track_len: usize,
    /// Length of the client id after the track id and its `:`.
    client_len: usize,
    /// The relay's seq within its boot.
    pub seq: u64,
    /// The stored JSON (see `raw_codec`).
    pub body: String,
}

impl PreparedRaw {
    /// Keys a validated envelope's parts (`:`-free) and its stored JSON.
    pub fn new(track_id: &str, client_id: &str, boot_id: &str, seq: u64, body: String) -> Self {
        PreparedRaw {
            source_key: format!("{track_id}:{client_id}:{boot_id}"),
            track_len: track_id.len(),
            client_len: client_id.len(),
            seq,
            body,
        }
    }

    /// The track id.
    pub fn track_id(&self) -> &str {
        self.source_key.get(..self.track_len).unwrap_or_default()
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        let start = self.track_len.saturating_add(1);
        let end = start.saturating_add(self.client_len);
        self.source_key.get(start..end).unwrap_or_default()
    }

    /// The boot id.
    pub fn boot_id(&self) -> &str {
        let start = self
            .track_len
            .saturating_add(self.client_len)
            .saturating_add(2);
        self.source_key.get(start..).unwrap_or_default()
    }
}

/// One write request.
#[derive(Debug)]
pub(crate) enum Work {
    AppendRaw {
        events: Vec<PreparedRaw>,
        now_us: i64,
    },
    AppendDerived {
        track: String,
        rows: Vec<DerivedRow>,
    },
    SaveSnapshot {
        track: String,
        snapshot: SnapshotRow,
    },
    DeadLetter {
        rows: Vec<DeadLetter>,
    },
    Retention {
        now_us: i64,
        limits: Retention,
    },
}

impl Work {
    /// Rows this request writes, to cap how much one commit carries.
    fn weight(&self) -> usize {
        let rows = match self {
            Work::AppendRaw { events, .. } => events.len(),
            Work::AppendDerived { rows, .. } => rows.len(),
            Work::DeadLetter { rows } => rows.len(),
            Work::SaveSnapshot { .. } | Work::Retention { .. } => 1,
        };
        rows.max(1)
    }
}

/// The answer to a [`Work`], one variant per request kind.
#[derive(Debug)]
pub(crate) enum Output {
    Appended(Vec<AppendOutcome>),
    Inserted(u64),
    Done,
    Retained(RetentionReport),
}

/// The writer's answer to one request. It carries the request back so its buffers are freed
/// on the caller's thread: freeing thousands of strings allocated by other threads cost the
/// writer (the bottleneck) about a fifth of its time.
#[derive(Debug)]
pub(crate) struct Answer {
    pub result: Result<Output, StoreError>,
    #[allow(dead_code, reason = "held only so the caller drops it")]
    pub work: Work,
}

/// A request and where to send its answer.
#[derive(Debug)]
pub(crate) struct Op {
    pub work: Work,
    pub reply: oneshot::Sender<Answer>,
}

impl Op {
    /// Answers the caller; one that stopped waiting is fine (a committed write stays).
    fn answer(self, result: Result<Output, StoreError>) {
        let _ = self.reply.send(Answer {
            result,
            work: self.work,
        });
    }
}

/// Starts the writer thread on an open, migrated connection.
pub(crate) fn spawn(
    conn: Connection,
    rx: mpsc::Receiver<Op>,
    options: &SqliteOptions,
    checkpointer: Checkpointer,
) -> Result<JoinHandle<()>, StoreError> {
    let writer = Writer {
        conn,
        checkpointer,
        cache: Cache::new(options.run_flush_events),
        max_group_rows: options.max_group_rows.max(1),
    };
    std::thread::Builder::new()
        .name("checkered-store-writer".into())
        .spawn(move || writer.run(rx))
        .map_err(|e| StoreError::Io(e.into()))
}

struct Writer {
    conn: Connection,
    /// Poked after each commit; stopped (and joined) when the writer ends.
    checkpointer: Checkpointer,
    cache: Cache,
    max_group_rows: usize,
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Op>) {
        let mut group: Vec<Op> = Vec::new();
        while let Some(first) = rx.blocking_recv() {
            let mut rows = first.work.weight();
            group.push(first);
            while rows < self.max_group_rows {
                match rx.try_recv() {
                    Ok(op) => {
                        rows = rows.saturating_add(op.work.weight());
                        group.push(op);
                    }
                    Err(_) => break,
                }
            }
            self.commit_group(&mut group);
            self.checkpointer.poke();
        }
    }

    /// Commits `group` in one transaction and answers every request; on failure retries
    /// each request alone so only the failing ones get an error.
    fn commit_group(&mut self, group: &mut Vec<Op>) {
        match self.apply(group) {
            Ok(outputs) => {
                for (op, output) in group.drain(..).zip(outputs) {
                    op.answer(Ok(output));
                }
            }
            Err(err) if group.len() == 1 => {
                if let Some(op) = group.pop() {
                    op.answer(Err(err));
                }
            }
            Err(_) => {
                for op in group.drain(..) {
                    let answer = self
                        .apply(std::slice::from_ref(&op))
                        .and_then(|outs| outs.into_iter().next().ok_or(StoreError::Closed));
                    op.answer(answer);
                }
            }
        }
    }

    /// Runs `ops` in one `BEGIN IMMEDIATE … COMMIT`; all or nothing, caches included.
    fn apply(&mut self, ops: &[Op]) -> Result<Vec<Output>, StoreError> {
        let result = self.try_apply(ops);
        if result.is_err() {
            // The transaction rolled back: forget everything cached, reload on demand.
            self.cache.reset();
        }
        result
    }

    fn try_apply(&mut self, ops: &[Op]) -> Result<Vec<Output>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_error)?;
        let mut outputs = Vec::with_capacity(ops.len());
        for op in ops {
            outputs.push(ops::apply(&tx, &mut self.cache, &op.work)?);
        }
        self.cache.flush(&tx)?;
        tx.commit().map_err(sql_error)?;
        Ok(outputs)
    }
}

#[cfg(test)]
mod tests {
    use super::PreparedRaw;

    #[test]
    fn prepared_raw_finds_its_parts_again() {
        let p = PreparedRaw::new("sebring", "relay-1", "boot-7", 9, "{}".into());
        assert_eq!(p.source_key, "sebring:relay-1:boot-7");
        assert_eq!(
            (p.track_id(), p.client_id(), p.boot_id()),
            ("sebring", "relay-1", "boot-7")
        );
    }
}
