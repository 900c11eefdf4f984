//! Fast paths for the most frequent records in the exact form Orbits writes them.
//!
//! Heartbeats (`$F`, every second on every feed) and positions (`$G`/`$H`, re-sent for
//! every car as the order changes) are most of a feed, so they get parsers that read
//! their fixed shape directly instead of going through the general tokenizer:
//! `LAPS,"HH:MM:SS","HH:MM:SS","HH:MM:SS","FLAG  "` and `POS,"REG",LAPS,"TIME"`. Anything
//! else (whitespace, escapes, unusual numbers, extra fields, errors) returns `None` and
//! takes the general path, which gives the same record for every line these accept
//! (checked by property tests in `tests.rs`).
//!
//! # Layout
//! - [`heartbeat`]: `$F`. [`position`]: `$G` and `$H`.

use super::tokenizer::find_byte;
use super::{Flag, Record, RmTime};

/// Parses the fields of a canonical `$F` line (the text after `$F,`), or `None`.
pub(crate) fn heartbeat(fields: &[u8]) -> Option<Record> {
    let (laps, mut rest) = bare(fields)?;
    let laps_to_go = if laps.is_empty() {
        None
    } else {
        Some(number(laps)?)
    };
    let mut times = [RmTime::from_ms(0); 3];
    for time in &mut times {
        let (raw, after) = quoted(rest)?;
        *time = RmTime::parse(raw)?;
        rest = after.strip_prefix(b",")?;
    }
    let (flag, after) = quoted(rest)?;
    if !after.is_empty() {
        return None;
    }
    let [time_to_go, time_of_day, race_time] = times;
    Some(Record::Heartbeat {
        laps_to_go,
        time_to_go,
        time_of_day,
        race_time,
        flag: Flag::from_wire_bytes(flag),
        extra: Vec::new(),
    })
}

/// Parses the fields of a canonical `$G` (`race`) or `$H` line, or `None`.
pub(crate) fn position(fields: &[u8], race: bool) -> Option<Record> {
    let (pos, rest) = bare(fields)?;
    let position = number(pos)?;
    let (reg, rest) = quoted(rest)?;
    let (count, rest) = bare(rest.strip_prefix(b",")?)?;
    let (time, after) = quoted(rest)?;
    if !after.is_empty() || !reg.is_ascii() {
        return None;
    }
    let reg_no = std::str::from_utf8(reg).ok()?.to_owned();
    let total_time = RmTime::parse(time)?;
    let (negative, digits) = match count.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, count),
    };
    let count = if count.is_empty() {
        None
    } else {
        Some(number(digits)?)
    };
    Some(if race {
        let laps = match count {
            Some(n) => Some(
                i32::try_from(n)
                    .ok()
                    .map(|n| if negative { -n } else { n })?,
            ),
            None => None,
        };
        Record::RacePosition {
            position,
            reg_no,
            laps,
            total_time,
            extra: Vec::new(),
        }
    } else {
        if negative {
            return None;
        }
        Record::PracticePosition {
            position,
            reg_no,
            best_lap_no: count,
            best_lap_time: total_time,
            extra: Vec::new(),
        }
    })
}

/// `text,…` → (`text`, what follows the comma), for a bare field before a comma.
fn bare(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let comma = text.iter().position(|&b| b == b',')?;
    Some((text.get(..comma)?, text.get(comma + 1..)?))
}

/// `"text"…` → (`text`, what follows the closing quote).
fn quoted(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = text.strip_prefix(b"\"")?;
    let close = find_byte(body, b'"')?;
    Some((body.get(..close)?, body.get(close + 1..)?))
}

/// ASCII digits as a `u32`, `None` on anything else or overflow.
fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &b| {
        let d = b.checked_sub(b'0').filter(|d| *d < 10)?;
        acc.checked_mul(10)?.checked_add(u32::from(d))
    })
}
