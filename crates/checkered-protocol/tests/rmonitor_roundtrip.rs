//! Property tests: for every record variant, encode → decode is the identity (and so is
//! JSON), built from strategies that cover every field shape the decoder can produce.

use checkered_protocol::cp1252;
use checkered_protocol::rmonitor::{
    Decoder, Flag, LapKind, RawField, Record, RmTime, Section, Separator, decode_line, encode_line,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// Any Windows-1252 text except LF (which cannot travel inside a line).
fn text() -> impl Strategy<Value = String> {
    vec(any::<u8>().prop_filter("no LF", |b| *b != b'\n'), 0..12).prop_map(|b| cp1252::decode(&b))
}

/// Mostly-plausible short text, to keep the shrunk failures readable.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[A-Za-z0-9 .,\"'-]{0,10}", 1 => text()]
}

/// Whether a bare field with this text would read back differently (so encode quotes it).
fn needs_quotes(t: &str) -> bool {
    let ws = |c: char| matches!(c, ' ' | '\t' | '\r');
    t.starts_with('"') || t.starts_with(ws) || t.ends_with(ws) || t.contains(',')
}

fn raw_field() -> impl Strategy<Value = RawField> {
    (name(), any::<bool>()).prop_map(|(text, quoted)| RawField {
        quoted: quoted || needs_quotes(&text),
        text: text.into(),
    })
}

fn extra() -> impl Strategy<Value = Vec<RawField>> {
    prop_oneof![3 => Just(vec![]), 1 => vec(raw_field(), 1..4)]
}

/// Times in every layout the parser accepts, built as text.
fn time() -> impl Strategy<Value = RmTime> {
    let text = (
        0u64..300,
        1usize..4,
        0u64..60,
        1usize..3,
        0u64..60,
        0u64..1000,
        0usize..4,
        0u8..4,
    );
    let from_text = text.prop_filter_map("valid layout", |(h, hw, m, mw, s, frac, dec, sign)| {
        let (mw, sw) = (if m < 10 { mw } else { 2 }, if s < 10 { mw } else { 2 });
        let neg = |v: u64, any: bool| if sign == 3 && (v > 0 || any) { "-" } else { "" };
        let lead = match sign {
            1 => "-",
            2 => "+",
            _ => "",
        };
        let fraction = if dec == 0 {
            String::new()
        } else {
            format!(".{:0dec$}", frac % 10u64.pow(dec as u32))
        };
        let text = format!(
            "{lead}{}{h:0hw$}:{}{m:0mw$}:{}{s:0sw$}{fraction}",
            neg(h, false),
            neg(m, false),
            neg(s, fraction.bytes().any(|b| b.is_ascii_digit() && b != b'0'))
        );
        RmTime::parse(text.as_bytes())
    });
    prop_oneof![
        3 => from_text,
        1 => any::<i64>().prop_map(RmTime::from_ms),
        1 => (-100_000i64..100_000).prop_map(RmTime::from_secs),
    ]
}

fn flag() -> impl Strategy<Value = Flag> {
    let known = [
        Flag::Green,
        Flag::Yellow,
        Flag::Red,
        Flag::Finish,
        Flag::White,
        Flag::Black,
        Flag::Purple,
        Flag::Purple60,
        Flag::None,
    ];
    let other = name().prop_map(|t| Flag::from_wire(&t));
    prop_oneof![proptest::sample::select(known.to_vec()), other]
}

fn opt_u32() -> impl Strategy<Value = Option<u32>> {
    proptest::option::of(any::<u32>())
}

fn opt_i32() -> impl Strategy<Value = Option<i32>> {
    proptest::option::of(any::<i32>())
}

fn heartbeat() -> impl Strategy<Value = Record> {
    (opt_u32(), time(), time(), time(), flag(), extra()).prop_map(
        |(laps_to_go, time_to_go, time_of_day, race_time, flag, extra)| Record::Heartbeat {
            laps_to_go,
            time_to_go,
            time_of_day,
            race_time,
            flag,
            extra,
        },
    )
}

fn competitor() -> impl Strategy<Value = Record> {
    prop_oneof![competitor_a(), competitor_ext()]
}

fn competitor_a() -> impl Strategy<Value = Record> {
    (
        (name(), name(), name()),
        (name(), name(), name()),
        opt_u32(),
        extra(),
    )
        .prop_map(
            |(
                (reg_no, number, transponder),
                (first_name, last_name, nationality),
                class_no,
                extra,
            )| {
                Record::Competitor {
                    reg_no: reg_no.into(),
                    number: number.into(),
                    transponder: transponder.into(),
                    first_name: first_name.into(),
                    last_name: last_name.into(),
                    nationality: nationality.into(),
                    class_no,
                    extra,
                }
            },
        )
}

fn competitor_ext() -> impl Strategy<Value = Record> {
    (
        (name(), name(), opt_u32()),
        (name(), name(), name(), name()),
        extra(),
    )
        .prop_map(
            |(
                (reg_no, number, class_no),
                (first_name, last_name, nationality, additional),
                extra,
            )| {
                Record::CompetitorExt {
                    reg_no: reg_no.into(),
                    number: number.into(),
                    class_no,
                    first_name: first_name.into(),
                    last_name: last_name.into(),
                    nationality: nationality.into(),
                    additional: additional.into(),
                    extra,
                }
            },
        )
}

fn definition() -> impl Strategy<Value = Record> {
    let separator = prop_oneof![Just(Separator::Comma), Just(Separator::CommaSpace)];
    prop_oneof![
        (any::<u32>(), name(), extra()).prop_map(|(run_no, description, extra)| Record::Run {
            run_no,
            description: description.into(),
            extra
        }),
        (any::<u32>(), name(), extra()).prop_map(|(class_no, description, extra)| Record::Class {
            class_no,
            description: description.into(),
            extra
        }),
        (name(), name(), extra()).prop_map(|(key, value, extra)| Record::Setting {
            key: key.into(),
            value: value.into(),
            extra
        }),
        (time(), name(), separator, extra()).prop_map(|(time_of_day, date, separator, extra)| {
            Record::Init {
                time_of_day,
                date: date.into(),
                separator,
                extra,
            }
        }),
    ]
}

fn timing() -> impl Strategy<Value = Record> {
    let lap_kind = prop_oneof![Just(LapKind::Practice), Just(LapKind::Race)];
    prop_oneof![
        (any::<u32>(), name(), opt_i32(), time(), extra()).prop_map(
            |(position, reg_no, laps, total_time, extra)| Record::RacePosition {
                position,
                reg_no: reg_no.into(),
                laps,
                total_time,
                extra
            }
        ),
        (any::<u32>(), name(), opt_u32(), time(), extra()).prop_map(
            |(position, reg_no, best_lap_no, best_lap_time, extra)| {
                Record::PracticePosition {
                    position,
                    reg_no: reg_no.into(),
                    best_lap_no,
                    best_lap_time,
                    extra,
                }
            }
        ),
        (lap_kind, any::<u32>(), name(), opt_u32(), time(), extra()).prop_map(
            |(kind, position, reg_no, lap_no, lap_time, extra)| {
                Record::LapInfo {
                    kind,
                    position,
                    reg_no: reg_no.into(),
                    lap_no,
                    lap_time,
                    extra,
                }
            }
        ),
    ]
}

fn event() -> impl Strategy<Value = Record> {
    prop_oneof![
        (name(), time(), time(), extra()).prop_map(|(reg_no, lap_time, total_time, extra)| {
            Record::Passing {
                reg_no: reg_no.into(),
                lap_time,
                total_time,
                extra,
            }
        }),
        (name(), name(), opt_i32(), time(), time(), extra()).prop_map(
            |(reg_no, number, laps, corrected_total, delta, extra)| {
                Record::Correction {
                    reg_no: reg_no.into(),
                    number: number.into(),
                    laps,
                    corrected_total,
                    delta,
                    extra,
                }
            }
        ),
    ]
}

fn imsa() -> impl Strategy<Value = Record> {
    let section = (name(), name(), name(), any::<u32>()).prop_map(
        |(name, start_line, end_line, distance_inches)| Section {
            name: name.into(),
            start_line: start_line.into(),
            end_line: end_line.into(),
            distance_inches,
        },
    );
    let class_name = proptest::option::of(name().prop_filter("non-empty", |s| !s.is_empty()));
    let line_crossing = (
        (name(), name(), name(), name()),
        time(),
        opt_u32(),
        class_name,
        extra(),
    )
        .prop_map(
            |((car, timeline_no, timeline_name, date), time, driver_id, class_name, extra)| {
                Record::LineCrossing {
                    car: car.into(),
                    timeline_no: timeline_no.into(),
                    timeline_name: timeline_name.into(),
                    date: date.into(),
                    time,
                    driver_id,
                    class_name: class_name.map(Into::into),
                    extra,
                }
            },
        );
    let track_info = (name(), name(), name(), vec(section, 0..4), extra()).prop_map(
        |(name, short_name, distance, sections, extra)| Record::TrackInfo {
            name: name.into(),
            short_name: short_name.into(),
            distance: distance.into(),
            sections,
            extra,
        },
    );
    prop_oneof![line_crossing, track_info]
}

fn race_monitor() -> impl Strategy<Value = Record> {
    prop_oneof![
        (name(), extra()).prop_map(|(session_type, extra)| Record::RaceMonitorSession {
            session_type: session_type.into(),
            extra
        }),
        (name(), any::<u64>(), extra()).prop_map(|(reg_no, epoch_ms, extra)| {
            Record::RaceMonitorLapTime {
                reg_no: reg_no.into(),
                epoch_ms,
                extra,
            }
        }),
        (
            name(),
            opt_u32(),
            opt_u32(),
            time(),
            flag(),
            time(),
            extra()
        )
            .prop_map(
                |(reg_no, lap, position, lap_time, flag, total_time, extra)| {
                    Record::RaceMonitorLapHistory {
                        reg_no: reg_no.into(),
                        lap,
                        position,
                        lap_time,
                        flag,
                        total_time,
                        extra,
                    }
                }
            ),
        (any::<u64>(), extra())
            .prop_map(|(epoch_ms, extra)| Record::RaceMonitorClock { epoch_ms, extra }),
        (name(), extra()).prop_map(|(text, extra)| Record::RaceMonitorDetail {
            text: text.into(),
            extra
        }),
        (any::<u32>(), name(), extra()).prop_map(|(number, guid, extra)| Record::RaceMonitorJoin {
            number,
            guid: guid.into(),
            extra
        }),
    ]
}

fn unknown() -> impl Strategy<Value = Record> {
    ("[A-Za-z0-9_]{1,6}", vec(raw_field(), 0..5))
        .prop_filter("not a known command", |(c, _)| !KNOWN.contains(&c.as_str()))
        .prop_map(|(command, fields)| Record::Unknown {
            command: command.into(),
            fields,
        })
}

const KNOWN: [&str; 21] = [
    "F", "A", "COMP", "B", "C", "E", "G", "H", "I", "J", "COR", "L", "T", "SP", "SR", "RMS",
    "RMLT", "RMHL", "RMCA", "RMDTL", "join",
];

/// Any record the decoder can produce.
fn record() -> impl Strategy<Value = Record> {
    prop_oneof![
        heartbeat(),
        competitor(),
        definition(),
        timing(),
        event(),
        imsa(),
        race_monitor(),
        unknown()
    ]
}

fn encode(rec: &Record) -> Vec<u8> {
    let mut out = Vec::new();
    encode_line(rec, &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn encode_then_decode_is_identity(rec in record()) {
        let line = encode(&rec);
        prop_assert!(line.ends_with(b"\r\n"));
        prop_assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1, "one record, one line");
        let body = &line[..line.len() - 2];
        prop_assert_eq!(decode_line(body), Ok(rec.clone()));
        // Exactness: the decoded record encodes to the same bytes again.
        prop_assert_eq!(encode(&rec), line);
    }

    #[test]
    fn json_round_trip_is_identity(rec in record()) {
        let json = serde_json::to_string(&rec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let tagged = json.starts_with(r#"{"type":""#);
        prop_assert!(tagged, "not internally tagged: {}", json);
        let back: Record = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, rec);
    }

    #[test]
    fn streams_of_records_decode_in_order(recs in vec(record(), 0..20), lf_only in any::<bool>()) {
        let mut stream = Vec::new();
        for rec in &recs {
            let mut line = encode(rec);
            if lf_only {
                line.remove(line.len() - 2);
            }
            stream.extend(line);
        }
        let mut dec = Decoder::default();
        dec.push(&stream);
        dec.finish();
        let got: Vec<_> = dec.map(|l| l.result).collect();
        prop_assert_eq!(got, recs.into_iter().map(Ok).collect::<Vec<_>>());
    }
}
