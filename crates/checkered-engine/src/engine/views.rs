//! The engine's read side: standings, classifications and the session list.
//!
//! # Layout
//! - `TrackEngine::{standings, standings_for, classification, sessions}`.
//! - [`SessionSummary`]: one line of the session list.

use super::TrackEngine;
use crate::config::SessionKind;
use crate::view::classification::{self, Classification};
use crate::view::standings::{self, Standings};
use serde::{Deserialize, Serialize};

/// One session in the list of a track's sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Session id (use it with `classification`).
    pub id: u32,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: SessionKind,
    /// Feed run number.
    pub run: Option<u32>,
    /// False once closed (its classification is then final or amended).
    pub open: bool,
    /// Competitors taking part.
    pub competitors: usize,
    /// Last classification version emitted (0 = none yet).
    pub classification_version: u32,
}

impl TrackEngine {
    /// The live board: the open session, else the last closed one, else an empty board.
    pub fn standings(&self) -> Standings {
        let last = self.st.current.as_ref().or(self.st.closed.last());
        match last {
            Some(s) => self.build_standings(s),
            None => Standings {
                track_id: self.st.config.track_id.clone(),
                seq: self.st.seq,
                now_us: self.st.now_us,
                session: None,
                competitors: Vec::new(),
            },
        }
    }

    /// The board of a given session (closed ones stay available).
    pub fn standings_for(&self, session_id: u32) -> Option<Standings> {
        self.session(session_id).map(|s| self.build_standings(s))
    }

    fn build_standings(&self, s: &crate::session::Session) -> Standings {
        standings::build(
            &self.st.config.track_id,
            self.st.seq,
            self.st.now_us,
            s,
            &self.st.entries,
        )
    }

    /// The classification of a session as it stands now.
    pub fn classification(&self, session_id: u32) -> Option<Classification> {
        self.session(session_id)
            .map(|s| classification::build(s, &self.st.entries))
    }

    /// Every session of the track, in id order.
    pub fn sessions(&self) -> Vec<SessionSummary> {
        self.all_sessions()
            .map(|s| SessionSummary {
                id: s.id,
                name: s.name.clone(),
                kind: s.kind,
                run: s.run,
                open: s.open,
                competitors: s.cars.len(),
                classification_version: s.classification_version,
            })
            .collect()
    }
}
