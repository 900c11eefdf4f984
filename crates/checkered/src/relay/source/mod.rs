//! Sources: where the relay's messages come from. Each source turns its input into
//! [`Captured`] messages and hands them to the spool writer through a bounded channel;
//! when the spool is full the channel fills, the source stops reading, and the decoder's
//! TCP window closes: backpressure reaches the decoder instead of memory growing.
//!
//! # Layout
//! - [`link`]: the TCP connection loop (connect, backoff with jitter, silence timeout)
//!   shared by the network sources, driving a [`link::Protocol`].
//! - [`p3`]: the P3 decoder protocol: CRC checks, gap healing by RESEND, GET_TIME.
//! - [`lines`]: RMonitor and Multiloop feeds, line by line.
//! - [`file`]: a capture file replayed at its recorded pace.

pub mod file;
pub mod lines;
pub mod link;
pub mod p3;

use crate::relay::config::{RelayConfig, SourceSpec};
use crate::relay::spool::Captured;
use crate::relay::spool::entry::Resume;
use crate::relay::status::Status;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{mpsc, watch};

/// Why a source stopped before its end.
#[derive(Debug, Error)]
pub enum SourceError {
    /// The capture file cannot be read or understood.
    #[error("{0}")]
    File(String),
    /// The spool writer is gone (it failed; its error says why).
    #[error("the spool writer stopped")]
    WriterGone,
    /// The relay is stopping while a message waited for room in the spool.
    #[error("stopped")]
    Stopped,
}

/// What every source needs.
#[derive(Debug, Clone)]
pub struct SourceCtx {
    /// Messages go here, in order; a full channel means "stop reading".
    pub tx: mpsc::Sender<Captured>,
    /// Shared state.
    pub status: Status,
    /// Turns true when the relay stops.
    pub shutdown: watch::Receiver<bool>,
    /// No message for this long means the link is dead.
    pub silence: Duration,
    /// Longest wait between reconnection attempts.
    pub backoff_max: Duration,
}

impl SourceCtx {
    /// Hands one message to the spool writer, waiting while the spool is full (or until
    /// the relay stops: a message not yet spooled then is not kept).
    pub async fn forward(&self, message: Captured) -> Result<(), SourceError> {
        let mut shutdown = self.shutdown.clone();
        if *shutdown.borrow() {
            return Err(SourceError::Stopped);
        }
        tokio::select! {
            sent = self.tx.send(message) => sent.map_err(|_| SourceError::WriterGone),
            _ = shutdown.changed() => Err(SourceError::Stopped),
        }
    }
}

/// Runs the configured source until it ends (a file) or the relay stops.
pub async fn run(config: &RelayConfig, resume: Resume, ctx: SourceCtx) -> Result<(), SourceError> {
    match run_source(config, resume, ctx).await {
        Err(SourceError::Stopped) => Ok(()),
        other => other,
    }
}

async fn run_source(
    config: &RelayConfig,
    resume: Resume,
    ctx: SourceCtx,
) -> Result<(), SourceError> {
    match &config.source {
        SourceSpec::P3 { addr } => {
            let protocol = p3::P3Link::new(&resume, ctx.status.clone());
            link::run(addr, protocol, &ctx).await
        }
        SourceSpec::Rmonitor { addr } => {
            link::run(addr, lines::LineLink::rmonitor(ctx.status.clone()), &ctx).await
        }
        SourceSpec::Multiloop { addr } => {
            link::run(addr, lines::LineLink::multiloop(ctx.status.clone()), &ctx).await
        }
        SourceSpec::File { .. } => file::run(&config.source, &resume, &ctx).await,
    }
}

/// Logs a bad frame or line; the first few in full, then every thousandth, so a decoder
/// spewing garbage cannot flood the log.
pub fn report_bad(status: &Status, offset: u64, reason: &str) {
    let mut count = 0;
    status.update(|s| {
        s.bad_frames += 1;
        count = s.bad_frames;
    });
    if count <= 20 || count % 1000 == 0 {
        tracing::warn!(
            offset,
            reason,
            bad_frames = count,
            "bad frame skipped (not forwarded)"
        );
    }
}
