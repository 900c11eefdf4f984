//! Runs every capture format's splitter (and the format sniffer) over arbitrary bytes:
//! nothing may panic, and every item and error must point inside the input.
#![no_main]

use checkered_protocol::capture::{CaptureFormat, sniff, split};
use libfuzzer_sys::fuzz_target;
use std::borrow::Cow;

fuzz_target!(|data: &[u8]| {
    let _ = sniff(data);
    for format in CaptureFormat::ALL {
        for result in split(format, data) {
            match result {
                Ok(item) => {
                    assert!(item.offset <= data.len());
                    if let Cow::Borrowed(bytes) = item.data {
                        assert_eq!(data.get(item.offset..item.offset + bytes.len()), Some(bytes));
                    }
                }
                Err(e) => assert!(e.offset() <= data.len()),
            }
        }
    }
});
