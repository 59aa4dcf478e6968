//! Searching, filtering and sorting a roster, for the roster screen.
//!
//! Search matches names (case- and spelling-insensitive, via the same name
//! key as the duplicate check) and NIK digits typed partially ("4502" finds
//! `6107014502870001`).

use crate::nik;
use crate::roster::{name_key, Entry, Roster, Status};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    All,
    Funded,
    Waitlisted,
    Apparatus,
}

impl StatusFilter {
    pub fn code(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Funded => "funded",
            StatusFilter::Waitlisted => "waitlisted",
            StatusFilter::Apparatus => "apparatus",
        }
    }

    pub fn from_code(code: &str) -> Option<StatusFilter> {
        [
            StatusFilter::All,
            StatusFilter::Funded,
            StatusFilter::Waitlisted,
            StatusFilter::Apparatus,
        ]
        .into_iter()
        .find(|f| f.code() == code)
    }

    fn admits(self, status: Status) -> bool {
        matches!(
            (self, status),
            (StatusFilter::All, _)
                | (StatusFilter::Funded, Status::Funded)
                | (StatusFilter::Waitlisted, Status::Waitlisted { .. })
                | (StatusFilter::Apparatus, Status::Apparatus)
        )
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Registration order (the order slots are given in).
    #[default]
    Registered,
    Name,
    BirthDate,
}

impl Sort {
    pub fn code(self) -> &'static str {
        match self {
            Sort::Registered => "registered",
            Sort::Name => "name",
            Sort::BirthDate => "birth_date",
        }
    }

    pub fn from_code(code: &str) -> Option<Sort> {
        [Sort::Registered, Sort::Name, Sort::BirthDate]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub status: StatusFilter,
    /// Category code; empty: every category.
    pub category: String,
    pub sort: Sort,
}

/// The entries matching `query`, in its order, with their status.
pub fn run<'a>(roster: &'a Roster, query: &Query) -> Vec<(&'a Entry, Status)> {
    let text = query.text.trim();
    let digits = nik::normalize(text);
    let digits_only = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
    let key = if digits_only {
        String::new()
    } else {
        name_key(text)
    };
    let mut rows: Vec<(&Entry, Status)> = roster
        .entries()
        .filter(|(entry, status)| {
            let registration = entry.registration();
            query.status.admits(*status)
                && (query.category.is_empty() || registration.category == query.category)
                && if digits_only {
                    registration.nik.as_str().contains(&digits)
                } else {
                    key.is_empty() || entry.name_key().contains(&key)
                }
        })
        .collect();
    match query.sort {
        Sort::Registered => {}
        Sort::Name => rows.sort_by_cached_key(|(e, _)| e.registration().name.to_lowercase()),
        Sort::BirthDate => rows.sort_by_key(|(e, _)| e.registration().birth_date),
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::registration::{check, RegistrationInput};
    use crate::roster::{DuplicateCheck, RecordId, VillageRef};
    use crate::rulepack::RulePack;

    fn roster() -> Roster {
        let people = [
            (
                "6107014502870001",
                "Siti Aminah",
                "1987-02-05",
                "F",
                "BPU",
                "petani",
            ),
            (
                "6107010101800002",
                "Budi Santoso",
                "1980-01-01",
                "M",
                "PU",
                "perangkat_desa",
            ),
            (
                "6107010303900003",
                "Joko Susilo",
                "1990-03-03",
                "M",
                "BPU",
                "nelayan",
            ),
            (
                "6107014404950004",
                "Dewi Lestari",
                "1995-04-04",
                "F",
                "BPU",
                "petani",
            ),
        ];
        let mut roster = Roster::new(VillageRef::new("61.07.01.2001", "Sungai Duri").unwrap(), 2);
        let today = Date::parse_iso("2026-11-21").unwrap();
        for (i, (nik, name, birth, sex, segment, category)) in people.into_iter().enumerate() {
            let input = RegistrationInput {
                nik: nik.into(),
                name: name.into(),
                birth_date: birth.into(),
                sex: sex.into(),
                segment: segment.into(),
                category: category.into(),
                ..RegistrationInput::default()
            };
            let registration = check(&input, &RulePack::default_pack(), today)
                .registration
                .unwrap();
            roster
                .add(
                    RecordId::new(format!("r{i}")).unwrap(),
                    registration,
                    DuplicateCheck::Confirmed,
                )
                .unwrap();
        }
        roster
    }

    fn check_query(query: Query, names: &[&str]) {
        let roster = roster();
        let got: Vec<&str> = run(&roster, &query)
            .iter()
            .map(|(e, _)| e.registration().name.as_str())
            .collect();
        assert_eq!(got, names, "{query:?}");
    }

    fn text(t: &str) -> Query {
        Query {
            text: t.into(),
            ..Query::default()
        }
    }

    #[test]
    fn queries() {
        let all = ["Siti Aminah", "Budi Santoso", "Joko Susilo", "Dewi Lestari"];
        check_query(Query::default(), &all);
        check_query(text("  "), &all);
        check_query(text("siti"), &["Siti Aminah"]);
        check_query(text("SANTOSO"), &["Budi Santoso"]);
        // Old spelling finds today's: "Djoko" ~ "Joko".
        check_query(text("djoko"), &["Joko Susilo"]);
        // Partial NIK digits, with separators as typed.
        check_query(text("4502"), &["Siti Aminah"]);
        check_query(text("6107 01"), &all);
        check_query(text("0004"), &["Dewi Lestari"]);
        check_query(text("99999"), &[]);
        let status = |s| Query {
            status: s,
            ..Query::default()
        };
        check_query(
            status(StatusFilter::Funded),
            &["Siti Aminah", "Joko Susilo"],
        );
        check_query(status(StatusFilter::Waitlisted), &["Dewi Lestari"]);
        check_query(status(StatusFilter::Apparatus), &["Budi Santoso"]);
        check_query(
            Query {
                category: "petani".into(),
                ..Query::default()
            },
            &["Siti Aminah", "Dewi Lestari"],
        );
        check_query(
            Query {
                sort: Sort::Name,
                ..Query::default()
            },
            &["Budi Santoso", "Dewi Lestari", "Joko Susilo", "Siti Aminah"],
        );
        check_query(
            Query {
                sort: Sort::BirthDate,
                ..Query::default()
            },
            &["Budi Santoso", "Siti Aminah", "Joko Susilo", "Dewi Lestari"],
        );
    }

    #[test]
    fn codes_round_trip() {
        for f in [
            StatusFilter::All,
            StatusFilter::Funded,
            StatusFilter::Waitlisted,
            StatusFilter::Apparatus,
        ] {
            assert_eq!(StatusFilter::from_code(f.code()), Some(f));
        }
        for s in [Sort::Registered, Sort::Name, Sort::BirthDate] {
            assert_eq!(Sort::from_code(s.code()), Some(s));
        }
    }
}
