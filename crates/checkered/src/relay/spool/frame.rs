//! One spool record on disk: `MAGIC(4) LEN(u32 LE) CRC(u32 LE) PAYLOAD(LEN)`, where CRC is
//! the CRC-32 of the LEN bytes and the payload. A record cut short by a crash, or whose
//! bytes changed, fails the check; the magic lets a reader find the next record after a
//! damaged one.

/// Marks the start of every record.
pub const MAGIC: [u8; 4] = *b"CKR1";
/// Bytes before the payload.
pub const HEADER_LEN: usize = 12;
/// Largest payload accepted when reading (a sanity bound on a damaged LEN).
pub const MAX_PAYLOAD: usize = 16 << 20;

/// Appends one framed record to `out`.
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    let len_bytes = len.to_le_bytes();
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&len_bytes);
    hasher.update(payload);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&len_bytes);
    out.extend_from_slice(&hasher.finalize().to_le_bytes());
    out.extend_from_slice(payload);
}

/// What is at an offset of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// A whole, intact record: its payload span and where the next record starts.
    Record {
        /// Payload start.
        payload: usize,
        /// Payload length.
        len: usize,
        /// Offset just past the record.
        next: usize,
    },
    /// Not an intact record: too short, wrong magic, impossible length or bad CRC.
    Damaged,
    /// Nothing left.
    End,
}

/// Reads the record starting at `at`.
pub fn parse(bytes: &[u8], at: usize) -> Parsed {
    let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) else {
        return Parsed::End;
    };
    let Some(header) = rest.get(..HEADER_LEN) else {
        return Parsed::Damaged;
    };
    let word = |i: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(header.get(i..i + 4).unwrap_or(&[0; 4]));
        u32::from_le_bytes(w)
    };
    if header.get(..4) != Some(&MAGIC[..]) {
        return Parsed::Damaged;
    }
    let len = word(4) as usize;
    if len > MAX_PAYLOAD {
        return Parsed::Damaged;
    }
    let Some(payload) = rest.get(HEADER_LEN..HEADER_LEN + len) else {
        return Parsed::Damaged;
    };
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(header.get(4..8).unwrap_or_default());
    hasher.update(payload);
    if hasher.finalize() != word(8) {
        return Parsed::Damaged;
    }
    Parsed::Record {
        payload: at + HEADER_LEN,
        len,
        next: at + HEADER_LEN + len,
    }
}

/// The offset of the next intact record after a damaged one at `at`, if any.
pub fn resync(bytes: &[u8], at: usize) -> Option<usize> {
    let mut from = at + 1;
    while let Some(i) = bytes
        .get(from..)
        .and_then(|r| r.windows(MAGIC.len()).position(|w| w == MAGIC))
    {
        let candidate = from + i;
        if matches!(parse(bytes, candidate), Parsed::Record { .. }) {
            return Some(candidate);
        }
        from = candidate + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_records() -> Vec<u8> {
        let mut out = Vec::new();
        encode(b"{\"a\":1}", &mut out);
        encode(b"{\"b\":2}", &mut out);
        out
    }

    #[test]
    fn records_read_back_in_order() {
        let bytes = two_records();
        let Parsed::Record { payload, len, next } = parse(&bytes, 0) else {
            panic!("first record")
        };
        assert_eq!(&bytes[payload..payload + len], b"{\"a\":1}");
        assert!(matches!(parse(&bytes, next), Parsed::Record { .. }));
        assert_eq!(parse(&bytes, bytes.len()), Parsed::End);
    }

    #[test]
    fn every_cut_of_the_tail_is_detected() {
        let bytes = two_records();
        let Parsed::Record { next: second, .. } = parse(&bytes, 0) else {
            panic!("first record")
        };
        for cut in second + 1..bytes.len() {
            assert_eq!(
                parse(&bytes[..cut], second),
                Parsed::Damaged,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_flipped_bit_is_detected_and_skipped() {
        let mut bytes = two_records();
        bytes[HEADER_LEN + 2] ^= 0x10;
        assert_eq!(parse(&bytes, 0), Parsed::Damaged);
        let next = resync(&bytes, 0).expect("second record found");
        assert!(matches!(parse(&bytes, next), Parsed::Record { .. }));
    }
}
