//! Guessing a capture's format from its first bytes, so `checkered decode file` works
//! without a `--format` flag in the common cases.
//!
//! # Layout
//! - [`sniff`]: the guess, in order: PuTTY header, RedMist `##` header, timestamped line
//!   (hex or text), hex dump, binary bytes, `$`-led protocol text.

use super::lines::{Lines, decode_hex};
use super::putty::HEADER_PREFIX;
use super::time::parse_datetime;
use super::{CaptureFormat, skip_bom};

/// How much of the input the guess looks at.
const SAMPLE: usize = 4096;

/// Guesses the format of a capture from its first bytes; `None` if it looks like none of
/// them (for example a licence text).
///
/// ```
/// use checkered_protocol::capture::{sniff, CaptureFormat};
/// assert_eq!(sniff(b"##2025-04-26 13:58:48.222\n$F,9999\n"), Some(CaptureFormat::RedmistLog));
/// assert_eq!(sniff(b"$H\xa6N\xa62F4\xa6Q1\r\n"), Some(CaptureFormat::RawText));
/// assert_eq!(sniff(b"\x8e\x02\x33\x00"), Some(CaptureFormat::RawBinary));
/// assert_eq!(sniff(b"MIT License\n"), None);
/// ```
pub fn sniff(bytes: &[u8]) -> Option<CaptureFormat> {
    let sample = bytes.get(..SAMPLE).unwrap_or(bytes);
    if sample.starts_with(HEADER_PREFIX) {
        return Some(CaptureFormat::PuttyLog);
    }
    let text = sample.get(skip_bom(sample)..).unwrap_or_default();
    if text.starts_with(b"##") && text.get(2).is_some_and(u8::is_ascii_digit) {
        return Some(CaptureFormat::RedmistLog);
    }
    if looks_binary(sample) {
        return Some(CaptureFormat::RawBinary);
    }
    let first = Lines {
        bytes: text,
        pos: 0,
    }
    .find(|l| !l.is_blank() && !l.content.starts_with(b"#"))?;
    let content = first.content;
    if let Ok((_, used)) = parse_datetime(content) {
        let rest = content.get(used..).unwrap_or_default();
        return Some(if is_hex_dump(rest) {
            CaptureFormat::P3Hex
        } else {
            CaptureFormat::TimestampedLines
        });
    }
    if is_hex_dump(content) {
        return Some(CaptureFormat::P3Hex);
    }
    let lead = content.iter().find(|b| !b.is_ascii_whitespace());
    (lead == Some(&b'$')).then_some(CaptureFormat::RawText)
}

/// Control bytes other than tab, CR and LF never occur in the text formats; P3 frames
/// start with 0x8E and are full of zero bytes.
fn looks_binary(sample: &[u8]) -> bool {
    sample.first() == Some(&0x8E)
        || sample
            .iter()
            .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n'))
}

/// At least two bytes of hex pairs and nothing else.
fn is_hex_dump(text: &[u8]) -> bool {
    decode_hex(text, 0).is_ok_and(|b| b.len() >= 2)
}
