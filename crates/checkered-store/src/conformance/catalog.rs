//! Backend-neutral scenarios for the catalog ([`ReadModels`]): the SQLite and the
//! PostgreSQL backends run the same functions on an empty store each.
//!
//! # Layout
//! - Record builders (`track`, `event`, `entry`), then one scenario per catalog area.

use crate::readmodel::{
    EntryList, EntryRecord, EventRecord, ImportMode, ReadModelError, ReadModels, ScheduledSession,
    TrackRecord, Visibility,
};

fn track(id: &str) -> TrackRecord {
    TrackRecord {
        id: id.into(),
        name: format!("Track {id}"),
        config: serde_json::json!({"track_id": id}),
        created_at_us: 1,
        updated_at_us: 1,
    }
}

fn event(track: &str, id: &str, starts: Option<i64>) -> EventRecord {
    EventRecord {
        track_id: track.into(),
        id: id.into(),
        name: format!("Event {id}"),
        starts_at_us: starts,
        ends_at_us: None,
        visibility: Visibility::Public,
        created_at_us: 1,
        updated_at_us: 1,
    }
}

fn entry(number: &str, transponders: &[&str]) -> EntryRecord {
    EntryRecord {
        number: number.into(),
        name: format!("Driver {number}"),
        class: Some("GT".into()),
        transponders: transponders.iter().map(|t| (*t).to_owned()).collect(),
        grid: None,
        created_at_us: 0,
        updated_at_us: 0,
    }
}

/// Tracks: create (conflict on a taken id), update, list in id order, delete.
pub async fn catalog_tracks_round_trip(models: &dyn ReadModels) {
    models.create_track(track("b")).await.expect("create");
    models.create_track(track("a")).await.expect("create");
    assert!(matches!(
        models.create_track(track("a")).await,
        Err(ReadModelError::Conflict(_))
    ));
    let mut changed = track("a");
    changed.name = "Renamed".into();
    changed.updated_at_us = 2;
    models.update_track(changed.clone()).await.expect("update");
    assert!(matches!(
        models.update_track(track("zzz")).await,
        Err(ReadModelError::NotFound(_))
    ));
    let all = models.list_tracks().await.expect("list");
    assert_eq!(all, vec![changed, track("b")]);
    models.delete_track("b").await.expect("delete");
    assert!(matches!(
        models.delete_track("b").await,
        Err(ReadModelError::NotFound(_))
    ));
    assert_eq!(models.get_track("b").await.expect("get"), None);
}

/// Events and schedules: ordering, conflicts, links, and deleting an event takes its
/// schedule and entry list with it.
pub async fn catalog_events_and_schedules_cascade(models: &dyn ReadModels) {
    assert!(matches!(
        models.create_event(event("nowhere", "e", None)).await,
        Err(ReadModelError::NotFound(_))
    ));
    models.create_track(track("t")).await.expect("track");
    models
        .create_event(event("t", "late", Some(20)))
        .await
        .expect("event");
    models
        .create_event(event("t", "early", Some(10)))
        .await
        .expect("event");
    assert!(matches!(
        models.create_event(event("t", "early", None)).await,
        Err(ReadModelError::Conflict(_))
    ));
    let ids: Vec<String> = models
        .list_events("t")
        .await
        .expect("list")
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["early", "late"]);
    let planned = ScheduledSession {
        id: 0,
        track_id: "t".into(),
        event_id: "early".into(),
        name: "Race 1".into(),
        kind: Some("race".into()),
        scheduled_start_us: Some(15),
        laps: Some(20),
        duration_us: None,
        session_id: None,
        created_at_us: 1,
        updated_at_us: 1,
    };
    let stored = models
        .create_scheduled(planned.clone())
        .await
        .expect("schedule");
    assert!(stored.id > 0);
    let mut linked = stored.clone();
    linked.session_id = Some(3);
    models
        .update_scheduled(linked.clone())
        .await
        .expect("update");
    assert_eq!(
        models
            .get_scheduled("t", "early", stored.id)
            .await
            .expect("get"),
        Some(linked)
    );
    let mut orphan = planned.clone();
    orphan.event_id = "missing".into();
    assert!(matches!(
        models.create_scheduled(orphan).await,
        Err(ReadModelError::NotFound(_))
    ));
    let list = EntryList::Event("early".into());
    models
        .import_entries("t", &list, vec![entry("7", &["700"])], ImportMode::Merge, 5)
        .await
        .expect("entries");
    models.delete_event("t", "early").await.expect("delete");
    assert!(
        models
            .list_scheduled("t", "early")
            .await
            .expect("list")
            .is_empty()
    );
    assert!(matches!(
        models.list_entries("t", &list).await,
        Err(ReadModelError::NotFound(_))
    ));
}

/// Entry imports are all-or-nothing and keep numbers and transponders unique in a list.
pub async fn catalog_imports_are_all_or_nothing(models: &dyn ReadModels) {
    models.create_track(track("t")).await.expect("track");
    let list = EntryList::Track;
    let first = models
        .import_entries(
            "t",
            &list,
            vec![entry("10", &["1"]), entry("2", &["2"])],
            ImportMode::Merge,
            5,
        )
        .await
        .expect("import");
    assert_eq!(first.created.len(), 2);
    // Item 1 repeats item 0's number, item 2 takes transponder "2" from kept entry 2.
    let bad = vec![entry("3", &["3"]), entry("3", &["4"]), entry("4", &["2"])];
    let Err(ReadModelError::Rejected(errors)) = models
        .import_entries("t", &list, bad, ImportMode::Merge, 6)
        .await
    else {
        panic!("expected a rejection");
    };
    let indexes: Vec<usize> = errors.iter().map(|e| e.index).collect();
    assert_eq!(indexes, [1, 2], "{errors:?}");
    let numbers: Vec<String> = models
        .list_entries("t", &list)
        .await
        .expect("list")
        .into_iter()
        .map(|e| e.number)
        .collect();
    assert_eq!(
        numbers,
        ["2", "10"],
        "nothing of the refused import was stored"
    );
    // Replace: entry 2 goes, so its transponder is free for the new entry 4.
    let mut renamed = entry("10", &["1"]);
    renamed.name = "New name".into();
    let outcome = models
        .import_entries(
            "t",
            &list,
            vec![renamed, entry("4", &["2"])],
            ImportMode::Replace,
            7,
        )
        .await
        .expect("replace");
    assert_eq!(
        outcome
            .removed
            .iter()
            .map(|e| e.number.as_str())
            .collect::<Vec<_>>(),
        ["2"]
    );
    assert_eq!(outcome.updated.len(), 1);
    assert_eq!(outcome.updated[0].created_at_us, 5);
    assert_eq!(outcome.updated[0].updated_at_us, 7);
    assert_eq!(outcome.created.len(), 1);
    let again = models
        .import_entries("t", &list, vec![entry("4", &["2"])], ImportMode::Merge, 8)
        .await
        .expect("same again");
    assert_eq!(again.unchanged, 1);
    let removed = models.delete_entry("t", &list, "4").await.expect("delete");
    assert_eq!(removed.transponders, ["2"]);
    assert!(matches!(
        models.delete_entry("t", &list, "4").await,
        Err(ReadModelError::NotFound(_))
    ));
}
