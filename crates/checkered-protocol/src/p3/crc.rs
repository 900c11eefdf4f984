//! The P3 frame checksum.
//!
//! P3 uses the CCITT polynomial 0x1021 in its "augmented" register form, starting at
//! 0xFFFF, over the whole *unescaped* frame from SOR to EOR with the two CRC bytes
//! (offsets 4 and 5) taken as zero. It is not a catalogue CRC in that form, but it equals
//! CRC-16/SPI-FUJITSU (poly 0x1021, init 0x1D0F, no reflection) over all but the last two
//! bytes, XOR those two bytes read big-endian. That "direct" form is what is computed
//! here, eight bytes at a time (slicing-by-8, tables built at compile time), so a
//! 50-byte frame costs five table rounds instead of fifty dependent byte steps. The
//! byte-at-a-time augmented form of the reference is kept as [`frame_crc_bytewise`] and
//! the tests hold the two equal on arbitrary frames.

/// Offset of the little-endian CRC within an unescaped frame.
pub const CRC_OFFSET: usize = 4;

/// The direct-form register that the augmented 0xFFFF start becomes (0xFFFF pushed
/// through two zero bytes).
const DIRECT_INIT: u16 = 0x1D0F;

const fn make_table() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut value = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            value = if value & 0x8000 != 0 {
                (value << 1) ^ 0x1021
            } else {
                value << 1
            };
            bit += 1;
        }
        table[i] = value;
        i += 1;
    }
    table
}

/// `SLICES[k][b]`: the register after byte `b` followed by `k` zero bytes, from zero.
const fn make_slices() -> [[u16; 256]; 8] {
    let mut slices = [[0u16; 256]; 8];
    slices[0] = make_table();
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = slices[k - 1][i];
            slices[k][i] = (prev << 8) ^ slices[0][(prev >> 8) as usize];
            i += 1;
        }
        k += 1;
    }
    slices
}

static SLICES: [[u16; 256]; 8] = make_slices();

/// One byte of the augmented form, as the reference writes it.
#[inline(always)]
fn step_augmented(crc: u16, b: u8) -> u16 {
    SLICES[0][usize::from(crc >> 8)] ^ (crc << 8) ^ u16::from(b)
}

/// One byte of the direct form.
#[inline(always)]
fn step_direct(crc: u16, b: u8) -> u16 {
    SLICES[0][usize::from((crc >> 8) as u8 ^ b)] ^ (crc << 8)
}

/// Eight bytes of the direct form at once.
#[inline(always)]
fn round(crc: u16, [b0, b1, b2, b3, b4, b5, b6, b7]: [u8; 8]) -> u16 {
    let [hi, lo] = crc.to_be_bytes();
    SLICES[7][usize::from(b0 ^ hi)]
        ^ SLICES[6][usize::from(b1 ^ lo)]
        ^ SLICES[5][usize::from(b2)]
        ^ SLICES[4][usize::from(b3)]
        ^ SLICES[3][usize::from(b4)]
        ^ SLICES[2][usize::from(b5)]
        ^ SLICES[1][usize::from(b6)]
        ^ SLICES[0][usize::from(b7)]
}

/// The direct form over `bytes`: eight at a time, then the last 0..=7 in one partial
/// round (with two or more bytes left the register is wholly shifted out, so every byte
/// is one independent table lookup).
#[inline]
fn direct(mut crc: u16, bytes: &[u8]) -> u16 {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        crc = round(crc, <[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
    }
    match *chunks.remainder() {
        [] => crc,
        [b] => step_direct(crc, b),
        ref rest => {
            let [hi, lo] = crc.to_be_bytes();
            let last = rest.len() - 1;
            rest.iter().enumerate().fold(0, |acc, (j, &b)| {
                let with = match j {
                    0 => b ^ hi,
                    1 => b ^ lo,
                    _ => b,
                };
                acc ^ SLICES
                    .get(last - j)
                    .map_or(0, |table| table[usize::from(with)])
            })
        }
    }
}

/// Computes the CRC of an unescaped frame (SOR..=EOR), treating the CRC field as zero.
///
/// Frames shorter than the CRC field are summed as they are; the framer rejects them
/// earlier on length anyway.
///
/// ```
/// // STATUS frame from a live ProChip decoder, CRC 0xB16C stored at offset 4.
/// let frame = [0x8e,0x02,0x1f,0x00,0x6c,0xb1,0x00,0x00,0x02,0x00,0x01,0x02,0x35,0x00,0x07,
///     0x02,0x10,0x00,0x06,0x01,0x01,0x0a,0x01,0x00,0x81,0x04,0xd0,0x00,0x0c,0x00,0x8f];
/// assert_eq!(checkered_protocol::p3::crc::frame_crc(&frame), 0xB16C);
/// ```
#[inline]
pub fn frame_crc(frame: &[u8]) -> u16 {
    // The direct form needs the last two bytes to lie past the first eight.
    let n = frame.len();
    let (Some(&[b0, b1, b2, b3, _, _, b6, b7]), Some(body), Some(&[a, b])) = (
        frame.get(..8),
        frame.get(8..n.wrapping_sub(2)),
        frame.get(n.wrapping_sub(2)..),
    ) else {
        return frame_crc_bytewise(frame);
    };
    // The CRC field (bytes 4 and 5) counts as zero.
    let crc = round(DIRECT_INIT, [b0, b1, b2, b3, 0, 0, b6, b7]);
    direct(crc, body) ^ u16::from_be_bytes([a, b])
}

/// [`frame_crc`] exactly as the protocol reference writes it: the augmented register
/// form, one byte at a time. Slower; kept as the definition the fast form is tested
/// against.
pub fn frame_crc_bytewise(frame: &[u8]) -> u16 {
    let (head, tail) = frame.split_at(frame.len().min(CRC_OFFSET));
    let mut crc = head.iter().fold(0xFFFF, |crc, &b| step_augmented(crc, b));
    // The CRC field itself counts as zero bytes.
    let zeros = tail.len().min(2);
    for _ in 0..zeros {
        crc = step_augmented(crc, 0);
    }
    tail.get(zeros..)
        .unwrap_or_default()
        .iter()
        .fold(crc, |crc, &b| step_augmented(crc, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    #[test]
    fn reference_vectors() {
        let passing = unhex(
            "8e023d0012850000010001049922000003042af71f060a08464c2d39343839300502850006021d0004088501ca0866420600080200008104d0000c008f",
        );
        assert_eq!(frame_crc(&passing), 0x8512);
        let ammc = unhex(
            "8e02330043df000001000104490c01000304c6e548000408e8f067b2e17b04000502a7000602f500080200008104e80904008f",
        );
        assert_eq!(frame_crc(&ammc), 0xDF43);
    }

    #[test]
    fn reference_vectors_bytewise() {
        for (hex, crc) in [
            (
                "8e021f006cb10000020001023500070210000601010a01008104d0000c008f",
                0xB16C,
            ),
            (
                "8e0233008dae400000010001047c680200030473d756000408882878f31e8305000502b20006021f00080200008104131804008f",
                0x408E,
            ),
        ] {
            let mut frame = unhex(hex);
            if frame[4] == 0x8d {
                // As on the wire: the CRC byte 0x8E is escaped; unescape it.
                frame.remove(4);
                frame[4] = 0x8e;
            }
            assert_eq!(frame_crc(&frame), crc, "{hex}");
            assert_eq!(frame_crc_bytewise(&frame), crc, "{hex}");
        }
    }

    proptest::proptest! {
        #[test]
        fn sliced_equals_bytewise(frame in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            proptest::prop_assert_eq!(frame_crc(&frame), frame_crc_bytewise(&frame));
        }
    }

    #[test]
    fn every_short_length_agrees() {
        let bytes: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) ^ 0x5A).collect();
        for n in 0..bytes.len() {
            assert_eq!(
                frame_crc(&bytes[..n]),
                frame_crc_bytewise(&bytes[..n]),
                "{n}"
            );
        }
    }

    #[test]
    fn crc_field_is_ignored() {
        let mut frame = unhex("8e021f007fc70000020001021600070226000c01780601008104930f02008f");
        let crc = frame_crc(&frame);
        frame[4] = 0xAA;
        frame[5] = 0x55;
        assert_eq!(frame_crc(&frame), crc);
    }
}
