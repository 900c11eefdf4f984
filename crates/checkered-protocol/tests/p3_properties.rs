//! Property tests of the P3 codec: round trips, chunking invariance, resilience.

use checkered_protocol::cp1252;
use checkered_protocol::p3::*;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<u8>(), 0..40).prop_map(|b| cp1252::decode(&b))
}

/// Raw TLVs with tags no record types (0x40..=0x7F), so they stay raw after decoding.
fn raw_tlvs() -> impl Strategy<Value = Vec<Tlv>> {
    proptest::collection::vec(
        (0x40u8..=0x7F, proptest::collection::vec(any::<u8>(), 0..12))
            .prop_map(|(tag, value)| Tlv { tag, value }),
        0..3,
    )
}

type GeneralParts = (Option<u32>, Option<u32>, Option<u64>, Vec<Tlv>);

fn general_parts() -> impl Strategy<Value = GeneralParts> {
    (
        any::<Option<u32>>(),
        any::<Option<u32>>(),
        any::<Option<u64>>(),
        raw_tlvs(),
    )
}

/// Builds a record strategy from a strategy of its own fields plus the general fields.
macro_rules! general {
    ($strategy:expr, $ty:ident { $($field:ident),* }) => {
        ($strategy, general_parts()).prop_map(
            |(($($field),*), (decoder_id, controller_id, request_id, unknown))| $ty {
                $($field,)* decoder_id, controller_id, request_id, unknown,
            },
        )
    };
}

fn passing() -> impl Strategy<Value = Passing> {
    let a = (
        any::<Option<u32>>(),
        any::<Option<u32>>(),
        any::<Option<u64>>(),
        any::<Option<u16>>(),
        any::<Option<u16>>(),
        any::<Option<u16>>(),
        proptest::option::of(text()),
    );
    let b = (
        any::<Option<u32>>(),
        any::<Option<u8>>(),
        any::<Option<u64>>(),
        any::<Option<u32>>(),
        any::<Option<u8>>(),
        any::<Option<u8>>(),
        any::<Option<u8>>(),
    );
    (a, b, general_parts()).prop_map(
        |(
            (passing_number, transponder, rtc_time_us, strength, hits, flags, tran_code),
            (user_flag, driver_id, utc_time_us, rtc_id, sport, voltage, temperature),
            (decoder_id, controller_id, request_id, unknown),
        )| Passing {
            passing_number,
            transponder,
            rtc_time_us,
            strength,
            hits,
            flags,
            tran_code,
            user_flag,
            driver_id,
            utc_time_us,
            rtc_id,
            sport,
            voltage,
            temperature,
            decoder_id,
            controller_id,
            request_id,
            unknown,
        },
    )
}

fn status() -> impl Strategy<Value = Status> {
    general!(
        (
            any::<Option<u16>>(),
            any::<Option<u8>>(),
            any::<Option<i16>>(),
            any::<Option<u8>>(),
            any::<Option<u8>>(),
            any::<Option<u8>>()
        ),
        Status {
            noise,
            gps,
            temperature,
            satinuse,
            loop_triggers,
            input_voltage
        }
    )
}

fn version() -> impl Strategy<Value = Version> {
    let a = (
        any::<Option<u8>>(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        any::<Option<u32>>(),
        any::<Option<u64>>(),
        any::<Option<u16>>(),
    );
    let b = (
        any::<Option<u32>>(),
        any::<Option<u32>>(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        any::<Option<u16>>(),
    );
    (a, b, general_parts()).prop_map(
        |(
            (decoder_type, description, version, release, registration, build_number),
            (options, alt_decoder_id, alt_description, alt_version, alt_build),
            (decoder_id, controller_id, request_id, unknown),
        )| Version {
            decoder_type,
            description,
            version,
            release,
            registration,
            build_number,
            options,
            alt_decoder_id,
            alt_description,
            alt_version,
            alt_build,
            decoder_id,
            controller_id,
            request_id,
            unknown,
        },
    )
}

fn generic() -> impl Strategy<Value = Generic> {
    (
        any::<Option<u32>>(),
        any::<Option<u32>>(),
        any::<Option<u64>>(),
        raw_tlvs(),
    )
        .prop_map(|(decoder_id, controller_id, request_id, unknown)| Generic {
            decoder_id,
            controller_id,
            request_id,
            unknown,
        })
}

fn record() -> impl Strategy<Value = Record> {
    prop_oneof![
        passing().prop_map(Record::Passing),
        status().prop_map(Record::Status),
        version().prop_map(|v| Record::Version(Box::new(v))),
        general!(
            (any::<Option<u32>>(), any::<Option<u32>>()),
            Resend { from, until }
        )
        .prop_map(Record::Resend),
        general!(
            (any::<Option<u16>>(), proptest::option::of(text())),
            ErrorRecord { code, description }
        )
        .prop_map(Record::Error),
        general!(
            (
                any::<Option<u64>>(),
                any::<Option<u16>>(),
                any::<Option<u64>>()
            ),
            GetTime {
                rtc_time_us,
                flags,
                utc_time_us
            }
        )
        .prop_map(Record::GetTime),
        generic().prop_map(Record::ClearPassing),
        generic().prop_map(Record::Reset),
        generic().prop_map(Record::Timeline),
        generic().prop_map(Record::Ping),
        (0x100u16..0xFFFE, generic()).prop_map(|(tor, body)| Record::Unknown { tor, body }),
    ]
}

fn wire(frames: &[Frame]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in frames {
        encode(f, &mut out);
    }
    out
}

fn decode_chunked(bytes: &[u8], cuts: &[usize]) -> Vec<Result<Decoded, FrameError>> {
    let mut framer = Framer::new();
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts.iter().chain(std::iter::once(&bytes.len())) {
        let cut = cut.clamp(at, bytes.len());
        framer.push(&bytes[at..cut]);
        at = cut;
        out.extend(std::iter::from_fn(|| framer.next_frame()));
    }
    out.extend(framer.finish().map(Err));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encode_then_decode_is_identity(rec in record(), flags in any::<u16>()) {
        let frame = Frame { header_flags: flags, ..Frame::new(rec) };
        let bytes = wire(std::slice::from_ref(&frame));
        let decoded = decode_all(&bytes);
        prop_assert_eq!(decoded.len(), 1);
        let Ok(d) = &decoded[0] else { return Err(TestCaseError::fail(format!("{decoded:?}"))) };
        prop_assert_eq!(&d.frame.record, &frame.record);
        prop_assert_eq!(d.frame.header_flags, flags);
        // And the decoded frame (with its wire tag order) re-encodes to the same bytes.
        prop_assert_eq!(wire(std::slice::from_ref(&d.frame)), bytes);
    }

    #[test]
    fn any_chunking_yields_the_same_frames(recs in proptest::collection::vec(record(), 1..8),
                                            mut cuts in proptest::collection::vec(0usize..2000, 0..20)) {
        let frames: Vec<Frame> = recs.into_iter().map(Frame::new).collect();
        let bytes = wire(&frames);
        cuts.sort_unstable();
        let whole = decode_all(&bytes);
        let chunked = decode_chunked(&bytes, &cuts);
        prop_assert_eq!(&whole, &chunked);
        prop_assert_eq!(whole.len(), frames.len());
        for (d, f) in whole.iter().zip(&frames) {
            prop_assert_eq!(&d.as_ref().map(|d| &d.frame.record).ok(), &Some(&f.record));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600),
                                   cuts in proptest::collection::vec(0usize..600, 0..6)) {
        let _ = decode_chunked(&bytes, &cuts);
    }

    #[test]
    fn a_good_frame_survives_preceding_garbage(junk in proptest::collection::vec(any::<u8>(), 0..100), rec in record()) {
        let frame = Frame::new(rec);
        let mut bytes = junk;
        bytes.extend(wire(std::slice::from_ref(&frame)));
        let decoded = decode_all(&bytes);
        let last = decoded.iter().rev().find_map(|r| r.as_ref().ok());
        prop_assert_eq!(last.map(|d| &d.frame.record), Some(&frame.record));
    }

    #[test]
    fn a_flipped_byte_never_yields_a_wrong_frame(rec in record(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let frame = Frame::new(rec);
        let mut bytes = wire(std::slice::from_ref(&frame));
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        for d in decode_all(&bytes).into_iter().flatten() {
            // A frame may only come out if the flip hit a byte outside the checked span
            // (impossible here) or the CRC caught it; anything decoded must be the original.
            prop_assert_eq!(&d.frame.record, &frame.record);
        }
    }
}
