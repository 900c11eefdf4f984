//! Orbits RMonitor records to [`FeedRecord`]s.
//!
//! Positions the feed sends (`$G`, `$H`) are carried through only for checking; the engine
//! ranks from laps, times and passings. Records that carry nothing for scoring (`$E`
//! settings, `$T` track layout, Race Monitor relay extras, unknown commands) give `None`.

use crate::input::{FeedRecord, Flag};
use checkered_protocol::rmonitor::{self, Record};

/// The feed record for an RMonitor record, if it matters to scoring.
pub fn feed_record(record: &Record) -> Option<FeedRecord> {
    Some(match record {
        Record::Heartbeat {
            laps_to_go,
            time_to_go,
            time_of_day,
            race_time,
            flag,
            ..
        } => FeedRecord::Heartbeat {
            flag: flag_of(flag),
            laps_to_go: *laps_to_go,
            time_to_go_ms: Some(time_to_go.ms()),
            race_time_ms: Some(race_time.ms()),
            time_of_day_ms: Some(time_of_day.ms()),
        },
        Record::Competitor {
            reg_no,
            number,
            transponder,
            first_name,
            last_name,
            nationality,
            class_no,
            ..
        } => FeedRecord::Entry {
            reg_no: reg_no.to_string(),
            number: number.to_string(),
            transponder: Some(transponder.to_string()).filter(|t| !t.trim().is_empty()),
            first_name: first_name.to_string(),
            last_name: last_name.to_string(),
            team: nationality.to_string(),
            class_id: *class_no,
            grid: None,
        },
        Record::CompetitorExt {
            reg_no,
            number,
            class_no,
            first_name,
            last_name,
            nationality,
            ..
        } => FeedRecord::Entry {
            reg_no: reg_no.to_string(),
            number: number.to_string(),
            transponder: None,
            first_name: first_name.to_string(),
            last_name: last_name.to_string(),
            team: nationality.to_string(),
            class_id: *class_no,
            grid: None,
        },
        Record::Run {
            run_no,
            description,
            ..
        } => FeedRecord::Run {
            number: *run_no,
            name: description.to_string(),
            kind: None,
        },
        Record::Class {
            class_no,
            description,
            ..
        } => FeedRecord::Class {
            id: *class_no,
            name: description.to_string(),
        },
        Record::RacePosition {
            position,
            reg_no,
            laps,
            total_time,
            ..
        } => FeedRecord::RacePosition {
            reg_no: reg_no.to_string(),
            position: Some(*position),
            laps: laps.map(i64::from),
            total_time_ms: time_ms(total_time),
        },
        Record::PracticePosition {
            position,
            reg_no,
            best_lap_no,
            best_lap_time,
            ..
        } => FeedRecord::PracticePosition {
            reg_no: reg_no.to_string(),
            position: Some(*position),
            best_lap_no: *best_lap_no,
            best_lap_ms: time_ms(best_lap_time),
        },
        Record::Init { .. } => FeedRecord::Reset,
        Record::Passing {
            reg_no,
            lap_time,
            total_time,
            ..
        } => FeedRecord::Passing {
            reg_no: reg_no.to_string(),
            lap_time_ms: time_ms(lap_time),
            total_time_ms: time_ms(total_time),
        },
        Record::Correction {
            reg_no,
            laps,
            corrected_total,
            delta,
            ..
        } => FeedRecord::Correction {
            reg_no: reg_no.to_string(),
            laps: laps.map(i64::from),
            corrected_total_ms: Some(corrected_total.ms()),
            delta_ms: Some(delta.ms()),
        },
        Record::LineCrossing {
            car,
            timeline_no,
            timeline_name,
            time,
            ..
        } => FeedRecord::LineCrossing {
            car: car.to_string(),
            timeline: timeline_no.to_string(),
            name: timeline_name.to_string(),
            time_ms: Some(time.ms()),
        },
        _ => return None,
    })
}

/// A lap or race time in ms; `None` for the `00:59:59.999` "no passing yet" sentinel.
fn time_ms(time: &rmonitor::RmTime) -> Option<i64> {
    Some(time.ms()).filter(|_| !time.is_no_passing())
}

/// The engine's flag for an RMonitor flag; `None` when the text names no flag we know
/// (an unknown word never changes the flag).
fn flag_of(flag: &rmonitor::Flag) -> Option<Flag> {
    Flag::from_rmonitor(flag.recognised().wire_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapt(line: &str) -> Option<FeedRecord> {
        let record = rmonitor::decode_line(line.as_bytes()).expect("valid line");
        feed_record(&record)
    }

    #[test]
    fn real_lines_become_feed_records() {
        assert_eq!(
            adapt(r#"$A,"1234BE","12X",52474,"John","Johnson","USA",5"#),
            Some(FeedRecord::Entry {
                reg_no: "1234BE".into(),
                number: "12X".into(),
                transponder: Some("52474".into()),
                first_name: "John".into(),
                last_name: "Johnson".into(),
                team: "USA".into(),
                class_id: Some(5),
                grid: None,
            })
        );
        assert_eq!(
            adapt(r#"$G,3,"1234BE",14,"01:12:47.872""#),
            Some(FeedRecord::RacePosition {
                reg_no: "1234BE".into(),
                position: Some(3),
                laps: Some(14),
                total_time_ms: Some(4_367_872),
            })
        );
        assert_eq!(
            adapt(r#"$B,95,"Session ended""#),
            Some(FeedRecord::Run {
                number: 95,
                name: "Session ended".into(),
                kind: None,
            })
        );
        assert_eq!(
            adapt(r#"$I,"16:36:08.000","12 jan 01""#),
            Some(FeedRecord::Reset)
        );
        match adapt(r#"$F,14,"00:12:45","13:34:23","00:09:47","Green ""#) {
            Some(FeedRecord::Heartbeat {
                flag, laps_to_go, ..
            }) => {
                assert_eq!(flag, Some(Flag::Green));
                assert_eq!(laps_to_go, Some(14));
            }
            other => panic!("{other:?}"),
        }
        match adapt(r#"$F,0,"00:00:00","13:34:23","01:09:47","Finish""#) {
            Some(FeedRecord::Heartbeat { flag, .. }) => assert_eq!(flag, Some(Flag::Checkered)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            adapt(r#"$J,"1234BE","00:02:03.826","01:42:17.672""#),
            Some(FeedRecord::Passing {
                reg_no: "1234BE".into(),
                lap_time_ms: Some(123_826),
                total_time_ms: Some(6_137_672),
            })
        );
    }

    #[test]
    fn the_no_passing_sentinel_is_no_time() {
        assert_eq!(
            adapt(r#"$G,1,"00",,"00:59:59.999""#),
            Some(FeedRecord::RacePosition {
                reg_no: "00".into(),
                position: Some(1),
                laps: None,
                total_time_ms: None,
            })
        );
        match adapt(r#"$H,1,"00",0,"00:59:59.999""#) {
            Some(FeedRecord::PracticePosition { best_lap_ms, .. }) => assert_eq!(best_lap_ms, None),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn records_without_scoring_meaning_give_nothing() {
        assert_eq!(
            adapt(r#"$E,"TRACKNAME","Indianapolis Motor Speedway""#),
            None
        );
        assert_eq!(adapt("$XYZ,1,2"), None);
    }
}
