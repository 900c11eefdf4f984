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
//! - [`encode_line`]: the public entry point.
//! - `Writer`: field-level writing (separators, quoting, numbers, times).

use super::time::push_padded;
use super::tokenizer::is_space;
use super::{RawField, Record, RmTime, Separator};
use crate::cp1252;

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
    out.extend_from_slice(b"\r\n");
}

/// Commands are ASCII letters, digits and `_`; anything else becomes `_` so that a
/// hand-built [`Record::Unknown`] cannot inject separators.
fn write_command(command: &str, out: &mut Vec<u8>) {
    out.extend(command.bytes().map(|b| {
        if b.is_ascii_alphanumeric() || b == b'_' {
            b
        } else {
            b'_'
        }
    }));
}

fn write_fields(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::Heartbeat {
            laps_to_go,
            time_to_go,
            time_of_day,
            race_time,
            flag,
            extra,
        } => {
            w.opt_num(*laps_to_go);
            w.time(time_to_go);
            w.time(time_of_day);
            w.time(race_time);
            w.quoted(flag.wire_text());
            w.extra(extra);
        }
        Record::Competitor {
            reg_no,
            number,
            transponder,
            first_name,
            last_name,
            nationality,
            class_no,
            extra,
        } => {
            w.quoted(reg_no);
            w.quoted(number);
            w.bare_text(transponder);
            w.quoted(first_name);
            w.quoted(last_name);
            w.quoted(nationality);
            w.opt_num(*class_no);
            w.extra(extra);
        }
        Record::CompetitorExt {
            reg_no,
            number,
            class_no,
            first_name,
            last_name,
            nationality,
            additional,
            extra,
        } => {
            w.quoted(reg_no);
            w.quoted(number);
            w.opt_num(*class_no);
            for text in [first_name, last_name, nationality, additional] {
                w.quoted(text);
            }
            w.extra(extra);
        }
        Record::Run {
            run_no: n,
            description: text,
            extra,
        }
        | Record::Class {
            class_no: n,
            description: text,
            extra,
        } => {
            w.num(u64::from(*n));
            w.quoted(text);
            w.extra(extra);
        }
        Record::Setting { key, value, extra } => {
            w.quoted(key);
            w.quoted(value);
            w.extra(extra);
        }
        Record::RacePosition {
            position,
            reg_no,
            laps,
            total_time,
            extra,
        } => {
            w.num(u64::from(*position));
            w.quoted(reg_no);
            w.opt_signed(*laps);
            w.time(total_time);
            w.extra(extra);
        }
        Record::PracticePosition {
            position,
            reg_no,
            best_lap_no: count,
            best_lap_time: time,
            extra,
        }
        | Record::LapInfo {
            position,
            reg_no,
            lap_no: count,
            lap_time: time,
            extra,
            ..
        } => {
            w.num(u64::from(*position));
            w.quoted(reg_no);
            w.opt_num(*count);
            w.time(time);
            w.extra(extra);
        }
        Record::Init {
            time_of_day,
            date,
            extra,
            ..
        } => {
            w.time(time_of_day);
            w.quoted(date);
            w.extra(extra);
        }
        Record::Passing {
            reg_no,
            lap_time,
            total_time,
            extra,
        } => {
            w.quoted(reg_no);
            w.time(lap_time);
            w.time(total_time);
            w.extra(extra);
        }
        Record::Correction {
            reg_no,
            number,
            laps,
            corrected_total,
            delta,
            extra,
        } => {
            w.quoted(reg_no);
            w.quoted(number);
            w.opt_signed(*laps);
            w.time(corrected_total);
            w.time(delta);
            w.extra(extra);
        }
        Record::LineCrossing { .. } => write_line_crossing(rec, w),
        Record::TrackInfo { .. } => write_track_info(rec, w),
        _ => write_race_monitor(rec, w),
    }
}

fn write_line_crossing(rec: &Record, w: &mut Writer<'_>) {
    let Record::LineCrossing {
        car,
        timeline_no,
        timeline_name,
        date,
        time,
        driver_id,
        class_name,
        extra,
    } = rec
    else {
        return;
    };
    for text in [car, timeline_no, timeline_name, date] {
        w.quoted(text);
    }
    w.time(time);
    // Fields 6 and 7 arrived with ERM v1.03; write them only when present (or needed to
    // keep the position of extra fields).
    let need_class = class_name.is_some() || !extra.is_empty();
    if driver_id.is_some() || need_class {
        w.opt_num(*driver_id);
    }
    if need_class {
        w.quoted(class_name.as_deref().unwrap_or_default());
    }
    w.extra(extra);
}

fn write_track_info(rec: &Record, w: &mut Writer<'_>) {
    let Record::TrackInfo {
        name,
        short_name,
        distance,
        sections,
        extra,
    } = rec
    else {
        return;
    };
    w.quoted(name);
    w.quoted(short_name);
    w.quoted(distance);
    w.num(sections.len() as u64);
    for s in sections {
        w.quoted(&s.name);
        w.quoted(&s.start_line);
        w.quoted(&s.end_line);
        w.num(u64::from(s.distance_inches));
    }
    w.extra(extra);
}

fn write_race_monitor(rec: &Record, w: &mut Writer<'_>) {
    match rec {
        Record::RaceMonitorSession {
            session_type: text,
            extra,
        }
        | Record::RaceMonitorDetail { text, extra } => {
            w.quoted(text);
            w.extra(extra);
        }
        Record::RaceMonitorLapTime {
            reg_no,
            epoch_ms,
            extra,
        } => {
            w.bare_text(reg_no);
            w.num(*epoch_ms);
            w.extra(extra);
        }
        Record::RaceMonitorLapHistory {
            reg_no,
            lap,
            position,
            lap_time,
            flag,
            total_time,
            extra,
        } => {
            w.quoted(reg_no);
            w.quoted_num(*lap);
            w.quoted_num(*position);
            w.time(lap_time);
            w.quoted(flag.wire_text());
            w.time(total_time);
            w.extra(extra);
        }
        Record::RaceMonitorClock { epoch_ms, extra } => {
            w.num(*epoch_ms);
            w.extra(extra);
        }
        Record::RaceMonitorJoin {
            number,
            guid,
            extra,
        } => {
            w.num(u64::from(*number));
            w.bare_text(guid);
            w.extra(extra);
        }
        Record::Unknown { fields, .. } => w.extra(fields),
        _ => {}
    }
}

/// Writes fields after the command, each preceded by its separator.
struct Writer<'o> {
    out: &'o mut Vec<u8>,
    /// `, ` instead of `,` between fields.
    spaced: bool,
}

impl Writer<'_> {
    fn sep(&mut self) {
        self.out.push(b',');
        if self.spaced {
            self.out.push(b' ');
        }
    }

    fn quoted(&mut self, text: &str) {
        self.sep();
        self.out.push(b'"');
        if text.is_ascii() && !text.bytes().any(|b| b == b'"' || b == b'\n') {
            self.out.extend_from_slice(text.as_bytes());
        } else {
            for c in text.chars() {
                match c {
                    '"' => self.out.extend_from_slice(b"\"\""),
                    '\n' => self.out.push(b' '),
                    c => self.out.push(cp1252::encode_char(c).unwrap_or(b'?')),
                }
            }
        }
        self.out.push(b'"');
    }

    /// A field the protocol writes without quotes; quoted when bare text would not read
    /// back the same.
    fn bare_text(&mut self, text: &str) {
        let first = text.bytes().next();
        let last = text.bytes().next_back();
        let needs_quotes = first == Some(b'"')
            || first.is_some_and(is_space)
            || last.is_some_and(is_space)
            || text.bytes().any(|b| b == b',' || b == b'\n');
        if needs_quotes {
            self.quoted(text);
        } else {
            self.sep();
            cp1252::encode_into(text, self.out);
        }
    }

    fn num(&mut self, n: u64) {
        self.sep();
        push_padded(self.out, n, 1);
    }

    fn opt_num(&mut self, n: Option<u32>) {
        self.sep();
        if let Some(n) = n {
            push_padded(self.out, u64::from(n), 1);
        }
    }

    fn quoted_num(&mut self, n: Option<u32>) {
        self.sep();
        self.out.push(b'"');
        if let Some(n) = n {
            push_padded(self.out, u64::from(n), 1);
        }
        self.out.push(b'"');
    }

    fn time(&mut self, t: &RmTime) {
        self.sep();
        self.out.push(b'"');
        t.write_to(self.out);
        self.out.push(b'"');
    }

    fn opt_signed(&mut self, n: Option<i32>) {
        self.sep();
        if let Some(n) = n {
            if n < 0 {
                self.out.push(b'-');
            }
            push_padded(self.out, u64::from(n.unsigned_abs()), 1);
        }
    }

    fn extra(&mut self, fields: &[RawField]) {
        for f in fields {
            if f.quoted {
                self.quoted(&f.text);
            } else {
                self.bare_text(&f.text);
            }
        }
    }
}
