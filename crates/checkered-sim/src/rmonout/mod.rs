//! A simulated session as the Orbits RMonitor results feed a scoring system would send
//! for it (TCP 50000), timed line by line.
//!
//! The scoring system sees every true crossing (it scores after its own duplicate
//! filtering, and the simulation's truth is what a perfect scorer would know), so the
//! feed's times and positions are the truth at the feed's millisecond resolution. The
//! stream follows what real Orbits feeds show (`../shared/data/rmonitor/`):
//!
//! - At the announcement, `lead_in_us` before the green flag: `$I`, `$E` track name and
//!   length, `$B` run, `$C` classes, `$A` and `$COMP` entries, and a `$G`/`$H` grid
//!   listing (no laps, zero times).
//! - `$F` once a second on the whole second, all session long and in the idle time
//!   after it, plus an immediate `$F` when the flag changes (so a race's chequered flag
//!   arrives before the leader's finishing `$J`, as it does when the flag falls).
//! - For each start/finish crossing: IMSA `$L` (`T1`, `SFT`), `$J` lap and total time,
//!   then `$G` and `$H` for the car, then `$G` for every other car whose race position
//!   changed and `$H` for every other car whose best-lap position changed. Pit-lane
//!   crossings are IMSA `$L` lines on `P1`/`PIT` (pit in) and `P2`/`POT` (pit out).
//! - Every `refresh_us`, a full refresh of `$B $C $E $A $COMP $G $H` (Orbits level 3).
//! - `$B,95` with the run's name `linger_us` after the last crossing, then idle `$F`
//!   (no flag) for `idle_after_us`.
//!
//! Positions are computed the way Orbits computes them ([`board`]): `$G` by laps then
//! total time, `$H` by best lap then who set it first. The same simulation and spec
//! always give the same lines.
//!
//! # Layout
//! - [`FeedSpec`], [`TimedLine`], [`FeedStream`], [`rmonitor_stream`]: the interface.
//! - [`board`]: the scoreboard and its two orders.
//! - `session`: the generator that walks the session's events in time order.
//! - [`lines`]: typed record builders; [`clock`]: time of day and dates.

pub mod board;
pub mod clock;
pub mod lines;
mod session;

use crate::model::Simulation;
use checkered_protocol::cp1252;
use checkered_protocol::rmonitor::{Record, encode_line};

/// How the scoring system presents a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSpec {
    /// `$B` run number (1..=99; 95 is reserved for "session ended").
    pub run_no: u32,
    /// `$B` run name; results consumers guess the session kind from it ("Qualifying 1").
    pub run_name: String,
    /// `$E TRACKNAME`.
    pub track_name: String,
    /// `$E TRACKLENGTH`, as written ("2.360").
    pub track_length: String,
    /// The session is announced this long before the green flag, µs.
    pub lead_in_us: i64,
    /// `$B,95` comes this long after the last crossing, µs.
    pub linger_us: i64,
    /// Idle heartbeats follow `$B,95` for this long, µs.
    pub idle_after_us: i64,
    /// Interval of the full (level 3) refresh, µs.
    pub refresh_us: i64,
}

impl FeedSpec {
    /// A club circuit's run: announced a minute before the green, refreshed every 30 s,
    /// closed 20 s after the last car and idle for a minute.
    pub fn club(run_no: u32, run_name: impl Into<String>) -> Self {
        FeedSpec {
            run_no,
            run_name: run_name.into(),
            track_name: "Checkered Club Circuit".into(),
            track_length: "2.360".into(),
            lead_in_us: 60_000_000,
            linger_us: 20_000_000,
            idle_after_us: 60_000_000,
            refresh_us: 30_000_000,
        }
    }
}

/// One line of the feed at the time it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedLine {
    /// When the scoring system sends it, µs since the Unix epoch.
    pub at_us: i64,
    /// The record.
    pub record: Record,
}

impl TimedLine {
    /// The line as sent on the wire: Windows-1252, terminated by CR LF.
    pub fn wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        encode_line(&self.record, &mut out);
        out
    }

    /// The line as text without its CR LF (the `RMONITOR` envelope payload's `line`).
    pub fn text(&self) -> String {
        let wire = self.wire();
        cp1252::decode(wire.strip_suffix(b"\r\n").unwrap_or(&wire))
    }
}

/// The feed of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedStream {
    /// Every line, in the order sent (times never decrease).
    pub lines: Vec<TimedLine>,
    /// The green flag, µs since the Unix epoch (race times count from here).
    pub green_us: i64,
    /// When `$B,95` closes the run.
    pub end_us: i64,
    /// When the idle heartbeats stop: the next session may be announced from here.
    pub ends_at_us: i64,
}

/// The RMonitor feed of `sim` as `spec` presents it. Deterministic.
///
/// ```
/// use checkered_sim::rmonout::{FeedSpec, rmonitor_stream};
/// use checkered_sim::{RaceSpec, simulate};
/// let sim = simulate(&RaceSpec::club_race(1));
/// let feed = rmonitor_stream(&sim, &FeedSpec::club(1, "Race 1"));
/// assert!(feed.lines[0].text().starts_with("$I,"));
/// assert_eq!(feed.lines.iter().filter(|l| l.text().starts_with("$B,95,")).count(), 1);
/// ```
pub fn rmonitor_stream(sim: &Simulation, spec: &FeedSpec) -> FeedStream {
    session::generate(sim, spec)
}
