//! Unit tests of decoding and encoding, one or more per record and per error.

use super::*;

fn decode(line: &str) -> Result<Record, RmonitorError> {
    decode_line(line.as_bytes())
}

fn encode(rec: &Record) -> String {
    let mut out = Vec::new();
    encode_line(rec, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes `line`, checks it re-encodes to exactly the same text, returns the record.
fn exact(line: &str) -> Record {
    let rec = decode(line).unwrap_or_else(|e| Record::Unknown {
        command: format!("error: {e}").into(),
        fields: vec![],
    });
    assert_eq!(encode(&rec), format!("{line}\r\n"), "{rec:?}");
    rec
}

fn t(text: &str) -> RmTime {
    RmTime::parse(text.as_bytes()).unwrap_or_else(|| RmTime::from_ms(0))
}

#[test]
fn heartbeat_fields() {
    let rec = exact(r#"$F,9999,"00:00:00","07:59:59","00:00:00","Green ""#);
    let want = Record::Heartbeat {
        laps_to_go: Some(9999),
        time_to_go: t("00:00:00"),
        time_of_day: t("07:59:59"),
        race_time: t("00:00:00"),
        flag: Flag::Green,
        extra: vec![],
    };
    assert_eq!(rec, want);
    if let Record::Heartbeat { time_of_day, .. } = rec {
        assert_eq!(time_of_day.ms(), (7 * 3600 + 59 * 60 + 59) * 1000);
    }
}

#[test]
fn heartbeat_with_race_time_past_24_hours() {
    let rec = exact(r#"$F,0,"00:00:00","10:00:01","26:00:01","Finish""#);
    assert!(
        matches!(rec, Record::Heartbeat { race_time, flag: Flag::Finish, .. } if race_time.ms() == 93_601_000)
    );
}

#[test]
fn competitor_with_non_numeric_transponder_and_cp1252_name() {
    let line = b"$A,\"12\",\"12X\",NE4,\"J\xfcrgen\",\"M\xfcller\",\"GER\",3";
    let rec = decode_line(line);
    assert!(
        matches!(&rec, Ok(Record::Competitor { transponder, first_name, class_no: Some(3), .. })
        if transponder == "NE4" && first_name == "Jürgen")
    );
    let mut out = Vec::new();
    if let Ok(rec) = &rec {
        encode_line(rec, &mut out);
    }
    assert_eq!(out, [&line[..], b"\r\n"].concat());
}

#[test]
fn competitor_with_empty_transponder_and_extra_fields() {
    let rec = exact(r#"$A,"669","669",,"Rapscallion","","",2,"x",7"#);
    let Record::Competitor {
        transponder, extra, ..
    } = rec
    else {
        panic!("not a competitor: {rec:?}");
    };
    assert_eq!(transponder, "");
    let want = [
        RawField {
            text: "x".into(),
            quoted: true,
        },
        RawField {
            text: "7".into(),
            quoted: false,
        },
    ];
    assert_eq!(extra, want);
}

#[test]
fn comp_run_class_setting() {
    assert!(
        matches!(exact(r#"$COMP,"70","70",1,"Round 3 Racing","","","Trim-Tex""#),
        Record::CompetitorExt { class_no: Some(1), additional, .. } if additional == "Trim-Tex")
    );
    let end = exact(r#"$B,95,"Test Session 4""#);
    assert!(end.is_session_end());
    assert!(!exact(r#"$B,32,"Test Session 4""#).is_session_end());
    assert!(
        matches!(exact(r#"$C,4,"""#), Record::Class { class_no: 4, description, .. } if description.is_empty())
    );
    assert!(
        matches!(exact(r#"$E,"TRACKLENGTH","3.700""#), Record::Setting { key, value, .. }
        if key == "TRACKLENGTH" && value == "3.700")
    );
}

#[test]
fn positions_with_empty_laps_and_sentinel() {
    let rec = exact(r#"$G,2,"45",,"00:59:59.999""#);
    assert!(
        matches!(rec, Record::RacePosition { position: 2, laps: None, total_time, .. } if total_time.is_no_passing())
    );
    let rec = exact(r#"$H,1,"21",3,"00:01:58.123""#);
    assert!(
        matches!(rec, Record::PracticePosition { best_lap_no: Some(3), best_lap_time, .. } if best_lap_time.ms() == 118_123)
    );
    assert!(
        matches!(exact(r#"$G,1,"629",,"00:00:00""#), Record::RacePosition { total_time, .. } if total_time.decimals() == 0)
    );
}

#[test]
fn negative_laps_and_count_down_race_time_from_real_feeds() {
    let rec = exact(r#"$G,58,"168",-2,"07:41:27.174""#);
    assert!(matches!(rec, Record::RacePosition { laps: Some(-2), .. }));
    let rec = exact(r#"$F,9999,"08:00:09","08:59:50","00:00:-9","      ""#);
    assert!(
        matches!(rec, Record::Heartbeat { race_time, flag: Flag::None, .. } if race_time.ms() == -9000)
    );
    assert!(matches!(
        decode(r#"$G,1,"1",--2,"00:00:00""#),
        Err(RmonitorError::BadNumber { index: 3, .. })
    ));
    assert!(matches!(
        decode(r#"$H,1,"1",-2,"00:00:00""#),
        Err(RmonitorError::BadNumber { index: 3, .. })
    ));
}

#[test]
fn init_keeps_both_separator_styles() {
    let spaced = exact(r#"$I, "00:00:00", "0/0/0000""#);
    assert!(
        matches!(&spaced, Record::Init { separator: Separator::CommaSpace, date, .. } if date == "0/0/0000")
    );
    let plain = exact(r#"$I,"10:03:08","27 Jan 09""#);
    assert!(matches!(
        plain,
        Record::Init {
            separator: Separator::Comma,
            ..
        }
    ));
}

#[test]
fn other_whitespace_is_tolerated_and_normalised() {
    let rec = decode(r#"$G , 1"#);
    assert_eq!(rec, Err(RmonitorError::BadCommand("G ".into())));
    let rec = decode("$G, 3 ,\t\"9\" ,12, \"00:10:00.000\"");
    assert!(matches!(
        &rec,
        Ok(Record::RacePosition {
            position: 3,
            laps: Some(12),
            ..
        })
    ));
    assert_eq!(
        rec.map(|r| encode(&r)),
        Ok("$G,3,\"9\",12,\"00:10:00.000\"\r\n".to_owned())
    );
}

#[test]
fn passing_and_correction() {
    assert!(matches!(exact(r#"$J,"21","00:00:00.000","00:00:56.665""#),
        Record::Passing { lap_time, total_time, .. } if lap_time.ms() == 0 && total_time.ms() == 56_665));
    let rec = exact(r#"$COR,"3","3",12,"00:20:01.250","-00:00:00.250""#);
    assert!(matches!(rec, Record::Correction { laps: Some(12), delta, .. } if delta.ms() == -250));
}

#[test]
fn imsa_line_crossing_old_and_new() {
    let old = exact(r#"$L,"40","P2","POP","01/27/2009","08:00:05.894""#);
    assert!(
        matches!(old, Record::LineCrossing { driver_id: None, class_name: None, time, .. } if time.ms() == 28_805_894)
    );
    let new = exact(r#"$L,"13","P2","POP","01/27/2009","10:10:20.589",1,"PC""#);
    assert!(
        matches!(new, Record::LineCrossing { driver_id: Some(1), class_name: Some(c), .. } if c == "PC")
    );
    exact(r#"$L,"13","T1","SFT","01/27/2009","10:10:20.589",0"#);
    exact(r#"$L,"13","T1","SFT","01/27/2009","10:10:20.589",,"GTLM""#);
}

#[test]
fn imsa_track_info_sections() {
    let rec = exact(
        r#"$T,"Circuit of the Americas","COTA","3.41",2,"LAP","T1","P1",217379,"S1","T1","T2",40000"#,
    );
    let Record::TrackInfo { sections, .. } = rec else {
        panic!("not track info: {rec:?}");
    };
    assert_eq!(sections.len(), 2);
    assert_eq!(sections[0].distance_inches, 217_379);
    assert_eq!(sections[1].end_line, "T2");
    assert_eq!(
        decode(r#"$T,"COTA","C","3.41",2,"LAP","T1","P1",217379"#),
        Err(RmonitorError::FieldCount {
            command: "T",
            expected: 12,
            got: 8
        })
    );
    assert!(matches!(
        decode(r#"$T,"x","y","z",4000000000"#),
        Err(RmonitorError::FieldCount { got: 4, .. })
    ));
}

#[test]
fn lap_info_practice_and_race() {
    assert!(matches!(
        exact(r#"$SP,1,"7",4,"00:01:10.100""#),
        Record::LapInfo {
            kind: LapKind::Practice,
            lap_no: Some(4),
            ..
        }
    ));
    assert!(matches!(
        exact(r#"$SR,2,"8",,"00:01:11.100""#),
        Record::LapInfo {
            kind: LapKind::Race,
            lap_no: None,
            ..
        }
    ));
}

#[test]
fn race_monitor_records() {
    assert!(
        matches!(exact(r#"$RMS,"qualifying""#), Record::RaceMonitorSession { session_type, .. } if session_type == "qualifying")
    );
    assert!(
        matches!(exact("$RMLT,610,1432477898000"), Record::RaceMonitorLapTime { reg_no, epoch_ms: 1_432_477_898_000, .. } if reg_no == "610")
    );
    let hl = exact(r#"$RMHL,"688","1","1","00:00:43.038","Green ","00:01:27.756""#);
    assert!(matches!(
        hl,
        Record::RaceMonitorLapHistory {
            lap: Some(1),
            position: Some(1),
            flag: Flag::Green,
            ..
        }
    ));
    assert!(matches!(
        exact("$RMCA,1432477884000"),
        Record::RaceMonitorClock {
            epoch_ms: 1_432_477_884_000,
            ..
        }
    ));
    assert!(
        matches!(exact(r#"$RMDTL,"""#), Record::RaceMonitorDetail { text, .. } if text.is_empty())
    );
    assert!(matches!(
        exact("$join,23,2c90a0df-41b2-45e7-8703-0d0517ea6e0f"),
        Record::RaceMonitorJoin { number: 23, .. }
    ));
}

#[test]
fn unknown_commands_are_kept_whole() {
    let rec = exact(r#"$XYZ,1,"two",,"""#);
    assert_eq!(rec.command(), "XYZ");
    assert!(matches!(&rec, Record::Unknown { fields, .. } if fields.len() == 4));
    assert!(matches!(exact("$Q"), Record::Unknown { fields, .. } if fields.is_empty()));
    assert!(matches!(exact("$Q,"), Record::Unknown { fields, .. } if fields.len() == 1));
}

#[test]
fn errors_are_precise() {
    assert_eq!(
        decode("Change to 60 seconds later"),
        Err(RmonitorError::NotARecord)
    );
    assert_eq!(decode(""), Err(RmonitorError::NotARecord));
    assert_eq!(decode("$,1"), Err(RmonitorError::BadCommand(String::new())));
    assert_eq!(
        decode(r#"$G,1,"7""#),
        Err(RmonitorError::FieldCount {
            command: "G",
            expected: 4,
            got: 2
        })
    );
    assert_eq!(
        decode(r#"$G,x,"7",,"00:00:01.000""#),
        Err(RmonitorError::BadNumber {
            command: "G",
            index: 1,
            text: "x".into()
        })
    );
    assert_eq!(
        decode(r#"$J,"7","1:00","00:00:01.000""#),
        Err(RmonitorError::BadTime {
            command: "J",
            index: 2,
            text: "1:00".into()
        })
    );
    assert_eq!(
        decode(r#"$C,1,"GT"#),
        Err(RmonitorError::UnterminatedQuote { index: 2 })
    );
    let msg = decode(r#"$A,"1""#).map_err(|e| e.to_string());
    assert_eq!(
        msg,
        Err("wrong field count for $A: expected at least 7, got 1".to_owned())
    );
}

#[test]
fn trailing_carriage_returns_are_stripped() {
    assert!(
        matches!(decode("$C,1,\"GTO\"\r\r"), Ok(Record::Class { description, .. }) if description == "GTO")
    );
}

#[test]
fn encoding_never_breaks_framing() {
    let rec = Record::Competitor {
        reg_no: "1".into(),
        number: "1".into(),
        transponder: "a,b".into(),
        first_name: "line\nfeed".into(),
        last_name: "say \"hi\"".into(),
        nationality: "日本".into(),
        class_no: None,
        extra: vec![RawField {
            text: " padded".into(),
            quoted: false,
        }],
    };
    let text = encode(&rec);
    assert_eq!(
        text,
        "$A,\"1\",\"1\",\"a,b\",\"line feed\",\"say \"\"hi\"\"\",\"??\",,\" padded\"\r\n"
    );
    let unknown = Record::Unknown {
        command: "X,\n".into(),
        fields: vec![],
    };
    assert_eq!(encode(&unknown), "$X__\r\n");
}

#[test]
fn json_is_internally_tagged() {
    let rec = decode(r#"$B,95,"Test Race""#).unwrap_or_else(|e| Record::Unknown {
        command: e.to_string().into(),
        fields: vec![],
    });
    let json = serde_json::to_string(&rec).unwrap_or_default();
    assert_eq!(
        json,
        r#"{"type":"RUN","run_no":95,"description":"Test Race"}"#
    );
    let hb = decode(r#"$F,,"00:00:00","07:59:59","00:00:00","Purple""#);
    let json = hb
        .as_ref()
        .map(|r| serde_json::to_string(r).unwrap_or_default());
    assert_eq!(
        json.as_deref(),
        Ok(
            r#"{"type":"HEARTBEAT","laps_to_go":null,"time_to_go":"00:00:00","time_of_day":"07:59:59","race_time":"00:00:00","flag":"PURPLE"}"#
        )
    );
    let back: Result<Record, _> = serde_json::from_str(json.as_deref().unwrap_or_default());
    assert_eq!(back.ok(), hb.ok());
}

mod fast_paths;
