//! The decoder side of the relay on a real socket: a dropped connection with passings
//! lost meanwhile is healed by RESEND; corrupt frames and garbage are counted and never
//! forwarded (and a passing lost to a bad CRC comes back by RESEND); GET_TIME tracks the
//! decoder clock.

use crate::relay_support::*;
use checkered::relay::config::SourceSpec;
use checkered_protocol::p3::{self, Record};
use serde_json::Value;
use std::collections::BTreeMap;

/// Passing numbers per decoder, in the order of `payloads`.
fn passings_by_decoder<'a>(payloads: impl Iterator<Item = &'a Value>) -> BTreeMap<u64, Vec<u64>> {
    let mut out: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for p in payloads.filter(|p| p["type"] == "PASSING") {
        out.entry(p["decoder_id"].as_u64().unwrap_or(0))
            .or_default()
            .push(p["passing_number"].as_u64().unwrap_or(0));
    }
    out
}

/// Index of the frame after which every decoder of the stream has sent a passing.
fn first_index_after_every_decoder(frames: &[Vec<u8>]) -> usize {
    let payloads: Vec<Value> = frames.iter().map(|f| payload_of(f)).collect();
    let decoders = passings_by_decoder(payloads.iter()).len();
    let mut seen = std::collections::BTreeSet::new();
    for (i, p) in payloads.iter().enumerate() {
        if p["type"] == "PASSING" {
            seen.insert(p["decoder_id"].as_u64());
            if seen.len() == decoders {
                return i + 1;
            }
        }
    }
    frames.len()
}

fn is_passing(wire: &[u8]) -> bool {
    matches!(p3::decode_all(wire).first(), Some(Ok(d)) if matches!(d.frame.record, Record::Passing(_)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_link_comes_back_and_the_gap_is_healed_by_resend() {
    // Arrange: a server, a decoder that knows its passings, a relay.
    let data = tempfile::tempdir().expect("data");
    let spool = tempfile::tempdir().expect("spool");
    let server = Server::start(data.path(), "127.0.0.1:0".parse().expect("addr")).await;
    create_track(
        &server,
        "gaps",
        serde_json::to_value(sim_track("gaps")).expect("config"),
    )
    .await;
    let (_, frames) = race_frames(11);
    // The link drops once every decoder has been heard (a decoder first heard after the
    // drop starts wherever it is: the relay cannot know what it said before).
    let cut = first_index_after_every_decoder(&frames) + 10;
    let frames = &frames[..cut + 300];
    let decoder = Emulator::start().await;
    decoder.know(frames);
    decoder.answer_clock(3_600_000_000);
    let source = SourceSpec::P3 {
        addr: decoder.addr.to_string(),
    };
    let relay = RelayRun::start(relay_config(
        source,
        &server.base,
        "gaps",
        spool.path().to_owned(),
    ));
    decoder.connected(1).await;

    // Act: 200 frames, the link drops, 100 frames go out while nobody listens, the relay
    // reconnects and the decoder goes on with the rest.
    decoder.write(&frames[..cut].concat()).await;
    server.wait_raw_without_clock("gaps", cut).await;
    decoder.hang_up().await;
    decoder.connected(2).await;
    decoder.write(&frames[cut + 100..].concat()).await;
    let lost_status = frames[cut..cut + 100]
        .iter()
        .filter(|f| !is_passing(f))
        .count();
    let raw = server
        .wait_raw_without_clock("gaps", frames.len() - lost_status)
        .await;

    // Assert: the relay asked for the missed range; every passing of every decoder is
    // there once and in passing-number order; the decoder clock is an hour ahead.
    assert!(!decoder.resends().is_empty(), "no RESEND was sent");
    let sent: Vec<Value> = frames.iter().map(|f| payload_of(f)).collect();
    let want = passings_by_decoder(sent.iter());
    let got = passings_by_decoder(raw.iter().map(|e| &e["payload"]));
    assert_eq!(got, want);
    for numbers in want.values() {
        assert!(
            numbers.windows(2).all(|w| w[1] == w[0] + 1),
            "in order, no holes"
        );
    }
    let state = relay
        .wait("the clock offset", |s| {
            s.clock_offset_us.is_some() && s.spooled == 0
        })
        .await;
    let offset = state.clock_offset_us.unwrap_or(0);
    assert!(
        (3_590_000_000..3_610_000_000).contains(&offset),
        "offset {offset}"
    );
    assert!(state.resends >= 1);
    assert_eq!(state.lost_passings, 0);
    relay.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_frames_and_garbage_are_counted_and_never_forwarded() {
    // Arrange
    let data = tempfile::tempdir().expect("data");
    let spool = tempfile::tempdir().expect("spool");
    let server = Server::start(data.path(), "127.0.0.1:0".parse().expect("addr")).await;
    create_track(
        &server,
        "noise",
        serde_json::to_value(sim_track("noise")).expect("config"),
    )
    .await;
    let (_, frames) = race_frames(3);
    let frames = &frames[..120];
    let decoder = Emulator::start().await;
    decoder.know(frames);
    let source = SourceSpec::P3 {
        addr: decoder.addr.to_string(),
    };
    let relay = RelayRun::start(relay_config(
        source,
        &server.base,
        "noise",
        spool.path().to_owned(),
    ));
    decoder.connected(1).await;
    // A passing whose transponder byte changed on the wire: its CRC fails.
    let victim = (50..).find(|&i| is_passing(&frames[i])).expect("a passing");
    let mut corrupt = frames[victim].clone();
    corrupt[14] ^= 0x01;
    assert!(
        p3::decode_all(&corrupt).iter().any(Result::is_err),
        "the CRC must fail"
    );

    // Act: good frames, garbage, the corrupt frame, a cut-off frame, the rest.
    let mut wire = frames[..victim].concat();
    wire.extend_from_slice(b"\x00\x01garbage from a bad cable\xff");
    wire.extend_from_slice(&corrupt);
    wire.extend_from_slice(&frames[victim + 1][..9]);
    wire.extend_from_slice(&frames[victim + 1..].concat());
    decoder.write(&wire).await;
    let raw = server.wait_raw("noise", frames.len()).await;

    // Assert: exactly the good frames went through (the victim healed by RESEND with its
    // true content), and the three bad spans were counted.
    let mut got: Vec<Value> = raw.iter().map(|e| e["payload"].clone()).collect();
    assert!(
        got.contains(&payload_of(&frames[victim])),
        "the passing lost to the CRC came back"
    );
    let mut want: Vec<Value> = frames.iter().map(|f| payload_of(f)).collect();
    want.sort_by_key(|v| v.to_string());
    got.sort_by_key(|v| v.to_string());
    assert_eq!(got, want, "nothing but the good frames, each once");
    let state = relay.wait("all acknowledged", |s| s.spooled == 0).await;
    assert_eq!(state.bad_frames, 3, "garbage, bad CRC, truncated frame");
    assert!(state.junk_bytes >= 26);
    relay.stop().await;
    server.stop().await;
}
