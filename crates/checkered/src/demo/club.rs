//! The demo's club circuit: an Orbits scoring system's RMonitor results feed
//! ([`checkered_sim::rmonout`]) for an endless meeting of alternating qualifying sessions
//! and races ([`checkered_sim::meeting`]), captured line by line as `RMONITOR` envelopes
//! with payload `{"line": "…"}`. The feed itself carries everything the engine needs:
//! runs (`$B`), entries (`$A`), flags and clock (`$F`), crossings (`$J`), pit lane
//! timelines (`$L`); no race-control intents are sent.
//!
//! # Layout
//! - [`club_session`]: one session's messages.

use super::scenario::{Session, TimedMessage};
use checkered_server::runtime::convert::RMONITOR;
use checkered_sim::meeting;
use checkered_sim::rmonout::{FeedSpec, rmonitor_stream};
use checkered_sim::simulate;
use serde_json::json;

/// Cars in the club circuit's field.
const CARS: usize = 20;

/// Session `n` of the club meeting, announced at demo time `at_us`. The feed's time of
/// day is wall-clock time (`epoch_us` is the wall-clock time of demo time 0).
pub fn club_session(seed: u64, n: u64, at_us: i64, epoch_us: i64) -> Session {
    let mut spec = FeedSpec::club(1, "");
    let green = epoch_us + at_us + spec.lead_in_us;
    let plan = meeting::club_session(seed, CARS, n, green);
    spec.run_no = plan.run_no;
    spec.run_name = plan.name.clone();
    let feed = rmonitor_stream(&simulate(&plan.spec), &spec);
    let messages = feed
        .lines
        .iter()
        .map(|line| TimedMessage {
            at_us: line.at_us - epoch_us,
            message_type: RMONITOR.into(),
            payload: json!({ "line": line.text() }),
        })
        .collect();
    Session {
        messages,
        next_at_us: feed.ends_at_us - epoch_us,
    }
}

#[cfg(test)]
mod tests {
    use super::super::scenario::tracks;
    use checkered_engine::adapt::rmonitor::feed_record;
    use checkered_engine::{CarStatus, Input, SessionKind, TrackEngine};
    use checkered_protocol::{cp1252, rmonitor};

    #[test]
    fn the_club_circuit_is_a_feed_of_alternating_qualifying_and_races() {
        // Arrange: two hours of the club circuit
        let epoch = 1_790_000_000_000_000;
        let track = tracks(4, epoch)
            .into_iter()
            .find(|t| t.id == "club-circuit")
            .expect("club circuit");
        let mut engine = TrackEngine::new(track.config.clone());
        let mut out = Vec::new();
        // Act
        for m in track.messages.take_while(|m| m.at_us < 2 * 3_600_000_000) {
            assert_eq!(m.message_type, "RMONITOR");
            let line = m.payload["line"].as_str().expect("a line");
            let record = rmonitor::decode_line(&cp1252::encode(line)).expect("a valid line");
            if let Some(feed) = feed_record(&record) {
                engine.apply(&Input::feed(epoch + m.at_us, feed), &mut out);
            }
        }
        // Assert
        let closed: Vec<_> = engine.sessions().into_iter().filter(|s| !s.open).collect();
        let names: Vec<(&str, SessionKind)> =
            closed.iter().map(|s| (s.name.as_str(), s.kind)).collect();
        assert_eq!(
            names[..4],
            [
                ("Qualifying 1", SessionKind::Qualifying),
                ("Race 1", SessionKind::Race),
                ("Qualifying 2", SessionKind::Qualifying),
                ("Race 2", SessionKind::Race),
            ]
        );
        for s in &closed {
            let result = engine.classification(s.id).expect("classification");
            assert_eq!(result.results.len(), 20, "{}", s.name);
            let dnf = result
                .results
                .iter()
                .filter(|c| c.status == CarStatus::Dnf)
                .count();
            let retirements = usize::from(s.kind == SessionKind::Race);
            assert_eq!(dnf, retirements, "{}", s.name);
        }
    }
}
