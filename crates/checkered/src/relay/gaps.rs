//! P3 passing-number gap healing, pure (time comes in as milliseconds).
//!
//! Each decoder numbers its passings 1, 2, 3, …. When a number is skipped, the passings
//! after the hole are held back, the decoder is asked to RESEND the missing range, and
//! once the hole is filled everything is released in passing-number order, so the server
//! sees the race in order. If the decoder does not answer after a few tries, the held
//! passings are released anyway and the hole is reported as lost: data that arrived is
//! never held for ever, and nothing is dropped silently.
//!
//! A passing whose number, transponder and time were already released is a duplicate
//! (a resend overlapping what arrived) and is dropped and counted. A number far below the
//! expected one means the decoder's memory was cleared: numbering restarts there.
//!
//! # Layout
//! - [`Healer`]: per-decoder state; [`Healer::passing`], [`Healer::tick`],
//!   [`Healer::flush`].
//! - [`Step`]: what to forward, what to ask for, what was dropped or lost.

use crate::relay::spool::Captured;
use crate::relay::spool::entry::{RESTART_BELOW, advance};
use std::collections::{BTreeMap, HashSet, VecDeque};

/// Identifies one passing: number, transponder, decoder time.
pub type Fingerprint = (u32, Option<u32>, Option<u64>);

/// How many released passings per decoder are remembered to spot duplicates.
const RECENT: usize = 4096;

/// Tuning of the healer.
#[derive(Debug, Clone, Copy)]
pub struct HealerOptions {
    /// How long a hole waits for the resend before asking again.
    pub wait_ms: u64,
    /// Requests per hole before it is given up as lost.
    pub tries: u32,
    /// Most passings held per decoder; past it the hole is given up.
    pub max_held: usize,
}

impl Default for HealerOptions {
    fn default() -> Self {
        HealerOptions {
            wait_ms: 2_000,
            tries: 3,
            max_held: 5_000,
        }
    }
}

/// What the link must do after a passing or a tick.
#[derive(Debug, Default, PartialEq)]
pub struct Step {
    /// Messages to spool, in order.
    pub release: Vec<Captured>,
    /// RESEND requests to send: decoder key, first and last passing number.
    pub resend: Vec<(String, u32, u32)>,
    /// Duplicate passings dropped.
    pub duplicates: u64,
    /// Holes given up: decoder key, first and last missing number.
    pub lost: Vec<(String, u32, u32)>,
    /// Passings that arrived below the expected number and were forwarded as they came.
    pub out_of_order: u64,
}

#[derive(Debug, Default)]
struct Decoder {
    next: Option<u32>,
    held: BTreeMap<u32, (Fingerprint, Captured)>,
    /// When the current hole was last asked for, and how often.
    asked: Option<(u64, u32)>,
    recent: VecDeque<Fingerprint>,
    recent_set: HashSet<Fingerprint>,
}

impl Decoder {
    fn remember(&mut self, fp: Fingerprint) {
        if self.recent_set.insert(fp) {
            self.recent.push_back(fp);
        }
        while self.recent.len() > RECENT {
            if let Some(old) = self.recent.pop_front() {
                self.recent_set.remove(&old);
            }
        }
    }

    /// Releases held passings that continue the sequence.
    fn drain(&mut self, step: &mut Step) {
        while let Some(next) = self.next {
            let Some((fp, item)) = self.held.remove(&next) else {
                break;
            };
            self.remember(fp);
            step.release.push(item);
            self.next = Some(next.wrapping_add(1));
        }
        if self.held.is_empty() {
            self.asked = None;
        }
    }

    /// Releases everything held, in order, and reports the holes between as lost.
    fn give_up(&mut self, key: &str, step: &mut Step) {
        let mut expected = self.next;
        for (n, (fp, item)) in std::mem::take(&mut self.held) {
            if let Some(e) = expected.filter(|&e| e < n) {
                step.lost.push((key.to_owned(), e, n - 1));
            }
            self.remember(fp);
            step.release.push(item);
            expected = Some(n.wrapping_add(1));
        }
        self.next = expected;
        self.asked = None;
    }
}

/// Gap healing for every decoder on one link.
#[derive(Debug)]
pub struct Healer {
    options: HealerOptions,
    decoders: BTreeMap<String, Decoder>,
}

impl Healer {
    /// A healer that continues from the expected passing numbers of an earlier run.
    pub fn new(options: HealerOptions, resume: &BTreeMap<String, u32>) -> Self {
        let decoders = resume
            .iter()
            .map(|(k, &n)| {
                (
                    k.clone(),
                    Decoder {
                        next: Some(n),
                        ..Decoder::default()
                    },
                )
            })
            .collect();
        Healer { options, decoders }
    }

    /// One passing `n` from decoder `key`, at `now_ms`.
    pub fn passing(&mut self, key: &str, fp: Fingerprint, item: Captured, now_ms: u64) -> Step {
        let mut step = Step::default();
        let max_held = self.options.max_held;
        let d = self.decoders.entry(key.to_owned()).or_default();
        let n = fp.0;
        if d.recent_set.contains(&fp) || d.held.get(&n).is_some_and(|(h, _)| *h == fp) {
            step.duplicates = 1;
            return step;
        }
        match d.next {
            None => {
                d.next = Some(n);
                d.held.insert(n, (fp, item));
                d.drain(&mut step);
            }
            Some(next) if n == next => {
                d.held.insert(n, (fp, item));
                d.drain(&mut step);
                if d.asked.is_none()
                    && let (Some(missing), Some(&first)) = (d.next, d.held.keys().next())
                {
                    step.resend.push((key.to_owned(), missing, first - 1));
                    d.asked = Some((now_ms, 1));
                }
            }
            Some(next) if n > next => {
                let last_held = d.held.keys().next_back().copied();
                d.held.insert(n, (fp, item));
                let from = last_held.map_or(next, |l| l + 1);
                if n > from {
                    step.resend.push((key.to_owned(), from, n - 1));
                    if d.asked.is_none() {
                        d.asked = Some((now_ms, 1));
                    }
                }
                if d.held.len() > max_held {
                    d.give_up(key, &mut step);
                }
            }
            Some(next) => {
                if n.saturating_add(RESTART_BELOW) < next {
                    d.give_up(key, &mut step);
                }
                step.out_of_order = 1;
                d.remember(fp);
                step.release.push(item);
                d.next = Some(advance(d.next, n));
            }
        }
        step
    }

    /// Asks again for holes that waited too long, and gives up those asked often enough.
    pub fn tick(&mut self, now_ms: u64) -> Step {
        let mut step = Step::default();
        let HealerOptions { wait_ms, tries, .. } = self.options;
        for (key, d) in &mut self.decoders {
            let Some((at, asked)) = d.asked else {
                continue;
            };
            if now_ms.saturating_sub(at) < wait_ms {
                continue;
            }
            let (Some(next), Some(&last)) = (d.next, d.held.keys().next_back()) else {
                d.asked = None;
                continue;
            };
            if asked >= tries {
                d.give_up(key, &mut step);
            } else {
                step.resend
                    .push((key.clone(), next, last.saturating_sub(1).max(next)));
                d.asked = Some((now_ms, asked + 1));
            }
        }
        step
    }

    /// Releases everything still held (the link is closing for good).
    pub fn flush(&mut self) -> Step {
        let mut step = Step::default();
        for (key, d) in &mut self.decoders {
            d.give_up(key, &mut step);
        }
        step
    }

    /// Passings held back waiting for a resend, over all decoders.
    pub fn held(&self) -> usize {
        self.decoders.values().map(|d| d.held.len()).sum()
    }
}

#[cfg(test)]
#[path = "gaps_tests.rs"]
mod tests;
