//! Orbits/MyLaps Multiloop records to [`FeedRecord`]s.
//!
//! Multiloop identifies a run by names only, so the run number the engine keys sessions on
//! is derived from the event and run names (stable, and different for a different run).
//! Completed laps carry laps and elapsed time like an RMonitor `$G`; the feed's rank is
//! carried only for checking.

use crate::config::SessionKind;
use crate::input::{FeedRecord, Flag};
use checkered_protocol::multiloop::{Message, Record, RunType};

/// The feed record for a Multiloop message, if it matters to scoring.
pub fn feed_record(message: &Message) -> Option<FeedRecord> {
    Some(match &message.record {
        Record::Heartbeat(h) => FeedRecord::Heartbeat {
            flag: Flag::from_multiloop(h.track_status.code()),
            laps_to_go: h.laps_to_go.and_then(|l| u32::try_from(l).ok()),
            time_to_go_ms: h.time_to_go_ms.and_then(|t| i64::try_from(t).ok()),
            race_time_ms: h.elapsed_ms.and_then(|t| i64::try_from(t).ok()),
            time_of_day_ms: None,
        },
        Record::Entry(e) => FeedRecord::Entry {
            reg_no: reg_no(&e.number, e.unique_id),
            number: e.number.clone(),
            transponder: None,
            first_name: e.driver_name.clone(),
            last_name: String::new(),
            team: e.fields.first().cloned().unwrap_or_default(),
            class_id: None,
            grid: e.start_position.and_then(|g| u32::try_from(g).ok()),
        },
        Record::CompletedLap(lap) => FeedRecord::RacePosition {
            reg_no: reg_no(&lap.number, lap.unique_id),
            position: lap.rank.and_then(|r| u32::try_from(r).ok()),
            laps: lap.completed_laps.and_then(|l| i64::try_from(l).ok()),
            total_time_ms: lap.elapsed_ms.and_then(|t| i64::try_from(t).ok()),
        },
        Record::LineCrossing(c) => FeedRecord::LineCrossing {
            car: c.number.clone(),
            timeline: c.timeline.clone(),
            name: c.timeline.clone(),
            time_ms: c.elapsed_ms.and_then(|t| i64::try_from(t).ok()),
        },
        Record::RunInfo(run) => FeedRecord::Run {
            number: run_number(&run.event_name, &run.run_name),
            name: run.run_name.clone(),
            kind: match run.run_type {
                RunType::Practice => Some(SessionKind::Practice),
                RunType::Qualifying | RunType::SingleCarQualifying => Some(SessionKind::Qualifying),
                RunType::Race => Some(SessionKind::Race),
                RunType::Other(_) => None,
            },
        },
        _ => return None,
    })
}

/// The key of a competitor: the feed's unique id when present, else its number.
fn reg_no(number: &str, unique_id: Option<u64>) -> String {
    unique_id.map_or_else(|| number.to_owned(), |id| format!("{id:x}"))
}

/// A stable run number from the names (FNV-1a), never 95 (RMonitor's "no run").
fn run_number(event: &str, run: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in event.bytes().chain([0]).chain(run.bytes()) {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let n = hash % 1_000_000 + 1;
    if n == 95 { 96 } else { n }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkered_protocol::multiloop::{CompletedLap, Header, LapStatus, RecordKind, RunInfo, TrackStatus};

    fn message(record: Record) -> Message {
        Message {
            header: Header {
                start: '$',
                kind: RecordKind::New,
                sequence: 1,
                preamble: String::new(),
            },
            record,
            verbatim: Vec::new(),
        }
    }

    #[test]
    fn runs_map_to_stable_numbered_sessions_with_their_kind() {
        let run = |name: &str, run_type| {
            message(Record::RunInfo(RunInfo {
                event_name: "Club day".into(),
                event_short_name: "CD".into(),
                run_name: name.into(),
                run_type,
                start_time_unix_s: None,
                extra: Vec::new(),
            }))
        };
        let a = feed_record(&run("Heat 1", RunType::Race));
        let b = feed_record(&run("Heat 1", RunType::Race));
        let c = feed_record(&run("Qualifying", RunType::Qualifying));
        assert_eq!(a, b);
        match (a, c) {
            (
                Some(FeedRecord::Run { number: na, kind: ka, .. }),
                Some(FeedRecord::Run { number: nc, kind: kc, .. }),
            ) => {
                assert_ne!(na, nc);
                assert_eq!(ka, Some(SessionKind::Race));
                assert_eq!(kc, Some(SessionKind::Qualifying));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_completed_lap_is_a_race_position_refresh() {
        let lap = CompletedLap {
            rank: Some(2),
            number: "7".into(),
            unique_id: Some(0x1a),
            completed_laps: Some(12),
            elapsed_ms: Some(1_234_567),
            last_lap_ms: Some(61_000),
            lap_status: LapStatus::Track,
            fastest_lap_ms: None,
            fastest_lap: None,
            behind_leader_ms: None,
            laps_behind_leader: None,
            behind_preceding_ms: None,
            laps_behind_preceding: None,
            overall_rank: None,
            overall_best_lap_ms: None,
            current_status: String::new(),
            track_status: TrackStatus::Green,
            pit_stops: None,
            last_lap_pitted: None,
            start_position: None,
            laps_led: None,
            extra: Vec::new(),
        };
        assert_eq!(
            feed_record(&message(Record::CompletedLap(lap))),
            Some(FeedRecord::RacePosition {
                reg_no: "1a".into(),
                position: Some(2),
                laps: Some(12),
                total_time_ms: Some(1_234_567),
            })
        );
    }
}
