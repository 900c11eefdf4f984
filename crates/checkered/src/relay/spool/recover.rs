//! Reading a spool back at start: every segment is checked record by record.
//!
//! Only the newest segment can hold bytes that were never made durable (a segment is
//! fsync'd before the next one is started), so a damaged record there is the torn tail of
//! a crash: the segment is cut at it, and nothing after it was ever sent. A damaged record
//! in an older segment can only be media damage: it is skipped (found again by the record
//! magic) and reported loudly, and the records after it are kept.

use super::entry::{Entry, Resume, Start};
use super::frame::{self, Parsed};
use super::{Meta, SpoolError};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// One segment file as found.
#[derive(Debug, Clone)]
pub struct SegmentInfo {
    /// Segment number (from the file name).
    pub number: u64,
    /// The file.
    pub path: PathBuf,
    /// Size after any repair.
    pub bytes: u64,
    /// Highest record id it holds.
    pub last_rid: Option<u64>,
}

/// Everything recovered from the segments.
#[derive(Debug, Default)]
pub struct Scanned {
    /// The segments, oldest first.
    pub segments: Vec<SegmentInfo>,
    /// Events not yet acknowledged, oldest first.
    pub pending: VecDeque<Meta>,
    /// Highest record id seen.
    pub max_rid: u64,
    /// The newest segment's start entry with its events applied: where its source stood.
    pub last_run: Option<(Start, Resume)>,
    /// Bytes cut from the tail of the newest segment (a write the crash interrupted).
    pub torn_bytes: u64,
    /// Bytes skipped inside older segments (media damage).
    pub damaged_bytes: u64,
}

/// Scans the segments (oldest first), repairing the newest one's tail.
pub fn scan(segments: &[(u64, PathBuf)], acked: u64) -> Result<Scanned, SpoolError> {
    let mut out = Scanned::default();
    for (i, (number, path)) in segments.iter().enumerate() {
        let newest = i + 1 == segments.len();
        scan_segment(*number, path, newest, acked, &mut out)?;
    }
    Ok(out)
}

fn scan_segment(
    number: u64,
    path: &Path,
    newest: bool,
    acked: u64,
    out: &mut Scanned,
) -> Result<(), SpoolError> {
    let bytes = std::fs::read(path).map_err(|e| SpoolError::io(path, e))?;
    let mut info = SegmentInfo {
        number,
        path: path.to_owned(),
        bytes: bytes.len() as u64,
        last_rid: None,
    };
    let mut run: Option<(Start, Resume)> = None;
    let mut at = 0usize;
    loop {
        let entry = match frame::parse(&bytes, at) {
            Parsed::End => break,
            Parsed::Record { payload, len, next } => bytes
                .get(payload..payload + len)
                .and_then(|p| serde_json::from_slice::<Entry>(p).ok())
                .map(|e| (e, next)),
            Parsed::Damaged => None,
        };
        let Some((entry, next)) = entry else {
            if newest {
                cut_tail(path, at, &mut info, out)?;
                break;
            }
            let Some(next) = frame::resync(&bytes, at) else {
                out.damaged_bytes += (bytes.len() - at) as u64;
                break;
            };
            out.damaged_bytes += (next - at) as u64;
            at = next;
            continue;
        };
        record(
            entry,
            number,
            at,
            next - at,
            acked,
            &mut info,
            &mut run,
            out,
        );
        at = next;
    }
    if newest {
        out.last_run = run;
    }
    out.segments.push(info);
    Ok(())
}

#[allow(clippy::too_many_arguments)] // One call site; the scan's running state.
fn record(
    entry: Entry,
    number: u64,
    offset: usize,
    size: usize,
    acked: u64,
    info: &mut SegmentInfo,
    run: &mut Option<(Start, Resume)>,
    out: &mut Scanned,
) {
    match entry {
        Entry::Start(start) => {
            let resume = start.resume.clone();
            *run = Some((start, resume));
        }
        Entry::Event(event) => {
            info.last_rid = Some(event.rid);
            out.max_rid = out.max_rid.max(event.rid);
            if let Some((_, resume)) = run.as_mut() {
                resume.apply(event.src, &event.envelope);
            }
            if event.rid > acked {
                out.pending.push_back(Meta {
                    rid: event.rid,
                    segment: number,
                    offset: offset as u64,
                    size: u32::try_from(size).unwrap_or(u32::MAX),
                    spooled_at_us: event.spooled_at_us,
                });
            }
        }
    }
}

/// Cuts the newest segment at `at`: what follows was never durable, so never sent.
fn cut_tail(
    path: &Path,
    at: usize,
    info: &mut SegmentInfo,
    out: &mut Scanned,
) -> Result<(), SpoolError> {
    out.torn_bytes += info.bytes - at as u64;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| SpoolError::io(path, e))?;
    file.set_len(at as u64)
        .and_then(|()| file.sync_all())
        .map_err(|e| SpoolError::io(path, e))?;
    info.bytes = at as u64;
    Ok(())
}
