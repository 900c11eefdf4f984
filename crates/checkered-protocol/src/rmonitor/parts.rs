//! The building blocks of records: fields kept as written, separator style, lap-info
//! kind and IMSA track sections.
//!
//! # Layout
//! - [`RawField`], [`Separator`], [`LapKind`], [`Section`].

use serde::{Deserialize, Serialize};

use super::Text;

/// A field kept as written: extra trailing fields and the fields of unknown records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RawField {
    /// The field's text (quotes removed, `""` unescaped, Windows-1252 decoded).
    pub text: Text,
    /// Whether the field was quoted, so it is written back the same way.
    pub quoted: bool,
}

/// How fields are separated on the line. Orbits writes bare commas; the RedMist relay
/// synthesises `$I, "00:00:00", "0/0/0000"` with a space after each comma.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Separator {
    /// `,` (the protocol's form).
    #[default]
    Comma,
    /// `, ` (comma and one space).
    CommaSpace,
}

impl Separator {
    /// Whether this is the protocol's plain comma (used to omit it from JSON).
    pub fn is_comma(&self) -> bool {
        *self == Separator::Comma
    }
}

/// Which undocumented lap-info record carried a lap: `$SP` (practice) or `$SR` (race).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LapKind {
    /// `$SP`.
    Practice,
    /// `$SR`.
    Race,
}

/// One timed section of an IMSA `$T` track description.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Section {
    /// Section name (`"LAP"`, `"S1"`…).
    pub name: Text,
    /// Timeline the section starts at (`"T1"`).
    pub start_line: Text,
    /// Timeline the section ends at (`"P1"`).
    pub end_line: Text,
    /// Section length in inches.
    pub distance_inches: u32,
}
