//! The embedded backend: one SQLite file (`events.db`, WAL) per data directory.
//!
//! Writes go to a single writer thread with group commit (see `writer`); reads go to a pool
//! of read-only connections on tokio's blocking threads. A [`SqliteLog`] is a cheap handle:
//! clones share the same writer and pool.
//!
//! The raw log is laid out for the ingest target (>= 200k durable events/s on two cores):
//! each new event is exactly one b-tree insert, its rowid `(track_no << 40) | track_seq`
//! ordering a track without a second index. The idempotency key's uniqueness is not a
//! per-event UNIQUE index (measured here, that index alone halved throughput); it is kept by
//! the writer, which knows each relay's highest seq (in-order input needs no lookup) and
//! looks lower seqs up in `raw_runs` (sorted `(seq, raw id)` lists, 128 per row) or in the
//! runs it holds in memory. The migration `0001_event_log.sql` documents every table.
//!
//! Only one `SqliteLog` may write a given directory at a time: the writer caches each
//! track's last sequence number and each relay's dedupe state. A second writer would get
//! primary-key errors on its appends (raw ids encode the track sequence), never a silently
//! reordered log.
//!
//! # Layout
//! - [`SqliteLog`], [`SqliteOptions`]: opening, closing, the request plumbing.
//! - `log_impl`: the [`EventLog`](crate::EventLog) implementation.
//! - `writer`: the writer thread and group commit; `cache`: what it caches per track/source;
//!   `checkpointer`: WAL checkpoints off the writer thread.
//! - `raw_append`, `ops`, `retention`: the SQL of each write; `raw_codec`: the raw row layout.
//! - `read`: the read pool and queries.
//! - `schema`: PRAGMAs and migrations.

mod cache;
mod cache_store;
mod checkpointer;
mod log_impl;
mod ops;
mod raw_append;
mod raw_codec;
mod read;
mod retention;
mod schema;
mod writer;

use crate::error::StoreError;
use read::ReadPool;
use rusqlite::ErrorCode;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot};
use writer::{Op, Output, Work};

/// The file name of the log inside its data directory.
pub const FILE_NAME: &str = "events.db";

/// Tuning for [`SqliteLog::open`]; the defaults suit a laptop and a small server alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Read connections kept open between reads.
    pub read_connections: usize,
    /// Most rows one group commit carries; more queued work waits for the next commit.
    pub max_group_rows: usize,
    /// Write requests that may wait for the writer before callers are held back.
    pub queue_depth: usize,
    /// Raw events of a track between writes of its dedupe runs. Larger means fewer pages per
    /// commit; a track's load (after a restart) reads back at most about this many events.
    pub run_flush_events: u64,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            read_connections: 4,
            max_group_rows: 16_384,
            queue_depth: 4_096,
            run_flush_events: 4_096,
        }
    }
}

/// The embedded durable event log. Clone it freely; the writer thread stops when the last
/// clone is dropped (after finishing queued work) or when [`SqliteLog::close`] is called.
#[derive(Debug, Clone)]
pub struct SqliteLog {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// `None` once closed. Behind a std mutex because it is only cloned, never held
    /// across an `.await`.
    sender: Mutex<Option<mpsc::Sender<Op>>>,
    /// The writer thread, joined on close or drop so the file is released.
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Set by `close`; reads check it so a closed log refuses everything.
    closed: AtomicBool,
    readers: Arc<ReadPool>,
}

impl SqliteLog {
    /// Opens (creating if needed) `dir/events.db`, migrates its schema and starts the
    /// writer thread.
    pub fn open(dir: &Path, options: SqliteOptions) -> Result<SqliteLog, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(e.into()))?;
        let path = dir.join(FILE_NAME);
        let mut conn = schema::open_writer(&path)?;
        schema::migrate(&mut conn)?;
        let readers = Arc::new(ReadPool::new(path, options.read_connections));
        readers.with(|_| Ok(()))?;
        let (tx, rx) = mpsc::channel(options.queue_depth.max(1));
        let checkpointer = checkpointer::Checkpointer::spawn(&dir.join(FILE_NAME))?;
        let thread = writer::spawn(conn, rx, &options, checkpointer)?;
        Ok(SqliteLog {
            inner: Arc::new(Inner {
                sender: Mutex::new(Some(tx)),
                thread: Mutex::new(Some(thread)),
                closed: AtomicBool::new(false),
                readers,
            }),
        })
    }

    /// Stops accepting work, lets the writer finish what is queued, and waits for it to
    /// release the file. Every later call on any clone fails with [`StoreError::Closed`].
    pub async fn close(&self) -> Result<(), StoreError> {
        self.inner.closed.store(true, Ordering::SeqCst);
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || inner.stop())
            .await
            .map_err(|e| StoreError::Backend(e.into()))
    }

    /// Sends one request to the writer and waits for its durable answer.
    async fn submit(&self, work: Work) -> Result<Output, StoreError> {
        let sender = self
            .inner
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(StoreError::Closed)?;
        let (reply, answer) = oneshot::channel();
        sender
            .send(Op { work, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        let answer = answer.await.map_err(|_| StoreError::Closed)?;
        // `answer.work` (the request's buffers) is dropped here, on the caller's thread.
        answer.result
    }

    /// Runs a read on a pooled connection on tokio's blocking threads.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Closed);
        }
        let pool = Arc::clone(&self.inner.readers);
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| StoreError::Backend(e.into()))?
    }
}

impl Inner {
    /// Drops the sender (the writer drains its queue and exits) and joins the thread.
    fn stop(&self) {
        drop(
            self.sender
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            // A panicked writer has already answered nothing more; there is nothing to add.
            let _ = thread.join();
        }
    }
}

impl Drop for Inner {
    /// Blocks until queued writes are committed, so reopening the directory right after
    /// dropping the last handle sees everything that was acknowledged.
    fn drop(&mut self) {
        self.stop();
    }
}

/// Maps a SQLite error to the backend-neutral kinds callers branch on.
pub(crate) fn sql_error(err: rusqlite::Error) -> StoreError {
    let code = match &err {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.code),
        _ => None,
    };
    match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(err.into()),
        Some(
            ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull
            | ErrorCode::CannotOpen
            | ErrorCode::FileLockingProtocolFailed
            | ErrorCode::OutOfMemory,
        ) => StoreError::Io(err.into()),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt(err.into())
        }
        _ => StoreError::Backend(err.into()),
    }
}
