//! Fast paths for the most frequent records in the exact form Orbits writes them.
//!
//! Heartbeats (`$F`, every second on every feed), positions (`$G`/`$H`, re-sent for every
//! car as the order changes) and entries (`$A`/`$COMP`, re-sent in every refresh) are
//! most of a feed, so they get parsers that read their fixed shape directly instead of
//! going through the general tokenizer: `LAPS,"HH:MM:SS","HH:MM:SS","HH:MM:SS","FLAG  "`,
//! `POS,"REG",LAPS,"TIME"`, all-ASCII entries with plain quoting. Anything else
//! (whitespace, escapes, unusual numbers, extra fields, errors) returns `None` and takes
//! the general path, which gives the same record for every line these accept (checked by
//! property tests in `tests/fast_paths.rs`).
//!
//! # Layout
//! - [`heartbeat`]: `$F`. [`position`]: `$G` and `$H`. [`competitor`]: `$A` and `$COMP`.
//! - `Plain`: a cursor over the fields of a plain ASCII line.

use super::tokenizer::{find_byte, is_space};
use super::{Flag, Record, RmTime, Text};

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
        (*time, rest) = clock(rest)?;
    }
    let flag = match rest {
        [b'"', flag @ .., b'"'] if !flag.contains(&b'"') => flag,
        _ => return None,
    };
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

/// `"HH:MM:SS",` (any time layout, but that one is checked in place) → (time, rest).
fn clock(text: &[u8]) -> Option<(RmTime, &[u8])> {
    if let Some(([b'"', hms @ .., b'"', b','], rest)) = text.split_first_chunk::<11>() {
        return Some((RmTime::parse_plain(hms)?, rest));
    }
    let (raw, after) = quoted(text)?;
    Some((RmTime::parse(raw)?, after.strip_prefix(b",")?))
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
    let reg_no = Text::new(std::str::from_utf8(reg).ok()?);
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

/// Parses the fields of a plain, all-ASCII `$A` (`ext == false`) or `$COMP` line.
pub(crate) fn competitor(fields: &[u8], ext: bool) -> Option<Record> {
    let mut p = Plain::new(fields)?;
    let (reg_no, number) = (p.quoted()?.into(), p.quoted()?.into());
    if ext {
        let class_no = optional_number(p.bare()?)?;
        let (first_name, last_name) = (p.quoted()?.into(), p.quoted()?.into());
        let (nationality, additional) = (p.quoted()?.into(), p.quoted()?.into());
        let extra = Vec::new();
        return p.done().then_some(Record::CompetitorExt {
            reg_no,
            number,
            class_no,
            first_name,
            last_name,
            nationality,
            additional,
            extra,
        });
    }
    let transponder = p.bare()?.into();
    let (first_name, last_name) = (p.quoted()?.into(), p.quoted()?.into());
    let nationality = p.quoted()?.into();
    let class_no = optional_number(p.bare()?)?;
    let extra = Vec::new();
    p.done().then_some(Record::Competitor {
        reg_no,
        number,
        transponder,
        first_name,
        last_name,
        nationality,
        class_no,
        extra,
    })
}

/// A cursor over the fields of an all-ASCII line, validated as text once, so each string
/// field is a slice of it rather than a conversion of its own.
struct Plain<'a> {
    text: &'a str,
    /// Start of the next field; `None` once the last field has been read.
    pos: Option<usize>,
}

impl<'a> Plain<'a> {
    fn new(fields: &'a [u8]) -> Option<Self> {
        if !fields.is_ascii() {
            return None;
        }
        let text = std::str::from_utf8(fields).ok()?;
        Some(Plain { text, pos: Some(0) })
    }

    /// A quoted field with no quote inside, followed by a comma or the end.
    fn quoted(&mut self) -> Option<&'a str> {
        let pos = self.pos?;
        let bytes = self.text.as_bytes();
        if bytes.get(pos) != Some(&b'"') {
            return None;
        }
        let close = pos + 1 + find_byte(bytes.get(pos + 1..)?, b'"')?;
        let field = self.text.get(pos + 1..close)?;
        self.advance(close + 1)?;
        Some(field)
    }

    /// A bare field, not starting with a quote and without whitespace around it.
    fn bare(&mut self) -> Option<&'a str> {
        let pos = self.pos?;
        let rest = self.text.as_bytes().get(pos..)?;
        let end = pos + find_byte(rest, b',').unwrap_or(rest.len());
        let field = self.text.get(pos..end)?;
        let (first, last) = (field.bytes().next(), field.bytes().next_back());
        if first.is_some_and(|b| b == b'"' || is_space(b)) || last.is_some_and(is_space) {
            return None;
        }
        self.advance(end)?;
        Some(field)
    }

    /// Moves past a field that ended at `after`: a comma must follow, or the line ends.
    fn advance(&mut self, after: usize) -> Option<()> {
        self.pos = match self.text.as_bytes().get(after) {
            None => None,
            Some(b',') => Some(after + 1),
            Some(_) => return None,
        };
        Some(())
    }

    /// Whether every field has been read.
    fn done(&self) -> bool {
        self.pos.is_none()
    }
}

/// An optional bare number: empty is `None`; anything but digits fails.
fn optional_number(text: &str) -> Option<Option<u32>> {
    if text.is_empty() {
        return Some(None);
    }
    number(text.as_bytes()).map(Some)
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
