//! `drafts` rows: a form as the agent typed it, not yet saved. Format v1
//! (unchanged since DB v1), whose `body` is a [`DraftBody`].

use lindung_core::RegistrationInput;
use serde::{Deserialize, Serialize};

use super::{check_version, from_json, to_json};
use crate::store::StoreResult;

/// A draft form (`drafts` store, key `key`: "new:<village>" or
/// "edit:<record id>"), format v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DraftRow {
    pub v: u32,
    pub key: String,
    /// The [`DraftBody`] as JSON.
    pub body: String,
}

impl DraftRow {
    pub const VERSION: u32 = 1;

    pub fn new(key: &str, draft: &RegistrationInput) -> StoreResult<DraftRow> {
        Ok(DraftRow {
            v: DraftRow::VERSION,
            key: key.to_owned(),
            body: to_json(&DraftBody::from(draft))?,
        })
    }

    pub fn into_draft(self) -> StoreResult<RegistrationInput> {
        check_version("draft", &self.key, self.v, DraftRow::VERSION)?;
        let body: DraftBody = from_json(&format!("draft {}", self.key), &self.body)?;
        Ok(RegistrationInput::from(body))
    }
}

/// What `body` holds: a `RegistrationInput`, every field the raw text of
/// its control. A member missing from the JSON reads as empty (`false`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct DraftBody {
    pub nik: String,
    pub name: String,
    pub birth_date: String,
    pub sex: String,
    pub segment: String,
    pub category: String,
    pub funding_source: String,
    pub with_jht: bool,
}

impl From<&RegistrationInput> for DraftBody {
    fn from(input: &RegistrationInput) -> DraftBody {
        let RegistrationInput {
            nik,
            name,
            birth_date,
            sex,
            segment,
            category,
            funding_source,
            with_jht,
        } = input;
        DraftBody {
            nik: nik.clone(),
            name: name.clone(),
            birth_date: birth_date.clone(),
            sex: sex.clone(),
            segment: segment.clone(),
            category: category.clone(),
            funding_source: funding_source.clone(),
            with_jht: *with_jht,
        }
    }
}

impl From<DraftBody> for RegistrationInput {
    fn from(body: DraftBody) -> RegistrationInput {
        let DraftBody {
            nik,
            name,
            birth_date,
            sex,
            segment,
            category,
            funding_source,
            with_jht,
        } = body;
        RegistrationInput {
            nik,
            name,
            birth_date,
            sex,
            segment,
            category,
            funding_source,
            with_jht,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_body_with_members_missing_reads_them_as_empty() {
        let row = DraftRow {
            v: 1,
            key: "new:61.07.01.2001".into(),
            body: "{\"name\":\"Sit\"}".into(),
        };
        assert_eq!(
            row.into_draft().unwrap(),
            RegistrationInput {
                name: "Sit".into(),
                ..RegistrationInput::default()
            }
        );
    }
}
