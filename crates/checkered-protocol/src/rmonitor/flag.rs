//! The track flag carried by `$F` heartbeats and Race Monitor `$RMHL` lap history.
//!
//! Orbits writes the flag as a fixed six-character, space-padded string (`"Green "`,
//! `"Red   "`, `"      "` for none). A known flag is recognised only in exactly that
//! form, so encoding gives back the same bytes; anything else is kept verbatim in
//! [`Flag::Other`], and [`Flag::recognised`] offers a lenient reading of it.
//!
//! # Layout
//! - [`Flag`]: the flag, its wire text and parsing.

use serde::{Deserialize, Serialize};

/// Track flag state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Flag {
    /// `"Green "`: racing.
    Green,
    /// `"Yellow"`: full-course caution.
    Yellow,
    /// `"Red   "`: session stopped.
    Red,
    /// `"Finish"`: chequered flag.
    Finish,
    /// `"White "`: last lap (RedMist mapping).
    White,
    /// `"Black "`: black flag (RedMist mapping).
    Black,
    /// `"Purple"`: code 60 / slow zone (RedMist mapping).
    Purple,
    /// `"Purple60"`: code 60 variant, as RedMist names it (longer than six characters).
    Purple60,
    /// `"      "`: no flag (before the start or after the session).
    None,
    /// Any other text, kept verbatim (padding included) so it re-encodes exactly.
    Other(super::Text),
}

/// The known flags, for lenient matching.
const KNOWN: [Flag; 9] = [
    Flag::Green,
    Flag::Yellow,
    Flag::Red,
    Flag::Finish,
    Flag::White,
    Flag::Black,
    Flag::Purple,
    Flag::Purple60,
    Flag::None,
];

impl Flag {
    /// Reads a flag field: a known flag in its exact wire form, otherwise [`Flag::Other`].
    pub fn from_wire(text: &str) -> Flag {
        match text {
            "Green " => Flag::Green,
            "Yellow" => Flag::Yellow,
            "Red   " => Flag::Red,
            "Finish" => Flag::Finish,
            "White " => Flag::White,
            "Black " => Flag::Black,
            "Purple" => Flag::Purple,
            "Purple60" => Flag::Purple60,
            "      " => Flag::None,
            other => Flag::Other(other.into()),
        }
    }

    /// [`Flag::from_wire`] on raw field bytes without building a string: the known flags
    /// compared as one machine word (this runs once a second per feed, and in every
    /// benchmark line). Other bytes go through Windows-1252 decoding.
    pub(crate) fn from_wire_bytes(raw: &[u8]) -> Flag {
        if raw.len() <= 8 {
            let mut word = [0u8; 8];
            if let Some(prefix) = word.get_mut(..raw.len()) {
                prefix.copy_from_slice(raw);
            }
            let known = match (raw.len(), u64::from_le_bytes(word)) {
                (6, w) if w == word_of(b"Green ") => Some(Flag::Green),
                (6, w) if w == word_of(b"Yellow") => Some(Flag::Yellow),
                (6, w) if w == word_of(b"Red   ") => Some(Flag::Red),
                (6, w) if w == word_of(b"Finish") => Some(Flag::Finish),
                (6, w) if w == word_of(b"      ") => Some(Flag::None),
                (6, w) if w == word_of(b"White ") => Some(Flag::White),
                (6, w) if w == word_of(b"Black ") => Some(Flag::Black),
                (6, w) if w == word_of(b"Purple") => Some(Flag::Purple),
                (8, w) if w == word_of(b"Purple60") => Some(Flag::Purple60),
                _ => None,
            };
            if let Some(flag) = known {
                return flag;
            }
        }
        Flag::from_wire(&crate::cp1252::decode(raw))
    }

    /// The text written on the wire (without quotes).
    pub fn wire_text(&self) -> &str {
        match self {
            Flag::Green => "Green ",
            Flag::Yellow => "Yellow",
            Flag::Red => "Red   ",
            Flag::Finish => "Finish",
            Flag::White => "White ",
            Flag::Black => "Black ",
            Flag::Purple => "Purple",
            Flag::Purple60 => "Purple60",
            Flag::None => "      ",
            Flag::Other(text) => text,
        }
    }

    /// A lenient reading for producers that pad or capitalise differently: an
    /// [`Flag::Other`] whose trimmed text names a known flag (case-insensitively; empty
    /// means [`Flag::None`]) becomes that flag. Known flags are returned unchanged.
    pub fn recognised(&self) -> Flag {
        let Flag::Other(text) = self else {
            return self.clone();
        };
        let name = text.trim();
        KNOWN
            .into_iter()
            .find(|flag| flag.wire_text().trim().eq_ignore_ascii_case(name))
            .unwrap_or_else(|| self.clone())
    }
}

/// Little-endian word of up to 8 bytes, zero-padded (for [`Flag::from_wire_bytes`]).
const fn word_of(text: &[u8]) -> u64 {
    let mut word = 0u64;
    let mut i = 0;
    while i < text.len() && i < 8 {
        word |= (text[i] as u64) << (8 * i);
        i += 1;
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_flags_round_trip_through_their_wire_text() {
        for flag in KNOWN {
            assert_eq!(Flag::from_wire(flag.wire_text()), flag);
            assert_eq!(Flag::from_wire_bytes(flag.wire_text().as_bytes()), flag);
        }
        for other in [
            &b"Green "[..],
            b"Green",
            b"Green \0\0",
            b"Purple6",
            b"Purple600",
            b"",
            b"\x80",
        ] {
            let text = crate::cp1252::decode(other);
            assert_eq!(
                Flag::from_wire_bytes(other),
                Flag::from_wire(&text),
                "{text:?}"
            );
        }
        assert_eq!(Flag::Red.wire_text(), "Red   ");
        assert_eq!(Flag::None.wire_text(), "      ");
        assert_eq!(Flag::from_wire("Yellow"), Flag::Yellow);
    }

    #[test]
    fn other_text_is_kept_verbatim_and_read_leniently() {
        let f = Flag::from_wire("green");
        assert_eq!(f, Flag::Other("green".into()));
        assert_eq!(f.wire_text(), "green");
        assert_eq!(f.recognised(), Flag::Green);
        assert_eq!(Flag::from_wire("").recognised(), Flag::None);
        assert_eq!(
            Flag::from_wire("Blue  ").recognised(),
            Flag::Other("Blue  ".into())
        );
    }

    #[test]
    fn serde_names_are_screaming_snake_case() {
        assert_eq!(
            serde_json::to_string(&Flag::Purple60).unwrap_or_default(),
            "\"PURPLE60\""
        );
        assert_eq!(
            serde_json::to_string(&Flag::Green).unwrap_or_default(),
            "\"GREEN\""
        );
    }
}
