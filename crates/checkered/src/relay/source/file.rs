//! A capture file as a source: decoded exactly as `checkered replay` decodes it (same
//! formats, same capture times), each message forwarded at its capture time scaled by
//! the speed, with the capture time as `captured_at_us`. So a capture relayed into a
//! server scores exactly as `checkered replay` scores it.
//!
//! The message index is kept in the spool, so a relay restarted on the same file goes on
//! after the last message it spooled instead of sending the file again.

use super::{SourceCtx, SourceError};
use crate::cli::InputFormat;
use crate::relay::config::{SourceSpec, Speed};
use crate::relay::spool::Captured;
use crate::relay::spool::entry::Resume;
use crate::relay::status::Link;
use crate::replay::source::{self, Message};
use checkered_protocol::capture::{self, CaptureFormat};
use checkered_protocol::{cp1252, multiloop, rmonitor};
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// Replays the file of `spec` from `resume.file_next`.
pub async fn run(spec: &SourceSpec, resume: &Resume, ctx: &SourceCtx) -> Result<(), SourceError> {
    let SourceSpec::File {
        path,
        speed,
        format,
        timestamps,
    } = spec
    else {
        return Err(SourceError::File("not a file source".into()));
    };
    let bytes = std::fs::read(path)
        .map_err(|e| SourceError::File(format!("cannot read {}: {e}", path.display())))?;
    let (format, timestamps) = match format {
        Some(f) => (*f, *timestamps),
        None => guess(path, &bytes)?,
    };
    let capture = source::read(format, timestamps, &bytes);
    for (offset, reason) in &capture.problems {
        super::report_bad(&ctx.status, *offset, reason);
    }
    let total = capture
        .batches
        .iter()
        .map(|b| b.messages.len() as u64)
        .sum::<u64>();
    if resume.file_next > 0 {
        tracing::info!(file = %path.display(), from = resume.file_next, total, "resuming the file after the last spooled message");
    }
    ctx.status.update(|s| {
        s.source = Link::Up(format!(
            "{} from message {}",
            path.display(),
            resume.file_next
        ))
    });
    let mut pace: Option<(Instant, i64)> = None;
    let mut index = 0u64;
    for batch in &capture.batches {
        for message in &batch.messages {
            index += 1;
            if index <= resume.file_next {
                continue;
            }
            wait_for(&mut pace, batch.at_us, *speed, ctx).await?;
            ctx.forward(captured(message, batch.at_us, index - 1)?)
                .await?;
        }
    }
    ctx.status.update(|s| s.source = Link::Done);
    tracing::info!(file = %path.display(), messages = total, problems = capture.problems.len(), "end of the file");
    Ok(())
}

/// Sleeps until the message captured at `at_us` is due.
async fn wait_for(
    pace: &mut Option<(Instant, i64)>,
    at_us: i64,
    speed: Speed,
    ctx: &SourceCtx,
) -> Result<(), SourceError> {
    let Speed::Times(factor) = speed else {
        return Ok(());
    };
    let (start, first_us) = *pace.get_or_insert((Instant::now(), at_us));
    let offset_s = (at_us - first_us).max(0) as f64 / 1e6 / factor;
    let due = start + Duration::from_secs_f64(offset_s.min(1e9));
    let mut shutdown = ctx.shutdown.clone();
    tokio::select! {
        () = tokio::time::sleep_until(due) => Ok(()),
        _ = shutdown.changed() => Err(SourceError::Stopped),
    }
}

/// A decoded capture message as the ingest contract wants it.
fn captured(message: &Message, at_us: i64, index: u64) -> Result<Captured, SourceError> {
    let (message_type, payload) = match message {
        Message::P3(frame) => {
            let payload = serde_json::to_value(frame)
                .map_err(|e| SourceError::File(format!("message {index}: {e}")))?;
            let kind = payload
                .get("type")
                .and_then(|t| t.as_str())
                .unwrap_or("UNKNOWN")
                .to_owned();
            (kind, payload)
        }
        Message::Rmonitor(record) => {
            let mut line = Vec::new();
            rmonitor::encode_line(record, &mut line);
            (
                "RMONITOR".to_owned(),
                json!({ "line": cp1252::decode(line.trim_ascii_end()) }),
            )
        }
        Message::Multiloop(m) => {
            let mut line = Vec::new();
            multiloop::encode_line(m, &mut line);
            (
                "MULTILOOP".to_owned(),
                json!({ "line": cp1252::decode(line.trim_ascii_end()) }),
            )
        }
    };
    Ok(Captured {
        captured_at_us: at_us,
        message_type,
        payload,
        src: Some(index),
    })
}

/// The protocol of a capture from its content.
fn guess(path: &Path, bytes: &[u8]) -> Result<(InputFormat, bool), SourceError> {
    let feed = |timestamps| {
        if bytes.contains(&multiloop::SEPARATOR) {
            (InputFormat::Multiloop, timestamps)
        } else {
            (InputFormat::Rmonitor, timestamps)
        }
    };
    match capture::sniff(bytes) {
        Some(CaptureFormat::RedmistLog) => Ok((InputFormat::RedmistLog, false)),
        Some(CaptureFormat::PuttyLog | CaptureFormat::RawBinary) => Ok((InputFormat::P3, false)),
        Some(CaptureFormat::P3Hex) => Ok((InputFormat::P3Hex, false)),
        Some(CaptureFormat::TimestampedLines) => Ok(feed(true)),
        Some(CaptureFormat::RawText) => Ok(feed(false)),
        None => Err(SourceError::File(format!(
            "cannot tell the format of {}; add ?format=p3|p3-hex|rmonitor|multiloop|redmist-log",
            path.display()
        ))),
    }
}
