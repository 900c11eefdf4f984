//! `checkered relay`: the track-side relay. It reads a decoder (P3), a results feed
//! (RMonitor, Multiloop) or a capture file, wraps every message in its envelope, makes it
//! durable in a disk spool, and sends it to the server's ingest until acknowledged.
//! docs/RELAY.md describes the guarantees, the spool layout and the backpressure policy.
//!
//! Three tasks, joined by bounded channels:
//!
//! ```text
//! source ──(messages, bounded)──► writer ──(fsync'd; durable id)──► sender ──► POST /api/ingest/batch
//!   ▲ stops reading when the             │ stops taking at the              │ acknowledges in the
//!   └ channel is full (backpressure)     └ spool limit                      └ spool after the answer
//! ```
//!
//! # Layout
//! - [`config`]: the source URL and the options, checked.
//! - [`source`]: the decoder, feed and file sources.
//! - [`gaps`]: P3 passing-number gap healing (pure).
//! - [`spool`]: the append-only, fsync'd, segmented disk spool.
//! - [`writer`]: source messages into the spool (group commit, spool limit).
//! - [`sender`]: spool to ingest (batches, linger, retries, acknowledgement).
//! - [`backoff`]: exponential backoff with jitter.
//! - [`status`], [`terminal`]: the shared state, the status line and the logs.

pub mod backoff;
pub mod config;
pub mod gaps;
pub mod sender;
pub mod source;
pub mod spool;
pub mod status;
pub mod terminal;
pub mod token;
pub mod writer;

use crate::cli::RelayArgs;
use anyhow::Context;
use config::RelayConfig;
use sender::{SendEnd, SendError, Sender};
use source::{SourceCtx, SourceError};
use spool::{Spool, SpoolError, SpoolOptions};
use status::{Status, StatusData};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{Notify, mpsc, watch};

/// Messages the source may have in flight to the writer.
const CHANNEL: usize = 256;

/// Why the relay stopped with an error.
#[derive(Debug, Error)]
pub enum RelayError {
    /// The spool cannot be used.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// The source failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The server refuses the events.
    #[error(transparent)]
    Send(#[from] SendError),
    /// A task of the relay died.
    #[error("relay task failed: {0}")]
    Task(String),
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Drained (source ended, everything acknowledged) or stopped.
    pub end: SendEnd,
    /// The final state and counters.
    pub status: StatusData,
}

/// µs since the Unix epoch.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Runs a relay until its source is done and drained (a file) or `shutdown` turns true.
pub async fn run(
    config: RelayConfig,
    status: Status,
    shutdown: watch::Receiver<bool>,
) -> Result<Outcome, RelayError> {
    let config = Arc::new(config);
    let spool = open_spool(&config).await?;
    let (resume, spool) = spool;
    status.update(|s| {
        let stats = spool.stats();
        s.spooled = stats.pending_events;
        s.spooled_bytes = stats.pending_bytes;
        s.oldest_unsent_us = stats.oldest_spooled_at_us;
    });
    let durable_now = spool.stats().durable_rid;
    let spool = Arc::new(Mutex::new(spool));
    let (tx, rx) = mpsc::channel(CHANNEL);
    let (durable_tx, durable_rx) = watch::channel(durable_now);
    let space = Arc::new(Notify::new());
    let writer = tokio::spawn(
        writer::Writer {
            spool: spool.clone(),
            rx,
            durable: durable_tx,
            space: space.clone(),
            status: status.clone(),
            shutdown: shutdown.clone(),
        }
        .run(),
    );
    let ctx = SourceCtx {
        tx,
        status: status.clone(),
        shutdown: shutdown.clone(),
        silence: config.silence,
        backoff_max: config.backoff_max,
    };
    let source_config = config.clone();
    let source = tokio::spawn(async move { source::run(&source_config, resume, ctx).await });
    let bearer = token::Bearer::new(
        &config.server_base,
        config.credentials.as_deref(),
        config.client_id.as_deref(),
        config.client_secret.as_deref(),
    );
    let sender = Sender {
        bearer,
        http: http_client()?,
        config: config.clone(),
        spool,
        durable: durable_rx,
        space,
        status: status.clone(),
        shutdown,
    };
    let sent = sender.run().await;
    if sent.is_err() {
        source.abort();
        writer.abort();
    }
    let end = sent?;
    joined(source.await)??;
    joined(writer.await)??;
    Ok(Outcome {
        end,
        status: status.snapshot(),
    })
}

fn joined<T>(r: Result<T, tokio::task::JoinError>) -> Result<T, RelayError> {
    r.map_err(|e| RelayError::Task(e.to_string()))
}

fn http_client() -> Result<reqwest::Client, RelayError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| RelayError::Task(format!("cannot build the HTTP client: {e}")))
}

/// Opens the spool and reports what an earlier run left in it.
async fn open_spool(
    config: &Arc<RelayConfig>,
) -> Result<(spool::entry::Resume, Spool), RelayError> {
    let config = config.clone();
    let (spool, report) = tokio::task::spawn_blocking(move || {
        let options = SpoolOptions {
            limit_bytes: config.spool_limit,
            segment_bytes: config.segment_bytes,
        };
        // The same file relayed to another track starts again from its beginning.
        let identity = format!("{} track={}", config.source.identity(), config.track);
        Spool::open(
            &config.spool_dir,
            options,
            &identity,
            &config.track,
            config.client_id.as_deref(),
        )
    })
    .await
    .map_err(|e| RelayError::Task(e.to_string()))??;
    if report.torn_bytes > 0 {
        tracing::warn!(
            bytes = report.torn_bytes,
            "dropped the torn tail of the spool (a write cut by a crash; never sent)"
        );
    }
    if report.damaged_bytes > 0 {
        tracing::error!(
            bytes = report.damaged_bytes,
            "skipped damaged bytes inside the spool (disk damage)"
        );
    }
    if report.pending > 0 {
        tracing::info!(
            events = report.pending,
            "draining events an earlier run left in the spool first"
        );
    }
    tracing::info!(
        boot_id = spool.boot_id(),
        client_id = spool.client_id(),
        "relay started"
    );
    Ok((report.resumed.unwrap_or_default(), spool))
}

/// Runs `checkered relay` until Ctrl-C or SIGTERM (or, for a file, until delivered).
pub fn run_cli(args: &RelayArgs) -> anyhow::Result<ExitCode> {
    let config = RelayConfig::from_args(args)?;
    let tty = std::io::stderr().is_terminal();
    terminal::init_logging(tty);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let is_file = config.source.is_file();
    let source_name = config.source.to_string();
    let spool_dir = config.spool_dir.clone();
    let outcome = runtime.block_on(async move {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            crate::serve::shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        let status = Status::default();
        let (display_stop, display_rx) = watch::channel(false);
        let display = tokio::spawn(terminal::show(status.clone(), tty, display_rx));
        let outcome = run(config, status, stop_rx).await;
        let _ = display_stop.send(true);
        let _ = display.await;
        outcome
    })?;
    let s = &outcome.status;
    let summary = serde_json::json!({
        "source": source_name, "read": s.read, "sent": s.sent, "accepted": s.accepted,
        "duplicates": s.duplicates, "rejected": s.rejected, "bad_frames": s.bad_frames,
        "resends": s.resends, "lost_passings": s.lost_passings, "spooled": s.spooled,
    });
    println!("{summary}");
    if !is_file {
        tracing::info!(
            spooled = s.spooled,
            "relay stopped; unsent events stay in the spool"
        );
        return Ok(ExitCode::SUCCESS);
    }
    match (outcome.end, s.spooled, s.rejected) {
        (SendEnd::Drained, 0, 0) => Ok(ExitCode::SUCCESS),
        (SendEnd::Drained, 0, rejected) => anyhow::bail!(
            "the server rejected {rejected} event(s) of the file (see its dead letters and the log above)"
        ),
        (_, pending, _) => anyhow::bail!(
            "stopped before the server acknowledged every event: {pending} remain in the spool {} (run the same command again to deliver them)",
            spool_dir.display()
        ),
    }
}
