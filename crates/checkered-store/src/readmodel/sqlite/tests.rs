//! Unit tests of the SQLite read models: catalog round trips and the projection SQL.
//!
//! # Layout
//! - `catalog`: tracks, events, schedules, entry lists; `projection`: the projection SQL against engine output.

mod catalog;
mod projection;
