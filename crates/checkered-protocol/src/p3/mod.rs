//! MyLaps/AMB P3: the binary protocol of transponder decoders (TCP port 5403).
//!
//! A decoder streams frames: `SOR(0x8E) VERSION LENGTH(u16) CRC(u16) FLAGS(u16) TOR(u16)
//! TLV* EOR(0x8F)`, little-endian, with bytes 0x8A..=0x8F escaped as `0x8D, b+0x20`
//! everywhere between the markers. The LENGTH and CRC cover the unescaped frame.
//!
//! Decoding never trusts a frame that fails its LENGTH or CRC check: such frames become
//! located [`FrameError`]s and the stream carries on. Every TLV is kept, typed when the
//! reference documents it and raw otherwise, and [`encode`] writes a decoded frame back
//! byte for byte.
//!
//! # Layout
//! - [`framer`]: streaming splitter over arbitrary chunks, with resynchronisation.
//! - [`codec`]: header, LENGTH and CRC checks, TLV body decoding, encoding.
//! - `layout`: shortcuts for the PASSING and STATUS layouts real decoders send.
//! - [`record`]: typed records (PASSING, STATUS, VERSION, RESEND, ERROR, GET_TIME, …).
//! - [`command`]: the frames a relay sends to a decoder.
//! - [`crc`], [`escape`]: the checksum and byte stuffing.
//! - [`tor`]: record types and TLV tag numbers.
//! - [`value`]: TLV value widths and raw TLVs.
//! - [`error`]: located stream errors.

pub mod codec;
pub mod command;
pub mod crc;
pub mod error;
pub mod escape;
pub mod framer;
mod layout;
pub mod record;
pub mod tor;
pub mod value;

pub use codec::{Frame, decode_unescaped, encode, encode_unescaped};
pub use error::{FrameError, FrameErrorKind};
pub use framer::{Decoded, Framer, decode_all};
pub use record::{ErrorRecord, Generic, GetTime, Passing, Record, Resend, Status, Version};
pub use tor::Tor;
pub use value::Tlv;

/// Transponder ids of BMX start-gate beacons (5 m hill, 8 m hill, and a third gate).
pub const GATE_BEACONS: [u32; 3] = [9991, 9992, 9995];
