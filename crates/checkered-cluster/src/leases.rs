//! Track ownership: engine workers claim tracks with leases in the JetStream key-value
//! bucket `<prefix>track-owners` (DESIGN.md §5).
//!
//! A lease is the key `track.<track>` holding the owner's worker id. It is taken with
//! `create` (succeeds only when the key is absent), renewed with `update` on the revision
//! the owner holds (compare-and-set: it fails once anyone else wrote the key or the lease
//! expired), and expires on its own: the bucket's `max_age` is the lease TTL, so a worker
//! that dies (SIGKILL, power cut) stops renewing and its keys vanish after the TTL. So at
//! most one worker holds a live lease per track at any time, as JetStream orders the
//! writes of a key.
//!
//! Workers also keep a heartbeat key `worker.<id>` so each one knows how many are alive
//! and claims only its fair share (`ceil(tracks / workers)`), releasing extras when more
//! workers join: that is the rebalancing.
//!
//! # Layout
//! - [`Leases`]: open the bucket; claim, renew, release, owner; worker heartbeats.

use crate::names::Names;
use async_nats::jetstream::kv::{self, CreateErrorKind, UpdateErrorKind};
use async_nats::jetstream::{self, stream::StorageType};
use checkered_store::StoreError;
use futures_util::TryStreamExt;
use std::time::Duration;

/// A worker's handle on the lease bucket.
#[derive(Clone)]
pub struct Leases {
    kv: kv::Store,
    worker: String,
    ttl: Duration,
}

fn io(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Io(Box::new(e))
}

/// A lease this worker holds: renew it with its revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The key's revision after this worker's last write.
    pub revision: u64,
}

impl Leases {
    /// Opens (creating if needed) the bucket with `ttl` as the lease lifetime. Renew well
    /// within it (a third of it is a good period).
    pub async fn open(
        js: &jetstream::Context,
        names: &Names,
        worker: &str,
        ttl: Duration,
        replicas: usize,
    ) -> Result<Self, StoreError> {
        let bucket = names.owners_bucket();
        // The bucket's stream is created by hand with the key-value conventions, because
        // `create_key_value` first queries account info, whose reply nats-server 2.9 shapes
        // differently from what async-nats 0.51 parses.
        let config = jetstream::stream::Config {
            name: format!("KV_{bucket}"),
            description: Some("Checkered track leases".into()),
            subjects: vec![format!("$KV.{bucket}.>")],
            max_messages_per_subject: 1,
            max_bytes: -1,
            max_message_size: -1,
            max_age: ttl,
            storage: StorageType::File,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            num_replicas: replicas.max(1),
            discard: jetstream::stream::DiscardPolicy::New,
            ..Default::default()
        };
        js.get_or_create_stream(config).await.map_err(io)?;
        let kv = js.get_key_value(&bucket).await.map_err(io)?;
        Ok(Leases {
            kv,
            worker: worker.to_owned(),
            ttl,
        })
    }

    /// This worker's id.
    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// The lease lifetime.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Takes the lease of `track` if nobody holds it.
    pub async fn try_claim(&self, track: &str) -> Result<Option<Lease>, StoreError> {
        match self
            .kv
            .create(format!("track.{track}"), self.worker.clone().into())
            .await
        {
            Ok(revision) => Ok(Some(Lease { revision })),
            Err(e) if e.kind() == CreateErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// Renews a held lease; `None` when it was lost (expired or taken).
    pub async fn renew(&self, track: &str, lease: Lease) -> Result<Option<Lease>, StoreError> {
        let key = format!("track.{track}");
        match self
            .kv
            .update(key, self.worker.clone().into(), lease.revision)
            .await
        {
            Ok(revision) => Ok(Some(Lease { revision })),
            Err(e) if e.kind() == UpdateErrorKind::WrongLastRevision => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// Gives a held lease up (only if it is still this worker's).
    pub async fn release(&self, track: &str, lease: Lease) -> Result<(), StoreError> {
        let key = format!("track.{track}");
        match self
            .kv
            .delete_expect_revision(key, Some(lease.revision))
            .await
        {
            Ok(()) => Ok(()),
            // Someone else's by now: nothing to give up.
            Err(_) => Ok(()),
        }
    }

    /// The worker holding the lease of `track`, if any.
    pub async fn owner(&self, track: &str) -> Result<Option<String>, StoreError> {
        let value = self.kv.get(format!("track.{track}")).await.map_err(io)?;
        Ok(value.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Refreshes this worker's heartbeat key.
    pub async fn heartbeat(&self) -> Result<(), StoreError> {
        let key = format!("worker.{}", self.worker);
        self.kv
            .put(key, self.worker.clone().into())
            .await
            .map_err(io)?;
        Ok(())
    }

    /// How many workers have a live heartbeat (at least 1: this one counts).
    pub async fn live_workers(&self) -> Result<usize, StoreError> {
        let keys: Vec<String> = match self.kv.keys().await {
            Ok(keys) => keys.try_collect().await.map_err(io)?,
            Err(e) => return Err(io(e)),
        };
        Ok(keys
            .iter()
            .filter(|k| k.starts_with("worker."))
            .count()
            .max(1))
    }
}

/// The most tracks one of `workers` should own among `tracks`.
pub fn fair_share(tracks: usize, workers: usize) -> usize {
    tracks.div_ceil(workers.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fair_share_rounds_up() {
        assert_eq!(fair_share(3, 2), 2);
        assert_eq!(fair_share(4, 2), 2);
        assert_eq!(fair_share(0, 2), 0);
        assert_eq!(fair_share(5, 0), 5);
    }
}
