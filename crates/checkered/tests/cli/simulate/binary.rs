//! The `checkered simulate` command itself: prints its real address, serves, stops on
//! SIGTERM, and refuses bad arguments.

use super::harness::P3Client;
use crate::helpers::run;
use checkered_protocol::p3::Record;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn listen_on_port_zero_prints_the_real_address_and_serves_a_decoder() {
    // Arrange
    let mut reaped = crate::helpers::Reaped(
        Command::new(env!("CARGO_BIN_EXE_checkered"))
            .args(["simulate", "--protocol", "p3", "--listen", "127.0.0.1:0"])
            .args(["--cars", "6", "--speed", "1000", "--seed", "3"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn checkered simulate"),
    );
    let child = &mut reaped.0;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr: SocketAddr = line
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    assert!(line.contains("P3 decoder") && addr.port() != 0, "{line}");
    // Act: a decoder client reads passings
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let passings = runtime.block_on(async {
        let mut client = P3Client::connect(addr).await;
        client
            .read_until(|f| {
                f.iter()
                    .filter(|f| matches!(f.record, Record::Passing(_)))
                    .count()
                    >= 10
            })
            .await;
        client.passings().len()
    });
    assert!(passings >= 10);
    // Assert: SIGTERM stops it cleanly
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("try_wait") {
            break exit;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the simulator did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "simulator exited with {exit}");
}

#[test]
fn bad_arguments_are_refused_with_a_clear_message() {
    for (args, needle) in [
        (&["--speed", "0"][..], "speed must be above 0"),
        (&["--speed", "fast"][..], "is not a number"),
        (&["--cars", "0"][..], "0 is not in 1..=200"),
        (&["--cars", "201"][..], "201 is not in 1..=200"),
    ] {
        let out = run(
            &[&["simulate", "--protocol", "rmonitor"][..], args].concat(),
            b"",
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} was accepted");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    let out = run(&["simulate", "--protocol", "multiloop"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: p3, rmonitor"));
}
