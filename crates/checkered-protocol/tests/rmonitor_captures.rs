//! Every line of every shared RMonitor capture decodes, with exact per-record counts, and
//! re-encodes byte-for-byte (modulo the line terminator the capture used).
//!
//! The counts were read off the files with
//! `sed '1s/^\xEF\xBB\xBF//' F | tr -d '\r' | grep -v '^##' | grep -v '^$' | awk -F, '{c[$1]++} …'`.

use std::collections::BTreeMap;

use checkered_protocol::rmonitor::{
    Decoder, Flag, Record, RmTime, RmonitorError, decode_line, encode_line,
};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/rmonitor/"
);

fn read(name: &str) -> Vec<u8> {
    let path = format!("{DATA}{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The RMonitor lines of a capture: BOM and RedMist `##` timestamp lines skipped, blank
/// lines skipped, trailing CRs removed.
fn rmonitor_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .split(|&b| b == b'\n')
        .map(|l| &l[..l.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1)])
        .filter(|l| !l.is_empty() && !l.starts_with(b"##"))
        .collect()
}

struct Decoded {
    counts: BTreeMap<String, usize>,
    records: Vec<Record>,
    errors: Vec<(String, RmonitorError)>,
}

/// Decodes every line, checking each record re-encodes to the same bytes.
fn decode_capture(name: &str) -> Decoded {
    let bytes = read(name);
    let mut out = Decoded {
        counts: BTreeMap::new(),
        records: Vec::new(),
        errors: Vec::new(),
    };
    let mut encoded = Vec::new();
    for line in rmonitor_lines(&bytes) {
        match decode_line(line) {
            Ok(rec) => {
                encoded.clear();
                encode_line(&rec, &mut encoded);
                assert_eq!(
                    String::from_utf8_lossy(&encoded),
                    format!("{}\r\n", String::from_utf8_lossy(line)),
                    "{name}: re-encoding differs"
                );
                *out.counts.entry(rec.command().to_owned()).or_default() += 1;
                out.records.push(rec);
            }
            Err(e) => out
                .errors
                .push((String::from_utf8_lossy(line).into_owned(), e)),
        }
    }
    out
}

fn assert_counts(name: &str, want: &[(&str, usize)]) -> Decoded {
    let decoded = decode_capture(name);
    let want: BTreeMap<String, usize> = want.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    assert_eq!(decoded.counts, want, "{name}");
    decoded
}

#[test]
fn imsa_sebring_2009_session_4() {
    let d = assert_counts(
        "imsa-sebring-2009-session4.txt",
        &[
            ("A", 1518),
            ("B", 144),
            ("C", 429),
            ("COMP", 1518),
            ("E", 286),
            ("F", 7683),
            ("G", 1974),
            ("H", 1953),
            ("I", 3),
            ("J", 374),
            ("L", 529),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_sebring_line_crossings(&d.records);
    assert_eq!(d.records.iter().filter(|r| r.is_session_end()).count(), 3);
    let no_passing = d.records.iter().filter(|r| matches!(r,
        Record::RacePosition { total_time: t, .. } | Record::PracticePosition { best_lap_time: t, .. } if t.is_no_passing()));
    assert_eq!(no_passing.count(), 109);
    let inits = d
        .records
        .iter()
        .filter(|r| matches!(r, Record::Init { date, .. } if date == "27 Jan 09"));
    assert_eq!(inits.count(), 3);
}

/// The IMSA `$L` lines of 2009 (ERM before v1.03: five fields only).
fn assert_sebring_line_crossings(records: &[Record]) {
    let crossings: Vec<_> = records
        .iter()
        .filter(|r| matches!(r, Record::LineCrossing { .. }))
        .collect();
    let first = Record::LineCrossing {
        car: "40".into(),
        timeline_no: "P2".into(),
        timeline_name: "POP".into(),
        date: "01/27/2009".into(),
        time: RmTime::from_ms(28_805_894),
        driver_id: None,
        class_name: None,
        extra: vec![],
    };
    assert_eq!(crossings.first(), Some(&&first));
    let sft = crossings.iter().filter(
        |r| matches!(r, Record::LineCrossing { timeline_name, .. } if timeline_name == "SFT"),
    );
    assert_eq!(sft.count(), 309);
    let last = crossings.last();
    assert!(
        matches!(last, Some(Record::LineCrossing { car, time, .. }) if car == "21" && time.ms() == 36_191_603)
    );
}

#[test]
fn orbits_mock_session() {
    let d = assert_counts(
        "orbits-mock-session.txt",
        &[
            ("A", 6),
            ("B", 3),
            ("C", 1),
            ("COMP", 6),
            ("E", 2),
            ("F", 379),
            ("G", 68),
            ("H", 67),
            ("J", 52),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert!(
        matches!(d.records.get(12), Some(r @ Record::Run { description, .. }) if r.is_session_end() && description == "Test Race")
    );
    let green = d
        .records
        .iter()
        .filter(|r| {
            matches!(
                r,
                Record::Heartbeat {
                    flag: Flag::Green,
                    ..
                }
            )
        })
        .count();
    assert!(green > 0);
}

#[test]
fn redmist_abnormal_reset() {
    let d = assert_counts(
        "redmist-TestAbnormalReset.log",
        &[
            ("A", 52),
            ("B", 1),
            ("C", 4),
            ("COMP", 52),
            ("F", 46),
            ("G", 187),
            ("H", 76),
            ("I", 2),
            ("J", 25),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
}

#[test]
fn redmist_entries() {
    let d = assert_counts(
        "redmist-TestEntries.log",
        &[
            ("A", 48),
            ("B", 2),
            ("C", 4),
            ("COMP", 48),
            ("E", 4),
            ("F", 1),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let sponsor = d.records.iter().find_map(|r| match r {
        Record::CompetitorExt {
            reg_no, additional, ..
        } if reg_no == "70" => Some(additional.as_str()),
        _ => None,
    });
    assert_eq!(sponsor, Some("Trim-Tex"));
}

#[test]
fn redmist_gap() {
    let d = assert_counts(
        "redmist-TestGap.log",
        &[
            ("A", 228),
            ("B", 3),
            ("C", 15),
            ("COMP", 228),
            ("E", 2),
            ("F", 557),
            ("G", 503),
            ("H", 413),
            ("I", 2),
            ("J", 185),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let no_transponder = d
        .records
        .iter()
        .filter(|r| matches!(r, Record::Competitor { transponder, .. } if transponder.is_empty()));
    assert_eq!(no_transponder.count(), 3);
}

#[test]
fn redmist_initial_positions() {
    let d = assert_counts(
        "redmist-TestInitialPositions.log",
        &[("F", 3), ("G", 96), ("H", 96)],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
}

#[test]
fn redmist_mid_race_class_change() {
    let d = assert_counts(
        "redmist-TestMidRaceClassChange.log",
        &[
            ("A", 2),
            ("B", 1),
            ("C", 3),
            ("COMP", 2),
            ("G", 2),
            ("H", 1),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
}

#[test]
fn redmist_reset_retain_lap_time() {
    let d = assert_counts(
        "redmist-TestResetRetainLapTime.log",
        &[
            ("A", 104),
            ("B", 2),
            ("C", 8),
            ("COMP", 104),
            ("F", 90),
            ("G", 293),
            ("H", 305),
            ("I", 2),
            ("J", 43),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
}

#[test]
fn redmist_start() {
    let d = assert_counts(
        "redmist-TestStart.log",
        &[
            ("A", 208),
            ("B", 4),
            ("C", 16),
            ("COMP", 208),
            ("F", 595),
            ("G", 817),
            ("H", 1193),
            ("I", 4),
            ("J", 174),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    // Before the green flag Orbits counts the race time down: "00:00:-47" … "00:00:-1".
    let count_down: Vec<i64> = d
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Heartbeat { race_time, .. } if race_time.is_negative() => Some(race_time.ms()),
            _ => None,
        })
        .collect();
    assert_eq!(count_down.len(), 47);
    assert_eq!(
        (count_down.first(), count_down.last()),
        (Some(&-47_000), Some(&-1000))
    );
}

/// `$G` lines whose lap count went below zero (`$G,58,"168",-2,…`: a lap penalty).
fn negative_laps(d: &Decoded) -> usize {
    d.records
        .iter()
        .filter(
            |r| matches!(r, Record::RacePosition { laps: Some(-2), reg_no, .. } if reg_no == "168"),
        )
        .count()
}

#[test]
fn redmist_event_finish_with_cars_data() {
    let d = assert_counts(
        "redmist-event-finish-with-cars-data.log",
        &[
            ("A", 59),
            ("B", 1),
            ("C", 6),
            ("COMP", 59),
            ("F", 585),
            ("G", 265),
            ("H", 260),
            ("I", 1),
            ("J", 200),
        ],
    );
    assert_eq!(negative_laps(&d), 1);
    // A note someone typed into the capture is the only line that is not a record.
    assert_eq!(
        d.errors,
        vec![(
            "Change to 60 seconds later".to_owned(),
            RmonitorError::NotARecord
        )]
    );
}

#[test]
fn redmist_event_finish_with_stopped() {
    let d = assert_counts(
        "redmist-event-finish-with-stopped.log",
        &[
            ("A", 59),
            ("B", 1),
            ("C", 6),
            ("COMP", 59),
            ("F", 267),
            ("G", 189),
            ("H", 183),
            ("I", 1),
            ("J", 124),
        ],
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(negative_laps(&d), 1);
}

#[test]
fn streaming_decoder_matches_line_decoding_and_reads_an_unterminated_tail() {
    for name in ["imsa-sebring-2009-session4.txt", "orbits-mock-session.txt"] {
        let bytes = read(name);
        let by_line: Vec<Record> = decode_capture(name).records;
        // Drop the final newline: the last record must still come out on finish().
        let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        let mut dec = Decoder::default();
        dec.push(body);
        let mut streamed: Vec<Record> = dec
            .by_ref()
            .map(|l| l.result)
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        assert_eq!(
            streamed.len(),
            by_line.len() - 1,
            "{name}: the tail waits for finish()"
        );
        dec.finish();
        streamed.extend(dec.by_ref().filter_map(|l| l.result.ok()));
        assert_eq!(streamed, by_line, "{name}");
    }
}

#[test]
fn every_capture_file_is_covered() {
    let mut names: Vec<String> = std::fs::read_dir(DATA)
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.retain(|n| !n.starts_with("LICENSE"));
    names.sort();
    assert_eq!(
        names.len(),
        11,
        "a new capture appeared: add a test for it: {names:?}"
    );
}
