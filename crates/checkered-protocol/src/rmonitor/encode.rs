//! [`Record`] → wire line: Windows-1252, CRLF-terminated, quoted as Orbits writes it.
//!
//! Strings are double-quoted (a quote inside doubles), numbers and the documented bare
//! fields (transponder, Race Monitor ids) are written bare, times are quoted text in the
//! layout they were decoded with. A line decoded from a feed encodes back to the same
//! bytes, whitespace around fields aside (only `$I`'s comma-space style is kept).
//!
//! Text can never break the framing: a line feed inside text becomes a space, and a bare
//! field whose text would not read back the same (a comma, a leading quote, surrounding
//! whitespace) is quoted instead.
//!
//! # Layout
//! - [`encode_line`]: the public entry point, and one writer per record family.
//! - `writer`: field-level writing (separators, quoting, numbers, times).

use super::writer::Writer;
use super::{Record, Separator};

/// Appends `rec` to `out` as one RMonitor line, terminated by CR LF.
///
/// ```
/// use checkered_protocol::rmonitor::{decode_line, encode_line};
/// let line = b"$J,\"21\",\"00:01:58.123\",\"00:56:01.665\"";
/// let mut out = Vec::new();
/// encode_line(&decode_line(line).unwrap(), &mut out);
/// assert_eq!(out, [&line[..], b"\r\n"].concat());
/// ```
pub fn encode_line(rec: &Record, out: &mut Vec<u8>) {
    out.push(b'$');
    write_command(rec.command(), out);
    let spaced = matches!(
        rec,
        Record::Init {
            separator: Separator::CommaSpace,
            ..
        }
    );
    let mut w = Writer { out, spaced };
    write_fields(rec, &mut w);
    w.extra(rec.extra_fields());
    out.extend_from_slice(b"\r\n");
}

/// The typed fields of each record family (extra fields are written after them).
fn write_fields(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::Heartbeat { .. } => write_heartbeat(rec, w),
        Record::Competitor { .. } | Record::CompetitorExt { .. } => write_competitor(rec, w),
        Record::Run { .. }
        | Record::Class { .. }
        | Record::Setting { .. }
        | Record::Init { .. } => write_definition(rec, w),
        Record::RacePosition { .. } | Record::PracticePosition { .. } | Record::LapInfo { .. } => {
            write_position(rec, w)
        }
        Record::Passing { .. } | Record::Correction { .. } => write_event(rec, w),
        Record::LineCrossing { .. } | Record::TrackInfo { .. } => write_imsa(rec, w),
        Record::Unknown { .. } => {}
        _ => write_race_monitor(rec, w),
    }
}

/// Commands are ASCII letters, digits and `_`; anything else becomes `_` so that a
/// hand-built [`Record::Unknown`] cannot inject separators.
fn write_command(command: &str, out: &mut Vec<u8>) {
    let safe = |b: u8| {
        if b.is_ascii_alphanumeric() || b == b'_' {
            b
        } else {
            b'_'
        }
    };
    out.extend(command.bytes().map(safe));
}

/// `$F` heartbeat.
fn write_heartbeat(rec: &Record, w: &mut Writer<'_>) {
    if let Record::Heartbeat {
        laps_to_go,
        time_to_go,
        time_of_day,
        race_time,
        flag,
        ..
    } = rec
    {
        w.opt_num(*laps_to_go);
        for t in [time_to_go, time_of_day, race_time] {
            w.time(t);
        }
        w.quoted(flag.wire_text());
    }
}

/// `$A` / `$COMP` competitors.
fn write_competitor(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::Competitor {
            reg_no,
            number,
            transponder,
            first_name,
            last_name,
            nationality,
            class_no,
            ..
        } => {
            w.quoted(reg_no);
            w.quoted(number);
            w.bare_text(transponder);
            for text in [first_name, last_name, nationality] {
                w.quoted(text);
            }
            w.opt_num(*class_no);
        }
        Record::CompetitorExt {
            reg_no,
            number,
            class_no,
            first_name,
            last_name,
            nationality,
            additional,
            ..
        } => {
            w.quoted(reg_no);
            w.quoted(number);
            w.opt_num(*class_no);
            for text in [first_name, last_name, nationality, additional] {
                w.quoted(text);
            }
        }
        _ => {}
    }
}

/// `$B` run, `$C` class, `$E` setting, `$I` init.
fn write_definition(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::Run {
            run_no: n,
            description: text,
            ..
        }
        | Record::Class {
            class_no: n,
            description: text,
            ..
        } => {
            w.num(u64::from(*n));
            w.quoted(text);
        }
        Record::Setting { key, value, .. } => {
            w.quoted(key);
            w.quoted(value);
        }
        Record::Init {
            time_of_day, date, ..
        } => {
            w.time(time_of_day);
            w.quoted(date);
        }
        _ => {}
    }
}

/// `$G`, `$H` and `$SP`/`$SR` positions.
fn write_position(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::RacePosition {
            position,
            reg_no,
            laps,
            total_time,
            ..
        } => {
            w.num(u64::from(*position));
            w.quoted(reg_no);
            w.opt_signed(*laps);
            w.time(total_time);
        }
        Record::PracticePosition {
            position,
            reg_no,
            best_lap_no: count,
            best_lap_time: time,
            ..
        }
        | Record::LapInfo {
            position,
            reg_no,
            lap_no: count,
            lap_time: time,
            ..
        } => {
            w.num(u64::from(*position));
            w.quoted(reg_no);
            w.opt_num(*count);
            w.time(time);
        }
        _ => {}
    }
}

/// `$J` passing and `$COR` correction: the events that are never repeated.
fn write_event(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::Passing {
            reg_no,
            lap_time,
            total_time,
            ..
        } => {
            w.quoted(reg_no);
            w.time(lap_time);
            w.time(total_time);
        }
        Record::Correction {
            reg_no,
            number,
            laps,
            corrected_total,
            delta,
            ..
        } => {
            w.quoted(reg_no);
            w.quoted(number);
            w.opt_signed(*laps);
            w.time(corrected_total);
            w.time(delta);
        }
        _ => {}
    }
}

/// IMSA `$L` line crossing and `$T` track description.
fn write_imsa(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::LineCrossing {
            car,
            timeline_no,
            timeline_name,
            date,
            time,
            driver_id,
            class_name,
            extra,
        } => {
            for text in [car, timeline_no, timeline_name, date] {
                w.quoted(text);
            }
            w.time(time);
            // Fields 6 and 7 arrived with ERM v1.03: written only when present, or when
            // needed to keep extra fields in their positions.
            let need_class = class_name.is_some() || !extra.is_empty();
            if driver_id.is_some() || need_class {
                w.opt_num(*driver_id);
            }
            if need_class {
                w.quoted(class_name.as_deref().unwrap_or_default());
            }
        }
        Record::TrackInfo {
            name,
            short_name,
            distance,
            sections,
            ..
        } => {
            for text in [name, short_name, distance] {
                w.quoted(text);
            }
            w.num(sections.len() as u64);
            for s in sections {
                for text in [&s.name, &s.start_line, &s.end_line] {
                    w.quoted(text);
                }
                w.num(u64::from(s.distance_inches));
            }
        }
        _ => {}
    }
}

/// The Race Monitor relay's own records.
fn write_race_monitor(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::RaceMonitorSession {
            session_type: text, ..
        }
        | Record::RaceMonitorDetail { text, .. } => w.quoted(text),
        Record::RaceMonitorLapTime {
            reg_no, epoch_ms, ..
        } => {
            w.bare_text(reg_no);
            w.num(*epoch_ms);
        }
        Record::RaceMonitorLapHistory {
            reg_no,
            lap,
            position,
            lap_time,
            flag,
            total_time,
            ..
        } => {
            w.quoted(reg_no);
            w.quoted_num(*lap);
            w.quoted_num(*position);
            w.time(lap_time);
            w.quoted(flag.wire_text());
            w.time(total_time);
        }
        Record::RaceMonitorClock { epoch_ms, .. } => w.num(*epoch_ms),
        Record::RaceMonitorJoin { number, guid, .. } => {
            w.num(u64::from(*number));
            w.bare_text(guid);
        }
        _ => {}
    }
}
