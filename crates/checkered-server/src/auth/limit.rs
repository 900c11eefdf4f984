//! Rate limits (GCRA, `governor`), keyed per peer address for sign-in and anonymous
//! public reads and per relay client for ingest. A refusal is a 429 problem document with
//! `Retry-After`. They apply while authorisation is on.
//!
//! Keys are the TCP peer address (a proxy in front should be given its own limits).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// The limiters of one server.
pub struct Limits {
    login: DefaultKeyedRateLimiter<IpAddr>,
    ingest: DefaultKeyedRateLimiter<String>,
    public: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

impl Limits {
    /// Sign-in attempts per minute per address, ingest batches per second per relay
    /// client, anonymous public reads per second per address (each also the burst).
    pub fn new(login_per_minute: u32, ingest_per_second: u32, public_per_second: u32) -> Limits {
        Limits {
            login: DefaultKeyedRateLimiter::keyed(Quota::per_minute(nonzero(login_per_minute))),
            ingest: DefaultKeyedRateLimiter::keyed(Quota::per_second(nonzero(ingest_per_second))),
            public: DefaultKeyedRateLimiter::keyed(Quota::per_second(nonzero(public_per_second))),
            clock: DefaultClock::default(),
        }
    }

    fn wait(
        &self,
        outcome: Result<(), governor::NotUntil<<DefaultClock as Clock>::Instant>>,
    ) -> Result<(), Duration> {
        outcome.map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// A sign-in or token request from `ip`; `Err` is how long to wait.
    pub fn login(&self, ip: IpAddr) -> Result<(), Duration> {
        self.wait(self.login.check_key(&ip))
    }

    /// An ingest batch from relay client `client`.
    pub fn ingest(&self, client: &str) -> Result<(), Duration> {
        self.wait(self.ingest.check_key(&client.to_owned()))
    }

    /// An anonymous public read from `ip`.
    pub fn public(&self, ip: IpAddr) -> Result<(), Duration> {
        self.wait(self.public.check_key(&ip))
    }

    /// Forgets keys whose limits are fully replenished (called now and then).
    pub fn prune(&self) {
        self.login.retain_recent();
        self.ingest.retain_recent();
        self.public.retain_recent();
    }
}
