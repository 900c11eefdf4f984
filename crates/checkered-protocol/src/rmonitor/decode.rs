//! Line → [`Record`]: command dispatch and typed field reading.
//!
//! Each record reads its documented fields in order through a [`Reader`], which turns a
//! missing field into "wrong field count" and a malformed one into "bad number" or "bad
//! time" with the field's 1-based index; whatever follows is kept as `extra`.
//!
//! # Layout
//! - [`decode_line`]: the public entry point (fast paths first, then the general path).
//! - one `fn` per record family, reading fields through `reader::Reader`.

use super::fast;
use super::reader::Reader;
use super::{LapKind, Record, RmonitorError, Section, Separator};
use crate::cp1252;

/// Decodes one line (without its LF; trailing CRs are stripped) into a [`Record`].
///
/// Never panics: any byte sequence gives a record or a precise [`RmonitorError`].
///
/// ```
/// use checkered_protocol::rmonitor::{decode_line, Record};
/// let rec = decode_line(b"$G,4,\"7\",,\"00:00:03.863\"\r").unwrap();
/// assert!(matches!(rec, Record::RacePosition { position: 4, laps: None, .. }));
/// ```
#[inline]
pub fn decode_line(line: &[u8]) -> Result<Record, RmonitorError> {
    let (command, fields) = split_command(line)?;
    let fast = match (command, fields) {
        (b"F", Some(fields)) => fast::heartbeat(fields),
        (b"G", Some(fields)) => fast::position(fields, true),
        (b"H", Some(fields)) => fast::position(fields, false),
        (b"A", Some(fields)) => fast::competitor(fields, false),
        (b"COMP", Some(fields)) => fast::competitor(fields, true),
        _ => None,
    };
    match fast {
        Some(record) => Ok(record),
        None => decode_fields(command, fields),
    }
}

/// [`decode_line`] without the fast paths, to check they agree with it.
#[cfg(test)]
pub(super) fn decode_line_general(line: &[u8]) -> Result<Record, RmonitorError> {
    let (command, fields) = split_command(line)?;
    decode_fields(command, fields)
}

/// Strips trailing CRs and splits `$COMMAND,fields` (no comma: no fields at all).
fn split_command(line: &[u8]) -> Result<(&[u8], Option<&[u8]>), RmonitorError> {
    let end = line.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
    let line = line.get(..end).unwrap_or_default();
    let Some((b'$', body)) = line.split_first() else {
        return Err(RmonitorError::NotARecord);
    };
    // Most records have a one-letter command (`$F,`, `$G,`, `$H,`, `$A,`, `$J,` …).
    if let [command @ b'A'..=b'Z', b',', ..] = body {
        return Ok((std::slice::from_ref(command), body.get(2..)));
    }
    // Commands are a few bytes long: a plain loop beats a SIMD search here.
    let (command, fields) = match body.iter().position(|&b| b == b',') {
        Some(i) => (body.get(..i).unwrap_or_default(), body.get(i + 1..)),
        None => (body, None),
    };
    if command.is_empty()
        || !command
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(RmonitorError::BadCommand(cp1252::decode(command)));
    }
    Ok((command, fields))
}

/// The general path: every record, every layout.
fn decode_fields(command: &[u8], fields: Option<&[u8]>) -> Result<Record, RmonitorError> {
    match command {
        b"F" => heartbeat(Reader::new(fields, "F", 5)),
        b"A" => competitor(Reader::new(fields, "A", 7)),
        b"COMP" => competitor_ext(Reader::new(fields, "COMP", 7)),
        b"B" | b"C" | b"E" => definition(command, fields),
        b"G" | b"H" => position(command, fields),
        b"I" => init(Reader::new(fields, "I", 2)),
        b"J" => passing(Reader::new(fields, "J", 3)),
        b"COR" => correction(Reader::new(fields, "COR", 5)),
        b"L" => line_crossing(Reader::new(fields, "L", 5)),
        b"T" => track_info(Reader::new(fields, "T", 4)),
        b"SP" | b"SR" => lap_info(command, fields),
        b"RMS" | b"RMLT" | b"RMHL" | b"RMCA" | b"RMDTL" | b"join" => race_monitor(command, fields),
        _ => unknown(command, fields),
    }
}

fn heartbeat(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    Ok(Record::Heartbeat {
        laps_to_go: r.opt_u32()?,
        time_to_go: r.time()?,
        time_of_day: r.time()?,
        race_time: r.time()?,
        flag: r.flag()?,
        extra: r.extra()?,
    })
}

fn competitor(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    Ok(Record::Competitor {
        reg_no: r.string()?,
        number: r.string()?,
        transponder: r.string()?,
        first_name: r.string()?,
        last_name: r.string()?,
        nationality: r.string()?,
        class_no: r.opt_u32()?,
        extra: r.extra()?,
    })
}

fn competitor_ext(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    Ok(Record::CompetitorExt {
        reg_no: r.string()?,
        number: r.string()?,
        class_no: r.opt_u32()?,
        first_name: r.string()?,
        last_name: r.string()?,
        nationality: r.string()?,
        additional: r.string()?,
        extra: r.extra()?,
    })
}

/// `$B` run, `$C` class, `$E` setting: two fields each.
fn definition(command: &[u8], fields: Option<&[u8]>) -> Result<Record, RmonitorError> {
    Ok(match command {
        b"B" => {
            let mut r = Reader::new(fields, "B", 2);
            let (run_no, description) = (r.u32()?, r.string()?);
            Record::Run {
                run_no,
                description,
                extra: r.extra()?,
            }
        }
        b"C" => {
            let mut r = Reader::new(fields, "C", 2);
            let (class_no, description) = (r.u32()?, r.string()?);
            Record::Class {
                class_no,
                description,
                extra: r.extra()?,
            }
        }
        _ => {
            let mut r = Reader::new(fields, "E", 2);
            let (key, value) = (r.string()?, r.string()?);
            Record::Setting {
                key,
                value,
                extra: r.extra()?,
            }
        }
    })
}

/// `$G` race and `$H` practice positions: position, reg, count, time.
fn position(command: &[u8], fields: Option<&[u8]>) -> Result<Record, RmonitorError> {
    if command == b"G" {
        let mut r = Reader::new(fields, "G", 4);
        let (position, reg_no, laps, total_time) = (r.u32()?, r.string()?, r.opt_i32()?, r.time()?);
        return Ok(Record::RacePosition {
            position,
            reg_no,
            laps,
            total_time,
            extra: r.extra()?,
        });
    }
    let mut r = Reader::new(fields, "H", 4);
    let (position, reg_no, best_lap_no, best_lap_time) =
        (r.u32()?, r.string()?, r.opt_u32()?, r.time()?);
    Ok(Record::PracticePosition {
        position,
        reg_no,
        best_lap_no,
        best_lap_time,
        extra: r.extra()?,
    })
}

fn init(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    let (time_of_day, date, extra) = (r.time()?, r.string()?, r.extra()?);
    let separator = if r.comma_space {
        Separator::CommaSpace
    } else {
        Separator::Comma
    };
    Ok(Record::Init {
        time_of_day,
        date,
        separator,
        extra,
    })
}

fn passing(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    Ok(Record::Passing {
        reg_no: r.string()?,
        lap_time: r.time()?,
        total_time: r.time()?,
        extra: r.extra()?,
    })
}

fn correction(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    Ok(Record::Correction {
        reg_no: r.string()?,
        number: r.string()?,
        laps: r.opt_i32()?,
        corrected_total: r.time()?,
        delta: r.time()?,
        extra: r.extra()?,
    })
}

fn line_crossing(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    let (car, timeline_no, timeline_name) = (r.string()?, r.string()?, r.string()?);
    let (date, time) = (r.string()?, r.time()?);
    let driver_id = match r.next().transpose()? {
        Some(field) => r.number_of(&field)?,
        None => None,
    };
    let class_name = r
        .next()
        .transpose()?
        .map(|f| f.to_text())
        .filter(|s| !s.is_empty());
    let extra = r.extra()?;
    Ok(Record::LineCrossing {
        car,
        timeline_no,
        timeline_name,
        date,
        time,
        driver_id,
        class_name,
        extra,
    })
}

fn track_info(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    let (name, short_name, distance) = (r.string()?, r.string()?, r.string()?);
    let count = r.u32()?;
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    r.expected = count.saturating_mul(4).saturating_add(4);
    let mut sections = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        sections.push(Section {
            name: r.string()?,
            start_line: r.string()?,
            end_line: r.string()?,
            distance_inches: r.u32()?,
        });
    }
    Ok(Record::TrackInfo {
        name,
        short_name,
        distance,
        sections,
        extra: r.extra()?,
    })
}

fn lap_info(command: &[u8], fields: Option<&[u8]>) -> Result<Record, RmonitorError> {
    let (kind, name) = if command == b"SP" {
        (LapKind::Practice, "SP")
    } else {
        (LapKind::Race, "SR")
    };
    let mut r = Reader::new(fields, name, 4);
    Ok(Record::LapInfo {
        kind,
        position: r.u32()?,
        reg_no: r.string()?,
        lap_no: r.opt_u32()?,
        lap_time: r.time()?,
        extra: r.extra()?,
    })
}

/// The Race Monitor relay's own records.
fn race_monitor(command: &[u8], fields: Option<&[u8]>) -> Result<Record, RmonitorError> {
    Ok(match command {
        b"RMS" => {
            let mut r = Reader::new(fields, "RMS", 1);
            Record::RaceMonitorSession {
                session_type: r.string()?,
                extra: r.extra()?,
            }
        }
        b"RMLT" => {
            let mut r = Reader::new(fields, "RMLT", 2);
            let (reg_no, epoch_ms) = (r.string()?, r.u64()?);
            Record::RaceMonitorLapTime {
                reg_no,
                epoch_ms,
                extra: r.extra()?,
            }
        }
        b"RMHL" => lap_history(Reader::new(fields, "RMHL", 6))?,
        b"RMCA" => {
            let mut r = Reader::new(fields, "RMCA", 1);
            Record::RaceMonitorClock {
                epoch_ms: r.u64()?,
                extra: r.extra()?,
            }
        }
        b"RMDTL" => {
            let mut r = Reader::new(fields, "RMDTL", 1);
            Record::RaceMonitorDetail {
                text: r.string()?,
                extra: r.extra()?,
            }
        }
        _ => {
            let mut r = Reader::new(fields, "join", 2);
            let (number, guid) = (r.u32()?, r.string()?);
            Record::RaceMonitorJoin {
                number,
                guid,
                extra: r.extra()?,
            }
        }
    })
}

fn lap_history(mut r: Reader<'_>) -> Result<Record, RmonitorError> {
    Ok(Record::RaceMonitorLapHistory {
        reg_no: r.string()?,
        lap: r.opt_u32()?,
        position: r.opt_u32()?,
        lap_time: r.time()?,
        flag: r.flag()?,
        total_time: r.time()?,
        extra: r.extra()?,
    })
}

fn unknown(command: &[u8], fields: Option<&[u8]>) -> Result<Record, RmonitorError> {
    let fields = Reader::new(fields, "?", 0).extra()?;
    Ok(Record::Unknown {
        command: cp1252::decode(command).into(),
        fields,
    })
}
