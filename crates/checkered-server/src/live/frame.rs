//! The frames the live WebSocket sends (DESIGN.md §3):
//! `{kind: snapshot|event|heartbeat|error, channel, track_id, event_id, seq, ts_us, payload}`.
//!
//! Event frames are rendered once per event, not once per client: [`Rendered`] keeps the
//! JSON text and renders MessagePack on first demand, both in reference-counted buffers
//! that every subscriber's WebSocket message shares (no copy per client).

use axum::body::Bytes;
use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use serde_json::Value;
use std::sync::OnceLock;

/// What a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameKind {
    /// The whole current state of the scope.
    Snapshot,
    /// One derived (or decoder) event, in `seq` order.
    Event,
    /// Keep-alive with the latest `seq`.
    Heartbeat,
    /// A problem; `payload.resync` tells whether a fresh snapshot follows.
    Error,
}

/// One frame, before encoding.
#[derive(Debug, Clone, Serialize)]
pub struct Frame<'a> {
    /// What the frame is.
    pub kind: FrameKind,
    /// The channel (`race`, `decoder`, …); `null` for connection-level frames.
    pub channel: Option<&'a str>,
    /// The track of the subscription.
    pub track_id: &'a str,
    /// The event (meeting) scope, when the client asked for one.
    pub event_id: Option<&'a str>,
    /// Sequence of the event (derived events) or of the state the snapshot reflects.
    pub seq: u64,
    /// Time of the event, µs since the epoch.
    pub ts_us: i64,
    /// Live derived events only: `captured_at_us` of the raw envelope that caused the
    /// event (the relay's clock), so a client can measure capture → screen delay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captured_at_us: Option<i64>,
    /// The body.
    pub payload: &'a Value,
}

/// A frame rendered for the wire, shared by every subscriber.
#[derive(Debug)]
pub struct Rendered {
    /// Sequence number (for ordering and resume).
    pub seq: u64,
    /// Channel it belongs to.
    pub channel: &'static str,
    /// When it was published (for the send-delay metric).
    pub published_at: std::time::Instant,
    json: Utf8Bytes,
    value: Value,
    msgpack: OnceLock<Bytes>,
}

impl Rendered {
    /// Renders an event frame.
    pub fn event(
        channel: &'static str,
        track_id: &str,
        seq: u64,
        ts_us: i64,
        payload: Value,
    ) -> Self {
        Self::event_captured(channel, track_id, seq, ts_us, None, payload)
    }

    /// Renders an event frame that names the capture time of the raw event behind it.
    pub fn event_captured(
        channel: &'static str,
        track_id: &str,
        seq: u64,
        ts_us: i64,
        captured_at_us: Option<i64>,
        payload: Value,
    ) -> Self {
        let frame = Frame {
            kind: FrameKind::Event,
            channel: Some(channel),
            track_id,
            event_id: None,
            seq,
            ts_us,
            captured_at_us,
            payload: &payload,
        };
        let value = serde_json::to_value(&frame).unwrap_or(Value::Null);
        let json = value.to_string();
        Rendered {
            seq,
            channel,
            published_at: std::time::Instant::now(),
            json: json.into(),
            value,
            msgpack: OnceLock::new(),
        }
    }

    /// Renders a connection-level frame (snapshot, heartbeat, error) for one client.
    pub fn single(frame: &Frame<'_>) -> Self {
        let value = serde_json::to_value(frame).unwrap_or(Value::Null);
        let json = value.to_string();
        Rendered {
            seq: frame.seq,
            channel: "",
            published_at: std::time::Instant::now(),
            json: json.into(),
            value,
            msgpack: OnceLock::new(),
        }
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        self.json.as_str()
    }

    /// The JSON text as a shared buffer (cloning it copies nothing).
    pub fn json_text(&self) -> Utf8Bytes {
        self.json.clone()
    }

    /// The MessagePack bytes (rendered once, shared).
    pub fn msgpack(&self) -> Bytes {
        self.msgpack
            .get_or_init(|| {
                rmp_serde::to_vec_named(&self.value)
                    .unwrap_or_default()
                    .into()
            })
            .clone()
    }
}
