//! Read-only views of the engine state: the live board and classifications.
//!
//! # Layout
//! - [`standings`]: the live board of a session.
//! - [`classification`]: the results shape written by `checkered replay --out`.
//! - [`format`]: time and gap text, and the gap arithmetic both views share.

pub mod classification;
pub mod format;
pub mod standings;
