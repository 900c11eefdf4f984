//! The pure race engine: one [`TrackEngine`] holds one track's timing state, is fed
//! [`Input`]s in order (raw passings, results-feed records, race-control intents) and
//! emits numbered [`DerivedEvent`]s. It has no clock, no I/O and no randomness: time comes
//! only from the inputs, every collection it outputs is ordered, so the same inputs always
//! give byte-identical events, and a [`Snapshot`] restores it exactly.
//!
//! ```
//! use checkered_engine::{Input, TrackConfig, TrackEngine};
//!
//! let mut engine = TrackEngine::new(TrackConfig::new("kart-club"));
//! let mut events = Vec::new();
//! for (i, at) in [0i64, 61_000_000, 121_500_000].into_iter().enumerate() {
//!     engine.apply(&Input::passing(1_700_000_000_000_000 + at, "1234", "sf"), &mut events);
//!     let _ = i;
//! }
//! let board = engine.standings();
//! assert_eq!(board.competitors[0].laps, 2);
//! ```
//!
//! # Layout
//! - [`adapt`]: codec records to inputs (P3).
//! - [`config`]: track configuration (loops, thresholds, session kinds).
//! - [`input`]: what the engine is fed.
//! - [`event`]: what it emits.
//! - [`entries`]: the competitor registry.
//! - [`session`]: per-session state and ranking.
//! - [`engine`]: the rules.
//! - [`view`]: standings and classifications.

pub mod adapt;
pub mod config;
pub mod engine;
pub mod entries;
pub mod event;
pub mod input;
pub mod session;
pub mod view;

pub use config::{LoopRole, SessionKind, TimingLoop, TrackConfig};
pub use engine::{Counters, RestoreError, SessionSummary, Snapshot, TrackEngine};
pub use event::{
    CarStatus, ClassificationState, DerivedEvent, EndReason, EventKind, LapTime, Penalty,
};
pub use input::{
    ControlIntent, EntrySpec, FeedRecord, Flag, Input, InputKind, Passing, StagedRider,
};
pub use view::classification::{Classification, ClassifiedCar};
pub use view::standings::Standings;
