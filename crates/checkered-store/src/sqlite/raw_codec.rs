//! How a raw event is laid out in `events.db`: its id, its stored JSON, and the id lists of
//! the dedupe runs.
//!
//! # Layout
//! - [`raw_id`] / [`seq_of`]: `id = (track_no << 40) | track_seq`.
//! - [`encode_body`] / [`decode_body`]: the envelope minus the fields kept elsewhere.
//! - [`encode_entries`] / [`find_in_entries`]: a dedupe run's `(seq, id)` pairs.

use crate::error::StoreError;
use checkered_protocol::contract::Envelope;
use serde::{Deserialize, Serialize};

/// Bits of a raw id that hold the track's sequence number (about 10^12 events per track).
const SEQ_BITS: u32 = 40;
/// The largest per-track sequence number a raw id can hold.
pub(crate) const MAX_TRACK_SEQ: u64 = (1 << SEQ_BITS) - 1;
/// The largest track number (2^23 tracks) that keeps ids positive.
const MAX_TRACK_NO: i64 = (1 << (63 - SEQ_BITS)) - 1;

/// The raw id of `track_seq` on track `track_no`; ids of one track are contiguous and ordered.
pub(crate) fn raw_id(track_no: i64, track_seq: u64) -> Result<i64, StoreError> {
    if !(0..=MAX_TRACK_NO).contains(&track_no) || track_seq > MAX_TRACK_SEQ {
        return Err(StoreError::Corrupt(
            format!("track {track_no} seq {track_seq} does not fit a raw id").into(),
        ));
    }
    let seq = i64::try_from(track_seq).map_err(|e| StoreError::Corrupt(e.into()))?;
    Ok((track_no << SEQ_BITS) | seq)
}

/// The per-track sequence number inside a raw id.
pub(crate) fn seq_of(id: i64) -> u64 {
    u64::try_from(id).map_or(0, |id| id & MAX_TRACK_SEQ)
}

/// The stored part of an envelope. Track, client, boot and seq live in `log_tracks`,
/// `log_sources` and the `seq` column; `ingested_at_us` in its column. Adding a field to
/// [`Envelope`] breaks [`decode_body`]'s construction, which is the reminder to add it here.
#[derive(Serialize)]
struct BodyRef<'a> {
    event_id: &'a str,
    captured_at_us: i64,
    message_type: &'a str,
    payload: &'a serde_json::Value,
}

#[derive(Deserialize)]
struct Body {
    event_id: String,
    captured_at_us: i64,
    message_type: String,
    payload: serde_json::Value,
}

/// The JSON stored for `envelope`.
pub(crate) fn encode_body(envelope: &Envelope) -> Result<String, serde_json::Error> {
    serde_json::to_string(&BodyRef {
        event_id: &envelope.event_id,
        captured_at_us: envelope.captured_at_us,
        message_type: &envelope.message_type,
        payload: &envelope.payload,
    })
}

/// The fields of a raw row kept outside its JSON.
pub(crate) struct RowKeys {
    pub track_id: String,
    pub client_id: String,
    pub boot_id: String,
    pub seq: u64,
    pub ingested_at_us: i64,
}

/// Rebuilds the envelope from its stored JSON and the row's other fields.
pub(crate) fn decode_body(text: &str, keys: RowKeys) -> Result<Envelope, StoreError> {
    let body: Body = serde_json::from_str(text).map_err(|e| StoreError::Decode {
        what: "raw event",
        source: e.into(),
    })?;
    Ok(Envelope {
        event_id: body.event_id,
        track_id: keys.track_id,
        client_id: keys.client_id,
        boot_id: keys.boot_id,
        seq: keys.seq,
        captured_at_us: body.captured_at_us,
        ingested_at_us: Some(keys.ingested_at_us),
        message_type: body.message_type,
        payload: body.payload,
    })
}

/// Bytes per run entry: seq (u64) then id (i64), little-endian.
const ENTRY: usize = 16;

/// A run's `(seq, id)` entries as a blob.
pub(crate) fn encode_entries(entries: &[(u64, i64)]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(entries.len() * ENTRY);
    for (seq, id) in entries {
        blob.extend_from_slice(&seq.to_le_bytes());
        blob.extend_from_slice(&id.to_le_bytes());
    }
    blob
}

fn entry_at(blob: &[u8], index: usize) -> Option<(u64, i64)> {
    let start = index.checked_mul(ENTRY)?;
    let bytes = blob.get(start..start.checked_add(ENTRY)?)?;
    let seq = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let id = i64::from_le_bytes(bytes.get(8..)?.try_into().ok()?);
    Some((seq, id))
}

/// The id stored for `seq` in a run blob (entries ascending by seq), by binary search.
pub(crate) fn find_in_entries(blob: &[u8], seq: u64) -> Option<i64> {
    let (mut low, mut high) = (0usize, blob.len() / ENTRY);
    while low < high {
        let mid = low + (high - low) / 2;
        let (at, id) = entry_at(blob, mid)?;
        match at.cmp(&seq) {
            std::cmp::Ordering::Equal => return Some(id),
            std::cmp::Ordering::Less => low = mid + 1,
            std::cmp::Ordering::Greater => high = mid,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ids_round_trip_and_order_within_a_track(
            track in 0i64..=MAX_TRACK_NO, a in 0u64..=MAX_TRACK_SEQ, b in 0u64..=MAX_TRACK_SEQ
        ) {
            let (ia, ib) = (raw_id(track, a).expect("fits"), raw_id(track, b).expect("fits"));
            prop_assert_eq!(seq_of(ia), a);
            prop_assert_eq!(ia.cmp(&ib), a.cmp(&b));
            prop_assert!(ia >= 0);
        }

        #[test]
        fn run_blobs_find_exactly_their_seqs(
            seqs in proptest::collection::btree_set(1u64..500, 0..60), probe in 0u64..520
        ) {
            let entries: Vec<(u64, i64)> = seqs.iter().map(|&s| (s, s as i64 * 7)).collect();
            let blob = encode_entries(&entries);
            for &(seq, id) in &entries {
                prop_assert_eq!(find_in_entries(&blob, seq), Some(id));
            }
            let expected = seqs.contains(&probe).then_some(probe as i64 * 7);
            prop_assert_eq!(find_in_entries(&blob, probe), expected);
        }
    }

    #[test]
    fn ids_out_of_range_are_refused() {
        assert!(raw_id(MAX_TRACK_NO + 1, 1).is_err());
        assert!(raw_id(-1, 1).is_err());
        assert!(raw_id(1, MAX_TRACK_SEQ + 1).is_err());
        assert_eq!(find_in_entries(&[0; 15], 0), None);
        assert_eq!(find_in_entries(&[], u64::MAX), None);
    }
}
