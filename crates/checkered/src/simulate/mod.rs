//! `checkered simulate`: a live P3 decoder or Orbits RMonitor results feed on a TCP port,
//! driven by the seeded race model, so anything that reads a real decoder or feed can be
//! pointed at it.
//!
//! Every client that connects receives the same live stream at `speed` × real time: an
//! endless club meeting of alternating qualifying sessions and races. As a P3 decoder
//! (default port 5403) it is the start/finish loop's decoder: PASSING frames with gap-free
//! passing numbers, STATUS every five seconds, and answers to RESEND (by passing-number
//! range, the same frames again), GET_TIME and VERSION. As an RMonitor feed (default port
//! 50000) it sends what the scoring system publishes, and a client that connects
//! mid-session first receives the current state (run, classes, track, entries,
//! positions). A client that disconnects, stops reading or falls behind never delays the
//! others: it is dropped once it is a whole buffer behind or its socket stays blocked.
//!
//! ```no_run
//! use checkered::simulate::{Protocol, SimConfig, SimServer};
//! # async fn run() -> anyhow::Result<()> {
//! let server = SimServer::bind("127.0.0.1:0".parse()?, SimConfig::new(Protocol::P3)).await?;
//! println!("decoder on {}", server.local_addr()?);
//! server.run_until_stopped(std::future::pending()).await
//! # }
//! ```
//!
//! # Layout
//! - [`Protocol`], [`SimConfig`], [`run_cli`]: what to simulate and the command.
//! - [`program`]: the endless, seeded stream of wire items.
//! - [`server`]: [`SimServer`], the accept loop and the pacer.
//! - [`hub`]: what the pacer and the connections share.
//! - [`client`]: one connection.
//! - [`decoder`]: the P3 decoder's passing memory and command answers.
//! - [`feed_cache`]: the RMonitor state a late client receives first.

pub mod client;
pub mod decoder;
pub mod feed_cache;
pub mod hub;
pub mod program;
pub mod server;

pub use server::{Clients, SimServer};

use crate::cli::SimulateArgs;
use anyhow::Context;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

/// Fastest supported time speed-up.
pub const MAX_SPEED: f64 = 100_000.0;

/// What the simulator speaks.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// A MyLaps/AMB P3 transponder decoder.
    P3,
    /// An Orbits RMonitor results feed.
    Rmonitor,
}

impl Protocol {
    /// The port a real device of this kind listens on.
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::P3 => 5403,
            Protocol::Rmonitor => 50000,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Protocol::P3 => "P3 decoder",
            Protocol::Rmonitor => "RMonitor results feed",
        }
    }
}

/// How a simulator runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// What it speaks.
    pub protocol: Protocol,
    /// Cars in the field (1..=200).
    pub cars: usize,
    /// Simulated seconds per real second (0 < speed ≤ [`MAX_SPEED`]).
    pub speed: f64,
    /// Seed of the meeting.
    pub seed: u64,
    /// Simulated time when the simulator starts, µs since the Unix epoch (the decoder
    /// clock and the feed's time of day start here).
    pub start_us: i64,
    /// Batches of the live stream a client may fall behind before it is dropped.
    pub client_buffer: usize,
    /// Longest one write to a client may block before the client is dropped.
    pub write_timeout: Duration,
    /// Passings the decoder remembers for RESEND.
    pub memory: usize,
    /// Most clients served at once; further connections are closed at once.
    pub max_clients: usize,
}

impl SimConfig {
    /// 20 cars at real time, seed 1, starting now.
    pub fn new(protocol: Protocol) -> Self {
        SimConfig {
            protocol,
            cars: 20,
            speed: 1.0,
            seed: 1,
            start_us: checkered_server::clock::now_us(),
            client_buffer: 4096,
            write_timeout: Duration::from_secs(10),
            memory: decoder::DEFAULT_MEMORY,
            max_clients: 64,
        }
    }

    /// Checks the values a simulator can run with.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=200).contains(&self.cars),
            "cars must be 1 to 200, not {}",
            self.cars
        );
        parse_speed(&self.speed.to_string()).map_err(anyhow::Error::msg)?;
        anyhow::ensure!(self.max_clients > 0, "max_clients must be at least 1");
        Ok(())
    }
}

/// Parses a `--speed` value: a number above 0 and at most [`MAX_SPEED`].
pub fn parse_speed(text: &str) -> Result<f64, String> {
    let speed: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if speed.is_finite() && speed > 0.0 && speed <= MAX_SPEED {
        Ok(speed)
    } else {
        Err(format!("speed must be above 0 and at most {MAX_SPEED}"))
    }
}

/// Runs the simulator until Ctrl-C or SIGTERM.
pub fn run_cli(args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init();
    let config = SimConfig {
        cars: usize::from(args.cars),
        speed: args.speed,
        seed: args.seed,
        ..SimConfig::new(args.protocol)
    };
    let listen = args
        .listen
        .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, args.protocol.default_port())));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = SimServer::bind(listen, config.clone()).await?;
        crate::logging::announce(&format!(
            "Checkered simulator: {} listening on {} ({} cars, {}x real time, seed {}). Ctrl-C stops.",
            config.protocol.describe(),
            server.local_addr()?,
            config.cars,
            config.speed,
            config.seed
        ));
        server
            .run_until_stopped(crate::serve::shutdown_signal())
            .await
    })?;
    Ok(ExitCode::SUCCESS)
}
