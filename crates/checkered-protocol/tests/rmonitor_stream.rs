//! Property tests of the streaming side: chunking never changes the result, memory stays
//! bounded, and arbitrary bytes never panic (and whatever decodes, round-trips).

use checkered_protocol::rmonitor::{
    Decoder, LineFramer, Located, Record, decode_line, encode_line,
};
use proptest::collection::vec;
use proptest::prelude::*;

const MOCK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/rmonitor/orbits-mock-session.txt"
);
const GAP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/rmonitor/redmist-TestGap.log"
);

/// A valid stream with LF endings (Orbits mock) and one with CRLF and `\r\r\n` endings,
/// capture comments and an unterminated tail (a RedMist log, bytes as they are).
fn streams() -> Vec<Vec<u8>> {
    [MOCK, GAP]
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{p}: {e}")))
        .collect()
}

fn decode_in_chunks(stream: &[u8], cuts: &[usize]) -> Vec<Located<Record>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    cuts.sort_unstable();
    let mut dec = Decoder::default();
    let mut out = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain([stream.len()]) {
        dec.push(&stream[from..cut]);
        out.extend(dec.by_ref());
        from = cut;
    }
    dec.finish();
    out.extend(dec);
    out
}

#[test]
fn one_push_decodes_every_line_with_its_offset() {
    for stream in streams() {
        let all = decode_in_chunks(&stream, &[]);
        for located in &all {
            let offset = usize::try_from(located.offset).unwrap_or(usize::MAX);
            let line_end = stream[offset..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(stream.len(), |i| offset + i);
            assert_eq!(
                decode_line(&stream[offset..line_end]),
                located.result,
                "offset {offset}"
            );
        }
        let records = all.iter().filter(|l| l.result.is_ok()).count();
        assert!(records > 500, "{records}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_chunking_gives_the_same_records_as_one_push(cuts in vec(any::<usize>(), 0..64), which in 0usize..2) {
        let stream = &streams()[which];
        let whole = decode_in_chunks(stream, &[]);
        prop_assert_eq!(decode_in_chunks(stream, &cuts), whole);
    }

    #[test]
    fn byte_at_a_time_with_a_small_limit_matches_one_push(stream in vec(prop_oneof![
        4 => proptest::sample::select(b"$F,\"0:\r\n ".to_vec()),
        1 => any::<u8>(),
    ], 0..400), limit in 1usize..40) {
        let mut whole = LineFramer::new(limit);
        whole.push(&stream);
        whole.finish();
        let want: Vec<_> = std::iter::from_fn(|| whole.next_line().map(|l| (l.offset, l.result.map(<[u8]>::to_vec)))).collect();
        let mut framer = LineFramer::new(limit);
        let mut got = Vec::new();
        for b in &stream {
            framer.push(std::slice::from_ref(b));
            prop_assert!(framer.buffered() <= limit + 1, "buffered {} > limit {}", framer.buffered(), limit);
            got.extend(std::iter::from_fn(|| framer.next_line().map(|l| (l.offset, l.result.map(<[u8]>::to_vec)))));
        }
        framer.finish();
        got.extend(std::iter::from_fn(|| framer.next_line().map(|l| (l.offset, l.result.map(<[u8]>::to_vec)))));
        prop_assert_eq!(got, want);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_decoded_records_round_trip(bytes in vec(any::<u8>(), 0..300)) {
        let _ = decode_line(&bytes);
        let mut dec = Decoder::new(64);
        dec.push(&bytes);
        dec.finish();
        for located in dec {
            if let Ok(rec) = located.result {
                let mut line = Vec::new();
                encode_line(&rec, &mut line);
                prop_assert_eq!(decode_line(&line[..line.len() - 2]), Ok(rec));
            }
        }
    }

    #[test]
    fn record_shaped_noise_never_panics(line in "\\$(F|A|COMP|B|C|E|G|H|I|J|COR|L|T|SP|SR|RMS|RMLT|RMHL|RMCA|RMDTL|join|X)(,( ?\"[^\"\n]{0,6}\"?|-?[0-9:.]{0,12}| )){0,12}") {
        if let Ok(rec) = decode_line(line.as_bytes()) {
            let mut out = Vec::new();
            encode_line(&rec, &mut out);
            prop_assert_eq!(decode_line(&out[..out.len() - 2]), Ok(rec));
        }
    }
}
