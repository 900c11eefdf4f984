//! A background thread that copies committed WAL frames into `events.db`.
//!
//! A checkpoint reads the WAL and writes and fsyncs the database file. Run by the writer
//! (SQLite's default), it stalls every commit queued behind it; here the writer only pokes
//! this thread after each commit, and it runs a `PASSIVE` checkpoint on its own connection,
//! which never blocks the writer. The writer keeps SQLite's automatic checkpoint as a
//! backstop at a higher threshold, so the WAL still resets if this thread falls behind.
//! Durability does not depend on checkpoints: a commit is durable once its WAL frames are
//! fsync'd.
//!
//! # Layout
//! - [`Checkpointer`]: spawn, `poke`, and stop on drop.

use super::schema;
use crate::error::StoreError;
use std::path::Path;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Handle to the checkpoint thread; dropping it stops and joins the thread.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    tick: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to `path`.
    pub fn spawn(path: &Path) -> Result<Checkpointer, StoreError> {
        let conn = schema::open_checkpointer(path)?;
        // One pending poke is enough: the next checkpoint covers every commit before it.
        let (tick, ticks) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("checkered-store-checkpoint".into())
            .spawn(move || {
                while ticks.recv().is_ok() {
                    // A failed or partial checkpoint is retried at the next poke, and the
                    // writer's automatic checkpoint bounds the WAL meanwhile.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|e| StoreError::Io(e.into()))?;
        Ok(Checkpointer {
            tick: Some(tick),
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint soon; never blocks.
    pub fn poke(&self) {
        if let Some(tick) = &self.tick {
            let _ = tick.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.tick.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
