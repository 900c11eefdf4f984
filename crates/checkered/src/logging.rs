//! Logging for the long-running commands: human-readable on a terminal, JSON lines
//! otherwise; `RUST_LOG` filters (default `info`). [`announce`] prints their banner.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once (later calls do nothing).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::io::stderr().is_terminal() {
        builder.try_init()
    } else {
        builder.json().try_init()
    };
}

/// Prints `text` (a banner such as the URL served) on stdout. A long-running command must
/// not die because whoever started it stopped reading its output: a closed stdout is
/// logged, never a panic as `println!` would.
pub fn announce(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(error) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        tracing::warn!(%error, "cannot print to stdout");
    }
}
