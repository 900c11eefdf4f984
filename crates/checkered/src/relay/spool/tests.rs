//! Unit tests of the spool on real files in temporary directories.

use super::*;
use serde_json::json;

const SOURCE: &str = "file:///captures/race.log";

fn options() -> SpoolOptions {
    SpoolOptions {
        limit_bytes: 1 << 20,
        segment_bytes: 4096,
    }
}

fn message(i: u64) -> Captured {
    Captured {
        captured_at_us: 1_750_000_000_000_000 + i as i64,
        message_type: "RMONITOR".into(),
        payload: json!({"line": format!("$F,{i},\"00:00:00\",\"12:00:00\",\"00:00:00\",\"Green \"")}),
        src: Some(i),
    }
}

fn open(dir: &Path, opts: SpoolOptions) -> (Spool, OpenReport) {
    Spool::open(dir, opts, SOURCE, "sebring", None).expect("open")
}

fn put(spool: &mut Spool, range: std::ops::Range<u64>) {
    for i in range {
        assert!(matches!(
            spool.stage(message(i), 1).expect("stage"),
            Staged::Ok
        ));
    }
    spool.commit().expect("commit");
}

fn lines(batch: &[Pending]) -> Vec<String> {
    batch
        .iter()
        .map(|p| p.envelope.payload["line"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn events_read_back_in_order_with_gap_free_seq_and_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut spool, report) = open(dir.path(), options());
    assert_eq!(report.pending, 0);
    put(&mut spool, 0..50);
    let batch = spool.read(0, 100).expect("read");
    assert_eq!(batch.len(), 50);
    let seqs: Vec<u64> = batch.iter().map(|p| p.envelope.seq).collect();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    let boot = spool.boot_id().to_owned();
    drop(spool);

    let (spool, report) = open(dir.path(), options());
    assert_eq!(report.pending, 50, "nothing was acknowledged");
    assert_eq!(report.resumed.map(|r| r.file_next), Some(50));
    let again = spool.read(0, 100).expect("read");
    assert_eq!(lines(&again), lines(&batch));
    assert!(
        again.iter().all(|p| p.envelope.boot_id == boot),
        "spooled events keep their identity"
    );
    assert_ne!(spool.boot_id(), boot, "a new start is a new boot");
}

#[test]
fn acknowledged_events_leave_and_their_segments_are_deleted() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut spool, _) = open(dir.path(), options());
    put(&mut spool, 0..200);
    let segments = files::list_segments(dir.path()).expect("list").len();
    assert!(segments > 3, "small segments roll: {segments}");
    let first = spool.read(0, 150).expect("read");
    let last = first.last().map(|p| p.rid).expect("rid");
    spool.ack(last).expect("ack");
    assert_eq!(spool.stats().pending_events, 50);
    let after = files::list_segments(dir.path()).expect("list").len();
    assert!(
        after < segments,
        "fully acknowledged segments are removed ({after} of {segments})"
    );
    drop(spool);
    let (spool, report) = open(dir.path(), options());
    assert_eq!(report.pending, 50);
    let rest = spool.read(0, 500).expect("read");
    assert_eq!(rest.first().map(|p| p.envelope.seq), Some(151));
}

#[test]
fn a_torn_tail_is_cut_and_never_comes_back() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut spool, _) = open(dir.path(), options());
    put(&mut spool, 0..3);
    drop(spool);
    let (_, newest) = files::list_segments(dir.path())
        .expect("list")
        .pop()
        .expect("segment");
    let full = std::fs::read(&newest).expect("read");
    // Every cut inside the last record leaves the two before it, and only them.
    let mut start_of_last = 0;
    let mut at = 0;
    while let frame::Parsed::Record { next, .. } = frame::parse(&full, at) {
        start_of_last = at;
        at = next;
    }
    for cut in (start_of_last + 1..full.len()).step_by(7) {
        let case = tempfile::tempdir().expect("dir");
        for (_, path) in files::list_segments(dir.path()).expect("list") {
            let name = path.file_name().expect("name");
            std::fs::copy(&path, case.path().join(name)).expect("copy");
        }
        std::fs::write(
            case.path().join(newest.file_name().expect("name")),
            &full[..cut],
        )
        .expect("cut");
        let (spool, report) = open(case.path(), options());
        assert_eq!(report.pending, 2, "cut at {cut}");
        assert_eq!(report.torn_bytes, (cut - start_of_last) as u64);
        assert_eq!(
            report.resumed.map(|r| r.file_next),
            Some(2),
            "the torn message is read again"
        );
        assert_eq!(spool.read(0, 10).expect("read").len(), 2);
    }
}

#[test]
fn the_limit_hands_messages_back_until_acknowledgements_free_room() {
    let dir = tempfile::tempdir().expect("dir");
    let opts = SpoolOptions {
        limit_bytes: 2048,
        segment_bytes: 1 << 20,
    };
    let (mut spool, _) = open(dir.path(), opts);
    let mut taken = 0u64;
    loop {
        match spool.stage(message(taken), 1).expect("stage") {
            Staged::Ok => taken += 1,
            Staged::Full(back) => {
                assert_eq!(back, message(taken), "handed back untouched");
                break;
            }
        }
    }
    spool.commit().expect("commit");
    assert!(taken > 2);
    assert!(spool.stats().pending_bytes <= 2048, "never above the limit");
    let batch = spool.read(0, 1).expect("read");
    spool.ack(batch[0].rid).expect("ack");
    assert!(matches!(
        spool.stage(message(taken), 1).expect("stage"),
        Staged::Ok
    ));
}

#[test]
fn one_message_larger_than_the_limit_still_passes_alone() {
    let dir = tempfile::tempdir().expect("dir");
    let opts = SpoolOptions {
        limit_bytes: 16,
        segment_bytes: 4096,
    };
    let (mut spool, _) = open(dir.path(), opts);
    assert!(matches!(
        spool.stage(message(0), 1).expect("stage"),
        Staged::Ok
    ));
    assert!(matches!(
        spool.stage(message(1), 1).expect("stage"),
        Staged::Full(_)
    ));
}

#[test]
fn a_second_relay_cannot_open_the_same_spool() {
    let dir = tempfile::tempdir().expect("dir");
    let (_spool, _) = open(dir.path(), options());
    let err = Spool::open(dir.path(), options(), SOURCE, "sebring", None).expect_err("locked");
    assert!(err.to_string().contains("in use by another relay"), "{err}");
}

#[test]
fn another_source_starts_from_its_beginning_but_old_events_still_drain() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut spool, _) = open(dir.path(), options());
    put(&mut spool, 0..5);
    drop(spool);
    let (spool, report) =
        Spool::open(dir.path(), options(), "p3://10.0.0.5:5403", "sebring", None).expect("open");
    assert_eq!(report.resumed, None);
    assert_eq!(report.pending, 5);
    assert_eq!(spool.read(0, 10).expect("read").len(), 5);
}

#[test]
fn damage_inside_an_older_segment_skips_only_the_damaged_record() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut spool, _) = open(dir.path(), options());
    put(&mut spool, 0..60);
    drop(spool);
    let (_, oldest) = files::list_segments(dir.path()).expect("list").remove(0);
    let mut bytes = std::fs::read(&oldest).expect("read");
    let frame::Parsed::Record { next, .. } = frame::parse(&bytes, 0) else {
        panic!("start entry")
    };
    bytes[next + frame::HEADER_LEN + 3] ^= 0x55; // inside the first event
    std::fs::write(&oldest, &bytes).expect("write");
    let (spool, report) = open(dir.path(), options());
    assert!(report.damaged_bytes > 0);
    assert_eq!(report.pending, 59);
    assert_eq!(spool.read(0, 1).expect("read")[0].envelope.seq, 2);
}
