//! NIK (Nomor Induk Kependudukan): the 16-digit population number,
//! `PP KK CC DD MM YY SSSS`.
//!
//! - `PP KK CC`: province, regency/city and district where the NIK was first
//!   issued. It never changes when the person moves, so it is no evidence of
//!   the current village. Only the province is a hard rule (38 Kemendagri
//!   codes); unknown regency or district codes are warnings, because codes
//!   change (Papua's 2022 split left NIKs with codes like 9101).
//! - `DD`: day of birth, plus 40 for women. `MM` month. `YY` year: the century
//!   is chosen against a reference date ("today") so the date is not in the future.
//! - `SSSS`: serial, from 0001.
//!
//! A NIK is a string everywhere: 16-digit numbers exceed 2^53.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::date::Date;
use crate::i18n::Lang;
use crate::region::RegionTable;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }

    pub fn from_code(code: &str) -> Option<Sex> {
        match code {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            _ => None,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Sex::Male => lang.pick("Laki-laki", "Male"),
            Sex::Female => lang.pick("Perempuan", "Female"),
        }
    }
}

/// A valid NIK. Only [`Nik::parse`] makes one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nik {
    digits: String,
    birth_date: Date,
    sex: Sex,
}

/// Why a text is not a valid NIK. Parsing reports every one that applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NikError {
    Empty,
    /// Not 16 digits long (after removing spaces, dots and dashes).
    Length {
        found: usize,
    },
    /// Characters other than digits, spaces, dots and dashes.
    NonDigit,
    /// The first two digits are not one of the 38 Kemendagri province codes.
    ProvinceUnknown {
        code: String,
    },
    /// Day field not in 01-31 (men) or 41-71 (women).
    DayInvalid {
        day: u8,
    },
    /// Month field not in 01-12.
    MonthInvalid {
        month: u8,
    },
    /// Day and month are in range but the date does not exist (31 April, 29 February in a common year).
    DateInvalid {
        day: u8,
        month: u8,
        year: u8,
    },
    /// The date exists, but only after the reference date ("today").
    DateInFuture {
        day: u8,
        month: u8,
        year: u8,
    },
    /// Serial 0000.
    SerialZero,
}

/// Findings that do not make a NIK invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NikWarning {
    /// Regency/city code not in the current table (e.g. renamed or split since issue).
    RegencyUnknown { code: String },
    /// District code not in the current table.
    DistrictUnknown { code: String },
}

impl NikError {
    /// Stable code, used in APIs, JSON output and tests.
    pub fn code(&self) -> &'static str {
        match self {
            NikError::Empty => "nik.empty",
            NikError::Length { .. } => "nik.length",
            NikError::NonDigit => "nik.non_digit",
            NikError::ProvinceUnknown { .. } => "nik.province_unknown",
            NikError::DayInvalid { .. } => "nik.day_invalid",
            NikError::MonthInvalid { .. } => "nik.month_invalid",
            NikError::DateInvalid { .. } => "nik.date_invalid",
            NikError::DateInFuture { .. } => "nik.date_in_future",
            NikError::SerialZero => "nik.serial_zero",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (NikError::Empty, Lang::Id) => "NIK wajib diisi.".into(),
            (NikError::Empty, Lang::En) => "The NIK is required.".into(),
            (NikError::Length { found }, Lang::Id) => {
                format!("NIK harus 16 angka; yang diisi {found} angka.")
            }
            (NikError::Length { found }, Lang::En) => {
                format!("A NIK has 16 digits; this one has {found}.")
            }
            (NikError::NonDigit, Lang::Id) => "NIK hanya boleh berisi angka.".into(),
            (NikError::NonDigit, Lang::En) => "A NIK contains digits only.".into(),
            (NikError::ProvinceUnknown { code }, Lang::Id) => format!(
                "Dua angka pertama NIK ({code}) bukan kode provinsi. Periksa kembali KTP."
            ),
            (NikError::ProvinceUnknown { code }, Lang::En) => format!(
                "The first two digits ({code}) are not a province code. Check the ID card again."
            ),
            (NikError::DayInvalid { day }, Lang::Id) => format!(
                "Angka ke-7 dan ke-8 NIK ({day:02}) bukan tanggal lahir: harus 01-31 (laki-laki) atau 41-71 (perempuan)."
            ),
            (NikError::DayInvalid { day }, Lang::En) => format!(
                "Digits 7-8 ({day:02}) are not a day of birth: 01-31 for men, 41-71 for women."
            ),
            (NikError::MonthInvalid { month }, Lang::Id) => format!(
                "Angka ke-9 dan ke-10 NIK ({month:02}) bukan bulan lahir: harus 01-12."
            ),
            (NikError::MonthInvalid { month }, Lang::En) => {
                format!("Digits 9-10 ({month:02}) are not a month of birth: 01-12.")
            }
            (NikError::DateInvalid { day, month, year }, Lang::Id) => format!(
                "Tanggal lahir di NIK ({day:02}-{month:02}-{year:02}) tidak ada di kalender."
            ),
            (NikError::DateInvalid { day, month, year }, Lang::En) => format!(
                "The NIK's date of birth ({day:02}-{month:02}-{year:02}) does not exist."
            ),
            (NikError::DateInFuture { day, month, year }, Lang::Id) => format!(
                "Tanggal lahir di NIK ({day:02}-{month:02}-{year:02}) belum terjadi."
            ),
            (NikError::DateInFuture { day, month, year }, Lang::En) => format!(
                "The NIK's date of birth ({day:02}-{month:02}-{year:02}) is in the future."
            ),
            (NikError::SerialZero, Lang::Id) => {
                "Empat angka terakhir NIK tidak boleh 0000.".into()
            }
            (NikError::SerialZero, Lang::En) => "The last four digits cannot be 0000.".into(),
        }
    }
}

impl NikWarning {
    pub fn code(&self) -> &'static str {
        match self {
            NikWarning::RegencyUnknown { .. } => "nik.regency_unknown",
            NikWarning::DistrictUnknown { .. } => "nik.district_unknown",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (NikWarning::RegencyUnknown { code }, Lang::Id) => format!(
                "Kode kabupaten/kota {code} tidak ada di daftar wilayah terbaru (mungkin sudah dimekarkan). NIK tetap dapat dipakai."
            ),
            (NikWarning::RegencyUnknown { code }, Lang::En) => format!(
                "Regency code {code} is not in the current region list (it may have been split). The NIK can still be used."
            ),
            (NikWarning::DistrictUnknown { code }, Lang::Id) => format!(
                "Kode kecamatan {code} tidak ada di daftar wilayah terbaru. NIK tetap dapat dipakai."
            ),
            (NikWarning::DistrictUnknown { code }, Lang::En) => format!(
                "District code {code} is not in the current region list. The NIK can still be used."
            ),
        }
    }
}

/// Removes what people type between digit groups: spaces, dots, dashes.
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\t' | '\u{a0}'))
        .collect()
}

impl Nik {
    /// Parses a NIK as typed, choosing the birth year's century against
    /// `today`: the 2000s if that date is not after `today`, else the 1900s.
    pub fn parse(input: &str, today: Date) -> Result<Nik, Vec<NikError>> {
        let digits = normalize(input);
        if digits.is_empty() {
            return Err(vec![NikError::Empty]);
        }
        let mut errors = Vec::new();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            errors.push(NikError::NonDigit);
        }
        let length = digits.chars().count();
        if length != 16 {
            errors.push(NikError::Length { found: length });
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let number = |range: std::ops::Range<usize>| -> u8 {
            digits[range].bytes().fold(0, |n, b| n * 10 + (b - b'0'))
        };
        let province = &digits[0..2];
        if crate::region::province_name(province).is_none() {
            errors.push(NikError::ProvinceUnknown {
                code: province.to_owned(),
            });
        }
        let raw_day = number(6..8);
        let (day, sex) = match raw_day {
            1..=31 => (raw_day, Sex::Male),
            41..=71 => (raw_day - 40, Sex::Female),
            _ => {
                errors.push(NikError::DayInvalid { day: raw_day });
                (0, Sex::Male)
            }
        };
        let month = number(8..10);
        if !(1..=12).contains(&month) {
            errors.push(NikError::MonthInvalid { month });
        }
        let year = number(10..12);
        let birth_date = if day != 0 && (1..=12).contains(&month) {
            let candidates = [2000 + i32::from(year), 1900 + i32::from(year)];
            let dates: Vec<Date> = candidates
                .iter()
                .filter_map(|&y| Date::new(y, month, day))
                .collect();
            if dates.is_empty() {
                errors.push(NikError::DateInvalid { day, month, year });
            }
            // The 1900s candidate is in the past for any real "today"; only a
            // reference date before 2000-02-29 can leave none (29 Feb 00:
            // 1900 was not a leap year, 2000 is still to come).
            let born = dates.iter().copied().find(|&d| d <= today);
            if born.is_none() && !dates.is_empty() {
                errors.push(NikError::DateInFuture { day, month, year });
            }
            born
        } else {
            None
        };
        if &digits[12..16] == "0000" {
            errors.push(NikError::SerialZero);
        }
        match (errors.is_empty(), birth_date) {
            (true, Some(birth_date)) => Ok(Nik {
                digits,
                birth_date,
                sex,
            }),
            _ => Err(errors),
        }
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// Two-digit province code `PP`.
    pub fn province(&self) -> &str {
        &self.digits[0..2]
    }

    /// Two-digit regency/city code `KK` (within the province).
    pub fn regency(&self) -> &str {
        &self.digits[2..4]
    }

    /// Two-digit district code `CC` (within the regency).
    pub fn district(&self) -> &str {
        &self.digits[4..6]
    }

    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// What a screen may show: the area prefix and the last two digits,
    /// e.g. `610701********01`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.digits[0..6], &self.digits[14..16])
    }

    /// Region codes unknown to `table`: warnings only, never errors.
    pub fn region_warnings(&self, table: &RegionTable) -> Vec<NikWarning> {
        let regency = &self.digits[0..4];
        if table.regency_name(regency).is_none() {
            return vec![NikWarning::RegencyUnknown {
                code: regency.to_owned(),
            }];
        }
        let district = &self.digits[0..6];
        if !table.has_district(district) {
            return vec![NikWarning::DistrictUnknown {
                code: district.to_owned(),
            }];
        }
        Vec::new()
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

/// Serialized as the 16-digit string, never as a number.
impl Serialize for Nik {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: &str = "2026-11-21";

    fn today() -> Date {
        Date::parse_iso(TODAY).unwrap()
    }

    /// `check(input, Ok((birth_date, sex)))` or `check(input, Err(codes))`.
    fn check(input: &str, expected: Result<(&str, Sex), &[&str]>) {
        let got = Nik::parse(input, today());
        match (got, expected) {
            (Ok(nik), Ok((birth, sex))) => {
                assert_eq!(nik.birth_date().to_string(), birth, "{input}");
                assert_eq!(nik.sex(), sex, "{input}");
            }
            (Err(errors), Err(codes)) => {
                let got: Vec<&str> = errors.iter().map(NikError::code).collect();
                assert_eq!(got, codes, "{input}");
            }
            (got, expected) => panic!("{input}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn valid_niks() {
        use Sex::*;
        let cases = [
            // A woman born 5 Feb 1987, Kab. Bengkayang, Kalimantan Barat.
            ("6107014502870001", ("1987-02-05", Female)),
            ("6107010502870001", ("1987-02-05", Male)),
            // Separators people type are removed.
            ("6107 0145 0287 0001", ("1987-02-05", Female)),
            ("61.07.01.450287.0001", ("1987-02-05", Female)),
            ("610701-450287-0001", ("1987-02-05", Female)),
            (" 6107014502870001 ", ("1987-02-05", Female)),
            // Women's days 41-71; boundaries.
            ("6107014101900002", ("1990-01-01", Female)),
            ("6107017112990003", ("1999-12-31", Female)),
            ("6107013112990003", ("1999-12-31", Male)),
            ("6107010101000004", ("2000-01-01", Male)),
            // Leap days: 2000 and 2024 are leap years, so is 1996.
            ("6107012902000005", ("2000-02-29", Male)),
            ("6107016902240006", ("2024-02-29", Female)),
            ("6107012902960007", ("1996-02-29", Male)),
            // Century chosen against today (2026-11-21).
            ("6107012111260008", ("2026-11-21", Male)),
            ("6107012211260009", ("1926-11-22", Male)),
            ("6107010101270010", ("1927-01-01", Male)),
            ("6107010101250011", ("2025-01-01", Male)),
            // Papua provinces 91-96 (python-stdnum wrongly rejects 92, 93, 96).
            ("9101010101800001", ("1980-01-01", Male)),
            ("9201014101800001", ("1980-01-01", Female)),
            ("9301010101800001", ("1980-01-01", Male)),
            ("9401010101800001", ("1980-01-01", Male)),
            ("9501010101800001", ("1980-01-01", Male)),
            ("9601010101800001", ("1980-01-01", Male)),
            // Serial 9999 and 0001 are fine.
            ("3201010101809999", ("1980-01-01", Male)),
        ];
        for (input, expected) in cases {
            check(input, Ok(expected));
        }
    }

    #[test]
    fn invalid_niks_report_every_problem() {
        let cases: [(&str, &[&str]); 18] = [
            ("", &["nik.empty"]),
            ("  - . ", &["nik.empty"]),
            ("610701450287000", &["nik.length"]),
            ("61070145028700011", &["nik.length"]),
            ("61070145028700O1", &["nik.non_digit"]),
            ("61070145028700O", &["nik.non_digit", "nik.length"]),
            ("６１０７０１４５０２８７０００１", &["nik.non_digit"]),
            ("6107014502870000", &["nik.serial_zero"]),
            // Unknown provinces: BPS-style or unassigned codes.
            ("2007014502870001", &["nik.province_unknown"]),
            ("9707014502870001", &["nik.province_unknown"]),
            ("0007014502870001", &["nik.province_unknown"]),
            // Days 00, 32-40, 72+.
            ("6107010002870001", &["nik.day_invalid"]),
            ("6107013202870001", &["nik.day_invalid"]),
            ("6107014002870001", &["nik.day_invalid"]),
            ("6107017202870001", &["nik.day_invalid"]),
            ("6107010113870001", &["nik.month_invalid"]),
            // 29 Feb 2001 and 1901 do not exist; 31 April never; 70 = 30+40 Feb.
            ("6107012902010001", &["nik.date_invalid"]),
            (
                "0007007213870000",
                &[
                    "nik.province_unknown",
                    "nik.day_invalid",
                    "nik.month_invalid",
                    "nik.serial_zero",
                ],
            ),
        ];
        for (input, codes) in cases {
            check(input, Err(codes));
        }
        check("6107013104870001", Err(&["nik.date_invalid"]));
        check("6107017002870001", Err(&["nik.date_invalid"]));
        // 29 Feb of year 00: 2000 is a leap year, so it is valid (1900 is not).
        check("6107016902000001", Ok(("2000-02-29", Sex::Female)));
        // ...but not on a reference date before it: no century gives a past
        // date (regression: found by the nik_parse fuzz target).
        let before = Date::parse_iso("2000-01-15").unwrap();
        let codes: Vec<&str> = Nik::parse("6107016902000001", before)
            .unwrap_err()
            .iter()
            .map(NikError::code)
            .collect();
        assert_eq!(codes, ["nik.date_in_future"]);
    }

    #[test]
    fn parts_and_masking() {
        let nik = Nik::parse("6107014502870001", today()).unwrap();
        assert_eq!(nik.as_str(), "6107014502870001");
        assert_eq!(
            (nik.province(), nik.regency(), nik.district()),
            ("61", "07", "01")
        );
        assert_eq!(nik.masked(), "610701********01");
        assert_eq!(serde_json::to_string(&nik).unwrap(), "\"6107014502870001\"");
    }

    #[test]
    fn unknown_regency_or_district_is_a_warning() {
        let table = RegionTable::kemendagri();
        let cases: [(&str, &[&str]); 4] = [
            ("6107014502870001", &[]),
            // Pre-2022 Papua regency code: valid NIK, warning only.
            ("9101010101800001", &["nik.regency_unknown"]),
            ("6199014502870001", &["nik.regency_unknown"]),
            ("6107994502870001", &["nik.district_unknown"]),
        ];
        for (input, codes) in cases {
            let nik = Nik::parse(input, today()).unwrap();
            let got: Vec<&str> = nik
                .region_warnings(table)
                .iter()
                .map(NikWarning::code)
                .collect();
            assert_eq!(got, codes, "{input}");
        }
    }

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        let errors = [
            NikError::Empty,
            NikError::Length { found: 15 },
            NikError::NonDigit,
            NikError::ProvinceUnknown { code: "20".into() },
            NikError::DayInvalid { day: 35 },
            NikError::MonthInvalid { month: 13 },
            NikError::DateInvalid {
                day: 29,
                month: 2,
                year: 1,
            },
            NikError::DateInFuture {
                day: 29,
                month: 2,
                year: 0,
            },
            NikError::SerialZero,
        ];
        for error in &errors {
            let id = error.message(Lang::Id);
            let en = error.message(Lang::En);
            assert!(!id.is_empty() && !en.is_empty() && id != en, "{error:?}");
        }
        assert_eq!(
            NikError::Length { found: 15 }.message(Lang::Id),
            "NIK harus 16 angka; yang diisi 15 angka."
        );
    }
}
