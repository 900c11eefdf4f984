//! The TCP side of a network source: connect, read, write commands back, reconnect with
//! backoff and jitter when the link drops or falls silent.
//!
//! The protocol logic is a [`Protocol`]: bytes in, messages and command bytes out, plus a
//! tick for timers. The loop forwards every message before it reads again, so a full
//! spool stops the reading (and the silence clock restarts once forwarding resumes: the
//! relay's own pause is not the decoder's silence).

use super::{SourceCtx, SourceError};
use crate::relay::backoff::Backoff;
use crate::relay::spool::Captured;
use crate::relay::status::Link;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How often [`Protocol::tick`] runs.
const TICK: Duration = Duration::from_millis(100);
/// Longest wait for a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// First reconnection wait.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// What a protocol produced from bytes or a tick.
#[derive(Debug, Default)]
pub struct Output {
    /// Messages to forward, in order.
    pub messages: Vec<Captured>,
    /// Bytes to write to the decoder (commands).
    pub send: Vec<u8>,
    /// A valid message arrived (the link is alive), forwarded or not.
    pub alive: bool,
}

/// One protocol spoken on a link.
pub trait Protocol: Send {
    /// A connection was made: bytes to send first (e.g. a clock query).
    fn connected(&mut self, now_ms: u64) -> Vec<u8>;
    /// Bytes arrived.
    fn bytes(&mut self, chunk: &[u8], now_ms: u64, out: &mut Output);
    /// Timers.
    fn tick(&mut self, now_ms: u64, out: &mut Output);
    /// The connection ended; partial data is reported and dropped.
    fn disconnected(&mut self, out: &mut Output);
    /// The relay stops: anything held back is released.
    fn finish(&mut self, out: &mut Output);
}

/// Why one connection ended.
enum End {
    Stop,
    Dropped(String),
}

/// Runs connections to `addr` until the relay stops.
pub async fn run(
    addr: &str,
    mut protocol: impl Protocol,
    ctx: &SourceCtx,
) -> Result<(), SourceError> {
    let epoch = Instant::now();
    let mut backoff = Backoff::new(FIRST_BACKOFF, ctx.backoff_max);
    let mut shutdown = ctx.shutdown.clone();
    loop {
        if *shutdown.borrow() {
            break;
        }
        ctx.status.update(|s| s.source = Link::Connecting);
        let connect = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr));
        let reason = match connect.await {
            Ok(Ok(stream)) => {
                tracing::info!(addr, "connected to the source");
                ctx.status.update(|s| s.source = Link::Up(addr.to_owned()));
                let (end, delivered) = connection(stream, &mut protocol, ctx, epoch).await?;
                let mut out = Output::default();
                protocol.disconnected(&mut out);
                forward_all(ctx, out.messages).await?;
                if delivered {
                    backoff.reset();
                }
                match end {
                    End::Stop => break,
                    End::Dropped(reason) => reason,
                }
            }
            Ok(Err(e)) => format!("cannot connect: {e}"),
            Err(_) => format!("cannot connect within {}s", CONNECT_TIMEOUT.as_secs()),
        };
        let wait = backoff.next_delay();
        tracing::warn!(
            addr,
            reason,
            retry_in_ms = wait.as_millis() as u64,
            "source link down"
        );
        ctx.status.update(|s| s.source = Link::Down(reason));
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => break,
        }
    }
    let mut out = Output::default();
    protocol.finish(&mut out);
    forward_all(ctx, out.messages).await
}

async fn forward_all(ctx: &SourceCtx, messages: Vec<Captured>) -> Result<(), SourceError> {
    for m in messages {
        ctx.forward(m).await?;
    }
    Ok(())
}

/// Serves one connection; also says whether it delivered any message.
async fn connection(
    stream: TcpStream,
    protocol: &mut impl Protocol,
    ctx: &SourceCtx,
    epoch: Instant,
) -> Result<(End, bool), SourceError> {
    let _ = stream.set_nodelay(true);
    let (mut rd, mut wr) = stream.into_split();
    let now_ms = || epoch.elapsed().as_millis() as u64;
    let hello = protocol.connected(now_ms());
    if !hello.is_empty()
        && let Err(e) = wr.write_all(&hello).await
    {
        return Ok((
            End::Dropped(format!("cannot write to the source: {e}")),
            false,
        ));
    }
    let mut shutdown = ctx.shutdown.clone();
    let mut tick = tokio::time::interval(TICK);
    let mut last_message = Instant::now();
    let mut delivered = false;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let mut out = Output::default();
        tokio::select! {
            read = rd.read(&mut buf) => match read {
                Ok(0) => return Ok((End::Dropped("the source closed the connection".into()), delivered)),
                Ok(n) => protocol.bytes(buf.get(..n).unwrap_or_default(), now_ms(), &mut out),
                Err(e) => return Ok((End::Dropped(format!("read failed: {e}")), delivered)),
            },
            _ = tick.tick() => {
                protocol.tick(now_ms(), &mut out);
                if last_message.elapsed() > ctx.silence {
                    let secs = ctx.silence.as_secs_f64();
                    return Ok((End::Dropped(format!("silent for {secs:.0}s")), delivered));
                }
            }
            _ = shutdown.changed() => return Ok((End::Stop, delivered)),
        }
        if !out.send.is_empty()
            && let Err(e) = wr.write_all(&out.send).await
        {
            return Ok((
                End::Dropped(format!("cannot write to the source: {e}")),
                delivered,
            ));
        }
        let forwarded = !out.messages.is_empty();
        forward_all(ctx, out.messages).await?;
        if out.alive || forwarded {
            delivered = true;
            last_message = Instant::now();
        }
    }
}
