//! Unit tests of time parsing and formatting.

use super::*;

fn round(text: &str) -> Option<(i64, String)> {
    RmTime::parse(text.as_bytes()).map(|t| (t.ms(), t.to_string()))
}

#[test]
fn parses_every_layout_and_re_encodes_it_exactly() {
    for (text, ms) in [
        ("00:00:00", 0),
        ("07:59:36", 28_776_000),
        ("00:01:23.4", 83_400),
        ("00:01:23.45", 83_450),
        ("00:01:23.456", 83_456),
        ("26:00:01.500", 93_601_500),
        ("123:00:00", 442_800_000),
        ("0:00:05", 5000),
        ("0123:00:00.000", 442_800_000),
        ("1:2:3", 3_723_000),
    ] {
        assert_eq!(round(text), Some((ms, text.to_owned())), "{text}");
    }
}

#[test]
fn signed_layouts_round_trip() {
    for (text, ms) in [
        ("-00:00:00.250", -250),
        ("+00:00:01.000", 1000),
        ("-00:00:00", 0),
        ("00:00:-47", -47_000),
        ("00:00:-9", -9000),
        ("00:-1:-5", -65_000),
        ("-01:-02:-03.5", -3_723_500),
        ("-1:-2:-3", -3_723_000),
        ("-00:00:-01", -1000),
        ("00:00:-00.250", -250),
    ] {
        assert_eq!(round(text), Some((ms, text.to_owned())), "{text}");
    }
    assert_eq!(RmTime::from_ms(-1500).to_string(), "-00:00:01.500");
    assert!(RmTime::parse(b"00:00:-9").is_some_and(|t| t.is_negative()));
}

#[test]
fn rejects_malformed_times() {
    for bad in [
        "",
        "12",
        "1:2",
        "00:60:00",
        "00:00:60",
        "00:00:00.",
        "00:00:00.1234",
        "x0:00:00",
        "00:00:00 ",
        "--00:00:01",
        "01:-30:00",
        "+00:00:-01",
        "-01:30:-01",
        "00:00:100",
        "00:00:00.-5",
        "00:00:00:00",
        "99999999999999999999:00:00",
    ] {
        assert_eq!(RmTime::parse(bad.as_bytes()), None, "{bad:?}");
    }
}

#[test]
fn word_parser_agrees_with_the_general_parser_on_every_byte() {
    // Each position of "12:34:56" replaced by every byte value.
    let base = *b"12:34:56";
    for pos in 0..8 {
        for b in 0..=255u8 {
            let mut text = base;
            text[pos] = b;
            let fast = RmTime::parse_common(&text);
            let general = RmTime::parse_general(&text);
            let shown = String::from_utf8_lossy(&text);
            if fast.is_some() {
                assert_eq!(fast, general, "{shown:?}");
            }
            let plain = text.iter().enumerate().all(|(i, c)| {
                if i == 2 || i == 5 {
                    *c == b':'
                } else {
                    c.is_ascii_digit()
                }
            });
            assert_eq!(fast.is_some(), plain && general.is_some(), "{shown:?}");
        }
    }
}

#[test]
fn no_passing_sentinel_is_a_value_with_a_helper() {
    let t = RmTime::parse(b"00:59:59.999");
    assert_eq!(
        t.map(|t| (t.ms(), t.is_no_passing())),
        Some((3_599_999, true))
    );
    assert_eq!(
        RmTime::parse(b"00:59:59").map(|t| t.is_no_passing()),
        Some(false)
    );
}

#[test]
fn constructors_use_the_orbits_layouts() {
    assert_eq!(RmTime::from_ms(93_601_500).to_string(), "26:00:01.500");
    assert_eq!(RmTime::from_secs(61).to_string(), "00:01:01");
    for extreme in [i64::MAX, i64::MIN, -1, 0] {
        let t = RmTime::from_ms(extreme);
        assert_eq!(
            RmTime::parse(t.to_string().as_bytes()),
            Some(t),
            "{extreme}"
        );
    }
}

#[test]
fn serde_uses_the_wire_text() {
    let t = RmTime::parse(b"00:01:23.4");
    let json = t.map(|t| serde_json::to_string(&t).unwrap_or_default());
    assert_eq!(json.as_deref(), Some("\"00:01:23.4\""));
    let back: Result<RmTime, _> = serde_json::from_str("\"00:01:23.4\"");
    assert_eq!(back.ok(), t);
    assert!(serde_json::from_str::<RmTime>("\"1:2\"").is_err());
}
