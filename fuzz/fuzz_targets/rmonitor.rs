//! Streams arbitrary bytes through the RMonitor decoder. Nothing may panic; every offset
//! must point inside the input; every record that decodes must encode to one CRLF line
//! that decodes back to the same record and re-encodes to the same bytes. The first byte
//! picks the chunk size and the line-length limit, so chunk boundaries and over-long lines
//! are explored too. Feeding through `push_with` (lines decoded in place) must give the
//! same records as `push` and iteration.
#![no_main]

use checkered_protocol::rmonitor::{Decoder, decode_line, encode_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&knob, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(knob & 0x0F) + 1;
    let max_line = if knob & 0x80 != 0 {
        usize::from(knob & 0x70) + 8
    } else {
        4096
    };
    let mut dec = Decoder::new(max_line);
    let mut in_place = Decoder::new(max_line);
    let mut iterated = Vec::new();
    let mut called = Vec::new();
    let mut check = |dec: &mut Decoder| {
        for located in dec.by_ref() {
            iterated.push(located.clone());
            assert!(located.offset <= stream.len() as u64);
            let Ok(record) = located.result else { continue };
            let mut line = Vec::new();
            encode_line(&record, &mut line);
            let body = line
                .strip_suffix(b"\r\n")
                .expect("encoded lines end in CRLF");
            assert!(!body.contains(&b'\n'), "one record, one line: {line:?}");
            assert_eq!(
                decode_line(body).as_ref(),
                Ok(&record),
                "{:?}",
                String::from_utf8_lossy(&line)
            );
            let mut again = Vec::new();
            encode_line(&record, &mut again);
            assert_eq!(again, line);
        }
    };
    for piece in stream.chunks(chunk) {
        dec.push(piece);
        check(&mut dec);
        in_place.push_with(piece, |l| called.push(l));
    }
    dec.finish();
    check(&mut dec);
    in_place.finish();
    called.extend(in_place);
    assert_eq!(iterated, called, "push_with differs from push and iteration");
});
