//! Property test: the SQLite log's dedupe and sequencing against a plain in-memory model,
//! under retries, out-of-order ranges, in-batch repeats, runs longer than one dedupe run row,
//! reopening the log between batches (events after the last run write are read back), and
//! run writes after every event up to never.

use checkered_store::conformance::{T0, envelope, read_all_raw};
use checkered_store::{AppendOutcome, EventLog, SqliteLog, SqliteOptions};
use proptest::prelude::*;
use std::collections::HashMap;

const TRACKS: [&str; 2] = ["north", "south"];

/// Consecutive relay seqs `start .. start + len` of one relay boot on one track.
#[derive(Debug, Clone)]
struct Segment {
    track: usize,
    client: usize,
    boot: usize,
    start: u64,
    len: u64,
}

#[derive(Debug, Clone)]
enum Step {
    Append(Vec<Segment>),
    Reopen,
}

fn segment() -> impl Strategy<Value = Segment> {
    (0..2usize, 0..2usize, 0..2usize, 1..400u64, 1..60u64).prop_map(
        |(track, client, boot, start, len)| Segment {
            track,
            client,
            boot,
            start,
            len,
        },
    )
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => proptest::collection::vec(segment(), 1..4).prop_map(Step::Append),
        1 => Just(Step::Reopen),
    ]
}

/// What the log must answer: key -> (track, track_seq), and each track's last seq.
#[derive(Default)]
struct Model {
    stored: HashMap<String, u64>,
    last: HashMap<&'static str, u64>,
}

impl Model {
    fn append(&mut self, track: &'static str, key: String) -> AppendOutcome {
        if let Some(&track_seq) = self.stored.get(&key) {
            return AppendOutcome::Duplicate { track_seq };
        }
        let last = self.last.entry(track).or_default();
        *last += 1;
        self.stored.insert(key, *last);
        AppendOutcome::Accepted { track_seq: *last }
    }
}

async fn run(steps: Vec<Step>, run_flush_events: u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = SqliteOptions {
        run_flush_events,
        ..SqliteOptions::default()
    };
    let open = || SqliteLog::open(dir.path(), options).expect("open");
    let mut log = open();
    let mut model = Model::default();
    for step in steps {
        let Step::Append(segments) = step else {
            drop(log);
            log = open();
            continue;
        };
        let mut batch = Vec::new();
        let mut expected = Vec::new();
        for s in segments {
            let track = TRACKS[s.track];
            for seq in s.start..s.start + s.len {
                let e = envelope(
                    track,
                    &format!("c{}", s.client),
                    &format!("b{}", s.boot),
                    seq,
                );
                expected.push(model.append(track, e.idempotency_key().to_string()));
                batch.push(e);
            }
        }
        let outcomes = log.append_raw(batch, T0).await.expect("append");
        assert_eq!(outcomes, expected);
    }
    for track in TRACKS {
        let rows = read_all_raw(&log, track).await;
        let last = model.last.get(track).copied().unwrap_or(0);
        assert_eq!(rows.len() as u64, last);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.track_seq, i as u64 + 1);
            let key = row.envelope.idempotency_key().to_string();
            assert_eq!(model.stored.get(&key), Some(&row.track_seq), "{key}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn dedupe_and_sequencing_match_the_model(
        steps in proptest::collection::vec(step(), 1..12),
        run_flush_events in prop_oneof![Just(1u64), Just(7), Just(60), Just(4096)],
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(run(steps, run_flush_events));
    }
}
