//! RMonitor time fields: `HH:MM:SS` with an optional `.D`, `.DD` or `.DDD` fraction.
//!
//! The same text format carries clock times (`$F` time of day), durations (lap and total
//! times) and signed values. Values are integer milliseconds (`i64`, because real feeds
//! are signed: `$COR` deltas are `-00:00:00.250`, and before the green flag Orbits counts
//! the `$F` race time down as `"00:00:-47"`, each field printed like C's `%02d`). The text
//! layout (widths, decimals, signs) is kept so a decoded field re-encodes to the same
//! bytes: Race Monitor writes `"00:00:00"` where Orbits writes `"00:00:00.000"`, and
//! endurance race times pass 24 h (`"26:00:01.500"`).
//!
//! # Layout
//! - [`RmTime`]: milliseconds plus layout; parse, display, serde as its text.
//! - [`NO_PASSING_MS`]: the `00:59:59.999` "no passing yet" sentinel.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `00:59:59.999`: IMSA's "no passing yet" total time in `$G`/`$H` (a value, not an error).
pub const NO_PASSING_MS: i64 = 59 * 60_000 + 59_999;

/// Most digits accepted in the hour part (enough for every `i64` millisecond value).
const MAX_HOUR_DIGITS: usize = 19;

/// Per-field minus signs (`00:00:-47`), as bits.
const NEG_HOURS: u8 = 1;
const NEG_MINUTES: u8 = 2;
const NEG_SECONDS: u8 = 4;

/// A sign written in front of the whole time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Lead {
    None,
    Plus,
    Minus,
}

/// A time field: signed integer milliseconds plus the layout it was written with.
///
/// Equality compares the layout too (`"00:00:00"` ≠ `"00:00:00.000"`), as exact
/// re-encoding needs; compare [`RmTime::ms`] for values. Every constructor keeps the
/// invariants that make `parse(display(t)) == t`: widths cover their digits, the value is
/// a multiple of the decimal precision, and signs agree with the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RmTime {
    /// The value in milliseconds; its magnitude is at most `i64::MAX`.
    ms: i64,
    /// Digits written for hours, minutes and seconds (zero-padded).
    widths: [u8; 3],
    /// Digits after the decimal point, 0 to 3 (0 means no point at all).
    decimals: u8,
    /// Sign in front of the whole time.
    lead: Lead,
    /// `NEG_*` bits: fields written with their own minus sign.
    neg_fields: u8,
}

impl RmTime {
    /// A time written the way Orbits writes lap and total times: `HH:MM:SS.DDD`, with a
    /// leading `-` when negative.
    pub fn from_ms(ms: i64) -> Self {
        Self::canonical(ms, 3)
    }

    /// A time written without a fraction, as `$F` clock fields are: `HH:MM:SS`.
    pub fn from_secs(secs: i64) -> Self {
        Self::canonical(secs.saturating_mul(1000), 0)
    }

    fn canonical(ms: i64, decimals: u8) -> Self {
        let ms = ms.max(-i64::MAX);
        let hours = ms.unsigned_abs() / 3_600_000;
        RmTime {
            ms,
            widths: [digit_count(hours).max(2), 2, 2],
            decimals,
            lead: if ms < 0 { Lead::Minus } else { Lead::None },
            neg_fields: 0,
        }
    }

    /// The value in milliseconds.
    pub fn ms(&self) -> i64 {
        self.ms
    }

    /// How many decimals the text had (0 for `HH:MM:SS`).
    pub fn decimals(&self) -> u8 {
        self.decimals
    }

    /// Whether the text carried a minus sign (a correction, or a count-down race time).
    pub fn is_negative(&self) -> bool {
        self.lead == Lead::Minus || self.neg_fields != 0
    }

    /// Whether this is IMSA's `00:59:59.999` "no passing" sentinel rather than a real time.
    pub fn is_no_passing(&self) -> bool {
        self.ms == NO_PASSING_MS
    }

    /// Parses `[±]H…H:MM:SS[.D[D[D]]]`, each of hours, minutes and seconds optionally
    /// with its own `-` (then all non-zero fields must have one). Minutes and seconds are
    /// below 60 and one or two digits; hours any width.
    pub fn parse(text: &[u8]) -> Option<Self> {
        match text.split_first_chunk::<8>() {
            Some((hms, [])) => Self::parse_plain(hms),
            _ => Self::parse_common(text),
        }
        .or_else(|| Self::parse_general(text))
    }

    /// Exactly `HH:MM:SS` (the `$F` clock fields).
    #[inline]
    pub(crate) fn parse_plain(hms: &[u8; 8]) -> Option<Self> {
        let (hours, minutes, seconds) = hms_digits(u64::from_le_bytes(*hms))?;
        if minutes >= 60 || seconds >= 60 {
            return None;
        }
        Some(RmTime {
            ms: (hours * 3_600_000 + minutes * 60_000 + seconds * 1000) as i64,
            widths: [2, 2, 2],
            decimals: 0,
            lead: Lead::None,
            neg_fields: 0,
        })
    }

    /// Fast path for the layouts nearly every line uses: `HH:MM:SS[.D[D[D]]]`.
    fn parse_common(text: &[u8]) -> Option<Self> {
        let (hms, frac) = text.split_first_chunk::<8>()?;
        let (hours, minutes, seconds) = hms_digits(u64::from_le_bytes(*hms))?;
        let (millis, decimals) = match frac {
            [] => (0, 0),
            [b'.', d1] => (digit(*d1)? * 100, 1),
            [b'.', d1, d2] => (pair(*d1, *d2)? * 10, 2),
            [b'.', d1, d2, d3] => (pair(*d1, *d2)? * 10 + digit(*d3)?, 3),
            _ => return None,
        };
        if minutes >= 60 || seconds >= 60 {
            return None;
        }
        Some(RmTime {
            ms: (hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + millis) as i64,
            widths: [2, 2, 2],
            decimals,
            lead: Lead::None,
            neg_fields: 0,
        })
    }

    /// Every other layout: signs, other widths.
    #[cold]
    #[inline(never)]
    fn parse_general(text: &[u8]) -> Option<Self> {
        let (lead, rest) = match text.split_first() {
            Some((b'-', rest)) => (Lead::Minus, rest),
            Some((b'+', rest)) => (Lead::Plus, rest),
            _ => (Lead::None, text),
        };
        let mut parts = rest.splitn(3, |&b| b == b':');
        let (h_text, m_text, s_text) = (parts.next()?, parts.next()?, parts.next()?);
        let (s_text, frac) = match s_text.iter().position(|&b| b == b'.') {
            Some(i) => (s_text.get(..i)?, Some(s_text.get(i + 1..)?)),
            None => (s_text, None),
        };
        // A minus in front of the hours was taken as the leading sign above.
        let (false, hours, h_width) = signed_digits(h_text, MAX_HOUR_DIGITS)? else {
            return None;
        };
        let (m_neg, minutes, m_width) = signed_digits(m_text, 2)?;
        let (s_neg, seconds, s_width) = signed_digits(s_text, 2)?;
        let (millis, decimals) = fraction(frac)?;
        if minutes >= 60 || seconds >= 60 {
            return None;
        }
        let (lead, neg_fields) = signs(
            lead,
            bit(m_neg, NEG_MINUTES) | bit(s_neg, NEG_SECONDS),
            [hours, minutes, seconds + millis],
        )?;
        let magnitude = hours
            .checked_mul(3_600_000)?
            .checked_add(minutes * 60_000 + seconds * 1000 + millis)?;
        let magnitude = i64::try_from(magnitude).ok()?;
        let negative = lead == Lead::Minus || neg_fields != 0;
        Some(RmTime {
            ms: if negative { -magnitude } else { magnitude },
            widths: [h_width, m_width, s_width],
            decimals,
            lead,
            neg_fields,
        })
    }

    /// Appends the text form (no quotes) to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self.lead {
            Lead::None => {}
            Lead::Plus => out.push(b'+'),
            Lead::Minus => out.push(b'-'),
        }
        let magnitude = self.ms.unsigned_abs();
        let rem = magnitude % 3_600_000;
        let [h_width, m_width, s_width] = self.widths;
        self.field(out, NEG_HOURS, magnitude / 3_600_000, h_width);
        out.push(b':');
        self.field(out, NEG_MINUTES, rem / 60_000, m_width);
        out.push(b':');
        self.field(out, NEG_SECONDS, rem % 60_000 / 1000, s_width);
        if self.decimals > 0 {
            out.push(b'.');
            let scale = 10u64.pow(3 - u32::from(self.decimals.min(3)));
            push_padded(out, rem % 1000 / scale, self.decimals);
        }
    }

    fn field(&self, out: &mut Vec<u8>, bit: u8, value: u64, width: u8) {
        if self.neg_fields & bit != 0 {
            out.push(b'-');
        }
        push_padded(out, value, width);
    }
}

impl fmt::Display for RmTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::with_capacity(16);
        self.write_to(&mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

impl From<RmTime> for String {
    fn from(t: RmTime) -> String {
        t.to_string()
    }
}

impl TryFrom<String> for RmTime {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        RmTime::parse(s.as_bytes()).ok_or_else(|| format!("bad RMonitor time {s:?}"))
    }
}

/// `HH:MM:SS` read as one little-endian word: (hours, minutes, seconds), with all six
/// digits and both colons validated at once (this runs three times per heartbeat).
#[inline]
fn hms_digits(word: u64) -> Option<(u64, u64, u64)> {
    const COLON_LANES: u64 = 0x0000_FF00_00FF_0000;
    const COLONS: u64 = 0x0000_3A00_003A_0000;
    const ZERO_DIGITS: u64 = 0x0000_3000_0030_0000;
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    const SIXES: u64 = 0x0606_0606_0606_0606;
    if word & COLON_LANES != COLONS {
        return None;
    }
    // Colons become '0'; then every byte must be 0x30..=0x39: high nibble 3, and adding
    // 6 must not leave it (no lane can carry into the next once its nibble is 3).
    let digits = (word & !COLON_LANES) | ZERO_DIGITS;
    if digits & HIGH_NIBBLES != THREES || digits.wrapping_add(SIXES) & HIGH_NIBBLES != THREES {
        return None;
    }
    let values = digits - THREES;
    let lane = |i: u32| (values >> (8 * i)) & 0xFF;
    Some((
        lane(0) * 10 + lane(1),
        lane(3) * 10 + lane(4),
        lane(6) * 10 + lane(7),
    ))
}

/// One ASCII digit's value.
#[inline]
fn digit(b: u8) -> Option<u64> {
    let d = b.wrapping_sub(b'0');
    (d < 10).then_some(u64::from(d))
}

/// Two ASCII digits' value.
#[inline]
fn pair(tens: u8, units: u8) -> Option<u64> {
    Some(digit(tens)? * 10 + digit(units)?)
}

/// The optional `.D`, `.DD` or `.DDD` part: (milliseconds, decimals).
fn fraction(frac: Option<&[u8]>) -> Option<(u64, u8)> {
    match frac {
        None => Some((0, 0)),
        Some(d) if (1..=3).contains(&d.len()) => {
            Some((digits(d)? * 10u64.pow(3 - d.len() as u32), d.len() as u8))
        }
        Some(_) => None,
    }
}

/// Checks the minus signs of a time and says where they belong: a leading `-` followed by
/// per-field signs (`-1:-02:-03`) was the hours field's own; per-field signs must be on
/// every non-zero field (`[hours, minutes, seconds-or-fraction]`) and not mix with `+`.
fn signs(lead: Lead, neg_fields: u8, fields: [u64; 3]) -> Option<(Lead, u8)> {
    if neg_fields == 0 {
        return Some((lead, 0));
    }
    let (lead, neg_fields) = match lead {
        Lead::Minus => (Lead::None, neg_fields | NEG_HOURS),
        Lead::None => (Lead::None, neg_fields),
        Lead::Plus => return None,
    };
    let [hours, minutes, seconds] = fields;
    let nonzero =
        bit(hours > 0, NEG_HOURS) | bit(minutes > 0, NEG_MINUTES) | bit(seconds > 0, NEG_SECONDS);
    (nonzero & !neg_fields == 0).then_some((lead, neg_fields))
}

/// `flag` if `set`, else no bits.
fn bit(set: bool, flag: u8) -> u8 {
    if set { flag } else { 0 }
}

/// Parses `[-]digits` with 1 to `max` digits: (negative, value, digit count).
fn signed_digits(text: &[u8], max: usize) -> Option<(bool, u64, u8)> {
    let (neg, body) = match text.split_first() {
        Some((b'-', body)) => (true, body),
        _ => (false, text),
    };
    if body.len() > max {
        return None;
    }
    Some((neg, digits(body)?, body.len() as u8))
}

/// Parses ASCII digits (non-empty, no overflow).
fn digits(text: &[u8]) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.iter().try_fold(0u64, |acc, &b| {
        let d = b.checked_sub(b'0').filter(|d| *d < 10)?;
        acc.checked_mul(10)?.checked_add(u64::from(d))
    })
}

/// Number of decimal digits of `n` (1 for 0).
fn digit_count(mut n: u64) -> u8 {
    let mut count = 1;
    while n >= 10 {
        n /= 10;
        count += 1;
    }
    count
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
pub(crate) fn push_padded(out: &mut Vec<u8>, n: u64, width: u8) {
    let mut buf = [b'0'; 20];
    let mut pos = buf.len();
    let mut n = n;
    loop {
        pos -= 1;
        if let Some(slot) = buf.get_mut(pos) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || pos == 0 {
            break;
        }
    }
    let used = buf.len() - pos;
    for _ in used..usize::from(width) {
        out.push(b'0');
    }
    out.extend_from_slice(buf.get(pos..).unwrap_or_default());
}

#[cfg(test)]
mod tests;
