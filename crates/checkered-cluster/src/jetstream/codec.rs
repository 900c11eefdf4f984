//! What the backend's messages carry: JSON bodies for raw envelopes, derived rows and dead
//! letters; headers for a snapshot's sequence numbers (its body is opaque bytes).
//!
//! # Layout
//! - Raw: [`encode_raw`], [`decode_raw`]. Derived: [`encode_derived`], [`decode_derived`].
//! - Snapshots: [`snapshot_headers`], [`decode_snapshot`]. Dead letters: [`LetterBody`].

use async_nats::HeaderMap;
use async_nats::jetstream::message::StreamMessage;
use checkered_protocol::contract::Envelope;
use checkered_store::{DeadLetter, DerivedRow, SnapshotRow, StoreError, StoredRaw};
use serde::{Deserialize, Serialize};

/// Header: the snapshot's last raw seq.
pub const RAW_SEQ: &str = "Checkered-Raw-Seq";
/// Header: the snapshot's last derived seq.
pub const DERIVED_SEQ: &str = "Checkered-Derived-Seq";
/// Header: when the snapshot was taken (µs).
pub const TS_US: &str = "Checkered-Ts-Us";

fn decode_error(
    what: &'static str,
    e: impl std::error::Error + Send + Sync + 'static,
) -> StoreError {
    StoreError::Decode {
        what,
        source: Box::new(e),
    }
}

/// The envelope as JSON.
pub fn encode_raw(envelope: &Envelope) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(envelope).map_err(|e| decode_error("raw event", e))
}

/// A raw message back as the stored row (its stream sequence is the track seq).
pub fn decode_raw(message: &StreamMessage) -> Result<StoredRaw, StoreError> {
    let envelope: Envelope =
        serde_json::from_slice(&message.payload).map_err(|e| decode_error("raw event", e))?;
    Ok(StoredRaw {
        track_seq: message.sequence,
        envelope,
    })
}

#[derive(Serialize, Deserialize)]
struct DerivedBody {
    seq: u64,
    ts_us: i64,
    session_id: Option<String>,
    kind: String,
    body: String,
}

/// A derived row as JSON.
pub fn encode_derived(row: &DerivedRow) -> Result<Vec<u8>, StoreError> {
    let body = DerivedBody {
        seq: row.seq,
        ts_us: row.ts_us,
        session_id: row.session_id.clone(),
        kind: row.kind.clone(),
        body: row.body.clone(),
    };
    serde_json::to_vec(&body).map_err(|e| decode_error("derived event", e))
}

/// A derived message back as its row.
pub fn decode_derived(message: &StreamMessage) -> Result<DerivedRow, StoreError> {
    let b: DerivedBody =
        serde_json::from_slice(&message.payload).map_err(|e| decode_error("derived event", e))?;
    Ok(DerivedRow {
        seq: b.seq,
        ts_us: b.ts_us,
        session_id: b.session_id,
        kind: b.kind,
        body: b.body,
    })
}

/// The headers that describe a snapshot.
pub fn snapshot_headers(snapshot: &SnapshotRow) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(RAW_SEQ, snapshot.raw_seq.to_string().as_str());
    headers.insert(DERIVED_SEQ, snapshot.derived_seq.to_string().as_str());
    headers.insert(TS_US, snapshot.ts_us.to_string().as_str());
    headers
}

fn header<T: std::str::FromStr>(message: &StreamMessage, name: &str) -> Result<T, StoreError> {
    message
        .headers
        .get(name)
        .and_then(|v| v.as_str().parse().ok())
        .ok_or_else(|| StoreError::Decode {
            what: "snapshot",
            source: format!("header {name}").into(),
        })
}

/// A snapshot message back as its row.
pub fn decode_snapshot(message: &StreamMessage) -> Result<SnapshotRow, StoreError> {
    Ok(SnapshotRow {
        raw_seq: header(message, RAW_SEQ)?,
        derived_seq: header(message, DERIVED_SEQ)?,
        ts_us: header(message, TS_US)?,
        body: message.payload.to_vec(),
    })
}

/// A dead letter as stored.
#[derive(Serialize, Deserialize)]
pub struct LetterBody {
    source: String,
    track_id: Option<String>,
    reason: String,
    body: String,
    received_at_us: i64,
}

impl From<DeadLetter> for LetterBody {
    fn from(d: DeadLetter) -> Self {
        LetterBody {
            source: d.source,
            track_id: d.track_id,
            reason: d.reason,
            body: d.body,
            received_at_us: d.received_at_us,
        }
    }
}

impl From<LetterBody> for DeadLetter {
    fn from(b: LetterBody) -> Self {
        DeadLetter {
            source: b.source,
            track_id: b.track_id,
            reason: b.reason,
            body: b.body,
            received_at_us: b.received_at_us,
        }
    }
}

/// A dead letter as JSON.
pub fn encode_letter(letter: DeadLetter) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&LetterBody::from(letter)).map_err(|e| decode_error("dead letter", e))
}

/// A dead-letter message back as its letter.
pub fn decode_letter(message: &StreamMessage) -> Result<DeadLetter, StoreError> {
    let b: LetterBody =
        serde_json::from_slice(&message.payload).map_err(|e| decode_error("dead letter", e))?;
    Ok(b.into())
}
