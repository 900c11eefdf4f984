//! The query string of `/ws/v1/live`, checked before the upgrade so a bad request gets a
//! problem document rather than a socket.

use std::collections::HashMap;

/// The channels a client may ask for.
pub const CHANNELS: &[&str] = &[
    "race",
    "decoder",
    "telemetry",
    "commentary",
    "predictions",
    "alerts",
];

/// Where the stream starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    /// A snapshot of the current state, then what follows.
    Now,
    /// Every derived event with `seq >= n` from the log, then what follows (resume).
    Seq(u64),
}

/// Wire encoding of frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text frames with JSON (default).
    Json,
    /// Binary frames with MessagePack.
    Msgpack,
}

/// A checked subscription request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Track scope (required).
    pub track_id: String,
    /// Optional event (meeting) scope, echoed in every frame.
    pub event_id: Option<String>,
    /// Channels wanted (default `race`).
    pub channels: Vec<&'static str>,
    /// Start point.
    pub from: From,
    /// Encoding.
    pub format: Format,
}

/// Parses the query; the error is the problem detail.
pub fn parse(query: &HashMap<String, String>) -> Result<Params, String> {
    if let Some(unknown) = query.keys().find(|k| {
        !matches!(
            k.as_str(),
            "track_id" | "event_id" | "channels" | "from" | "format" | "access_token" | "code"
        )
    }) {
        return Err(format!(
            "unknown query parameter {unknown:?}; use track_id, event_id, channels, from, format"
        ));
    }
    let track_id = query
        .get("track_id")
        .filter(|t| !t.is_empty())
        .ok_or("track_id is required: every live subscription names one track")?
        .clone();
    let event_id = query.get("event_id").filter(|e| !e.is_empty()).cloned();
    let mut channels = Vec::new();
    match query.get("channels") {
        None => channels.push("race"),
        Some(list) => {
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let known = CHANNELS.iter().find(|c| **c == name).ok_or_else(|| {
                    format!("unknown channel {name:?}; known: {}", CHANNELS.join(","))
                })?;
                if !channels.contains(known) {
                    channels.push(known);
                }
            }
            if channels.is_empty() {
                return Err("channels is empty".into());
            }
        }
    }
    let from = match query.get("from").map(String::as_str) {
        None | Some("now") => From::Now,
        Some(n) => match n.parse::<u64>() {
            Ok(seq) if seq >= 1 => From::Seq(seq),
            _ => {
                return Err(format!(
                    "from must be `now` or a sequence number ≥ 1, not {n:?}"
                ));
            }
        },
    };
    let format = match query.get("format").map(String::as_str) {
        None | Some("json") => Format::Json,
        Some("msgpack") => Format::Msgpack,
        Some(other) => return Err(format!("format must be json or msgpack, not {other:?}")),
    };
    Ok(Params {
        track_id,
        event_id,
        channels,
        from,
        format,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_to_race_from_now_in_json() {
        let p = parse(&q(&[("track_id", "sebring")])).expect("valid");
        assert_eq!(p.channels, vec!["race"]);
        assert_eq!(p.from, From::Now);
        assert_eq!(p.format, Format::Json);
        assert_eq!(p.event_id, None);
    }

    #[test]
    fn reads_every_option() {
        let p = parse(&q(&[
            ("track_id", "bmx"),
            ("event_id", "e1"),
            ("channels", "race, decoder,race"),
            ("from", "42"),
            ("format", "msgpack"),
        ]))
        .expect("valid");
        assert_eq!(p.channels, vec!["race", "decoder"]);
        assert_eq!(p.from, From::Seq(42));
        assert_eq!(p.format, Format::Msgpack);
        assert_eq!(p.event_id.as_deref(), Some("e1"));
    }

    #[test]
    fn rejects_what_it_does_not_understand() {
        for bad in [
            q(&[]),
            q(&[("track_id", "")]),
            q(&[("track_id", "a"), ("channels", "gossip")]),
            q(&[("track_id", "a"), ("channels", ",")]),
            q(&[("track_id", "a"), ("from", "0")]),
            q(&[("track_id", "a"), ("from", "yesterday")]),
            q(&[("track_id", "a"), ("format", "xml")]),
            q(&[("track_id", "a"), ("firehose", "1")]),
        ] {
            assert!(parse(&bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
