//! The relay's disk spool: every message is wrapped in its envelope, appended to a
//! segment file and fsync'd before it may be sent; it leaves the spool only when the
//! server acknowledged it.
//!
//! Identity is fixed at spool time: a record keeps its `(boot_id, seq)` for ever, so a
//! retry after any crash carries the same idempotency key and the server counts it as a
//! duplicate. Each start of the relay is a new boot (new `boot_id`, `seq` from 1) that
//! begins a new segment; events of earlier boots are drained first, oldest first.
//!
//! # Layout
//! - this file: [`Spool`] (open, [`Spool::stage`] + [`Spool::commit`], [`Spool::read`],
//!   [`Spool::ack`]), [`Captured`], [`SpoolError`].
//! - [`entry`]: the JSON inside a record; [`Resume`](entry::Resume), the source position.
//! - [`frame`]: the on-disk record frame (magic, length, CRC-32).
//! - [`recover`]: reading the segments back at start, cutting a torn tail.
//! - [`files`]: the lock, the acknowledged watermark, the client id, segment names.
//! - `segment`: creating a segment, reading one record back; `types`: the values the
//!   spool takes and gives.

pub mod entry;
pub mod files;
pub mod frame;
pub mod recover;
mod segment;
mod types;

use segment::{create_segment, read_record};
pub use types::{Captured, Meta, OpenReport, Pending, SpoolOptions, SpoolStats, Staged};

use checkered_protocol::contract::Envelope;
use entry::{Entry, Resume, StoredEvent};
use recover::SegmentInfo;
use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why the spool cannot go on. Every one stops the relay: it never runs without a
/// working spool.
#[derive(Debug, Error)]
pub enum SpoolError {
    /// A file operation failed.
    #[error("spool file {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Another relay holds the spool.
    #[error("spool {0} is in use by another relay (its LOCK is held)")]
    Locked(PathBuf),
    /// A file's content is not what the spool wrote.
    #[error("spool file {0} is damaged: {1}")]
    Damaged(PathBuf, String),
}

impl SpoolError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        SpoolError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// The spool of one relay (see the module docs).
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    _lock: File,
    options: SpoolOptions,
    track: String,
    client_id: String,
    boot_id: String,
    source: String,
    /// Sealed segments, then the head (last).
    segments: VecDeque<SegmentInfo>,
    head: File,
    pending: VecDeque<Meta>,
    pending_bytes: u64,
    staged: Vec<u8>,
    staged_metas: Vec<Meta>,
    next_rid: u64,
    next_seq: u64,
    durable_rid: u64,
    acked_rid: u64,
    resume: Resume,
}

impl Spool {
    /// Opens (or creates) the spool in `dir` for a relay of `track` reading `source`
    /// (its identity): takes the lock, recovers what earlier runs left, and starts a new
    /// boot in a new segment.
    pub fn open(
        dir: &Path,
        options: SpoolOptions,
        source: &str,
        track: &str,
        client_id: Option<&str>,
    ) -> Result<(Spool, OpenReport), SpoolError> {
        std::fs::create_dir_all(dir).map_err(|e| SpoolError::io(dir, e))?;
        let lock = files::lock(dir)?;
        let stored_client = files::client_id(dir)?;
        let acked = files::read_acked(dir)?;
        let found = files::list_segments(dir)?;
        let scanned = recover::scan(&found, acked)?;
        let resumed = scanned
            .last_run
            .as_ref()
            .filter(|(start, _)| start.source == source)
            .map(|(_, resume)| resume.clone());
        let report = OpenReport {
            pending: scanned.pending.len() as u64,
            torn_bytes: scanned.torn_bytes,
            damaged_bytes: scanned.damaged_bytes,
            resumed: resumed.clone(),
        };
        let number = found.last().map_or(1, |(n, _)| n + 1);
        let boot_id = ulid::Ulid::new().to_string();
        let resume = resumed.unwrap_or_default();
        let (head, info) = create_segment(dir, number, &boot_id, source, &resume)?;
        let pending_bytes = scanned.pending.iter().map(|m| u64::from(m.size)).sum();
        let last_rid = scanned.max_rid.max(acked);
        let mut spool = Spool {
            dir: dir.to_owned(),
            _lock: lock,
            options,
            track: track.to_owned(),
            client_id: client_id.map_or(stored_client, str::to_owned),
            boot_id,
            source: source.to_owned(),
            segments: scanned.segments.into_iter().chain([info]).collect(),
            head,
            pending: scanned.pending,
            pending_bytes,
            staged: Vec::new(),
            staged_metas: Vec::new(),
            next_rid: last_rid + 1,
            next_seq: 1,
            durable_rid: last_rid,
            acked_rid: acked,
            resume,
        };
        spool.delete_acked_segments()?;
        Ok((spool, report))
    }

    /// This boot's id.
    pub fn boot_id(&self) -> &str {
        &self.boot_id
    }

    /// The client id of new envelopes.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The source position after everything staged so far.
    pub fn resume(&self) -> &Resume {
        &self.resume
    }

    /// Wraps `message` in its envelope and buffers it for the next commit, unless the
    /// unacknowledged bytes would pass the limit (a spool holding nothing takes any one
    /// message, so a message larger than the limit cannot block the relay for ever).
    pub fn stage(&mut self, message: Captured, now_us: i64) -> Result<Staged, SpoolError> {
        let entry = Entry::Event(Box::new(StoredEvent {
            rid: self.next_rid,
            src: message.src,
            spooled_at_us: now_us,
            envelope: Envelope {
                event_id: ulid::Ulid::new().to_string(),
                track_id: self.track.clone(),
                client_id: self.client_id.clone(),
                boot_id: self.boot_id.clone(),
                seq: self.next_seq,
                captured_at_us: message.captured_at_us,
                ingested_at_us: None,
                message_type: message.message_type,
                payload: message.payload,
            },
        }));
        let json = serde_json::to_vec(&entry)
            .map_err(|e| SpoolError::Damaged(self.dir.clone(), e.to_string()))?;
        let Entry::Event(event) = entry else {
            unreachable!("built as an event")
        };
        let size = (json.len() + frame::HEADER_LEN) as u64;
        let held = self.pending_bytes + self.staged.len() as u64;
        if held > 0 && held + size > self.options.limit_bytes {
            return Ok(Staged::Full(Captured {
                captured_at_us: event.envelope.captured_at_us,
                message_type: event.envelope.message_type,
                payload: event.envelope.payload,
                src: event.src,
            }));
        }
        let head_bytes = self.head_info().bytes + self.staged.len() as u64;
        let head_has_events = self.head_info().last_rid.is_some() || !self.staged.is_empty();
        if head_has_events && head_bytes + size > self.options.segment_bytes {
            self.commit()?;
            self.roll()?;
        }
        let offset = self.head_info().bytes + self.staged.len() as u64;
        frame::encode(&json, &mut self.staged);
        self.staged_metas.push(Meta {
            rid: self.next_rid,
            segment: self.head_info().number,
            offset,
            size: u32::try_from(size).unwrap_or(u32::MAX),
            spooled_at_us: now_us,
        });
        self.resume.apply(event.src, &event.envelope);
        self.next_rid += 1;
        self.next_seq += 1;
        Ok(Staged::Ok)
    }

    /// Writes everything staged and fsyncs it; returns the highest durable record id.
    pub fn commit(&mut self) -> Result<u64, SpoolError> {
        if self.staged.is_empty() {
            return Ok(self.durable_rid);
        }
        let path = self.head_info().path.clone();
        self.head
            .write_all(&self.staged)
            .and_then(|()| self.head.sync_data())
            .map_err(|e| SpoolError::io(&path, e))?;
        let written = self.staged.len() as u64;
        self.staged.clear();
        let metas = std::mem::take(&mut self.staged_metas);
        self.pending_bytes += metas.iter().map(|m| u64::from(m.size)).sum::<u64>();
        if let Some(last) = metas.last() {
            self.durable_rid = last.rid;
        }
        let durable = self.durable_rid;
        let head = self.head_info_mut();
        head.bytes += written;
        head.last_rid = Some(durable);
        self.pending.extend(metas);
        Ok(self.durable_rid)
    }

    /// Up to `max` durable records after record id `after`, oldest first.
    pub fn read(&self, after: u64, max: usize) -> Result<Vec<Pending>, SpoolError> {
        let start = self.pending.partition_point(|m| m.rid <= after);
        let mut out = Vec::new();
        let mut open: Option<(u64, File, PathBuf)> = None;
        for meta in self.pending.range(start..).take(max) {
            if open.as_ref().map(|(n, _, _)| *n) != Some(meta.segment) {
                let path = self.segment_path(meta.segment);
                let file = File::open(&path).map_err(|e| SpoolError::io(&path, e))?;
                open = Some((meta.segment, file, path));
            }
            let Some((_, file, path)) = open.as_ref() else {
                continue;
            };
            out.push(read_record(file, path, meta)?);
        }
        Ok(out)
    }

    /// The server acknowledged every record up to `rid`: forget them, persist the
    /// watermark, and delete segments that hold nothing else.
    pub fn ack(&mut self, rid: u64) -> Result<(), SpoolError> {
        if rid <= self.acked_rid {
            return Ok(());
        }
        while let Some(meta) = self.pending.front().filter(|m| m.rid <= rid) {
            self.pending_bytes -= u64::from(meta.size);
            self.pending.pop_front();
        }
        self.acked_rid = rid;
        files::write_acked(&self.dir, rid)?;
        self.delete_acked_segments()
    }

    /// Counts for the status line.
    pub fn stats(&self) -> SpoolStats {
        SpoolStats {
            pending_events: self.pending.len() as u64,
            pending_bytes: self.pending_bytes,
            oldest_spooled_at_us: self.pending.front().map(|m| m.spooled_at_us),
            durable_rid: self.durable_rid,
            acked_rid: self.acked_rid,
        }
    }

    /// Starts a new head segment (the old one is already committed and fsync'd).
    fn roll(&mut self) -> Result<(), SpoolError> {
        let number = self.head_info().number + 1;
        let (head, info) =
            create_segment(&self.dir, number, &self.boot_id, &self.source, &self.resume)?;
        self.head = head;
        self.segments.push_back(info);
        self.delete_acked_segments()
    }

    /// Removes sealed segments whose every event is acknowledged.
    fn delete_acked_segments(&mut self) -> Result<(), SpoolError> {
        let acked = self.acked_rid;
        let sealed = self.segments.len().saturating_sub(1);
        let mut removed = false;
        let mut kept = VecDeque::with_capacity(self.segments.len());
        for (i, segment) in std::mem::take(&mut self.segments).into_iter().enumerate() {
            if i < sealed && segment.last_rid.is_none_or(|r| r <= acked) {
                std::fs::remove_file(&segment.path)
                    .map_err(|e| SpoolError::io(&segment.path, e))?;
                removed = true;
            } else {
                kept.push_back(segment);
            }
        }
        self.segments = kept;
        if removed {
            files::sync_dir(&self.dir)?;
        }
        Ok(())
    }

    fn head_info(&self) -> &SegmentInfo {
        // `open` always pushes the head, and nothing removes it.
        self.segments
            .back()
            .unwrap_or_else(|| unreachable!("spool without a head segment"))
    }

    fn head_info_mut(&mut self) -> &mut SegmentInfo {
        self.segments
            .back_mut()
            .unwrap_or_else(|| unreachable!("spool without a head segment"))
    }

    fn segment_path(&self, number: u64) -> PathBuf {
        self.dir.join(files::segment_name(number))
    }
}

#[cfg(test)]
mod tests;
