//! A P3 decoder on a real socket for the relay tests: the test writes bytes to whoever is
//! connected; the emulator answers RESEND from the passings it was told about, and
//! GET_TIME when asked to.

use crate::relay_support::eventually;
use checkered_protocol::p3::{self, Frame, GetTime, Record};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::net::tcp::OwnedWriteHalf;

/// A P3 decoder on a real socket: the test writes frames to whoever is connected; the
/// emulator answers RESEND from the passings it was told about, and GET_TIME if asked to.
pub struct Emulator {
    /// Where it listens.
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

/// Passing frames by decoder id and passing number.
type Library = HashMap<(Option<u32>, u32), Vec<u8>>;

#[derive(Default)]
struct Inner {
    writer: tokio::sync::Mutex<Option<OwnedWriteHalf>>,
    connections: Mutex<u64>,
    resends: Mutex<Vec<(u32, u32)>>,
    passings: Mutex<Library>,
    clock_offset_us: Mutex<Option<i64>>,
}

impl Emulator {
    /// Listens on a free port.
    pub async fn start() -> Emulator {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let inner = Arc::new(Inner::default());
        let accept = inner.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (rd, wr) = stream.into_split();
                *accept.writer.lock().await = Some(wr);
                *accept.connections.lock().expect("lock") += 1;
                tokio::spawn(commands(rd, accept.clone()));
            }
        });
        Emulator { addr, inner }
    }

    /// Answers GET_TIME with a decoder clock this far from the real one.
    pub fn answer_clock(&self, offset_us: i64) {
        *self.inner.clock_offset_us.lock().expect("lock") = Some(offset_us);
    }

    /// Remembers passing frames so RESEND can be answered.
    pub fn know(&self, frames: &[Vec<u8>]) {
        let mut map = self.inner.passings.lock().expect("lock");
        for wire in frames {
            if let Some(Ok(d)) = p3::decode_all(wire).first()
                && let Record::Passing(p) = &d.frame.record
                && let Some(n) = p.passing_number
            {
                map.insert((p.decoder_id, n), wire.clone());
            }
        }
    }

    /// Waits until `n` connections were accepted in all.
    pub async fn connected(&self, n: u64) {
        eventually(&format!("connection {n} from the relay"), || async {
            (*self.inner.connections.lock().expect("lock") >= n).then_some(())
        })
        .await;
    }

    /// Writes to the connected relay.
    pub async fn write(&self, bytes: &[u8]) {
        let mut writer = self.inner.writer.lock().await;
        let w = writer.as_mut().expect("a relay is connected");
        w.write_all(bytes).await.expect("write to the relay");
    }

    /// Closes the connection (as a decoder reboot or a cable pull would).
    pub async fn hang_up(&self) {
        if let Some(mut w) = self.inner.writer.lock().await.take() {
            let _ = w.shutdown().await;
        }
    }

    /// The RESEND ranges received.
    pub fn resends(&self) -> Vec<(u32, u32)> {
        self.inner.resends.lock().expect("lock").clone()
    }
}

/// Reads commands from the relay and answers them.
async fn commands(mut rd: tokio::net::tcp::OwnedReadHalf, inner: Arc<Inner>) {
    let mut framer = p3::Framer::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = rd.read(&mut buf).await {
        if n == 0 {
            return;
        }
        framer.push(&buf[..n]);
        while let Some(Ok(d)) = framer.next_frame() {
            let answer = answer(&d.frame.record, &inner);
            if !answer.is_empty()
                && let Some(w) = inner.writer.lock().await.as_mut()
            {
                let _ = w.write_all(&answer).await;
            }
        }
    }
}

fn answer(record: &Record, inner: &Inner) -> Vec<u8> {
    let mut out = Vec::new();
    match record {
        Record::Resend(r) => {
            let (Some(from), Some(until)) = (r.from, r.until) else {
                return out;
            };
            inner.resends.lock().expect("lock").push((from, until));
            let map = inner.passings.lock().expect("lock");
            for n in from..=until {
                if let Some(wire) = map.get(&(r.decoder_id, n)) {
                    out.extend_from_slice(wire);
                }
            }
        }
        Record::GetTime(_) => {
            if let Some(offset) = *inner.clock_offset_us.lock().expect("lock") {
                let now = checkered::relay::now_us() + offset;
                let reply = GetTime {
                    rtc_time_us: u64::try_from(now).ok(),
                    ..GetTime::default()
                };
                p3::encode(&Frame::new(Record::GetTime(reply)), &mut out);
            }
        }
        _ => {}
    }
    out
}
