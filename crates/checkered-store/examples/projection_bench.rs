//! How fast the SQLite projections fold a derived-event log: a 40-car race of 200 laps
//! scored by the real engine, projected in batches of 1 000 (what a projector does while
//! catching up after a restart or a rebuild).
//!
//! `cargo run --release -p checkered-store --example projection_bench [laps]`

use checkered_engine::{ControlIntent, DerivedEvent, EntrySpec, Input, TrackConfig, TrackEngine};
use checkered_store::DerivedRow;
use checkered_store::readmodel::{Projections, SqliteReadModels};
use std::time::Instant;

const T0: i64 = 1_700_000_000_000_000;

fn race(cars: u32, laps: i64) -> Vec<DerivedEvent> {
    let mut engine = TrackEngine::new(TrackConfig::new("bench"));
    let mut out = Vec::new();
    let entries = (1..=cars)
        .map(|n| EntrySpec {
            number: n.to_string(),
            name: format!("Driver {n}"),
            class: Some(if n % 2 == 0 { "A" } else { "B" }.into()),
            transponders: vec![(1000 + n).to_string()],
            grid: Some(n),
        })
        .collect();
    engine.apply(
        &Input::control(T0, ControlIntent::SetEntries { entries }),
        &mut out,
    );
    for lap in 0..=laps {
        for n in 1..=cars {
            let pace = 60_000_000 + i64::from(n) * 97_000 + (lap * i64::from(n) * 7_919) % 900_000;
            let at = T0 + 1_000_000 + lap * pace;
            engine.apply(&Input::passing(at, (1000 + n).to_string(), "sf"), &mut out);
        }
    }
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let laps: i64 = std::env::args().nth(1).map_or(Ok(200), |a| a.parse())?;
    let events = race(40, laps);
    let rows: Vec<DerivedRow> = events
        .iter()
        .map(|e| {
            Ok(DerivedRow {
                seq: e.seq,
                ts_us: 0,
                session_id: e.session_id.map(|s| s.to_string()),
                kind: "event".into(),
                body: serde_json::to_string(e)?,
            })
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let dir = tempfile::tempdir()?;
    let models = SqliteReadModels::open(dir.path())?;
    for round in ["first projection", "after a reset"] {
        let started = Instant::now();
        let mut after = 0;
        for chunk in rows.chunks(1_000) {
            after = models
                .apply_derived("bench", after, chunk.to_vec())
                .await?
                .cursor;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{round}: {} derived events in {secs:.2} s = {:.0} events/s",
            rows.len(),
            rows.len() as f64 / secs
        );
        models.reset("bench").await?;
    }
    Ok(())
}
