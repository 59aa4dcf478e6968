//! The registration check: raw form input + rule pack + today → a typed
//! [`Registration`], or every issue found.
//!
//! Warnings (unknown region codes in the NIK) never block a registration;
//! errors always do. Input is never modified here: the caller keeps what the
//! user typed, and this module only judges it.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::i18n::{long_date, Lang};
use crate::nik::{Nik, NikError, NikWarning, Sex};
use crate::region::RegionTable;
use crate::rulepack::RulePack;

/// Longest name accepted, in characters (KTP names are at most 60-ish).
const NAME_MAX_CHARS: usize = 100;

/// The form as typed. Every field is the raw text of its control.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    pub nik: String,
    pub name: String,
    /// `YYYY-MM-DD`, as an HTML date input gives it.
    pub birth_date: String,
    /// "M" or "F".
    pub sex: String,
    /// Segment code from the rule pack ("BPU", "PU").
    pub segment: String,
    /// Category code within the segment ("petani", ...).
    pub category: String,
    /// Funding source code; empty means the segment's default.
    pub funding_source: String,
    /// Opt in to the optional JHT programme.
    pub with_jht: bool,
}

impl RegistrationInput {
    /// Whether the typed birth date and sex are not yet what `nik` encodes
    /// (so the form offers to take them from it).
    pub fn differs_from_nik(&self, nik: &Nik) -> bool {
        self.birth_date != nik.birth_date().to_string() || self.sex != nik.sex().code()
    }

    /// Takes the birth date and sex that `nik` encodes, once the agent has
    /// checked them against the ID card.
    pub fn take_from_nik(&mut self, nik: &Nik) {
        self.birth_date = nik.birth_date().to_string();
        self.sex = nik.sex().code().to_owned();
    }
}

/// What a valid NIK says of its holder, in a sentence: "NIK ini:
/// perempuan, lahir 5 Februari 1987."
pub fn nik_sentence(nik: &Nik, lang: Lang) -> String {
    let sex = match nik.sex() {
        Sex::Female => lang.pick("perempuan", "female"),
        Sex::Male => lang.pick("laki-laki", "male"),
    };
    let born = long_date(nik.birth_date(), lang);
    match lang {
        Lang::Id => format!("NIK ini: {sex}, lahir {born}."),
        Lang::En => format!("This NIK: {sex}, born {born}."),
    }
}

/// A registration that passed every check of the pack that judged it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Registration {
    pub nik: Nik,
    /// Trimmed, inner whitespace collapsed.
    pub name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub segment: String,
    pub category: String,
    pub funding_source: String,
    pub with_jht: bool,
    /// Whether this registration takes one of the village's funded slots.
    pub uses_funded_slots: bool,
    /// Which rule pack judged it.
    pub pack: PackRef,
}

/// The form filled in with a registration, for editing it.
impl From<&Registration> for RegistrationInput {
    fn from(r: &Registration) -> RegistrationInput {
        RegistrationInput {
            nik: r.nik.as_str().to_owned(),
            name: r.name.clone(),
            birth_date: r.birth_date.to_string(),
            sex: r.sex.code().to_owned(),
            segment: r.segment.clone(),
            category: r.category.clone(),
            funding_source: r.funding_source.clone(),
            with_jht: r.with_jht,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackRef {
    pub id: String,
    pub version: String,
}

/// Which form control an issue belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Nik,
    Name,
    BirthDate,
    Sex,
    Segment,
    Category,
    FundingSource,
    WithJht,
}

impl Field {
    pub fn code(self) -> &'static str {
        match self {
            Field::Nik => "nik",
            Field::Name => "name",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::Segment => "segment",
            Field::Category => "category",
            Field::FundingSource => "funding_source",
            Field::WithJht => "with_jht",
        }
    }

    /// The field a stable code names (a history entry's `fields`).
    pub fn from_code(code: &str) -> Option<Field> {
        [
            Field::Nik,
            Field::Name,
            Field::BirthDate,
            Field::Sex,
            Field::Segment,
            Field::Category,
            Field::FundingSource,
            Field::WithJht,
        ]
        .into_iter()
        .find(|f| f.code() == code)
    }

    /// The changed fields of a history entry as people read them ("Tanggal
    /// lahir, Pekerjaan"); a code this version does not know reads as
    /// "other data", never as the code.
    pub fn labels_of(codes: &[String], lang: Lang) -> String {
        codes
            .iter()
            .map(|code| match Field::from_code(code) {
                Some(field) => field.label(lang),
                None => lang.pick("data lain", "other data"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Field::Nik => "NIK",
            Field::Name => lang.pick("Nama", "Name"),
            Field::BirthDate => lang.pick("Tanggal lahir", "Date of birth"),
            Field::Sex => lang.pick("Jenis kelamin", "Sex"),
            Field::Segment => lang.pick("Kepesertaan", "Membership"),
            Field::Category => lang.pick("Pekerjaan", "Occupation"),
            Field::FundingSource => lang.pick("Sumber dana", "Funding source"),
            Field::WithJht => "JHT",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssueKind {
    Nik(NikError),
    NikRegion(NikWarning),
    Required,
    NameInvalid,
    NameTooLong { max: usize },
    BirthDateInvalid,
    BirthDateInFuture,
    BirthDateMismatch { nik: Date, entered: Date },
    SexMismatch { nik: Sex, entered: Sex },
    SexInvalid,
    AgeOutOfWindow { age: u32, min: u32, max: u32 },
    SegmentUnknown,
    CategoryUnknown,
    FundingSourceUnknown,
    JhtNotOffered,
}

/// One problem with the input: which field, how bad, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub field: Field,
    pub kind: IssueKind,
}

impl Issue {
    fn new(field: Field, kind: IssueKind) -> Issue {
        Issue { field, kind }
    }

    pub fn severity(&self) -> Severity {
        match self.kind {
            IssueKind::NikRegion(_) => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Stable code, e.g. `nik.length` or `reg.age_out_of_window`.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            IssueKind::Nik(e) => e.code(),
            IssueKind::NikRegion(w) => w.code(),
            IssueKind::Required => "reg.required",
            IssueKind::NameInvalid => "reg.name_invalid",
            IssueKind::NameTooLong { .. } => "reg.name_too_long",
            IssueKind::BirthDateInvalid => "reg.birth_date_invalid",
            IssueKind::BirthDateInFuture => "reg.birth_date_in_future",
            IssueKind::BirthDateMismatch { .. } => "reg.birth_date_mismatch",
            IssueKind::SexMismatch { .. } => "reg.sex_mismatch",
            IssueKind::SexInvalid => "reg.sex_invalid",
            IssueKind::AgeOutOfWindow { .. } => "reg.age_out_of_window",
            IssueKind::SegmentUnknown => "reg.segment_unknown",
            IssueKind::CategoryUnknown => "reg.category_unknown",
            IssueKind::FundingSourceUnknown => "reg.funding_source_unknown",
            IssueKind::JhtNotOffered => "reg.jht_not_offered",
        }
    }

    /// The message for the agent, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let field = self.field.label(lang);
        match &self.kind {
            IssueKind::Nik(e) => e.message(lang),
            IssueKind::NikRegion(w) => w.message(lang),
            IssueKind::Required => match lang {
                Lang::Id => format!("{field} wajib diisi."),
                Lang::En => format!("{field} is required."),
            },
            IssueKind::NameInvalid => lang
                .pick(
                    "Nama harus berisi huruf dan tidak boleh berisi angka. Tulis sesuai KTP.",
                    "A name has letters and no digits. Write it as on the ID card.",
                )
                .into(),
            IssueKind::NameTooLong { max } => match lang {
                Lang::Id => format!("Nama terlalu panjang (paling banyak {max} huruf)."),
                Lang::En => format!("The name is too long (at most {max} characters)."),
            },
            IssueKind::BirthDateInvalid => lang
                .pick(
                    "Tanggal lahir tidak valid.",
                    "The date of birth is not a valid date.",
                )
                .into(),
            IssueKind::BirthDateInFuture => lang
                .pick(
                    "Tanggal lahir tidak boleh setelah hari ini.",
                    "The date of birth cannot be after today.",
                )
                .into(),
            IssueKind::BirthDateMismatch { nik, entered } => match lang {
                Lang::Id => format!(
                    "Tanggal lahir ({}) tidak sama dengan tanggal lahir di NIK ({}). Periksa KTP: salah satunya salah ketik.",
                    long_date(*entered, lang),
                    long_date(*nik, lang)
                ),
                Lang::En => format!(
                    "The date of birth ({}) differs from the one in the NIK ({}). Check the ID card: one of them is mistyped.",
                    long_date(*entered, lang),
                    long_date(*nik, lang)
                ),
            },
            IssueKind::SexMismatch { nik, entered } => match lang {
                Lang::Id => format!(
                    "Jenis kelamin ({}) tidak sama dengan NIK ({}). Pada NIK perempuan, tanggal lahir ditambah 40.",
                    entered.label(lang),
                    nik.label(lang)
                ),
                Lang::En => format!(
                    "The sex entered ({}) differs from the NIK ({}). Women's NIKs add 40 to the day of birth.",
                    entered.label(lang),
                    nik.label(lang)
                ),
            },
            IssueKind::SexInvalid => lang
                .pick("Pilih jenis kelamin.", "Choose the sex.")
                .into(),
            IssueKind::AgeOutOfWindow { age, min, max } => match lang {
                Lang::Id => format!(
                    "Umur {age} tahun di luar batas program ({min}-{max} tahun)."
                ),
                Lang::En => format!(
                    "Age {age} is outside the programme's window ({min}-{max} years)."
                ),
            },
            IssueKind::SegmentUnknown => lang
                .pick(
                    "Jenis kepesertaan tidak dikenal oleh aturan yang berlaku.",
                    "This membership type is not in the active rules.",
                )
                .into(),
            IssueKind::CategoryUnknown => lang
                .pick(
                    "Pekerjaan ini tidak termasuk dalam kepesertaan yang dipilih.",
                    "This occupation is not part of the chosen membership.",
                )
                .into(),
            IssueKind::FundingSourceUnknown => lang
                .pick(
                    "Sumber dana tidak dikenal oleh aturan yang berlaku.",
                    "This funding source is not in the active rules.",
                )
                .into(),
            IssueKind::JhtNotOffered => lang
                .pick(
                    "JHT tidak tersedia untuk kepesertaan ini.",
                    "JHT is not offered for this membership.",
                )
                .into(),
        }
    }
}

/// The verdict: the registration if there is no error, and every issue
/// (errors and warnings) either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub registration: Option<Registration>,
    pub issues: Vec<Issue>,
    /// The NIK, when it parsed, even if other fields have errors (the form
    /// shows what it encodes).
    pub nik: Option<Nik>,
}

impl Verdict {
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity() == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity() == Severity::Warning)
    }
}

/// Collapses runs of whitespace and trims.
pub fn normalize_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Judges `input` against `pack` on `today`.
pub fn check(input: &RegistrationInput, pack: &RulePack, today: Date) -> Verdict {
    let mut issues = Vec::new();
    let mut push = |field, kind| issues.push(Issue::new(field, kind));

    let nik = match Nik::parse(&input.nik, today) {
        Ok(nik) => {
            for warning in nik.region_warnings(RegionTable::kemendagri()) {
                push(Field::Nik, IssueKind::NikRegion(warning));
            }
            Some(nik)
        }
        Err(errors) => {
            for error in errors {
                let kind = match error {
                    NikError::Empty => IssueKind::Required,
                    other => IssueKind::Nik(other),
                };
                push(Field::Nik, kind);
            }
            None
        }
    };

    let name = normalize_name(&input.name);
    if name.is_empty() {
        push(Field::Name, IssueKind::Required);
    } else if name.chars().any(|c| c.is_numeric() || c.is_control())
        || !name.chars().any(char::is_alphabetic)
    {
        push(Field::Name, IssueKind::NameInvalid);
    } else if name.chars().count() > NAME_MAX_CHARS {
        push(
            Field::Name,
            IssueKind::NameTooLong {
                max: NAME_MAX_CHARS,
            },
        );
    }

    let birth_date = if input.birth_date.trim().is_empty() {
        push(Field::BirthDate, IssueKind::Required);
        None
    } else {
        match Date::parse_iso(input.birth_date.trim()) {
            None => {
                push(Field::BirthDate, IssueKind::BirthDateInvalid);
                None
            }
            Some(date) if date > today => {
                push(Field::BirthDate, IssueKind::BirthDateInFuture);
                None
            }
            Some(date) => Some(date),
        }
    };
    if let (Some(nik), Some(entered)) = (&nik, birth_date) {
        if nik.birth_date() != entered {
            push(
                Field::BirthDate,
                IssueKind::BirthDateMismatch {
                    nik: nik.birth_date(),
                    entered,
                },
            );
        }
    }
    if let Some(birth_date) = birth_date {
        let age = birth_date.age_on(today);
        let window = pack.age();
        if age < window.min || age > window.max {
            push(
                Field::BirthDate,
                IssueKind::AgeOutOfWindow {
                    age,
                    min: window.min,
                    max: window.max,
                },
            );
        }
    }

    let sex = match input.sex.trim() {
        "" => {
            push(Field::Sex, IssueKind::Required);
            None
        }
        code => match Sex::from_code(code) {
            None => {
                push(Field::Sex, IssueKind::SexInvalid);
                None
            }
            Some(sex) => Some(sex),
        },
    };
    if let (Some(nik), Some(entered)) = (&nik, sex) {
        if nik.sex() != entered {
            push(
                Field::Sex,
                IssueKind::SexMismatch {
                    nik: nik.sex(),
                    entered,
                },
            );
        }
    }

    let segment = match input.segment.trim() {
        "" => {
            push(Field::Segment, IssueKind::Required);
            None
        }
        code => {
            let segment = pack.segment(code);
            if segment.is_none() {
                push(Field::Segment, IssueKind::SegmentUnknown);
            }
            segment
        }
    };
    let category = input.category.trim();
    if category.is_empty() {
        push(Field::Category, IssueKind::Required);
    } else if let Some(segment) = segment {
        if segment.category(category).is_none() {
            push(Field::Category, IssueKind::CategoryUnknown);
        }
    }
    let funding_source = match (input.funding_source.trim(), segment) {
        ("", Some(segment)) => segment.default_funding_source.clone(),
        (code, _) => code.to_owned(),
    };
    if !funding_source.is_empty() && pack.funding_source(&funding_source).is_none() {
        push(Field::FundingSource, IssueKind::FundingSourceUnknown);
    }
    if let (true, Some(segment)) = (input.with_jht, segment) {
        let offered = pack.rates_on(&segment.code, today).is_some_and(|rates| {
            rates
                .programmes
                .get(&crate::rulepack::Programme::Jht)
                .is_some_and(|rate| rate.optional)
        });
        if !offered {
            push(Field::WithJht, IssueKind::JhtNotOffered);
        }
    }

    let registration = match (&nik, birth_date, sex, segment) {
        (Some(nik), Some(birth_date), Some(sex), Some(segment))
            if issues.iter().all(|i| i.severity() == Severity::Warning) =>
        {
            Some(Registration {
                nik: nik.clone(),
                name,
                birth_date,
                sex,
                segment: segment.code.clone(),
                category: category.to_owned(),
                funding_source,
                with_jht: input.with_jht,
                uses_funded_slots: segment.uses_funded_slots,
                pack: PackRef {
                    id: pack.id().to_owned(),
                    version: pack.version().to_owned(),
                },
            })
        }
        _ => None,
    };
    Verdict {
        registration,
        issues,
        nik,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::parse_iso("2026-11-21").unwrap()
    }

    /// A valid registration of a made-up woman born 5 Feb 1987.
    fn valid() -> RegistrationInput {
        RegistrationInput {
            nik: "6107014502870001".into(),
            name: "Siti Aminah".into(),
            birth_date: "1987-02-05".into(),
            sex: "F".into(),
            segment: "BPU".into(),
            category: "petani".into(),
            funding_source: String::new(),
            with_jht: false,
        }
    }

    /// Applies `edit` to a valid input and checks the issue codes, in order.
    fn check_codes(edit: impl FnOnce(&mut RegistrationInput), codes: &[&str]) {
        let mut input = valid();
        edit(&mut input);
        let verdict = check(&input, &RulePack::default_pack(), today());
        let got: Vec<&str> = verdict.issues.iter().map(Issue::code).collect();
        assert_eq!(got, codes, "{input:?}");
        let has_errors = verdict.errors().next().is_some();
        assert_eq!(verdict.registration.is_some(), !has_errors, "{input:?}");
    }

    #[test]
    fn a_valid_registration() {
        let verdict = check(&valid(), &RulePack::default_pack(), today());
        assert_eq!(verdict.issues, vec![]);
        let registration = verdict.registration.unwrap();
        assert_eq!(registration.nik.as_str(), "6107014502870001");
        assert_eq!(registration.name, "Siti Aminah");
        assert_eq!(registration.funding_source, "APBD");
        assert!(registration.uses_funded_slots);
        assert_eq!(registration.pack.id, "lindung-default");
    }

    type Edit = Box<dyn FnOnce(&mut RegistrationInput)>;

    #[test]
    fn issues_table() {
        let cases: Vec<(Edit, &[&str])> = vec![
            (Box::new(|_| {}), &[]),
            (Box::new(|i| i.nik = "6107 0145 0287 0001".into()), &[]),
            (Box::new(|i| i.name = "  siti   aminah ".into()), &[]),
            (
                Box::new(|i| i.name = "Muh. Sa'id bin Abd-Rahman".into()),
                &[],
            ),
            (
                Box::new(|i| i.nik = "610701450287000".into()),
                &["nik.length"],
            ),
            (Box::new(|i| i.nik = String::new()), &["reg.required"]),
            (
                Box::new(|i| *i = RegistrationInput::default()),
                &[
                    "reg.required",
                    "reg.required",
                    "reg.required",
                    "reg.required",
                    "reg.required",
                    "reg.required",
                ],
            ),
            (
                Box::new(|i| i.name = "Siti 2".into()),
                &["reg.name_invalid"],
            ),
            (Box::new(|i| i.name = "...".into()), &["reg.name_invalid"]),
            (
                Box::new(|i| i.name = "Siti\u{0}Aminah".into()),
                &["reg.name_invalid"],
            ),
            (
                Box::new(|i| i.name = "Siti\u{7}".into()),
                &["reg.name_invalid"],
            ),
            // Tabs and line breaks are whitespace: collapsed, not refused.
            (Box::new(|i| i.name = "Siti\tAminah\n".into()), &[]),
            (
                Box::new(|i| i.name = "a".repeat(101)),
                &["reg.name_too_long"],
            ),
            (
                Box::new(|i| i.birth_date = "1987-02-06".into()),
                &["reg.birth_date_mismatch"],
            ),
            (
                Box::new(|i| i.birth_date = "1987-02-30".into()),
                &["reg.birth_date_invalid"],
            ),
            (
                Box::new(|i| i.birth_date = "2027-01-01".into()),
                &["reg.birth_date_in_future"],
            ),
            (Box::new(|i| i.sex = "M".into()), &["reg.sex_mismatch"]),
            (Box::new(|i| i.sex = "X".into()), &["reg.sex_invalid"]),
            // Age window 18-65 on 2026-11-21.
            (
                Box::new(|i| {
                    i.nik = "6107016112080001".into();
                    i.birth_date = "2008-12-21".into();
                }),
                &["reg.age_out_of_window"],
            ),
            (
                Box::new(|i| {
                    i.nik = "6107016111080001".into();
                    i.birth_date = "2008-11-21".into();
                }),
                &[],
            ),
            (
                Box::new(|i| {
                    i.nik = "6107016111600001".into();
                    i.birth_date = "1960-11-21".into();
                }),
                &["reg.age_out_of_window"],
            ),
            (
                Box::new(|i| {
                    i.nik = "6107016211600001".into();
                    i.birth_date = "1960-11-22".into();
                }),
                &[],
            ),
            (
                Box::new(|i| i.segment = "XX".into()),
                &["reg.segment_unknown"],
            ),
            (
                Box::new(|i| i.category = "perangkat_desa".into()),
                &["reg.category_unknown"],
            ),
            (
                Box::new(|i| {
                    i.segment = "PU".into();
                    i.category = "perangkat_desa".into();
                }),
                &[],
            ),
            (
                Box::new(|i| i.funding_source = "APBX".into()),
                &["reg.funding_source_unknown"],
            ),
            (Box::new(|i| i.with_jht = true), &[]),
            // Unknown regency: a warning, the registration still goes through.
            (
                Box::new(|i| i.nik = "6199014502870001".into()),
                &["nik.regency_unknown"],
            ),
            // Everything wrong at once is reported at once.
            (
                Box::new(|i| {
                    i.nik = "2007014502870000".into();
                    i.name = String::new();
                    i.category = String::new();
                }),
                &[
                    "nik.province_unknown",
                    "nik.serial_zero",
                    "reg.required",
                    "reg.required",
                ],
            ),
        ];
        for (edit, codes) in cases {
            check_codes(edit, codes);
        }
    }

    #[test]
    fn a_registration_fills_the_form_it_came_from() {
        let input = valid();
        let registration = check(&input, &RulePack::default_pack(), today())
            .registration
            .unwrap();
        let back = RegistrationInput::from(&registration);
        assert_eq!(
            back,
            RegistrationInput {
                funding_source: "APBD".into(),
                ..input
            }
        );
    }

    #[test]
    fn the_nik_is_kept_when_other_fields_are_wrong() {
        let input = RegistrationInput {
            nik: "6107014502870001".into(),
            ..RegistrationInput::default()
        };
        let verdict = check(&input, &RulePack::default_pack(), today());
        assert!(verdict.registration.is_none());
        assert_eq!(
            verdict.nik.map(|n| n.birth_date().to_string()),
            Some("1987-02-05".to_owned())
        );
    }

    #[test]
    fn birth_date_and_sex_are_taken_from_the_nik() {
        // A made-up woman born 5 February 1987 (day 45 = 5 + 40).
        let nik = Nik::parse("6107014502870001", Date::parse_iso("2026-11-21").unwrap()).unwrap();
        assert_eq!(
            nik_sentence(&nik, Lang::Id),
            "NIK ini: perempuan, lahir 5 Februari 1987."
        );
        assert_eq!(
            nik_sentence(&nik, Lang::En),
            "This NIK: female, born 5 February 1987."
        );
        let cases = [
            ("", "", true),
            ("1987-02-05", "", true),
            ("1987-02-15", "F", true),
            ("1987-02-05", "M", true),
            ("1987-02-05", "F", false),
        ];
        for (birth_date, sex, differs) in cases {
            let mut input = RegistrationInput {
                nik: nik.as_str().into(),
                name: "Siti".into(),
                birth_date: birth_date.into(),
                sex: sex.into(),
                ..RegistrationInput::default()
            };
            assert_eq!(input.differs_from_nik(&nik), differs, "{birth_date} {sex}");
            input.take_from_nik(&nik);
            assert!(!input.differs_from_nik(&nik));
            assert_eq!(
                (input.birth_date.as_str(), input.sex.as_str()),
                ("1987-02-05", "F")
            );
            assert_eq!(input.name, "Siti", "nothing else changes");
        }
    }

    #[test]
    fn changed_fields_read_as_labels() {
        let codes = |list: &[&str]| list.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cases = [
            (
                codes(&["birth_date", "category"]),
                Lang::Id,
                "Tanggal lahir, Pekerjaan",
            ),
            (codes(&["name", "with_jht"]), Lang::En, "Name, JHT"),
            (codes(&["address"]), Lang::Id, "data lain"),
            (codes(&[]), Lang::Id, ""),
        ];
        for (fields, lang, text) in cases {
            assert_eq!(Field::labels_of(&fields, lang), text, "{fields:?}");
        }
        for field in [Field::Nik, Field::FundingSource, Field::WithJht] {
            assert_eq!(Field::from_code(field.code()), Some(field));
        }
    }

    #[test]
    fn messages_explain_in_the_users_language() {
        let mismatch = Issue::new(
            Field::BirthDate,
            IssueKind::BirthDateMismatch {
                nik: Date::parse_iso("1987-02-05").unwrap(),
                entered: Date::parse_iso("1987-02-06").unwrap(),
            },
        );
        assert_eq!(
            mismatch.message(Lang::Id),
            "Tanggal lahir (6 Februari 1987) tidak sama dengan tanggal lahir di NIK (5 Februari 1987). Periksa KTP: salah satunya salah ketik."
        );
        let required = Issue::new(Field::Name, IssueKind::Required);
        assert_eq!(required.message(Lang::Id), "Nama wajib diisi.");
        assert_eq!(required.message(Lang::En), "Name is required.");
        let age = Issue::new(
            Field::BirthDate,
            IssueKind::AgeOutOfWindow {
                age: 17,
                min: 18,
                max: 65,
            },
        );
        assert_eq!(
            age.message(Lang::Id),
            "Umur 17 tahun di luar batas program (18-65 tahun)."
        );
    }
}
