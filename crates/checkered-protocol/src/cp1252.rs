//! Windows-1252 decoding and encoding.
//!
//! Orbits software writes RMonitor and Multiloop text in the Windows code page of the
//! scoring PC; names such as `Müller` or `Pérez` arrive as single bytes. Decoding as UTF-8
//! would corrupt them (or fail), so the text protocols decode every byte through this table.
//! The five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the
//! C1 control characters of the same value, as Latin-1 does, so decoding never fails and
//! [`encode`] of a [`decode`]d string gives back the same bytes.

/// Unicode code points for bytes 0x80..=0x9F; the rest of the table is Latin-1.
const HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Decodes one Windows-1252 byte.
#[inline]
pub fn decode_byte(b: u8) -> char {
    if (0x80..=0x9F).contains(&b) {
        HIGH[(b - 0x80) as usize]
    } else {
        char::from(b)
    }
}

/// Decodes Windows-1252 bytes into a `String`. Never fails: every byte has a character.
///
/// ```
/// assert_eq!(checkered_protocol::cp1252::decode(b"M\xfcller \x80"), "Müller €");
/// ```
pub fn decode(bytes: &[u8]) -> String {
    if bytes.is_ascii() {
        // Fast path: the vast majority of feed text is ASCII.
        return String::from_utf8(bytes.to_vec()).unwrap_or_default();
    }
    bytes.iter().map(|&b| decode_byte(b)).collect()
}

/// Encodes one character as Windows-1252, or `None` if the code page has no such character.
#[inline]
pub fn encode_char(c: char) -> Option<u8> {
    let cp = c as u32;
    if cp < 0x80 || (0xA0..=0xFF).contains(&cp) {
        return Some(cp as u8);
    }
    HIGH.iter().position(|&h| h == c).map(|i| 0x80 + i as u8)
}

/// Encodes text as Windows-1252. Characters the code page lacks become `?`, as Windows'
/// own best-fit conversion does, so encoding never fails.
///
/// ```
/// assert_eq!(checkered_protocol::cp1252::encode("Pérez €"), b"P\xe9rez \x80");
/// ```
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    encode_into(text, &mut out);
    out
}

/// Appends the Windows-1252 encoding of `text` to `out` (see [`encode`]).
pub fn encode_into(text: &str, out: &mut Vec<u8>) {
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.extend(text.chars().map(|c| encode_char(c).unwrap_or(b'?')));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255u8).collect();
        assert_eq!(encode(&decode(&all)), all);
    }

    #[test]
    fn euro_and_smart_quotes_decode() {
        assert_eq!(decode(&[0x80, 0x93, 0x94]), "€\u{201C}\u{201D}");
    }

    #[test]
    fn unmappable_becomes_question_mark() {
        assert_eq!(encode("日本"), b"??");
    }

    proptest! {
        #[test]
        fn decode_then_encode_is_identity(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            prop_assert_eq!(encode(&decode(&bytes)), bytes);
        }
    }
}
