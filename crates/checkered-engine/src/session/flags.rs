//! Flag history: each flag period with its duration and the laps run under it.
//!
//! # Layout
//! - [`FlagPeriod`]: one period.
//! - `Session::set_flag`: closes the running period and opens the next.

use super::Session;
use crate::input::Flag;
use serde::{Deserialize, Serialize};

/// One period under one flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagPeriod {
    /// The flag.
    pub flag: Flag,
    /// Start (input clock, µs).
    pub from_us: i64,
    /// End, `None` while running.
    pub to_us: Option<i64>,
    /// Leader's laps at the start.
    pub from_lap: u32,
    /// Leader's laps at the end.
    pub to_lap: Option<u32>,
}

impl FlagPeriod {
    /// Duration up to `now_us` for a running period.
    pub fn duration_us(&self, now_us: i64) -> i64 {
        self.to_us
            .unwrap_or(now_us)
            .saturating_sub(self.from_us)
            .max(0)
    }

    /// Laps the leader completed under this flag.
    pub fn laps(&self, leader_laps: u32) -> u32 {
        self.to_lap
            .unwrap_or(leader_laps)
            .saturating_sub(self.from_lap)
    }
}

impl Session {
    /// Changes the flag; returns the previous one when it actually changed.
    pub fn set_flag(&mut self, flag: Flag, at_us: i64) -> Option<Flag> {
        if flag == self.flag && (!self.flags.is_empty() || flag == Flag::None) {
            return None;
        }
        self.close_flags(at_us);
        let lap = self.leader_laps();
        let from = self.flag;
        self.flag = flag;
        self.flags.push(FlagPeriod {
            flag,
            from_us: at_us,
            to_us: None,
            from_lap: lap,
            to_lap: None,
        });
        if flag == Flag::Checkered && self.checkered_us.is_none() {
            self.checkered_us = Some(at_us);
        }
        Some(from)
    }

    /// Closes the running flag period at the end of the session.
    pub fn close_flags(&mut self, at_us: i64) {
        let lap = self.leader_laps();
        if let Some(last) = self.flags.last_mut()
            && last.to_us.is_none()
        {
            last.to_us = Some(at_us.max(last.from_us));
            last.to_lap = Some(lap.max(last.from_lap));
        }
    }
}
