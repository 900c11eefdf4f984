//! Frames a relay sends to a decoder: wire-ready bytes with LENGTH and CRC filled in.

use super::codec::{Frame, encode};
use super::record::{Generic, GetTime, Record, Resend};

/// Asks the decoder to resend passings `from..=until` (by passing number), e.g. to heal a
/// gap seen in PASSING_NUMBER.
///
/// ```
/// let wire = checkered_protocol::p3::command::resend(100, 105);
/// let frames = checkered_protocol::p3::decode_all(&wire);
/// assert!(matches!(&frames[0], Ok(d) if d.frame.record.tor().name() == "RESEND"));
/// ```
pub fn resend(from: u32, until: u32) -> Vec<u8> {
    wire(Record::Resend(Resend {
        from: Some(from),
        until: Some(until),
        ..Resend::default()
    }))
}

/// Clears the decoder's passing memory.
pub fn clear_passing() -> Vec<u8> {
    wire(Record::ClearPassing(Generic::default()))
}

/// Asks the decoder for its clock, to track the offset between decoder and relay clocks.
pub fn get_time() -> Vec<u8> {
    wire(Record::GetTime(GetTime::default()))
}

fn wire(record: Record) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    encode(&Frame::new(record), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p3::decode_all;

    #[test]
    fn command_frames_are_wire_exact() {
        // CRC 0x8C69: its 0x8C byte goes out escaped as 8D AC.
        assert_eq!(
            clear_passing(),
            [
                0x8e, 0x02, 0x0b, 0x00, 0x69, 0x8d, 0xac, 0x00, 0x00, 0x05, 0x00, 0x8f
            ]
        );
        assert_eq!(
            get_time(),
            [
                0x8e, 0x02, 0x0b, 0x00, 0x2a, 0xb8, 0x00, 0x00, 0x24, 0x00, 0x8f
            ]
        );
    }

    #[test]
    fn commands_decode_back() {
        let decoded = decode_all(&resend(7, 9));
        let Some(Ok(d)) = decoded.first() else {
            panic!("resend did not decode: {decoded:?}")
        };
        assert_eq!(
            d.frame.record,
            Record::Resend(Resend {
                from: Some(7),
                until: Some(9),
                ..Resend::default()
            })
        );
        assert!(matches!(decode_all(&get_time()).first(), Some(Ok(_))));
    }
}
