//! Why a line could not be decoded.
//!
//! Every rejection names the record and the 1-based field index (the numbering of the
//! protocol's record table, counted after the command), so a dead-lettered line can be
//! diagnosed from its reason alone.
//!
//! # Layout
//! - [`RmonitorError`]: the single error type of the RMonitor codec.

/// A line that is not a well-formed RMonitor record, or a framing failure.
///
/// Field indices are 1-based and count the fields after the command, as the protocol's
/// record table does (`$G,1,"7",,"00:00:03.863"`: field 1 is the position).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RmonitorError {
    /// The line does not start with `$` (blank lines, banners, capture comments).
    #[error("not an RMonitor record: the line does not start with '$'")]
    NotARecord,
    /// The command after `$` is empty or has characters other than ASCII letters, digits
    /// and `_`, so it could not be re-encoded safely.
    #[error("bad command name {0:?}")]
    BadCommand(String),
    /// A known record has fewer fields than the protocol defines (extra fields are kept).
    #[error("wrong field count for ${command}: expected at least {expected}, got {got}")]
    FieldCount {
        /// The record's command, without `$`.
        command: &'static str,
        /// The number of fields the record needs.
        expected: usize,
        /// The number of fields the line has.
        got: usize,
    },
    /// A numeric field holds something other than ASCII digits (or overflows).
    #[error("bad number in field {index} of ${command}: {text:?}")]
    BadNumber {
        /// The record's command, without `$`.
        command: &'static str,
        /// 1-based field index.
        index: usize,
        /// The field's text.
        text: String,
    },
    /// A time field is not `[H…]H:MM:SS[.D[D[D]]]` (optionally signed where allowed).
    #[error("bad time in field {index} of ${command}: {text:?}")]
    BadTime {
        /// The record's command, without `$`.
        command: &'static str,
        /// 1-based field index.
        index: usize,
        /// The field's text.
        text: String,
    },
    /// A quoted field has no closing quote.
    #[error("unterminated quote in field {index}")]
    UnterminatedQuote {
        /// 1-based field index.
        index: usize,
    },
    /// Something other than whitespace or a comma follows a closing quote.
    #[error("unexpected text after the closing quote of field {index}")]
    TextAfterQuote {
        /// 1-based field index.
        index: usize,
    },
    /// The framer skipped a line longer than its limit without buffering it.
    #[error("line too long: {len} bytes exceed the {max}-byte limit")]
    LineTooLong {
        /// The skipped line's length in bytes, without its terminator.
        len: u64,
        /// The configured limit.
        max: usize,
    },
}
