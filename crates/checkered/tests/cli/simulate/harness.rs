//! A simulator on a random port and clients that read it over real TCP, waiting on
//! conditions with a deadline (never sleeping to hope).

use checkered::simulate::{Clients, Protocol, SimConfig, SimServer};
use checkered_protocol::p3::{self, Framer};
use checkered_protocol::rmonitor::{self, Record};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Simulated start time of every test simulator.
pub const T0: i64 = 1_790_000_000_000_000;
/// How long any wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// A running simulator; stopped (and awaited) by [`Sim::stop`].
pub struct Sim {
    pub addr: SocketAddr,
    pub clients: Clients,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

/// A config for tests: fixed start time, 12 cars.
pub fn config(protocol: Protocol, speed: f64) -> SimConfig {
    SimConfig {
        cars: 12,
        speed,
        seed: 5,
        start_us: T0,
        ..SimConfig::new(protocol)
    }
}

impl Sim {
    /// Binds 127.0.0.1:0 and runs `config`.
    pub async fn start(config: SimConfig) -> Sim {
        let server = SimServer::bind("127.0.0.1:0".parse().expect("addr"), config)
            .await
            .expect("bind");
        let addr = server.local_addr().expect("local addr");
        let clients = server.clients();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run_until_stopped(async {
            let _ = stopped.await;
        }));
        Sim {
            addr,
            clients,
            stop: Some(stop),
            task,
        }
    }

    /// Waits until `count` clients are connected.
    pub async fn wait_for_clients(&self, count: usize) {
        wait(|| self.clients.count() == count, "client count").await;
    }

    /// Stops the simulator and checks it shut down cleanly.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let done = tokio::time::timeout(DEADLINE, self.task).await;
        done.expect("stops in time")
            .expect("task")
            .expect("clean stop");
    }
}

/// Polls `ready` (cheap, in-memory) until it holds, yielding in between.
pub async fn wait(mut ready: impl FnMut() -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !ready() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A P3 client: every frame it has read, each checked (LENGTH, CRC) by the framer.
pub struct P3Client {
    stream: TcpStream,
    framer: Framer,
    pub frames: Vec<p3::Frame>,
}

impl P3Client {
    pub async fn connect(addr: SocketAddr) -> P3Client {
        P3Client {
            stream: TcpStream::connect(addr).await.expect("connect"),
            framer: Framer::new(),
            frames: Vec::new(),
        }
    }

    /// Sends a command frame.
    pub async fn send(&mut self, wire: &[u8]) {
        self.stream.write_all(wire).await.expect("send command");
    }

    /// Reads until `done(frames)` holds; every frame must decode.
    pub async fn read_until(&mut self, mut done: impl FnMut(&[p3::Frame]) -> bool) {
        let mut buf = vec![0u8; 16 * 1024];
        let read = async {
            while !done(&self.frames) {
                let n = self.stream.read(&mut buf).await.expect("read");
                assert!(n > 0, "the simulator closed the connection");
                self.framer.push(&buf[..n]);
                while let Some(frame) = self.framer.next_frame() {
                    self.frames.push(frame.expect("a valid P3 frame").frame);
                }
            }
        };
        tokio::time::timeout(DEADLINE, read)
            .await
            .expect("frames in time");
    }

    /// The passings read so far.
    pub fn passings(&self) -> Vec<&p3::Passing> {
        self.frames
            .iter()
            .filter_map(|f| match &f.record {
                p3::Record::Passing(p) => Some(p),
                _ => None,
            })
            .collect()
    }
}

/// An RMonitor client: every record it has read, each line decoded.
pub struct RmClient {
    stream: TcpStream,
    decoder: rmonitor::Decoder,
    pub records: Vec<Record>,
}

impl RmClient {
    pub async fn connect(addr: SocketAddr) -> RmClient {
        RmClient {
            stream: TcpStream::connect(addr).await.expect("connect"),
            decoder: rmonitor::Decoder::new(4096),
            records: Vec::new(),
        }
    }

    /// Reads until `done(records)` holds; every line must decode.
    pub async fn read_until(&mut self, mut done: impl FnMut(&[Record]) -> bool) {
        let mut buf = vec![0u8; 64 * 1024];
        let read = async {
            while !done(&self.records) {
                let n = self.stream.read(&mut buf).await.expect("read");
                assert!(n > 0, "the feed closed the connection");
                self.decoder.push(&buf[..n]);
                for line in self.decoder.by_ref() {
                    self.records
                        .push(line.result.expect("a valid RMonitor line"));
                }
            }
        };
        tokio::time::timeout(DEADLINE, read)
            .await
            .expect("lines in time");
    }
}

/// Counts records of a kind.
pub fn count(records: &[Record], kind: fn(&Record) -> bool) -> usize {
    records.iter().filter(|r| kind(r)).count()
}
