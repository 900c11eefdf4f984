//! The server goes down in the middle of a race and comes back on the same data and port:
//! the relay spools meanwhile, then every event arrives once, in order, and the standings
//! equal those of a run without the outage.

use crate::relay_support::*;
use checkered::relay::config::SourceSpec;
use checkered::relay::status::Link;
use serde_json::Value;

const TRACK: &str = "outage";

/// Feeds `frames` through a relay into a fresh server; with `outage`, the server is
/// stopped after the first third and restarted after the second. Returns the raw
/// envelopes and the settled standings.
async fn race_through_relay(
    frames: &[Vec<u8>],
    sim: &checkered_sim::Simulation,
    outage: bool,
) -> (Vec<Value>, Value) {
    let data = tempfile::tempdir().expect("data");
    let spool = tempfile::tempdir().expect("spool");
    let mut server = Server::start(data.path(), "127.0.0.1:0".parse().expect("addr")).await;
    create_track(
        &server,
        TRACK,
        serde_json::to_value(sim_track(TRACK)).expect("config"),
    )
    .await;
    post_entries(&server, TRACK, sim).await;
    let decoder = Emulator::start().await;
    let source = SourceSpec::P3 {
        addr: decoder.addr.to_string(),
    };
    let relay = RelayRun::start(relay_config(
        source,
        &server.base,
        TRACK,
        spool.path().to_owned(),
    ));
    decoder.connected(1).await;
    let third = frames.len() / 3;
    let (first, rest) = frames.split_at(third);
    let (second, last) = rest.split_at(third);

    decoder.write(&first.concat()).await;
    server.wait_raw(TRACK, 1 + first.len()).await;
    if outage {
        let addr = server.addr;
        server.stop().await;
        decoder.write(&second.concat()).await;
        // The relay keeps every event of the outage durable and says the server is down.
        relay
            .wait("the outage spooled", |s| {
                s.spooled == second.len() as u64 && matches!(s.server, Link::Down(_))
            })
            .await;
        server = Server::start(data.path(), addr).await;
    } else {
        decoder.write(&second.concat()).await;
    }
    decoder.write(&last.concat()).await;
    let raw = server.wait_raw(TRACK, 1 + frames.len()).await;
    let state = relay
        .wait("everything acknowledged", |s| s.spooled == 0)
        .await;
    assert_eq!(state.server, Link::Up(server.base.clone()));
    let standings = server.settled_standings(TRACK).await;
    let outcome = relay.stop().await;
    assert_eq!(outcome.status.rejected, 0);
    server.stop().await;
    (raw, standings)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_outage_mid_race_loses_and_doubles_nothing() {
    // Arrange: one simulated race as the decoder sends it.
    let (sim, frames) = race_frames(7);
    let want: Vec<Value> = frames.iter().map(|f| payload_of(f)).collect();

    // Act: the race through a relay with the server down for the middle third, and again
    // without the outage.
    let (raw, standings) = race_through_relay(&frames, &sim, true).await;
    let (_, clean_standings) = race_through_relay(&frames, &sim, false).await;

    // Assert: every frame once, in the decoder's order, after the entry list.
    let got: Vec<Value> = raw.iter().skip(1).map(|e| e["payload"].clone()).collect();
    assert_eq!(got.len(), want.len());
    assert!(
        got == want,
        "the raw log differs from what the decoder sent"
    );
    let mut keys: Vec<(String, u64)> = raw
        .iter()
        .skip(1)
        .map(|e| {
            (
                e["boot_id"].as_str().unwrap_or("").to_owned(),
                e["seq"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let seqs: Vec<u64> = keys.iter().map(|k| k.1).collect();
    assert_eq!(
        seqs,
        (1..=frames.len() as u64).collect::<Vec<_>>(),
        "one boot, gap-free seq"
    );
    keys.dedup();
    assert_eq!(keys.len(), frames.len());
    assert!(
        standings["competitors"]
            .as_array()
            .is_some_and(|c| c.len() > 10),
        "a scored race"
    );
    assert_eq!(
        standings, clean_standings,
        "the outage changed the standings"
    );
}
