//! The cluster backend of Checkered (DESIGN.md §2.2, §5): the event log on NATS JetStream,
//! track leases in a JetStream key-value bucket, and the read models on PostgreSQL.
//!
//! # Layout
//! - [`names`]: the subjects, streams and buckets of DESIGN.md §3 under a prefix.
//! - [`jetstream`]: [`JetStreamLog`], the [`EventLog`](checkered_store::EventLog) on JetStream.
//! - [`leases`]: [`Leases`], track ownership in a JetStream key-value bucket.
//! - [`postgres`]: [`PgReadModels`], the catalog on PostgreSQL.
//! - [`testing`]: reaching the machine's NATS from tests, a private prefix per test.

pub mod jetstream;
pub mod leases;
pub mod names;
pub mod postgres;
pub mod testing;

pub use jetstream::{JetStreamLog, JetStreamOptions};
pub use leases::{Lease, Leases};
pub use postgres::PgReadModels;
