//! Why a Multiloop line or stream was rejected.
//!
//! # Layout
//! - [`MultiloopError`]: one line failed to decode.
//! - [`FrameError`]: the line framer could not deliver a line.

/// A Multiloop line that could not be decoded, with the precise reason.
///
/// Field positions are counted the way the protocol document counts them: 0 is the start of
/// record plus command, 1 the record type, 2 the sequence number, 3 the preamble, and record
/// fields start at 4. Callers put the message in the dead-letter log, so it names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultiloopError {
    /// The line held nothing but its terminator.
    #[error("empty line")]
    Empty,
    /// A line feed inside the line: the framer never produces one, so two lines were glued.
    #[error("line feed at byte {position} inside the line")]
    EmbeddedLineFeed {
        /// Position of the line feed in the line.
        position: usize,
    },
    /// The start-of-record byte is one that cannot start a record (a carriage return).
    #[error("byte {byte:#04x} cannot start a record")]
    InvalidStart {
        /// The offending byte.
        byte: u8,
    },
    /// The line has no command after its start-of-record character.
    #[error("no command after the start-of-record character")]
    MissingCommand,
    /// The line stops before a field the record needs.
    #[error("${command}: missing field {index} ({name})")]
    MissingField {
        /// The record's command (`H`, `C`, ...).
        command: String,
        /// Position of the missing field (see the type's docs).
        index: usize,
        /// What the field holds.
        name: &'static str,
    },
    /// A field that must hold hexadecimal digits holds something else.
    #[error("${command}: field {index} ({name}) is not hexadecimal: {text:?}")]
    InvalidHex {
        /// The record's command.
        command: String,
        /// Position of the field.
        index: usize,
        /// What the field holds.
        name: &'static str,
        /// The field as received (Windows-1252 decoded).
        text: String,
    },
    /// A hexadecimal field is too large for 64 bits.
    #[error("${command}: field {index} ({name}) overflows 64 bits: {text:?}")]
    HexOverflow {
        /// The record's command.
        command: String,
        /// Position of the field.
        index: usize,
        /// What the field holds.
        name: &'static str,
        /// The field as received.
        text: String,
    },
    /// A count field (sections, entry fields) announces more fields than the line has.
    #[error("${command}: {name} is {announced} but only {available} fields follow")]
    CountTooLarge {
        /// The record's command.
        command: String,
        /// Which count.
        name: &'static str,
        /// The count as sent.
        announced: u64,
        /// Fields present after the count.
        available: usize,
    },
}

/// Why the line framer could not deliver a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A line exceeded the framer's limit; its bytes were skipped, not buffered.
    #[error("line at byte {offset} is {length} bytes long, over the {max} byte limit")]
    LineTooLong {
        /// Absolute offset of the line's first byte.
        offset: u64,
        /// Length of the line without its terminator.
        length: u64,
        /// The framer's limit.
        max: usize,
    },
    /// A chunk did not start where the previous one ended; the partial line before the gap
    /// was dropped.
    #[error("chunk starts at byte {got} but the stream was at byte {expected}")]
    Discontinuity {
        /// Offset where the next chunk should have started.
        expected: u64,
        /// Offset the chunk claimed.
        got: u64,
    },
}
