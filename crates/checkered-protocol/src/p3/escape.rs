//! P3 byte stuffing.
//!
//! Between the start (0x8E) and end (0x8F) markers every byte in 0x8A..=0x8F is sent as the
//! escape byte 0x8D followed by the byte plus 0x20. This applies to header and CRC bytes
//! too, so a raw 0x8E or 0x8F on the wire is always a frame boundary.

/// Start of record.
pub const SOR: u8 = 0x8E;
/// End of record.
pub const EOR: u8 = 0x8F;
/// Escape marker.
pub const ESC: u8 = 0x8D;

/// Whether a byte must be escaped inside a frame.
#[inline]
pub fn needs_escape(b: u8) -> bool {
    (0x8A..=0x8F).contains(&b)
}

/// Whether any byte of `bytes` is in 0x8A..=0x8F: a marker, an escape, or a byte that
/// should have been escaped. Checks eight bytes at a time (SWAR); a span without any is
/// its own unescaped form.
///
/// ```
/// use checkered_protocol::p3::escape::any_escapable;
/// assert!(!any_escapable(&[0x00, 0x89, 0x90, 0xFF, 0x01, 0x02, 0x03, 0x04, 0x05]));
/// assert!(any_escapable(&[0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x8A]));
/// ```
#[inline]
pub fn any_escapable(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F * ONES;
    let mut chunks = bytes.chunks_exact(8);
    let mut found = 0u64;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
        // 0x88..=0x8F become 0..=7; of those, 2..=7 are the bytes to find.
        let t = x ^ (0x88 * ONES);
        let high = t & (0xF8 * ONES);
        // High bit of each byte set exactly where `high` is zero (no carries: each byte
        // sum stays below 0x100).
        let in_block = !(((high & LOW7) + LOW7) | high | LOW7);
        // High bit set exactly where t & 6 is not zero.
        let not_88_89 = (t & (0x06 * ONES)) + LOW7;
        found |= in_block & not_88_89;
    }
    found & (0x80 * ONES) != 0 || chunks.remainder().iter().any(|&b| needs_escape(b))
}

/// Appends `bytes` to `out`, escaping every byte in 0x8A..=0x8F.
pub fn escape_into(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        if needs_escape(b) {
            out.push(ESC);
            out.push(b + 0x20);
        } else {
            out.push(b);
        }
    }
}

/// Appends `bytes` to `out`, escaping only the marker bytes 0x8D..=0x8F, as some
/// emulators do. Decoders accept both forms.
pub fn escape_markers_into(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        if (ESC..=EOR).contains(&b) {
            out.push(ESC);
            out.push(b + 0x20);
        } else {
            out.push(b);
        }
    }
}

/// Whether an escaped span carries a raw 0x8A..=0x8C (an encoder that escapes only the
/// marker bytes).
pub fn has_raw_low(bytes: &[u8]) -> bool {
    memchr::memchr3(0x8A, 0x8B, 0x8C, bytes).is_some()
}

/// Why an escaped span could not be unescaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnescapeError {
    /// The escape byte was the last byte of the span.
    Dangling,
    /// The escape byte was followed by a byte that does not encode 0x8A..=0x8F.
    Invalid(u8),
}

/// Appends the unescaped form of `bytes` to `out`.
pub fn unescape_into(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), UnescapeError> {
    let mut rest = bytes;
    while let Some(at) = memchr::memchr(ESC, rest) {
        let (plain, tail) = rest.split_at(at);
        out.extend_from_slice(plain);
        let &next = tail.get(1).ok_or(UnescapeError::Dangling)?;
        let orig = next.wrapping_sub(0x20);
        if !needs_escape(orig) {
            return Err(UnescapeError::Invalid(next));
        }
        out.push(orig);
        rest = tail.get(2..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_every_marker() {
        let mut out = Vec::new();
        escape_into(&[0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90], &mut out);
        assert_eq!(
            out,
            [
                0x8D, 0xAA, 0x8D, 0xAB, 0x8D, 0xAC, 0x8D, 0xAD, 0x8D, 0xAE, 0x8D, 0xAF, 0x90
            ]
        );
    }

    #[test]
    fn rejects_bad_escapes() {
        let mut out = Vec::new();
        assert_eq!(
            unescape_into(&[1, ESC], &mut out),
            Err(UnescapeError::Dangling)
        );
        assert_eq!(
            unescape_into(&[ESC, 0x41], &mut out),
            Err(UnescapeError::Invalid(0x41))
        );
    }

    #[test]
    fn any_escapable_finds_each_escapable_byte_at_each_position() {
        for b in 0..=255u8 {
            for len in 1..20 {
                for at in 0..len {
                    let mut bytes = vec![0x8Cu8.wrapping_add(0x40); len];
                    bytes[at] = b;
                    assert_eq!(
                        any_escapable(&bytes),
                        needs_escape(b),
                        "{b:#x} at {at}/{len}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_escapable_agrees_with_the_bytewise_test(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            prop_assert_eq!(any_escapable(&bytes), bytes.iter().any(|&b| needs_escape(b)));
        }

        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut escaped = Vec::new();
            escape_into(&bytes, &mut escaped);
            prop_assert!(!escaped.contains(&SOR) && !escaped.contains(&EOR));
            let mut back = Vec::new();
            prop_assert_eq!(unescape_into(&escaped, &mut back), Ok(()));
            prop_assert_eq!(back, bytes);
        }
    }
}
