//! Multiloop records against the vectors of the protocol reference (RedMist's unit-test
//! lines, the protocol document's heartbeat) and a few hand-made edge cases: decoded values,
//! byte-exact re-encoding, JSON shape, and precise errors.

use checkered_protocol::multiloop::*;

/// Turns a readable vector (`¦` for the separator) into wire bytes.
fn wire(text: &str) -> Vec<u8> {
    checkered_protocol::cp1252::encode(text)
}

/// Decodes a vector and checks that encoding gives the same bytes back (terminator: CR LF).
fn round_trip(text: &str) -> Message {
    let bytes = wire(text);
    let msg = decode_line(&bytes).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let mut out = Vec::new();
    encode_line(&msg, &mut out);
    let mut expected = bytes.strip_suffix(b"\r\n").unwrap_or(&bytes).to_vec();
    expected.extend_from_slice(b"\r\n");
    assert_eq!(out, expected, "re-encoding {text:?}");
    msg
}

#[test]
fn heartbeat() {
    let msg = round_trip("$H¦N¦2F4¦Q1¦G¦685E9B2F¦9A0AB¦0¦D42B4\r\n");
    assert_eq!(msg.header.kind, RecordKind::New);
    assert_eq!(msg.header.sequence, 0x2F4);
    assert_eq!(msg.header.preamble, "Q1");
    assert_eq!(msg.header.start, '$');
    let Record::Heartbeat(h) = msg.record else {
        panic!("{:?}", msg.record)
    };
    assert_eq!(h.track_status, TrackStatus::Green);
    assert_eq!(h.time_unix_s, Some(1_751_030_575));
    assert_eq!(h.elapsed_ms, Some(630_955));
    assert_eq!(h.laps_to_go, Some(0));
    assert_eq!(h.time_to_go_ms, Some(869_044));
    assert!(h.extra.is_empty());
}

#[test]
fn heartbeat_laps_to_go_is_hex() {
    // The protocol document's sample fields: 91 laps to go means 145.
    let msg = round_trip("$H¦N¦4F3A¦CP01¦G¦BC6AD080¦4CAD63¦91¦B837C");
    let Record::Heartbeat(h) = msg.record else {
        panic!()
    };
    assert_eq!(h.laps_to_go, Some(145));
    assert_eq!(h.elapsed_ms, Some(5_025_123)); // 01:23:45.123
    assert_eq!(h.time_to_go_ms, Some(754_556)); // 00:12:34.556
}

#[test]
fn header_record_kinds() {
    for (kind, expected) in [
        ("N", RecordKind::New),
        ("R", RecordKind::Repeated),
        ("U", RecordKind::Updated),
    ] {
        let msg = round_trip(&format!("$H¦{kind}¦139B¦Q1¦C¦685E980C¦13ABDF¦0¦0\r\n"));
        assert_eq!(msg.header.kind, expected);
        assert_eq!(msg.header.sequence, 5019);
        let Record::Heartbeat(h) = msg.record else {
            panic!()
        };
        assert_eq!(h.track_status, TrackStatus::Other("C".into()));
    }
}

#[test]
fn entry_with_empty_fields() {
    let msg = round_trip(
        "$E¦R¦17¦Q1¦12¦17¦Steve Introne¦18¦B¦B-Spec¦Honda Fit¦Windham NH¦NER¦180337¦White¦\
         Sripath/PurposeEnergy/BlackHog Beer/BostonMobileTire/Hyperco/G-Loc Brakes/Introne Comm¦¦¦¦¦17¦",
    );
    let Record::Entry(e) = msg.record else {
        panic!()
    };
    assert_eq!(e.number, "12");
    assert_eq!(e.unique_id, Some(23));
    assert_eq!(e.driver_name, "Steve Introne");
    assert_eq!(e.start_position, Some(24));
    assert_eq!(e.fields.len(), 11);
    assert_eq!(&e.fields[..3], ["B-Spec", "Honda Fit", "Windham NH"]);
    assert_eq!(&e.fields[7..], ["", "", "", ""]);
    assert_eq!(e.competitor_id, Some(0x17));
    assert_eq!(
        e.extra,
        [""],
        "the trailing separator is an empty extra field"
    );
}

#[test]
fn entry_name_in_windows_1252() {
    let bytes = b"$E\xa6N\xa61\xa6Q1\xa67\xa6A\xa6J\xfcrgen M\xfcller \x80\xa61\xa60\xa6B".to_vec();
    let msg = decode_line(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let Record::Entry(e) = &msg.record else {
        panic!()
    };
    assert_eq!(e.driver_name, "Jürgen Müller €");
    let mut out = Vec::new();
    encode_line(&msg, &mut out);
    assert_eq!(out.strip_suffix(b"\r\n"), Some(&bytes[..]));
}

#[test]
fn completed_lap() {
    let msg = round_trip(
        "$C¦U¦80004¦Q1¦C¦0¦8¦4¦83DDF¦1CB83¦T¦1CB83¦4¦2E6A¦0¦649¦0¦C¦1CB83¦Unknown¦G¦1¦0¦9¦0\r\n",
    );
    assert_eq!(msg.header.kind, RecordKind::Updated);
    let Record::CompletedLap(c) = msg.record else {
        panic!()
    };
    assert_eq!(c.rank, Some(12));
    assert_eq!(c.number, "0");
    assert_eq!(c.unique_id, Some(8));
    assert_eq!(c.completed_laps, Some(4));
    assert_eq!(c.elapsed_ms, Some(540_127));
    assert_eq!(c.last_lap_ms, Some(117_635));
    assert_eq!(c.lap_status, LapStatus::Track);
    assert_eq!(c.fastest_lap_ms, Some(117_635));
    assert_eq!(c.fastest_lap, Some(4));
    assert_eq!(c.behind_leader_ms, Some(11_882));
    assert_eq!(c.laps_behind_leader, Some(0));
    assert_eq!(c.behind_preceding_ms, Some(1_609));
    assert_eq!(c.laps_behind_preceding, Some(0));
    assert_eq!(c.overall_rank, Some(12));
    assert_eq!(c.overall_best_lap_ms, Some(117_635));
    assert_eq!(c.current_status, "Unknown");
    assert_eq!(c.track_status, TrackStatus::Green);
    assert_eq!(c.pit_stops, Some(1));
    assert_eq!(c.last_lap_pitted, Some(0));
    assert_eq!(c.start_position, Some(9));
    assert_eq!(c.laps_led, Some(0));
}

#[test]
fn completed_lap_keeps_non_canonical_hex() {
    // Leading zeros and lower case must come back exactly; `00` as car number is text.
    let msg = round_trip(
        "$C¦U¦00080004¦Q1¦0c¦00¦8¦4¦83ddf¦1CB83¦T¦¦¦2E6A¦0¦649¦0¦C¦1CB83¦Unknown¦G¦1¦0¦9¦0",
    );
    assert_eq!(msg.header.sequence, 0x80004);
    let Record::CompletedLap(c) = &msg.record else {
        panic!()
    };
    assert_eq!(
        (c.rank, c.number.as_str(), c.elapsed_ms),
        (Some(12), "00", Some(0x83DDF))
    );
    assert_eq!((c.fastest_lap_ms, c.fastest_lap), (None, None));
    assert_eq!(msg.verbatim.len(), 3);
    // A changed value is written canonically, not in the stale spelling.
    let mut changed = msg.clone();
    if let Record::CompletedLap(c) = &mut changed.record {
        c.rank = Some(13);
    }
    let mut out = Vec::new();
    encode_line(&changed, &mut out);
    assert!(out.starts_with(&wire("$C¦U¦00080004¦Q1¦D¦00¦8¦4¦83ddf¦")));
}

#[test]
fn completed_section() {
    let msg = round_trip("$S¦N¦F3170000¦Q1¦99¦EF317¦S1¦2DF3C0E¦7C07¦5");
    let Record::CompletedSection(s) = msg.record else {
        panic!()
    };
    assert_eq!(
        (s.number.as_str(), s.unique_id, s.section.as_str()),
        ("99", Some(979_735), "S1")
    );
    assert_eq!(
        (s.elapsed_ms, s.section_ms, s.last_lap),
        (Some(48_184_334), Some(31_751), Some(5))
    );
}

#[test]
fn line_crossing() {
    let msg = round_trip("$L¦N¦EF325¦Q1¦89¦5¦SF¦A¦9B82E¦G¦T\r\n");
    let Record::LineCrossing(l) = msg.record else {
        panic!()
    };
    assert_eq!(
        (l.number.as_str(), l.unique_id, l.timeline.as_str()),
        ("89", Some(5), "SF")
    );
    assert_eq!(l.source, CrossingSource::Antenna);
    assert_eq!(l.elapsed_ms, Some(636_974));
    assert_eq!(l.track_status, TrackStatus::Green);
    assert_eq!(l.crossing_status, CrossingStatus::Track);
}

#[test]
fn invalidated_laps() {
    let msg = round_trip("$I¦R¦F005A¦Q1¦31¦F005A¦84E¦\r\n");
    let Record::InvalidatedLap(i) = msg.record else {
        panic!()
    };
    assert_eq!(
        (i.number.as_str(), i.unique_id, i.elapsed_ms),
        ("31", Some(983_130), Some(2_126))
    );
    assert_eq!(i.extra, [""]);
    let msg = round_trip("$I¦U¦F005A¦Q1¦??¦F005A¦0¦");
    let Record::InvalidatedLap(i) = msg.record else {
        panic!()
    };
    assert_eq!(
        (i.number.as_str(), i.unique_id, i.elapsed_ms),
        ("??", Some(983_130), Some(0))
    );
}

#[test]
fn flag_info() {
    let msg = round_trip("$F¦R¦5¦Q1¦K¦0¦D7108¦6¦6088A¦1¦0¦1¦00¦1¦81.63");
    let Record::FlagInfo(f) = msg.record else {
        panic!()
    };
    assert_eq!(f.track_status, TrackStatus::Checkered);
    assert_eq!(
        (f.lap, f.green_ms, f.green_laps),
        (Some(0), Some(880_904), Some(6))
    );
    assert_eq!(
        (f.yellow_ms, f.yellow_laps, f.red_ms),
        (Some(395_402), Some(1), Some(0))
    );
    assert_eq!(
        (f.yellow_count, f.leader.as_str(), f.lead_changes),
        (Some(1), "00", Some(1))
    );
    assert_eq!(f.average_speed_mph, "81.63");
}

#[test]
fn new_leader() {
    let msg = round_trip("$N¦U¦80004¦Q1¦01¦469D¦45¦4CAD63¦20");
    let Record::NewLeader(n) = msg.record else {
        panic!()
    };
    assert_eq!(
        (n.number.as_str(), n.unique_id, n.lap),
        ("01", Some(18_077), Some(69))
    );
    assert_eq!(
        (n.elapsed_ms, n.lead_change_index),
        (Some(5_025_123), Some(32))
    );
}

#[test]
fn run_info() {
    let msg = round_trip(
        "$R¦R¦400004C7¦Q1¦Watkins Glen Hoosier Super Tour¦¦Grp 2  FA FC FE2 P P2 Qual 1¦Q¦685ECBB8",
    );
    let Record::RunInfo(r) = msg.record else {
        panic!()
    };
    assert_eq!(r.event_name, "Watkins Glen Hoosier Super Tour");
    assert_eq!(r.event_short_name, "");
    assert_eq!(r.run_name, "Grp 2  FA FC FE2 P P2 Qual 1");
    assert_eq!(r.run_type, RunType::Qualifying);
    assert_eq!(r.start_time_unix_s, Some(1_751_043_000));
}

#[test]
fn track_info() {
    let msg = round_trip(
        "$T¦R¦22¦Q1¦Watkins Glen¦WGI¦3.4¦4¦S1¦0¦SF¦IM1¦S2¦0¦IM1¦IM3¦S3¦0¦IM3¦SF¦Spd¦1438¦IM1¦IM2",
    );
    let Record::TrackInfo(t) = msg.record else {
        panic!()
    };
    assert_eq!(
        (t.name.as_str(), t.venue.as_str(), t.length_mi.as_str()),
        ("Watkins Glen", "WGI", "3.4")
    );
    assert_eq!(t.sections.len(), 4);
    assert_eq!(t.sections[1].name, "S2");
    assert_eq!(
        (
            t.sections[1].start_line.as_str(),
            t.sections[1].end_line.as_str()
        ),
        ("IM1", "IM3")
    );
    assert_eq!(
        (
            t.sections[3].name.as_str(),
            t.sections[3].length_in.as_str()
        ),
        ("Spd", "1438")
    );
}

#[test]
fn announcement() {
    let msg = round_trip("$A¦N¦F3170000¦Q1¦2F¦A¦U¦BC6AD080¦Some Message");
    let Record::Announcement(a) = msg.record else {
        panic!()
    };
    assert_eq!(
        (a.message_number, a.action.as_str(), a.priority.as_str()),
        (Some(47), "A", "U")
    );
    assert_eq!(a.timestamp_unix_s, Some(3_161_116_800));
    assert_eq!(a.text, "Some Message");
}

#[test]
fn version() {
    let msg = round_trip("$V¦R¦1¦Q1¦1¦5¦Multiloop feed");
    let Record::Version(v) = msg.record else {
        panic!()
    };
    assert_eq!(
        (v.major, v.minor, v.info.as_str()),
        (Some(1), Some(5), "Multiloop feed")
    );
}

#[test]
fn usac_extension_is_kept_as_unknown() {
    let msg = round_trip("$USAC:DRIVERID¦N¦1¦Q1¦17¦1A2B3C¦4¦Michael Schumacher");
    let Record::Unknown(u) = &msg.record else {
        panic!()
    };
    assert_eq!(u.command, "USAC:DRIVERID");
    assert_eq!(u.fields, ["17", "1A2B3C", "4", "Michael Schumacher"]);
    assert_eq!(msg.record.command(), "USAC:DRIVERID");
}

#[test]
fn extra_fields_and_other_start_character_are_kept() {
    let msg = round_trip("#V¦R¦1¦Q1¦1¦5¦Multiloop feed¦future¦0A");
    assert_eq!(msg.header.start, '#');
    let Record::Version(v) = msg.record else {
        panic!()
    };
    assert_eq!(v.extra, ["future", "0A"]);
}

#[test]
fn json_is_tagged_by_record_type() {
    let msg = round_trip(
        "$C¦U¦80004¦Q1¦C¦0¦8¦4¦83DDF¦1CB83¦T¦1CB83¦4¦2E6A¦0¦649¦0¦C¦1CB83¦Unknown¦G¦1¦0¦9¦0",
    );
    let json = serde_json::to_value(&msg).unwrap_or_default();
    assert_eq!(json["record"]["type"], "COMPLETED_LAP");
    assert_eq!(json["record"]["elapsed_ms"], 540_127);
    assert_eq!(json["record"]["track_status"], "GREEN");
    assert_eq!(json["header"]["kind"], "UPDATED");
    assert!(
        json.get("verbatim").is_none(),
        "canonical input needs no verbatim spellings"
    );
    let back: Message = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, msg);
}

#[test]
fn precise_errors() {
    let cases: [(&str, MultiloopError); 8] = [
        ("\r\n", MultiloopError::Empty),
        ("$¦N¦1¦Q1", MultiloopError::MissingCommand),
        ("\r$H¦N", MultiloopError::InvalidStart { byte: b'\r' }),
        (
            "$H¦N\n$H¦N",
            MultiloopError::EmbeddedLineFeed { position: 4 },
        ),
        (
            "$H¦R¦",
            MultiloopError::InvalidHex {
                command: "H".into(),
                index: 2,
                name: "sequence number",
                text: String::new(),
            },
        ),
        (
            "$H¦N¦1¦Q1¦G¦685E9B2F¦9A0AB¦0",
            MultiloopError::MissingField {
                command: "H".into(),
                index: 8,
                name: "time to go",
            },
        ),
        (
            "$C¦N¦1¦Q1¦1¦7¦x9",
            MultiloopError::InvalidHex {
                command: "C".into(),
                index: 6,
                name: "unique identifier",
                text: "x9".into(),
            },
        ),
        (
            "$T¦R¦22¦Q1¦WG¦WGI¦3.4¦FFFFFFFFFFFFFFF¦S1",
            MultiloopError::CountTooLarge {
                command: "T".into(),
                name: "section count",
                announced: 0xFFF_FFFF_FFFF_FFFF,
                available: 1,
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(decode_line(&wire(text)), Err(expected), "{text:?}");
    }
}

#[test]
fn overflow_and_error_messages() {
    let overflow = decode_line(&wire("$V¦R¦1¦Q1¦10000000000000000¦5¦x"));
    assert!(
        matches!(overflow, Err(MultiloopError::HexOverflow { index: 4, .. })),
        "{overflow:?}"
    );
    assert_eq!(
        decode_line(&wire("$H¦N")).map_err(|e| e.to_string()),
        Err("$H: missing field 2 (sequence number)".to_owned())
    );
}
