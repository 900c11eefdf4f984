//! A seeded race model that knows the truth, and the decoder stream it would produce.
//!
//! Tests and the demo need races whose correct result is known. [`simulate`] builds one from
//! a [`RaceSpec`] and a seed: every car's true line crossings and the true classification,
//! then what a P3 decoder would report for them — including duplicate reads, missed reads
//! and weak-signal reads — with passing numbers and periodic STATUS frames, or what an
//! Orbits scoring system would publish on its RMonitor results feed. The same seed
//! always gives the same simulation (ChaCha8, which is stable across platforms), and nothing
//! here reads a clock: times are microseconds from the spec's start.
//!
//! # Layout
//! - [`spec`]: what to simulate (cars, session kind, faults).
//! - [`model`]: the true race: lap times, pit stops, a yellow, a retirement, the finish.
//! - [`decoder`]: readings a decoder would make of the true crossings, with faults.
//! - [`p3out`]: those readings (and STATUS heartbeats) as P3 frames.
//! - [`rmonout`]: the true session as the RMonitor results feed a scoring system sends.
//! - [`meeting`]: an endless meeting of alternating qualifying sessions and races.
//! - [`bmx`]: BMX motos: gate drop beacon and riders' finish crossings.

pub mod bmx;
pub mod decoder;
pub mod meeting;
pub mod model;
pub mod p3out;
pub mod rmonout;
pub mod spec;

pub use decoder::{Reading, ReadingKind};
pub use model::{Crossing, FlagChange, SimFlag, Simulation, TruthRow, simulate};
pub use spec::{Entry, Faults, Line, RaceSpec, SimKind};
