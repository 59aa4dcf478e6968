//! `records` rows: a worker record. Row format v2 (DB v2; v1 rows are
//! rewritten by the v1 → v2 step), whose `body` is a [`RecordBody`].

use lindung_core::record::{Action, Agent, HistoryEntry, RecordParts, Removal, Timestamp};
use lindung_core::{Date, Nik, RecordId, Registration, Sex, WorkerRecord};
use serde::{Deserialize, Serialize};

use super::{check_version, to_json, Invalid};
use crate::store::{StoreError, StoreResult};

/// A worker record (`records` store, key `id`), format v2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RecordRow {
    pub v: u32,
    pub id: String,
    /// Village code, for the `village` index.
    pub village: String,
    /// The NIK of an *active* record, for the `nik` index; absent once removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik: Option<String>,
    pub seq: u64,
    /// The [`RecordBody`] as JSON. (Absent reads as empty, which is refused
    /// as unreadable: the store reads the other fields without it and copies
    /// it on its own, `IdbStore::read_records`.)
    #[serde(default)]
    pub body: String,
}

impl RecordRow {
    pub const VERSION: u32 = 2;
    /// Every field but `body`, by its stored name.
    pub const INDEX_FIELDS: [&'static str; 5] = ["v", "id", "village", "nik", "seq"];

    pub fn from_record(record: &WorkerRecord) -> StoreResult<RecordRow> {
        Ok(RecordRow::with_body(
            record,
            to_json(&RecordBody::from(record))?,
        ))
    }

    /// The row of `record` with `body` as its body (the v1 → v2 step keeps
    /// v1 bodies byte for byte).
    pub(super) fn with_body(record: &WorkerRecord, body: String) -> RecordRow {
        RecordRow {
            v: RecordRow::VERSION,
            id: record.id().as_str().to_owned(),
            village: record.village().to_owned(),
            nik: record
                .is_active()
                .then(|| record.registration().nik.as_str().to_owned()),
            seq: record.seq(),
            body,
        }
    }

    pub fn into_record(self) -> StoreResult<WorkerRecord> {
        check_version("record", &self.id, self.v, RecordRow::VERSION)?;
        let record = read_body(|| format!("record {}", self.id), &self.body)?;
        // The index fields are copies of the body: a mismatch means the row
        // was written by something else than this code.
        if record.id().as_str() != self.id
            || record.village() != self.village
            || record.seq() != self.seq
            || RecordRow::with_body(&record, String::new()).nik != self.nik
        {
            return Err(StoreError::Corrupt(format!(
                "record row {} disagrees with its body",
                self.id
            )));
        }
        Ok(record)
    }
}

/// Reads a record body (`what`: "record rec-0001", for errors; made only
/// for one, as an app start reads every record).
pub(super) fn read_body(what: impl Fn() -> String, body: &str) -> StoreResult<WorkerRecord> {
    let body: RecordBody = serde_json::from_str(body)
        .map_err(|e| StoreError::Corrupt(format!("{} row: {}", what(), super::describe(&e))))?;
    WorkerRecord::try_from(body).map_err(|invalid| invalid.corrupt(&what()))
}

/// What `body` holds (row v1 and v2 alike): a `WorkerRecord`, field by field.
/// Times are milliseconds since 1970 UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RecordBody {
    pub id: String,
    pub village: String,
    pub seq: u64,
    pub revision: u32,
    pub registration: RegistrationBody,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<RemovalBody>,
    pub history: Vec<HistoryBody>,
}

/// A `Registration`: what the check accepted, kept as it was judged (not
/// judged again on reading; `pack` says which pack judged it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RegistrationBody {
    /// The 16 digits.
    pub nik: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `M` or `F`.
    pub sex: String,
    pub segment: String,
    pub category: String,
    pub funding_source: String,
    pub with_jht: bool,
    pub uses_funded_slots: bool,
    pub pack: PackBody,
}

/// The rule pack that judged a registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PackBody {
    pub id: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RemovalBody {
    pub at: i64,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HistoryBody {
    pub revision: u32,
    pub at: i64,
    pub agent: AgentBody,
    pub action: ActionBody,
    /// Fields an edit changed; absent for create and remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AgentBody {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ActionBody {
    Create,
    Edit,
    Remove,
}

// ------------------------------------------------------------ to the row --

impl From<&WorkerRecord> for RecordBody {
    fn from(record: &WorkerRecord) -> RecordBody {
        RecordBody {
            id: record.id().as_str().to_owned(),
            village: record.village().to_owned(),
            seq: record.seq(),
            revision: record.revision(),
            registration: RegistrationBody::from(record.registration()),
            created_at: record.created_at().millis(),
            updated_at: record.updated_at().millis(),
            removed: record.removed().map(RemovalBody::from),
            history: record.history().iter().map(HistoryBody::from).collect(),
        }
    }
}

impl From<&Registration> for RegistrationBody {
    fn from(registration: &Registration) -> RegistrationBody {
        let Registration {
            nik,
            name,
            birth_date,
            sex,
            segment,
            category,
            funding_source,
            with_jht,
            uses_funded_slots,
            pack,
        } = registration;
        RegistrationBody {
            nik: nik.as_str().to_owned(),
            name: name.clone(),
            birth_date: birth_date.to_string(),
            sex: sex.code().to_owned(),
            segment: segment.clone(),
            category: category.clone(),
            funding_source: funding_source.clone(),
            with_jht: *with_jht,
            uses_funded_slots: *uses_funded_slots,
            pack: PackBody {
                id: pack.id.clone(),
                version: pack.version.clone(),
            },
        }
    }
}

impl From<&Removal> for RemovalBody {
    fn from(removal: &Removal) -> RemovalBody {
        let Removal { at, reason } = removal;
        RemovalBody {
            at: at.millis(),
            reason: reason.clone(),
        }
    }
}

impl From<&HistoryEntry> for HistoryBody {
    fn from(entry: &HistoryEntry) -> HistoryBody {
        let HistoryEntry {
            revision,
            at,
            agent: Agent { id, name },
            action,
            fields,
            reason,
        } = entry;
        HistoryBody {
            revision: *revision,
            at: at.millis(),
            agent: AgentBody {
                id: id.clone(),
                name: name.clone(),
            },
            action: match action {
                Action::Create => ActionBody::Create,
                Action::Edit => ActionBody::Edit,
                Action::Remove => ActionBody::Remove,
            },
            fields: fields.clone(),
            reason: reason.clone(),
        }
    }
}

// ---------------------------------------------------------- from the row --

impl TryFrom<RecordBody> for WorkerRecord {
    type Error = Invalid;

    fn try_from(body: RecordBody) -> Result<WorkerRecord, Invalid> {
        let RecordBody {
            id,
            village,
            seq,
            revision,
            registration,
            created_at,
            updated_at,
            removed,
            history,
        } = body;
        Ok(WorkerRecord::from_parts(RecordParts {
            id: RecordId::new(id).ok_or(Invalid("the record id is not valid"))?,
            village,
            seq,
            revision,
            registration: Registration::try_from(registration)?,
            created_at: Timestamp::from_millis(created_at),
            updated_at: Timestamp::from_millis(updated_at),
            removed: removed.map(|RemovalBody { at, reason }| Removal {
                at: Timestamp::from_millis(at),
                reason,
            }),
            history: history.into_iter().map(HistoryEntry::from).collect(),
        }))
    }
}

impl TryFrom<RegistrationBody> for Registration {
    type Error = Invalid;

    /// The NIK must give back the stored birth date and sex (parsed against
    /// the birth date itself, which picks the century that does).
    fn try_from(body: RegistrationBody) -> Result<Registration, Invalid> {
        let RegistrationBody {
            nik,
            name,
            birth_date,
            sex,
            segment,
            category,
            funding_source,
            with_jht,
            uses_funded_slots,
            pack: PackBody { id, version },
        } = body;
        let birth_date =
            Date::parse_iso(&birth_date).ok_or(Invalid("the birth date is not a date"))?;
        let sex = Sex::from_code(&sex).ok_or(Invalid("the sex is not M or F"))?;
        let nik = Nik::parse(&nik, birth_date)
            .ok()
            .filter(|nik| nik.birth_date() == birth_date && nik.sex() == sex)
            .ok_or(Invalid(
                "the NIK does not match the stored birth date and sex",
            ))?;
        Ok(Registration {
            nik,
            name,
            birth_date,
            sex,
            segment,
            category,
            funding_source,
            with_jht,
            uses_funded_slots,
            pack: lindung_core::registration::PackRef { id, version },
        })
    }
}

impl From<HistoryBody> for HistoryEntry {
    fn from(body: HistoryBody) -> HistoryEntry {
        let HistoryBody {
            revision,
            at,
            agent: AgentBody { id, name },
            action,
            fields,
            reason,
        } = body;
        HistoryEntry {
            revision,
            at: Timestamp::from_millis(at),
            agent: Agent { id, name },
            action: match action {
                ActionBody::Create => Action::Create,
                ActionBody::Edit => Action::Edit,
                ActionBody::Remove => Action::Remove,
            },
            fields,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const V2: &str = include_str!("../../../tests/fixtures/idb_v2_expected.json");

    fn good_row() -> RecordRow {
        let doc: Value = serde_json::from_str(V2).unwrap();
        serde_json::from_value(doc["stores"]["records"][0].clone()).unwrap()
    }

    /// `INDEX_FIELDS` are the stored row's fields but `body`: what the store
    /// reads without the body must be all the rest.
    #[test]
    fn index_fields_are_every_field_but_the_body() {
        let row = good_row();
        assert!(row.nik.is_some(), "the fixture's row shows every field");
        let Value::Object(stored) = serde_json::to_value(&row).unwrap() else {
            panic!("a row is an object");
        };
        let mut names: Vec<&str> = stored.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut expected = RecordRow::INDEX_FIELDS.to_vec();
        expected.push("body");
        expected.sort_unstable();
        assert_eq!(names, expected);
        // And a row read without its body gets it back empty, refused.
        let mut fields = stored.clone();
        fields.remove("body");
        let read: RecordRow = serde_json::from_value(Value::Object(fields)).unwrap();
        assert!(read.body.is_empty());
        assert!(matches!(read.into_record(), Err(StoreError::Corrupt(_))));
    }

    /// `(row, start of the error detail)`: each row is `Corrupt`, and the
    /// detail names the row but quotes none of its data.
    #[test]
    fn unreadable_or_unknown_rows_are_corrupt_and_the_error_quotes_no_data() {
        let good = good_row();
        let body = |from: &str, to: &str| {
            assert!(good.body.contains(from), "{from}");
            good.body.replace(from, to)
        };
        let cases = [
            (
                RecordRow {
                    v: 3,
                    ..good.clone()
                },
                "record row rec-0001 has format v3",
            ),
            (
                RecordRow {
                    body: body("\"seq\":1", "\"seq\":\"Pekerja 6107\""),
                    ..good.clone()
                },
                "record rec-0001 row: Data error",
            ),
            (
                RecordRow {
                    body: body("1980-01-01", "1980-02-30"),
                    ..good.clone()
                },
                "record rec-0001 row: the birth date is not a date",
            ),
            (
                RecordRow {
                    body: body("\"sex\":\"M\"", "\"sex\":\"X\""),
                    ..good.clone()
                },
                "record rec-0001 row: the sex is not M or F",
            ),
            (
                RecordRow {
                    body: body("\"sex\":\"M\"", "\"sex\":\"F\""),
                    ..good.clone()
                },
                "record rec-0001 row: the NIK does not match",
            ),
            (
                RecordRow {
                    body: body("\"id\":\"rec-0001\"", "\"id\":\"rec 0001\""),
                    ..good.clone()
                },
                "record rec-0001 row: the record id is not valid",
            ),
            (
                RecordRow {
                    body: body("\"action\":\"create\"", "\"action\":\"delete\""),
                    ..good.clone()
                },
                "record rec-0001 row: Data error",
            ),
            (
                RecordRow {
                    nik: None,
                    ..good.clone()
                },
                "record row rec-0001 disagrees",
            ),
            (
                RecordRow {
                    village: "61.07.01.2002".into(),
                    ..good.clone()
                },
                "record row rec-0001 disagrees",
            ),
            (
                RecordRow {
                    seq: 9,
                    ..good.clone()
                },
                "record row rec-0001 disagrees",
            ),
        ];
        for (row, expected_start) in cases {
            let error = row.into_record().unwrap_err();
            let StoreError::Corrupt(detail) = &error else {
                panic!("expected Corrupt, got {error:?}")
            };
            assert!(detail.starts_with(expected_start), "{detail}");
            for personal in ["6107", "Pekerja", "1980", "Petugas"] {
                assert!(!detail.contains(personal), "{detail}");
            }
        }
    }

    #[test]
    fn removed_records_have_no_nik_field_so_the_nik_index_skips_them() {
        let doc: Value = serde_json::from_str(V2).unwrap();
        let removed: RecordRow =
            serde_json::from_value(doc["stores"]["records"][1].clone()).unwrap();
        let record = removed.clone().into_record().unwrap();
        assert!(!record.is_active());
        let row = RecordRow::from_record(&record).unwrap();
        assert_eq!(row.nik, None);
        assert!(serde_json::to_value(&row).unwrap().get("nik").is_none());
        assert_eq!(row, removed);
    }
}
