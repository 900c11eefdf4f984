//! The server under test: `checkered serve` started as a child process of this very binary,
//! on a free loopback port with a fresh temporary data directory, so its memory and CPU
//! figures (from `/proc/<pid>`) are its own and the load generator does not share its
//! runtime. Stopped with SIGTERM (then killed) when the scenario ends or fails.
//! `CHECKERED_BENCH_SERVER=/path/to/checkered` serves with another build instead.

use anyhow::{Context, bail};
use std::io::BufRead;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to print its address.
const STARTUP: Duration = Duration::from_secs(60);

/// A running server.
pub struct ServerProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its process id.
    pub pid: u32,
    data: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts `checkered serve --listen 127.0.0.1:0` on a fresh data directory and waits
    /// for the address it prints. The server's log goes to `server.log` in that directory.
    pub fn start() -> anyhow::Result<ServerProcess> {
        let data = tempfile::Builder::new()
            .prefix("checkered-bench-")
            .tempdir()
            .context("cannot create the server's data directory")?;
        // `CHECKERED_BENCH_SERVER` runs another build as the server (before/after
        // comparisons with the same load generator).
        let exe = match std::env::var_os("CHECKERED_BENCH_SERVER") {
            Some(path) => std::path::PathBuf::from(path),
            None => std::env::current_exe().context("cannot find this executable")?,
        };
        let log = std::fs::File::create(data.path().join("server.log"))
            .context("cannot create the server log")?;
        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data.path().join("data"))
            .env("RUST_LOG", "warn")
            // The pipeline is measured open, as an embedded single-user server runs
            // (an environment variable, so builds from before authorisation still start).
            .env("CHECKERED_AUTH", "off")
            .env_remove("CHECKERED_INGEST_TOKEN")
            .env_remove("CHECKERED_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .context("cannot start `checkered serve`")?;
        let pid = child.id();
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = ServerProcess {
            child,
            addr: "127.0.0.1:0".parse()?,
            pid,
            data,
        };
        let deadline = Instant::now() + STARTUP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(left) {
                Ok(line) => line,
                Err(_) => bail!("the server did not start (log: {})", server.log_tail()),
            };
            if let Some(addr) = parse_banner(&line) {
                server.addr = addr;
                return Ok(server);
            }
        }
    }

    /// `http://ADDR`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The end of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.data.path().join("server.log")).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(5).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }

    /// Stops the server: SIGTERM, up to 10 s for a clean exit, then SIGKILL.
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if let Some(pid) = rustix::process::Pid::from_raw(self.pid as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// The address in `Checkered is serving http://ADDR/ (data in …)`.
fn parse_banner(line: &str) -> Option<SocketAddr> {
    let rest = line.split("http://").nth(1)?;
    rest.split('/').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn banner_address() {
        assert_eq!(
            super::parse_banner("Checkered is serving http://127.0.0.1:4321/ (data in /x)"),
            Some("127.0.0.1:4321".parse().expect("addr"))
        );
        assert_eq!(super::parse_banner("something else"), None);
    }
}
