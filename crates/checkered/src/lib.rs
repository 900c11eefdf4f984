//! The `checkered` binary's library: every subcommand as a testable function.
//!
//! `main.rs` only parses the command line and calls into here, so integration tests can
//! drive each command with in-memory readers and writers.
//!
//! # Layout
//! - [`admin`]: `checkered admin`, organisations, owners and relay clients on a data directory.
//! - [`bench`]: `checkered bench`, measured scenarios ending with one JSON line.
//! - [`cli`]: the clap command-line definition.
//! - [`decode`]: `checkered decode`, captures to JSON lines.
//! - [`demo`]: `checkered demo`, the server fed by simulated tracks.
//! - [`relay`]: `checkered relay`, a decoder, feed or capture to ingest through a disk spool.
//! - [`replay`]: `checkered replay`, captures through the engine to classifications.
//! - [`serve`]: `checkered serve`, the embedded-mode server.
//! - [`serve_cluster`]: `checkered serve --nats …`, cluster mode.
//! - [`simulate`]: `checkered simulate`, a simulated P3 decoder or RMonitor feed over TCP.
//! - [`logging`]: log output of the long-running commands.
//! - [`timefmt`]: RFC 3339 formatting of Unix microseconds.

pub mod admin;
pub mod bench;
pub mod cli;
pub mod decode;
pub mod demo;
pub mod logging;
pub mod relay;
pub mod replay;
pub mod serve;
pub mod serve_cluster;
pub mod simulate;
pub mod timefmt;
