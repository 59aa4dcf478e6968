//! The two languages of the UI and the few locale rules the core needs to
//! explain its verdicts: long dates and Rupiah amounts.

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// UI language. Bahasa Indonesia first, English second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// BCP 47 tag, as used in `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the Indonesian or English text.
    pub fn pick<'a>(self, id: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

/// A text in both UI languages, as rule packs carry them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub id: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.id, &self.en)
    }
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "5 Februari 1987" / "5 February 1987".
pub fn long_date(date: Date, lang: Lang) -> String {
    let months = match lang {
        Lang::Id => &MONTHS_ID,
        Lang::En => &MONTHS_EN,
    };
    format!(
        "{} {} {}",
        date.day(),
        months[usize::from(date.month()) - 1],
        date.year()
    )
}

/// Whole rupiah in id-ID style: "Rp16.800", "-Rp5.000". English uses the
/// same form (Rupiah amounts are written this way on BPJS documents).
pub fn rupiah(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}Rp{grouped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_dates() {
        let cases = [
            ("1987-02-05", Lang::Id, "5 Februari 1987"),
            ("1987-02-05", Lang::En, "5 February 1987"),
            ("2000-12-31", Lang::Id, "31 Desember 2000"),
            ("2024-05-01", Lang::Id, "1 Mei 2024"),
        ];
        for (iso, lang, text) in cases {
            assert_eq!(long_date(Date::parse_iso(iso).unwrap(), lang), text);
        }
    }

    #[test]
    fn rupiah_groups_thousands_with_dots() {
        let cases = [
            (0, "Rp0"),
            (999, "Rp999"),
            (16_800, "Rp16.800"),
            (1_000_000, "Rp1.000.000"),
            (20_160_000, "Rp20.160.000"),
            (-5_000, "-Rp5.000"),
        ];
        for (amount, text) in cases {
            assert_eq!(rupiah(amount), text);
        }
    }

    #[test]
    fn language_tags_round_trip() {
        for lang in [Lang::Id, Lang::En] {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
