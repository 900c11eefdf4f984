//! Property tests for the Multiloop codec: encode→decode identity per record type, byte-exact
//! re-encoding of any line that decodes, JSON round trips, and no panics on arbitrary bytes.

use checkered_protocol::multiloop::*;
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

/// Text the protocol can carry: Windows-1252 characters except the separator and CR/LF.
fn text() -> impl Strategy<Value = String> {
    "[ -~\u{C0}-\u{FF}€ŽšŸ]{0,10}"
}

fn hex() -> impl Strategy<Value = Option<u64>> {
    of(any::<u64>())
}

fn extra() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..3)
}

/// A letter enum: one of its known codes, or an `Other` code that is not a known one.
fn code<T: std::fmt::Debug + Clone + 'static>(
    from_code: fn(&str) -> T,
    known: &'static [&'static str],
) -> impl Strategy<Value = T> {
    prop_oneof![
        proptest::sample::select(known).prop_map(from_code),
        "[a-z]{0,3}".prop_map(move |c| from_code(&c)),
    ]
}

fn track() -> impl Strategy<Value = TrackStatus> {
    code(TrackStatus::from_code, TrackStatus::KNOWN_CODES)
}

fn heartbeat() -> impl Strategy<Value = Record> {
    (track(), hex(), hex(), hex(), hex(), extra()).prop_map(|(t, d, e, l, g, x)| {
        Record::Heartbeat(Heartbeat {
            track_status: t,
            time_unix_s: d,
            elapsed_ms: e,
            laps_to_go: l,
            time_to_go_ms: g,
            extra: x,
        })
    })
}

fn entry() -> impl Strategy<Value = Record> {
    (
        text(),
        hex(),
        text(),
        hex(),
        vec(text(), 0..6),
        hex(),
        extra(),
    )
        .prop_map(|(n, u, d, s, f, c, x)| {
            Record::Entry(Entry {
                number: n,
                unique_id: u,
                driver_name: d,
                start_position: s,
                fields: f,
                competitor_id: c,
                extra: x,
            })
        })
}

fn completed_lap() -> impl Strategy<Value = Record> {
    let a = (
        hex(),
        text(),
        hex(),
        hex(),
        hex(),
        hex(),
        code(LapStatus::from_code, LapStatus::KNOWN_CODES),
    );
    let b = (hex(), hex(), hex(), hex(), hex(), hex(), hex(), hex());
    let c = (text(), track(), hex(), hex(), hex(), hex(), extra());
    (a, b, c).prop_map(
        |(
            (rk, n, u, cl, el, ll, ls),
            (fl, fln, bl, lbl, bp, lbp, or, ob),
            (cs, ts, ps, lp, sp, led, x),
        )| {
            Record::CompletedLap(CompletedLap {
                rank: rk,
                number: n,
                unique_id: u,
                completed_laps: cl,
                elapsed_ms: el,
                last_lap_ms: ll,
                lap_status: ls,
                fastest_lap_ms: fl,
                fastest_lap: fln,
                behind_leader_ms: bl,
                laps_behind_leader: lbl,
                behind_preceding_ms: bp,
                laps_behind_preceding: lbp,
                overall_rank: or,
                overall_best_lap_ms: ob,
                current_status: cs,
                track_status: ts,
                pit_stops: ps,
                last_lap_pitted: lp,
                start_position: sp,
                laps_led: led,
                extra: x,
            })
        },
    )
}

fn section() -> impl Strategy<Value = Record> {
    (text(), hex(), text(), hex(), hex(), hex(), extra()).prop_map(|(n, u, s, e, t, l, x)| {
        Record::CompletedSection(CompletedSection {
            number: n,
            unique_id: u,
            section: s,
            elapsed_ms: e,
            section_ms: t,
            last_lap: l,
            extra: x,
        })
    })
}

fn crossing() -> impl Strategy<Value = Record> {
    let source = code(CrossingSource::from_code, CrossingSource::KNOWN_CODES);
    let status = code(CrossingStatus::from_code, CrossingStatus::KNOWN_CODES);
    (
        text(),
        hex(),
        text(),
        source,
        hex(),
        track(),
        status,
        extra(),
    )
        .prop_map(|(n, u, l, s, e, t, c, x)| {
            Record::LineCrossing(LineCrossing {
                number: n,
                unique_id: u,
                timeline: l,
                source: s,
                elapsed_ms: e,
                track_status: t,
                crossing_status: c,
                extra: x,
            })
        })
}

fn invalidated() -> impl Strategy<Value = Record> {
    (text(), hex(), hex(), extra()).prop_map(|(n, u, e, x)| {
        Record::InvalidatedLap(InvalidatedLap {
            number: n,
            unique_id: u,
            elapsed_ms: e,
            extra: x,
        })
    })
}

fn flag() -> impl Strategy<Value = Record> {
    let a = (track(), hex(), hex(), hex(), hex(), hex(), hex());
    let b = (hex(), text(), hex(), text(), extra());
    (a, b).prop_map(|((t, l, g, gl, y, yl, r), (yc, ld, lc, s, x))| {
        Record::FlagInfo(FlagInfo {
            track_status: t,
            lap: l,
            green_ms: g,
            green_laps: gl,
            yellow_ms: y,
            yellow_laps: yl,
            red_ms: r,
            yellow_count: yc,
            leader: ld,
            lead_changes: lc,
            average_speed_mph: s,
            extra: x,
        })
    })
}

fn leader() -> impl Strategy<Value = Record> {
    (text(), hex(), hex(), hex(), hex(), extra()).prop_map(|(n, u, l, e, i, x)| {
        Record::NewLeader(NewLeader {
            number: n,
            unique_id: u,
            lap: l,
            elapsed_ms: e,
            lead_change_index: i,
            extra: x,
        })
    })
}

fn run() -> impl Strategy<Value = Record> {
    let kind = code(RunType::from_code, RunType::KNOWN_CODES);
    (text(), text(), text(), kind, hex(), extra()).prop_map(|(e, s, r, k, t, x)| {
        Record::RunInfo(RunInfo {
            event_name: e,
            event_short_name: s,
            run_name: r,
            run_type: k,
            start_time_unix_s: t,
            extra: x,
        })
    })
}

fn track_info() -> impl Strategy<Value = Record> {
    let sec = (text(), text(), text(), text()).prop_map(|(n, l, s, e)| TrackSection {
        name: n,
        length_in: l,
        start_line: s,
        end_line: e,
    });
    (text(), text(), text(), vec(sec, 0..5), extra()).prop_map(|(n, v, l, s, x)| {
        Record::TrackInfo(TrackInfo {
            name: n,
            venue: v,
            length_mi: l,
            sections: s,
            extra: x,
        })
    })
}

fn announcement() -> impl Strategy<Value = Record> {
    (hex(), text(), text(), hex(), text(), extra()).prop_map(|(m, a, p, t, s, x)| {
        Record::Announcement(Announcement {
            message_number: m,
            action: a,
            priority: p,
            timestamp_unix_s: t,
            text: s,
            extra: x,
        })
    })
}

fn version() -> impl Strategy<Value = Record> {
    (hex(), hex(), text(), extra()).prop_map(|(a, b, i, x)| {
        Record::Version(Version {
            major: a,
            minor: b,
            info: i,
            extra: x,
        })
    })
}

fn unknown() -> impl Strategy<Value = Record> {
    ("[A-Z]{2,5}(:[A-Z]{1,8})?", vec(text(), 0..5)).prop_map(|(c, f)| {
        Record::Unknown(Unknown {
            command: c,
            fields: f,
        })
    })
}

fn message(record: impl Strategy<Value = Record>) -> impl Strategy<Value = Message> {
    let kind = code(RecordKind::from_code, RecordKind::KNOWN_CODES);
    let start = proptest::sample::select(&['$', '#', '@', '!'][..]);
    (start, kind, any::<u64>(), text(), record).prop_map(
        |(start, kind, sequence, preamble, record)| Message {
            header: Header {
                start,
                kind,
                sequence,
                preamble,
            },
            record,
            verbatim: Vec::new(),
        },
    )
}

fn any_message() -> impl Strategy<Value = Message> {
    message(prop_oneof![
        heartbeat(),
        entry(),
        completed_lap(),
        section(),
        crossing(),
        invalidated(),
        flag(),
        leader(),
        run(),
        track_info(),
        announcement(),
        version(),
        unknown(),
    ])
}

fn encode(msg: &Message) -> Vec<u8> {
    let mut out = Vec::new();
    encode_line(msg, &mut out);
    out
}

macro_rules! identity_per_record {
    ($($name:ident => $strategy:expr,)*) => {
        proptest! {
            $(
                #[test]
                fn $name(msg in message($strategy)) {
                    let bytes = encode(&msg);
                    prop_assert!(bytes.ends_with(b"\r\n"));
                    prop_assert_eq!(decode_line(&bytes), Ok(msg));
                }
            )*
        }
    };
}

identity_per_record! {
    heartbeat_identity => heartbeat(),
    entry_identity => entry(),
    completed_lap_identity => completed_lap(),
    completed_section_identity => section(),
    line_crossing_identity => crossing(),
    invalidated_lap_identity => invalidated(),
    flag_info_identity => flag(),
    new_leader_identity => leader(),
    run_info_identity => run(),
    track_info_identity => track_info(),
    announcement_identity => announcement(),
    version_identity => version(),
    unknown_identity => unknown(),
}

/// Lines built from protocol-like pieces, so that many of them decode.
fn plausible_line() -> impl Strategy<Value = Vec<u8>> {
    let command = proptest::sample::select(
        &[
            "H", "E", "C", "S", "L", "I", "F", "N", "R", "T", "A", "V", "ZZ",
        ][..],
    );
    let field = prop_oneof![
        "[0-9A-F]{1,6}",
        "[0-9a-f]{1,4}",
        "0{1,3}[1-9]",
        Just(String::new()),
        "[ -~]{0,6}",
        Just("3".to_owned()),
    ];
    (command, vec(field, 3..30)).prop_map(|(c, fields)| {
        let mut line = format!("${c}").into_bytes();
        for f in fields {
            line.push(SEPARATOR);
            line.extend(f.bytes());
        }
        line
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn json_round_trip(msg in any_message()) {
        let json = serde_json::to_string(&msg).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Message = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, msg);
    }

    #[test]
    fn decodable_lines_re_encode_byte_exact(line in plausible_line()) {
        if let Ok(msg) = decode_line(&line) {
            let mut expected = line.clone();
            expected.extend_from_slice(b"\r\n");
            prop_assert_eq!(encode(&msg), expected);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_round_trip(bytes in vec(any::<u8>(), 0..200)) {
        if let Ok(msg) = decode_line(&bytes) {
            prop_assert_eq!(decode_line(&encode(&msg)), Ok(msg));
        }
    }

}

#[test]
fn plausible_lines_often_decode_so_the_byte_exact_property_bites() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = plausible_line();
    let mut decoded = 0;
    for _ in 0..1000 {
        let line = strategy
            .new_tree(&mut runner)
            .map(|t| t.current())
            .unwrap_or_default();
        decoded += usize::from(decode_line(&line).is_ok());
    }
    assert!(
        decoded > 100,
        "only {decoded} of 1000 generated lines decode"
    );
}
