//! The small files beside the segments: the lock, the acknowledged watermark and the
//! client id, each replaced atomically (write a temporary file, fsync, rename, fsync the
//! directory) so a crash leaves either the old or the new content.

use super::SpoolError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the lock file.
pub const LOCK: &str = "LOCK";
/// Name of the watermark file: the highest record id the server acknowledged.
pub const ACKED: &str = "acked";
/// Name of the client id file.
pub const CLIENT_ID: &str = "client_id";

/// Takes the spool's exclusive lock, so two relays never share one spool.
pub fn lock(dir: &Path) -> Result<File, SpoolError> {
    let path = dir.join(LOCK);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| SpoolError::io(&path, e))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .map_err(|_| SpoolError::Locked(dir.to_owned()))?;
    Ok(file)
}

/// Flushes the directory entry table, so created, renamed and removed files survive.
pub fn sync_dir(dir: &Path) -> Result<(), SpoolError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| SpoolError::io(dir, e))
}

/// Replaces `dir/name` with `content` atomically.
pub fn replace(dir: &Path, name: &str, content: &[u8]) -> Result<(), SpoolError> {
    let target = dir.join(name);
    let temp = dir.join(format!("{name}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&temp)?;
        file.write_all(content)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    };
    write().map_err(|e| SpoolError::io(&target, e))?;
    sync_dir(dir)
}

/// Reads the acknowledged watermark (0 when the spool is new).
pub fn read_acked(dir: &Path) -> Result<u64, SpoolError> {
    let path = dir.join(ACKED);
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| SpoolError::Damaged(path, format!("not a record id: {text:?}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(SpoolError::io(&path, e)),
    }
}

/// Stores the acknowledged watermark.
pub fn write_acked(dir: &Path, rid: u64) -> Result<(), SpoolError> {
    replace(dir, ACKED, format!("{rid}\n").as_bytes())
}

/// The spool's client id, made (`relay-<ULID>`) and stored on first use.
pub fn client_id(dir: &Path) -> Result<String, SpoolError> {
    let path = dir.join(CLIENT_ID);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
        Ok(_) => Err(SpoolError::Damaged(path, "empty client id".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let id = format!("relay-{}", ulid::Ulid::new());
            replace(dir, CLIENT_ID, format!("{id}\n").as_bytes())?;
            Ok(id)
        }
        Err(e) => Err(SpoolError::io(&path, e)),
    }
}

/// Segment file name for segment number `n`.
pub fn segment_name(n: u64) -> String {
    format!("segment-{n:012}.log")
}

/// The segments of a spool directory by number, oldest first.
pub fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, SpoolError> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| SpoolError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| SpoolError::io(dir, e))?;
        let name = entry.file_name();
        let Some(n) = name
            .to_str()
            .and_then(|n| n.strip_prefix("segment-"))
            .and_then(|n| n.strip_suffix(".log"))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        out.push((n, entry.path()));
    }
    out.sort();
    Ok(out)
}
