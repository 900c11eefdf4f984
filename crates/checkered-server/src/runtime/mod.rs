//! The engine side of the server: one actor per track turns the raw log into derived
//! events, snapshots and live frames.
//!
//! # Layout
//! - [`convert`]: envelope payloads to engine inputs (and their validation at ingest).
//! - [`registry`]: the running tracks and their shared state.
//! - [`actor`]: the loop of one track.

pub mod actor;
pub mod convert;
pub mod registry;

pub use registry::{Registry, RuntimeOptions, TrackRuntime};
