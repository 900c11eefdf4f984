//! [`JetStreamLog`]: the [`EventLog`](checkered_store::EventLog) on NATS JetStream.
//!
//! # Streams
//! One stream per track and kind, so each stream's sequence *is* the contract's sequence:
//! - `RAW_<track>` (`timing.ingest.raw.v1.<track>`): the stream sequence is the gap-free
//!   `track_seq`. JetStream assigns it, so any number of ingest processes publish to the
//!   same track without coordination; `Nats-Msg-Id` = the idempotency key makes a retry
//!   a duplicate whose ack carries the first copy's sequence.
//! - `EVENTS_<track>` (`timing.race.events.v1.<track>`): derived row `seq` = stream
//!   sequence, enforced with `Nats-Expected-Last-Sequence = seq - 1` and message id
//!   `<track>:<seq>`, so an engine re-run (or a second owner during a lease hand-over)
//!   can never store a row twice, however late it comes.
//! - `KEYFRAMES_<track>`: every snapshot, in save order (seeking back by derived seq).
//! - `SNAPSHOTS` (`timing.race.snapshot.v1.<track>.<event>`, one message per subject): the
//!   latest snapshot, where a new engine owner and every gateway start.
//! - `DLQ` (`timing.dlq.v1.<source>`): dead letters; the id is the stream sequence.
//!
//! Retention limits (DESIGN.md §3) are the streams' `max_age`, applied when a stream is
//! created and updated on existing streams at start-up; [`JetStreamLog::enforce_retention`]
//! additionally purges by the contract's rules for an explicit "now".
//!
//! # Layout
//! - [`JetStreamLog`], [`JetStreamOptions`], connecting and stream configuration (here).
//! - `codec`: message bodies and headers; `raw`: raw appends and reads; `engine_rows`:
//!   derived events, snapshots, dead letters; `retention`; `impl_log`: the trait.

mod codec;
mod engine_rows;
mod impl_log;
mod raw;
mod retention;

use crate::names::{Names, TrackStream};
use async_nats::jetstream::{self, stream};
use checkered_store::{Retention, StoreError};
use futures_util::TryStreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How the backend configures its streams.
#[derive(Debug, Clone)]
pub struct JetStreamOptions {
    /// Subject/stream prefix (empty in production; one per test).
    pub prefix: String,
    /// Stream `max_age` per kind (DESIGN.md §3 defaults).
    pub retention: Retention,
    /// How long JetStream remembers a `Nats-Msg-Id` (a relay retry older than this is
    /// stored again). Capped at the raw retention.
    pub duplicate_window: Duration,
    /// Replicas per stream (3 on a clustered NATS).
    pub replicas: usize,
}

impl Default for JetStreamOptions {
    fn default() -> Self {
        JetStreamOptions {
            prefix: String::new(),
            retention: Retention::default(),
            duplicate_window: Duration::from_secs(2 * 60 * 60),
            replicas: 1,
        }
    }
}

/// The event log on JetStream. Cheap to clone.
#[derive(Clone)]
pub struct JetStreamLog {
    inner: Arc<Inner>,
}

struct Inner {
    js: jetstream::Context,
    names: Names,
    options: JetStreamOptions,
    /// Streams known to exist (created or updated by this process). A std mutex: only
    /// held to look up or insert, never across an `.await`.
    ensured: Mutex<HashSet<String>>,
    /// Per track, the last `ingested_at_us` this process stored, so ingest times never go
    /// back within a track (loaded from the stream on first use). Never held across an
    /// `.await`.
    last_ingested: Mutex<HashMap<String, i64>>,
    /// Serialises this process's appends per track, so the publish order on the wire is
    /// the order of `ingested_at_us`.
    track_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// A backend error as the trait reports it: network trouble and timeouts are retryable.
pub(crate) fn io(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Io(Box::new(e))
}

/// A failure that retrying will not fix.
pub(crate) fn fatal(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(e))
}

impl JetStreamLog {
    /// Connects to `url` and creates (or updates to the configured limits) the shared
    /// streams and every existing per-track stream of the prefix.
    pub async fn connect(url: &str, options: JetStreamOptions) -> Result<Self, StoreError> {
        let client = async_nats::connect(url).await.map_err(io)?;
        Self::with_client(client, options).await
    }

    /// Like [`Self::connect`] on an existing client.
    pub async fn with_client(
        client: async_nats::Client,
        options: JetStreamOptions,
    ) -> Result<Self, StoreError> {
        let js = jetstream::new(client);
        let log = JetStreamLog {
            inner: Arc::new(Inner {
                js,
                names: Names::new(&options.prefix),
                options,
                ensured: Mutex::new(HashSet::new()),
                last_ingested: Mutex::new(HashMap::new()),
                track_locks: Mutex::new(HashMap::new()),
            }),
        };
        log.configure_streams().await?;
        Ok(log)
    }

    /// The JetStream context (leases use the same connection).
    pub fn context(&self) -> &jetstream::Context {
        &self.inner.js
    }

    /// The names under this log's prefix.
    pub fn names(&self) -> &Names {
        &self.inner.names
    }

    async fn configure_streams(&self) -> Result<(), StoreError> {
        let shared = [self.snapshots_config(), self.dlq_config()];
        for config in shared {
            self.apply(config).await?;
        }
        let names: Vec<String> = self
            .inner
            .js
            .stream_names()
            .try_collect()
            .await
            .map_err(io)?;
        for name in names {
            for kind in TrackStream::ALL {
                if let Some(track) = self.inner.names.track_of(kind, &name) {
                    let config = self.track_config(kind, track);
                    self.apply(config).await?;
                }
            }
        }
        Ok(())
    }

    /// Creates the stream, or updates an existing one to `config`.
    async fn apply(&self, config: stream::Config) -> Result<(), StoreError> {
        let name = config.name.clone();
        match self.inner.js.update_stream(config.clone()).await {
            Ok(_) => {}
            Err(_) => {
                self.inner
                    .js
                    .get_or_create_stream(config)
                    .await
                    .map_err(io)?;
            }
        }
        self.mark_ensured(name);
        Ok(())
    }

    fn mark_ensured(&self, name: String) {
        let mut set = self
            .inner
            .ensured
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        set.insert(name);
    }

    /// Makes sure the track stream of `kind` exists (once per process).
    pub(crate) async fn ensure(&self, kind: TrackStream, track: &str) -> Result<(), StoreError> {
        let name = self.inner.names.stream(kind, track);
        let known = {
            let set = self
                .inner
                .ensured
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            set.contains(&name)
        };
        if !known {
            let config = self.track_config(kind, track);
            self.inner
                .js
                .get_or_create_stream(config)
                .await
                .map_err(io)?;
            self.mark_ensured(name);
        }
        Ok(())
    }

    fn base_config(
        &self,
        name: String,
        subjects: Vec<String>,
        max_age: Duration,
    ) -> stream::Config {
        stream::Config {
            name,
            subjects,
            max_age,
            storage: stream::StorageType::File,
            num_replicas: self.inner.options.replicas.max(1),
            duplicate_window: self.inner.options.duplicate_window.min(max_age),
            discard: stream::DiscardPolicy::Old,
            ..Default::default()
        }
    }

    fn track_config(&self, kind: TrackStream, track: &str) -> stream::Config {
        let r = &self.inner.options.retention;
        let max_age = match kind {
            TrackStream::Raw => r.raw,
            TrackStream::Derived => r.derived,
            TrackStream::Keyframes => r.snapshots,
        };
        let names = &self.inner.names;
        self.base_config(
            names.stream(kind, track),
            vec![names.subject(kind, track)],
            max_age,
        )
    }

    fn snapshots_config(&self) -> stream::Config {
        let names = &self.inner.names;
        let mut config = self.base_config(
            names.snapshots_stream(),
            vec![names.snapshot_subjects()],
            self.inner.options.retention.snapshots,
        );
        config.max_messages_per_subject = 1;
        config
    }

    fn dlq_config(&self) -> stream::Config {
        let names = &self.inner.names;
        self.base_config(
            names.dlq_stream(),
            vec![names.dlq_subjects()],
            self.inner.options.retention.dead_letters,
        )
    }

    /// A handle on a stream by name (no request).
    pub(crate) async fn stream(&self, name: &str) -> Result<stream::Stream<()>, StoreError> {
        self.inner.js.get_stream_no_info(name).await.map_err(fatal)
    }

    /// `(first, last)` sequence of a stream, `(0, 0)` if it does not exist.
    pub(crate) async fn bounds(&self, name: &str) -> Result<(u64, u64), StoreError> {
        let stream = self.stream(name).await?;
        match stream.get_info().await {
            Ok(info) => Ok((info.state.first_sequence, info.state.last_sequence)),
            Err(e) if is_not_found(&e) => Ok((0, 0)),
            Err(e) => Err(io(e)),
        }
    }

    fn track_lock(&self, track: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .inner
            .track_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(locks.entry(track.to_owned()).or_default())
    }

    /// Deletes every stream and bucket under this log's prefix (tests' clean-up). Refuses
    /// to run without a prefix, so it can never wipe a production deployment.
    pub async fn delete_everything(&self) -> Result<(), StoreError> {
        if self.inner.names.stream_prefix().is_empty() {
            return Err(StoreError::Invalid {
                index: 0,
                reason: "no prefix".into(),
            });
        }
        let names: Vec<String> = self
            .inner
            .js
            .stream_names()
            .try_collect()
            .await
            .map_err(io)?;
        for name in names {
            let bucket = format!("KV_{}", self.inner.names.owners_bucket());
            if self.inner.names.owns_stream(&name) || name == bucket {
                self.inner.js.delete_stream(&name).await.map_err(io)?;
            }
        }
        Ok(())
    }
}

/// Whether a request error says the stream does not exist (JetStream error 10059 anywhere
/// in its source chain).
pub(crate) fn is_not_found(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cause {
        if let Some(js) = err.downcast_ref::<jetstream::Error>() {
            return js.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND;
        }
        cause = err.source();
    }
    false
}
