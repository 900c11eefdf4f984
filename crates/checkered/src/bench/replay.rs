//! `checkered bench replay FILE`: how fast a capture goes through the race engine.
//!
//! The whole `checkered replay` path (decode the capture, adapt each message, apply it to
//! the engine, classify every session) is run again and again for at least `--duration`
//! seconds; the figure is engine inputs (raw events) per second of wall time, each round
//! checked to give the same result as the first.

use super::stats::round;
use super::{load_average, progress::Progress};
use crate::cli::InputFormat;
use crate::replay::{ReplayOptions, replay};
use anyhow::{Context, bail};
use checkered_engine::TrackConfig;
use clap::Parser;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `checkered bench replay`.
#[derive(Parser, Debug, Clone)]
pub struct ReplayBenchArgs {
    /// Protocol (and capture wrapper) of the input [default: guessed from the content].
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,
    /// Each line starts with an ISO 8601 capture timestamp.
    #[arg(long)]
    pub timestamps: bool,
    /// Replay again until this many seconds have passed.
    #[arg(long, default_value_t = 3.0)]
    pub duration: f64,
    /// The capture.
    pub file: PathBuf,
}

/// Runs the scenario; returns the JSON report.
pub fn run(args: &ReplayBenchArgs, progress: bool) -> anyhow::Result<Value> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let format = args.format.unwrap_or_else(|| guess(&bytes));
    let options = ReplayOptions {
        format,
        timestamps: args.timestamps,
        config: TrackConfig::new("bench"),
        session_kind: None,
        check_feed: false,
    };
    let first = replay(&bytes, &options);
    if first.inputs == 0 {
        bail!(
            "{} gave the engine nothing to apply as {format:?}; try --format",
            args.file.display()
        );
    }
    let mut shown = Progress::new(progress);
    let budget = Duration::from_secs_f64(args.duration.max(0.0));
    let started = Instant::now();
    let mut rounds = 0u64;
    while rounds == 0 || started.elapsed() < budget {
        let again = replay(&bytes, &options);
        if (again.inputs, again.derived_events) != (first.inputs, first.derived_events) {
            bail!("round {rounds} differed from the first: the engine is not deterministic");
        }
        rounds += 1;
        shown.update(|| {
            format!(
                "replay: {rounds} rounds, {:.1} s",
                started.elapsed().as_secs_f64()
            )
        });
    }
    let seconds = started.elapsed().as_secs_f64();
    shown.finish();
    Ok(json!({
        "scenario": "replay",
        "file": args.file.display().to_string(),
        "format": format!("{format:?}"),
        "bytes": bytes.len(),
        "inputs": first.inputs,
        "derived_events": first.derived_events,
        "sessions": first.sessions.len(),
        "rounds": rounds,
        "seconds": round(seconds, 3),
        "events_per_s": round((first.inputs * rounds) as f64 / seconds, 0),
        "derived_per_s": round((first.derived_events * rounds) as f64 / seconds, 0),
        "mb_per_s": round((bytes.len() as u64 * rounds) as f64 / seconds / 1e6, 2),
        "load_avg": load_average(),
    }))
}

/// The capture's format from its first bytes: RedMist logs start with `##`, P3 streams
/// with the 0x8E start marker or a PuTTY header, Multiloop lines with `$` and 0xA6
/// separators; anything else is RMonitor text.
fn guess(bytes: &[u8]) -> InputFormat {
    let head = &bytes[..bytes.len().min(4096)];
    if head.starts_with(b"##") {
        InputFormat::RedmistLog
    } else if head.first() == Some(&0x8E) || head.starts_with(b"=~=~=~=~") {
        InputFormat::P3
    } else if head.contains(&0xA6) {
        InputFormat::Multiloop
    } else {
        InputFormat::Rmonitor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_guessed_from_the_content() {
        assert_eq!(
            guess(b"##2024-01-01 10:00:00.000|rmonitor\n$F"),
            InputFormat::RedmistLog
        );
        assert_eq!(guess(&[0x8E, 0x02, 0x33]), InputFormat::P3);
        assert_eq!(guess(b"$H\xa61\xa6"), InputFormat::Multiloop);
        assert_eq!(guess(b"$F,14,\"00:12:45\""), InputFormat::Rmonitor);
    }
}
