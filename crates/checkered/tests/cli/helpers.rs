//! Running the real binary and reading the shared captures.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Path of a file under the shared data folder.
pub fn data(path: &str) -> String {
    format!("{}/../../../shared/data/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `checkered` with `args`, feeding `stdin`, and returns its output.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_checkered"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn checkered");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait for checkered")
}

/// Parses every line of `bytes` as JSON.
pub fn json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A running `checkered` whose stdout lines arrive on a channel as it prints them.
pub struct Live {
    /// The child process.
    pub child: std::process::Child,
    /// Its standard input, open until dropped.
    pub stdin: Option<std::process::ChildStdin>,
    /// Each line of its stdout, as soon as it is written.
    pub lines: std::sync::mpsc::Receiver<String>,
}

impl Live {
    /// Starts `checkered` with `args`, stdin and stdout piped, stderr kept for the end.
    pub fn start(args: &[&str]) -> Live {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_checkered"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn checkered");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Live {
            child,
            stdin,
            lines,
        }
    }

    /// Writes bytes to the child's stdin (kept open).
    pub fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(bytes).expect("write stdin");
        stdin.flush().expect("flush stdin");
    }

    /// The next stdout line as JSON, failing the test if none comes within `secs`.
    pub fn next_json(&self, secs: u64) -> serde_json::Value {
        let line = self
            .lines
            .recv_timeout(std::time::Duration::from_secs(secs))
            .unwrap_or_else(|e| panic!("no output line within {secs} s: {e}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Closes stdin, waits for the exit and returns the status, the remaining stdout lines
    /// as JSON and stderr's lines as JSON.
    pub fn close(
        mut self,
    ) -> (
        std::process::ExitStatus,
        Vec<serde_json::Value>,
        Vec<serde_json::Value>,
    ) {
        drop(self.stdin.take());
        let mut stderr = Vec::new();
        if let Some(mut e) = self.child.stderr.take() {
            std::io::Read::read_to_end(&mut e, &mut stderr).expect("read stderr");
        }
        let status = self.child.wait().expect("wait for checkered");
        let rest: Vec<String> = self.lines.iter().collect();
        let rest = json_lines(rest.join("\n").as_bytes());
        (status, rest, json_lines(&stderr))
    }
}

/// A child process killed and reaped when the test ends however it ends, so a failed
/// assertion never leaves a long-running command (demo, simulator) behind.
pub struct Reaped(pub std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
