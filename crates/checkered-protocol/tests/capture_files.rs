//! Capture splitting and sniffing against the real captures in `shared/data`: RedMist relay
//! logs (item counts = `##` header lines, first and last timestamps), the PuTTY log of a
//! kart decoder, the P3 single frames (as a hex dump), and format guesses for every file.

use checkered_protocol::capture::{CaptureError, CaptureFormat, CaptureItem, sniff, split};
use std::path::{Path, PathBuf};

fn data_dir(sub: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(sub)
}

fn read(sub: &str, name: &str) -> Vec<u8> {
    let path = data_dir(sub).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Splits and checks what holds for every item: its data sits at its offset in the file.
fn split_checked(
    format: CaptureFormat,
    bytes: &[u8],
) -> Vec<Result<CaptureItem<'_>, CaptureError>> {
    let results: Vec<_> = split(format, bytes).collect();
    for item in results.iter().flatten() {
        if format != CaptureFormat::P3Hex {
            assert_eq!(
                bytes.get(item.offset..item.offset + item.data.len()),
                Some(&*item.data)
            );
        }
    }
    results
}

/// (file, `##` lines, first timestamp µs, last timestamp µs)
const REDMIST: [(&str, usize, i64, i64); 9] = [
    (
        "redmist-TestAbnormalReset.log",
        131,
        1_745_678_653_478_000,
        1_745_678_699_777_000,
    ),
    (
        "redmist-TestEntries.log",
        14,
        1_745_670_584_712_000,
        1_745_670_584_723_000,
    ),
    (
        "redmist-TestGap.log",
        978,
        1_765_124_845_194_000,
        1_765_125_400_296_000,
    ),
    (
        "redmist-TestInitialPositions.log",
        21,
        1_745_670_584_803_000,
        1_745_671_338_607_000,
    ),
    (
        "redmist-TestMidRaceClassChange.log",
        2,
        1_760_725_080_255_000,
        1_760_725_081_255_000,
    ),
    (
        "redmist-TestResetRetainLapTime.log",
        237,
        1_745_676_200_279_000,
        1_745_676_291_181_000,
    ),
    (
        "redmist-TestStart.log",
        1227,
        1_745_675_928_222_000,
        1_745_676_521_231_000,
    ),
    (
        "redmist-event-finish-with-cars-data.log",
        921,
        1_740_868_982_295_000,
        1_740_953_130_059_000,
    ),
    (
        "redmist-event-finish-with-stopped.log",
        479,
        1_740_868_982_295_000,
        1_740_952_819_058_000,
    ),
];

#[test]
fn redmist_logs_give_one_item_per_header() {
    for (name, headers, first, last) in REDMIST {
        let bytes = read("rmonitor", name);
        let results = split_checked(CaptureFormat::RedmistLog, &bytes);
        assert_eq!(results.len(), headers, "{name}");
        let items: Vec<&CaptureItem<'_>> = results.iter().flatten().collect();
        let errors: Vec<&CaptureError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        if name == "redmist-TestGap.log" {
            // The log ends in a header cut short (`##2025-1`) with no batch after it.
            assert_eq!(errors.len(), 1, "{name}");
            assert!(matches!(
                results.last(),
                Some(Err(CaptureError::BadTimestamp { .. }))
            ));
            assert_eq!(errors[0].offset(), bytes.len() - b"2025-1".len());
        } else {
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
        assert_eq!(
            items.first().and_then(|i| i.captured_at_us),
            Some(first),
            "{name}"
        );
        assert_eq!(
            items.last().and_then(|i| i.captured_at_us),
            Some(last),
            "{name}"
        );
        assert!(
            items.iter().all(|i| i.source.is_none()),
            "{name}: these logs name no source"
        );
        // File order is kept even where the relay's clock stepped back (it does, in 5 logs).
        assert!(
            items.windows(2).all(|w| w[0].offset < w[1].offset),
            "{name}"
        );
        assert_batches_hold_every_data_line(name, &bytes, &items);
    }
}

/// Every non-blank line that is not a header appears in exactly one batch, none starts
/// with a blank line or holds a header, and every line but one hand-typed note is RMonitor.
fn assert_batches_hold_every_data_line(name: &str, bytes: &[u8], items: &[&CaptureItem<'_>]) {
    fn is_data(l: &&[u8]) -> bool {
        !l.starts_with(b"##") && l.iter().any(|b| !b" \t\r".contains(b))
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let expected = body.split(|&b| b == b'\n').filter(is_data).count();
    let (mut seen, mut odd) = (0, Vec::new());
    for item in items {
        let lines: Vec<&[u8]> = item.data.split(|&b| b == b'\n').collect();
        assert!(
            lines.first().is_some_and(is_data),
            "{name}: batch at {} starts blank",
            item.offset
        );
        let at_eof = item.offset + item.data.len() == bytes.len();
        assert!(
            item.data.ends_with(b"\n") || at_eof,
            "{name}: batch at {} loses its terminator",
            item.offset
        );
        for line in lines.iter().filter(|l| is_data(l)) {
            if !line.starts_with(b"$") {
                odd.push(String::from_utf8_lossy(line).into_owned());
            }
            seen += 1;
        }
    }
    assert_eq!(seen, expected, "{name}");
    // One log carries a note typed by the person who prepared it; everything else is RMonitor.
    let notes: &[&str] = if name == "redmist-event-finish-with-cars-data.log" {
        &["Change to 60 seconds later"]
    } else {
        &[]
    };
    assert_eq!(odd, notes, "{name}");
}

#[test]
fn redmist_first_batch_skips_the_bom() {
    let bytes = read("rmonitor", "redmist-TestStart.log");
    let first = split(CaptureFormat::RedmistLog, &bytes).next();
    let Some(Ok(item)) = first else {
        panic!("{first:?}")
    };
    assert_eq!(item.offset, 3 + "##2025-04-26 13:58:48.222\n".len());
    assert_eq!(
        &*item.data,
        b"$F,9999,\"08:00:00\",\"08:58:48\",\"00:00:00\",\"      \"\r\n"
    );
}

#[test]
fn putty_log_is_one_session_stamped_with_its_start() {
    let bytes = read("p3", "kart-decoder-2022-05-01.log");
    let results = split_checked(CaptureFormat::PuttyLog, &bytes);
    assert_eq!(results.len(), 1);
    let Some(Ok(item)) = results.first() else {
        panic!("{results:?}")
    };
    assert_eq!(item.captured_at_us, Some(1_651_416_957_000_000)); // 2022-05-01 14:55:57
    assert_eq!(item.offset, 79);
    assert_eq!(item.data.len(), bytes.len() - 79);
    assert_eq!(
        item.data.first(),
        Some(&0x8E),
        "P3 start of record right after the header"
    );
}

#[test]
fn appended_putty_log_splits_per_session() {
    let one = read("p3", "kart-decoder-2022-05-01.log");
    let mut two = one.clone();
    two.extend_from_slice(&one);
    let items: Vec<CaptureItem<'_>> = split_checked(CaptureFormat::PuttyLog, &two)
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].data, items[1].data);
    assert_eq!(items[1].offset, one.len() + 79);
}

#[test]
fn raw_formats_are_one_item_without_time() {
    for (sub, name, format) in [
        (
            "rmonitor",
            "orbits-mock-session.txt",
            CaptureFormat::RawText,
        ),
        ("p3", "frame-multi.bin", CaptureFormat::RawBinary),
    ] {
        let bytes = read(sub, name);
        let items: Vec<_> = split_checked(format, &bytes).into_iter().collect();
        assert_eq!(items.len(), 1, "{name}");
        let Some(Ok(item)) = items.first() else {
            panic!()
        };
        assert_eq!(
            (item.offset, item.captured_at_us, item.data.len()),
            (0, None, bytes.len())
        );
    }
}

#[test]
fn p3_frames_survive_a_hex_dump() {
    let mut dump = String::from("# every single-frame capture, one per line\n");
    let mut frames = Vec::new();
    for name in [
        "frame-first.bin",
        "frame-good_passing.bin",
        "frame-escaped-crc.bin",
        "frame-status.bin",
    ] {
        let bytes = read("p3", name);
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
        dump.push_str(&format!(
            "2022-05-01T14:55:57.{:03}Z {}\r\n",
            frames.len(),
            hex.join(" ")
        ));
        frames.push(bytes);
    }
    let items: Vec<_> = split(CaptureFormat::P3Hex, dump.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(items.len(), frames.len());
    for (i, (item, frame)) in items.iter().zip(&frames).enumerate() {
        assert_eq!(&*item.data, &frame[..]);
        assert_eq!(
            item.captured_at_us,
            Some(1_651_416_957_000_000 + i as i64 * 1_000)
        );
    }
}

#[test]
fn sniff_every_shared_capture() {
    let mut checked = 0;
    for sub in ["p3", "rmonitor"] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(data_dir(sub))
            .unwrap_or_else(|e| panic!("{sub}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let expected = match name.as_str() {
                n if n.starts_with("LICENSE") => None,
                n if n.starts_with("redmist-") => Some(CaptureFormat::RedmistLog),
                n if n.ends_with(".bin") => Some(CaptureFormat::RawBinary),
                n if n.ends_with(".log") => Some(CaptureFormat::PuttyLog),
                n if n.ends_with(".txt") => Some(CaptureFormat::RawText),
                other => panic!("no expectation for {other}"),
            };
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(sniff(&bytes), expected, "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 24, "only {checked} files found");
}
