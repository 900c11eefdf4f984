//! Ranking rules and incremental position maintenance.
//!
//! Positions are kept in `Session::order` and in each car; a change to one car moves it by
//! adjacent swaps (usually zero or one), so a passing costs O(1) in a running race instead
//! of a full sort.
//!
//! # Layout
//! - [`compare`]: the ordering of two cars for a session kind.
//! - [`PositionChange`]: a car whose position changed, collected for derived events.
//! - `Session::{add_car, reposition, resort}`: maintenance.

use super::Session;
use super::car::CarState;
use crate::config::SessionKind;
use crate::event::CarStatus;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A car whose position changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionChange {
    /// Its slot.
    pub slot: u32,
    /// Position before (0 = new on the board).
    pub from: u32,
}

fn group(car: &CarState) -> u8 {
    u8::from(car.status == CarStatus::Dq)
}

/// Orders two cars: `Less` means `a` ranks ahead of `b`.
pub fn compare(kind: SessionKind, a: &CarState, b: &CarState) -> Ordering {
    let by_kind = match kind {
        SessionKind::Race => b.effective_laps().cmp(&a.effective_laps()).then_with(|| {
            missing_last(a.effective_total()).cmp(&missing_last(b.effective_total()))
        }),
        SessionKind::Practice | SessionKind::Qualifying => {
            let best = |c: &CarState| missing_last(c.best_lap.map(|l| l.time_us));
            best(a).cmp(&best(b)).then_with(|| {
                if a.best_lap.is_some() {
                    a.best_set_us.cmp(&b.best_set_us)
                } else {
                    Ordering::Equal
                }
            })
        }
        SessionKind::Moto => missing_last(a.finished_us)
            .cmp(&missing_last(b.finished_us))
            .then_with(|| a.gate.unwrap_or(u8::MAX).cmp(&b.gate.unwrap_or(u8::MAX))),
    };
    group(a)
        .cmp(&group(b))
        .then(by_kind)
        .then_with(|| a.grid_key.cmp(&b.grid_key))
}

fn missing_last(v: Option<i64>) -> i64 {
    v.unwrap_or(i64::MAX)
}

impl Session {
    fn ahead(&self, a: u32, b: u32) -> bool {
        match (self.car(a), self.car(b)) {
            (Some(x), Some(y)) => compare(self.kind, x, y) == Ordering::Less,
            _ => false,
        }
    }

    /// Adds a car at the back and moves it to its place; returns its slot.
    pub fn add_car(&mut self, mut car: CarState, changes: &mut Vec<PositionChange>) -> u32 {
        let slot = u32::try_from(self.cars.len()).unwrap_or(u32::MAX);
        let position = u32::try_from(self.order.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let in_class = self
            .cars
            .iter()
            .filter(|c| c.class_id == car.class_id)
            .count();
        car.position = position;
        car.class_position = u32::try_from(in_class)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        car.start_position = position;
        self.slots.insert(car.entry, slot);
        self.cars.push(car);
        self.order.push(slot);
        changes.push(PositionChange { slot, from: 0 });
        self.reposition(slot, changes);
        if let Some(car) = self.car_mut(slot) {
            car.start_position = car.position;
        }
        slot
    }

    /// Moves one car whose ranking key changed to its place by adjacent swaps, recording
    /// every car whose position changed.
    pub fn reposition(&mut self, slot: u32, changes: &mut Vec<PositionChange>) {
        let Some(mut index) = self
            .car(slot)
            .and_then(|c| (c.position as usize).checked_sub(1))
        else {
            return;
        };
        while index > 0 {
            match self.order.get(index - 1).copied() {
                Some(prev) if self.ahead(slot, prev) => {
                    self.swap(index - 1, changes);
                    index -= 1;
                }
                _ => break,
            }
        }
        while let Some(next) = self.order.get(index + 1).copied() {
            if !self.ahead(next, slot) {
                break;
            }
            self.swap(index, changes);
            index += 1;
        }
    }

    /// Swaps the cars at order indexes `i` and `i + 1`.
    fn swap(&mut self, i: usize, changes: &mut Vec<PositionChange>) {
        let (Some(&a), Some(&b)) = (self.order.get(i), self.order.get(i + 1)) else {
            return;
        };
        for s in [a, b] {
            if !changes.iter().any(|c| c.slot == s) {
                let from = self.car(s).map_or(0, |c| c.position);
                changes.push(PositionChange { slot: s, from });
            }
        }
        self.order.swap(i, i + 1);
        let same_class = self.car(a).map(|c| c.class_id) == self.car(b).map(|c| c.class_id);
        let (pa, ca) = self
            .car(a)
            .map_or((0, 0), |c| (c.position, c.class_position));
        let (pb, cb) = self
            .car(b)
            .map_or((0, 0), |c| (c.position, c.class_position));
        if let Some(car) = self.car_mut(a) {
            car.position = pb;
            if same_class {
                car.class_position = cb;
            }
        }
        if let Some(car) = self.car_mut(b) {
            car.position = pa;
            if same_class {
                car.class_position = ca;
            }
        }
    }

    /// Re-sorts every car (kind change, class change, restore of a reset) and renumbers.
    pub fn resort(&mut self, changes: &mut Vec<PositionChange>) {
        let kind = self.kind;
        let cars = &self.cars;
        let mut order = self.order.clone();
        order.sort_by(
            |&a, &b| match (cars.get(a as usize), cars.get(b as usize)) {
                (Some(x), Some(y)) => compare(kind, x, y),
                _ => a.cmp(&b),
            },
        );
        self.order = order;
        let mut per_class: BTreeMap<Option<u32>, u32> = BTreeMap::new();
        for (i, &slot) in self.order.iter().enumerate() {
            let Some(car) = self.cars.get_mut(slot as usize) else {
                continue;
            };
            let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let class = per_class.entry(car.class_id).or_insert(0);
            *class = class.saturating_add(1);
            if car.position != position {
                changes.push(PositionChange {
                    slot,
                    from: car.position,
                });
            }
            car.position = position;
            car.class_position = *class;
        }
    }
}
