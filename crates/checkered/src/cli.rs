//! The command line: one subcommand per job, each with its own argument struct.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Checkered: real-time race timing, scoring and analytics.
#[derive(Parser, Debug)]
#[command(version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Decode a capture or live stream into one JSON object per message on stdout.
    Decode(DecodeArgs),
    /// Run the server (embedded mode: one process, SQLite in the data directory).
    Serve(ServeArgs),
    /// Run the server with three simulated tracks fed through HTTP ingest.
    Demo(DemoArgs),
    /// Replay a capture through the race engine and print every session's classification.
    Replay(ReplayArgs),
    /// Serve a simulated live P3 decoder or RMonitor results feed on a TCP port.
    Simulate(SimulateArgs),
    /// Relay a decoder, results feed or capture file to a server's ingest, through a disk spool.
    Relay(RelayArgs),
    /// Organisations, owners, members and relay clients of a data directory.
    Admin(AdminArgs),
    /// Measure a scenario (e2e, ingest, fanout, replay) and print one JSON line.
    Bench(crate::bench::BenchArgs),
}

/// Arguments of `checkered admin`.
#[derive(Parser, Debug, Clone)]
pub struct AdminArgs {
    /// Data directory of the server [default: ./checkered-data].
    #[arg(
        long,
        env = "CHECKERED_DATA",
        default_value = "checkered-data",
        global = true
    )]
    pub data: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// The admin subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum AdminCommand {
    /// First run: create an organisation and its owner (the first owner runs the deployment).
    Init {
        /// Organisation id (slug).
        #[arg(long)]
        org: String,
        /// Display name [default: the id].
        #[arg(long)]
        name: Option<String>,
        /// The owner's email.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a user (created if new) a role in an organisation.
    AddUser {
        /// Organisation id.
        #[arg(long)]
        org: String,
        /// The user's email.
        #[arg(long)]
        email: String,
        /// owner, admin, race_control, timing_official or viewer.
        #[arg(long)]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create a relay client scoped to tracks of the organisation; prints its secret once.
    RelayClient {
        /// Organisation id.
        #[arg(long)]
        org: String,
        /// Display name.
        #[arg(long, default_value = "relay")]
        name: String,
        /// A track it may write to (repeat for several).
        #[arg(long = "track", required = true)]
        tracks: Vec<String>,
    },
    /// Revoke a relay client: its tokens stop working at its next request.
    Revoke {
        /// Organisation id.
        #[arg(long)]
        org: String,
        /// Client id.
        #[arg(long)]
        client: String,
    },
    /// Hand a track (e.g. one created before authorisation) to an organisation.
    AssignTrack {
        /// Organisation id.
        #[arg(long)]
        org: String,
        /// Track id.
        #[arg(long)]
        track: String,
    },
}

/// Arguments of `checkered relay` (docs/RELAY.md explains each).
#[derive(Parser, Debug, Clone)]
pub struct RelayArgs {
    /// p3://HOST:PORT, rmonitor://HOST:PORT, multiloop://HOST:PORT or
    /// file://PATH[?speed=X|max][&format=F][&timestamps=true].
    #[arg(long)]
    pub source: String,
    /// The server (`http://HOST:PORT`) or its full `…/api/ingest/batch` URL.
    #[arg(long)]
    pub ingest: String,
    /// Track id (slug) the messages belong to.
    #[arg(long)]
    pub track: String,
    /// Bearer token the server expects for ingest.
    #[arg(long, env = "CHECKERED_INGEST_TOKEN", hide_env_values = true)]
    pub credentials: Option<String>,
    /// Spool directory [default: ./checkered-spool/TRACK].
    #[arg(long)]
    pub spool: Option<PathBuf>,
    /// Client id in the envelopes, and the relay client's id for client credentials
    /// [default: one made for the spool and kept in it].
    #[arg(long, env = "CHECKERED_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Relay client secret (`POST /api/v1/orgs/{org}/relay-clients` or `checkered admin
    /// relay-client` shows it once): ingest then uses short-lived tokens from the server.
    #[arg(
        long,
        env = "CHECKERED_CLIENT_SECRET",
        hide_env_values = true,
        requires = "client_id"
    )]
    pub client_secret: Option<String>,
    /// Most events per ingest request.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Milliseconds a batch waits for more events before it is sent.
    #[arg(long, default_value_t = 50)]
    pub linger: u64,
    /// Most unacknowledged bytes the spool holds before the relay stops reading (k, M, G).
    #[arg(long, default_value = "256MiB")]
    pub spool_limit: String,
    /// Size at which the spool starts a new segment file (k, M, G).
    #[arg(long, default_value = "8MiB")]
    pub segment_size: String,
    /// Seconds without a message after which a decoder or feed link counts as dead.
    #[arg(long, default_value_t = 15.0)]
    pub silence: f64,
    /// Longest wait in seconds between reconnection attempts (decoder and server).
    #[arg(long, default_value_t = 30.0)]
    pub backoff_max: f64,
}

/// Arguments of `checkered replay`.
#[derive(Parser, Debug, Clone)]
pub struct ReplayArgs {
    /// Protocol (and capture wrapper) of the input.
    #[arg(long, value_enum)]
    pub format: InputFormat,
    /// Each line starts with an ISO 8601 capture timestamp.
    #[arg(long)]
    pub timestamps: bool,
    /// Score every session as this kind, whatever the feed's run name says.
    #[arg(long, value_enum)]
    pub session_kind: Option<KindArg>,
    /// Track configuration (the engine's `TrackConfig` as JSON: loops, thresholds).
    #[arg(long)]
    pub track_config: Option<PathBuf>,
    /// Write the classification of every session here (a JSON array, one document per
    /// session, each exactly as `GET …/sessions/{id}/classification` serves it).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Compare the engine's positions with the feed's own after every batch or line, and
    /// print `{"checked":…,"agreed":…,"agreement":…,"sessions":…}` as the last line.
    #[arg(long)]
    pub check_feed: bool,
    /// Capture file, or `-` for standard input.
    pub input: PathBuf,
}

/// Session kinds on the command line.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindArg {
    /// Ranked by best lap.
    Practice,
    /// Ranked by best lap.
    Qualifying,
    /// Ranked by laps, then crossing time.
    Race,
    /// BMX moto: finish order after the gate drop.
    Moto,
}

impl From<KindArg> for checkered_engine::SessionKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Practice => Self::Practice,
            KindArg::Qualifying => Self::Qualifying,
            KindArg::Race => Self::Race,
            KindArg::Moto => Self::Moto,
        }
    }
}

/// Arguments of `checkered simulate`.
#[derive(Parser, Debug, Clone)]
pub struct SimulateArgs {
    /// What to simulate: a P3 decoder or an RMonitor results feed.
    #[arg(long, value_enum)]
    pub protocol: crate::simulate::Protocol,
    /// Address to listen on [default: 127.0.0.1:5403 for p3, 127.0.0.1:50000 for rmonitor].
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
    /// Cars in the field (1 to 200).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub cars: u16,
    /// Time speed-up (1 = real time, at most 100000).
    #[arg(long, default_value_t = 1.0, value_parser = crate::simulate::parse_speed)]
    pub speed: f64,
    /// Seed of the simulated meeting.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Arguments of `checkered demo`.
#[derive(Parser, Debug, Clone)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Keep the data in this directory instead of a fresh temporary one.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Seed of the simulated meeting.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Time speed-up (1 = real time).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
}

/// Arguments of `checkered serve`.
#[derive(Parser, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "CHECKERED_LISTEN")]
    pub listen: Option<std::net::SocketAddr>,
    /// Data directory [default: ./checkered-data].
    #[arg(long, env = "CHECKERED_DATA")]
    pub data: Option<PathBuf>,
    /// Static token relays must send as `Authorization: Bearer <token>` to ingest.
    #[arg(long, env = "CHECKERED_INGEST_TOKEN")]
    pub ingest_token: Option<String>,
    /// Optional TOML configuration file (flags and environment variables take precedence).
    #[arg(long, env = "CHECKERED_CONFIG")]
    pub config: Option<PathBuf>,
    /// `off` opens every route (embedded single-user use) [default: on].
    #[arg(long, env = "CHECKERED_AUTH", value_parser = ["on", "off"])]
    pub auth: Option<String>,
    /// Cluster mode: the NATS server(s) with JetStream (`nats://host:4222`, comma-separated).
    #[arg(long, env = "CHECKERED_NATS")]
    pub nats: Option<String>,
    /// Cluster mode: prefix of every subject, stream and bucket (several deployments on one NATS).
    #[arg(long, env = "CHECKERED_NATS_PREFIX", default_value = "")]
    pub nats_prefix: String,
    /// Cluster mode: replicas of each stream (3 on a three-node NATS cluster).
    #[arg(long, env = "CHECKERED_NATS_REPLICAS", default_value_t = 1)]
    pub nats_replicas: usize,
    /// Cluster mode: this worker's id in the track leases [default: host name and pid].
    #[arg(long, env = "CHECKERED_WORKER_ID")]
    pub worker_id: Option<String>,
    /// Cluster mode: the shared catalog on PostgreSQL (`postgres://user:pass@host/db`).
    #[arg(long, env = "CHECKERED_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
    /// Cluster mode: PostgreSQL schema of the catalog (created if needed) [default: search_path].
    #[arg(long, env = "CHECKERED_DATABASE_SCHEMA")]
    pub database_schema: Option<String>,
    /// Cluster mode: lease lifetime in milliseconds; a dead worker's tracks move after it.
    #[arg(long, env = "CHECKERED_LEASE_TTL_MS", default_value_t = 3000)]
    pub lease_ttl_ms: u64,
}

/// Arguments of `checkered decode`.
#[derive(Parser, Debug, Clone)]
pub struct DecodeArgs {
    /// Protocol (and capture wrapper) of the input.
    #[arg(long, value_enum)]
    pub format: InputFormat,
    /// Each line starts with an ISO 8601 capture timestamp (`2024-05-01T14:55:57.123Z $F,…`).
    #[arg(long)]
    pub timestamps: bool,
    /// Input file, or `-` for standard input (decoded as it arrives for raw streams).
    pub input: PathBuf,
}

/// Input formats `checkered decode` and `checkered replay` read.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Raw P3 bytes from a decoder (a PuTTY binary log is recognised by its header).
    P3,
    /// P3 frames as hex, one per line (optionally with a leading timestamp).
    P3Hex,
    /// Orbits RMonitor text.
    Rmonitor,
    /// Multiloop text (0xA6-separated).
    Multiloop,
    /// RedMist capture log: `##yyyy-MM-dd HH:mm:ss.fff[|type]` then the raw batch.
    RedmistLog,
}
