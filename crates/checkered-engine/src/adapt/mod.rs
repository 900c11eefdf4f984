//! Adapters from the protocol codecs' record types to engine [`Input`](crate::Input)s, so
//! the server and the replay command feed every source through the same code.
//!
//! # Layout
//! - [`p3`]: MyLaps P3 decoder records (raw passings).
//! - [`rmonitor`]: Orbits RMonitor results-feed records.
//! - [`multiloop`]: Orbits/MyLaps Multiloop results-feed records.

pub mod multiloop;
pub mod p3;
pub mod rmonitor;
