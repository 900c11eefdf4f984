//! The simulator's truth is self-consistent and its P3 stream decodes back to its readings.

use checkered_protocol::p3::{Record, decode_all};
use checkered_sim::bmx::{MotoSpec, simulate_motos};
use checkered_sim::p3out::p3_stream;
use checkered_sim::*;
use proptest::prelude::*;

#[test]
fn same_seed_same_simulation_other_seed_other_race() {
    let a = simulate(&RaceSpec::club_race(7));
    assert_eq!(a, simulate(&RaceSpec::club_race(7)));
    assert_ne!(
        a.classification,
        simulate(&RaceSpec::club_race(8)).classification
    );
}

#[test]
fn club_race_truth_has_a_winner_on_the_lead_lap_and_one_retirement() {
    let sim = simulate(&RaceSpec::club_race(1));
    let winner = &sim.classification[0];
    assert_eq!((winner.laps, winner.finished), (15, true));
    assert_eq!(sim.classification.iter().filter(|r| !r.finished).count(), 1);
    let finish = sim
        .flags
        .iter()
        .find(|f| f.flag == SimFlag::Finish)
        .expect("finish flag");
    assert_eq!(winner.total_us, finish.at_us - sim.spec.start_us);
    // Every finisher ranks by laps then crossing time.
    for pair in sim.classification.windows(2) {
        assert!(
            pair[0].laps > pair[1].laps
                || (pair[0].laps == pair[1].laps && pair[0].total_us <= pair[1].total_us)
        );
    }
    // Each car makes its pit stop: pit-in and pit-out crossings.
    assert!(
        sim.crossings
            .iter()
            .filter(|c| c.line == Line::PitIn)
            .count()
            >= 19
    );
}

#[test]
fn p3_stream_decodes_to_the_readings_with_gap_free_passing_numbers() {
    let sim = simulate(&RaceSpec::club_race(3));
    let frames = p3_stream(
        &sim.readings,
        &[Line::StartFinish, Line::PitIn, Line::PitOut],
        1,
    );
    let bytes: Vec<u8> = frames.iter().flat_map(|f| f.wire.clone()).collect();
    let decoded: Vec<_> = decode_all(&bytes)
        .into_iter()
        .map(|r| r.expect("valid frame").frame.record)
        .collect();
    let passings: Vec<_> = decoded
        .iter()
        .filter_map(|r| {
            if let Record::Passing(p) = r {
                Some(p)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(passings.len(), sim.readings.len());
    assert!(decoded.iter().any(|r| matches!(r, Record::Status(_))));
    let sf: Vec<u32> = passings
        .iter()
        .filter(|p| p.decoder_id == Some(Line::StartFinish.decoder_id()))
        .filter_map(|p| p.passing_number)
        .collect();
    assert_eq!(sf, (1..=sf.len() as u32).collect::<Vec<_>>());
}

#[test]
fn faults_show_up_in_readings() {
    let mut spec = RaceSpec::club_race(5);
    spec.faults = Faults {
        duplicate_reads: 0.2,
        missed_reads: 0.05,
        weak_reads: 0.2,
    };
    let sim = simulate(&spec);
    let dupes = sim
        .readings
        .iter()
        .filter(|r| r.kind == ReadingKind::Duplicate)
        .count();
    assert!(dupes > 0 && !sim.missed.is_empty());
    assert_eq!(
        sim.readings.len() - dupes + sim.missed.len(),
        sim.crossings.len()
    );
}

#[test]
fn practice_ranks_by_best_lap() {
    let mut spec = RaceSpec::club_race(11);
    spec.kind = SimKind::Practice { minutes: 20 };
    let sim = simulate(&spec);
    let bests: Vec<i64> = sim
        .classification
        .iter()
        .filter_map(|r| r.best_lap_us)
        .collect();
    assert!(bests.len() >= 19);
    assert!(bests.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn bmx_motos_have_a_beacon_and_a_finish_order() {
    let sim = simulate_motos(&MotoSpec {
        seed: 2,
        riders: 20,
        rounds: 3,
        start_us: 1_750_000_000_000_000,
        interval_s: 120,
    });
    assert_eq!(sim.motos.len(), 9);
    let beacons = sim
        .readings
        .iter()
        .filter(|r| r.kind == ReadingKind::Beacon)
        .count();
    assert_eq!(beacons, 9);
    for moto in &sim.motos {
        assert!(moto.finish_order.windows(2).all(|w| w[0].1 <= w[1].1));
        assert_eq!(moto.finish_order.len() + moto.dnf.len(), moto.lanes.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn truth_is_consistent_for_any_seed(seed in any::<u64>(), cars in 1usize..40, laps in 1u32..25) {
        let mut spec = RaceSpec::club_race(seed);
        spec.cars = cars;
        spec.kind = SimKind::Race { laps };
        let sim = simulate(&spec);
        prop_assert_eq!(sim.classification.len(), cars);
        prop_assert_eq!(sim.classification[0].laps, laps);
        prop_assert!(sim.crossings.windows(2).all(|w| w[0].at_us <= w[1].at_us));
    }
}
