//! The simulator as a TCP server: bound first (so callers learn the real port), then run
//! until a shutdown future resolves. A pacer task releases the program's items when
//! their simulated time comes, in batches, to the hub; one task per client writes them.
//!
//! # Layout
//! - [`SimServer`]: bind or wrap a listener, `local_addr`, `run_until_stopped`.
//! - [`Clients`]: how many clients are connected (for tests and logs).
//! - `pace`: the pacer loop.

use super::SimConfig;
use super::client::{self, Connection, End};
use super::hub::{Hub, SimClock};
use super::program::{Program, Timed};
use anyhow::Context;
use checkered_sim::Line;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Largest batch the pacer hands out at once when it catches up, in bytes.
const MAX_BATCH_BYTES: usize = 64 * 1024;

/// The number of connected clients, readable while the server runs.
#[derive(Debug, Clone, Default)]
pub struct Clients(Arc<AtomicUsize>);

impl Clients {
    /// Clients connected now.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// What a simulator sends: any timed wire items, in time order.
pub type Items = Box<dyn Iterator<Item = Timed> + Send>;

/// A bound simulator, ready to run.
pub struct SimServer {
    listener: TcpListener,
    config: SimConfig,
    clients: Clients,
    /// The items to send instead of the club meeting the configuration describes.
    program: Option<Items>,
    /// The decoder id this simulator answers commands as.
    decoder_id: u32,
}

impl SimServer {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr, config: SimConfig) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        Self::new(listener, config)
    }

    /// Serves on an already bound listener; fails on a configuration it cannot run.
    pub fn new(listener: TcpListener, config: SimConfig) -> anyhow::Result<Self> {
        config.validate()?;
        Ok(SimServer {
            listener,
            config,
            clients: Clients::default(),
            program: None,
            decoder_id: Line::StartFinish.decoder_id(),
        })
    }

    /// Serves `items` (simulated time, µs since the Unix epoch, on the configuration's
    /// clock) instead of the club meeting, as decoder `decoder_id` (P3) — how the demo puts
    /// each of its simulated decoders and feeds on a port of its own.
    pub fn with_items(
        listener: TcpListener,
        config: SimConfig,
        items: Items,
        decoder_id: u32,
    ) -> anyhow::Result<Self> {
        let mut server = Self::new(listener, config)?;
        server.program = Some(items);
        server.decoder_id = decoder_id;
        Ok(server)
    }

    /// The address clients connect to.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The live count of connected clients.
    pub fn clients(&self) -> Clients {
        self.clients.clone()
    }

    /// Starts the simulated clock and serves until `shutdown` resolves; then stops the
    /// pacer and every client and returns.
    pub async fn run_until_stopped(
        mut self,
        shutdown: impl Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let cfg = self.config.clone();
        let clock = SimClock {
            start_us: cfg.start_us,
            started: tokio::time::Instant::now(),
            speed: cfg.speed,
        };
        let hub = Arc::new(Hub::new(
            clock,
            cfg.client_buffer,
            cfg.memory,
            self.decoder_id,
        ));
        let (stop_tx, stop) = watch::channel(false);
        let program: Items = match self.program.take() {
            Some(items) => items,
            None => Box::new(Program::new(cfg.protocol, cfg.seed, cfg.cars, cfg.start_us)),
        };
        let pacer = tokio::spawn(pace(program, hub.clone(), stop.clone()));
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((socket, peer)) => {
                        let connection = Connection {
                            hub: hub.clone(),
                            protocol: cfg.protocol,
                            write_timeout: cfg.write_timeout,
                            stop: stop.clone(),
                        };
                        self.admit(socket, peer, connection, &mut connections);
                    }
                    Err(error) => {
                        // Out of file descriptors and the like: wait a moment, keep serving.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        let _ = stop_tx.send(true);
        pacer.await.context("pacer task")?;
        while connections.join_next().await.is_some() {}
        Ok(())
    }

    /// Starts serving a new client, unless as many as allowed are connected already.
    fn admit(
        &self,
        socket: TcpStream,
        peer: SocketAddr,
        connection: Connection,
        connections: &mut JoinSet<()>,
    ) {
        let max = self.config.max_clients;
        if self.clients.count() >= max {
            tracing::warn!(%peer, max, "too many clients; connection refused");
            return;
        }
        let _ = socket.set_nodelay(true);
        connections.spawn(track(socket, peer, connection, self.clients.clone()));
    }
}

/// Serves one client, keeping the connected count and logging why it left.
async fn track(socket: TcpStream, peer: SocketAddr, c: Connection, clients: Clients) {
    clients.0.fetch_add(1, Ordering::SeqCst);
    tracing::info!(%peer, "client connected");
    let end = client::serve(socket, c).await;
    clients.0.fetch_sub(1, Ordering::SeqCst);
    match end {
        End::Disconnected | End::Shutdown => tracing::info!(%peer, ?end, "client left"),
        End::Lagged(_) | End::WriteTimeout => {
            tracing::warn!(%peer, ?end, "client dropped: it does not keep up with the stream")
        }
    }
}

/// Releases the program's items to the hub as their simulated time comes, until stopped.
async fn pace(program: Items, hub: Arc<Hub>, mut stop: watch::Receiver<bool>) {
    let mut program = program.peekable();
    let clock = *hub.clock();
    loop {
        let Some(due) = program.peek().map(|t| clock.instant_of(t.at_us)) else {
            return;
        };
        tokio::select! {
            () = tokio::time::sleep_until(due) => {}
            _ = stop.changed() => return,
        }
        let now = clock.now_us();
        let mut batch = program.next().into_iter().collect::<Vec<_>>();
        let mut bytes = batch.iter().map(|t| t.payload.wire().len()).sum::<usize>();
        while bytes < MAX_BATCH_BYTES {
            let Some(item) = program.next_if(|t| t.at_us <= now) else {
                break;
            };
            bytes += item.payload.wire().len();
            batch.push(item);
        }
        hub.publish(batch);
    }
}
