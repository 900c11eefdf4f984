//! What the relay was asked to do: the source URL, the ingest URL and the tuning knobs,
//! parsed and checked before anything connects.
//!
//! # Layout
//! - [`SourceSpec`]: `p3://`, `rmonitor://`, `multiloop://` or `file://` and its parser.
//! - [`Speed`]: the replay speed of a file source.
//! - [`RelayConfig`]: everything the running relay needs, built from the command line.
//! - [`parse_bytes`]: sizes such as `64MiB` or `512k`.

use crate::cli::{InputFormat, RelayArgs};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;
use thiserror::Error;

/// Default decoder port of a P3 source without one.
pub const P3_PORT: u16 = 5403;
/// Default port of an RMonitor source without one.
pub const RMONITOR_PORT: u16 = 50000;

/// A source URL or option that cannot be used, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// The source URL has no known scheme.
    #[error(
        "source {0:?} must be p3://HOST:PORT, rmonitor://HOST:PORT, multiloop://HOST:PORT or file://PATH[?speed=X]"
    )]
    Scheme(String),
    /// The address of a network source is not HOST:PORT.
    #[error("source address {0:?} must be HOST:PORT (port 1-65535)")]
    Address(String),
    /// A file source query parameter is unknown or has a bad value.
    #[error("file source parameter {0:?}: {1}")]
    Query(String, String),
    /// The ingest URL is not an http(s) URL.
    #[error("ingest URL {0:?} must start with http:// or https://")]
    Ingest(String),
    /// A size is not a number with an optional unit.
    #[error("size {0:?} must be a number of bytes, optionally with k, M, G (or KiB, MiB, GiB)")]
    Size(String),
    /// A numeric option is out of range.
    #[error("{0}")]
    Range(String),
}

/// How fast a file source is replayed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Real time multiplied by this factor (1 = as captured).
    Times(f64),
    /// As fast as the spool and the server take it.
    Max,
}

/// Where the relay reads messages from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// A MyLaps/AMB P3 decoder on TCP.
    P3 {
        /// `HOST:PORT`.
        addr: String,
    },
    /// An Orbits RMonitor results feed on TCP.
    Rmonitor {
        /// `HOST:PORT`.
        addr: String,
    },
    /// A Multiloop results feed on TCP.
    Multiloop {
        /// `HOST:PORT`.
        addr: String,
    },
    /// A capture file replayed at its recorded pace (times `speed`).
    File {
        /// The capture.
        path: PathBuf,
        /// Replay speed.
        speed: Speed,
        /// Protocol and wrapper; guessed from the content when absent.
        format: Option<InputFormat>,
        /// Each line starts with an ISO 8601 capture time.
        timestamps: bool,
    },
}

impl SourceSpec {
    /// Whether the source ends by itself (a file) rather than running until stopped.
    pub fn is_file(&self) -> bool {
        matches!(self, SourceSpec::File { .. })
    }

    /// A stable name of the source, stored in the spool so a restart on the same source
    /// resumes where it stopped (a file by its absolute path, a link by its address).
    pub fn identity(&self) -> String {
        match self {
            SourceSpec::P3 { addr } => format!("p3://{addr}"),
            SourceSpec::Rmonitor { addr } => format!("rmonitor://{addr}"),
            SourceSpec::Multiloop { addr } => format!("multiloop://{addr}"),
            SourceSpec::File { path, .. } => {
                let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                format!("file://{}", absolute.display())
            }
        }
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceSpec::File { path, .. } => write!(f, "file://{}", path.display()),
            other => f.write_str(&other.identity()),
        }
    }
}

impl FromStr for SourceSpec {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| ConfigError::Scheme(s.to_owned()))?;
        match scheme.to_ascii_lowercase().as_str() {
            "p3" => Ok(SourceSpec::P3 {
                addr: address(rest, Some(P3_PORT))?,
            }),
            "rmonitor" => Ok(SourceSpec::Rmonitor {
                addr: address(rest, Some(RMONITOR_PORT))?,
            }),
            "multiloop" => Ok(SourceSpec::Multiloop {
                addr: address(rest, None)?,
            }),
            "file" => file_source(rest),
            _ => Err(ConfigError::Scheme(s.to_owned())),
        }
    }
}

/// `HOST:PORT` (or `HOST` when the protocol has a default port); `[v6]:PORT` works too.
fn address(text: &str, default_port: Option<u16>) -> Result<String, ConfigError> {
    let text = text.trim_end_matches('/');
    let bad = || ConfigError::Address(text.to_owned());
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (text, None),
    };
    if host.is_empty() || host.contains('/') {
        return Err(bad());
    }
    let port = match port {
        Some(p) => p.parse::<u16>().ok().filter(|&p| p > 0).ok_or_else(bad)?,
        None => default_port.ok_or_else(bad)?,
    };
    Ok(format!("{host}:{port}"))
}

fn file_source(rest: &str) -> Result<SourceSpec, ConfigError> {
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(ConfigError::Query(
            "path".into(),
            "file:// needs a path".into(),
        ));
    }
    let mut speed = Speed::Times(1.0);
    let mut format = None;
    let mut timestamps = false;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = |why: &str| ConfigError::Query(key.to_owned(), why.to_owned());
        match key {
            "speed" => speed = parse_speed(value).map_err(|why| bad(&why))?,
            "format" => {
                format = Some(
                    <InputFormat as clap::ValueEnum>::from_str(value, true).map_err(|_| {
                        bad("expected p3, p3-hex, rmonitor, multiloop or redmist-log")
                    })?,
                )
            }
            "timestamps" => {
                timestamps = matches!(value, "" | "1" | "true" | "yes");
            }
            _ => {
                return Err(bad(
                    "unknown parameter (expected speed, format, timestamps)",
                ));
            }
        }
    }
    Ok(SourceSpec::File {
        path: PathBuf::from(path),
        speed,
        format,
        timestamps,
    })
}

fn parse_speed(value: &str) -> Result<Speed, String> {
    if value.eq_ignore_ascii_case("max") {
        return Ok(Speed::Max);
    }
    match value.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(Speed::Times(x)),
        _ => Err("expected a positive number or `max`".into()),
    }
}

/// Parses `4096`, `64k`, `16MiB`, `1G` (k/M/G are powers of 1024, like the IEC units).
pub fn parse_bytes(text: &str) -> Result<u64, ConfigError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| ConfigError::Size(text.to_owned()))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(ConfigError::Size(text.to_owned())),
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| ConfigError::Size(text.to_owned()))
}

/// Everything the running relay needs.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Where messages come from.
    pub source: SourceSpec,
    /// The full URL of `POST /api/ingest/batch`.
    pub ingest_url: String,
    /// The server's base URL (for the track check).
    pub server_base: String,
    /// Track the messages belong to.
    pub track: String,
    /// Bearer token for ingest.
    pub credentials: Option<String>,
    /// Spool directory.
    pub spool_dir: PathBuf,
    /// Client id; the spool's own (made once and kept) when absent.
    pub client_id: Option<String>,
    /// Relay client secret: with `client_id`, ingest authenticates by client credentials.
    pub client_secret: Option<String>,
    /// Most events per ingest request.
    pub batch: usize,
    /// How long a batch waits for more events before it is sent.
    pub linger: Duration,
    /// Most unacknowledged bytes in the spool before the relay stops reading.
    pub spool_limit: u64,
    /// Size at which the spool starts a new segment file.
    pub segment_bytes: u64,
    /// No message from a decoder or feed for this long means the link is dead.
    pub silence: Duration,
    /// Longest wait between reconnection or resend attempts.
    pub backoff_max: Duration,
}

impl RelayConfig {
    /// Checks and completes the command-line arguments.
    pub fn from_args(args: &RelayArgs) -> Result<Self, ConfigError> {
        let source: SourceSpec = args.source.parse()?;
        if !checkered_protocol::contract::is_slug(&args.track) {
            return Err(ConfigError::Range(format!(
                "track {:?} is not a slug (1-64 of a-z, 0-9, '-', '_')",
                args.track
            )));
        }
        let (server_base, ingest_url) = ingest_urls(&args.ingest)?;
        let spool_limit = parse_bytes(&args.spool_limit)?;
        let segment_bytes = parse_bytes(&args.segment_size)?;
        if args.batch == 0 || args.batch > 5000 {
            return Err(ConfigError::Range("--batch must be 1 to 5000".into()));
        }
        if spool_limit < 1024 || segment_bytes < 1024 {
            return Err(ConfigError::Range(
                "--spool-limit and --segment-size must be at least 1 KiB".into(),
            ));
        }
        if args.silence <= 0.0 || args.backoff_max <= 0.0 {
            return Err(ConfigError::Range(
                "--silence and --backoff-max must be positive".into(),
            ));
        }
        let spool_dir = args
            .spool
            .clone()
            .unwrap_or_else(|| PathBuf::from("checkered-spool").join(&args.track));
        Ok(RelayConfig {
            source,
            ingest_url,
            server_base,
            track: args.track.clone(),
            credentials: args.credentials.clone().filter(|c| !c.is_empty()),
            spool_dir,
            client_id: args.client_id.clone(),
            client_secret: args.client_secret.clone().filter(|c| !c.is_empty()),
            batch: args.batch,
            linger: Duration::from_millis(args.linger),
            spool_limit,
            segment_bytes,
            silence: Duration::from_secs_f64(args.silence),
            backoff_max: Duration::from_secs_f64(args.backoff_max),
        })
    }
}

/// The server base and the ingest URL from `--ingest`, which may be either.
fn ingest_urls(text: &str) -> Result<(String, String), ConfigError> {
    let lower = text.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(ConfigError::Ingest(text.to_owned()));
    }
    let trimmed = text.trim_end_matches('/');
    match trimmed.strip_suffix("/api/ingest/batch") {
        Some(base) => Ok((base.to_owned(), trimmed.to_owned())),
        None => Ok((trimmed.to_owned(), format!("{trimmed}/api/ingest/batch"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_sources_parse_with_default_ports() {
        assert_eq!(
            "p3://10.0.0.5".parse::<SourceSpec>(),
            Ok(SourceSpec::P3 {
                addr: "10.0.0.5:5403".into()
            })
        );
        assert_eq!(
            "rmonitor://feed.local:50001/".parse::<SourceSpec>(),
            Ok(SourceSpec::Rmonitor {
                addr: "feed.local:50001".into()
            })
        );
        assert!("multiloop://host".parse::<SourceSpec>().is_err());
        assert!("p3://host:0".parse::<SourceSpec>().is_err());
        assert!("p3://:5403".parse::<SourceSpec>().is_err());
        assert!("tcp://host:1".parse::<SourceSpec>().is_err());
        assert!("host:1".parse::<SourceSpec>().is_err());
    }

    #[test]
    fn file_sources_take_speed_format_and_timestamps() {
        let spec: SourceSpec = "file://caps/race.log?speed=20&format=redmist-log"
            .parse()
            .expect("parses");
        assert_eq!(
            spec,
            SourceSpec::File {
                path: "caps/race.log".into(),
                speed: Speed::Times(20.0),
                format: Some(InputFormat::RedmistLog),
                timestamps: false,
            }
        );
        let max: SourceSpec = "file:///abs/x.txt?speed=max&timestamps=true"
            .parse()
            .expect("parses");
        assert!(matches!(
            max,
            SourceSpec::File {
                speed: Speed::Max,
                timestamps: true,
                ..
            }
        ));
        for bad in [
            "file://x?speed=0",
            "file://x?speed=-1",
            "file://x?format=zip",
            "file://x?foo=1",
            "file://",
        ] {
            assert!(bad.parse::<SourceSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_take_binary_units() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("64k"), Ok(65536));
        assert_eq!(parse_bytes("16MiB"), Ok(16 << 20));
        assert_eq!(parse_bytes("1 G"), Ok(1 << 30));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("99999999999999999999G").is_err());
    }

    #[test]
    fn ingest_takes_a_base_or_the_full_url() {
        assert_eq!(
            ingest_urls("http://h:8080/"),
            Ok((
                "http://h:8080".into(),
                "http://h:8080/api/ingest/batch".into()
            ))
        );
        assert_eq!(
            ingest_urls("https://h/api/ingest/batch"),
            Ok(("https://h".into(), "https://h/api/ingest/batch".into()))
        );
        assert!(ingest_urls("h:8080").is_err());
    }
}
