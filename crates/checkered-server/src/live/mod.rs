//! The live gateway: `GET /ws/v1/live`, per-track fan-out of derived events to WebSocket
//! subscribers (DESIGN.md §3).
//!
//! # Layout
//! - [`frame`]: the frame shape, rendered once per event.
//! - [`params`]: the query string (`track_id`, `channels`, `from`, `format`).
//! - [`socket`]: one subscriber's loop: snapshot or resume, increments, heartbeats, resync.

pub mod frame;
pub mod params;
pub mod socket;
