//! The RMonitor feed's current state, so a client that connects mid-session learns the
//! run, classes, track, entries and positions at once instead of waiting for the next
//! periodic refresh (a results feed is state plus events; only the state is cached).
//!
//! `$I` clears the cache; `$B,95` (run ended) drops the positions of the finished run, so a
//! late client is never shown a closed session as if it were running. `$J`, `$L` and
//! other one-off events are never cached: a feed does not repeat them.
//!
//! # Layout
//! - [`FeedCache`]: the latest line per state key, and the snapshot sent on connect.

use checkered_protocol::rmonitor::{Record, Text};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Groups in the order a connecting client receives them.
const RUN: u8 = 0;
const CLASS: u8 = 1;
const SETTING: u8 = 2;
const COMPETITOR: u8 = 3;
const COMPETITOR_EXT: u8 = 4;
const RACE_POSITION: u8 = 5;
const PRACTICE_POSITION: u8 = 6;
const HEARTBEAT: u8 = 7;

/// The latest line for each piece of feed state.
#[derive(Debug, Default)]
pub struct FeedCache {
    lines: BTreeMap<(u8, u32, Text), Arc<[u8]>>,
}

impl FeedCache {
    /// Takes note of a line just sent.
    pub fn note(&mut self, record: &Record, wire: &Arc<[u8]>) {
        let key = match record {
            Record::Init { .. } => {
                self.lines.clear();
                return;
            }
            Record::Run { .. } => {
                if record.is_session_end() {
                    self.lines.retain(|(group, _, _), _| {
                        *group < RACE_POSITION || *group > PRACTICE_POSITION
                    });
                }
                (RUN, 0, Text::default())
            }
            Record::Class { class_no, .. } => (CLASS, *class_no, Text::default()),
            Record::Setting { key, .. } => (SETTING, 0, key.clone()),
            Record::Competitor { reg_no, .. } => (COMPETITOR, 0, reg_no.clone()),
            Record::CompetitorExt { reg_no, .. } => (COMPETITOR_EXT, 0, reg_no.clone()),
            // Keyed by position: after each batch of position lines every position has
            // exactly one car, so the cache holds the whole order.
            Record::RacePosition { position, .. } => (RACE_POSITION, *position, Text::default()),
            Record::PracticePosition { position, .. } => {
                (PRACTICE_POSITION, *position, Text::default())
            }
            Record::Heartbeat { .. } => (HEARTBEAT, 0, Text::default()),
            _ => return,
        };
        self.lines.insert(key, wire.clone());
    }

    /// The state as lines, in the order a client should receive them: run, classes, track
    /// settings, entries, race and best-lap positions, the last heartbeat.
    pub fn snapshot(&self) -> Vec<u8> {
        self.lines
            .values()
            .flat_map(|w| w.iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkered_protocol::rmonitor::{decode_line, encode_line};

    fn note(cache: &mut FeedCache, line: &str) {
        let record = decode_line(line.as_bytes()).expect("valid line");
        let mut wire = Vec::new();
        encode_line(&record, &mut wire);
        cache.note(&record, &wire.into());
    }

    fn lines(cache: &FeedCache) -> Vec<String> {
        String::from_utf8(cache.snapshot())
            .expect("ascii")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn keeps_the_latest_state_in_client_order_and_no_events() {
        let mut cache = FeedCache::default();
        note(&mut cache, r#"$I,"10:00:00.000","15 Jun 25""#);
        note(&mut cache, r#"$A,"7","7",1234,"Ana","Costa","",1"#);
        note(&mut cache, r#"$B,3,"Race 2""#);
        note(&mut cache, r#"$C,1,"GT3""#);
        note(&mut cache, r#"$G,1,"7",,"00:00:00.000""#);
        note(&mut cache, r#"$J,"7","00:01:31.000","00:01:31.400""#);
        note(&mut cache, r#"$G,1,"7",1,"00:01:31.400""#);
        note(
            &mut cache,
            r#"$F,11,"00:00:00","10:02:00","00:01:31","Green ""#,
        );
        assert_eq!(
            lines(&cache),
            [
                r#"$B,3,"Race 2""#,
                r#"$C,1,"GT3""#,
                r#"$A,"7","7",1234,"Ana","Costa","",1"#,
                r#"$G,1,"7",1,"00:01:31.400""#,
                r#"$F,11,"00:00:00","10:02:00","00:01:31","Green ""#,
            ]
        );
        assert!(
            cache.snapshot().ends_with(b"\r\n"),
            "whole lines, CR LF each"
        );
        // The run ends: positions go, entries stay; the next $I clears everything.
        note(&mut cache, r#"$B,95,"Race 2""#);
        assert_eq!(lines(&cache).len(), 4);
        assert!(lines(&cache)[0].starts_with("$B,95"));
        note(&mut cache, r#"$I,"10:30:00.000","15 Jun 25""#);
        assert!(cache.snapshot().is_empty());
    }
}
