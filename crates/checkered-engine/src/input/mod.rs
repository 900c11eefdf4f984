//! What the engine is fed: raw decoder passings, results-feed records and race-control
//! intents, each stamped with the time it happened.
//!
//! # Layout
//! - [`Input`] / [`InputKind`] / [`Passing`]: the envelope and the raw decoder passing.
//! - [`feed`]: source-agnostic results-feed records ([`FeedRecord`]) and [`Flag`].
//! - [`control`]: race-control intents ([`ControlIntent`]).

pub mod control;
pub mod feed;

pub use control::{ControlIntent, EntrySpec, StagedRider};
pub use feed::{FeedRecord, Flag};
use serde::{Deserialize, Serialize};

/// One input event. `at_us` is the only clock the engine knows (µs since the Unix epoch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// When the event happened (decoder RTC, feed batch time or intent time), µs since epoch.
    pub at_us: i64,
    /// What happened.
    pub kind: InputKind,
}

/// The three sources an engine accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// A raw decoder passing (P3 and the like).
    Passing(Passing),
    /// A record of a results feed that scores on its own (RMonitor, Multiloop).
    Feed(FeedRecord),
    /// A race-control decision.
    Control(ControlIntent),
}

/// A transponder read on a timing loop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passing {
    /// Transponder id as text (feeds carry non-numeric ids such as `NE4`).
    pub transponder: String,
    /// Id of the timing loop ([`crate::TimingLoop::id`]).
    pub line: String,
    /// Signal strength, when the decoder reports it.
    #[serde(default)]
    pub strength: Option<u16>,
    /// Number of hits, when the decoder reports it.
    #[serde(default)]
    pub hits: Option<u16>,
    /// The decoder's own passing counter, kept for gap detection upstream.
    #[serde(default)]
    pub passing_number: Option<u32>,
}

impl Input {
    /// A passing input, the most common one, without signal details.
    pub fn passing(at_us: i64, transponder: impl Into<String>, line: impl Into<String>) -> Self {
        Self {
            at_us,
            kind: InputKind::Passing(Passing {
                transponder: transponder.into(),
                line: line.into(),
                strength: None,
                hits: None,
                passing_number: None,
            }),
        }
    }

    /// A feed-record input.
    pub fn feed(at_us: i64, record: FeedRecord) -> Self {
        Self {
            at_us,
            kind: InputKind::Feed(record),
        }
    }

    /// A race-control input.
    pub fn control(at_us: i64, intent: ControlIntent) -> Self {
        Self {
            at_us,
            kind: InputKind::Control(intent),
        }
    }
}
