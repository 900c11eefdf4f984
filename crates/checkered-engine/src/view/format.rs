//! Time text and gap arithmetic shared by the views.
//!
//! # Layout
//! - [`format_time`], [`format_gap`]: text for result sheets.
//! - [`Gap`], [`gap_between`]: gaps in laps and time.

use crate::config::SessionKind;
use crate::session::CarState;
use serde::{Deserialize, Serialize};

/// Formats µs as `S.mmm`, `M:SS.mmm` or `H:MM:SS.mmm` (hours keep counting past 24).
pub fn format_time(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let ms = us.unsigned_abs() / 1000;
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 {
        format!("{sign}{h}:{m:02}:{s:02}.{frac:03}")
    } else if m > 0 {
        format!("{sign}{m}:{s:02}.{frac:03}")
    } else {
        format!("{sign}{s}.{frac:03}")
    }
}

/// A gap to a car ahead: whole laps when lapped, and the time at the line when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// Laps behind (0 = same lap).
    pub laps: u32,
    /// Time behind, µs, when known.
    pub time_us: Option<i64>,
}

/// `+1 lap`, `+3 laps` or `+12.345`; `None` when nothing is known.
pub fn format_gap(gap: Option<Gap>) -> Option<String> {
    let gap = gap?;
    match (gap.laps, gap.time_us) {
        (1, _) => Some("+1 lap".to_owned()),
        (n, _) if n > 1 => Some(format!("+{n} laps")),
        (_, Some(t)) => Some(format!("+{}", format_time(t))),
        _ => None,
    }
}

/// The gap from `ahead` to `car` for a session kind. `lap_first_us` gives, per lap count,
/// the earliest total time it was reached (for the time gap of lapped cars).
pub fn gap_between(
    kind: SessionKind,
    ahead: &CarState,
    car: &CarState,
    lap_first_us: &[i64],
) -> Option<Gap> {
    let diff = |a: Option<i64>, b: Option<i64>| Some(b?.saturating_sub(a?));
    match kind {
        SessionKind::Race => {
            let laps = ahead.effective_laps().saturating_sub(car.effective_laps());
            if laps <= 0 {
                let time_us = diff(ahead.effective_total(), car.effective_total());
                return time_us.map(|t| Gap {
                    laps: 0,
                    time_us: Some(t),
                });
            }
            let reached = (car.laps as usize)
                .checked_sub(1)
                .and_then(|i| lap_first_us.get(i))
                .copied();
            let time_us = diff(reached, car.total_us);
            Some(Gap {
                laps: u32::try_from(laps).unwrap_or(u32::MAX),
                time_us,
            })
        }
        SessionKind::Practice | SessionKind::Qualifying => {
            let best = |c: &CarState| c.best_lap.map(|l| l.time_us);
            diff(best(ahead), best(car)).map(|t| Gap {
                laps: 0,
                time_us: Some(t),
            })
        }
        SessionKind::Moto => {
            let fin = |c: &CarState| c.finished_us.and(c.total_us);
            diff(fin(ahead), fin(car)).map(|t| Gap {
                laps: 0,
                time_us: Some(t),
            })
        }
    }
}
