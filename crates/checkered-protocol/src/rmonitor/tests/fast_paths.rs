//! The fast paths must agree with the general decoder on every line they accept.

use super::super::decode::decode_line_general;
use super::super::fast;
use super::*;
use proptest::prelude::*;

fn one_of(options: &[&'static str]) -> impl Strategy<Value = &'static str> + use<> {
    proptest::sample::select(options.to_vec())
}

const NUMBERS: &[&str] = &[
    "",
    "0",
    "7",
    "-2",
    "-0",
    "-",
    " 3",
    "3 ",
    "+1",
    "4294967295",
    "4294967296",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "x",
];
const TIMES: &[&str] = &[
    "\"00:59:59.999\"",
    "\"00:00:00\"",
    "\"26:00:01.5\"",
    "\"1:00:00\"",
    "\"00:00:-5\"",
    "\"00:60:00\"",
    "\"00:00:00.1234\"",
    "00:00:00",
    "\"00:00:00\" ",
    " \"00:00:00\"",
    "\"\"",
];
const TEXTS: &[&str] = &[
    "\"45\"",
    "\"\"",
    "\"a\"\"b\"",
    "\"M\u{fc}ller\"",
    "45",
    "\"x\" ",
    "\"a,b\"",
    "\"Green \"",
    "\"      \"",
    "\"Purple60\"",
];
const EXTRA: &[&str] = &["", "", "", ",\"x\"", ",", ",1"];

/// `$F`/`$G`/`$H` lines close to the canonical shapes, including the edge cases the
/// fast paths must hand over to the general path.
fn near_canonical() -> impl Strategy<Value = String> {
    let heartbeat = (
        one_of(NUMBERS),
        one_of(TIMES),
        one_of(TIMES),
        one_of(TIMES),
        one_of(TEXTS),
        one_of(EXTRA),
    )
        .prop_map(|(l, a, b, c, f, x)| format!("$F,{l},{a},{b},{c},{f}{x}"));
    let position = (
        one_of(&["G", "H"]),
        one_of(NUMBERS),
        one_of(TEXTS),
        one_of(NUMBERS),
        one_of(TIMES),
        one_of(EXTRA),
    )
        .prop_map(|(cmd, p, r, n, t, x)| format!("${cmd},{p},{r},{n},{t}{x}"));
    prop_oneof![heartbeat, position, entry()]
}

/// `$A` / `$COMP` lines near the canonical shape.
fn entry() -> impl Strategy<Value = String> {
    let texts = || (one_of(TEXTS), one_of(TEXTS), one_of(TEXTS));
    let bare = prop_oneof![
        one_of(NUMBERS),
        one_of(&["NE4", "a\"b", "\"NE4\"", " 7", "7 ", "1,2"])
    ];
    (
        one_of(&["A", "COMP"]),
        texts(),
        bare,
        texts(),
        one_of(NUMBERS),
        one_of(EXTRA),
    )
        .prop_map(|(cmd, (a, b, c), bare, (d, e, f), n, x)| match cmd {
            "A" => format!("$A,{a},{b},{bare},{c},{d},{e},{n}{x}"),
            _ => format!("$COMP,{a},{b},{n},{c},{d},{e},{f}{x}"),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn fast_paths_agree_with_the_general_path(line in near_canonical()) {
        let bytes = crate::cp1252::encode(&line);
        prop_assert_eq!(decode_line(&bytes), decode_line_general(&bytes), "{}", line);
    }
}

#[test]
fn fast_paths_take_the_common_lines() {
    // The canonical lines must not silently fall back (that would only cost speed,
    // but it would mean the fast path is dead code).
    for line in [
        r#"$F,9999,"00:00:00","07:59:36","00:59:59","      ""#,
        r#"$G,2,"45",,"00:59:59.999""#,
        r#"$G,58,"168",-2,"07:41:27.174""#,
        r#"$H,1,"21",3,"00:01:58.123""#,
        r#"$A,"669","669",,"Rapscallion","","",2"#,
        r#"$A,"12","12X",NE4,"J","M","GER",3"#,
        r#"$COMP,"70","70",1,"Round 3 Racing","","","Trim-Tex""#,
    ] {
        let (cmd, fields) = line.split_once(',').unwrap_or_default();
        let fields = fields.as_bytes();
        let fast = match cmd {
            "$F" => fast::heartbeat(fields),
            "$G" => fast::position(fields, true),
            "$H" => fast::position(fields, false),
            "$A" => fast::competitor(fields, false),
            _ => fast::competitor(fields, true),
        };
        assert_eq!(
            fast.map(Ok),
            Some(decode_line_general(line.as_bytes())),
            "{line}"
        );
    }
}
