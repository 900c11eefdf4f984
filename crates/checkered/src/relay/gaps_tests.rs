//! Unit tests of the gap healer.

use super::*;
use serde_json::json;

fn item(n: u32) -> Captured {
    Captured {
        captured_at_us: 1_750_000_000_000_000,
        message_type: "PASSING".into(),
        payload: json!({"type": "PASSING", "passing_number": n}),
        src: None,
    }
}

fn fp(n: u32) -> Fingerprint {
    (n, Some(1000 + n), Some(u64::from(n) * 1_000))
}

fn numbers(step: &Step) -> Vec<u64> {
    step.release
        .iter()
        .filter_map(|c| c.payload["passing_number"].as_u64())
        .collect()
}

fn feed(h: &mut Healer, n: u32, now: u64) -> Step {
    h.passing("7", fp(n), item(n), now)
}

#[test]
fn in_order_passings_flow_straight_through() {
    let mut h = Healer::new(HealerOptions::default(), &BTreeMap::new());
    for n in 1..=3 {
        let step = feed(&mut h, n, 0);
        assert_eq!(numbers(&step), vec![u64::from(n)]);
        assert!(step.resend.is_empty());
    }
}

#[test]
fn a_hole_holds_later_passings_until_the_resend_fills_it() {
    let mut h = Healer::new(HealerOptions::default(), &BTreeMap::new());
    feed(&mut h, 1, 0);
    let step = feed(&mut h, 4, 10);
    assert!(step.release.is_empty(), "4 waits for 2 and 3");
    assert_eq!(step.resend, vec![("7".to_owned(), 2, 3)]);
    assert!(numbers(&feed(&mut h, 5, 20)).is_empty());
    assert!(
        numbers(&feed(&mut h, 3, 30)).is_empty(),
        "2 is still missing"
    );
    assert_eq!(numbers(&feed(&mut h, 2, 40)), vec![2, 3, 4, 5]);
    assert_eq!(h.held(), 0);
    assert_eq!(numbers(&feed(&mut h, 6, 50)), vec![6]);
}

#[test]
fn duplicates_from_an_overlapping_resend_are_dropped() {
    let mut h = Healer::new(HealerOptions::default(), &BTreeMap::new());
    for n in 1..=3 {
        feed(&mut h, n, 0);
    }
    let step = feed(&mut h, 2, 5);
    assert_eq!(step.duplicates, 1);
    assert!(step.release.is_empty());
}

#[test]
fn an_unanswered_hole_is_asked_again_then_given_up_and_reported() {
    let options = HealerOptions {
        wait_ms: 100,
        tries: 2,
        max_held: 100,
    };
    let mut h = Healer::new(options, &BTreeMap::new());
    feed(&mut h, 1, 0);
    feed(&mut h, 5, 0);
    assert!(h.tick(50).resend.is_empty(), "not yet");
    assert_eq!(h.tick(100).resend, vec![("7".to_owned(), 2, 4)]);
    let given_up = h.tick(200);
    assert_eq!(numbers(&given_up), vec![5]);
    assert_eq!(given_up.lost, vec![("7".to_owned(), 2, 4)]);
    assert_eq!(numbers(&feed(&mut h, 6, 210)), vec![6]);
}

#[test]
fn a_restart_of_the_numbering_is_followed() {
    let resume = BTreeMap::from([("7".to_owned(), 5000)]);
    let mut h = Healer::new(HealerOptions::default(), &resume);
    let step = feed(&mut h, 1, 0);
    assert_eq!(numbers(&step), vec![1]);
    assert_eq!(numbers(&feed(&mut h, 2, 0)), vec![2]);
}

#[test]
fn a_resumed_decoder_asks_for_what_it_missed_while_down() {
    let resume = BTreeMap::from([("7".to_owned(), 10)]);
    let mut h = Healer::new(HealerOptions::default(), &resume);
    let step = feed(&mut h, 13, 0);
    assert_eq!(step.resend, vec![("7".to_owned(), 10, 12)]);
    feed(&mut h, 10, 1);
    feed(&mut h, 11, 1);
    assert_eq!(numbers(&feed(&mut h, 12, 1)), vec![12, 13]);
}

#[test]
fn too_many_held_passings_are_released_rather_than_kept() {
    let options = HealerOptions {
        max_held: 3,
        ..HealerOptions::default()
    };
    let mut h = Healer::new(options, &BTreeMap::new());
    feed(&mut h, 1, 0);
    for n in 3..=5 {
        assert!(feed(&mut h, n, 0).release.is_empty());
    }
    let step = feed(&mut h, 6, 0);
    assert_eq!(numbers(&step), vec![3, 4, 5, 6]);
    assert_eq!(step.lost, vec![("7".to_owned(), 2, 2)]);
}

#[test]
fn flush_releases_what_is_held_in_order() {
    let mut h = Healer::new(HealerOptions::default(), &BTreeMap::new());
    feed(&mut h, 1, 0);
    feed(&mut h, 4, 0);
    feed(&mut h, 3, 0);
    let step = h.flush();
    assert_eq!(numbers(&step), vec![3, 4]);
    assert_eq!(step.lost, vec![("7".to_owned(), 2, 2)]);
}
