//! Shared test plumbing: reach the machine's NATS and PostgreSQL, or skip (or fail, with
//! `CHECKERED_REQUIRE_SERVICES=1`), and a private prefix per test that is deleted after.

#![allow(dead_code)]

use checkered_cluster::{JetStreamLog, JetStreamOptions};

/// NATS URL of the machine's server (`CHECKERED_TEST_NATS` overrides).
pub fn nats_url() -> String {
    std::env::var("CHECKERED_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// Whether absent services fail the test instead of skipping it.
pub fn services_required() -> bool {
    std::env::var("CHECKERED_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Skips (returns `None`, printing why) or panics when a service is missing.
pub fn unavailable<T>(what: &str, error: impl std::fmt::Display) -> Option<T> {
    if services_required() {
        panic!("{what} is required (CHECKERED_REQUIRE_SERVICES=1) but unreachable: {error}");
    }
    eprintln!(
        "skipped: {what} unreachable ({error}); set CHECKERED_REQUIRE_SERVICES=1 to fail instead"
    );
    None
}

/// A unique prefix for one test.
pub fn prefix() -> String {
    format!("t{:016x}", fastrand::u64(..))
}

/// A JetStream log under its own prefix; its streams are deleted when dropped.
pub struct TestLog {
    /// The log.
    pub log: JetStreamLog,
}

impl Drop for TestLog {
    fn drop(&mut self) {
        let log = self.log.clone();
        // Clean-up needs the runtime; run it on a thread of its own so it works from any
        // context (the test's runtime may be shutting down).
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async move {
                    if let Ok(client) = async_nats::connect(nats_url()).await {
                        let js = async_nats::jetstream::new(client);
                        let _ = delete_prefix(&js, log.names()).await;
                    }
                });
            }
        });
        let _ = done.join();
    }
}

async fn delete_prefix(
    js: &async_nats::jetstream::Context,
    names: &checkered_cluster::names::Names,
) -> Result<(), Box<dyn std::error::Error>> {
    use futures_util::TryStreamExt;
    let all: Vec<String> = js.stream_names().try_collect().await?;
    let bucket = format!("KV_{}", names.owners_bucket());
    for name in all {
        if names.owns_stream(&name) || name == bucket {
            js.delete_stream(&name).await?;
        }
    }
    Ok(())
}

/// A fresh log on the machine's NATS, or `None` (skipped).
pub async fn jetstream_log() -> Option<TestLog> {
    let options = JetStreamOptions {
        prefix: prefix(),
        ..JetStreamOptions::default()
    };
    match JetStreamLog::connect(&nats_url(), options).await {
        Ok(log) => Some(TestLog { log }),
        Err(e) => unavailable("NATS JetStream", format!("{e:#}")),
    }
}
