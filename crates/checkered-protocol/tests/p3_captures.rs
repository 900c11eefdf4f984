//! P3 decoding of every shared capture and the reference's worked vectors.

use checkered_protocol::p3::{self, FrameErrorKind, Record, decode_all, encode};
use std::collections::BTreeMap;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/p3/");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Counts decoded frames per type name, and errors per kind (junk apart).
fn tally(bytes: &[u8]) -> (BTreeMap<&'static str, usize>, Vec<FrameErrorKind>, u64) {
    let mut types = BTreeMap::new();
    let mut errors = Vec::new();
    let mut junk = 0;
    for item in decode_all(bytes) {
        match item {
            Ok(d) => *types.entry(d.frame.record.tor().name()).or_insert(0) += 1,
            Err(e) => match e.kind {
                FrameErrorKind::Junk { len } => junk += len,
                kind => errors.push(kind),
            },
        }
    }
    (types, errors, junk)
}

fn passing(bytes: &[u8]) -> p3::Passing {
    match decode_all(bytes).into_iter().next() {
        Some(Ok(d)) => match d.frame.record {
            Record::Passing(p) => p,
            other => panic!("expected a passing, got {other:?}"),
        },
        other => panic!("expected a frame, got {other:?}"),
    }
}

#[test]
fn kart_decoder_log_has_45_passings_21_statuses_and_one_bad_frame() {
    let (types, errors, junk) = tally(&read("kart-decoder-2022-05-01.log"));
    assert_eq!(types.get("PASSING"), Some(&45));
    assert_eq!(types.get("STATUS"), Some(&21));
    assert_eq!(types.len(), 2, "{types:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    // The PuTTY text header (and its CR LF) is the only junk.
    let header = read("kart-decoder-2022-05-01.log")
        .iter()
        .position(|&b| b == 0x8e)
        .expect("a frame");
    assert_eq!(junk, header as u64);
}

#[test]
fn the_bad_kart_frame_is_rejected_on_length_or_crc_not_dropped_silently() {
    let (_, errors, _) = tally(&read("kart-decoder-2022-05-01.log"));
    assert!(
        matches!(
            errors[0],
            FrameErrorKind::LengthMismatch { .. } | FrameErrorKind::CrcMismatch { .. }
        ),
        "{errors:?}"
    );
}

#[test]
fn good_passing_fields() {
    let p = passing(&read("frame-good_passing.bin"));
    assert_eq!(p.passing_number, Some(0x0001_bc48));
    assert_eq!(p.transponder, Some(0x002c_581d));
    assert_eq!(p.rtc_time_us, Some(0x0005_1ba4_c4bf_05e8));
    assert_eq!(
        (p.strength, p.hits, p.flags),
        (Some(0x6a), Some(0x32), Some(0))
    );
    assert_eq!(p.decoder_id, Some(0x0002_0f93));
    assert!(p.unknown.is_empty());
}

#[test]
fn escaped_crc_and_escaped_rtc_bytes_decode() {
    // CRC 0x8FC4 is sent as C4 8D AF.
    assert_eq!(
        passing(&read("frame-bad_passing.bin")).passing_number,
        Some(0x0001_bc47)
    );
    // RTC contains 0x8E, sent as 8D AE.
    let p = passing(&read("frame-missing_strength.bin"));
    assert_eq!(p.rtc_time_us, Some(0x0005_1ba7_548e_ee98));
    let (types, errors, _) = tally(&read("frame-escaped-crc.bin"));
    assert_eq!((types.get("STATUS"), errors.len()), (Some(&1), 0));
}

#[test]
fn unescaped_low_markers_are_accepted_and_preserved() {
    // This emulator frame sends transponder byte 0x8B raw, without the escape a real
    // decoder uses; the CRC is valid, so the frame is accepted and re-encoded the same way.
    let bytes = read("frame-last.bin");
    let p = passing(&bytes);
    assert_eq!(p.transponder, Some(0x0064_e98b));
    let Some(Ok(d)) = decode_all(&bytes).into_iter().next() else {
        panic!()
    };
    assert!(!d.frame.escape_low);
    let mut wire = Vec::new();
    encode(&d.frame, &mut wire);
    assert_eq!(wire, bytes);
}

#[test]
fn every_single_frame_file_decodes_cleanly() {
    for (name, count) in [
        ("frame-first.bin", 1),
        ("frame-last.bin", 1),
        ("frame-status.bin", 1),
        ("frame-good_passing.bin", 1),
        ("frame-bad_passing.bin", 1),
        ("frame-missing_strength.bin", 1),
        ("frame-escaped-crc.bin", 1),
        ("frame-multi.bin", 10),
    ] {
        let (types, errors, junk) = tally(&read(name));
        assert_eq!(types.values().sum::<usize>(), count, "{name}");
        assert_eq!((errors.len(), junk), (0, 0), "{name}: {errors:?}");
    }
}

#[test]
fn junk_before_a_frame_is_skipped_and_reported() {
    let (types, errors, junk) = tally(&read("frame-need_trimming.bin"));
    assert_eq!((types.get("PASSING"), errors.len(), junk), (Some(&1), 0, 9));
}

#[test]
fn reference_prochip_passing_vector() {
    let wire = unhex(
        "8e023d0012850000010001049922000003042af71f060a08464c2d39343839300502850006021d0004088501ca0866420600080200008104d0000c008f",
    );
    let p = passing(&wire);
    assert_eq!(p.passing_number, Some(8857));
    assert_eq!(p.transponder, Some(102_758_186));
    assert_eq!(p.tran_code.as_deref(), Some("FL-94890"));
    assert_eq!(
        (p.strength, p.hits, p.flags),
        (Some(133), Some(29), Some(0))
    );
    assert_eq!(p.rtc_time_us, Some(1_761_855_861_817_733));
    assert_eq!(p.decoder_id, Some(0x000C_00D0));
}

#[test]
fn reference_status_and_ammc_vectors() {
    let status = unhex("8e021f006cb10000020001023500070210000601010a01008104d0000c008f");
    let Some(Ok(d)) = decode_all(&status).into_iter().next() else {
        panic!("status did not decode")
    };
    let Record::Status(s) = d.frame.record else {
        panic!("not a status")
    };
    assert_eq!(
        (s.noise, s.temperature, s.gps, s.satinuse),
        (Some(53), Some(16), Some(1), Some(0))
    );
    assert_eq!(s.decoder_id, Some(0x000C_00D0));
    let ammc = unhex(
        "8e02330043df000001000104490c01000304c6e548000408e8f067b2e17b04000502a7000602f500080200008104e80904008f",
    );
    assert_eq!(passing(&ammc).transponder, Some(4_777_414));
    let escaped = unhex(
        "8e0233008dae400000010001047c680200030473d756000408882878f31e8305000502b20006021f00080200008104131804008f",
    );
    assert!(passing(&escaped).transponder.is_some());
}

#[test]
fn every_good_frame_in_every_capture_re_encodes_byte_for_byte() {
    let mut checked = 0;
    for entry in std::fs::read_dir(DATA).expect("data dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        for d in decode_all(&bytes).into_iter().flatten() {
            let mut wire = Vec::new();
            encode(&d.frame, &mut wire);
            let start = usize::try_from(d.offset).expect("offset");
            assert_eq!(
                wire,
                bytes[start..start + d.wire_len],
                "{path:?} at {}",
                d.offset
            );
            checked += 1;
        }
    }
    assert!(checked >= 66 + 16, "only {checked} frames checked");
}

#[test]
fn json_output_names_the_record_type() {
    let Some(Ok(d)) = decode_all(&read("frame-good_passing.bin"))
        .into_iter()
        .next()
    else {
        panic!()
    };
    let json = serde_json::to_value(&d.frame).expect("json");
    assert_eq!(json["type"], "PASSING");
    assert_eq!(json["transponder"], 0x002c_581d);
}
