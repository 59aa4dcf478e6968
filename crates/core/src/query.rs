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
    Search::run(roster, query).rows(roster, usize::MAX)
}

/// What the search text matches: NIK digits, or a name key (empty: everything).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Needle {
    Digits(String),
    NameKey(String),
}

impl Needle {
    fn of(text: &str) -> Needle {
        let text = text.trim();
        let digits = nik::normalize(text);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            Needle::Digits(digits)
        } else {
            Needle::NameKey(name_key(text))
        }
    }

    fn matches(&self, entry: &Entry) -> bool {
        match self {
            Needle::Digits(digits) => contains(entry.registration().nik.as_str(), digits),
            Needle::NameKey(key) => contains(entry.name_key(), key),
        }
    }

    /// Whether everything `self` matches is also matched by `wider`.
    fn within(&self, wider: &Needle) -> bool {
        match (wider, self) {
            (Needle::NameKey(all), _) if all.is_empty() => true,
            (Needle::Digits(wide), Needle::Digits(narrow))
            | (Needle::NameKey(wide), Needle::NameKey(narrow)) => narrow.contains(wide.as_str()),
            _ => false,
        }
    }
}

/// One search of one roster: its query and the entries it matched (positions in
/// registration order, with their status), kept so that the next keystroke can
/// [`refine`](Search::refine) it instead of walking the whole roster again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    needle: Needle,
    query: Query,
    /// The [`Roster::generation`] this search ran on.
    generation: u64,
    hits: Vec<(usize, Status)>,
}

impl Search {
    pub fn run(roster: &Roster, query: &Query) -> Search {
        let needle = Needle::of(&query.text);
        let hits = roster
            .entries()
            .enumerate()
            .filter(|(_, (entry, status))| Search::admits(query, &needle, entry, *status))
            .map(|(index, (_, status))| (index, status))
            .collect();
        Search {
            needle,
            query: query.clone(),
            generation: roster.generation(),
            hits,
        }
    }

    /// `query` over `roster`; always what [`Search::run`] gives. When `roster`
    /// is the one this search ran on, unchanged (the same
    /// [`Roster::generation`]), and `query` can only match fewer entries (same
    /// filters, search text that contains this one's: "si" after "s"), only
    /// this search's matches are tried.
    pub fn refine(&self, roster: &Roster, query: &Query) -> Search {
        let needle = Needle::of(&query.text);
        let narrower = roster.generation() == self.generation
            && query.status == self.query.status
            && query.category == self.query.category
            && needle.within(&self.needle);
        if !narrower {
            return Search::run(roster, query);
        }
        let hits = self
            .hits
            .iter()
            .copied()
            .filter(|&(index, status)| {
                roster
                    .entry_at(index)
                    .is_some_and(|entry| Search::admits(query, &needle, entry, status))
            })
            .collect();
        Search {
            needle,
            query: query.clone(),
            generation: self.generation,
            hits,
        }
    }

    /// How many entries matched.
    pub fn len(&self) -> usize {
        self.hits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    /// The first `limit` matches in the query's order, with their status.
    pub fn rows<'a>(&self, roster: &'a Roster, limit: usize) -> Vec<(&'a Entry, Status)> {
        let entries = self
            .hits
            .iter()
            .filter_map(|&(index, status)| Some((roster.entry_at(index)?, status)));
        let mut rows: Vec<(&Entry, Status)> = match self.query.sort {
            Sort::Registered => entries.take(limit).collect(),
            _ => entries.collect(),
        };
        match self.query.sort {
            Sort::Registered => {}
            Sort::Name => crate::order::sort_by_cached_key(&mut rows, |(e, _)| {
                crate::lowercase::to_lowercase(&e.registration().name)
            }),
            Sort::BirthDate => {
                crate::order::sort_by_key(&mut rows, |(e, _)| e.registration().birth_date)
            }
        }
        rows.truncate(limit);
        rows
    }

    fn admits(query: &Query, needle: &Needle, entry: &Entry, status: Status) -> bool {
        query.status.admits(status)
            && (query.category.is_empty() || entry.registration().category == query.category)
            && needle.matches(entry)
    }
}

/// `haystack.contains(needle)` for the short strings of a roster (names, NIKs):
/// a byte scan for the first byte, then a compare. `str::contains` builds a
/// two-way searcher on every call, which costs more than the search itself when
/// it runs once per entry of a 15,000-worker roster on each keystroke.
fn contains(haystack: &str, needle: &str) -> bool {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    // A plain loop: the release build optimizes for size and would not inline
    // an iterator chain's closures here.
    let mut start = 0;
    while start + needle.len() <= hay.len() {
        if hay[start] == first && hay[start + 1..start + needle.len()] == *rest {
            return true;
        }
        start += 1;
    }
    false
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

    /// Typing, deleting and changing filters: a refined search always equals a
    /// fresh one (the roster screen refines on each keystroke).
    #[test]
    fn refine_equals_run() {
        let roster = roster();
        let texts = [
            "", "s", "si", "sit", "siti", "", "d", "dj", "djo", "djok", "djoko", "6", "61",
            "6107 ", "6107 01", "61070145", "4", "45", "450", "4502", "45029", "a", "a ", "a s",
            "  ",
        ];
        let filters = [
            (StatusFilter::All, ""),
            (StatusFilter::Funded, ""),
            (StatusFilter::All, "petani"),
        ];
        for sort in [Sort::Registered, Sort::Name, Sort::BirthDate] {
            for (status, category) in filters {
                let mut search: Option<Search> = None;
                for text in texts {
                    let query = Query {
                        text: text.into(),
                        status,
                        category: category.into(),
                        sort,
                    };
                    let fresh = Search::run(&roster, &query);
                    let refined = match &search {
                        Some(previous) => previous.refine(&roster, &query),
                        None => fresh.clone(),
                    };
                    assert_eq!(refined, fresh, "{query:?}");
                    for limit in [0, 1, 2, 10] {
                        let names = |s: &Search| {
                            s.rows(&roster, limit)
                                .iter()
                                .map(|(e, status)| (e.registration().name.clone(), *status))
                                .collect::<Vec<_>>()
                        };
                        let mut all = names(&fresh);
                        all.truncate(limit);
                        assert_eq!(names(&refined), all);
                    }
                    search = Some(refined);
                }
            }
        }
    }

    /// A search refined after the roster changed, even with no change in its
    /// length (a worker renamed, the funded slots changed), still equals a
    /// fresh one: the roster's generation, not its length, says it changed.
    #[test]
    fn refine_after_the_roster_changed_equals_run() {
        let mut roster = roster();
        let query = |t: &str| text(t);
        let before = Search::run(&roster, &query("b"));
        assert_eq!(before.len(), 1, "Budi Santoso");
        let dewi = roster
            .entries()
            .find(|(e, _)| e.registration().name == "Dewi Lestari")
            .map(|(e, _)| e.id().clone())
            .unwrap();
        let mut renamed = roster.get(&dewi).unwrap().registration().clone();
        renamed.name = "Bunga Lestari".into();
        let len = roster.len();
        roster
            .replace(&dewi, renamed, DuplicateCheck::Confirmed)
            .unwrap();
        assert_eq!(roster.len(), len);
        // "bu" narrows "b", but the renamed worker was no match of "b".
        let refined = before.refine(&roster, &query("bu"));
        assert_eq!(refined, Search::run(&roster, &query("bu")));
        assert_eq!(refined.len(), 2, "Budi Santoso and Bunga Lestari");

        // Fewer funded slots: statuses change, the length does not.
        let funded = |q| Query {
            status: StatusFilter::Funded,
            ..q
        };
        let before = Search::run(&roster, &funded(query("")));
        roster.set_funded_slots(1);
        let refined = before.refine(&roster, &funded(query("s")));
        assert_eq!(refined, Search::run(&roster, &funded(query("s"))));
    }

    #[test]
    fn narrower_needles() {
        let within = |narrow: &str, wide: &str| Needle::of(narrow).within(&Needle::of(wide));
        assert!(within("si", "s"));
        assert!(within("siti", ""));
        assert!(within("4502", ""));
        assert!(within("4502", "450"));
        assert!(within("6107 01", "6107"));
        assert!(!within("s", "si"));
        assert!(!within("450", "4502"));
        // "dj" is folded to "j": not within "d".
        assert!(!within("dj", "d"));
        assert!(!within("4502", "a"));
        assert!(!within("a", "4"));
    }

    #[test]
    fn contains_is_str_contains() {
        let hays = ["", "a", "siti aminah", "6107014502870001", "ñoño", "aaab"];
        let needles = [
            "", "a", "ab", "aab", "siti", "aminah", "h", "x", "4502", "0001", "ño", "ñoño!",
        ];
        for hay in hays {
            for needle in needles {
                assert_eq!(
                    contains(hay, needle),
                    hay.contains(needle),
                    "{hay:?} {needle:?}"
                );
            }
        }
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
