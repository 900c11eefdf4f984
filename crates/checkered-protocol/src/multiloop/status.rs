//! One-letter codes of the Multiloop feed as enums, each with an `Other` fallback so an
//! unexpected letter is kept (and re-encoded) rather than rejected.
//!
//! # Layout
//! - `letter_enum!`: defines an enum, its decoding from text and its wire spelling.
//! - [`RecordKind`], [`TrackStatus`], [`LapStatus`], [`CrossingSource`], [`CrossingStatus`],
//!   [`RunType`]: the codes themselves.

use serde::{Deserialize, Serialize};

macro_rules! letter_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A code this implementation does not know, kept as received.
            Other(String),
        }

        impl $name {
            /// Decodes the wire text; unknown codes become `Other`.
            pub fn from_code(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    _ => Self::Other(code.to_owned()),
                }
            }

            /// The wire text of this code.
            pub fn code(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }

            /// Every named variant's wire text (for tests and generators).
            pub const KNOWN_CODES: &'static [&'static str] = &[$($code),*];
        }
    };
}

letter_enum!(
    /// Header field 1: whether the record is new, a periodic repeat for late joiners, or an
    /// update of one sent before.
    RecordKind {
        /// `N`: first transmission.
        New => "N",
        /// `R`: periodic repeat (levels 3 and 4).
        Repeated => "R",
        /// `U`: correction of a record sent before.
        Updated => "U",
    }
);

letter_enum!(
    /// Track (flag) status in `$H`, `$C`, `$L` and `$F`. The reference also lists `U` and `C`
    /// without a documented meaning; they decode as `Other`.
    TrackStatus {
        /// `G`: green.
        Green => "G",
        /// `Y`: yellow (full course).
        Yellow => "Y",
        /// `R`: red.
        Red => "R",
        /// `W`: white (last lap).
        White => "W",
        /// `K`: checkered.
        Checkered => "K",
    }
);

letter_enum!(
    /// Lap status in `$C`. Only `T` appears in known data; the mapping of `P` mirrors the
    /// `$L` crossing status letters and is inferred.
    LapStatus {
        /// `T`: lap completed on track.
        Track => "T",
        /// `P`: lap completed through the pit lane (inferred).
        Pit => "P",
    }
);

letter_enum!(
    /// Which device produced a `$L` line crossing.
    CrossingSource {
        /// `A`: transponder antenna (loop).
        Antenna => "A",
        /// `M`: manual entry by a timing official.
        Manual => "M",
        /// `P`: photocell.
        Photocell => "P",
    }
);

letter_enum!(
    /// Whether a `$L` crossing happened on track or in the pit lane.
    CrossingStatus {
        /// `T`: on track.
        Track => "T",
        /// `P`: in the pit lane.
        Pit => "P",
    }
);

letter_enum!(
    /// Session type in `$R`; the protocol treats any other letter as a race, we keep it.
    RunType {
        /// `P`: practice.
        Practice => "P",
        /// `Q`: qualifying.
        Qualifying => "Q",
        /// `S`: single-car qualifying.
        SingleCarQualifying => "S",
        /// `R`: race.
        Race => "R",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_other_codes_round_trip() {
        assert_eq!(TrackStatus::from_code("K"), TrackStatus::Checkered);
        assert_eq!(TrackStatus::from_code("U"), TrackStatus::Other("U".into()));
        for code in ["N", "R", "U", "X", ""] {
            assert_eq!(RecordKind::from_code(code).code(), code);
        }
    }

    #[test]
    fn serde_names_are_screaming() {
        let json = serde_json::to_string(&RunType::SingleCarQualifying).unwrap_or_default();
        assert_eq!(json, "\"SINGLE_CAR_QUALIFYING\"");
    }
}
