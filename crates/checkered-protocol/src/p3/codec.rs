//! Frame-level decoding and encoding: header, LENGTH, CRC, and the TLV body.

use super::crc::{CRC_OFFSET, frame_crc};
use super::error::FrameErrorKind;
use super::escape::{EOR, SOR, escape_into, escape_markers_into};
use super::layout;
use super::record::*;
use super::tor::Tor;
use super::value::Tlv;
use serde::{Deserialize, Serialize};

/// Bytes of the fixed header: SOR, VERSION, LENGTH(2), CRC(2), FLAGS(2), TOR(2).
pub const HEADER_LEN: usize = 10;
/// The only protocol version seen on the wire.
pub const VERSION: u8 = 2;

/// One P3 frame: header fields and the typed record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// The record (first, so JSON output starts with its `type`).
    #[serde(flatten)]
    pub record: Record,
    /// Protocol version byte (2).
    pub version: u8,
    /// The two header bytes after the CRC (reserved, seen as zero).
    pub header_flags: u16,
    /// Tags in wire order, so a decoded frame re-encodes byte for byte. Empty for frames
    /// built in code: the canonical tag order is used then.
    #[serde(skip)]
    pub tag_order: Vec<u8>,
    /// Whether bytes 0x8A..=0x8C are escaped on the wire, as the protocol says. Some
    /// emulators escape only the marker bytes 0x8D..=0x8F; such a frame is still valid
    /// (the markers cannot be confused) and is re-encoded the way it came.
    #[serde(skip, default = "yes")]
    pub escape_low: bool,
}

fn yes() -> bool {
    true
}

impl Frame {
    /// A version-2 frame with zero flags and canonical field order, as a relay sends.
    pub fn new(record: Record) -> Self {
        Frame {
            version: VERSION,
            header_flags: 0,
            record,
            tag_order: Vec::new(),
            escape_low: true,
        }
    }
}

/// Decodes one unescaped frame (SOR..=EOR): checks LENGTH and CRC, then walks the TLVs.
#[inline]
pub fn decode_unescaped(frame: &[u8]) -> Result<Frame, FrameErrorKind> {
    let len = frame.len();
    let (Some(&first), Some(&last)) = (frame.first(), frame.last()) else {
        return Err(FrameErrorKind::TooShort { len });
    };
    if len < HEADER_LEN + 1 || first != SOR || last != EOR {
        return Err(FrameErrorKind::TooShort { len });
    }
    let u16_at = |at: usize| {
        frame
            .get(at..at + 2)
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
    };
    let declared = u16_at(2);
    if usize::from(declared) != len {
        return Err(FrameErrorKind::LengthMismatch {
            declared,
            actual: len,
        });
    }
    let found = u16_at(CRC_OFFSET);
    let computed = frame_crc(frame);
    if found != computed {
        return Err(FrameErrorKind::CrcMismatch { found, computed });
    }
    let body = frame.get(HEADER_LEN..len - 1).unwrap_or_default();
    let mut tag_order = Vec::new();
    let record = decode_record(Tor::from(u16_at(8)), body, &mut tag_order)?;
    Ok(Frame {
        version: frame.get(1).copied().unwrap_or(VERSION),
        header_flags: u16_at(6),
        record,
        tag_order,
        escape_low: true,
    })
}

/// Walks the TLVs of a body into record `T`. The wire order of the tags is kept only
/// when it differs from the order the encoder would choose anyway (typed fields in
/// canonical order, then raw ones), so the common case costs no allocation.
#[inline]
pub(super) fn decode_fields<T: Fields + Default>(
    body: &[u8],
    order: &mut Vec<u8>,
) -> Result<T, FrameErrorKind> {
    let mut rec = T::default();
    let mut canonical = true;
    let mut last_index = 0u8;
    let mut raw_seen = false;
    let mut rest = body;
    while let [tag, len, tail @ ..] = rest {
        let (tag, n) = (*tag, usize::from(*len));
        let (Some(value), Some(next)) = (tail.get(..n), tail.get(n..)) else {
            return Err(FrameErrorKind::BadTlv {
                tag,
                at: body.len() - rest.len(),
            });
        };
        if rec.take(tag, value) {
            let index = T::INDEX[usize::from(tag)];
            canonical &= !raw_seen && index >= last_index;
            last_index = index;
        } else {
            rec.unknown_mut().push(Tlv {
                tag,
                value: value.to_vec(),
            });
            raw_seen = true;
        }
        rest = next;
    }
    if let [tag] = rest {
        return Err(FrameErrorKind::BadTlv {
            tag: *tag,
            at: body.len() - 1,
        });
    }
    if !canonical {
        wire_order(body, order);
    }
    Ok(rec)
}

/// Appends the tags of a well-formed body in wire order.
fn wire_order(body: &[u8], order: &mut Vec<u8>) {
    let mut rest = body;
    while let [tag, len, tail @ ..] = rest {
        order.push(*tag);
        rest = tail.get(usize::from(*len)..).unwrap_or_default();
    }
}

#[inline]
fn decode_record(tor: Tor, body: &[u8], order: &mut Vec<u8>) -> Result<Record, FrameErrorKind> {
    let generic = |order: &mut Vec<u8>| decode_fields::<Generic>(body, order);
    Ok(match tor {
        Tor::Passing => Record::Passing(match layout::passing(body, order) {
            Some(passing) => passing,
            None => decode_fields(body, order)?,
        }),
        Tor::Status => Record::Status(match layout::status(body) {
            Some(status) => status,
            None => decode_fields(body, order)?,
        }),
        Tor::Version => Record::Version(Box::new(decode_fields(body, order)?)),
        Tor::Resend => Record::Resend(decode_fields(body, order)?),
        Tor::GetTime => Record::GetTime(decode_fields(body, order)?),
        Tor::Error => Record::Error(decode_fields(body, order)?),
        Tor::Reset => Record::Reset(generic(order)?),
        Tor::ClearPassing => Record::ClearPassing(generic(order)?),
        Tor::ServerSettings => Record::ServerSettings(generic(order)?),
        Tor::Session => Record::Session(generic(order)?),
        Tor::NetworkSettings => Record::NetworkSettings(generic(order)?),
        Tor::Watchdog => Record::Watchdog(generic(order)?),
        Tor::Ping => Record::Ping(generic(order)?),
        Tor::GeneralSettings => Record::GeneralSettings(generic(order)?),
        Tor::Signals => Record::Signals(generic(order)?),
        Tor::LoopTrigger => Record::LoopTrigger(generic(order)?),
        Tor::GpsInfo => Record::GpsInfo(generic(order)?),
        Tor::FirstContact => Record::FirstContact(generic(order)?),
        Tor::Timeline => Record::Timeline(generic(order)?),
        Tor::Other(tor) => Record::Unknown {
            tor,
            body: generic(order)?,
        },
    })
}

impl Record {
    /// The record's type on the wire.
    pub fn tor(&self) -> Tor {
        match self {
            Record::Reset(_) => Tor::Reset,
            Record::Passing(_) => Tor::Passing,
            Record::Status(_) => Tor::Status,
            Record::Version(_) => Tor::Version,
            Record::Resend(_) => Tor::Resend,
            Record::ClearPassing(_) => Tor::ClearPassing,
            Record::ServerSettings(_) => Tor::ServerSettings,
            Record::Session(_) => Tor::Session,
            Record::NetworkSettings(_) => Tor::NetworkSettings,
            Record::Watchdog(_) => Tor::Watchdog,
            Record::Ping(_) => Tor::Ping,
            Record::GetTime(_) => Tor::GetTime,
            Record::GeneralSettings(_) => Tor::GeneralSettings,
            Record::Signals(_) => Tor::Signals,
            Record::LoopTrigger(_) => Tor::LoopTrigger,
            Record::GpsInfo(_) => Tor::GpsInfo,
            Record::FirstContact(_) => Tor::FirstContact,
            Record::Timeline(_) => Tor::Timeline,
            Record::Error(_) => Tor::Error,
            Record::Unknown { tor, .. } => Tor::from(*tor),
        }
    }

    fn encode_body(&self, order: &[u8], out: &mut Vec<u8>) {
        match self {
            Record::Passing(r) => encode_fields(r, order, out),
            Record::Status(r) => encode_fields(r, order, out),
            Record::Version(r) => encode_fields(r.as_ref(), order, out),
            Record::Resend(r) => encode_fields(r, order, out),
            Record::GetTime(r) => encode_fields(r, order, out),
            Record::Error(r) => encode_fields(r, order, out),
            Record::Reset(r)
            | Record::ClearPassing(r)
            | Record::ServerSettings(r)
            | Record::Session(r)
            | Record::NetworkSettings(r)
            | Record::Watchdog(r)
            | Record::Ping(r)
            | Record::GeneralSettings(r)
            | Record::Signals(r)
            | Record::LoopTrigger(r)
            | Record::GpsInfo(r)
            | Record::FirstContact(r)
            | Record::Timeline(r)
            | Record::Unknown { body: r, .. } => encode_fields(r, order, out),
        }
    }
}

/// Writes typed fields and raw TLVs in `order` (wire order of a decoded frame), then any
/// remaining typed fields in canonical order, then any remaining raw TLVs.
fn encode_fields<T: Fields>(rec: &T, order: &[u8], out: &mut Vec<u8>) {
    let mut typed_done = [false; 256];
    let unknown = rec.unknown();
    let mut unknown_done = vec![false; unknown.len()];
    let put_unknown = |tag: u8, out: &mut Vec<u8>, done: &mut Vec<bool>| {
        let next = unknown
            .iter()
            .zip(done.iter())
            .position(|(t, d)| !d && t.tag == tag);
        if let (Some(i), Some(tlv)) = (next, next.and_then(|i| unknown.get(i))) {
            out.push(tlv.tag);
            out.push(u8::try_from(tlv.value.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(tlv.value.get(..255).unwrap_or(&tlv.value));
            if let Some(d) = done.get_mut(i) {
                *d = true;
            }
        }
    };
    for &tag in order {
        let slot = &mut typed_done[usize::from(tag)];
        if !*slot && rec.put(tag, out) {
            *slot = true;
        } else {
            put_unknown(tag, out, &mut unknown_done);
        }
    }
    for &tag in T::TAGS {
        if !typed_done[usize::from(tag)] {
            rec.put(tag, out);
        }
    }
    for (tlv, done) in unknown.iter().zip(unknown_done) {
        if !done {
            out.push(tlv.tag);
            out.push(u8::try_from(tlv.value.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(tlv.value.get(..255).unwrap_or(&tlv.value));
        }
    }
}

/// Builds the unescaped bytes of a frame (SOR..=EOR) with LENGTH and CRC filled in.
pub fn encode_unescaped(frame: &Frame, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[SOR, frame.version, 0, 0, 0, 0]);
    out.extend_from_slice(&frame.header_flags.to_le_bytes());
    out.extend_from_slice(&frame.record.tor().value().to_le_bytes());
    frame.record.encode_body(&frame.tag_order, out);
    out.push(EOR);
    let len = u16::try_from(out.len() - start).unwrap_or(u16::MAX);
    if let Some(field) = out.get_mut(start + 2..start + 4) {
        field.copy_from_slice(&len.to_le_bytes());
    }
    let crc = frame_crc(out.get(start..).unwrap_or_default());
    if let Some(field) = out.get_mut(start + CRC_OFFSET..start + CRC_OFFSET + 2) {
        field.copy_from_slice(&crc.to_le_bytes());
    }
}

/// Appends the wire form of a frame (escaped, ready to send) to `out`.
///
/// ```
/// use checkered_protocol::p3::{encode, Frame, Record, Generic};
/// let mut wire = Vec::new();
/// encode(&Frame::new(Record::ClearPassing(Generic::default())), &mut wire);
/// // LENGTH 11 unescaped; the CRC 0x8C69 has a byte that must be escaped.
/// assert_eq!(wire, [0x8e, 0x02, 0x0b, 0x00, 0x69, 0x8d, 0xac, 0x00, 0x00, 0x05, 0x00, 0x8f]);
/// ```
pub fn encode(frame: &Frame, out: &mut Vec<u8>) {
    let mut raw = Vec::with_capacity(64);
    encode_unescaped(frame, &mut raw);
    out.reserve(raw.len() + 8);
    out.push(SOR);
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    if frame.escape_low {
        escape_into(inner, out);
    } else {
        escape_markers_into(inner, out);
    }
    out.push(EOR);
}
