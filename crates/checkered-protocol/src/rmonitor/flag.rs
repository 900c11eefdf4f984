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
    Other(String),
}

/// Known flags and their exact wire texts.
const KNOWN: [(Flag, &str); 9] = [
    (Flag::Green, "Green "),
    (Flag::Yellow, "Yellow"),
    (Flag::Red, "Red   "),
    (Flag::Finish, "Finish"),
    (Flag::White, "White "),
    (Flag::Black, "Black "),
    (Flag::Purple, "Purple"),
    (Flag::Purple60, "Purple60"),
    (Flag::None, "      "),
];

impl Flag {
    /// Reads a flag field: a known flag in its exact wire form, otherwise [`Flag::Other`].
    pub fn from_wire(text: &str) -> Flag {
        KNOWN
            .iter()
            .find(|(_, wire)| *wire == text)
            .map_or_else(|| Flag::Other(text.to_owned()), |(flag, _)| flag.clone())
    }

    /// The text written on the wire (without quotes).
    pub fn wire_text(&self) -> &str {
        match self {
            Flag::Other(text) => text,
            known => KNOWN
                .iter()
                .find(|(flag, _)| flag == known)
                .map_or("", |(_, wire)| wire),
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
            .iter()
            .find(|(_, wire)| wire.trim().eq_ignore_ascii_case(name))
            .map_or_else(|| self.clone(), |(flag, _)| flag.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_flags_round_trip_through_their_wire_text() {
        for (flag, wire) in KNOWN {
            assert_eq!(Flag::from_wire(wire), flag);
            assert_eq!(flag.wire_text(), wire);
        }
    }

    #[test]
    fn other_text_is_kept_verbatim_and_read_leniently() {
        let f = Flag::from_wire("green");
        assert_eq!(f, Flag::Other("green".to_owned()));
        assert_eq!(f.wire_text(), "green");
        assert_eq!(f.recognised(), Flag::Green);
        assert_eq!(Flag::from_wire("").recognised(), Flag::None);
        assert_eq!(
            Flag::from_wire("Blue  ").recognised(),
            Flag::Other("Blue  ".to_owned())
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
