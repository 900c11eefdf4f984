//! Why bytes from a decoder did not become a frame.

use thiserror::Error;

/// A stream error, located at the byte offset where the offending bytes start.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("at byte {offset}: {kind}")]
pub struct FrameError {
    /// Offset of the first offending byte in the whole stream.
    pub offset: u64,
    /// What was wrong.
    pub kind: FrameErrorKind,
}

/// What was wrong with a span of the stream. Every variant is recoverable: the framer has
/// already skipped the bad bytes and the next good frame is unaffected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameErrorKind {
    /// Bytes outside any frame (before a start marker).
    #[error("{len} junk bytes outside a frame")]
    Junk {
        /// Number of bytes skipped.
        len: u64,
    },
    /// A start marker came before the end of the previous frame: the frame was cut short.
    #[error("frame truncated after {len} bytes (a new frame started)")]
    Truncated {
        /// Escaped bytes of the partial frame.
        len: usize,
    },
    /// The stream ended inside a frame.
    #[error("stream ended inside a frame ({len} bytes)")]
    UnexpectedEof {
        /// Escaped bytes of the partial frame.
        len: usize,
    },
    /// No end marker within the maximum frame size.
    #[error("no end of frame within {limit} bytes")]
    TooLong {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// An escape byte not followed by a valid escaped byte.
    #[error("invalid escape sequence")]
    BadEscape,
    /// Shorter than the fixed header plus end marker.
    #[error("frame of {len} bytes is shorter than the 11-byte minimum")]
    TooShort {
        /// Unescaped length.
        len: usize,
    },
    /// Only protocol version 2 is defined.
    #[error("LENGTH field says {declared} bytes but the frame has {actual}")]
    LengthMismatch {
        /// Value of the LENGTH field.
        declared: u16,
        /// Unescaped length actually received.
        actual: usize,
    },
    /// The checksum did not match: the frame is corrupt and must not be used.
    #[error("CRC mismatch: frame says {found:#06x}, computed {computed:#06x}")]
    CrcMismatch {
        /// CRC carried by the frame.
        found: u16,
        /// CRC computed over the frame.
        computed: u16,
    },
    /// A TLV ran past the end of the body.
    #[error("TLV with tag {tag:#04x} at body offset {at} runs past the end of the frame")]
    BadTlv {
        /// The TLV's tag.
        tag: u8,
        /// Offset of the TLV within the body.
        at: usize,
    },
}
