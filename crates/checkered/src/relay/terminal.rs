//! Showing the relay's state: one status line redrawn every second on a terminal (log
//! lines are printed above it), or a JSON status log every ten seconds otherwise.

use crate::relay::now_us;
use crate::relay::status::Status;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The status line last drawn, shared with the log writer so a log line never leaves a
/// half-overwritten status line behind.
fn current_line() -> &'static Arc<Mutex<String>> {
    static LINE: OnceLock<Arc<Mutex<String>>> = OnceLock::new();
    LINE.get_or_init(Arc::default)
}

/// Writes log lines to stderr above the status line.
#[derive(Clone, Copy, Default)]
struct AboveStatus;

impl Write for AboveStatus {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = current_line()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut err = std::io::stderr().lock();
        err.write_all(b"\r\x1b[2K")?;
        err.write_all(buf)?;
        if buf.ends_with(b"\n") {
            err.write_all(line.as_bytes())?;
        }
        err.flush()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for AboveStatus {
    type Writer = AboveStatus;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

/// Installs the log subscriber: human lines above the status line on a terminal, JSON
/// lines otherwise; `RUST_LOG` filters (default `info`).
pub fn init_logging(tty: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if tty {
        builder.with_writer(AboveStatus).try_init()
    } else {
        builder.json().with_writer(std::io::stderr).try_init()
    };
}

/// Shows the status until `stop` turns true.
pub async fn show(status: Status, tty: bool, mut stop: watch::Receiver<bool>) {
    let every = if tty {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(10)
    };
    let mut tick = tokio::time::interval(every);
    let mut last = (Instant::now(), status.snapshot().sent);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        let data = status.snapshot();
        let elapsed = last.0.elapsed().as_secs_f64().max(1e-3);
        let rate = (data.sent - last.1) as f64 / elapsed;
        last = (Instant::now(), data.sent);
        if tty {
            let text = data.line(now_us(), rate);
            let mut line = current_line()
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            *line = text;
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
        } else {
            let age_s = data
                .oldest_unsent_us
                .map(|t| (now_us() - t).max(0) as f64 / 1e6);
            let json = serde_json::to_string(&data).unwrap_or_default();
            tracing::info!(status = %json, oldest_unsent_s = age_s, sent_per_s = rate, "relay status");
        }
    }
    clear(tty);
}

/// Removes the status line (before the final messages).
pub fn clear(tty: bool) {
    if tty {
        current_line()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(b"\r\x1b[2K");
        let _ = err.flush();
    }
}
