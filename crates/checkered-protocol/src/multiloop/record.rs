//! Typed Multiloop records, one struct per command.
//!
//! Numbers arrive in hexadecimal and are held as `u64`; times are milliseconds, dates are
//! Unix seconds. Every numeric field is an `Option`: Orbits leaves fields empty for values it
//! does not know yet, and an empty field must decode (and re-encode) without error. Car
//! numbers stay text (`0`, `00` and `01` are different cars). Fields after the last one the
//! protocol defines are kept in `extra`, in order.
//!
//! # Layout
//! - [`Record`]: the tagged union over every command, serialised with a `type` tag.
//! - One struct per command: [`Heartbeat`] (`$H`), [`Entry`] (`$E`), [`CompletedLap`]
//!   (`$C`), [`CompletedSection`] (`$S`), [`LineCrossing`] (`$L`), [`InvalidatedLap`]
//!   (`$I`), [`FlagInfo`] (`$F`), [`NewLeader`] (`$N`), [`RunInfo`] (`$R`), [`TrackInfo`] and
//!   [`TrackSection`] (`$T`), [`Announcement`] (`$A`), [`Version`] (`$V`).

use super::status::{CrossingSource, CrossingStatus, LapStatus, RunType, TrackStatus};
use serde::{Deserialize, Serialize};

/// One decoded Multiloop record. USAC extensions (`$USAC:...`) and any other command this
/// crate does not model are kept as [`Record::Unknown`], never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Record {
    /// `$H`, level 1: once a second.
    Heartbeat(Heartbeat),
    /// `$E`, level 4: a competitor's entry.
    Entry(Entry),
    /// `$C`, levels 2 and 3: a competitor's results after a lap.
    CompletedLap(CompletedLap),
    /// `$S`, level 2: a competitor finished a track section.
    CompletedSection(CompletedSection),
    /// `$L`, level 2: a competitor crossed a timing line.
    LineCrossing(LineCrossing),
    /// `$I`, level 2: a lap was struck out.
    InvalidatedLap(InvalidatedLap),
    /// `$F`, level 2: flag statistics.
    FlagInfo(FlagInfo),
    /// `$N`, level 2: the lead changed.
    NewLeader(NewLeader),
    /// `$R`, level 4: the current run (session).
    RunInfo(RunInfo),
    /// `$T`, level 4: the track and its sections.
    TrackInfo(TrackInfo),
    /// `$A`, level 4: a race-control announcement.
    Announcement(Announcement),
    /// `$V`, level 4: the feed's protocol version.
    Version(Version),
    /// Any other command, fields kept as text.
    Unknown(Unknown),
}

/// `$H`: session clock and flag, sent every second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// Current flag.
    pub track_status: TrackStatus,
    /// Wall-clock time of the scoring PC, Unix seconds.
    pub time_unix_s: Option<u64>,
    /// Session time elapsed.
    pub elapsed_ms: Option<u64>,
    /// Laps remaining (hexadecimal on the wire: `91` is 145).
    pub laps_to_go: Option<u64>,
    /// Session time remaining.
    pub time_to_go_ms: Option<u64>,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$E`: who drives which car.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Car number as displayed.
    pub number: String,
    /// Orbits' identifier of the entry, the key other records use.
    pub unique_id: Option<u64>,
    /// Driver name.
    pub driver_name: String,
    /// Grid position.
    pub start_position: Option<u64>,
    /// User-defined fields (class, car, home town, ...); their count is sent before them.
    pub fields: Vec<String>,
    /// Orbits' competitor identifier.
    pub competitor_id: Option<u64>,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$C`: a competitor's standing after completing a lap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedLap {
    /// Position in the run.
    pub rank: Option<u64>,
    /// Car number.
    pub number: String,
    /// Entry identifier (see [`Entry::unique_id`]).
    pub unique_id: Option<u64>,
    /// Laps completed.
    pub completed_laps: Option<u64>,
    /// Session time at the end of the lap.
    pub elapsed_ms: Option<u64>,
    /// Time of the lap just completed.
    pub last_lap_ms: Option<u64>,
    /// How the lap was completed.
    pub lap_status: LapStatus,
    /// Best lap time.
    pub fastest_lap_ms: Option<u64>,
    /// Lap number of the best lap.
    pub fastest_lap: Option<u64>,
    /// Gap to the leader.
    pub behind_leader_ms: Option<u64>,
    /// Laps down on the leader.
    pub laps_behind_leader: Option<u64>,
    /// Gap to the car ahead.
    pub behind_preceding_ms: Option<u64>,
    /// Laps down on the car ahead.
    pub laps_behind_preceding: Option<u64>,
    /// Position across all classes.
    pub overall_rank: Option<u64>,
    /// Best lap time across all classes.
    pub overall_best_lap_ms: Option<u64>,
    /// Free-text competitor status (`Unknown`, `Running`, ...).
    pub current_status: String,
    /// Flag at the time of the lap.
    pub track_status: TrackStatus,
    /// Number of pit stops.
    pub pit_stops: Option<u64>,
    /// Lap of the last pit stop.
    pub last_lap_pitted: Option<u64>,
    /// Grid position.
    pub start_position: Option<u64>,
    /// Laps led.
    pub laps_led: Option<u64>,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$S`: a competitor completed a track section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedSection {
    /// Car number.
    pub number: String,
    /// Entry identifier.
    pub unique_id: Option<u64>,
    /// Section name from `$T` (`S1`, `PIT`, ...).
    pub section: String,
    /// Session time at the end of the section.
    pub elapsed_ms: Option<u64>,
    /// Time spent in the section.
    pub section_ms: Option<u64>,
    /// Lap the section belongs to.
    pub last_lap: Option<u64>,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$L`: a competitor crossed a timing line (loop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCrossing {
    /// Car number.
    pub number: String,
    /// Entry identifier.
    pub unique_id: Option<u64>,
    /// Timing line name (`SF`, `SFPIT`, `PIN`, `IM1`, ...).
    pub timeline: String,
    /// Device that saw the crossing.
    pub source: CrossingSource,
    /// Session time of the crossing.
    pub elapsed_ms: Option<u64>,
    /// Flag at the time of the crossing.
    pub track_status: TrackStatus,
    /// Track or pit lane.
    pub crossing_status: CrossingStatus,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$I`: a lap was invalidated. The car number may be unknown (`??`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidatedLap {
    /// Car number, as sent (may be `??`).
    pub number: String,
    /// Entry identifier.
    pub unique_id: Option<u64>,
    /// Session time of the invalidated lap.
    pub elapsed_ms: Option<u64>,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$F`: flag statistics for the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagInfo {
    /// Current flag.
    pub track_status: TrackStatus,
    /// Leader's lap.
    pub lap: Option<u64>,
    /// Time under green.
    pub green_ms: Option<u64>,
    /// Laps under green.
    pub green_laps: Option<u64>,
    /// Time under yellow.
    pub yellow_ms: Option<u64>,
    /// Laps under yellow.
    pub yellow_laps: Option<u64>,
    /// Time under red.
    pub red_ms: Option<u64>,
    /// Number of yellow periods.
    pub yellow_count: Option<u64>,
    /// Car number of the leader.
    pub leader: String,
    /// Number of lead changes.
    pub lead_changes: Option<u64>,
    /// Average race speed in mph, decimal text as sent (`81.63`).
    pub average_speed_mph: String,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$N`: a new leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLeader {
    /// Car number of the new leader.
    pub number: String,
    /// Entry identifier.
    pub unique_id: Option<u64>,
    /// Lap on which the lead changed.
    pub lap: Option<u64>,
    /// Session time of the change.
    pub elapsed_ms: Option<u64>,
    /// Running count of lead changes.
    pub lead_change_index: Option<u64>,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$R`: the run (session) being timed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Event name.
    pub event_name: String,
    /// Short event name (often empty).
    pub event_short_name: String,
    /// Run name.
    pub run_name: String,
    /// Session type.
    pub run_type: RunType,
    /// Scheduled or actual start, Unix seconds.
    pub start_time_unix_s: Option<u64>,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$T`: the track layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackInfo {
    /// Track name.
    pub name: String,
    /// Venue short name.
    pub venue: String,
    /// Lap length in miles, decimal text as sent (`3.4`).
    pub length_mi: String,
    /// Sections; their count is sent before them.
    pub sections: Vec<TrackSection>,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// One section of a `$T` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackSection {
    /// Section name (`S1`, `Spd`, ...).
    pub name: String,
    /// Length in inches, text as sent (its radix is not documented).
    pub length_in: String,
    /// Timing line where the section starts.
    pub start_line: String,
    /// Timing line where the section ends.
    pub end_line: String,
}

/// `$A`: an announcement from race control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// Message number, the key for later updates.
    pub message_number: Option<u64>,
    /// Action code as sent (e.g. `A`).
    pub action: String,
    /// Priority code as sent (e.g. `U`).
    pub priority: String,
    /// Time of the announcement, Unix seconds.
    pub timestamp_unix_s: Option<u64>,
    /// Message text.
    pub text: String,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `$V`: protocol version of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// Major version.
    pub major: Option<u64>,
    /// Minor version.
    pub minor: Option<u64>,
    /// Free text.
    pub info: String,
    /// Fields after the defined ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// A record whose command is not modelled (USAC extensions and the like).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    /// Command text after the start-of-record character (`USAC:DRIVERID`).
    pub command: String,
    /// Every field after the header, as text.
    pub fields: Vec<String>,
}

impl Record {
    /// The command text this record is sent under (`H`, `C`, `USAC:TZ`, ...).
    pub fn command(&self) -> &str {
        match self {
            Record::Heartbeat(_) => "H",
            Record::Entry(_) => "E",
            Record::CompletedLap(_) => "C",
            Record::CompletedSection(_) => "S",
            Record::LineCrossing(_) => "L",
            Record::InvalidatedLap(_) => "I",
            Record::FlagInfo(_) => "F",
            Record::NewLeader(_) => "N",
            Record::RunInfo(_) => "R",
            Record::TrackInfo(_) => "T",
            Record::Announcement(_) => "A",
            Record::Version(_) => "V",
            Record::Unknown(u) => &u.command,
        }
    }
}
