//! What the pacer and the client connections share: the live stream's fan-out, the P3
//! passing memory, the RMonitor state cache and the simulated clock.
//!
//! The fan-out is a bounded `broadcast` ring of batches: the pacer never waits for a
//! client, and a client that falls a whole ring behind learns it (`Lagged`) and is
//! dropped, so one slow reader can neither stall the others nor grow memory.
//!
//! # Layout
//! - [`SimClock`]: simulated time at `speed` × real time.
//! - [`Hub`]: publish a batch, subscribe a client, answer a P3 command.

use super::decoder::{PassingMemory, answer, answer_bad_frame};
use super::feed_cache::FeedCache;
use super::program::{Payload, Timed};
use checkered_protocol::p3::{Frame, FrameErrorKind};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Simulated time: `start_us` at `started`, running `speed` times faster than real time.
#[derive(Debug, Clone, Copy)]
pub struct SimClock {
    /// Simulated time at `started`, µs since the Unix epoch.
    pub start_us: i64,
    /// The real instant the simulation started.
    pub started: Instant,
    /// Simulated seconds per real second.
    pub speed: f64,
}

impl SimClock {
    /// Simulated time now, µs since the Unix epoch.
    pub fn now_us(&self) -> i64 {
        let elapsed = self.started.elapsed().as_secs_f64() * self.speed;
        self.start_us.saturating_add((elapsed * 1e6) as i64)
    }

    /// The real instant simulated time reaches `at_us`.
    pub fn instant_of(&self, at_us: i64) -> Instant {
        let real_s = (at_us.saturating_sub(self.start_us).max(0) as f64 / 1e6) / self.speed;
        self.started + Duration::from_secs_f64(real_s.min(1e9))
    }
}

/// State shared under one lock so that a client subscribing sees the cache exactly as
/// of the batch its subscription starts after. No lock is held across an `.await`.
struct Shared {
    tx: broadcast::Sender<Arc<[u8]>>,
    memory: PassingMemory,
    cache: FeedCache,
}

/// The shared side of a running simulator.
pub struct Hub {
    shared: Mutex<Shared>,
    clock: SimClock,
    decoder_id: u32,
}

impl Hub {
    /// A hub whose fan-out keeps `ring` batches and whose decoder remembers `memory`
    /// passings.
    pub fn new(clock: SimClock, ring: usize, memory: usize, decoder_id: u32) -> Self {
        let (tx, _) = broadcast::channel(ring.max(1));
        Hub {
            shared: Mutex::new(Shared {
                tx,
                memory: PassingMemory::new(memory),
                cache: FeedCache::default(),
            }),
            clock,
            decoder_id,
        }
    }

    /// The simulated clock.
    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends one batch of items to every client, remembering passings and feed state.
    pub fn publish(&self, items: Vec<Timed>) {
        let mut bytes = Vec::with_capacity(items.iter().map(|t| t.payload.wire().len()).sum());
        let mut shared = self.lock();
        for item in items {
            bytes.extend_from_slice(item.payload.wire());
            match item.payload {
                Payload::Passing { number, wire } => shared.memory.remember(number, wire.into()),
                Payload::Line { record, wire } => shared.cache.note(&record, &wire.into()),
                Payload::Status { .. } => {}
            }
        }
        // No receiver is not an error: a decoder streams whether anyone listens or not.
        let _ = shared.tx.send(bytes.into());
    }

    /// A new client's subscription to the live stream and the feed state to send first.
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<[u8]>>, Vec<u8>) {
        let shared = self.lock();
        (shared.tx.subscribe(), shared.cache.snapshot())
    }

    /// The decoder's reply to a P3 command frame.
    pub fn answer(&self, command: &Frame) -> Vec<u8> {
        let now = self.clock.now_us();
        answer(command, &self.lock().memory, now, self.decoder_id)
    }

    /// The decoder's reply to bytes that were not a valid frame, if any.
    pub fn answer_bad_frame(&self, kind: &FrameErrorKind) -> Option<Vec<u8>> {
        answer_bad_frame(kind, self.decoder_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_runs_at_speed_and_maps_times_back_to_instants() {
        let started = Instant::now();
        let clock = SimClock {
            start_us: 1_000_000_000,
            started,
            speed: 50.0,
        };
        assert_eq!(
            clock.instant_of(1_000_000_000 + 100_000_000),
            started + Duration::from_secs(2)
        );
        assert_eq!(clock.instant_of(0), started);
        assert!(clock.now_us() >= 1_000_000_000);
    }
}
