//! The registration form's state, as a plain type: what a blank form holds,
//! what a change to one control does to the others, and which fields show
//! their problems. The app's `CheckForm` renders a `Form` and dispatches the
//! agent's changes to it; nothing here knows about the DOM.
//!
//! What the agent typed is kept as typed (`RegistrationInput`); the verdict is
//! derived from it by `check` and never written back.

use crate::registration::{Field, Issue, RegistrationInput, Verdict};
use crate::RulePack;

/// The controls in the order the form shows them: the fields that `submit`
/// shows the problems of.
pub const FIELDS: [Field; 6] = [
    Field::Nik,
    Field::Name,
    Field::BirthDate,
    Field::Sex,
    Field::Segment,
    Field::Category,
];

/// One registration form: the input and the fields whose problems show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    input: RegistrationInput,
    /// Fields the agent changed, or all after Simpan/Periksa: an empty form is
    /// not a wall of red.
    shown: Vec<Field>,
}

impl Form {
    /// A blank form: nothing typed, the pack's default segment chosen (and
    /// counted as answered: the agent may never need to touch it).
    pub fn blank(pack: &RulePack) -> Form {
        Form {
            input: RegistrationInput::blank(pack),
            shown: vec![Field::Segment],
        }
    }

    /// A form holding `input` (a draft, or a record being edited): if anything
    /// was typed, its problems show at once.
    pub fn restored(input: RegistrationInput) -> Form {
        let typed = !input.nik.is_empty() || !input.name.is_empty();
        Form {
            input,
            shown: if typed {
                FIELDS.to_vec()
            } else {
                vec![Field::Segment]
            },
        }
    }

    pub fn input(&self) -> &RegistrationInput {
        &self.input
    }

    /// The agent changed `field` to `value`: the field is set and its problems
    /// show from now on. Changing the segment clears the category (categories
    /// belong to a segment). `WithJht` takes "true" or anything else as false.
    pub fn set(&mut self, field: Field, value: String) {
        let input = &mut self.input;
        match field {
            Field::Nik => input.nik = value,
            Field::Name => input.name = value,
            Field::BirthDate => input.birth_date = value,
            Field::Sex => input.sex = value,
            Field::Segment => {
                if input.segment != value {
                    input.category.clear();
                }
                input.segment = value;
            }
            Field::Category => input.category = value,
            Field::FundingSource => input.funding_source = value,
            Field::WithJht => input.with_jht = value == "true",
        }
        self.show(field);
    }

    /// The agent took the birth date and sex that the NIK encodes.
    pub fn take_from_nik(&mut self, nik: &crate::Nik) {
        self.input.take_from_nik(nik);
        self.show(Field::BirthDate);
        self.show(Field::Sex);
    }

    /// Simpan or Periksa was pressed: every field shows its problems.
    pub fn submit(&mut self) {
        self.shown = FIELDS.to_vec();
    }

    /// Whether `field`'s problems are shown.
    pub fn shows(&self, field: Field) -> bool {
        self.shown.contains(&field)
    }

    /// The problems of `field` that the form shows.
    pub fn issues<'a>(&self, verdict: &'a Verdict, field: Field) -> Vec<&'a Issue> {
        if !self.shows(field) {
            return Vec::new();
        }
        verdict.issues.iter().filter(|i| i.field == field).collect()
    }

    fn show(&mut self, field: Field) {
        if !self.shown.contains(&field) {
            self.shown.push(field);
        }
    }
}

impl RegistrationInput {
    /// Nothing typed, the pack's default segment chosen (the one place that
    /// chooses it).
    pub fn blank(pack: &RulePack) -> RegistrationInput {
        RegistrationInput {
            segment: pack
                .default_segment()
                .map(|s| s.code.clone())
                .unwrap_or_default(),
            ..RegistrationInput::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Date, Nik};

    fn pack() -> RulePack {
        RulePack::default_pack()
    }

    fn today() -> Date {
        Date::new(2026, 11, 21).unwrap()
    }

    #[test]
    fn a_blank_form_has_the_default_segment_and_shows_no_problem() {
        let form = Form::blank(&pack());
        let first = pack().segments()[0].code.clone();
        assert_eq!(form.input().segment, first);
        assert_eq!(form.input().category, "");
        let verdict = check(form.input(), &pack(), today());
        assert!(!verdict.issues.is_empty(), "a blank form is not valid");
        for field in FIELDS {
            // Only the pre-chosen segment counts as answered.
            assert_eq!(form.shows(field), field == Field::Segment, "{field:?}");
            assert!(form.issues(&verdict, field).is_empty(), "{field:?}");
        }
    }

    #[test]
    fn changes_to_each_control() {
        // (field, value, then) -> what the input holds afterwards
        type Case = (Field, &'static str, fn(&RegistrationInput) -> bool);
        let cases: [Case; 9] = [
            (Field::Nik, "6107014502870001", |i| {
                i.nik == "6107014502870001"
            }),
            (Field::Name, " Siti  Aminah ", |i| {
                i.name == " Siti  Aminah "
            }),
            (Field::BirthDate, "1987-02-05", |i| {
                i.birth_date == "1987-02-05"
            }),
            (Field::Sex, "F", |i| i.sex == "F"),
            (Field::Category, "petani", |i| i.category == "petani"),
            // Another segment: the category no longer applies.
            (Field::Segment, "PU", |i| {
                i.segment == "PU" && i.category.is_empty()
            }),
            // The same segment chosen again keeps the category.
            (Field::Segment, "BPU", |i| {
                i.segment == "BPU" && i.category == "petani"
            }),
            (Field::WithJht, "true", |i| i.with_jht),
            (Field::FundingSource, "APBDES", |i| {
                i.funding_source == "APBDES"
            }),
        ];
        for (field, value, then) in cases {
            let mut form = Form::blank(&pack());
            form.set(Field::Category, "petani".into());
            form.set(field, value.into());
            assert!(
                then(form.input()),
                "{field:?} = {value:?}: {:?}",
                form.input()
            );
            assert!(
                form.shows(field),
                "{field:?} shows its problems once changed"
            );
        }
    }

    #[test]
    fn problems_show_for_changed_fields_then_all_on_submit() {
        let mut form = Form::blank(&pack());
        form.set(Field::Nik, "610701450287000".into()); // 15 digits
        let verdict = check(form.input(), &pack(), today());
        let codes = |form: &Form, f| -> Vec<&str> {
            form.issues(&verdict, f).iter().map(|i| i.code()).collect()
        };
        assert_eq!(codes(&form, Field::Nik), ["nik.length"]);
        assert!(codes(&form, Field::Name).is_empty(), "not touched yet");
        form.submit();
        assert!(
            !codes(&form, Field::Name).is_empty(),
            "after Simpan every field says"
        );
        for field in FIELDS {
            assert!(form.shows(field), "{field:?}");
        }
    }

    #[test]
    fn a_restored_form_shows_its_problems_only_if_something_was_typed() {
        let empty = Form::restored(RegistrationInput::blank(&pack()));
        assert_eq!(empty, Form::blank(&pack()));
        let draft = Form::restored(RegistrationInput {
            name: "Siti".into(),
            ..RegistrationInput::blank(&pack())
        });
        assert!(FIELDS.iter().all(|f| draft.shows(*f)));
        assert_eq!(draft.input().name, "Siti");
    }

    #[test]
    fn taking_the_birth_date_and_sex_from_the_nik_shows_them() {
        let nik = Nik::parse("6107014502870001", today()).unwrap();
        let mut form = Form::blank(&pack());
        form.take_from_nik(&nik);
        assert_eq!(form.input().birth_date, "1987-02-05");
        assert_eq!(form.input().sex, "F");
        assert!(form.shows(Field::BirthDate) && form.shows(Field::Sex));
        assert!(!form.shows(Field::Name));
    }
}
