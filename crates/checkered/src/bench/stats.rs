//! Delay samples and their percentiles.
//!
//! Samples are whole microseconds in a `Vec<u32>` (4 bytes each: ten million deliveries
//! are 40 MB), sorted once at the end. Percentiles use the nearest-rank method, so every
//! figure is a delay that was actually observed.

use serde::Serialize;

/// Percentiles of a set of delays, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

/// Delays in microseconds, collected from many tasks.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    us: Vec<u32>,
}

impl Samples {
    /// Records one delay (negative delays, from clock steps, count as zero).
    pub fn push_us(&mut self, us: i64) {
        self.us.push(u32::try_from(us.max(0)).unwrap_or(u32::MAX));
    }

    /// Records a delay measured as a `Duration`.
    pub fn push(&mut self, d: std::time::Duration) {
        self.push_us(i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    }

    /// Takes over another set's samples.
    pub fn merge(&mut self, other: Samples) {
        if self.us.is_empty() {
            self.us = other.us;
        } else {
            self.us.extend(other.us);
        }
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.us.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.us.is_empty()
    }

    /// The percentiles (all zero without samples).
    pub fn percentiles(&mut self) -> Percentiles {
        self.us.sort_unstable();
        Percentiles {
            p50_ms: self.rank(0.50),
            p95_ms: self.rank(0.95),
            p99_ms: self.rank(0.99),
            max_ms: self.us.last().map_or(0.0, |&v| ms(v)),
        }
    }

    /// Nearest rank: the smallest sample with at least `q` of all samples at or below it.
    fn rank(&self, q: f64) -> f64 {
        if self.us.is_empty() {
            return 0.0;
        }
        let n = self.us.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        ms(self.us[rank - 1])
    }
}

fn ms(us: u32) -> f64 {
    (f64::from(us) / 1000.0 * 1000.0).round() / 1000.0
}

/// Rounds a figure to `digits` decimals for the JSON report.
pub fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_are_observed_values() {
        let mut s = Samples::default();
        for us in (1..=100).rev() {
            s.push_us(us * 1000);
        }
        let p = s.percentiles();
        assert_eq!(
            (p.p50_ms, p.p95_ms, p.p99_ms, p.max_ms),
            (50.0, 95.0, 99.0, 100.0)
        );
    }

    #[test]
    fn empty_and_negative_samples() {
        assert_eq!(Samples::default().percentiles(), Percentiles::default());
        let mut s = Samples::default();
        s.push_us(-5);
        s.push_us(1_500);
        let p = s.percentiles();
        assert_eq!((p.p50_ms, p.max_ms), (0.0, 1.5));
    }
}
