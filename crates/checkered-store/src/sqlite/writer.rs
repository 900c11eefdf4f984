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
//! - [`Heads`]: the per-track high-water marks, cached, with uncommitted changes kept apart.

use super::ops;
use super::sql_error;
use crate::error::StoreError;
use crate::model::{
    AppendOutcome, DeadLetter, DerivedRow, Retention, RetentionReport, SnapshotRow,
};
use rusqlite::{Connection, TransactionBehavior};
use std::collections::HashMap;
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot};

/// A raw envelope made ready for storage in the caller's task (validated, keyed, encoded),
/// so the writer thread spends its time only on SQL.
#[derive(Debug)]
pub(crate) struct PreparedRaw {
    /// Track slug.
    pub track_id: String,
    /// `{track}:{client}:{boot}:{seq}`.
    pub key: String,
    /// The envelope as JSON without `ingested_at_us`.
    pub body: String,
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

/// A request and where to send its answer.
#[derive(Debug)]
pub(crate) struct Op {
    pub work: Work,
    pub reply: oneshot::Sender<Result<Output, StoreError>>,
}

/// A track's high-water marks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Head {
    pub raw_seq: u64,
    pub ingested_at_us: i64,
    pub derived_seq: u64,
}

/// Per-track heads: `committed` mirrors `track_heads` on disk, `dirty` holds the changes of
/// the open transaction (dropped on rollback, merged on commit).
#[derive(Debug, Default)]
pub(crate) struct Heads {
    committed: HashMap<String, Head>,
    dirty: HashMap<String, Head>,
}

impl Heads {
    /// The current head of `track`, including uncommitted changes.
    pub fn current(&self, track: &str) -> Head {
        self.dirty
            .get(track)
            .or_else(|| self.committed.get(track))
            .copied()
            .unwrap_or_default()
    }

    /// Records a change in the open transaction.
    pub fn set(&mut self, track: &str, head: Head) {
        match self.dirty.get_mut(track) {
            Some(slot) => *slot = head,
            None => {
                self.dirty.insert(track.to_owned(), head);
            }
        }
    }

    fn load(conn: &Connection) -> Result<Heads, StoreError> {
        let mut heads = Heads::default();
        for (track, head) in ops::load_heads(conn)? {
            heads.committed.insert(track, head);
        }
        Ok(heads)
    }
}

/// Starts the writer thread on an open, migrated connection.
pub(crate) fn spawn(
    conn: Connection,
    rx: mpsc::Receiver<Op>,
    max_group_rows: usize,
) -> Result<JoinHandle<()>, StoreError> {
    let heads = Heads::load(&conn)?;
    let writer = Writer {
        conn,
        heads,
        max_group_rows: max_group_rows.max(1),
    };
    std::thread::Builder::new()
        .name("checkered-store-writer".into())
        .spawn(move || writer.run(rx))
        .map_err(|e| StoreError::Io(e.into()))
}

struct Writer {
    conn: Connection,
    heads: Heads,
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
        }
    }

    /// Commits `group` in one transaction and answers every request; on failure retries
    /// each request alone so only the failing ones get an error.
    fn commit_group(&mut self, group: &mut Vec<Op>) {
        match self.apply(group) {
            Ok(outputs) => {
                for (op, output) in group.drain(..).zip(outputs) {
                    // A caller that stopped waiting is fine: its data is committed.
                    let _ = op.reply.send(Ok(output));
                }
            }
            Err(err) if group.len() == 1 => {
                if let Some(op) = group.pop() {
                    let _ = op.reply.send(Err(err));
                }
            }
            Err(_) => {
                for op in group.drain(..) {
                    let answer = self
                        .apply(std::slice::from_ref(&op))
                        .and_then(|outs| outs.into_iter().next().ok_or(StoreError::Closed));
                    let _ = op.reply.send(answer);
                }
            }
        }
    }

    /// Runs `ops` in one `BEGIN IMMEDIATE … COMMIT`; all or nothing, caches included.
    fn apply(&mut self, ops: &[Op]) -> Result<Vec<Output>, StoreError> {
        let result = self.try_apply(ops);
        if result.is_ok() {
            let dirty = std::mem::take(&mut self.heads.dirty);
            self.heads.committed.extend(dirty);
        } else {
            self.heads.dirty.clear();
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
            outputs.push(ops::apply(&tx, &mut self.heads, &op.work)?);
        }
        ops::store_heads(&tx, &self.heads.dirty)?;
        tx.commit().map_err(sql_error)?;
        Ok(outputs)
    }
}
