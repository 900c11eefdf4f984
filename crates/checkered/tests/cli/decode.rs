//! `checkered decode` on every shared capture, on generated captures of each format, on
//! live stdin, and on bad input, through the real binary.
//!
//! The expected counts were read off the files with tools independent of the codecs:
//! RMonitor with `sed '1s/^\xEF\xBB\xBF//' F | tr -d '\r' | grep -v '^##' | grep -v
//! '^[[:space:]]*$' | awk -F, '{c[$1]++} END {for (k in c) print k, c[k]}'`, P3 with a
//! short Python script that splits on 0x8E/0x8F, unescapes, and checks LENGTH and the
//! reference CRC. Offsets were checked with `grep -b`.

use crate::helpers::{Live, data, json_lines, run};
use serde_json::Value;
use std::collections::BTreeMap;

/// What `decode` must report for one file.
struct Expect {
    file: &'static str,
    format: &'static str,
    types: &'static [(&'static str, u64)],
    errors: u64,
}

const EXPECTED: &[Expect] = &[
    Expect {
        file: "p3/kart-decoder-2022-05-01.log",
        format: "p3",
        types: &[("PASSING", 45), ("STATUS", 21)],
        errors: 1,
    },
    Expect {
        file: "p3/frame-bad_passing.bin",
        format: "p3",
        types: &[("PASSING", 1)],
        errors: 0,
    },
    Expect {
        file: "p3/frame-escaped-crc.bin",
        format: "p3",
        types: &[("STATUS", 1)],
        errors: 0,
    },
    Expect {
        file: "p3/frame-first.bin",
        format: "p3",
        types: &[("STATUS", 1)],
        errors: 0,
    },
    Expect {
        file: "p3/frame-good_passing.bin",
        format: "p3",
        types: &[("PASSING", 1)],
        errors: 0,
    },
    Expect {
        file: "p3/frame-last.bin",
        format: "p3",
        types: &[("PASSING", 1)],
        errors: 0,
    },
    Expect {
        file: "p3/frame-missing_strength.bin",
        format: "p3",
        types: &[("PASSING", 1)],
        errors: 0,
    },
    Expect {
        file: "p3/frame-multi.bin",
        format: "p3",
        types: &[("PASSING", 10)],
        errors: 0,
    },
    Expect {
        file: "p3/frame-need_trimming.bin",
        format: "p3",
        types: &[("PASSING", 1)],
        errors: 1,
    },
    Expect {
        file: "p3/frame-status.bin",
        format: "p3",
        types: &[("STATUS", 1)],
        errors: 0,
    },
    // A licence text is no decoder stream: one run of junk, nothing decoded.
    Expect {
        file: "p3/LICENSE-amb-p3-parser-GPL-3.0.txt",
        format: "p3",
        types: &[],
        errors: 1,
    },
    Expect {
        file: "rmonitor/imsa-sebring-2009-session4.txt",
        format: "rmonitor",
        types: &[
            ("COMPETITOR", 1518),
            ("RUN", 144),
            ("CLASS", 429),
            ("COMPETITOR_EXT", 1518),
            ("SETTING", 286),
            ("HEARTBEAT", 7683),
            ("RACE_POSITION", 1974),
            ("PRACTICE_POSITION", 1953),
            ("INIT", 3),
            ("PASSING", 374),
            ("LINE_CROSSING", 529),
        ],
        errors: 0,
    },
    Expect {
        file: "rmonitor/orbits-mock-session.txt",
        format: "rmonitor",
        types: &[
            ("COMPETITOR", 6),
            ("RUN", 3),
            ("CLASS", 1),
            ("COMPETITOR_EXT", 6),
            ("SETTING", 2),
            ("HEARTBEAT", 379),
            ("RACE_POSITION", 68),
            ("PRACTICE_POSITION", 67),
            ("PASSING", 52),
        ],
        errors: 0,
    },
    Expect {
        file: "rmonitor/redmist-TestAbnormalReset.log",
        format: "redmist-log",
        types: &[
            ("COMPETITOR", 52),
            ("RUN", 1),
            ("CLASS", 4),
            ("COMPETITOR_EXT", 52),
            ("HEARTBEAT", 46),
            ("RACE_POSITION", 187),
            ("PRACTICE_POSITION", 76),
            ("INIT", 2),
            ("PASSING", 25),
        ],
        errors: 0,
    },
    Expect {
        file: "rmonitor/redmist-TestEntries.log",
        format: "redmist-log",
        types: &[
            ("COMPETITOR", 48),
            ("RUN", 2),
            ("CLASS", 4),
            ("COMPETITOR_EXT", 48),
            ("SETTING", 4),
            ("HEARTBEAT", 1),
        ],
        errors: 0,
    },
    // Ends in a header cut short (`##2025-1`): the one error.
    Expect {
        file: "rmonitor/redmist-TestGap.log",
        format: "redmist-log",
        types: &[
            ("COMPETITOR", 228),
            ("RUN", 3),
            ("CLASS", 15),
            ("COMPETITOR_EXT", 228),
            ("SETTING", 2),
            ("HEARTBEAT", 557),
            ("RACE_POSITION", 503),
            ("PRACTICE_POSITION", 413),
            ("INIT", 2),
            ("PASSING", 185),
        ],
        errors: 1,
    },
    Expect {
        file: "rmonitor/redmist-TestInitialPositions.log",
        format: "redmist-log",
        types: &[
            ("HEARTBEAT", 3),
            ("RACE_POSITION", 96),
            ("PRACTICE_POSITION", 96),
        ],
        errors: 0,
    },
    Expect {
        file: "rmonitor/redmist-TestMidRaceClassChange.log",
        format: "redmist-log",
        types: &[
            ("COMPETITOR", 2),
            ("RUN", 1),
            ("CLASS", 3),
            ("COMPETITOR_EXT", 2),
            ("RACE_POSITION", 2),
            ("PRACTICE_POSITION", 1),
        ],
        errors: 0,
    },
    Expect {
        file: "rmonitor/redmist-TestResetRetainLapTime.log",
        format: "redmist-log",
        types: &[
            ("COMPETITOR", 104),
            ("RUN", 2),
            ("CLASS", 8),
            ("COMPETITOR_EXT", 104),
            ("HEARTBEAT", 90),
            ("RACE_POSITION", 293),
            ("PRACTICE_POSITION", 305),
            ("INIT", 2),
            ("PASSING", 43),
        ],
        errors: 0,
    },
    Expect {
        file: "rmonitor/redmist-TestStart.log",
        format: "redmist-log",
        types: &[
            ("COMPETITOR", 208),
            ("RUN", 4),
            ("CLASS", 16),
            ("COMPETITOR_EXT", 208),
            ("HEARTBEAT", 595),
            ("RACE_POSITION", 817),
            ("PRACTICE_POSITION", 1193),
            ("INIT", 4),
            ("PASSING", 174),
        ],
        errors: 0,
    },
    // A note someone typed into the capture ("Change to 60 seconds later") is the error.
    Expect {
        file: "rmonitor/redmist-event-finish-with-cars-data.log",
        format: "redmist-log",
        types: &[
            ("COMPETITOR", 59),
            ("RUN", 1),
            ("CLASS", 6),
            ("COMPETITOR_EXT", 59),
            ("HEARTBEAT", 585),
            ("RACE_POSITION", 265),
            ("PRACTICE_POSITION", 260),
            ("INIT", 1),
            ("PASSING", 200),
        ],
        errors: 1,
    },
    Expect {
        file: "rmonitor/redmist-event-finish-with-stopped.log",
        format: "redmist-log",
        types: &[
            ("COMPETITOR", 59),
            ("RUN", 1),
            ("CLASS", 6),
            ("COMPETITOR_EXT", 59),
            ("HEARTBEAT", 267),
            ("RACE_POSITION", 189),
            ("PRACTICE_POSITION", 183),
            ("INIT", 1),
            ("PASSING", 124),
        ],
        errors: 0,
    },
    // Licence texts read as RMonitor: every non-blank line is "not a record".
    Expect {
        file: "rmonitor/LICENSE-redmist.txt",
        format: "rmonitor",
        types: &[],
        errors: 17,
    },
    Expect {
        file: "rmonitor/LICENSE-rmonitor-samples-MIT.txt",
        format: "rmonitor",
        types: &[],
        errors: 22,
    },
];

/// A finished run: status, stdout messages, stderr errors (summary removed) and summary.
struct Decoded {
    messages: Vec<Value>,
    errors: Vec<Value>,
    summary: Value,
}

fn decode(args: &[&str], stdin: &[u8]) -> Decoded {
    let out = run(args, stdin);
    assert!(out.status.success(), "{args:?}: {out:?}");
    let messages = json_lines(&out.stdout);
    let mut errors = json_lines(&out.stderr);
    let summary = errors.pop().expect("a summary line");
    Decoded {
        messages,
        errors,
        summary,
    }
}

fn decode_file(format: &str, file: &str) -> Decoded {
    decode(&["decode", "--format", format, &data(file)], b"")
}

fn count_types(messages: &[Value]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for m in messages {
        let kind = m["type"].as_str().expect("every message has a type");
        *counts.entry(kind.to_owned()).or_default() += 1;
    }
    counts
}

#[test]
fn every_shared_capture_decodes_with_exact_counts() {
    for e in EXPECTED {
        let d = decode_file(e.format, e.file);
        let want: BTreeMap<String, u64> =
            e.types.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        assert_eq!(count_types(&d.messages), want, "{}: stdout", e.file);
        let total: u64 = want.values().sum();
        assert_eq!(d.summary["messages"], total, "{}", e.file);
        assert_eq!(d.summary["errors"], e.errors, "{}", e.file);
        assert_eq!(d.errors.len() as u64, e.errors, "{}", e.file);
        let summary_types: BTreeMap<String, u64> =
            serde_json::from_value(d.summary["types"].clone()).expect("types map");
        assert_eq!(summary_types, want, "{}: summary", e.file);
        // Every line has its location first, and an offset inside the file.
        let len = std::fs::metadata(data(e.file)).expect("file").len();
        for m in &d.messages {
            let keys: Vec<&str> = m
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            assert!(keys.contains(&"captured_at"), "{m}");
            assert!(m["offset"].as_u64().is_some_and(|o| o < len), "{m}");
        }
        for err in &d.errors {
            assert!(err["offset"].as_u64().is_some_and(|o| o <= len), "{err}");
            assert!(
                err["error"].as_str().is_some_and(|r| !r.is_empty()),
                "{err}"
            );
        }
    }
}

#[test]
fn every_shared_file_is_in_the_table() {
    for dir in ["p3", "rmonitor"] {
        for entry in std::fs::read_dir(data(dir)).expect("shared data folder") {
            let name = entry.expect("entry").file_name();
            let path = format!("{dir}/{}", name.to_string_lossy());
            assert!(
                EXPECTED.iter().any(|e| e.file == path),
                "{path} is not covered"
            );
        }
    }
}

#[test]
fn kart_putty_log_fields_capture_time_and_the_rejected_frame() {
    let d = decode_file("p3", "p3/kart-decoder-2022-05-01.log");
    let first = &d.messages[0];
    // The first frame follows the 79-byte PuTTY header line.
    assert_eq!(first["offset"], 79);
    assert_eq!(first["captured_at"], "2022-05-01T14:55:57Z");
    assert_eq!(first["type"], "PASSING");
    assert_eq!(first["passing_number"], 711_875);
    assert_eq!(first["transponder"], 9_990_307);
    assert_eq!(first["rtc_time_us"], 1_651_416_955_950_000_u64);
    assert_eq!(
        (first["strength"].as_u64(), first["hits"].as_u64()),
        (Some(99), Some(36))
    );
    assert_eq!(first["decoder_id"], 135_059);
    let status = &d.messages[1];
    assert_eq!(
        (status["offset"].as_u64(), status["type"].as_str()),
        (Some(130), Some("STATUS"))
    );
    assert_eq!(
        (status["noise"].as_u64(), status["temperature"].as_i64()),
        (Some(24), Some(36))
    );
    assert!(
        d.messages
            .iter()
            .all(|m| m["captured_at"] == "2022-05-01T14:55:57Z")
    );
    let last = d.messages.last().expect("messages");
    assert_eq!(
        (last["offset"].as_u64(), last["passing_number"].as_u64()),
        (Some(3031), Some(711_920))
    );
    // The frame with a dropped byte: LENGTH says 51, 50 arrived.
    assert_eq!(d.errors[0]["offset"], 478);
    let reason = d.errors[0]["error"].as_str().expect("reason");
    assert!(
        reason.contains("LENGTH") && reason.contains("51") && reason.contains("50"),
        "{reason}"
    );
}

#[test]
fn single_frames_decode_to_the_values_in_their_bytes() {
    // TLV 01 04 48bc0100 = 113736, 03 04 1d582c00 = 2906141, 05 02 6a00 = 106.
    let good = decode_file("p3", "p3/frame-good_passing.bin");
    let m = &good.messages[0];
    assert_eq!(
        (m["offset"].as_u64(), m["captured_at"].is_null()),
        (Some(0), true)
    );
    assert_eq!(m["passing_number"], 113_736);
    assert_eq!(m["transponder"], 2_906_141);
    assert_eq!(m["strength"], 106);
    assert_eq!(m["hits"], 50);
    // The CRC 0x8F5C is sent escaped (5c 8d af); the frame still verifies.
    let escaped = decode_file("p3", "p3/frame-escaped-crc.bin");
    assert_eq!(escaped.messages[0]["type"], "STATUS");
    assert_eq!(escaped.messages[0]["temperature"], 26);
    // Nine junk bytes, reported, then the frame.
    let trimmed = decode_file("p3", "p3/frame-need_trimming.bin");
    assert_eq!(trimmed.messages[0]["offset"], 9);
    assert_eq!(trimmed.messages[0]["passing_number"], 113_736);
    assert_eq!(trimmed.errors[0]["offset"], 0);
    assert!(
        trimmed.errors[0]["error"]
            .as_str()
            .is_some_and(|r| r.contains("9 junk bytes"))
    );
    let multi = decode_file("p3", "p3/frame-multi.bin");
    let offsets: Vec<u64> = multi
        .messages
        .iter()
        .filter_map(|m| m["offset"].as_u64())
        .collect();
    assert_eq!(offsets.len(), 10);
    assert_eq!(offsets[0], 0);
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
}

#[test]
fn rmonitor_fields_and_offsets() {
    let d = decode_file("rmonitor", "rmonitor/imsa-sebring-2009-session4.txt");
    let first = &d.messages[0];
    assert_eq!(first["offset"], 0);
    assert!(first["captured_at"].is_null());
    assert_eq!(first["type"], "HEARTBEAT");
    assert_eq!(first["laps_to_go"], 9999);
    assert_eq!(first["time_of_day"], "07:59:36");
    assert_eq!(first["race_time"], "00:59:59");
    assert_eq!(first["flag"], "NONE");
    let crossing = d
        .messages
        .iter()
        .find(|m| m["type"] == "LINE_CROSSING")
        .expect("a $L");
    assert_eq!(crossing["offset"], 1581);
    assert_eq!(crossing["car"], "40");
    assert_eq!(crossing["timeline_no"], "P2");
    assert_eq!(crossing["timeline_name"], "POP");
    assert_eq!(crossing["time"], "08:00:05.894");
    let competitor = d
        .messages
        .iter()
        .find(|m| m["type"] == "COMPETITOR")
        .expect("an $A");
    assert_eq!(competitor["offset"], 4368);
    assert_eq!(competitor["transponder"], "8852130");
    assert_eq!(competitor["first_name"], "Farnbacher /");
    assert_eq!(competitor["nationality"], "Panoz Esperante");
    let session_ends = d
        .messages
        .iter()
        .filter(|m| m["type"] == "RUN" && m["run_no"] == 95)
        .count();
    assert_eq!(session_ends, 3);
}

#[test]
fn redmist_logs_carry_capture_times_feeds_and_file_offsets() {
    let d = decode_file("redmist-log", "rmonitor/redmist-TestStart.log");
    let first = &d.messages[0];
    // After the BOM and the 26-byte header line.
    assert_eq!(first["offset"], 29);
    assert_eq!(first["captured_at"], "2025-04-26T13:58:48.222Z");
    assert_eq!(first["feed"], "rmonitor");
    assert_eq!(first["type"], "HEARTBEAT");
    assert_eq!(first["time_to_go"], "08:00:00");
    let last = d.messages.last().expect("messages");
    assert_eq!(last["offset"], 151_671);
    assert_eq!(last["captured_at"], "2025-04-26T14:08:41.231Z");
    assert_eq!(last["flag"], "GREEN");
    assert_eq!(d.summary["feeds"]["rmonitor"], d.summary["messages"]);
    // Before the green flag Orbits counts the race time down: 47 heartbeats.
    let count_down = d
        .messages
        .iter()
        .filter(|m| {
            m["type"] == "HEARTBEAT" && m["race_time"].as_str().is_some_and(|t| t.contains('-'))
        })
        .count();
    assert_eq!(count_down, 47);

    let gap = decode_file("redmist-log", "rmonitor/redmist-TestGap.log");
    let len = std::fs::metadata(data("rmonitor/redmist-TestGap.log"))
        .expect("file")
        .len();
    assert_eq!(gap.errors[0]["offset"], len - "2025-1".len() as u64);
    assert!(
        gap.errors[0]["error"]
            .as_str()
            .is_some_and(|r| r.contains("timestamp"))
    );
    let no_transponder = gap
        .messages
        .iter()
        .filter(|m| m["type"] == "COMPETITOR" && m["transponder"] == "")
        .count();
    assert_eq!(no_transponder, 3);

    let finish = decode_file(
        "redmist-log",
        "rmonitor/redmist-event-finish-with-cars-data.log",
    );
    assert_eq!(finish.errors[0]["offset"], 85_036);
    let penalty = finish
        .messages
        .iter()
        .find(|m| m["laps"] == -2)
        .expect("the lap penalty");
    assert_eq!(
        (penalty["offset"].as_u64(), penalty["reg_no"].as_str()),
        (Some(7279), Some("168"))
    );
    assert_eq!(penalty["captured_at"], "2025-03-01T22:43:02.295Z");
}

/// Multiloop lines of the protocol reference (RedMist's test vectors), `¦` = 0xA6.
const MULTILOOP: &[&str] = &[
    "$H¦N¦2F4¦Q1¦G¦685E9B2F¦9A0AB¦0¦D42B4",
    "$C¦U¦80004¦Q1¦C¦0¦8¦4¦83DDF¦1CB83¦T¦1CB83¦4¦2E6A¦0¦649¦0¦C¦1CB83¦Unknown¦G¦1¦0¦9¦0",
    "$S¦N¦F3170000¦Q1¦99¦EF317¦S1¦2DF3C0E¦7C07¦5",
    "$L¦N¦EF325¦Q1¦89¦5¦SF¦A¦9B82E¦G¦T",
    "$F¦R¦5¦Q1¦K¦0¦D7108¦6¦6088A¦1¦0¦1¦00¦1¦81.63",
    "$N¦U¦80004¦Q1¦01¦469D¦45¦4CAD63¦20",
    "$R¦R¦400004C7¦Q1¦Watkins Glen Hoosier Super Tour¦¦Grp 2 Qual 1¦Q¦685ECBB8",
    "$A¦N¦F3170000¦Q1¦2F¦A¦U¦BC6AD080¦Some Message",
    "$V¦R¦1¦Q1¦1¦5¦Multiloop feed",
    "$I¦U¦F005A¦Q1¦12¦F005A¦0¦",
    "$E¦R¦17¦Q1¦12¦17¦Steve Introne¦18¦B¦B-Spec¦Honda Fit¦Windham NH¦NER¦180337¦White¦¦¦¦¦¦17¦",
];

fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '¦' => 0xA6,
            c => u8::try_from(c).expect("ASCII in the vectors"),
        })
        .collect()
}

fn multiloop_stream() -> Vec<u8> {
    MULTILOOP
        .iter()
        .flat_map(|l| [cp1252(l), b"\r\n".to_vec()].concat())
        .collect()
}

#[test]
fn multiloop_stream_decodes_every_record_type() {
    let mut stream = multiloop_stream();
    stream.extend_from_slice(b"$Z\xa6N\xa61\xa6Q1\xa6x\r\n\r\nnot multiloop\r\n");
    let d = decode(&["decode", "--format", "multiloop", "-"], &stream);
    let types: Vec<&str> = d
        .messages
        .iter()
        .filter_map(|m| m["type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "HEARTBEAT",
            "COMPLETED_LAP",
            "COMPLETED_SECTION",
            "LINE_CROSSING",
            "FLAG_INFO",
            "NEW_LEADER",
            "RUN_INFO",
            "ANNOUNCEMENT",
            "VERSION",
            "INVALIDATED_LAP",
            "ENTRY",
            "UNKNOWN"
        ]
    );
    let h = &d.messages[0];
    assert_eq!(
        (h["offset"].as_u64(), h["elapsed_ms"].as_u64()),
        (Some(0), Some(630_955))
    );
    assert_eq!(h["time_unix_s"], 1_751_030_575);
    assert_eq!(h["header"]["sequence"], 0x2F4);
    assert_eq!(h["header"]["preamble"], "Q1");
    let lap = &d.messages[1];
    assert_eq!(lap["offset"], MULTILOOP[0].chars().count() + 2);
    assert_eq!(lap["last_lap_ms"], 0x1CB83);
    assert_eq!(d.messages[3]["source"], "ANTENNA");
    assert_eq!(d.messages[10]["driver_name"], "Steve Introne");
    assert_eq!(d.summary["errors"], 1);
    assert!(d.summary.get("feeds").is_none(), "{}", d.summary);
    let bad_at = stream.len() - b"not multiloop\r\n".len();
    assert_eq!(d.errors[0]["offset"], bad_at);
}

/// Prefixes every line with an ISO 8601 time, 250 ms apart from 2024-05-01T14:55:57.000Z;
/// returns the file and, per line, the offset of its raw line and the `captured_at` the
/// output must show (RFC 3339, fraction only when not zero).
fn timestamped(lines: &[u8]) -> (Vec<u8>, Vec<(usize, String)>) {
    let mut out = Vec::new();
    let mut stamps = Vec::new();
    for (i, line) in lines.split_inclusive(|&b| b == b'\n').enumerate() {
        let ms = (14 * 3600 + 55 * 60 + 57) * 1000 + 250 * i;
        let (h, m, s, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        let time = format!("2024-05-01T{h:02}:{m:02}:{s:02}");
        out.extend_from_slice(format!("{time}.{f:03}Z ").as_bytes());
        let shown = if f == 0 {
            format!("{time}Z")
        } else {
            format!("{time}.{f:03}Z")
        };
        stamps.push((out.len(), shown));
        out.extend_from_slice(line);
    }
    (out, stamps)
}

#[test]
fn timestamps_flag_stamps_each_rmonitor_line_from_a_file() {
    let raw = std::fs::read(data("rmonitor/orbits-mock-session.txt")).expect("capture");
    let (bytes, stamps) = timestamped(&raw);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mock-timestamped.log");
    std::fs::write(&path, &bytes).expect("write capture");
    let path = path.to_string_lossy().into_owned();

    let plain = decode_file("rmonitor", "rmonitor/orbits-mock-session.txt");
    let d = decode(
        &["decode", "--format", "rmonitor", "--timestamps", &path],
        b"",
    );
    assert_eq!(d.summary["types"], plain.summary["types"]);
    assert_eq!(d.summary["errors"], 0);
    assert_eq!(d.messages.len(), stamps.len());
    for (m, (offset, stamp)) in d.messages.iter().zip(&stamps) {
        assert_eq!(m["captured_at"], stamp.as_str(), "{m}");
        // The offset points at the `$` after the timestamp, in the timestamped file.
        assert_eq!(m["offset"], *offset, "{m}");
        assert_eq!(bytes.get(*offset), Some(&b'$'));
    }
    // Same records as without timestamps, only located and stamped differently.
    let strip = |m: &Value| {
        let mut m = m.clone();
        let o = m.as_object_mut().expect("object");
        o.remove("offset");
        o.remove("captured_at");
        m
    };
    assert!(
        d.messages
            .iter()
            .map(strip)
            .eq(plain.messages.iter().map(strip))
    );
}

#[test]
fn timestamps_flag_reports_bad_stamps_and_reads_multiloop() {
    let (mut bytes, stamps) = timestamped(&multiloop_stream());
    let bad_stamp = bytes.len();
    bytes.extend_from_slice(b"2024-13-01T00:00:00Z $V\xa6R\xa61\xa6Q1\xa61\xa65\xa6x\r\n");
    let no_space = bytes.len() + "2024-05-01T15:00:00Z".len();
    bytes.extend_from_slice(b"2024-05-01T15:00:00Z$V\xa6R\xa61\xa6Q1\xa61\xa65\xa6x\r\n");
    let d = decode(
        &["decode", "--format", "multiloop", "--timestamps", "-"],
        &bytes,
    );
    assert_eq!(d.messages.len(), MULTILOOP.len());
    assert_eq!(d.messages[0]["captured_at"], "2024-05-01T14:55:57Z");
    assert_eq!(d.messages[4]["captured_at"], "2024-05-01T14:55:58Z");
    assert_eq!(d.messages[10]["captured_at"], "2024-05-01T14:55:59.500Z");
    assert_eq!(d.messages[10]["offset"], stamps[10].0);
    assert_eq!(d.summary["errors"], 2);
    assert_eq!(d.errors[0]["offset"], bad_stamp);
    assert_eq!(d.errors[1]["offset"], no_space);
}

#[test]
fn redmist_log_batches_use_their_feeds_codec() {
    let mut log = Vec::new();
    let mut at = Vec::new();
    let mut batch = |log: &mut Vec<u8>, header: &str, body: &[u8]| {
        log.extend_from_slice(header.as_bytes());
        log.push(b'\n');
        at.push(log.len());
        log.extend_from_slice(body);
        log.extend_from_slice(b"\n");
    };
    batch(
        &mut log,
        "##2025-06-27 14:00:00.000|multiloop",
        &[cp1252(MULTILOOP[0]), b"\r\n".to_vec()].concat(),
    );
    batch(
        &mut log,
        "##2025-06-27 14:00:00.500",
        b"$F,9999,\"00:00:00\",\"14:00:00\",\"00:10:00\",\"Green \"\r\n",
    );
    // No type, but Multiloop content: sniffed.
    batch(
        &mut log,
        "##2025-06-27 14:00:01.000",
        &[cp1252(MULTILOOP[3]), b"\r\n".to_vec()].concat(),
    );
    batch(
        &mut log,
        "##2025-06-27 14:00:01.500|x2pass",
        b"{\"id\":1}\r\n",
    );
    batch(
        &mut log,
        "##2025-06-27 14:00:02.000|rmonitor",
        b"$J,\"12\",\"00:01:40.123\",\"00:10:00.000\"\r\n$G,1,\"12\",5,\"00:10:00.000\"\r\n",
    );
    let d = decode(&["decode", "--format", "redmist-log", "-"], &log);
    let seen: Vec<(&str, &str, &str, u64)> = d
        .messages
        .iter()
        .map(|m| {
            (
                m["type"].as_str().unwrap_or_default(),
                m["feed"].as_str().unwrap_or_default(),
                m["captured_at"].as_str().unwrap_or_default(),
                m["offset"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "HEARTBEAT",
                "multiloop",
                "2025-06-27T14:00:00Z",
                at[0] as u64
            ),
            (
                "HEARTBEAT",
                "rmonitor",
                "2025-06-27T14:00:00.500Z",
                at[1] as u64
            ),
            (
                "LINE_CROSSING",
                "multiloop",
                "2025-06-27T14:00:01Z",
                at[2] as u64
            ),
            ("PASSING", "rmonitor", "2025-06-27T14:00:02Z", at[4] as u64),
            (
                "RACE_POSITION",
                "rmonitor",
                "2025-06-27T14:00:02Z",
                at[4] as u64 + 39
            ),
        ]
    );
    assert_eq!(
        d.messages[2]["source"], "ANTENNA",
        "the record's own field is kept"
    );
    assert_eq!(d.summary["feeds"]["multiloop"], 2);
    assert_eq!(d.summary["feeds"]["rmonitor"], 3);
    assert_eq!(d.summary["types"]["HEARTBEAT"], 2);
    assert_eq!(d.summary["errors"], 1);
    assert_eq!(d.errors[0]["offset"], at[3]);
    assert!(
        d.errors[0]["error"]
            .as_str()
            .is_some_and(|r| r.contains("x2pass")),
        "{:?}",
        d.errors
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn p3_hex_dump_with_times_comments_spaces_and_bad_lines() {
    let good = std::fs::read(data("p3/frame-good_passing.bin")).expect("frame");
    let status = std::fs::read(data("p3/frame-status.bin")).expect("frame");
    let escaped = std::fs::read(data("p3/frame-escaped-crc.bin")).expect("frame");
    let mut corrupt = good.clone();
    corrupt[12] ^= 0x01; // the passing number's low byte: CRC no longer matches
    let spaced: Vec<String> = status.iter().map(|b| format!("{b:02X}")).collect();
    let mut dump = String::from("# kart decoder, hand-made dump\n");
    let l1 = dump.len() + "2022-05-01T14:55:57.500Z ".len();
    dump += &format!("2022-05-01T14:55:57.500Z {}\r\n", hex(&good));
    let l2 = dump.len() + 2;
    dump += &format!("  {}\n\n", spaced.join(" "));
    let l3 = dump.len();
    dump += "8e02zz8f\n";
    let l4 = dump.len();
    dump += &format!("{}\n", hex(&corrupt));
    let l5 = dump.len() + "2022-05-01 14:56:00 ".len();
    dump += &format!("2022-05-01 14:56:00 {}{}\n", hex(&escaped), hex(&good));
    let d = decode(&["decode", "--format", "p3-hex", "-"], dump.as_bytes());
    let seen: Vec<(&str, u64, Value)> = d
        .messages
        .iter()
        .map(|m| {
            (
                m["type"].as_str().unwrap_or_default(),
                m["offset"].as_u64().unwrap_or_default(),
                m["captured_at"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "PASSING",
                l1 as u64,
                Value::from("2022-05-01T14:55:57.500Z")
            ),
            ("STATUS", l2 as u64, Value::Null),
            ("STATUS", l5 as u64, Value::from("2022-05-01T14:56:00Z")),
            // Two frames on one line: the second's offset is that of its first hex digit.
            (
                "PASSING",
                (l5 + 2 * escaped.len()) as u64,
                Value::from("2022-05-01T14:56:00Z")
            ),
        ]
    );
    assert_eq!(d.messages[0]["transponder"], 2_906_141);
    let errors: Vec<(u64, &str)> = d
        .errors
        .iter()
        .map(|e| {
            (
                e["offset"].as_u64().unwrap_or_default(),
                e["error"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, (l3 + 4) as u64, "{errors:?}");
    assert!(errors[0].1.contains("hex"), "{errors:?}");
    assert_eq!(errors[1].0, l4 as u64);
    assert!(errors[1].1.contains("CRC"), "{errors:?}");
}

#[test]
fn p3_putty_log_from_stdin_and_appended_sessions() {
    let log = std::fs::read(data("p3/kart-decoder-2022-05-01.log")).expect("capture");
    let d = decode(&["decode", "--format", "p3", "-"], &log);
    assert_eq!(d.messages.len(), 66);
    assert_eq!(d.messages[0]["captured_at"], "2022-05-01T14:55:57Z");
    assert_eq!(d.messages[0]["offset"], 79);
    let twice = [log.clone(), log.clone()].concat();
    let d = decode(&["decode", "--format", "p3", "-"], &twice);
    assert_eq!(d.messages.len(), 132);
    assert_eq!(d.summary["errors"], 2);
    assert_eq!(d.messages[66]["offset"], log.len() + 79);
    assert_eq!(d.errors[1]["offset"], log.len() + 478);
}

/// Writes part of a stream, waits (with a timeout, never sleeping) for the first JSON
/// line while stdin stays open, then sends the rest.
fn streams_as_it_arrives(format: &str, first: &[u8], rest: &[u8], first_type: &str) -> Vec<Value> {
    let mut live = Live::start(&["decode", "--format", format, "-"]);
    live.write(first);
    let m = live.next_json(30);
    assert_eq!(m["type"], first_type, "{format}: {m}");
    assert_eq!(m["offset"], 0);
    live.write(rest);
    let (status, more, stderr) = live.close();
    assert!(status.success(), "{format}: {status:?} {stderr:?}");
    let mut all = vec![m];
    all.extend(more);
    let summary = stderr.last().expect("summary");
    assert_eq!(summary["messages"], all.len(), "{format}");
    all
}

#[test]
fn rmonitor_streams_from_stdin_line_by_line() {
    let raw = std::fs::read(data("rmonitor/orbits-mock-session.txt")).expect("capture");
    // One complete line and half of the next: the first must come out before the rest.
    let second = raw.iter().position(|&b| b == b'\n').expect("a line") + 1;
    let cut = second + 9;
    let all = streams_as_it_arrives("rmonitor", &raw[..cut], &raw[cut..], "PRACTICE_POSITION");
    assert_eq!(all.len(), 584);
    assert_eq!(all[1]["offset"], second);
}

#[test]
fn multiloop_streams_from_stdin_line_by_line() {
    let stream = multiloop_stream();
    let cut = MULTILOOP[0].chars().count() + 2 + 5;
    let all = streams_as_it_arrives("multiloop", &stream[..cut], &stream[cut..], "HEARTBEAT");
    assert_eq!(all.len(), MULTILOOP.len());
}

#[test]
fn p3_streams_from_stdin_frame_by_frame() {
    let multi = std::fs::read(data("p3/frame-multi.bin")).expect("frames");
    // One whole frame (51 bytes) and a few bytes of the next: far less than a read buffer.
    let all = streams_as_it_arrives("p3", &multi[..55], &multi[55..], "PASSING");
    assert_eq!(all.len(), 10);
}

#[test]
fn p3_first_frame_alone_shows_before_more_arrives() {
    // A 31-byte STATUS fits in the bytes read to tell a PuTTY log from raw P3.
    let status = std::fs::read(data("p3/frame-status.bin")).expect("frame");
    assert_eq!(status.len(), 31);
    let good = std::fs::read(data("p3/frame-good_passing.bin")).expect("frame");
    let all = streams_as_it_arrives("p3", &status, &good, "STATUS");
    assert_eq!(all.len(), 2);
}

#[test]
fn unreadable_input_fails_with_a_message() {
    let out = run(
        &["decode", "--format", "p3", "/nonexistent/capture.bin"],
        b"",
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot open /nonexistent/capture.bin"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    // A directory opens but cannot be read.
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path().to_string_lossy().into_owned();
    for format in ["p3", "rmonitor", "redmist-log"] {
        let out = run(&["decode", "--format", format, &dir], b"");
        assert!(!out.status.success(), "{format}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("cannot read the input"),
            "{format}: {stderr}"
        );
    }
}

#[test]
fn meaningless_flag_combinations_are_refused() {
    for format in ["p3", "redmist-log"] {
        let out = run(&["decode", "--format", format, "--timestamps", "-"], b"");
        assert!(!out.status.success(), "{format}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--timestamps does not apply"), "{stderr}");
    }
    let out = run(&["decode", "--format", "p4", "-"], b"");
    assert!(!out.status.success());
}

#[test]
fn garbage_is_counted_never_fatal() {
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for format in ["p3", "p3-hex", "rmonitor", "multiloop", "redmist-log"] {
        let d = decode(&["decode", "--format", format, "-"], &garbage);
        assert!(
            d.summary["errors"].as_u64() > Some(0),
            "{format}: {}",
            d.summary
        );
        assert_eq!(d.summary["errors"], d.errors.len(), "{format}");
    }
    for format in ["p3", "rmonitor", "timestamps"] {
        let args: &[&str] = if format == "timestamps" {
            &["decode", "--format", "rmonitor", "--timestamps", "-"]
        } else {
            &["decode", "--format", format, "-"]
        };
        let d = decode(args, b"");
        assert_eq!(
            d.summary,
            serde_json::json!({"messages": 0, "types": {}, "errors": 0}),
            "{format}"
        );
    }
}
