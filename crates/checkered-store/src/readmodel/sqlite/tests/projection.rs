//! The projection SQL, fed with real engine output: the tables agree with the engine's own
//! views, and folding is exactly-once (batches, replays, resets).
//!
//! # Layout
//! - `race`: the engine scenario; `rows`, `project`, `dump`: feeding and reading the tables; the tests.

use crate::model::{DerivedRow, StoredRaw};
use crate::readmodel::{Projections, ReadModelError, SqliteReadModels};
use checkered_engine::{
    ControlIntent, DerivedEvent, EntrySpec, Flag, Input, SessionKind, TrackConfig, TrackEngine,
};
use checkered_protocol::contract::Envelope;

const T0: i64 = 1_700_000_000_000_000;
const CARS: &[(&str, &str, i64)] = &[
    ("1", "101", 60_000),
    ("2", "102", 61_000),
    ("3", "103", 64_000),
];

fn at(ms: i64) -> i64 {
    T0 + ms * 1000
}

/// A race with a yellow, penalties, a chequered flag, and a second session that is reset
/// halfway: the engine and everything it emitted, with the intents fed to it.
fn race() -> (TrackEngine, Vec<DerivedEvent>, Vec<(i64, ControlIntent)>) {
    let mut engine = TrackEngine::new(TrackConfig::new("t"));
    let mut events = Vec::new();
    let mut intents = Vec::new();
    let mut control =
        |engine: &mut TrackEngine, events: &mut Vec<DerivedEvent>, ms, intent: ControlIntent| {
            engine.apply(&Input::control(at(ms), intent.clone()), events);
            intents.push((at(ms), intent));
        };
    let entries = CARS
        .iter()
        .map(|(n, t, _)| EntrySpec {
            number: (*n).into(),
            name: format!("Driver {n}"),
            class: Some("A".into()),
            transponders: vec![(*t).into()],
            grid: None,
        })
        .collect();
    control(
        &mut engine,
        &mut events,
        0,
        ControlIntent::SetEntries { entries },
    );
    let stage = |name: &str| ControlIntent::Stage {
        name: Some(name.into()),
        kind: Some(SessionKind::Race),
        riders: vec![],
    };
    control(&mut engine, &mut events, 0, stage("Race 1"));
    control(
        &mut engine,
        &mut events,
        0,
        ControlIntent::Start {
            laps: None,
            duration_us: None,
        },
    );
    let pass = |engine: &mut TrackEngine, events: &mut Vec<DerivedEvent>, from: i64, laps: i64| {
        for lap in 0..laps {
            for (_, t, pace) in CARS {
                engine.apply(
                    &Input::passing(at(from + 1_000 + lap * pace), *t, "sf"),
                    events,
                );
            }
        }
    };
    pass(&mut engine, &mut events, 0, 3);
    control(
        &mut engine,
        &mut events,
        140_000,
        ControlIntent::Flag { flag: Flag::Yellow },
    );
    control(
        &mut engine,
        &mut events,
        150_000,
        ControlIntent::TimePenalty {
            number: "2".into(),
            penalty_us: 5_000_000,
            session_id: None,
        },
    );
    control(
        &mut engine,
        &mut events,
        150_500,
        ControlIntent::AdjustLaps {
            number: "3".into(),
            delta: -1,
            session_id: None,
        },
    );
    control(
        &mut engine,
        &mut events,
        170_000,
        ControlIntent::Flag { flag: Flag::Green },
    );
    control(
        &mut engine,
        &mut events,
        200_000,
        ControlIntent::Flag {
            flag: Flag::Checkered,
        },
    );
    pass(&mut engine, &mut events, 180_000, 1);
    control(&mut engine, &mut events, 300_000, ControlIntent::EndSession);
    control(&mut engine, &mut events, 400_000, stage("Race 2"));
    control(
        &mut engine,
        &mut events,
        400_000,
        ControlIntent::Start {
            laps: None,
            duration_us: None,
        },
    );
    pass(&mut engine, &mut events, 400_000, 3);
    control(&mut engine, &mut events, 600_000, ControlIntent::Reset);
    control(
        &mut engine,
        &mut events,
        610_000,
        ControlIntent::Start {
            laps: None,
            duration_us: None,
        },
    );
    pass(&mut engine, &mut events, 610_000, 2);
    (engine, events, intents)
}

fn rows(events: &[DerivedEvent]) -> Vec<DerivedRow> {
    events
        .iter()
        .map(|e| DerivedRow {
            seq: e.seq,
            ts_us: 0,
            session_id: e.session_id.map(|s| s.to_string()),
            kind: "event".into(),
            body: serde_json::to_string(e).expect("json"),
        })
        .collect()
}

/// Every projected row of a track, as text, table by table.
async fn dump(models: &SqliteReadModels) -> Vec<String> {
    models
        .read(|c| {
            let mut out = Vec::new();
            for table in [
                "proj_cursors",
                "proj_sessions",
                "proj_cars",
                "proj_laps",
                "proj_classifications",
                "proj_flags",
                "proj_competitors",
                "proj_control",
            ] {
                let mut stmt = c
                    .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3"))
                    .map_err(super::super::backend)?;
                let n = stmt.column_count();
                let mut rows = stmt.query([]).map_err(super::super::backend)?;
                while let Some(row) = rows.next().map_err(super::super::backend)? {
                    let cells: Vec<String> = (0..n)
                        .map(|i| format!("{:?}", row.get::<_, rusqlite::types::Value>(i)))
                        .collect();
                    out.push(format!("{table}: {}", cells.join(" | ")));
                }
            }
            Ok(out)
        })
        .await
        .expect("dump")
}

async fn project(models: &SqliteReadModels, rows: &[DerivedRow], batch: usize) {
    for chunk in rows.chunks(batch) {
        let after = models.cursor("t").await.expect("cursor").derived_seq;
        models
            .apply_derived("t", after, chunk.to_vec())
            .await
            .expect("apply");
    }
}

#[tokio::test]
async fn cars_laps_and_flags_agree_with_the_engine() {
    let (engine, events, _) = race();
    let dir = tempfile::tempdir().expect("dir");
    let models = SqliteReadModels::open(dir.path()).expect("open");
    project(&models, &rows(&events), 7).await;
    for summary in engine.sessions() {
        let board = engine.standings_for(summary.id).expect("board");
        let cars = models.cars("t", summary.id).await.expect("cars");
        assert_eq!(cars.len(), board.competitors.len());
        for (car, view) in cars.iter().zip(&board.competitors) {
            assert_eq!(car.number, view.number);
            assert_eq!(car.position, view.position);
            assert_eq!(car.laps, view.laps, "car {}", car.number);
            assert_eq!(car.best_lap_us, view.best_lap.map(|b| b.time_us));
            assert_eq!(car.last_lap_us, view.last_lap.map(|b| b.time_us));
            assert_eq!(car.total_time_us, view.total_time_us, "car {}", car.number);
            assert_eq!(
                serde_json::to_value(view.status).expect("status"),
                car.status.as_str()
            );
            let laps = models
                .laps("t", summary.id, Some(&car.number), 0, 1000)
                .await
                .expect("laps");
            let raw_laps = engine
                .session(summary.id)
                .and_then(|s| {
                    s.cars
                        .iter()
                        .find(|c| engine.entries().number(c.entry).as_ref() == car.number)
                })
                .expect("car")
                .laps;
            assert_eq!(laps.len(), raw_laps as usize, "laps of car {}", car.number);
            assert_eq!(
                laps.last().and_then(|l| l.lap_time_us),
                view.last_lap.map(|l| l.time_us)
            );
        }
        let flags = models.flags("t", summary.id).await.expect("flags");
        let session = board.session.expect("session");
        let theirs: Vec<_> = session
            .flags
            .iter()
            .map(|f| (tag(f.flag), f.from_us, f.to_us, f.duration_us, f.laps))
            .collect();
        let ours: Vec<_> = flags
            .iter()
            .map(|f| (f.flag.clone(), f.from_us, f.to_us, f.duration_us, f.laps))
            .collect();
        if !session.open {
            assert_eq!(ours, theirs, "flags of session {}", summary.id);
        }
        let latest = models
            .classification("t", summary.id, None)
            .await
            .expect("read");
        assert_eq!(
            latest.as_ref().map_or(0, |c| c.version),
            summary.classification_version
        );
        if !session.open {
            let engine_doc =
                serde_json::to_string(&engine.classification(summary.id).expect("doc"))
                    .expect("json");
            assert_eq!(latest.expect("final").body, engine_doc);
        }
    }
    let first = engine.sessions()[0].id;
    let flags = models.flags("t", first).await.expect("flags");
    let yellow = flags
        .iter()
        .find(|f| f.flag == "yellow")
        .expect("a yellow period");
    assert_eq!(yellow.duration_us, 30_000_000, "yellow from 140 s to 170 s");
    let second = models
        .session("t", engine.sessions()[1].id)
        .await
        .expect("read")
        .expect("session");
    assert_eq!(second.resets, 1);
    assert_eq!(second.started_at_us, Some(at(610_000)));
}

fn tag(flag: Flag) -> String {
    serde_json::to_value(flag)
        .expect("json")
        .as_str()
        .expect("text")
        .to_owned()
}

#[tokio::test]
async fn replaying_from_zero_or_twice_gives_the_same_tables() {
    let (_, events, _) = race();
    let rows = rows(&events);
    let dir = tempfile::tempdir().expect("dir");
    let models = SqliteReadModels::open(dir.path()).expect("open");
    project(&models, &rows, 5).await;
    let first = dump(&models).await;
    // The same rows again (a projector restarted before its cursor moved) change nothing.
    let last = models.cursor("t").await.expect("cursor").derived_seq;
    let again = models
        .apply_derived("t", last, rows.clone())
        .await
        .expect("again");
    assert_eq!(again.applied, 0);
    assert_eq!(dump(&models).await, first);
    // A stale cursor is refused.
    assert!(matches!(
        models.apply_derived("t", 3, rows.clone()).await,
        Err(ReadModelError::Conflict(_))
    ));
    models.reset("t").await.expect("reset");
    assert!(dump(&models).await.is_empty());
    project(&models, &rows, 1000).await;
    assert_eq!(
        dump(&models).await,
        first,
        "one big batch after a reset differs from small ones"
    );
}

#[tokio::test]
async fn undecodable_rows_are_skipped_and_counted() {
    let (_, events, _) = race();
    let mut rows = rows(&events[..10]);
    rows[4].body = "{not json".into();
    let dir = tempfile::tempdir().expect("dir");
    let models = SqliteReadModels::open(dir.path()).expect("open");
    let outcome = models.apply_derived("t", 0, rows).await.expect("apply");
    assert_eq!(outcome.applied, 9);
    assert_eq!(outcome.skipped.len(), 1);
    assert_eq!(outcome.skipped[0].0, 5);
    let cursor = models.cursor("t").await.expect("cursor");
    assert_eq!((cursor.derived_seq, cursor.skipped), (10, 1));
}

fn control_raw(seq: u64, intent: &ControlIntent, at_us: i64) -> StoredRaw {
    StoredRaw {
        track_seq: seq,
        envelope: Envelope {
            event_id: format!("01J0000000000000000000{seq:04}"),
            track_id: "t".into(),
            client_id: "race-control".into(),
            boot_id: "boot".into(),
            seq,
            captured_at_us: at_us,
            ingested_at_us: Some(at_us + 5),
            message_type: "CONTROL".into(),
            payload: serde_json::to_value(intent).expect("json"),
        },
    }
}

#[tokio::test]
async fn the_control_log_lists_intents_once_with_their_audit() {
    let (_, _, intents) = race();
    let raws: Vec<StoredRaw> = intents
        .iter()
        .enumerate()
        .map(|(i, (at, intent))| control_raw(i as u64 * 10 + 1, intent, *at))
        .collect();
    let dir = tempfile::tempdir().expect("dir");
    let models = SqliteReadModels::open(dir.path()).expect("open");
    let audit = crate::readmodel::ControlAudit {
        event_id: raws[1].envelope.event_id.clone(),
        track_id: "t".into(),
        actor: None,
        remote_addr: Some("127.0.0.1:5000".into()),
        user_agent: Some("test".into()),
        via: "control".into(),
        received_at_us: 9,
    };
    crate::readmodel::ReadModels::record_audit(&models, audit.clone())
        .await
        .expect("audit");
    let (head, tail) = raws.split_at(4);
    models
        .apply_control("t", 0, 35, head.to_vec())
        .await
        .expect("head");
    models
        .apply_control("t", 35, 10_000, tail.to_vec())
        .await
        .expect("tail");
    assert!(matches!(
        models.apply_control("t", 35, 10_000, tail.to_vec()).await,
        Err(ReadModelError::Conflict(_))
    ));
    let log = models.control_log("t", 0, 1000).await.expect("log");
    assert_eq!(log.len(), intents.len());
    assert_eq!(log[0].intent_type, "set_entries");
    assert_eq!(log[1].audit.as_ref(), Some(&audit));
    assert!(log[2].audit.is_none());
    let page = models
        .control_log("t", log[2].raw_seq, 2)
        .await
        .expect("page");
    assert_eq!(
        page.iter().map(|r| r.raw_seq).collect::<Vec<_>>(),
        [log[3].raw_seq, log[4].raw_seq]
    );
    assert_eq!(models.cursor("t").await.expect("cursor").raw_seq, 10_000);
}
