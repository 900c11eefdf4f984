//! The classification of a session: exactly the JSON `checkered replay --out` writes and
//! the REST API serves, so a live run and a replay can be diffed byte for byte.
//!
//! # Layout
//! - [`Classification`] / [`ClassifiedCar`]: the shape.
//! - [`build`]: from a session and the entries.

use super::format::{format_gap, format_time, gap_between};
use crate::config::SessionKind;
use crate::entries::Entries;
use crate::event::CarStatus;
use crate::session::Session;
use serde::{Deserialize, Serialize};

/// One competitor's line in a classification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassifiedCar {
    /// Position (1-based).
    pub position: u32,
    /// Car/rider number.
    pub number: String,
    /// Driver/rider or team name.
    pub name: String,
    /// Class name.
    pub class: Option<String>,
    /// Laps (after adjustments and lap penalties).
    pub laps: i64,
    /// Total time including time penalties (`H:MM:SS.mmm`).
    pub total_time: Option<String>,
    /// Best lap time.
    pub best_lap: Option<String>,
    /// Gap to the winner (`+12.345`, `+1 lap`); empty for the winner.
    pub gap: Option<String>,
    /// Final status.
    pub status: CarStatus,
}

/// A session's classification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// Session name.
    pub session: String,
    /// Session kind.
    pub kind: SessionKind,
    /// Competitors in position order.
    pub results: Vec<ClassifiedCar>,
}

/// Builds the classification of a session as it stands.
pub fn build(s: &Session, entries: &Entries) -> Classification {
    let leader = s.slot_at(1).and_then(|slot| s.car(slot));
    let results = s
        .order
        .iter()
        .filter_map(|&slot| s.car(slot))
        .map(|car| {
            let entry = entries.get(car.entry);
            let gap = match leader {
                Some(l) if l.entry != car.entry => gap_between(s.kind, l, car, &s.lap_first_us),
                _ => None,
            };
            ClassifiedCar {
                position: car.position,
                number: entry.map(|e| e.number.to_string()).unwrap_or_default(),
                name: entry.map(|e| e.display_name()).unwrap_or_default(),
                class: entries.class_name(car.class_id).map(str::to_owned),
                laps: car.effective_laps(),
                total_time: car.effective_total().map(format_time),
                best_lap: car.best_lap.map(|b| format_time(b.time_us)),
                gap: format_gap(gap),
                status: car.shown_status(),
            }
        })
        .collect();
    Classification {
        session: s.name.clone(),
        kind: s.kind,
        results,
    }
}
