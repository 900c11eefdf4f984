//! Streams arbitrary bytes through the Multiloop line framer and decoder. Every line that
//! decodes must re-encode to exactly the bytes received (terminator normalised to CR LF) and
//! decode again to the same message. The first byte picks the chunk size and line limit.
#![no_main]

use checkered_protocol::multiloop::{FrameError, Line, LineFramer, decode_line, encode_line};
use libfuzzer_sys::fuzz_target;

fn check_line(bytes: &[u8]) {
    let Ok(message) = decode_line(bytes) else { return };
    let mut out = Vec::new();
    encode_line(&message, &mut out);
    let mut exact = bytes;
    while let Some(rest) = exact.strip_suffix(b"\r") {
        exact = rest;
    }
    assert_eq!(out.strip_suffix(b"\r\n"), Some(exact), "re-encoding is not byte-exact");
    assert_eq!(decode_line(&out).as_ref(), Ok(&message), "decode(encode(m)) != m");
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, stream)) = data.split_first() else { return };
    let chunk = usize::from(control & 0x3F) + 1;
    let max = 16 + usize::from(control >> 6) * 128;
    let mut framer = LineFramer::new(max);
    let mut sink = |r: Result<Line<'_>, FrameError>| {
        if let Ok(line) = r {
            assert!(line.bytes.len() <= max);
            check_line(line.bytes);
        }
    };
    for (i, piece) in stream.chunks(chunk).enumerate() {
        framer.push((i * chunk) as u64, piece, &mut sink);
        assert!(framer.buffered() <= max + 1, "framer buffered past its limit");
    }
    framer.finish(&mut sink);
    // Whole input as one line too: decode_line must not panic on embedded terminators.
    let _ = decode_line(stream);
});
