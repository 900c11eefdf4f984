//! Fixed-width little-endian TLV values, and the raw TLV kept for tags we do not know.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that a known TLV tag carries. A known tag whose length does not match its type
/// is not forced into the type: the record keeps it as a raw [`Tlv`] so nothing is lost and
/// the frame re-encodes byte for byte.
pub trait TlvValue: Sized {
    /// Reads the value from exactly the TLV's bytes, or `None` if the width is wrong.
    fn read(bytes: &[u8]) -> Option<Self>;
    /// Appends the value's bytes.
    fn write(&self, out: &mut Vec<u8>);
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl TlvValue for $t {
            #[inline]
            fn read(bytes: &[u8]) -> Option<Self> {
                Some(<$t>::from_le_bytes(bytes.try_into().ok()?))
            }
            #[inline]
            fn write(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
int_value!(u8, u16, u32, u64, i16);

impl TlvValue for String {
    fn read(bytes: &[u8]) -> Option<Self> {
        // Windows-1252 maps every byte, so any text round-trips exactly.
        (bytes.len() <= usize::from(u8::MAX)).then(|| crate::cp1252::decode(bytes))
    }
    fn write(&self, out: &mut Vec<u8>) {
        crate::cp1252::encode_into(self, out);
    }
}

/// A TLV the decoder did not map to a typed field: an unknown tag, a known tag with an
/// unexpected width, or a repeated tag. Kept so nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tlv {
    /// The tag byte.
    pub tag: u8,
    /// The value bytes (at most 255), shown as hex in JSON.
    #[serde(serialize_with = "ser_hex", deserialize_with = "de_hex")]
    pub value: Vec<u8>,
}

fn ser_hex<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let text: String = bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xF)]])
        .map(char::from)
        .collect();
    s.serialize_str(&text)
}

fn de_hex<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = String::deserialize(d)?;
    parse_hex(&text).ok_or_else(|| serde::de::Error::custom("invalid hex string"))
}

/// Parses an even-length string of hex digits.
pub(crate) fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| {
            let hi = char::from(*pair.first()?).to_digit(16)?;
            let lo = char::from(*pair.get(1)?).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}
