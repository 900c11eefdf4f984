//! `checkered replay`: a capture through the race engine, to the final classification of
//! every session.
//!
//! The capture is read into batches ([`source`]), each message adapted to an engine input
//! exactly as the server does for a live relay, and applied in order. The result is the
//! classification of every session the engine saw — the same document the REST API serves
//! per session, so a live run and a replay diff byte for byte — a table for people, and with
//! `--check-feed` the agreement between the engine's positions and the feed's own
//! ([`check`]).
//!
//! # Layout
//! - [`replay`]: the pure part (bytes in, [`Replayed`] out).
//! - [`run_cli`]: files, stdout and the exit status.
//! - [`source`]: captures to timed batches; [`check`]: the feed comparison;
//!   [`table`]: the human-readable classification.

pub mod check;
pub mod source;
pub mod table;

use crate::cli::{InputFormat, ReplayArgs};
use anyhow::Context;
use check::{CheckReport, FeedCheck};
use checkered_engine::adapt;
use checkered_engine::{
    Classification, FeedRecord, Input, SessionKind, SessionSummary, TrackConfig, TrackEngine,
};
use source::{Batch, Message};
use std::io::{Read, Write};
use std::process::ExitCode;

/// What a replay asks for.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Protocol (and capture wrapper) of the input.
    pub format: InputFormat,
    /// Lines start with an ISO 8601 capture time.
    pub timestamps: bool,
    /// The track configuration (loops, thresholds); `session_kind` is applied on top.
    pub config: TrackConfig,
    /// Forces the kind of every session.
    pub session_kind: Option<SessionKind>,
    /// Compare the engine's positions with the feed's.
    pub check_feed: bool,
}

/// What a replay produced.
#[derive(Debug)]
pub struct Replayed {
    /// Every session, in id order.
    pub sessions: Vec<SessionSummary>,
    /// The classification of every session, in the same order.
    pub classifications: Vec<Classification>,
    /// The feed comparison, when asked for.
    pub check: Option<FeedCheck>,
    /// Inputs applied to the engine.
    pub inputs: u64,
    /// Derived events the engine emitted.
    pub derived_events: u64,
    /// Parts of the capture that did not decode (offset, reason).
    pub problems: Vec<(u64, String)>,
    /// The engine after the last input.
    pub engine: TrackEngine,
}

/// Replays a whole capture.
pub fn replay(bytes: &[u8], options: &ReplayOptions) -> Replayed {
    let capture = source::read(options.format, options.timestamps, bytes);
    let mut config = options.config.clone();
    if options.session_kind.is_some() {
        config.forced_session_kind = options.session_kind;
    }
    let mut engine = TrackEngine::new(config);
    let mut check = options.check_feed.then(FeedCheck::default);
    let mut derived = Vec::new();
    let mut derived_events = 0u64;
    let mut inputs = 0u64;
    let mut records = Vec::new();
    for batch in &capture.batches {
        records.clear();
        for input in batch_inputs(&engine, batch) {
            if let checkered_engine::InputKind::Feed(record) = &input.kind {
                records.push(record.clone());
            }
            engine.apply(&input, &mut derived);
            inputs += 1;
        }
        derived_events += derived.len() as u64;
        derived.clear();
        if let Some(check) = check.as_mut() {
            check.after_batch(&engine, batch.offset, &records);
        }
    }
    let sessions = engine.sessions();
    let classifications = sessions
        .iter()
        .filter_map(|s| engine.classification(s.id))
        .collect();
    Replayed {
        sessions,
        classifications,
        check,
        inputs,
        derived_events,
        problems: capture.problems,
        engine,
    }
}

/// The engine inputs of a batch, in order.
fn batch_inputs(engine: &TrackEngine, batch: &Batch) -> Vec<Input> {
    batch
        .messages
        .iter()
        .filter_map(|m| match m {
            Message::Rmonitor(r) => adapt::rmonitor::feed_record(r).map(|f| feed(batch, f)),
            Message::Multiloop(m) => adapt::multiloop::feed_record(m).map(|f| feed(batch, f)),
            Message::P3(frame) => adapt::p3::record_input(engine.config(), &frame.record),
        })
        .collect()
}

fn feed(batch: &Batch, record: FeedRecord) -> Input {
    Input::feed(batch.at_us, record)
}

/// Runs `checkered replay` on real files and stdout.
pub fn run_cli(args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    let bytes = read_input(&args.input)?;
    let config = match &args.track_config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not a track configuration", path.display()))?
        }
        None => TrackConfig::new("replay"),
    };
    let options = ReplayOptions {
        format: args.format,
        timestamps: args.timestamps,
        config,
        session_kind: args.session_kind.map(Into::into),
        check_feed: args.check_feed,
    };
    let replayed = replay(&bytes, &options);
    if let Some(path) = &args.out {
        let json = classifications_json(&replayed.classifications)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut stderr = std::io::stderr().lock();
    write_problems(&mut stderr, &replayed).context("cannot write to stderr")?;
    let mut stdout = std::io::stdout().lock();
    match write_report(&mut stdout, &replayed) {
        // A reader that stopped early (`| head`) is not a failure of the replay.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other
            .context("cannot write to stdout")
            .map(|()| ExitCode::SUCCESS),
    }
}

fn read_input(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(bytes)
}

/// Each undecodable part of the capture and each feed disagreement, one JSON line each.
fn write_problems(err: &mut impl Write, replayed: &Replayed) -> anyhow::Result<()> {
    for (offset, reason) in &replayed.problems {
        let line = serde_json::json!({"error": reason, "offset": offset});
        writeln!(err, "{line}")?;
    }
    if let Some(check) = &replayed.check {
        for d in check.disagreements() {
            writeln!(err, "{}", serde_json::json!({"disagreement": d}))?;
        }
    }
    Ok(())
}

/// The `--out` document: a JSON array holding, per session, exactly the classification
/// document `GET …/sessions/{id}/classification` serves.
pub fn classifications_json(classifications: &[Classification]) -> anyhow::Result<String> {
    let docs = classifications
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("[{}]\n", docs.join(",")))
}

/// The human-readable tables, problems as a count, and the check line last.
pub fn write_report(out: &mut impl Write, replayed: &Replayed) -> std::io::Result<()> {
    for (summary, classification) in replayed.sessions.iter().zip(&replayed.classifications) {
        table::write_session(out, summary, classification)?;
    }
    writeln!(
        out,
        "{} inputs, {} derived events, {} sessions, {} undecodable parts of the capture",
        replayed.inputs,
        replayed.derived_events,
        replayed.sessions.len(),
        replayed.problems.len()
    )?;
    if let Some(check) = &replayed.check {
        let report: CheckReport = check.report();
        let line = serde_json::to_string(&report).map_err(std::io::Error::other)?;
        writeln!(out, "{line}")?;
    }
    Ok(())
}
