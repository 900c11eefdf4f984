//! Typed RMonitor records (Orbits core set, IMSA Enhanced RMon, Race Monitor relay).
//!
//! Field names follow the protocol's record table. Strings stay strings (registration
//! numbers such as `"04"` and transponders such as `NE4` are not numbers); positions, laps
//! and class numbers are integers, `Option` where real feeds leave them empty. Fields past
//! the documented ones are kept in `extra` so a record re-encodes to the bytes it came from.
//!
//! # Layout
//! - [`Record`]: one decoded line, serialised as `{"type":"HEARTBEAT", ...}`.
//! - [`SESSION_END_RUN`]: the `$B` "session ended" run number.
//! - the pieces records are built of live in `parts`.

use serde::{Deserialize, Serialize};

use super::{Flag, LapKind, RawField, RmTime, Section, Separator, Text};

/// `$B` run number meaning "no active run": the session has ended.
pub const SESSION_END_RUN: u32 = 95;

/// One RMonitor line. Unknown commands are kept as [`Record::Unknown`], never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Record {
    /// `$F`: once a second; session clock and flag.
    Heartbeat {
        /// Laps remaining (9999 = not lap-limited); empty in some feeds.
        laps_to_go: Option<u32>,
        /// Time remaining (`00:00:00` = not time-limited).
        time_to_go: RmTime,
        /// Wall-clock time of day at the scoring PC.
        time_of_day: RmTime,
        /// Time since the first green flag.
        race_time: RmTime,
        /// Track flag.
        flag: Flag,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$A`: competitor entry.
    Competitor {
        /// Registration number, the key of every per-car record.
        reg_no: Text,
        /// Number shown on the car.
        number: Text,
        /// Transponder id, written bare (numeric or club hire units such as `NE4`).
        transponder: Text,
        /// First name (often the team name in practice).
        first_name: Text,
        /// Last name.
        last_name: Text,
        /// Nationality, often used for the make, model or team.
        nationality: Text,
        /// Class number (`$C`).
        class_no: Option<u32>,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$COMP`: competitor entry with the additional-data field.
    CompetitorExt {
        /// Registration number.
        reg_no: Text,
        /// Number shown on the car.
        number: Text,
        /// Class number (`$C`).
        class_no: Option<u32>,
        /// First name.
        first_name: Text,
        /// Last name.
        last_name: Text,
        /// Nationality (IMSA: car status, blank = running).
        nationality: Text,
        /// Additional data (sponsor, engine cc…).
        additional: Text,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$B`: current run (session); a change of number is a session boundary.
    Run {
        /// Run number; [`SESSION_END_RUN`] (95) means the session ended.
        run_no: u32,
        /// Session name.
        description: Text,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$C`: class definition.
    Class {
        /// Class number used by `$A`/`$COMP`.
        class_no: u32,
        /// Class name (may be empty).
        description: Text,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$E`: setting such as `TRACKNAME` or `TRACKLENGTH`.
    Setting {
        /// Setting name.
        key: Text,
        /// Setting value, as text.
        value: Text,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$G`: race position.
    RacePosition {
        /// Position, 1-based.
        position: u32,
        /// Registration number.
        reg_no: Text,
        /// Laps completed; empty before the first crossing after green, negative after
        /// lap penalties (seen in RedMist captures: `$G,58,"168",-2,…`).
        laps: Option<i32>,
        /// Total race time (may be the no-passing sentinel, see [`RmTime::is_no_passing`]).
        total_time: RmTime,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$H`: practice/qualifying position (best-lap ranking; also sent in races).
    PracticePosition {
        /// Position, 1-based.
        position: u32,
        /// Registration number.
        reg_no: Text,
        /// Lap on which the best time was set (0 = none yet).
        best_lap_no: Option<u32>,
        /// Best lap time (`00:00:00.000` = none yet).
        best_lap_time: RmTime,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$I`: initialise (clear the scoreboard); only a hint of a session change.
    Init {
        /// Time of day at the reset.
        time_of_day: RmTime,
        /// Date as written (`27 Jan 09`, `0/0/0000`).
        date: Text,
        /// Field separator the producer used.
        #[serde(default, skip_serializing_if = "Separator::is_comma")]
        separator: Separator,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$J`: passing at start/finish; never repeated, so losing one is permanent.
    Passing {
        /// Registration number.
        reg_no: Text,
        /// Lap time (may be zero on the first crossing).
        lap_time: RmTime,
        /// Total time.
        total_time: RmTime,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$COR`: correction of a total time (e.g. photocell); never repeated.
    Correction {
        /// Registration number.
        reg_no: Text,
        /// Number shown on the car.
        number: Text,
        /// Laps completed (signed, as in `$G`).
        laps: Option<i32>,
        /// Corrected total time.
        corrected_total: RmTime,
        /// Signed change applied (`-00:00:00.250`).
        delta: RmTime,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// IMSA `$L`: a car crossed a timeline; never repeated.
    LineCrossing {
        /// Car number (`"x"` + transponder when the transponder is not linked to a car).
        car: Text,
        /// Timeline number (`T1`…, pit lines `P1`…).
        timeline_no: Text,
        /// Timeline name (`SFT`, `SFP`, `POT`, `POP`, `PIT`, `PIP`).
        timeline_name: Text,
        /// Date as written (`MM/DD/YYYY`).
        date: Text,
        /// Time of day of the crossing.
        time: RmTime,
        /// Driver id (ERM v1.03; 0 = no id); absent or empty in older feeds.
        driver_id: Option<u32>,
        /// Class name (ERM v1.03); absent or empty in older feeds.
        class_name: Option<Text>,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// IMSA `$T`: track description with its timed sections.
    TrackInfo {
        /// Track name.
        name: Text,
        /// Short name.
        short_name: Text,
        /// Track length as written.
        distance: Text,
        /// Timed sections (their count is written before them).
        sections: Vec<Section>,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// `$SP` / `$SR` (undocumented Orbits): lap info, practice or race.
    LapInfo {
        /// `$SP` or `$SR`.
        kind: LapKind,
        /// Position, 1-based.
        position: u32,
        /// Registration number.
        reg_no: Text,
        /// Lap number.
        lap_no: Option<u32>,
        /// Lap time.
        lap_time: RmTime,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// Race Monitor `$RMS`: session type (`"race"`, `"qualifying"`).
    RaceMonitorSession {
        /// Session type.
        session_type: Text,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// Race Monitor `$RMLT`: wall-clock time of a car's last lap.
    RaceMonitorLapTime {
        /// Registration number (written bare).
        reg_no: Text,
        /// Unix time in milliseconds.
        epoch_ms: u64,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// Race Monitor `$RMHL`: lap history entry (all fields quoted).
    RaceMonitorLapHistory {
        /// Registration number.
        reg_no: Text,
        /// Lap number.
        lap: Option<u32>,
        /// Position after the lap.
        position: Option<u32>,
        /// Lap time.
        lap_time: RmTime,
        /// Flag during the lap.
        flag: Flag,
        /// Total time.
        total_time: RmTime,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// Race Monitor `$RMCA`: relay clock, Unix time in milliseconds (meaning inferred).
    RaceMonitorClock {
        /// Unix time in milliseconds.
        epoch_ms: u64,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// Race Monitor `$RMDTL` (meaning unknown; seen empty).
    RaceMonitorDetail {
        /// The field's text.
        text: Text,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// Race Monitor `$join`: the relay's connection greeting.
    RaceMonitorJoin {
        /// Number sent by the relay (meaning inferred: race or channel id).
        number: u32,
        /// Connection GUID (written bare).
        guid: Text,
        /// Fields after the documented ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<RawField>,
    },
    /// Any other `$` command, kept with its fields as written.
    Unknown {
        /// The command without `$` (ASCII letters, digits, `_`).
        command: Text,
        /// Every field after the command.
        fields: Vec<RawField>,
    },
}

impl Record {
    /// The command written after `$` for this record.
    pub fn command(&self) -> &str {
        match self {
            Record::Heartbeat { .. } => "F",
            Record::Competitor { .. } => "A",
            Record::CompetitorExt { .. } => "COMP",
            Record::Run { .. } => "B",
            Record::Class { .. } => "C",
            Record::Setting { .. } => "E",
            Record::RacePosition { .. } => "G",
            Record::PracticePosition { .. } => "H",
            Record::Init { .. } => "I",
            Record::Passing { .. } => "J",
            Record::Correction { .. } => "COR",
            Record::LineCrossing { .. } => "L",
            Record::TrackInfo { .. } => "T",
            Record::LapInfo {
                kind: LapKind::Practice,
                ..
            } => "SP",
            Record::LapInfo {
                kind: LapKind::Race,
                ..
            } => "SR",
            Record::RaceMonitorSession { .. } => "RMS",
            Record::RaceMonitorLapTime { .. } => "RMLT",
            Record::RaceMonitorLapHistory { .. } => "RMHL",
            Record::RaceMonitorClock { .. } => "RMCA",
            Record::RaceMonitorDetail { .. } => "RMDTL",
            Record::RaceMonitorJoin { .. } => "join",
            Record::Unknown { command, .. } => command,
        }
    }

    /// The fields kept as written: `extra` of a known record, every field of an unknown
    /// one. The encoder writes them after the typed fields.
    pub(crate) fn extra_fields(&self) -> &[RawField] {
        match self {
            Record::Heartbeat { extra, .. }
            | Record::Competitor { extra, .. }
            | Record::CompetitorExt { extra, .. }
            | Record::Run { extra, .. }
            | Record::Class { extra, .. }
            | Record::Setting { extra, .. }
            | Record::RacePosition { extra, .. }
            | Record::PracticePosition { extra, .. }
            | Record::Init { extra, .. }
            | Record::Passing { extra, .. }
            | Record::Correction { extra, .. }
            | Record::LineCrossing { extra, .. }
            | Record::TrackInfo { extra, .. }
            | Record::LapInfo { extra, .. }
            | Record::RaceMonitorSession { extra, .. }
            | Record::RaceMonitorLapTime { extra, .. }
            | Record::RaceMonitorLapHistory { extra, .. }
            | Record::RaceMonitorClock { extra, .. }
            | Record::RaceMonitorDetail { extra, .. }
            | Record::RaceMonitorJoin { extra, .. } => extra,
            Record::Unknown { fields, .. } => fields,
        }
    }

    /// Whether this is `$B,95`: Orbits' "no active run", sent when a session closes.
    pub fn is_session_end(&self) -> bool {
        matches!(
            self,
            Record::Run {
                run_no: SESSION_END_RUN,
                ..
            }
        )
    }
}
