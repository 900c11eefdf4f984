//! The Checkered server (embedded mode): HTTP ingest, per-track engine actors, read
//! models, REST and the live WebSocket, in one process.
//!
//! # Layout
//! - [`config`]: server settings from flags, environment and an optional TOML file.
//! - [`startup`]: bind first, then run until a shutdown signal ([`startup::Application`]).
//! - [`state`]: the shared [`state::AppState`] every handler receives.
//! - [`http`]: routes, one module per resource, and the problem+json error type.
//! - [`live`]: per-track fan-out of derived events to WebSocket clients.
//! - [`runtime`]: one engine actor per track, fed from the raw log.
//! - [`cluster`]: cluster mode (track leases, wake-ups from NATS).
//! - [`projection`]: one projector per track, folding its logs into the read models.
//! - [`tracks`]: track definitions and starting their engines.
//! - [`auth`]: identity, organisations, roles, relay credentials and the policy.
//! - [`clock`]: the wall clock (ingest and metrics only; the engine never reads it).

pub mod auth;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod http;
pub mod live;
pub mod projection;
pub mod runtime;
pub mod startup;
pub mod state;
pub mod tracks;
