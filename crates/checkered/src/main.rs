//! The `checkered` binary: parses the command line and hands off to the library.

use clap::Parser;

/// Checkered: real-time race timing, scoring and analytics.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
