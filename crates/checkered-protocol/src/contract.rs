//! Our own wire contract between relays and ingest (`track_ingest.v2`, DESIGN.md §3).
//!
//! A relay wraps every message it reads from a decoder or results feed in an [`Envelope`]
//! and posts them in an [`IngestBatch`]. The idempotency key
//! `{track_id}:{client_id}:{boot_id}:{seq}` makes retries safe: the log stores each key
//! once and counts repeats as duplicates.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// The contract version this code speaks.
pub const CONTRACT_VERSION: &str = "track_ingest.v2";

/// A batch of envelopes posted to `POST /api/ingest/batch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestBatch {
    /// Must be [`CONTRACT_VERSION`].
    pub contract_version: String,
    /// The events, in the relay's order.
    pub events: Vec<Envelope>,
}

/// One raw message from a track, as the relay captured it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Envelope {
    /// ULID chosen by the relay (26 Crockford base-32 characters).
    pub event_id: String,
    /// Track slug the message belongs to.
    pub track_id: String,
    /// The relay's client id.
    pub client_id: String,
    /// New at every relay start.
    pub boot_id: String,
    /// Gap-free sequence within `boot_id`, from 1.
    pub seq: u64,
    /// When the relay read the message, µs since the Unix epoch.
    pub captured_at_us: i64,
    /// When ingest accepted it (set by the server; ignored on input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingested_at_us: Option<i64>,
    /// What the payload is (`PASSING`, `STATUS`, `RMONITOR`, …).
    pub message_type: String,
    /// The decoded message.
    pub payload: serde_json::Value,
}

/// Why an envelope was rejected. Each reason is shown to the relay and kept in the
/// dead-letter log.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EnvelopeError {
    /// `event_id` is not a ULID.
    #[error("event_id `{0}` is not a ULID (26 Crockford base-32 characters)")]
    EventId(String),
    /// `track_id` is not a slug.
    #[error(
        "track_id `{0}` is not a slug (1-64 of a-z, 0-9, '-', '_', starting with a letter or digit)"
    )]
    TrackId(String),
    /// `client_id` or `boot_id` is empty, too long or has control characters.
    #[error("{field} must be 1-128 printable characters")]
    Identifier {
        /// Which field.
        field: &'static str,
    },
    /// `seq` is zero.
    #[error("seq must start at 1")]
    Seq,
    /// `captured_at_us` is not between 2000 and 2100.
    #[error("captured_at_us {0} is not a time between 2000 and 2100")]
    CapturedAt(i64),
    /// `message_type` is not an upper-case identifier.
    #[error("message_type `{0}` must be 1-32 of A-Z, 0-9, '_'")]
    MessageType(String),
    /// The payload is not a JSON object.
    #[error("payload must be a JSON object")]
    Payload,
}

const MIN_US: i64 = 946_684_800_000_000; // 2000-01-01
const MAX_US: i64 = 4_102_444_800_000_000; // 2100-01-01

/// Whether `s` is a track slug: 1-64 of `a-z0-9-_`, not starting with `-` or `_`.
pub fn is_slug(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Whether `s` is a ULID in canonical form.
pub fn is_ulid(s: &str) -> bool {
    s.len() == 26 && s.bytes().all(is_crockford) && s.bytes().next().is_some_and(|b| b <= b'7')
}

/// Whether `b` is a Crockford base-32 digit (`0-9A-Z` without `I L O U`), in either case.
/// A match rather than a search of the alphabet: ingest checks 26 of these per event.
fn is_crockford(b: u8) -> bool {
    matches!(
        b.to_ascii_uppercase(),
        b'0'..=b'9' | b'A'..=b'H' | b'J' | b'K' | b'M' | b'N' | b'P'..=b'T' | b'V'..=b'Z'
    )
}

fn is_identifier(s: &str) -> bool {
    if s.is_ascii() {
        return (1..=128).contains(&s.len()) && !s.bytes().any(|b| b.is_ascii_control());
    }
    (1..=128).contains(&s.chars().count()) && !s.chars().any(char::is_control)
}

impl Envelope {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), EnvelopeError> {
        if !is_ulid(&self.event_id) {
            return Err(EnvelopeError::EventId(
                self.event_id.chars().take(40).collect(),
            ));
        }
        if !is_slug(&self.track_id) {
            return Err(EnvelopeError::TrackId(
                self.track_id.chars().take(80).collect(),
            ));
        }
        for (field, value) in [("client_id", &self.client_id), ("boot_id", &self.boot_id)] {
            if !is_identifier(value) || value.contains(':') {
                return Err(EnvelopeError::Identifier { field });
            }
        }
        if self.seq == 0 {
            return Err(EnvelopeError::Seq);
        }
        if !(MIN_US..MAX_US).contains(&self.captured_at_us) {
            return Err(EnvelopeError::CapturedAt(self.captured_at_us));
        }
        let mt = &self.message_type;
        if !(1..=32).contains(&mt.len())
            || !mt
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(EnvelopeError::MessageType(mt.chars().take(40).collect()));
        }
        if !self.payload.is_object() {
            return Err(EnvelopeError::Payload);
        }
        Ok(())
    }

    /// The idempotency key `{track_id}:{client_id}:{boot_id}:{seq}`.
    pub fn idempotency_key(&self) -> IdempotencyKey<'_> {
        IdempotencyKey(self)
    }
}

/// Displays as `{track_id}:{client_id}:{boot_id}:{seq}` without allocating.
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyKey<'a>(&'a Envelope);

impl fmt::Display for IdempotencyKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        write!(f, "{}:{}:{}:{}", e.track_id, e.client_id, e.boot_id, e.seq)
    }
}

/// The answer to an ingest batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestResponse {
    /// Events appended durably by this request.
    pub accepted: u64,
    /// Events already in the log (a retry); nothing changed for them.
    pub duplicates: u64,
    /// Events refused, with the reason; they are in the dead-letter log.
    pub rejected: Vec<Rejected>,
}

/// One refused event of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejected {
    /// Index in the batch's `events`.
    pub index: usize,
    /// Why.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crockford_digits_are_exactly_the_alphabet() {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        for b in 0..=u8::MAX {
            let expected = ALPHABET.contains(&b.to_ascii_uppercase());
            assert_eq!(is_crockford(b), expected, "byte {b:#04x}");
        }
        assert!(is_ulid("01jd0000000000000000000000"));
        assert!(!is_ulid("01JD000000000000000000000I"));
        assert!(!is_ulid("81JD0000000000000000000000"));
    }

    #[test]
    fn identifiers_ascii_and_unicode_follow_the_same_rule() {
        assert!(is_identifier("relay-1"));
        assert!(is_identifier(&"x".repeat(128)));
        assert!(!is_identifier(&"x".repeat(129)));
        assert!(!is_identifier(""));
        assert!(!is_identifier("tab\there"));
        assert!(!is_identifier("del\u{7f}"));
        // 128 characters of two bytes each are allowed; 129 are not.
        assert!(is_identifier(&"é".repeat(128)));
        assert!(!is_identifier(&"é".repeat(129)));
        assert!(!is_identifier("é\u{85}"));
    }

    fn envelope() -> Envelope {
        Envelope {
            event_id: "01JD0000000000000000000000".into(),
            track_id: "sebring".into(),
            client_id: "relay-1".into(),
            boot_id: "b1".into(),
            seq: 1,
            captured_at_us: 1_750_000_000_000_000,
            ingested_at_us: None,
            message_type: "PASSING".into(),
            payload: serde_json::json!({"transponder": 1}),
        }
    }

    #[test]
    fn a_good_envelope_validates_and_keys() {
        let e = envelope();
        assert_eq!(e.validate(), Ok(()));
        assert_eq!(e.idempotency_key().to_string(), "sebring:relay-1:b1:1");
    }

    type Breakage = (fn(&mut Envelope), &'static str);

    #[test]
    fn each_bad_field_is_named() {
        let cases: [Breakage; 7] = [
            (|e| e.event_id = "nope".into(), "ULID"),
            (|e| e.track_id = "Sebring!".into(), "slug"),
            (|e| e.client_id = String::new(), "client_id"),
            (|e| e.boot_id = "a:b".into(), "boot_id"),
            (|e| e.seq = 0, "seq"),
            (|e| e.captured_at_us = 5, "captured_at_us"),
            (|e| e.payload = serde_json::json!([1]), "payload"),
        ];
        for (break_it, word) in cases {
            let mut e = envelope();
            break_it(&mut e);
            let err = e.validate().expect_err("must be rejected").to_string();
            assert!(err.contains(word), "{err}");
        }
    }
}
