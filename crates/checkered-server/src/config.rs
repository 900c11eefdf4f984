//! Server settings.
//!
//! Precedence, highest first: command-line flags, environment variables (`CHECKERED_*`),
//! the TOML file given with `--config`, built-in defaults. The binary's clap layer resolves
//! flags and environment variables into a [`ConfigOverrides`]; [`ServerConfig::resolve`]
//! lays them over the file and the defaults.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Directory holding the SQLite files.
    pub data_dir: PathBuf,
    /// Static bearer token relays must present to ingest (until per-client credentials).
    pub ingest_token: Option<String>,
    /// Largest number of events one ingest batch may carry.
    pub max_batch_events: usize,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Interval between WebSocket heartbeats.
    pub heartbeat: Duration,
    /// Derived events buffered per track for live subscribers before a slow one is resynced.
    pub live_buffer: usize,
    /// Identity and authorisation settings (issue 7).
    pub auth: AuthSettings,
    /// Whether this process runs the projectors that fold the logs into the read models
    /// (off for a process that should only ingest and score; its projection reads then
    /// stand still).
    pub projector: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("checkered-data"),
            ingest_token: None,
            max_batch_events: 5_000,
            max_body_bytes: 8 * 1024 * 1024,
            heartbeat: Duration::from_secs(5),
            live_buffer: 4_096,
            projector: true,
            auth: AuthSettings::default(),
        }
    }
}

/// Identity and authorisation settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    /// `false` (`auth = "off"`): an embedded single-user server, every route open.
    pub enabled: bool,
    /// Access-token lifetime, seconds (`access_token_secs`).
    pub access_ttl_s: i64,
    /// Refresh-token lifetime, seconds (`refresh_token_secs`).
    pub refresh_ttl_s: i64,
    /// argon2id memory cost, KiB (`argon2_memory_kib`; OWASP's 19 MiB by default).
    pub argon2_memory_kib: u32,
    /// argon2id iterations (`argon2_iterations`).
    pub argon2_iterations: u32,
    /// Sign-in and token requests per minute per address (`login_per_minute`).
    pub login_per_minute: u32,
    /// Ingest batches per second per relay client (`ingest_per_second`).
    pub ingest_per_second: u32,
    /// Anonymous public reads per second per address (`public_reads_per_second`).
    pub public_per_second: u32,
    /// External OIDC issuers whose tokens are accepted (`[[oidc]]`).
    pub oidc: Vec<crate::auth::oidc::OidcIssuer>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            enabled: true,
            access_ttl_s: 15 * 60,
            refresh_ttl_s: 30 * 24 * 3600,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            login_per_minute: 10,
            ingest_per_second: 100,
            public_per_second: 100,
            oidc: Vec::new(),
        }
    }
}

/// `auth = "on" | "off"` in the file, `--auth` / `CHECKERED_AUTH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Authorisation enforced (default).
    On,
    /// Every route open (embedded single-user use).
    Off,
}

/// Values given on the command line or in the environment (each optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigOverrides {
    /// `--listen` / `CHECKERED_LISTEN`.
    pub listen: Option<SocketAddr>,
    /// `--data` / `CHECKERED_DATA`.
    pub data_dir: Option<PathBuf>,
    /// `--ingest-token` / `CHECKERED_INGEST_TOKEN`.
    pub ingest_token: Option<String>,
    /// `--auth` / `CHECKERED_AUTH`.
    pub auth: Option<AuthMode>,
}

/// The optional TOML file; every key may be omitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on.
    pub listen: Option<SocketAddr>,
    /// Data directory.
    pub data: Option<PathBuf>,
    /// Static relay token.
    pub ingest_token: Option<String>,
    /// Largest ingest batch (events).
    pub max_batch_events: Option<usize>,
    /// Largest request body (bytes).
    pub max_body_bytes: Option<usize>,
    /// Heartbeat interval (seconds).
    pub heartbeat_secs: Option<u64>,
    /// Live buffer per track (events).
    pub live_buffer: Option<usize>,
    /// Run the projectors.
    pub projector: Option<bool>,
    /// `on` (default) or `off`.
    pub auth: Option<AuthMode>,
    /// Access-token lifetime (seconds).
    pub access_token_secs: Option<i64>,
    /// Refresh-token lifetime (seconds).
    pub refresh_token_secs: Option<i64>,
    /// argon2id memory (KiB).
    pub argon2_memory_kib: Option<u32>,
    /// argon2id iterations.
    pub argon2_iterations: Option<u32>,
    /// Sign-in attempts per minute per address.
    pub login_per_minute: Option<u32>,
    /// Ingest batches per second per relay client.
    pub ingest_per_second: Option<u32>,
    /// Anonymous public reads per second per address.
    pub public_reads_per_second: Option<u32>,
    /// External OIDC issuers.
    pub oidc: Option<Vec<crate::auth::oidc::OidcIssuer>>,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for these settings.
    #[error("invalid config file {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parse error, with its line and column.
        source: toml::de::Error,
    },
}

impl ServerConfig {
    /// Overrides, then the file (if any), then defaults.
    pub fn resolve(overrides: ConfigOverrides, file: Option<&Path>) -> Result<Self, ConfigError> {
        let file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|source| ConfigError::Parse {
                    path: path.to_owned(),
                    source,
                })?
            }
            None => FileConfig::default(),
        };
        let d = ServerConfig::default();
        Ok(ServerConfig {
            listen: overrides.listen.or(file.listen).unwrap_or(d.listen),
            data_dir: overrides.data_dir.or(file.data).unwrap_or(d.data_dir),
            ingest_token: overrides.ingest_token.or(file.ingest_token),
            max_batch_events: file.max_batch_events.unwrap_or(d.max_batch_events).max(1),
            max_body_bytes: file.max_body_bytes.unwrap_or(d.max_body_bytes).max(1024),
            heartbeat: file
                .heartbeat_secs
                .map_or(d.heartbeat, |s| Duration::from_secs(s.max(1))),
            live_buffer: file.live_buffer.unwrap_or(d.live_buffer).max(16),
            projector: file.projector.unwrap_or(d.projector),
            auth: AuthSettings {
                enabled: overrides.auth.or(file.auth).unwrap_or(AuthMode::On) == AuthMode::On,
                access_ttl_s: file.access_token_secs.unwrap_or(d.auth.access_ttl_s).max(1),
                refresh_ttl_s: file
                    .refresh_token_secs
                    .unwrap_or(d.auth.refresh_ttl_s)
                    .max(60),
                argon2_memory_kib: file
                    .argon2_memory_kib
                    .unwrap_or(d.auth.argon2_memory_kib)
                    .max(8),
                argon2_iterations: file
                    .argon2_iterations
                    .unwrap_or(d.auth.argon2_iterations)
                    .max(1),
                login_per_minute: file.login_per_minute.unwrap_or(d.auth.login_per_minute),
                ingest_per_second: file.ingest_per_second.unwrap_or(d.auth.ingest_per_second),
                public_per_second: file
                    .public_reads_per_second
                    .unwrap_or(d.auth.public_per_second),
                oidc: file.oidc.unwrap_or_default(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_beats_defaults() {
        let dir = std::env::temp_dir().join(format!("checkered-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("c.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\ndata = \"/srv/timing\"\nheartbeat_secs = 2\n",
        )
        .expect("write");
        let over = ConfigOverrides {
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 7000))),
            ..Default::default()
        };
        let cfg = ServerConfig::resolve(over, Some(&path)).expect("config");
        assert_eq!(cfg.listen.port(), 7000);
        assert_eq!(cfg.data_dir, PathBuf::from("/srv/timing"));
        assert_eq!(cfg.heartbeat, Duration::from_secs(2));
        assert_eq!(
            cfg.max_batch_events,
            ServerConfig::default().max_batch_events
        );
    }

    #[test]
    fn unknown_keys_are_an_error_with_the_file_named() {
        let path = std::env::temp_dir().join(format!("checkered-bad-{}.toml", std::process::id()));
        std::fs::write(&path, "lisen = \"x\"\n").expect("write");
        let err =
            ServerConfig::resolve(ConfigOverrides::default(), Some(&path)).expect_err("must fail");
        assert!(err.to_string().contains("invalid config file"), "{err}");
    }
}
