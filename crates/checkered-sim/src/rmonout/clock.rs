//! The scoring PC's clock as the feed writes it: time of day and dates, in UTC (the
//! simulation has no time zone), from µs since the Unix epoch.
//!
//! # Layout
//! - [`time_of_day_ms`]: milliseconds since midnight.
//! - [`init_date`], [`crossing_date`]: the `$I` (`27 Jan 09`) and IMSA `$L`
//!   (`01/27/2009`) date layouts.

const MS_PER_DAY: i64 = 86_400_000;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Milliseconds since midnight (UTC) at `at_us`.
pub fn time_of_day_ms(at_us: i64) -> i64 {
    at_us.div_euclid(1000).rem_euclid(MS_PER_DAY)
}

/// The date as `$I` writes it: `dd Mon yy`.
pub fn init_date(at_us: i64) -> String {
    let (year, month, day) = civil_date(at_us);
    let name = MONTHS.get(month as usize - 1).copied().unwrap_or("Jan");
    format!("{day:02} {name} {:02}", year.rem_euclid(100))
}

/// The date as IMSA `$L` writes it: `MM/DD/YYYY`.
pub fn crossing_date(at_us: i64) -> String {
    let (year, month, day) = civil_date(at_us);
    format!("{month:02}/{day:02}/{year:04}")
}

/// (year, month 1-12, day 1-31) of the proleptic Gregorian calendar at `at_us`.
fn civil_date(at_us: i64) -> (i64, u32, u32) {
    // Days since 1970-01-01 shifted to 0000-03-01, then counted in 400-year eras of
    // 146 097 days, with years starting in March so the leap day comes last.
    let days = at_us.div_euclid(1000).div_euclid(MS_PER_DAY) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_of_day_in_both_layouts() {
        // 2009-01-27 08:00:05.894 UTC (the Sebring capture's first crossing).
        let at = 1_233_043_205_894_000;
        assert_eq!(time_of_day_ms(at), 8 * 3_600_000 + 5_894);
        assert_eq!(init_date(at), "27 Jan 09");
        assert_eq!(crossing_date(at), "01/27/2009");
        // Leap day and the turn of a century.
        assert_eq!(crossing_date(951_782_400_000_000), "02/29/2000");
        assert_eq!(init_date(946_684_799_999_999), "31 Dec 99");
        assert_eq!(crossing_date(0), "01/01/1970");
        assert_eq!(time_of_day_ms(-1), MS_PER_DAY - 1);
    }
}
