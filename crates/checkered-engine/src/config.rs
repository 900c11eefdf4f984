//! Track configuration: which timing loops exist and what they mean, and the per-track
//! thresholds the scoring rules use.
//!
//! # Layout
//! - [`TrackConfig`]: the whole configuration of one track (serde, with defaults).
//! - [`TimingLoop`] / [`LoopRole`]: one timing line and its meaning.
//! - [`SessionKind`]: how a session is ranked.

use serde::{Deserialize, Serialize};

/// How a session is ranked; chosen by config, by the feed's run name, or by race control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// Ranked by best lap; ties go to whoever set the time first.
    Practice,
    /// Ranked like practice (best lap, first to set it wins ties).
    Qualifying,
    /// Ranked by laps (descending), then by crossing time at the line.
    Race,
    /// BMX moto: ranked by finish order after the gate drop.
    Moto,
}

impl SessionKind {
    /// Guesses the kind from a run name, the way results feeds name their runs
    /// ("Qual 1", "Feature", "Warm-up"); races are the default because a wrong guess there is
    /// the least surprising on a board.
    pub fn from_run_name(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        if has(&["qual"]) {
            Self::Qualifying
        } else if has(&["race", "heat", "final", "feature"]) {
            Self::Race
        } else if has(&["moto"]) {
            Self::Moto
        } else if has(&["practice", "warm", "test"]) {
            Self::Practice
        } else {
            Self::Race
        }
    }

    /// True for the kinds ranked by best lap.
    pub fn ranks_by_best_lap(self) -> bool {
        matches!(self, Self::Practice | Self::Qualifying)
    }
}

/// What a timing loop means to the scoring rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum LoopRole {
    /// The line that counts laps (and the BMX finish line).
    StartFinish,
    /// The line that ends sector `index` (1-based); the last sector ends at start/finish.
    Sector {
        /// 1-based sector number this line closes.
        index: u8,
    },
    /// End of a speed trap whose start is the loop `from`, `distance_mm` before it.
    SpeedTrap {
        /// Id of the loop where the trap starts.
        from: String,
        /// Distance between the two loops in millimetres.
        distance_mm: u32,
    },
    /// Pit-lane entry: the car is in the pit from here.
    PitIn,
    /// Pit-lane exit: the car is back on track.
    PitOut,
    /// A lap line in the pit lane: counts the lap and puts the car in the pit.
    PitLane,
    /// The BMX start gate loop where gate beacons are read.
    Gate,
}

/// One timing line (a loop wired to a decoder) of the track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimingLoop {
    /// Id used by passings (`Passing::line`) and by feed line crossings (`$L` timeline).
    pub id: String,
    /// What crossing it means.
    #[serde(flatten)]
    pub role: LoopRole,
    /// The P3 decoder id wired to this loop, so raw decoder passings find their line.
    #[serde(default)]
    pub decoder_id: Option<u32>,
}

/// Everything the engine needs to know about one track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackConfig {
    /// The track's slug id; copied into standings so views are self-describing.
    pub track_id: String,
    /// Timing loops. Empty means a single start/finish loop whatever the line id says.
    #[serde(default)]
    pub loops: Vec<TimingLoop>,
    /// Two reads of one transponder closer than this are one crossing (duplicate reads).
    #[serde(default = "default_min_lap_time_us")]
    pub min_lap_time_us: i64,
    /// A lap longer than this percentage of the car's median lap is flagged as a probable
    /// missed passing (180 = 1.8 times).
    #[serde(default = "default_suspicious_lap_percent")]
    pub suspicious_lap_percent: u32,
    /// Kind of sessions opened without a run name or a race-control choice.
    #[serde(default = "default_session_kind")]
    pub default_session_kind: SessionKind,
    /// When set, every session opened is of this kind whatever the feed's run name or type
    /// says (race control can still change it mid-session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced_session_kind: Option<SessionKind>,
    /// P3 transponders that are BMX gate-drop beacons (9991 5 m hill, 9992 8 m, 9995).
    #[serde(default = "default_gate_beacons")]
    pub gate_beacons: Vec<String>,
    /// Input silence longer than this closes the open session (a new day, a restarted
    /// scoring system that re-uses its run number).
    #[serde(default = "default_idle_gap_us")]
    pub idle_session_gap_us: i64,
}

fn default_min_lap_time_us() -> i64 {
    10_000_000
}
fn default_suspicious_lap_percent() -> u32 {
    180
}
fn default_session_kind() -> SessionKind {
    SessionKind::Race
}
fn default_gate_beacons() -> Vec<String> {
    ["9991", "9992", "9995"].map(String::from).to_vec()
}
fn default_idle_gap_us() -> i64 {
    4 * 3_600_000_000
}

impl TrackConfig {
    /// A single-loop track with every threshold at its default.
    pub fn new(track_id: impl Into<String>) -> Self {
        Self {
            track_id: track_id.into(),
            loops: Vec::new(),
            min_lap_time_us: default_min_lap_time_us(),
            suspicious_lap_percent: default_suspicious_lap_percent(),
            default_session_kind: default_session_kind(),
            forced_session_kind: None,
            gate_beacons: default_gate_beacons(),
            idle_session_gap_us: default_idle_gap_us(),
        }
    }

    /// The loop a passing's line id names, with its index in `loops`.
    pub fn find_loop(&self, id: &str) -> Option<(usize, &TimingLoop)> {
        self.loops.iter().enumerate().find(|(_, l)| l.id == id)
    }

    /// The loop id wired to a P3 decoder, for adapters that only know the decoder id.
    pub fn line_for_decoder(&self, decoder_id: u32) -> Option<&str> {
        self.loops
            .iter()
            .find(|l| l.decoder_id == Some(decoder_id))
            .map(|l| l.id.as_str())
    }

    /// Highest configured sector index, so the final (start/finish) sector gets the next one.
    pub fn last_sector_index(&self) -> u8 {
        self.loops
            .iter()
            .filter_map(|l| match l.role {
                LoopRole::Sector { index } => Some(index),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// True when `transponder` is a configured gate-drop beacon.
    pub fn is_gate_beacon(&self, transponder: &str) -> bool {
        self.gate_beacons.iter().any(|b| b == transponder)
    }
}
