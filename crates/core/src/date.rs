//! Calendar dates (proleptic Gregorian), without time zones or clocks.
//!
//! The core never reads a clock: "today" is always passed in by the caller.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A valid calendar date. Only constructors that check the date can make one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if it exists (no 31 April, 29 February only in leap years).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (the form HTML date inputs and JSON use).
    pub fn parse_iso(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)?;
        let month = digits(5..7)?;
        let day = digits(8..10)?;
        Date::new(year as i32, month as u8, day as u8)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Age in completed years on `on`. A person born on 29 February turns a
    /// year older on 1 March in common years. Zero if `on` is before the birth.
    pub fn age_on(self, on: Date) -> u32 {
        if on < self {
            return 0;
        }
        let mut years = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        years.max(0) as u32
    }

    /// The UTC date `days` days after 1970-01-01 (negative: before), or
    /// `None` if the year does not fit an `i32`. Howard Hinnant's
    /// `civil_from_days`: eras of 400 years (146,097 days), years counted
    /// from 1 March so the leap day is the era's last day.
    pub fn from_unix_days(days: i64) -> Option<Date> {
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

    /// Days from 1970-01-01 to this date (Howard Hinnant's `days_from_civil`).
    pub fn unix_days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The first day of this date's month.
    pub fn first_of_month(self) -> Date {
        Date { day: 1, ..self }
    }

    /// The first day of the month `months` months later (may be negative).
    pub fn add_months(self, months: i32) -> Date {
        let index = self.year * 12 + i32::from(self.month) - 1 + months;
        Date {
            year: index.div_euclid(12),
            month: (index.rem_euclid(12) + 1) as u8,
            day: 1,
        }
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// `YYYY-MM-DD` for years 0 to 9999 (written digit by digit: a bundle of
    /// thousands of workers holds tens of thousands of dates and times, and
    /// the formatting machinery was a visible part of making one on a phone).
    pub(crate) fn iso_bytes(self) -> Option<[u8; 10]> {
        let year = u32::try_from(self.year).ok().filter(|y| *y <= 9999)?;
        let mut out = *b"0000-00-00";
        put_digits(&mut out[0..4], year);
        put_digits(&mut out[5..7], u32::from(self.month));
        put_digits(&mut out[8..10], u32::from(self.day));
        Some(out)
    }
}

/// Writes `n` into `out` as decimal digits, zero-padded to its length.
pub(crate) fn put_digits(out: &mut [u8], mut n: u32) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iso_bytes() {
            Some(bytes) => f.write_str(std::str::from_utf8(&bytes).map_err(|_| fmt::Error)?),
            None => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.iso_bytes() {
            Some(bytes) => serializer
                .serialize_str(std::str::from_utf8(&bytes).map_err(serde::ser::Error::custom)?),
            None => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse_iso(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a date of the form YYYY-MM-DD"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse_iso(text).unwrap()
    }

    #[test]
    fn parse_iso_accepts_only_real_dates() {
        let cases = [
            ("2024-02-29", true),
            ("2023-02-29", false),
            ("1900-02-29", false),
            ("2000-02-29", true),
            ("2026-04-31", false),
            ("2026-12-31", true),
            ("2026-13-01", false),
            ("2026-00-10", false),
            ("2026-01-00", false),
            ("2026-1-01", false),
            ("26-01-01xx", false),
            ("2026/01/01", false),
            ("+026-01-01", false),
            ("", false),
        ];
        for (text, ok) in cases {
            assert_eq!(Date::parse_iso(text).is_some(), ok, "{text}");
            if ok {
                assert_eq!(d(text).to_string(), text);
            }
        }
    }

    #[test]
    fn age_in_completed_years() {
        let cases = [
            ("1987-02-05", "2026-02-04", 38),
            ("1987-02-05", "2026-02-05", 39),
            ("2008-11-21", "2026-11-20", 17),
            ("2008-11-21", "2026-11-21", 18),
            ("2000-02-29", "2026-02-28", 25),
            ("2000-02-29", "2026-03-01", 26),
            ("2030-01-01", "2026-01-01", 0),
        ];
        for (birth, on, age) in cases {
            assert_eq!(d(birth).age_on(d(on)), age, "{birth} on {on}");
        }
    }

    #[test]
    fn month_arithmetic() {
        let cases = [
            ("2026-01-15", 0, "2026-01-01"),
            ("2026-01-15", 1, "2026-02-01"),
            ("2026-12-31", 1, "2027-01-01"),
            ("2026-01-31", -1, "2025-12-01"),
            ("2026-03-01", 24, "2028-03-01"),
        ];
        for (from, months, to) in cases {
            assert_eq!(d(from).add_months(months), d(to), "{from} + {months}");
        }
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
            let got = Date::from_unix_days(days).map(|d| d.to_string());
            assert_eq!(got.as_deref(), Some(expected), "{days}");
            assert_eq!(d(expected).unix_days(), days, "{expected}");
        }
        assert_eq!(Date::from_unix_days(i64::MAX), None);
    }

    #[test]
    fn serde_uses_iso_strings() {
        let date = d("2026-11-21");
        assert_eq!(serde_json::to_string(&date).unwrap(), "\"2026-11-21\"");
        assert_eq!(
            serde_json::from_str::<Date>("\"2026-11-21\"").unwrap(),
            date
        );
        assert!(serde_json::from_str::<Date>("\"2026-02-30\"").is_err());
    }
}
