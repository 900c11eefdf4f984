//! Creating a segment file (durably, with its start entry) and reading one record back.

use super::entry::{Entry, Resume, Start};
use super::recover::SegmentInfo;
use super::{Meta, Pending, SpoolError, files, frame};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Creates segment `number` with its start entry, durably.
pub(super) fn create_segment(
    dir: &Path,
    number: u64,
    boot_id: &str,
    source: &str,
    resume: &Resume,
) -> Result<(File, SegmentInfo), SpoolError> {
    let path = dir.join(files::segment_name(number));
    let start = Entry::Start(Start {
        boot_id: boot_id.to_owned(),
        source: source.to_owned(),
        resume: resume.clone(),
        started_at_us: crate::relay::now_us(),
    });
    let json =
        serde_json::to_vec(&start).map_err(|e| SpoolError::Damaged(path.clone(), e.to_string()))?;
    let mut bytes = Vec::new();
    frame::encode(&json, &mut bytes);
    let mut file = OpenOptions::new()
        .create_new(true)
        .append(true)
        .open(&path)
        .map_err(|e| SpoolError::io(&path, e))?;
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| SpoolError::io(&path, e))?;
    files::sync_dir(dir)?;
    let info = SegmentInfo {
        number,
        path,
        bytes: bytes.len() as u64,
        last_rid: None,
    };
    Ok((file, info))
}

pub(super) fn read_record(file: &File, path: &Path, meta: &Meta) -> Result<Pending, SpoolError> {
    let mut buf = vec![0u8; meta.size as usize];
    file.read_exact_at(&mut buf, meta.offset)
        .map_err(|e| SpoolError::io(path, e))?;
    let damaged =
        |why: &str| SpoolError::Damaged(path.to_owned(), format!("record {}: {why}", meta.rid));
    let frame::Parsed::Record { payload, len, .. } = frame::parse(&buf, 0) else {
        return Err(damaged("checksum does not match"));
    };
    let entry: Entry = serde_json::from_slice(buf.get(payload..payload + len).unwrap_or_default())
        .map_err(|e| damaged(&e.to_string()))?;
    match entry {
        Entry::Event(event) if event.rid == meta.rid => Ok(Pending {
            rid: event.rid,
            envelope: event.envelope,
        }),
        _ => Err(damaged("not the expected event")),
    }
}
