//! `--check-feed`: how often the engine's order agrees with the order the feed states.
//!
//! After every batch (a RedMist block, a feed line), each car the feed just ranked — a race
//! refresh (`$G`, Multiloop completed lap) in a race, a best-lap refresh (`$H`) in practice
//! or qualifying — is looked up in the engine's open session (else the last one) and its
//! position there compared with the feed's. The feed's positions are read here and nowhere
//! else: the engine never sees them.
//!
//! Two kinds of statement are not comparisons of scoring and are left out (counted as
//! `unsettled`):
//! - cars the feed lists before they have a result (no lap yet, no best lap yet): only the
//!   grid orders them;
//! - statements made while the feed's own board is incomplete or contradictory above the
//!   car. The checker keeps the feed's board (the last position it stated for every car in
//!   this session); a statement "car X is P" is compared only when positions 1..P of that
//!   board each hold exactly one car. Orbits re-states displaced cars one line at a time,
//!   so for a moment two cars claim one position (the next block corrects it); and a
//!   capture joined mid-race only learns where each car is when it next crosses the line.
//!
//! # Layout
//! - [`FeedCheck`]: the running tally, fed with [`FeedCheck::after_batch`].
//! - [`CheckReport`]: the last line `checkered replay --check-feed` prints.
//! - [`Disagreement`]: one mismatch, kept (a bounded number) for diagnosis.

use checkered_engine::{FeedRecord, SessionKind, TrackEngine};
use serde::Serialize;
use std::collections::BTreeMap;

/// Mismatches kept for the report (the count is exact; the list is a sample).
const KEEP_DISAGREEMENTS: usize = 50;

/// The summary line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Positions compared.
    pub checked: u64,
    /// Positions where the engine agreed with the feed.
    pub agreed: u64,
    /// `agreed / checked` (1 when nothing was checked).
    pub agreement: f64,
    /// Sessions in which at least one position was compared.
    pub sessions: usize,
}

/// One position where the engine and the feed disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// Byte offset of the batch in the capture.
    pub offset: u64,
    /// Engine session id.
    pub session: u32,
    /// The feed's key of the car.
    pub reg_no: String,
    /// Position the feed stated.
    pub feed: u32,
    /// Position the engine has (`None`: the car is not in the engine's session).
    pub engine: Option<u32>,
}

/// Per-session tally: (checked, agreed).
type Tally = (u64, u64);

/// The feed's own board for one engine session: the last position stated per car.
#[derive(Debug, Default)]
struct FeedBoard {
    session: u32,
    race: BTreeMap<String, u32>,
    best_lap: BTreeMap<String, u32>,
}

impl FeedBoard {
    /// Records every position a batch states (whatever the session kind), so the board is
    /// whole when a statement is checked.
    fn note(&mut self, record: &FeedRecord) {
        match record {
            FeedRecord::RacePosition {
                reg_no,
                position: Some(p),
                ..
            } => {
                self.race.insert(reg_no.clone(), *p);
            }
            FeedRecord::PracticePosition {
                reg_no,
                position: Some(p),
                ..
            } => {
                self.best_lap.insert(reg_no.clone(), *p);
            }
            _ => {}
        }
    }

    /// Whether positions 1..=`position` of a board each hold exactly one car.
    fn settled(board: &BTreeMap<String, u32>, position: u32) -> bool {
        let Ok(n) = usize::try_from(position) else {
            return false;
        };
        let mut seen = vec![0u8; n];
        for &p in board.values() {
            if let Some(c) = p.checked_sub(1).and_then(|i| seen.get_mut(i as usize)) {
                *c = c.saturating_add(1);
            }
        }
        seen.iter().all(|&c| c == 1)
    }
}

/// The running comparison.
#[derive(Debug, Default)]
pub struct FeedCheck {
    per_session: BTreeMap<u32, Tally>,
    disagreements: Vec<Disagreement>,
    board: FeedBoard,
    unsettled: u64,
}

impl FeedCheck {
    /// Compares the positions the feed stated in a batch (its feed records) with the
    /// engine's, after the engine applied the whole batch.
    pub fn after_batch<'a>(
        &mut self,
        engine: &TrackEngine,
        offset: u64,
        records: impl IntoIterator<Item = &'a FeedRecord> + Clone,
    ) {
        let Some(session) = engine
            .current_session()
            .or_else(|| engine.all_sessions().last())
        else {
            return;
        };
        if self.board.session != session.id {
            self.board = FeedBoard {
                session: session.id,
                ..FeedBoard::default()
            };
        }
        for record in records.clone() {
            self.board.note(record);
        }
        for record in records {
            let Some((reg_no, position, settled)) = self.statement(session.kind, record) else {
                continue;
            };
            if !settled {
                self.unsettled += 1;
                continue;
            }
            let engine_position = engine
                .entries()
                .by_reg(reg_no)
                .and_then(|entry| session.slot_of(entry))
                .and_then(|slot| session.car(slot))
                .map(|car| car.position);
            self.tally(session.id, offset, reg_no, position, engine_position);
        }
    }

    fn tally(&mut self, session: u32, offset: u64, reg_no: &str, feed: u32, engine: Option<u32>) {
        let tally = self.per_session.entry(session).or_default();
        tally.0 += 1;
        if engine == Some(feed) {
            tally.1 += 1;
        } else if self.disagreements.len() < KEEP_DISAGREEMENTS {
            self.disagreements.push(Disagreement {
                offset,
                session,
                reg_no: reg_no.to_owned(),
                feed,
                engine,
            });
        }
    }

    /// The car and position a record ranks when it is a ranking of the session's own kind,
    /// and whether it is settled; `None` for records that rank nothing to compare.
    fn statement<'a>(
        &self,
        kind: SessionKind,
        record: &'a FeedRecord,
    ) -> Option<(&'a str, u32, bool)> {
        match record {
            FeedRecord::RacePosition {
                reg_no,
                position: Some(p),
                laps,
                ..
            } if kind == SessionKind::Race => {
                let has_result = laps.is_some_and(|l| l >= 1);
                Some((
                    reg_no,
                    *p,
                    has_result && FeedBoard::settled(&self.board.race, *p),
                ))
            }
            FeedRecord::PracticePosition {
                reg_no,
                position: Some(p),
                best_lap_ms,
                ..
            } if kind.ranks_by_best_lap() => {
                let has_result = best_lap_ms.is_some_and(|b| b > 0);
                let settled = FeedBoard::settled(&self.board.best_lap, *p);
                Some((reg_no, *p, has_result && settled))
            }
            _ => None,
        }
    }

    /// Checked and agreed counts per engine session id.
    pub fn per_session(&self) -> &BTreeMap<u32, Tally> {
        &self.per_session
    }

    /// The first mismatches (at most 50).
    pub fn disagreements(&self) -> &[Disagreement] {
        &self.disagreements
    }

    /// Statements left out: cars without a result yet, or the feed's board unsettled.
    pub fn unsettled(&self) -> u64 {
        self.unsettled
    }

    /// The summary.
    pub fn report(&self) -> CheckReport {
        let checked: u64 = self.per_session.values().map(|t| t.0).sum();
        let agreed: u64 = self.per_session.values().map(|t| t.1).sum();
        CheckReport {
            checked,
            agreed,
            agreement: if checked == 0 {
                1.0
            } else {
                agreed as f64 / checked as f64
            },
            sessions: self.per_session.len(),
        }
    }
}
