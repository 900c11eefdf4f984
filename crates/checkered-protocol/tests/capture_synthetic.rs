//! Capture splitting on hand-made inputs (sources, BOMs, bad headers, bad hex, zones), format
//! names, sniffing, and properties: no panics on arbitrary bytes in any format, items point
//! into the input, and the civil-date conversion is continuous day after day.

use checkered_protocol::capture::*;
use proptest::collection::vec;
use proptest::prelude::*;
use std::borrow::Cow;

/// (offset, captured_at_us, source, data) of an item, owned for comparison.
type Owned<'a> = (usize, Option<i64>, Option<&'a str>, Vec<u8>);

fn items(format: CaptureFormat, bytes: &[u8]) -> Vec<Result<Owned<'_>, CaptureError>> {
    split(format, bytes)
        .map(|r| r.map(|i| (i.offset, i.captured_at_us, i.source, i.data.into_owned())))
        .collect()
}

const T0: i64 = 1_745_675_928_222_000; // 2025-04-26 13:58:48.222 UTC

#[test]
fn redmist_sources_bom_blank_lines_and_bad_headers() {
    let log = b"\xEF\xBB\xBF$early line\n##2025-04-26 13:58:48.222|multiloop\n\n$H\xa6N\r\n$C\xa6U\r\n\n##2025-04-26 13:58:48.223|x2pass\r\nP1\n##2025-04-26 25:00:00.000\n$lost clock\n\n##2025-04-26 13:58:49.000\n";
    let got = items(CaptureFormat::RedmistLog, log);
    let header2 = log.windows(3).position(|w| w == b"x2p").unwrap_or(0);
    let data1 = log.windows(2).position(|w| w == b"$H").unwrap_or(0);
    assert_eq!(
        got,
        vec![
            Ok((3, None, None, b"$early line\n".to_vec())),
            Ok((
                data1,
                Some(T0),
                Some("multiloop"),
                b"$H\xa6N\r\n$C\xa6U\r\n".to_vec()
            )),
            Ok((
                header2 + 8,
                Some(T0 + 1_000),
                Some("x2pass"),
                b"P1\n".to_vec()
            )),
            Err(CaptureError::BadTimestamp {
                offset: header2 + 13,
                reason: "time of day out of range"
            }),
            Ok((header2 + 37, None, None, b"$lost clock\n".to_vec())),
            Ok((log.len(), Some(T0 + 778_000), None, Vec::new())),
        ]
    );
}

#[test]
fn timestamped_lines_with_zones_and_errors() {
    let text = "2024-05-01T14:55:57.123Z $F,1\r\n\n2024-05-01T16:55:57+02:00 $F,2\n2024-05-01 14:55:58 $F,3\nnot a time $F,4\n2024-05-01T14:55:59Z\n2024-05-01T14:55:59.5\t$F,5";
    let got = items(CaptureFormat::TimestampedLines, text.as_bytes());
    let base = 1_714_575_357_000_000;
    let at = |s: &str| text.find(s).unwrap_or(0);
    assert_eq!(
        got,
        vec![
            Ok((at("$F,1"), Some(base + 123_000), None, b"$F,1\r\n".to_vec())),
            Ok((at("$F,2"), Some(base), None, b"$F,2\n".to_vec())),
            Ok((at("$F,3"), Some(base + 1_000_000), None, b"$F,3\n".to_vec())),
            Err(CaptureError::BadTimestamp {
                offset: at("not a"),
                reason: "expected a four-digit year"
            }),
            Err(CaptureError::MissingSeparator {
                offset: at("2024-05-01T14:55:59Z") + 20
            }),
            Ok((at("$F,5"), Some(base + 2_500_000), None, b"$F,5".to_vec())),
        ]
    );
}

#[test]
fn p3_hex_lines_comments_and_bad_hex() {
    let text = "# decoder 1\n8E 02 1F 00\r\n  8e021f00 \n\n2024-05-01T14:55:57Z 8E 0G\n8E 0 2\n8E 02 # tail\n2024-05-01T14:55:57.001Z\t8F\n";
    let got = items(CaptureFormat::P3Hex, text.as_bytes());
    let at = |s: &str| text.find(s).unwrap_or(0);
    assert_eq!(
        got,
        vec![
            Ok((at("8E 02 1F"), None, None, vec![0x8E, 0x02, 0x1F, 0x00])),
            Ok((at("8e021f00"), None, None, vec![0x8E, 0x02, 0x1F, 0x00])),
            Err(CaptureError::BadHex {
                offset: at("0G") + 1,
                reason: "not a hexadecimal digit"
            }),
            Err(CaptureError::BadHex {
                offset: at("0 2"),
                reason: "lone hex digit"
            }),
            Err(CaptureError::BadHex {
                offset: at("# tail"),
                reason: "not a hexadecimal digit"
            }),
            Ok((at("8F"), Some(1_714_575_357_001_000), None, vec![0x8F])),
        ]
    );
}

#[test]
fn putty_leading_bytes_and_broken_header() {
    let mut log = b"\x8e\x02tail of an earlier session".to_vec();
    log.extend_from_slice(
        b"=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2022.05.01 14:55:57 =~=~=~=~=~=~=~=~=~=~=~=\r\n\x8eA",
    );
    let second = log.len();
    log.extend_from_slice(
        b"=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2022.13.01 14:55:57 =~=~=~=~=~=~=~=~=~=~=~=\r\n\x8eB",
    );
    let got = items(CaptureFormat::PuttyLog, &log);
    assert_eq!(
        got,
        vec![
            Ok((
                0,
                None,
                None,
                b"\x8e\x02tail of an earlier session".to_vec()
            )),
            Ok((
                second - 2,
                Some(1_651_416_957_000_000),
                None,
                b"\x8eA".to_vec()
            )),
            Err(CaptureError::BadTimestamp {
                offset: second + PUTTY_HEADER_PREFIX.len(),
                reason: "month out of range"
            }),
            Ok((log.len() - 2, None, None, b"\x8eB".to_vec())),
        ]
    );
}

#[test]
fn raw_formats_borrow_the_whole_input() {
    let bytes = b"$H\xa6N\r\n";
    let item = split(CaptureFormat::RawText, bytes).next();
    assert!(matches!(
        item,
        Some(Ok(CaptureItem {
            offset: 0,
            captured_at_us: None,
            data: Cow::Borrowed(_),
            ..
        }))
    ));
    assert_eq!(split(CaptureFormat::RawBinary, b"").count(), 0);
}

#[test]
fn format_names_parse_and_display() {
    for format in CaptureFormat::ALL {
        assert_eq!(format.to_string().parse::<CaptureFormat>(), Ok(format));
    }
    assert_eq!(
        "putty".parse::<CaptureFormat>(),
        Ok(CaptureFormat::PuttyLog)
    );
    assert_eq!("P3_HEX".parse::<CaptureFormat>(), Ok(CaptureFormat::P3Hex));
    assert_eq!(
        "pcap".parse::<CaptureFormat>(),
        Err(UnknownFormat("pcap".into()))
    );
}

#[test]
fn sniff_synthetic_inputs() {
    let cases: [(&[u8], Option<CaptureFormat>); 7] = [
        (
            b"2024-05-01T14:55:57.123Z $F,9999\n",
            Some(CaptureFormat::TimestampedLines),
        ),
        (
            b"2024-05-01T14:55:57.123Z 8E 02 1F 00\n",
            Some(CaptureFormat::P3Hex),
        ),
        (b"# capture\n8E021F00\n", Some(CaptureFormat::P3Hex)),
        (
            b"\xEF\xBB\xBF##2025-04-26 13:58:48.222\n",
            Some(CaptureFormat::RedmistLog),
        ),
        (b"\r\n$F,9999\r\n", Some(CaptureFormat::RawText)),
        (b"", None),
        (b"hello\n", None),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            sniff(bytes),
            expected,
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

fn next_day(y: i64, m: u32, d: u32) -> (i64, u32, u32) {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let len = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][(m - 1) as usize];
    match (d < len, m < 12) {
        (true, _) => (y, m, d + 1),
        (false, true) => (y, m + 1, 1),
        (false, false) => (y + 1, 1, 1),
    }
}

/// Capture-like fragments, so arbitrary mixes reach the header and hex paths.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..8),
        Just(b"##2025-04-26 13:58:48.222".to_vec()),
        Just(b"|multiloop".to_vec()),
        Just(b"2024-05-01T14:55:57.123+02:00 ".to_vec()),
        Just(
            b"=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2022.05.01 14:55:57 =~=~=~=~=~=~=~=~=~=~=~="
                .to_vec()
        ),
        Just(b"8E 02 ".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"# ".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_input_never_panics_and_items_point_into_it(parts in vec(fragment(), 0..24)) {
        let bytes = parts.concat();
        let _ = sniff(&bytes);
        for format in CaptureFormat::ALL {
            for result in split(format, &bytes) {
                match result {
                    Ok(item) => {
                        prop_assert!(item.offset <= bytes.len());
                        if let Cow::Borrowed(data) = item.data {
                            prop_assert_eq!(bytes.get(item.offset..item.offset + data.len()), Some(data));
                        }
                    }
                    Err(e) => prop_assert!(e.offset() <= bytes.len()),
                }
            }
        }
    }

    #[test]
    fn civil_days_advance_by_one_each_day(y in -4000i64..4000, m in 1u32..=12, d in 1u32..=28) {
        let (ny, nm, nd) = next_day(y, m, d);
        prop_assert_eq!(days_from_civil(ny, nm, nd), days_from_civil(y, m, d) + 1);
        let (ny, nm, nd) = next_day(y, m, 28);
        let (ny, nm, nd) = if nd == 29 { next_day(ny, nm, nd) } else { (ny, nm, nd) };
        prop_assert!(days_from_civil(ny, nm, nd) > days_from_civil(y, m, 28));
    }

    #[test]
    fn timestamped_lines_keep_their_time_and_bytes(
        lines in vec((0u32..10_000, 0u32..86_400, 0u32..1000, "[ -~]{0,20}"), 1..20),
    ) {
        let mut text = String::new();
        let mut expected = Vec::new();
        for (day, sec, ms, raw) in &lines {
            let us = (i64::from(*day) * 86_400 + i64::from(*sec)) * 1_000_000 + i64::from(*ms) * 1_000;
            let (y, m, d) = (0..*day).fold((1970i64, 1u32, 1u32), |(y, m, d), _| next_day(y, m, d));
            text.push_str(&format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z {raw}\n", sec / 3600, sec / 60 % 60, sec % 60));
            expected.push((us, format!("{raw}\n").into_bytes()));
        }
        let got: Vec<(i64, Vec<u8>)> = split(CaptureFormat::TimestampedLines, text.as_bytes())
            .map(|r| r.map(|i| (i.captured_at_us.unwrap_or(i64::MIN), i.data.into_owned())))
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(got, expected);
    }
}
