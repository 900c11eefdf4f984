//! Helpers for tests that run against the machine's NATS server (this crate's and the
//! server's): reach it or skip with a printed reason (fail instead when
//! `CHECKERED_REQUIRE_SERVICES=1`), under a private prefix deleted afterwards.
//!
//! # Layout
//! - [`nats_url`], [`services_required`], [`unavailable`]: finding the service.
//! - [`TestLog`]: a [`JetStreamLog`] on a fresh prefix whose streams are deleted on drop.
//! - [`TestDatabase`]: PostgreSQL read models in a fresh schema, dropped on drop.

use crate::{JetStreamLog, JetStreamOptions};

/// NATS URL of the machine's server (`CHECKERED_TEST_NATS` overrides).
pub fn nats_url() -> String {
    std::env::var("CHECKERED_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// PostgreSQL URL of the machine's server (`CHECKERED_TEST_DATABASE` overrides).
pub fn database_url() -> String {
    std::env::var("CHECKERED_TEST_DATABASE")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Read models in a schema of their own; the schema is dropped with everything in it
/// when this is dropped.
pub struct TestDatabase {
    /// The read models.
    pub models: crate::PgReadModels,
    /// The schema (`t` + 16 hex digits).
    pub schema: String,
}

impl TestDatabase {
    /// Fresh read models on the machine's PostgreSQL, or `None` (skipped).
    pub async fn connect() -> Option<TestDatabase> {
        let schema = prefix();
        match crate::PgReadModels::connect(&database_url(), Some(&schema)).await {
            Ok(models) => Some(TestDatabase { models, schema }),
            Err(e) => unavailable("PostgreSQL", &e),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let schema = self.schema.clone();
        let done = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let _ = crate::PgReadModels::drop_schema(&database_url(), &schema).await;
            });
        });
        let _ = done.join();
    }
}

/// Whether absent services fail the test instead of skipping it.
pub fn services_required() -> bool {
    std::env::var("CHECKERED_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Skips (returns `None`, printing why) or panics when a service is missing.
///
/// # Panics
/// When `CHECKERED_REQUIRE_SERVICES=1`: a missing service then fails the test.
pub fn unavailable<T>(what: &str, error: &(dyn std::error::Error + 'static)) -> Option<T> {
    let mut reason = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        reason.push_str(": ");
        reason.push_str(&c.to_string());
        cause = c.source();
    }
    assert!(
        !services_required(),
        "{what} is required (CHECKERED_REQUIRE_SERVICES=1) but unreachable: {reason}"
    );
    eprintln!(
        "skipped: {what} unreachable ({reason}); set CHECKERED_REQUIRE_SERVICES=1 to fail instead"
    );
    None
}

/// A unique prefix for one test (`t` + 16 hex digits).
pub fn prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let unique = std::process::id() as u64 ^ (u64::from(nanos) << 20) ^ next_counter();
    format!("t{unique:016x}")
}

fn next_counter() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER
        .fetch_add(1, Ordering::Relaxed)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A JetStream log on a fresh prefix; every stream of the prefix is deleted on drop.
pub struct TestLog {
    /// The log.
    pub log: JetStreamLog,
    /// The prefix (for other connections to the same log, e.g. spawned processes).
    pub prefix: String,
}

impl TestLog {
    /// A fresh log on the machine's NATS, or `None` (skipped).
    pub async fn connect() -> Option<TestLog> {
        let prefix = prefix();
        let options = JetStreamOptions {
            prefix: prefix.clone(),
            ..JetStreamOptions::default()
        };
        match JetStreamLog::connect(&nats_url(), options).await {
            Ok(log) => Some(TestLog { log, prefix }),
            Err(e) => unavailable("NATS JetStream", &e),
        }
    }
}

impl Drop for TestLog {
    fn drop(&mut self) {
        let prefix = self.prefix.clone();
        // Clean-up needs a runtime and may run while the test's runtime shuts down: use a
        // thread with a runtime of its own and a fresh connection.
        let done = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let options = JetStreamOptions {
                    prefix,
                    ..JetStreamOptions::default()
                };
                if let Ok(log) = JetStreamLog::connect(&nats_url(), options).await {
                    let _ = log.delete_everything().await;
                }
            });
        });
        let _ = done.join();
    }
}
