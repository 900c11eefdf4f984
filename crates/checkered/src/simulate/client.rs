//! One client connection: the feed state first (RMonitor), then the live stream, and for
//! P3 the decoder's answers to the command frames the client sends.
//!
//! A client never holds anyone up: the stream reaches it through the hub's bounded ring,
//! and a client that falls a whole ring behind, or whose socket accepts nothing for the
//! write timeout, is disconnected.
//!
//! # Layout
//! - [`End`]: why a connection ended.
//! - [`serve`]: the connection loop.

use super::Protocol;
use super::hub::Hub;
use checkered_protocol::p3::Framer;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{broadcast, watch};

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The client closed the connection (or it broke).
    Disconnected,
    /// The client fell this many batches behind the live stream.
    Lagged(u64),
    /// The client's socket accepted nothing for the write timeout.
    WriteTimeout,
    /// The simulator is stopping.
    Shutdown,
}

/// What a connection needs besides its socket.
pub struct Connection {
    /// The shared stream and decoder state.
    pub hub: Arc<Hub>,
    /// Which protocol the client speaks.
    pub protocol: Protocol,
    /// Longest a single write may block before the client is dropped.
    pub write_timeout: Duration,
    /// Turns true when the simulator stops.
    pub stop: watch::Receiver<bool>,
}

/// Writes `bytes`, giving up when the socket accepts nothing for `timeout` or when the
/// simulator stops.
async fn send(
    writer: &mut OwnedWriteHalf,
    bytes: &[u8],
    timeout: Duration,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), End> {
    if bytes.is_empty() {
        return Ok(());
    }
    tokio::select! {
        written = tokio::time::timeout(timeout, writer.write_all(bytes)) => match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Disconnected),
            Err(_) => Err(End::WriteTimeout),
        },
        _ = stop.changed() => Err(End::Shutdown),
    }
}

/// Serves one client until it leaves, falls hopelessly behind, or the simulator stops.
pub async fn serve(socket: TcpStream, mut c: Connection) -> End {
    let (mut rx, state) = c.hub.subscribe();
    let (mut reader, mut writer) = socket.into_split();
    if let Err(end) = send(&mut writer, &state, c.write_timeout, &mut c.stop).await {
        return end;
    }
    let mut framer = Framer::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let outgoing: Arc<[u8]> = tokio::select! {
            biased;
            _ = c.stop.changed() => return End::Shutdown,
            message = rx.recv() => match message {
                Ok(bytes) => bytes,
                Err(broadcast::error::RecvError::Lagged(n)) => return End::Lagged(n),
                Err(broadcast::error::RecvError::Closed) => return End::Shutdown,
            },
            read = reader.read(&mut buf) => match read {
                Ok(0) | Err(_) => return End::Disconnected,
                Ok(n) if c.protocol == Protocol::P3 => {
                    framer.push(buf.get(..n).unwrap_or_default());
                    replies(&mut framer, &c.hub).into()
                }
                // A results feed only talks; what a client sends it is ignored.
                Ok(_) => Arc::from(Vec::new()),
            },
        };
        if let Err(end) = send(&mut writer, &outgoing, c.write_timeout, &mut c.stop).await {
            return end;
        }
    }
}

/// The decoder's answers to every complete frame the client has sent so far.
fn replies(framer: &mut Framer, hub: &Hub) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(next) = framer.next_frame() {
        match next {
            Ok(decoded) => out.extend(hub.answer(&decoded.frame)),
            Err(error) => out.extend(hub.answer_bad_frame(&error.kind).unwrap_or_default()),
        }
    }
    out
}
