//! Property and unit tests for the Multiloop line framer: agreement with a reference model
//! under arbitrary chunking and limits, bounded buffering, gaps and over-long lines.

use checkered_protocol::multiloop::{FrameError, Line, LineFramer, SEPARATOR};
use proptest::collection::vec;
use proptest::prelude::*;

/// Reference framing: split on LF, drop one CR, skip blanks, reject lines over `max`.
fn model_frames(stream: &[u8], max: usize) -> Vec<Result<(u64, Vec<u8>), u64>> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let pieces: Vec<&[u8]> = stream.split(|&b| b == b'\n').collect();
    for piece in &pieces {
        let line = piece.strip_suffix(b"\r").unwrap_or(piece);
        if line.len() > max {
            out.push(Err(start as u64));
        } else if !line.is_empty() {
            out.push(Ok((start as u64, line.to_vec())));
        }
        start += piece.len() + 1;
    }
    out
}

fn framed(
    stream: &[u8],
    cuts: &[usize],
    max: usize,
    base: u64,
) -> Vec<Result<(u64, Vec<u8>), u64>> {
    let mut framer = LineFramer::new(max);
    let mut out = Vec::new();
    let mut sink = |r: Result<Line<'_>, FrameError>| {
        out.push(match r {
            Ok(l) => Ok((l.offset - base, l.bytes.to_vec())),
            Err(FrameError::LineTooLong { offset, .. }) => Err(offset - base),
            Err(e) => panic!("unexpected {e}"),
        })
    };
    let mut pos = 0usize;
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    bounds.sort_unstable();
    bounds.push(stream.len());
    for end in bounds {
        framer.push(base + pos as u64, &stream[pos..end], &mut sink);
        assert!(framer.buffered() <= max + 1, "buffer exceeds the limit");
        pos = end;
    }
    framer.finish(&mut sink);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn framing_matches_model_under_any_chunking(
        stream in vec(prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'$'), Just(SEPARATOR), any::<u8>()], 0..300),
        cuts in vec(any::<usize>(), 0..12),
        max in 0usize..24,
        base in 0u64..1_000_000,
    ) {
        prop_assert_eq!(framed(&stream, &cuts, max, base), model_frames(&stream, max));
    }
}

#[test]
fn framer_reports_gaps_and_drops_the_partial_line() {
    let mut framer = LineFramer::new(100);
    let mut seen = Vec::new();
    let mut sink =
        |r: Result<Line<'_>, FrameError>| seen.push(r.map(|l| (l.offset, l.bytes.to_vec())));
    framer.push(10, b"$A\r\n$B", &mut sink);
    framer.push(20, b"C\r\n", &mut sink);
    framer.finish(&mut sink);
    assert_eq!(
        seen,
        vec![
            Ok((10, b"$A".to_vec())),
            Err(FrameError::Discontinuity {
                expected: 16,
                got: 20
            }),
            Ok((20, b"C".to_vec())),
        ]
    );
}

#[test]
fn over_long_line_is_reported_once_with_its_length() {
    let mut framer = LineFramer::new(4);
    let mut seen = Vec::new();
    let mut sink = |r: Result<Line<'_>, FrameError>| seen.push(r.map(|l| l.bytes.to_vec()));
    for (i, chunk) in [b"12345".as_slice(), b"678", b"9\r\nok\r\n"]
        .iter()
        .enumerate()
    {
        framer.push([0, 5, 8][i], chunk, &mut sink);
        assert!(framer.buffered() <= 5);
    }
    framer.finish(&mut sink);
    assert_eq!(
        seen,
        vec![
            Err(FrameError::LineTooLong {
                offset: 0,
                length: 9,
                max: 4
            }),
            Ok(b"ok".to_vec())
        ]
    );
}
