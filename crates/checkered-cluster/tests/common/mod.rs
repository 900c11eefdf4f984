//! Shared test plumbing (see `checkered_cluster::testing`).

#![allow(dead_code)]
#[allow(unused_imports)]
pub use checkered_cluster::testing::{TestLog, nats_url};

/// A fresh JetStream log, or `None` (skipped).
pub async fn jetstream_log() -> Option<TestLog> {
    TestLog::connect().await
}
