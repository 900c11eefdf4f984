//! A realistic synthetic Multiloop session, since no public Multiloop capture exists: 30 cars
//! over 40 laps of a three-section track, with heartbeats every second, crossings, sections,
//! laps, lead changes, invalidated laps, a yellow period, level-3/4 refreshes for late
//! joiners, Windows-1252 names and USAC extension lines. Deterministic (fixed-seed LCG).
//!
//! The benchmark includes this file (`#[path]`) to measure decoding on the same stream.

use checkered_protocol::multiloop::*;

/// Cars in the field.
const CARS: u64 = 30;
/// Race distance.
const LAPS: u64 = 40;
/// Refresh period of level-3/4 records, ms.
const REFRESH_MS: u64 = 15_000;

/// Fixed-seed linear congruential generator: the stream must be identical on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

fn driver(car: u64) -> String {
    const NAMES: [&str; 6] = [
        "Jürgen Müller",
        "José Pérez",
        "Steve Introne",
        "Zoë Ødegård",
        "Ann O'Neil",
        "Łukasz Nowak",
    ];
    format!("{} {car}", NAMES[(car % 6) as usize])
}

fn msg(kind: RecordKind, sequence: u64, record: Record) -> Message {
    Message {
        header: Header {
            start: '$',
            kind,
            sequence,
            preamble: "R1".into(),
        },
        record,
        verbatim: Vec::new(),
    }
}

fn flag_at(lap: u64) -> TrackStatus {
    match lap {
        10..=12 => TrackStatus::Yellow,
        l if l == LAPS => TrackStatus::White,
        l if l > LAPS => TrackStatus::Checkered,
        _ => TrackStatus::Green,
    }
}

/// The crossing at the end of section `section` (1-based) and the section time.
fn sector_end(
    car: u64,
    lap: u64,
    section: usize,
    split_ms: u64,
    t: u64,
    manual: bool,
) -> [Record; 2] {
    let timeline = ["IM1", "IM2", "SF"][section - 1];
    let source = if manual {
        CrossingSource::Manual
    } else {
        CrossingSource::Antenna
    };
    [
        Record::LineCrossing(LineCrossing {
            number: car.to_string(),
            unique_id: Some(car),
            timeline: timeline.into(),
            source,
            elapsed_ms: Some(t),
            track_status: flag_at(lap),
            crossing_status: CrossingStatus::Track,
            extra: vec![],
        }),
        Record::CompletedSection(CompletedSection {
            number: car.to_string(),
            unique_id: Some(car),
            section: format!("S{section}"),
            elapsed_ms: Some(t),
            section_ms: Some(split_ms),
            last_lap: Some(lap - 1),
            extra: vec![],
        }),
    ]
}

/// Per-lap events of every car: crossings, sections, invalidations. Returns every
/// (time, car, lap) at the line, for [`lap_results`].
fn car_events(rng: &mut Lcg, seq: &mut u64, out: &mut Vec<(u64, Message)>) -> Vec<(u64, u64, u64)> {
    let mut finishes = Vec::new();
    for car in 1..=CARS {
        let mut t = 0u64;
        for lap in 1..=LAPS {
            let slow = if flag_at(lap) == TrackStatus::Yellow {
                20_000
            } else {
                0
            };
            let lap_ms = 88_000 + car * 150 + rng.below(3_000) + slow;
            let splits = [
                lap_ms * 3 / 10,
                lap_ms * 4 / 10,
                lap_ms - lap_ms * 3 / 10 - lap_ms * 4 / 10,
            ];
            for (i, split) in splits.into_iter().enumerate() {
                t += split;
                *seq += 1;
                for record in sector_end(car, lap, i + 1, split, t, rng.below(50) == 0) {
                    out.push((t, msg(RecordKind::New, *seq, record)));
                }
            }
            finishes.push((t, car, lap));
            if rng.below(5) == 0 {
                let record = Record::InvalidatedLap(InvalidatedLap {
                    number: car.to_string(),
                    unique_id: Some(car),
                    elapsed_ms: Some(t),
                    extra: vec![String::new()],
                });
                out.push((t + 2_000, msg(RecordKind::New, *seq, record)));
            }
        }
    }
    finishes
}

/// A `$C` for `car` finishing `lap` at `t` in position `rank`, behind a leader on
/// (laps, time at the line).
fn completed_lap(car: u64, lap: u64, t: u64, rank: u64, (lead_laps, lead_t): (u64, u64)) -> Record {
    Record::CompletedLap(CompletedLap {
        rank: Some(rank),
        number: car.to_string(),
        unique_id: Some(car),
        completed_laps: Some(lap),
        elapsed_ms: Some(t),
        last_lap_ms: Some(90_000 + car),
        lap_status: LapStatus::Track,
        fastest_lap_ms: Some(88_000 + car * 150),
        fastest_lap: Some(1 + car % lap),
        behind_leader_ms: Some(t.saturating_sub(lead_t)),
        laps_behind_leader: Some(lead_laps - lap),
        behind_preceding_ms: Some(rank * 311),
        laps_behind_preceding: Some(0),
        overall_rank: Some(rank),
        overall_best_lap_ms: Some(88_150),
        current_status: "Running".into(),
        track_status: flag_at(lap),
        pit_stops: Some(lap / 20),
        last_lap_pitted: None,
        start_position: Some(car),
        laps_led: Some(0),
        extra: vec![],
    })
}

/// Completed laps in finishing order, with ranks, gaps and lead changes.
fn lap_results(finishes: &mut [(u64, u64, u64)], seq: &mut u64, out: &mut Vec<(u64, Message)>) {
    finishes.sort_unstable();
    let mut order: Vec<(u64, u64, u64)> = Vec::new(); // (laps, time of last lap, car)
    let mut leader = 0;
    let mut lead_changes = 0;
    for &(t, car, lap) in finishes.iter() {
        order.retain(|o| o.2 != car);
        order.push((lap, t, car));
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let rank = order.iter().position(|o| o.2 == car).unwrap_or(0) as u64 + 1;
        let (lead_laps, lead_t, lead_car) = order[0];
        *seq += 1;
        let record = completed_lap(car, lap, t, rank, (lead_laps, lead_t));
        out.push((t, msg(RecordKind::New, *seq, record)));
        if lead_car != leader {
            leader = lead_car;
            lead_changes += 1;
            out.push((
                t,
                msg(
                    RecordKind::New,
                    lead_changes,
                    Record::NewLeader(NewLeader {
                        number: car.to_string(),
                        unique_id: Some(car),
                        lap: Some(lap),
                        elapsed_ms: Some(t),
                        lead_change_index: Some(lead_changes),
                        extra: vec![],
                    }),
                ),
            ));
        }
    }
}

/// Heartbeats every second; level-3/4 refreshes and USAC lines every `REFRESH_MS`.
fn periodic(end_ms: u64, rng: &mut Lcg, out: &mut Vec<(u64, Message)>) {
    let mut tick = 0;
    for s in 0..=end_ms / 1_000 {
        let t = s * 1_000;
        let lap = t / 92_000 + 1;
        out.push((
            t,
            msg(
                RecordKind::New,
                s,
                Record::Heartbeat(Heartbeat {
                    track_status: flag_at(lap),
                    time_unix_s: Some(1_751_043_000 + s),
                    elapsed_ms: Some(t),
                    laps_to_go: Some(LAPS.saturating_sub(lap)),
                    time_to_go_ms: Some(end_ms.saturating_sub(t)),
                    extra: vec![],
                }),
            ),
        ));
        let car = s % CARS + 1;
        out.push((
            t,
            msg(
                RecordKind::Repeated,
                car,
                Record::Entry(Entry {
                    number: car.to_string(),
                    unique_id: Some(car),
                    driver_name: driver(car),
                    start_position: Some(car),
                    fields: vec![
                        "GT3".into(),
                        "Porsche 911".into(),
                        "Zürich".into(),
                        String::new(),
                    ],
                    competitor_id: Some(1000 + car),
                    extra: vec![],
                }),
            ),
        ));
        if t % REFRESH_MS != 0 {
            continue;
        }
        tick += 1;
        refresh(t, tick, rng, out);
    }
}

fn refresh(t: u64, tick: u64, rng: &mut Lcg, out: &mut Vec<(u64, Message)>) {
    for record in level4(t, tick, rng).into_iter().chain(level3(t, tick)) {
        out.push((t, msg(RecordKind::Repeated, tick, record)));
    }
}

/// Level-4 refresh: version, run, track, announcement.
fn level4(t: u64, tick: u64, rng: &mut Lcg) -> [Record; 4] {
    let section = |n: &str, a: &str, b: &str| TrackSection {
        name: n.into(),
        length_in: "0".into(),
        start_line: a.into(),
        end_line: b.into(),
    };
    let sections = vec![
        section("S1", "SF", "IM1"),
        section("S2", "IM1", "IM2"),
        section("S3", "IM2", "SF"),
    ];
    [
        Record::Version(Version {
            major: Some(1),
            minor: Some(5),
            info: "Multiloop feed".into(),
            extra: vec![],
        }),
        Record::RunInfo(RunInfo {
            event_name: "Synthetic Grand Prix".into(),
            event_short_name: "SGP".into(),
            run_name: "Feature Race".into(),
            run_type: RunType::Race,
            start_time_unix_s: Some(1_751_043_000),
            extra: vec![],
        }),
        Record::TrackInfo(TrackInfo {
            name: "Circuit Großwald".into(),
            venue: "CGW".into(),
            length_mi: "3.4".into(),
            sections,
            extra: vec![],
        }),
        Record::Announcement(Announcement {
            message_number: Some(tick),
            action: "A".into(),
            priority: "U".into(),
            timestamp_unix_s: Some(1_751_043_000 + t / 1_000),
            text: format!("Track limits warning car {}", rng.below(CARS) + 1),
            extra: vec![],
        }),
    ]
}

/// Level-3 refresh: flag statistics, current leader, and a USAC driver line.
fn level3(t: u64, tick: u64) -> [Record; 3] {
    let lap = t / 92_000 + 1;
    let car = tick % CARS + 1;
    [
        Record::FlagInfo(FlagInfo {
            track_status: flag_at(lap),
            lap: Some(lap),
            green_ms: Some(t),
            green_laps: Some(lap),
            yellow_ms: Some(0),
            yellow_laps: Some(0),
            red_ms: Some(0),
            yellow_count: Some(u64::from(lap > 10)),
            leader: "1".into(),
            lead_changes: Some(tick / 8),
            average_speed_mph: "118.42".into(),
            extra: vec![],
        }),
        Record::NewLeader(NewLeader {
            number: "1".into(),
            unique_id: Some(1),
            lap: Some(lap),
            elapsed_ms: Some(t),
            lead_change_index: Some(tick / 8),
            extra: vec![],
        }),
        Record::Unknown(Unknown {
            command: "USAC:DRIVERID".into(),
            fields: vec![
                format!("{car:X}"),
                format!("{t:X}"),
                "3".into(),
                driver(car),
            ],
        }),
    ]
}

/// The session as (messages in wire order, encoded stream).
pub fn session() -> (Vec<Message>, Vec<u8>) {
    let mut rng = Lcg(0x5EED);
    let mut seq = 0;
    let mut events = Vec::new();
    let mut finishes = car_events(&mut rng, &mut seq, &mut events);
    let end_ms = finishes.iter().map(|f| f.0).max().unwrap_or(0) + 5_000;
    lap_results(&mut finishes, &mut seq, &mut events);
    periodic(end_ms, &mut rng, &mut events);
    events.sort_by_key(|e| e.0); // stable: same-time events keep their generation order
    let messages: Vec<Message> = events.into_iter().map(|e| e.1).collect();
    let mut stream = Vec::new();
    for m in &messages {
        encode_line(m, &mut stream);
    }
    (messages, stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_line_decodes_to_what_was_generated() {
        let (messages, stream) = session();
        let lines: Vec<&[u8]> = stream.split_inclusive(|&b| b == b'\n').collect();
        assert_eq!(lines.len(), messages.len());
        for (line, expected) in lines.iter().zip(&messages) {
            let decoded = decode_line(line);
            // Ł is not in Windows-1252: it is sent as `?`, the only lossy character here.
            let mut expected = expected.clone();
            if let Record::Entry(e) = &mut expected.record {
                e.driver_name = e.driver_name.replace('Ł', "?");
            }
            if let Record::Unknown(u) = &mut expected.record {
                u.fields.iter_mut().for_each(|f| *f = f.replace('Ł', "?"));
            }
            assert_eq!(decoded, Ok(expected));
        }
    }

    #[test]
    fn a_few_hundred_records_of_every_type() {
        let (messages, stream) = session();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for m in &messages {
            *counts.entry(m.record.command().to_owned()).or_default() += 1;
        }
        for command in [
            "H",
            "E",
            "C",
            "S",
            "L",
            "I",
            "F",
            "N",
            "R",
            "T",
            "A",
            "V",
            "USAC:DRIVERID",
        ] {
            let n = counts.get(command).copied().unwrap_or(0);
            assert!(n >= 200, "${command}: only {n} records");
        }
        assert!(stream.len() > 500_000, "stream is {} bytes", stream.len());
    }

    #[test]
    fn framing_in_odd_chunks_gives_the_same_lines() {
        let (_, stream) = session();
        for chunk in [1usize, 7, 1460, 65_536] {
            let mut framer = LineFramer::new(4096);
            let mut lines = 0usize;
            let mut pos = 0u64;
            let mut check = |r: Result<Line<'_>, FrameError>| {
                let line = r.unwrap_or_else(|e| panic!("{e}"));
                assert!(decode_line(line.bytes).is_ok());
                assert_eq!(line.offset, pos);
                pos += line.bytes.len() as u64 + 2;
                lines += 1;
            };
            for (i, c) in stream.chunks(chunk).enumerate() {
                framer.push((i * chunk) as u64, c, &mut check);
            }
            framer.finish(&mut check);
            assert_eq!(
                lines,
                stream.iter().filter(|&&b| b == b'\n').count(),
                "chunk size {chunk}"
            );
        }
    }
}
