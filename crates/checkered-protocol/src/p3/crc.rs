//! The P3 frame checksum.
//!
//! P3 uses the CCITT polynomial 0x1021 in its "augmented" register form, starting at
//! 0xFFFF, over the whole *unescaped* frame from SOR to EOR with the two CRC bytes
//! (offsets 4 and 5) taken as zero. It is not a catalogue CRC in that form (it equals
//! CRC-16/SPI-FUJITSU over all but the last two bytes, XOR those bytes read big-endian),
//! so it is computed here from a compile-time table rather than through a CRC crate.

/// Offset of the little-endian CRC within an unescaped frame.
pub const CRC_OFFSET: usize = 4;

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

static TABLE: [u16; 256] = make_table();

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
pub fn frame_crc(frame: &[u8]) -> u16 {
    #[inline(always)]
    fn step(crc: u16, b: u8) -> u16 {
        TABLE[usize::from(crc >> 8)] ^ (crc << 8) ^ u16::from(b)
    }
    let (head, tail) = frame.split_at(frame.len().min(CRC_OFFSET));
    let mut crc = head.iter().fold(0xFFFF, |crc, &b| step(crc, b));
    // The CRC field itself counts as zero bytes.
    let zeros = tail.len().min(2);
    for _ in 0..zeros {
        crc = step(crc, 0);
    }
    tail.get(zeros..)
        .unwrap_or_default()
        .iter()
        .fold(crc, |crc, &b| step(crc, b))
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
    fn crc_field_is_ignored() {
        let mut frame = unhex("8e021f007fc70000020001021600070226000c01780601008104930f02008f");
        let crc = frame_crc(&frame);
        frame[4] = 0xAA;
        frame[5] = 0x55;
        assert_eq!(frame_crc(&frame), crc);
    }
}
