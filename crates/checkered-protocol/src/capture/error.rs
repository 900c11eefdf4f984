//! Why part of a capture file could not be split.
//!
//! # Layout
//! - [`CaptureError`]: one bad header or line, with its byte offset in the file.

/// A header or line of a capture file that could not be read. The splitter reports it and
/// goes on with the next line or batch, so one bad line never hides the rest of a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// A timestamp (RedMist `##` header, line prefix, PuTTY header) is malformed.
    #[error("byte {offset}: bad timestamp: {reason}")]
    BadTimestamp {
        /// Byte offset of the timestamp in the file.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// A timestamp is not followed by a space or tab and the raw line.
    #[error("byte {offset}: expected a space and the raw line after the timestamp")]
    MissingSeparator {
        /// Byte offset just after the timestamp.
        offset: usize,
    },
    /// A hex-dump line holds something other than pairs of hexadecimal digits.
    #[error("byte {offset}: bad hex: {reason}")]
    BadHex {
        /// Byte offset of the offending character (or of the line for an odd digit count).
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// A RedMist header names its source in bytes that are not UTF-8.
    #[error("byte {offset}: source name is not UTF-8")]
    BadSource {
        /// Byte offset of the source name.
        offset: usize,
    },
}

impl CaptureError {
    /// Byte offset in the capture file where the problem is.
    pub fn offset(&self) -> usize {
        match self {
            CaptureError::BadTimestamp { offset, .. }
            | CaptureError::MissingSeparator { offset }
            | CaptureError::BadHex { offset, .. }
            | CaptureError::BadSource { offset } => *offset,
        }
    }
}
