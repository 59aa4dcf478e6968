//! The system clock counts seconds since 1970-01-01 UTC; the core wants a
//! [`Date`]. Reading the clock is the binary's job; the arithmetic is here.

use lindung_core::Date;

/// The UTC date `days` days after 1970-01-01 (negative: before).
/// `None` only if the year does not fit an `i32`.
pub fn date_from_unix_days(days: i64) -> Option<Date> {
    // Howard Hinnant's `civil_from_days`: eras of 400 years (146,097 days),
    // years counted from 1 March so the leap day is the era's last day.
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Date::new(i32::try_from(year).ok()?, month as u8, day as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(days: i64, expected: &str) {
        let got = date_from_unix_days(days).map(|d| d.to_string());
        assert_eq!(got.as_deref(), Some(expected), "{days}");
    }

    #[test]
    fn unix_days_to_dates() {
        let cases = [
            (0, "1970-01-01"),
            (59, "1970-03-01"),
            (1_095, "1972-12-31"),
            (10_956, "1999-12-31"),
            (11_016, "2000-02-29"),
            (11_017, "2000-03-01"),
            (20_778, "2026-11-21"),
            (47_541, "2100-03-01"),
            (-1, "1969-12-31"),
        ];
        for (days, expected) in cases {
            check(days, expected);
        }
        assert_eq!(date_from_unix_days(i64::MAX), None);
    }
}
