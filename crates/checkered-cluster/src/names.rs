//! Subject and stream names of DESIGN.md §3 under an optional prefix.
//!
//! A prefix lets several deployments (or parallel tests) share one NATS server: `t42` gives
//! subjects `t42.timing.ingest.raw.v1.<track>` and stream names `t42_RAW_<track>`.
//!
//! # Layout
//! - [`Names`]: every subject, stream and bucket name the backend uses.

/// The kinds of per-track stream, each with its subject family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackStream {
    /// `timing.ingest.raw.v1.<track>`: raw envelopes; stream sequence = `track_seq`.
    Raw,
    /// `timing.race.events.v1.<track>`: derived events; stream sequence = derived `seq`.
    Derived,
    /// `timing.race.keyframes.v1.<track>`: every snapshot, oldest first (seeking back).
    Keyframes,
}

impl TrackStream {
    /// Every kind, for start-up configuration.
    pub const ALL: [TrackStream; 3] = [
        TrackStream::Raw,
        TrackStream::Derived,
        TrackStream::Keyframes,
    ];

    fn tag(self) -> &'static str {
        match self {
            TrackStream::Raw => "RAW",
            TrackStream::Derived => "EVENTS",
            TrackStream::Keyframes => "KEYFRAMES",
        }
    }

    fn subject_family(self) -> &'static str {
        match self {
            TrackStream::Raw => "timing.ingest.raw.v1",
            TrackStream::Derived => "timing.race.events.v1",
            TrackStream::Keyframes => "timing.race.keyframes.v1",
        }
    }
}

/// Names under one prefix. Track ids are slugs (`[a-z0-9_-]`), valid in both subjects and
/// stream names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// `""` or `"<prefix>."`.
    subject: String,
    /// `""` or `"<prefix>_"`.
    name: String,
}

impl Names {
    /// Names under `prefix` (empty: the plain names of DESIGN.md §3). The prefix must be a
    /// slug-like token (`[A-Za-z0-9_-]`); anything else is replaced by `_`.
    pub fn new(prefix: &str) -> Self {
        let clean: String = prefix
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if clean.is_empty() {
            Names {
                subject: String::new(),
                name: String::new(),
            }
        } else {
            Names {
                subject: format!("{clean}."),
                name: format!("{clean}_"),
            }
        }
    }

    /// The stream of one kind for a track.
    pub fn stream(&self, kind: TrackStream, track: &str) -> String {
        format!("{}{}_{track}", self.name, kind.tag())
    }

    /// The track a stream name of this kind belongs to, if it is one of ours.
    pub fn track_of<'a>(&self, kind: TrackStream, stream: &'a str) -> Option<&'a str> {
        stream
            .strip_prefix(self.name.as_str())?
            .strip_prefix(kind.tag())?
            .strip_prefix('_')
            .filter(|t| !t.is_empty())
    }

    /// Whether a stream name belongs to this prefix (for clean-up).
    pub fn owns_stream(&self, stream: &str) -> bool {
        let rest = match stream.strip_prefix(self.name.as_str()) {
            Some(rest) => rest,
            None => return false,
        };
        TrackStream::ALL
            .iter()
            .any(|k| rest.starts_with(&format!("{}_", k.tag())))
            || rest == "SNAPSHOTS"
            || rest == "DLQ"
            || rest == "CONTROL"
    }

    /// The subject of a track stream.
    pub fn subject(&self, kind: TrackStream, track: &str) -> String {
        format!("{}{}.{track}", self.subject, kind.subject_family())
    }

    /// The stream holding the latest snapshot per track/event.
    pub fn snapshots_stream(&self) -> String {
        format!("{}SNAPSHOTS", self.name)
    }

    /// `timing.race.snapshot.v1.<track>.<event>`; the engine's snapshot covers the whole
    /// track, so its event token is `all`.
    pub fn snapshot_subject(&self, track: &str, event: &str) -> String {
        format!("{}timing.race.snapshot.v1.{track}.{event}", self.subject)
    }

    /// Every snapshot subject (the snapshot stream's filter).
    pub fn snapshot_subjects(&self) -> String {
        format!("{}timing.race.snapshot.v1.>", self.subject)
    }

    /// The dead-letter stream.
    pub fn dlq_stream(&self) -> String {
        format!("{}DLQ", self.name)
    }

    /// `timing.dlq.v1.<source>`, with characters a subject token cannot hold replaced.
    pub fn dlq_subject(&self, source: &str) -> String {
        let token: String = source
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() && !matches!(c, '.' | '*' | '>') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let token = if token.is_empty() {
            "_".to_owned()
        } else {
            token
        };
        format!("{}timing.dlq.v1.{token}", self.subject)
    }

    /// Every dead-letter subject.
    pub fn dlq_subjects(&self) -> String {
        format!("{}timing.dlq.v1.>", self.subject)
    }

    /// The key-value bucket of track leases.
    pub fn owners_bucket(&self) -> String {
        format!("{}track-owners", self.name)
    }

    /// The stream name prefix (for listing and clean-up).
    pub fn stream_prefix(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_and_plain_names() {
        let plain = Names::new("");
        assert_eq!(
            plain.subject(TrackStream::Raw, "sebring"),
            "timing.ingest.raw.v1.sebring"
        );
        assert_eq!(plain.stream(TrackStream::Raw, "sebring"), "RAW_sebring");
        let p = Names::new("t42");
        assert_eq!(
            p.subject(TrackStream::Derived, "a-b"),
            "t42.timing.race.events.v1.a-b"
        );
        assert_eq!(p.stream(TrackStream::Keyframes, "a_b"), "t42_KEYFRAMES_a_b");
        assert_eq!(
            p.track_of(TrackStream::Keyframes, "t42_KEYFRAMES_a_b"),
            Some("a_b")
        );
        assert_eq!(p.track_of(TrackStream::Raw, "t42_KEYFRAMES_a_b"), None);
        assert_eq!(p.track_of(TrackStream::Raw, "t421_RAW_x"), None);
        assert!(p.owns_stream("t42_DLQ"));
        assert!(!p.owns_stream("t421_DLQ"));
        assert_eq!(
            p.dlq_subject("relay:a.b c"),
            "t42.timing.dlq.v1.relay:a_b_c"
        );
        assert_eq!(
            p.snapshot_subject("x", "all"),
            "t42.timing.race.snapshot.v1.x.all"
        );
    }
}
