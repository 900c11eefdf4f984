//! Results-feed records, normalised so RMonitor and Multiloop (and later feeds) drive the
//! same session state.
//!
//! # Layout
//! - [`FeedRecord`]: one record, named after what it means rather than its wire letter.
//! - [`Flag`]: track flag, with parsers for the RMonitor and Multiloop spellings.

use crate::config::SessionKind;
use serde::{Deserialize, Serialize};

/// Track status as the board shows it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// No flag: before the start or after the session.
    #[default]
    None,
    /// Racing.
    Green,
    /// Caution.
    Yellow,
    /// Full-course yellow / code 60 / purple.
    FullCourseYellow,
    /// Session stopped.
    Red,
    /// Last lap.
    White,
    /// Chequered flag: the session is over for each car at its next crossing.
    Checkered,
}

impl Flag {
    /// Parses the RMonitor `$F` flag text (fixed 6 characters, padded); `None` when unknown
    /// so an unknown word never changes the flag.
    pub fn from_rmonitor(text: &str) -> Option<Self> {
        let word = text.trim().to_ascii_lowercase();
        Some(match word.as_str() {
            "" => Self::None,
            "green" => Self::Green,
            "yellow" => Self::Yellow,
            "red" => Self::Red,
            "white" => Self::White,
            "finish" | "checkered" | "chequered" => Self::Checkered,
            "purple" | "purple60" | "code60" | "fcy" => Self::FullCourseYellow,
            _ => return None,
        })
    }

    /// Parses the Multiloop track-status letter (G, Y, R, W, K = checkered, U/C = none).
    pub fn from_multiloop(letter: &str) -> Option<Self> {
        Some(match letter.trim() {
            "G" => Self::Green,
            "Y" => Self::Yellow,
            "R" => Self::Red,
            "W" => Self::White,
            "K" => Self::Checkered,
            "U" | "C" | "" => Self::None,
            _ => return None,
        })
    }
}

/// One results-feed record. Positions the feed computed (`position`) are carried only so a
/// checker can compare them with the engine's; the engine never ranks by them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FeedRecord {
    /// A competitor (`$A`/`$COMP`, Multiloop `$E`), keyed by the feed's registration number.
    Entry {
        /// The feed's unique key for the competitor.
        reg_no: String,
        /// Car/rider number shown on the board.
        number: String,
        /// Transponder, when the feed gives one.
        #[serde(default)]
        transponder: Option<String>,
        /// First name (often the team name in club feeds).
        #[serde(default)]
        first_name: String,
        /// Last name.
        #[serde(default)]
        last_name: String,
        /// Nationality field, used by clubs for team or car.
        #[serde(default)]
        team: String,
        /// Class id (see [`FeedRecord::Class`]).
        #[serde(default)]
        class_id: Option<u32>,
        /// Grid/start position, when the feed gives one (Multiloop `$E`).
        #[serde(default)]
        grid: Option<u32>,
    },
    /// A class name (`$C`).
    Class {
        /// Class id referenced by entries.
        id: u32,
        /// Class name.
        name: String,
    },
    /// The current run (`$B`, Multiloop `$R`); number 95 means no run / session ended.
    Run {
        /// Run number; a change closes the session.
        number: u32,
        /// Run name, also used to guess the session kind.
        name: String,
        /// Kind stated by the feed itself (Multiloop run type), preferred over the name.
        #[serde(default)]
        kind: Option<SessionKind>,
    },
    /// Once-a-second status (`$F`, Multiloop `$H`).
    Heartbeat {
        /// Track flag, `None` when the feed's text was not understood.
        #[serde(default)]
        flag: Option<Flag>,
        /// Laps to go (9999 = not lap-limited).
        #[serde(default)]
        laps_to_go: Option<u32>,
        /// Time to go in ms.
        #[serde(default)]
        time_to_go_ms: Option<i64>,
        /// Race time since the green in ms.
        #[serde(default)]
        race_time_ms: Option<i64>,
        /// Time of day in ms since midnight.
        #[serde(default)]
        time_of_day_ms: Option<i64>,
    },
    /// Race position refresh (`$G`): laps and total time; `position` is for checking only.
    RacePosition {
        /// Competitor key.
        reg_no: String,
        /// The feed's own position (never used for ranking).
        #[serde(default)]
        position: Option<u32>,
        /// Laps completed; empty before the first crossing; may be negative after penalties.
        #[serde(default)]
        laps: Option<i64>,
        /// Total time at the last crossing, ms.
        #[serde(default)]
        total_time_ms: Option<i64>,
    },
    /// Practice/qualifying refresh (`$H`): best lap; `position` is for checking only.
    PracticePosition {
        /// Competitor key.
        reg_no: String,
        /// The feed's own position (never used for ranking).
        #[serde(default)]
        position: Option<u32>,
        /// Lap on which the best lap was set.
        #[serde(default)]
        best_lap_no: Option<u32>,
        /// Best lap time in ms (0 = none yet).
        #[serde(default)]
        best_lap_ms: Option<i64>,
    },
    /// A start/finish crossing (`$J`): lap time and total time; never repeated by feeds.
    Passing {
        /// Competitor key.
        reg_no: String,
        /// Lap time in ms (0 on the first crossing).
        #[serde(default)]
        lap_time_ms: Option<i64>,
        /// Total time in ms.
        #[serde(default)]
        total_time_ms: Option<i64>,
    },
    /// A timing correction (`$COR`).
    Correction {
        /// Competitor key.
        reg_no: String,
        /// Laps the corrected time applies to.
        #[serde(default)]
        laps: Option<i64>,
        /// The corrected total time in ms.
        #[serde(default)]
        corrected_total_ms: Option<i64>,
        /// The signed correction in ms.
        #[serde(default)]
        delta_ms: Option<i64>,
    },
    /// A crossing of any timeline (`$L` of IMSA ERM, Multiloop `$L`).
    LineCrossing {
        /// Car number (an unlinked transponder shows as `x<transponder>`).
        car: String,
        /// Timeline id (`T1`, `P1`, or the Multiloop line name).
        timeline: String,
        /// Timeline name (`SFT`, `SFP`, `PIT`, `PIP`, `POT`, `POP`, ...).
        #[serde(default)]
        name: String,
        /// Crossing time in ms (time of day or elapsed, as the feed gives it).
        #[serde(default)]
        time_ms: Option<i64>,
    },
    /// Scoreboard reset (`$I`): a hint only; lap history is kept.
    Reset,
}
