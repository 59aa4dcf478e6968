//! Properties of `Nik::parse` over generated inputs (proptest, 256 cases each).
//! The table tests in `src/nik.rs` pin named cases; these look for the rest.

use lindung_core::{Date, Nik, NikError, RegionTable, Sex};
use proptest::prelude::*;

/// Reference dates ("today") across the century the NIK's two-digit year serves.
fn today() -> impl Strategy<Value = Date> {
    (2000i32..=2099, 1u8..=12, 1u8..=31)
        .prop_filter_map("a real date", |(y, m, d)| Date::new(y, m, d))
}

fn province() -> impl Strategy<Value = String> {
    let codes: Vec<String> = RegionTable::kemendagri()
        .province_codes()
        .map(str::to_owned)
        .collect();
    prop::sample::select(codes)
}

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

/// The parts a NIK is made of, before formatting.
#[derive(Clone, Debug)]
struct Parts {
    province: String,
    regency: u8,
    district: u8,
    birth: Date,
    sex: Sex,
    serial: u16,
}

impl Parts {
    fn digits(&self) -> String {
        let day = self.birth.day() + if self.sex == Sex::Female { 40 } else { 0 };
        format!(
            "{}{:02}{:02}{:02}{:02}{:02}{:04}",
            self.province,
            self.regency,
            self.district,
            day,
            self.birth.month(),
            self.birth.year().rem_euclid(100),
            self.serial
        )
    }
}

/// Whether `Nik::parse` can give back `birth` against `today`. The NIK holds
/// two year digits, so only the 100 years up to `today` are distinguishable:
/// the 2000s date if it is not after `today`, else the 1900s one.
fn in_century_window(birth: Date, today: Date) -> bool {
    birth <= today
        && (birth.year() >= 2000
            || Date::new(birth.year() + 100, birth.month(), birth.day()).is_none_or(|d| d > today))
}

/// Valid parts with a birth date between 1900-01-01 and `today`.
fn parts_and_today() -> impl Strategy<Value = (Parts, Date)> {
    (
        today(),
        province(),
        0u8..=99,
        0u8..=99,
        (1900i32..=2099, 1u8..=12, 1u8..=31),
        sex(),
        1u16..=9999,
    )
        .prop_filter_map(
            "a real birth date not after today",
            |(today, province, regency, district, (y, m, d), sex, serial)| {
                let birth = Date::new(y, m, d).filter(|&b| b <= today)?;
                let parts = Parts {
                    province,
                    regency,
                    district,
                    birth,
                    sex,
                    serial,
                };
                Some((parts, today))
            },
        )
}

/// Up to three of the separators people type between digit groups.
fn separator() -> impl Strategy<Value = String> {
    "[ .\\-]{0,3}"
}

/// `digits` with `separators[i]` before digit `i` and the last one after.
fn interleave(digits: &str, separators: &[String]) -> String {
    let mut text = String::new();
    for (i, digit) in digits.chars().enumerate() {
        text.push_str(&separators[i % separators.len()]);
        text.push(digit);
    }
    text.push_str(&separators[digits.len() % separators.len()]);
    text
}

fn codes(errors: &[NikError]) -> Vec<&'static str> {
    errors.iter().map(NikError::code).collect()
}

proptest! {
    /// (a) Formatting valid parts and parsing gives the parts back.
    #[test]
    fn valid_parts_round_trip((parts, today) in parts_and_today()) {
        let digits = parts.digits();
        let nik = match Nik::parse(&digits, today) {
            Ok(nik) => nik,
            Err(errors) => {
                return Err(TestCaseError::fail(format!("{digits}: {:?}", codes(&errors))))
            }
        };
        prop_assert_eq!(nik.as_str(), digits.as_str());
        prop_assert_eq!(nik.province(), parts.province.as_str());
        prop_assert_eq!(nik.regency(), format!("{:02}", parts.regency));
        prop_assert_eq!(nik.district(), format!("{:02}", parts.district));
        prop_assert_eq!(nik.sex(), parts.sex);
        if in_century_window(parts.birth, today) {
            prop_assert_eq!(nik.birth_date(), parts.birth);
        } else {
            // Older than 100 years: the NIK cannot tell 1915 from 2015, and
            // the parser picks the date 100 years later, not after today.
            let twin = Date::new(parts.birth.year() + 100, parts.birth.month(), parts.birth.day());
            prop_assert_eq!(Some(nik.birth_date()), twin);
            prop_assert!(nik.birth_date() <= today);
        }
    }

    /// (b) Spaces, dots and dashes anywhere between the digits change nothing,
    /// for valid NIKs ...
    #[test]
    fn separators_are_ignored_in_valid_niks(
        (parts, today) in parts_and_today(),
        separators in prop::collection::vec(separator(), 17),
    ) {
        let digits = parts.digits();
        let typed = interleave(&digits, &separators);
        let plain = Nik::parse(&digits, today);
        prop_assert!(plain.is_ok(), "{}: {:?}", digits, plain);
        prop_assert_eq!(Nik::parse(&typed, today), plain, "{:?}", typed);
    }

    /// ... and for any digit string, valid or not (same errors too).
    #[test]
    fn separators_are_ignored_in_any_digits(
        digits in "[0-9]{0,20}",
        separators in prop::collection::vec(separator(), 1..=21),
        today in today(),
    ) {
        let typed = interleave(&digits, &separators);
        prop_assert_eq!(Nik::parse(&typed, today), Nik::parse(&digits, today), "{:?}", typed);
    }

    /// (c) Any text: no panic, and a rejection always says why. Accepted
    /// texts are 16 digits after separators are removed.
    #[test]
    fn any_text_parses_without_panic(
        text in prop_oneof![
            any::<String>(),
            "[0-9 .\\-]{0,24}",
            "[0-9]{6}[0-9a-zA-Z٣ ]{4}[0-9]{6}",
        ],
        today in (-9999i32..=9999, 1u8..=12, 1u8..=28)
            .prop_map(|(y, m, d)| Date::new(y, m, d).expect("day 1-28 exists every month")),
    ) {
        match Nik::parse(&text, today) {
            Ok(nik) => {
                prop_assert_eq!(nik.as_str().len(), 16);
                prop_assert!(nik.as_str().bytes().all(|b| b.is_ascii_digit()), "{:?}", nik);
            }
            Err(errors) => prop_assert!(!errors.is_empty(), "{:?}", text),
        }
    }

    /// (d) Serial 0000 is never valid, whatever the other twelve digits are.
    #[test]
    fn serial_zero_is_always_rejected(head in "[0-9]{12}", today in today()) {
        let digits = format!("{head}0000");
        let errors = match Nik::parse(&digits, today) {
            Ok(nik) => return Err(TestCaseError::fail(format!("accepted {nik}"))),
            Err(errors) => codes(&errors),
        };
        prop_assert!(errors.contains(&"nik.serial_zero"), "{}: {:?}", digits, errors);
    }
}
