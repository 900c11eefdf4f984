//! Raw envelopes to engine inputs, following the payload convention of the ingest contract
//! (DESIGN.md §3): P3 records carry the decoded frame, results feeds carry their line as
//! text, race control carries the intent.
//!
//! The same functions validate payloads at ingest (so a payload the engine could never read
//! goes to the dead-letter log instead of the raw log) and convert them in the actor.

use checkered_engine::{ControlIntent, Input, InputKind, TrackConfig};
use checkered_protocol::{cp1252, p3, rmonitor};
use serde::Deserialize;
use serde_json::Value;

/// `message_type` of an RMonitor line.
pub const RMONITOR: &str = "RMONITOR";
/// `message_type` of a Multiloop line.
pub const MULTILOOP: &str = "MULTILOOP";
/// `message_type` of a race-control intent.
pub const CONTROL: &str = "CONTROL";

/// What a raw event means to the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// A P3 decoder record.
    P3(Box<p3::Frame>),
    /// An RMonitor results-feed record.
    Rmonitor(Box<rmonitor::Record>),
    /// A Multiloop results-feed message.
    Multiloop(Box<checkered_protocol::multiloop::Message>),
    /// A race-control decision.
    Control(Box<ControlIntent>),
    /// A message type the engine does not score (kept in the raw log for other consumers).
    Other,
}

/// Decodes an envelope's payload by its `message_type`; the error says what is wrong.
pub fn decode(message_type: &str, payload: &Value) -> Result<Decoded, String> {
    match message_type {
        RMONITOR => {
            let line = line_of(payload)?;
            let bytes = cp1252::encode(line);
            rmonitor::decode_line(&bytes)
                .map(|r| Decoded::Rmonitor(Box::new(r)))
                .map_err(|e| format!("bad RMonitor line: {e}"))
        }
        MULTILOOP => {
            let line = line_of(payload)?;
            let bytes = cp1252::encode(line);
            checkered_protocol::multiloop::decode_line(&bytes)
                .map(|m| Decoded::Multiloop(Box::new(m)))
                .map_err(|e| format!("bad Multiloop line: {e}"))
        }
        CONTROL => ControlIntent::deserialize(payload)
            .map(|c| Decoded::Control(Box::new(c)))
            .map_err(|e| format!("bad race-control intent: {e}")),
        other if is_p3_type(other) => {
            let frame =
                p3::Frame::deserialize(payload).map_err(|e| format!("bad P3 payload: {e}"))?;
            let named = record_type(&frame.record);
            if named != other {
                return Err(format!(
                    "message_type {other} does not match the payload's record type {named}"
                ));
            }
            Ok(Decoded::P3(Box::new(frame)))
        }
        _ => Ok(Decoded::Other),
    }
}

/// The engine input a decoded event gives, if any. `at_us` is the envelope's capture time.
pub fn to_input(config: &TrackConfig, decoded: &Decoded, at_us: i64) -> Option<Input> {
    match decoded {
        // The decoder clock is the time reference of a passing, not the capture time.
        Decoded::P3(frame) => checkered_engine::adapt::p3::record_input(config, &frame.record),
        // A results-feed line is timed by its capture: feeds carry only session-relative
        // times, which the engine reads from the record itself.
        Decoded::Rmonitor(record) => {
            checkered_engine::adapt::rmonitor::feed_record(record).map(|r| Input::feed(at_us, r))
        }
        Decoded::Multiloop(message) => {
            checkered_engine::adapt::multiloop::feed_record(message).map(|r| Input::feed(at_us, r))
        }
        Decoded::Control(intent) => Some(Input {
            at_us,
            kind: InputKind::Control((**intent).clone()),
        }),
        Decoded::Other => None,
    }
}

fn line_of(payload: &Value) -> Result<&str, String> {
    payload
        .get("line")
        .and_then(Value::as_str)
        .ok_or_else(|| "payload must be an object with a string field \"line\"".to_owned())
}

/// P3 record type names as the codec spells them in JSON.
const P3_TYPES: &[&str] = &[
    "RESET",
    "PASSING",
    "STATUS",
    "VERSION",
    "RESEND",
    "CLEAR_PASSING",
    "SERVER_SETTINGS",
    "SESSION",
    "NETWORK_SETTINGS",
    "WATCHDOG",
    "PING",
    "GET_TIME",
    "GENERAL_SETTINGS",
    "SIGNALS",
    "LOOP_TRIGGER",
    "GPS_INFO",
    "FIRST_CONTACT",
    "TIMELINE",
    "ERROR",
    "UNKNOWN",
];

/// Whether a message type names a P3 record.
pub fn is_p3_type(message_type: &str) -> bool {
    P3_TYPES.contains(&message_type)
}

/// The JSON type name of a P3 record.
pub fn record_type(record: &p3::Record) -> &'static str {
    use p3::Record as R;
    match record {
        R::Reset(_) => "RESET",
        R::Passing(_) => "PASSING",
        R::Status(_) => "STATUS",
        R::Version(_) => "VERSION",
        R::Resend(_) => "RESEND",
        R::ClearPassing(_) => "CLEAR_PASSING",
        R::ServerSettings(_) => "SERVER_SETTINGS",
        R::Session(_) => "SESSION",
        R::NetworkSettings(_) => "NETWORK_SETTINGS",
        R::Watchdog(_) => "WATCHDOG",
        R::Ping(_) => "PING",
        R::GetTime(_) => "GET_TIME",
        R::GeneralSettings(_) => "GENERAL_SETTINGS",
        R::Signals(_) => "SIGNALS",
        R::LoopTrigger(_) => "LOOP_TRIGGER",
        R::GpsInfo(_) => "GPS_INFO",
        R::FirstContact(_) => "FIRST_CONTACT",
        R::Timeline(_) => "TIMELINE",
        R::Error(_) => "ERROR",
        R::Unknown { .. } => "UNKNOWN",
    }
}
