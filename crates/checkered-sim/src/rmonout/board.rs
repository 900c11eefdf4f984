//! The scoreboard a results system keeps while it scores a session, and the two orders it
//! publishes: race order (`$G`: laps completed, most first, then total time at the line)
//! and best-lap order (`$H`: best lap, ties to whoever set it first).
//!
//! Times are whole milliseconds from the green flag, as the feed writes them; a car that
//! has no time yet ranks behind every car that has one, and cars that tie on everything
//! keep their entry-list order.
//!
//! # Layout
//! - [`Best`]: a car's best lap.
//! - [`CarScore`]: what the board knows of one car.
//! - [`Board`]: every car, crossings applied in time order, and its two orders.

use std::cmp::Reverse;

/// A car's best lap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Best {
    /// Lap number (1 = the first lap after the start crossing).
    pub lap: u32,
    /// Lap time, ms.
    pub ms: i64,
    /// When it was set, µs since the Unix epoch (the tie-break: first set ranks first).
    pub set_at_us: i64,
}

/// What the board knows of one car.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CarScore {
    /// Completed laps (the first crossing starts timing and is not a lap).
    pub laps: u32,
    /// Total time at the last crossing, ms from the green flag; `None` before the first.
    pub total_ms: Option<i64>,
    /// Best lap so far.
    pub best: Option<Best>,
}

/// What one crossing gave a car.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    /// The lap time, ms (`None` on the first crossing).
    pub lap_ms: Option<i64>,
    /// The total time, ms from the green flag.
    pub total_ms: i64,
}

/// The scoreboard of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    cars: Vec<CarScore>,
}

impl Board {
    /// A board for `cars` cars, none of which has crossed the line.
    pub fn new(cars: usize) -> Self {
        Board {
            cars: vec![CarScore::default(); cars],
        }
    }

    /// The cars, in entry order.
    pub fn cars(&self) -> &[CarScore] {
        &self.cars
    }

    /// Scores a start/finish crossing of `car` at `total_ms` from the green flag.
    pub fn cross(&mut self, car: usize, total_ms: i64, at_us: i64) -> Option<Scored> {
        let score = self.cars.get_mut(car)?;
        let lap_ms = score.total_ms.map(|previous| total_ms - previous);
        if let Some(ms) = lap_ms {
            score.laps += 1;
            if score.best.is_none_or(|b| ms < b.ms) {
                score.best = Some(Best {
                    lap: score.laps,
                    ms,
                    set_at_us: at_us,
                });
            }
        }
        score.total_ms = Some(total_ms);
        Some(Scored { lap_ms, total_ms })
    }

    /// Laps completed by the car leading the race order.
    pub fn leader_laps(&self) -> u32 {
        self.cars.iter().map(|c| c.laps).max().unwrap_or(0)
    }

    /// Car indices in race order: laps desc, then total time, then entry order.
    pub fn race_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.cars.len()).collect();
        order.sort_by_key(|&i| {
            let c = &self.cars[i];
            (Reverse(c.laps), c.total_ms.unwrap_or(i64::MAX), i)
        });
        order
    }

    /// Car indices in best-lap order: best lap, then who set it first, then entry order.
    pub fn best_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.cars.len()).collect();
        order.sort_by_key(|&i| {
            let best = self.cars[i].best;
            (
                best.map_or(i64::MAX, |b| b.ms),
                best.map_or(i64::MAX, |b| b.set_at_us),
                i,
            )
        });
        order
    }
}

/// 1-based positions per car from an order of car indices.
pub fn positions(order: &[usize]) -> Vec<u32> {
    let mut out = vec![0; order.len()];
    for (rank, &car) in order.iter().enumerate() {
        if let Some(slot) = out.get_mut(car) {
            *slot = u32::try_from(rank + 1).unwrap_or(u32::MAX);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn race_order_is_laps_then_time_and_uncrossed_cars_last() {
        let mut board = Board::new(3);
        board.cross(2, 400, 0);
        board.cross(1, 800, 0);
        assert_eq!(board.race_order(), [2, 1, 0]);
        let lap = board.cross(1, 90_800, 0).expect("car");
        assert_eq!(lap.lap_ms, Some(90_000));
        assert_eq!(board.race_order(), [1, 2, 0]);
        assert_eq!(positions(&board.race_order()), [3, 1, 2]);
        assert_eq!(board.leader_laps(), 1);
    }

    #[test]
    fn best_order_ties_go_to_who_set_it_first() {
        let mut board = Board::new(3);
        for car in 0..3 {
            board.cross(car, 1_000, 0);
        }
        board.cross(1, 61_000, 10);
        board.cross(0, 61_000, 20);
        assert_eq!(board.best_order(), [1, 0, 2]);
        // A slower lap keeps the best; a faster one replaces it and its lap number.
        board.cross(0, 123_000, 30);
        board.cross(2, 60_000, 40);
        assert_eq!(board.best_order(), [2, 1, 0]);
        assert_eq!(
            board.cars()[0].best,
            Some(Best {
                lap: 1,
                ms: 60_000,
                set_at_us: 20
            })
        );
    }
}
