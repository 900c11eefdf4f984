//! Fuzzes the P3 framer: arbitrary bytes in arbitrary chunks must never panic, and every
//! frame that decodes must re-encode to bytes that decode to the same record.
#![no_main]

use checkered_protocol::p3::{Framer, decode_all, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(1, |&b| usize::from(b).max(1));
    let mut framer = Framer::new();
    for chunk in data.chunks(split) {
        framer.push(chunk);
        while let Some(item) = framer.next_frame() {
            if let Ok(decoded) = item {
                let mut wire = Vec::new();
                encode(&decoded.frame, &mut wire);
                let again = decode_all(&wire);
                match again.first() {
                    Some(Ok(d)) => assert_eq!(d.frame.record, decoded.frame.record),
                    other => panic!("re-encoded frame did not decode: {other:?}"),
                }
            }
        }
    }
    let _ = framer.finish();
});
