//! The `checkered` binary: parses the command line and hands off to the library.

use checkered::cli::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

/// glibc malloc fragments and serialises under the server's many small JSON allocations;
/// mimalloc measured faster on ingest (docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => checkered::decode::run_cli(&args),
        Command::Serve(args) => checkered::serve::run_cli(&args),
        Command::Demo(args) => checkered::demo::run_cli(&args),
        Command::Replay(args) => checkered::replay::run_cli(&args),
        Command::Simulate(args) => checkered::simulate::run_cli(&args),
        Command::Relay(args) => checkered::relay::run_cli(&args),
        Command::Admin(args) => checkered::admin::run_cli(&args),
        Command::Bench(args) => checkered::bench::run_cli(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
