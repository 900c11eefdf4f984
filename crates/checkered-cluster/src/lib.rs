//! The cluster backend of Checkered (DESIGN.md §2.2, §5): the event log on NATS JetStream,
//! track leases in a JetStream key-value bucket, and the read models on PostgreSQL.
//!
//! # Layout
//! - [`names`]: the subjects, streams and buckets of DESIGN.md §3 under a prefix.
//! - [`jetstream`]: [`JetStreamLog`], the [`EventLog`](checkered_store::EventLog) on JetStream.

pub mod jetstream;
pub mod names;

pub use jetstream::{JetStreamLog, JetStreamOptions};
