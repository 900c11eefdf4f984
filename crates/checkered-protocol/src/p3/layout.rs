//! Shortcuts for the record bodies real decoders send.
//!
//! Decoders send PASSING and STATUS with a fixed set of tags in a fixed order: RC and
//! kart decoders one layout, ProChip another (the reference lists both orders). A body
//! that is exactly one of these layouts (every tag, every length, and nothing else) is
//! read at fixed offsets, without the general TLV walk. The values go through the same
//! [`TlvValue::read`] as the walk, and the tag order is kept the same way (only when it
//! is not canonical), so the result is identical to [`decode_fields`]; the tests hold
//! the two equal. Any other body takes the general walk.
//!
//! [`decode_fields`]: super::codec

use super::record::{Passing, Status};
use super::tor::{general, passing as p, status as s};
use super::value::TlvValue;

/// A body layout: `(tag, value length)` in wire order.
type Layout = [(u8, u8)];

/// RC and kart decoders (the kart capture): canonical order.
const RC_PASSING: [(u8, u8); 7] = [
    (p::PASSING_NUMBER, 4),
    (p::TRANSPONDER, 4),
    (p::RTC_TIME, 8),
    (p::STRENGTH, 2),
    (p::HITS, 2),
    (p::FLAGS, 2),
    (general::DECODER_ID, 4),
];

/// MyLaps ProChip (rider chips with a code string): not canonical, so its order is kept.
const PROCHIP_PASSING: [(u8, u8); 8] = [
    (p::PASSING_NUMBER, 4),
    (p::TRANSPONDER, 4),
    (p::TRAN_CODE, 8),
    (p::STRENGTH, 2),
    (p::HITS, 2),
    (p::RTC_TIME, 8),
    (p::FLAGS, 2),
    (general::DECODER_ID, 4),
];

/// RC and kart decoders' STATUS.
const RC_STATUS: [(u8, u8); 5] = [
    (s::NOISE, 2),
    (s::TEMPERATURE, 2),
    (s::INPUT_VOLTAGE, 1),
    (s::GPS, 1),
    (general::DECODER_ID, 4),
];

/// ProChip STATUS (GPS and satellites instead of the input voltage).
const PROCHIP_STATUS: [(u8, u8); 5] = [
    (s::NOISE, 2),
    (s::TEMPERATURE, 2),
    (s::GPS, 1),
    (s::SATINUSE, 1),
    (general::DECODER_ID, 4),
];

/// Length of a body in `layout`.
const fn body_len(layout: &Layout) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < layout.len() {
        len += 2 + layout[i].1 as usize;
        i += 1;
    }
    len
}

/// Offset of the value of TLV `i` of `layout`.
const fn value_at(layout: &Layout, i: usize) -> usize {
    let mut at = 0;
    let mut k = 0;
    while k < i {
        at += 2 + layout[k].1 as usize;
        k += 1;
    }
    at + 2
}

/// Whether `body` is exactly `layout`: same length, same tags and lengths in order.
#[inline(always)]
fn is(body: &[u8], layout: &Layout) -> bool {
    if body.len() != body_len(layout) {
        return false;
    }
    let mut at = 0;
    for &(tag, len) in layout {
        if body.get(at..at + 2) != Some(&[tag, len]) {
            return false;
        }
        at += 2 + usize::from(len);
    }
    true
}

/// Value `i` of a body known to be `$layout`.
macro_rules! field {
    ($body:expr, $layout:expr, $i:literal) => {{
        const AT: usize = value_at(&$layout, $i);
        const LEN: usize = $layout[$i].1 as usize;
        $body.get(AT..AT + LEN).and_then(TlvValue::read)
    }};
}

/// A PASSING body in a known layout; `None` sends it to the general walk.
#[inline]
pub(super) fn passing(body: &[u8], order: &mut Vec<u8>) -> Option<Passing> {
    if is(body, &RC_PASSING) {
        return Some(Passing {
            passing_number: field!(body, RC_PASSING, 0),
            transponder: field!(body, RC_PASSING, 1),
            rtc_time_us: field!(body, RC_PASSING, 2),
            strength: field!(body, RC_PASSING, 3),
            hits: field!(body, RC_PASSING, 4),
            flags: field!(body, RC_PASSING, 5),
            decoder_id: field!(body, RC_PASSING, 6),
            ..Passing::default()
        });
    }
    if is(body, &PROCHIP_PASSING) {
        order.extend(PROCHIP_PASSING.iter().map(|&(tag, _)| tag));
        return Some(Passing {
            passing_number: field!(body, PROCHIP_PASSING, 0),
            transponder: field!(body, PROCHIP_PASSING, 1),
            tran_code: field!(body, PROCHIP_PASSING, 2),
            strength: field!(body, PROCHIP_PASSING, 3),
            hits: field!(body, PROCHIP_PASSING, 4),
            rtc_time_us: field!(body, PROCHIP_PASSING, 5),
            flags: field!(body, PROCHIP_PASSING, 6),
            decoder_id: field!(body, PROCHIP_PASSING, 7),
            ..Passing::default()
        });
    }
    None
}

/// A STATUS body in a known layout (both are canonical); `None` sends it to the walk.
#[inline]
pub(super) fn status(body: &[u8]) -> Option<Status> {
    if is(body, &RC_STATUS) {
        return Some(Status {
            noise: field!(body, RC_STATUS, 0),
            temperature: field!(body, RC_STATUS, 1),
            input_voltage: field!(body, RC_STATUS, 2),
            gps: field!(body, RC_STATUS, 3),
            decoder_id: field!(body, RC_STATUS, 4),
            ..Status::default()
        });
    }
    if is(body, &PROCHIP_STATUS) {
        return Some(Status {
            noise: field!(body, PROCHIP_STATUS, 0),
            temperature: field!(body, PROCHIP_STATUS, 1),
            gps: field!(body, PROCHIP_STATUS, 2),
            satinuse: field!(body, PROCHIP_STATUS, 3),
            decoder_id: field!(body, PROCHIP_STATUS, 4),
            ..Status::default()
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::codec::decode_fields;
    use super::*;
    use proptest::prelude::*;

    /// A body in `layout` with values from `seed`, then `edits` (index, byte) applied.
    fn body(layout: &Layout, seed: &[u8], edits: &[(usize, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut values = seed.iter().copied().cycle();
        for &(tag, len) in layout {
            out.push(tag);
            out.push(len);
            out.extend((0..len).map(|_| values.next().unwrap_or(0)));
        }
        let len = out.len().max(1);
        for &(at, byte) in edits {
            if let Some(b) = out.get_mut(at % len) {
                *b = byte;
            }
        }
        out
    }

    fn same_as_the_walk(body: &[u8]) {
        let (mut fast_order, mut walk_order) = (Vec::new(), Vec::new());
        if let Some(fast) = passing(body, &mut fast_order) {
            assert_eq!(Ok(fast), decode_fields::<Passing>(body, &mut walk_order));
            assert_eq!(fast_order, walk_order);
        }
        if let Some(fast) = status(body) {
            assert_eq!(Ok(fast), decode_fields::<Status>(body, &mut Vec::new()));
        }
    }

    #[test]
    fn the_layouts_are_the_frames_of_the_captures() {
        // Kart capture (RC): 51-byte PASSING, 31-byte STATUS; ProChip vectors of the
        // reference: 61-byte PASSING, 31-byte STATUS.
        assert_eq!(body_len(&RC_PASSING) + 11, 51);
        assert_eq!(body_len(&PROCHIP_PASSING) + 11, 61);
        assert_eq!(body_len(&RC_STATUS) + 11, 31);
        assert_eq!(body_len(&PROCHIP_STATUS) + 11, 31);
        let prochip = body(&PROCHIP_PASSING, b"FL-94890\x99\x22", &[]);
        let mut order = Vec::new();
        let rec = passing(&prochip, &mut order);
        assert!(rec.is_some_and(|p| p.tran_code.is_some()));
        assert_eq!(order, [0x01, 0x03, 0x0A, 0x05, 0x06, 0x04, 0x08, 0x81]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn layouts_decode_exactly_like_the_walk(
            which in 0usize..4,
            seed in proptest::collection::vec(any::<u8>(), 1..16),
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..3),
            cut in 0usize..3,
        ) {
            let layout: &Layout = match which {
                0 => &RC_PASSING,
                1 => &PROCHIP_PASSING,
                2 => &RC_STATUS,
                _ => &PROCHIP_STATUS,
            };
            let mut b = body(layout, &seed, &edits);
            b.truncate(b.len() - cut.min(b.len()));
            same_as_the_walk(&b);
            // Every layout as the other record type, too.
            same_as_the_walk(&body(layout, &seed, &[]));
        }
    }
}
