//! Calendar arithmetic and timestamp parsing without a date library.
//!
//! Capture timestamps are turned into Unix microseconds. A timestamp without a zone is taken
//! as UTC: RedMist and PuTTY write the logging PC's local time without saying which zone it
//! was, and guessing one would make replay depend on the machine replaying.
//!
//! # Layout
//! - [`days_from_civil`]: proleptic Gregorian date to days since 1970-01-01.
//! - `parse_datetime`: `yyyy-MM-dd[T| ]HH:mm:ss[.f…][Z|±HH[:mm]]` at the start of a slice.
//! - `parse_putty`: `yyyy.MM.dd HH:mm:ss` from a PuTTY log header.

/// Days from 1970-01-01 to the given proleptic Gregorian date (negative before 1970).
///
/// ```
/// use checkered_protocol::capture::days_from_civil;
/// assert_eq!(days_from_civil(1970, 1, 1), 0);
/// assert_eq!(days_from_civil(2000, 3, 1), 11_017);
/// ```
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Shift the year to start in March so the leap day is the last day of the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A cursor over ASCII digits and punctuation.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.pos += usize::from(hit);
        hit
    }

    fn expect(&mut self, b: u8, what: &'static str) -> Result<(), &'static str> {
        if self.eat(b) { Ok(()) } else { Err(what) }
    }

    fn digits(&mut self, n: usize, what: &'static str) -> Result<u32, &'static str> {
        let mut v = 0u32;
        for _ in 0..n {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(d - b'0');
                    self.pos += 1;
                }
                _ => return Err(what),
            }
        }
        Ok(v)
    }
}

/// Date and time fields before conversion.
struct Civil {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Civil {
    fn to_unix_us(&self) -> Result<i64, &'static str> {
        let year = i64::from(self.year);
        if !(1..=12).contains(&self.month) {
            return Err("month out of range");
        }
        if self.day == 0 || self.day > days_in_month(year, self.month) {
            return Err("day out of range");
        }
        if self.hour > 23 || self.minute > 59 || self.second > 60 {
            return Err("time of day out of range");
        }
        let days = days_from_civil(year, self.month, self.day);
        let secs = days * 86_400
            + i64::from(self.hour) * 3_600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        Ok(secs * 1_000_000)
    }
}

/// Parses `yyyy-MM-dd[T| ]HH:mm:ss[.fraction][Z|±HH[:]mm|±HH]` at the start of `bytes`.
/// Returns Unix microseconds and the number of bytes used. No zone means UTC.
pub(crate) fn parse_datetime(bytes: &[u8]) -> Result<(i64, usize), &'static str> {
    let mut c = Cursor { bytes, pos: 0 };
    let year = c.digits(4, "expected a four-digit year")?;
    c.expect(b'-', "expected '-' after the year")?;
    let month = c.digits(2, "expected a two-digit month")?;
    c.expect(b'-', "expected '-' after the month")?;
    let day = c.digits(2, "expected a two-digit day")?;
    if !(c.eat(b'T') || c.eat(b' ')) {
        return Err("expected 'T' or a space between date and time");
    }
    let (hour, minute, second) = time_of_day(&mut c)?;
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
    };
    let micros = fraction_us(&mut c)?;
    let offset_s = zone_offset_s(&mut c)?;
    let us = civil.to_unix_us()? + micros - offset_s * 1_000_000;
    Ok((us, c.pos))
}

fn time_of_day(c: &mut Cursor<'_>) -> Result<(u32, u32, u32), &'static str> {
    let hour = c.digits(2, "expected a two-digit hour")?;
    c.expect(b':', "expected ':' after the hour")?;
    let minute = c.digits(2, "expected two-digit minutes")?;
    c.expect(b':', "expected ':' after the minutes")?;
    let second = c.digits(2, "expected two-digit seconds")?;
    Ok((hour, minute, second))
}

/// Optional `.digits` or `,digits`; digits beyond microseconds are truncated.
fn fraction_us(c: &mut Cursor<'_>) -> Result<i64, &'static str> {
    if !(c.eat(b'.') || c.eat(b',')) {
        return Ok(0);
    }
    let (mut us, mut scale, mut count) = (0i64, 100_000i64, 0usize);
    while let Some(d @ b'0'..=b'9') = c.peek() {
        us += i64::from(d - b'0') * scale;
        scale /= 10;
        count += 1;
        c.pos += 1;
    }
    if count == 0 {
        Err("expected digits after the decimal point")
    } else {
        Ok(us)
    }
}

/// Optional zone: `Z`, `±HH`, `±HHmm` or `±HH:mm`, as seconds east of UTC.
fn zone_offset_s(c: &mut Cursor<'_>) -> Result<i64, &'static str> {
    if c.eat(b'Z') {
        return Ok(0);
    }
    let sign = match c.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Ok(0),
    };
    c.pos += 1;
    let hours = c.digits(2, "expected a two-digit zone hour")?;
    let colon = c.eat(b':');
    let minutes = match c.peek() {
        Some(b'0'..=b'9') => c.digits(2, "expected two-digit zone minutes")?,
        _ if colon => return Err("expected zone minutes after ':'"),
        _ => 0,
    };
    if hours > 23 || minutes > 59 {
        return Err("zone offset out of range");
    }
    Ok(sign * (i64::from(hours) * 3_600 + i64::from(minutes) * 60))
}

/// Parses PuTTY's `yyyy.MM.dd HH:mm:ss` (local time of the logging PC, taken as UTC).
pub(crate) fn parse_putty(bytes: &[u8]) -> Result<i64, &'static str> {
    let mut c = Cursor { bytes, pos: 0 };
    let year = c.digits(4, "expected a four-digit year")?;
    c.expect(b'.', "expected '.' after the year")?;
    let month = c.digits(2, "expected a two-digit month")?;
    c.expect(b'.', "expected '.' after the month")?;
    let day = c.digits(2, "expected a two-digit day")?;
    c.expect(b' ', "expected a space between date and time")?;
    let (hour, minute, second) = time_of_day(&mut c)?;
    if c.pos != bytes.len() {
        return Err("unexpected text after the time");
    }
    Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
    }
    .to_unix_us()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_match_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        assert_eq!(days_from_civil(2025, 4, 26), 20_204);
        assert_eq!(days_from_civil(1600, 1, 1), -135_140);
    }

    #[test]
    fn redmist_style_timestamp() {
        assert_eq!(
            parse_datetime(b"2025-04-26 13:58:48.222"),
            Ok((1_745_675_928_222_000, 23))
        );
    }

    #[test]
    fn iso_variants_agree() {
        let utc = 1_714_575_357_123_000;
        for (text, us) in [
            ("2024-05-01T14:55:57.123Z", utc),
            ("2024-05-01T16:55:57.123+02:00", utc),
            ("2024-05-01T16:55:57.123+0200", utc),
            ("2024-05-01T09:55:57.123-05", utc),
            ("2024-05-01 14:55:57.123", utc),
            ("2024-05-01T14:55:57,123456789", utc + 456),
            ("2024-05-01T14:55:57", utc - 123_000),
        ] {
            assert_eq!(
                parse_datetime(text.as_bytes()).map(|r| r.0),
                Ok(us),
                "{text}"
            );
        }
    }

    #[test]
    fn multiloop_heartbeat_date_agrees() {
        // $H time/date 685E9B2F is 2025-06-27 13:22:55 UTC.
        let (us, _) = parse_datetime(b"2025-06-27T13:22:55Z").unwrap_or_default();
        assert_eq!(us, 0x685E_9B2F * 1_000_000);
    }

    #[test]
    fn invalid_dates_are_rejected() {
        for text in [
            "2025-02-29 00:00:00",
            "2025-13-01 00:00:00",
            "2025-04-26 24:00:00",
            "2025-1",
        ] {
            assert!(parse_datetime(text.as_bytes()).is_err(), "{text}");
        }
    }

    #[test]
    fn putty_header_time() {
        assert_eq!(
            parse_putty(b"2022.05.01 14:55:57"),
            Ok(1_651_416_957_000_000)
        );
        assert!(parse_putty(b"2022.05.01 14:55").is_err());
    }
}
