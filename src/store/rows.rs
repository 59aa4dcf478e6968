//! What IndexedDB holds: the schema (stores, key paths, indexes) and one
//! versioned row struct per store, converted to and from the core types.
//!
//! Pure Rust (no web dependency), so the conversions and the v1 → v2 data
//! move are tested natively against `tests/fixtures/idb_v1.json` and
//! `tests/fixtures/idb_v2_expected.json`; `idb.rs` only moves these rows in
//! and out of IndexedDB.
//!
//! **Encoding.** A row is serialized with `serde_json` and handed to
//! IndexedDB as the object `JSON.parse` makes of it (no serde-wasm-bindgen):
//! one serializer for the browser, the native tests and the golden files, and
//! `JSON.parse` is native code, fast on cheap phones. The top level must be an
//! object so that key paths (`id`, `village`, `nik`) work. What a row is about
//! — the `WorkerRecord`, the draft, the settings — is a JSON *string* in
//! `body`, opaque to IndexedDB: encrypting data at rest later replaces `body`
//! with ciphertext and touches nothing else (the `nik` index field would then
//! become a keyed hash of the NIK).
//!
//! **Versions.** `DB_VERSION` is the IndexedDB version: it names the set of
//! stores and indexes ([`SCHEMA`]) and which migration steps have run. Each
//! row kind also carries its own format version `v`; a row whose `v` this
//! code does not know is reported as [`StoreError::Corrupt`], never guessed.
//!
//! | DB | stores (key path; indexes) |
//! |----|----------------------------|
//! | 1  | records (id; village), drafts (key), settings (key), meta (key) |
//! | 2  | + villages (code); records gains index nik |
//! | 3  | + bundles (sequence), bundle_files (sequence), keys (key) |
//!
//! v2 → v3 only adds stores: no data step. `keys` holds the device's signing
//! key as a `CryptoKey` object (structured clone, non-extractable), not as a
//! JSON row: see `crate::device`.
//!
//! Error details never quote stored values: they are personal data.

use lindung_core::record::WorkerRecord;
use lindung_core::RegistrationInput;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{BundleInfo, Settings, StoreError, StoreResult, Village};

/// The IndexedDB version this code opens, creates and migrates to.
pub const DB_VERSION: u32 = 3;

pub(crate) const VILLAGES: &str = "villages";
pub(crate) const RECORDS: &str = "records";
pub(crate) const DRAFTS: &str = "drafts";
pub(crate) const SETTINGS: &str = "settings";
pub(crate) const META: &str = "meta";
pub(crate) const BUNDLES: &str = "bundles";
pub(crate) const BUNDLE_FILES: &str = "bundle_files";
pub(crate) const KEYS: &str = "keys";
/// The key of the device's signing key in `keys`.
pub(crate) const DEVICE_KEY: &str = "device";
/// Index of `records` on `village`.
pub(crate) const BY_VILLAGE: &str = "village";
/// Index of `records` on `nik`: active records only (removed ones have no `nik` field).
pub(crate) const BY_NIK: &str = "nik";
/// The one key of the `settings` store.
pub(crate) const SETTINGS_KEY: &str = "device";
/// The key of the schema row in `meta`.
pub(crate) const SCHEMA_KEY: &str = "schema";

/// An object store as the current version declares it.
#[derive(Debug)]
pub(crate) struct StoreSpec {
    pub name: &'static str,
    /// Never changed once shipped: IndexedDB cannot change a key path in place.
    pub key_path: &'static str,
    pub indexes: &'static [IndexSpec],
}

#[derive(Debug)]
pub(crate) struct IndexSpec {
    pub name: &'static str,
    pub key_path: &'static str,
}

/// Every store and index of [`DB_VERSION`]. Created when missing on upgrade,
/// checked on every open; nothing is ever deleted implicitly.
pub(crate) const SCHEMA: &[StoreSpec] = &[
    StoreSpec {
        name: VILLAGES,
        key_path: "code",
        indexes: &[],
    },
    StoreSpec {
        name: RECORDS,
        key_path: "id",
        indexes: &[
            IndexSpec {
                name: BY_VILLAGE,
                key_path: "village",
            },
            IndexSpec {
                name: BY_NIK,
                key_path: "nik",
            },
        ],
    },
    StoreSpec {
        name: DRAFTS,
        key_path: "key",
        indexes: &[],
    },
    StoreSpec {
        name: SETTINGS,
        key_path: "key",
        indexes: &[],
    },
    StoreSpec {
        name: META,
        key_path: "key",
        indexes: &[],
    },
    StoreSpec {
        name: BUNDLES,
        key_path: "sequence",
        indexes: &[],
    },
    StoreSpec {
        name: BUNDLE_FILES,
        key_path: "sequence",
        indexes: &[],
    },
    StoreSpec {
        name: KEYS,
        key_path: "key",
        indexes: &[],
    },
];

/// A serde_json error described without the value it choked on.
fn describe(error: &serde_json::Error) -> String {
    format!(
        "{:?} error at line {} column {}",
        error.classify(),
        error.line(),
        error.column()
    )
}

/// Serializes a row as JSON text.
pub(crate) fn to_json<T: Serialize>(row: &T) -> StoreResult<String> {
    serde_json::to_string(row)
        .map_err(|e| StoreError::Other(format!("cannot encode a row: {}", describe(&e))))
}

/// Parses a row of the store `what` from JSON text.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, json: &str) -> StoreResult<T> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("{what} row: {}", describe(&e))))
}

fn check_version(what: &str, key: &str, found: u32, expected: u32) -> StoreResult<()> {
    if found == expected {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!(
            "{what} row {key} has format v{found}; this app reads v{expected}"
        )))
    }
}

/// A worker record (`records` store), format v2.
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
    /// The `WorkerRecord` as JSON.
    pub body: String,
}

impl RecordRow {
    pub const VERSION: u32 = 2;

    pub fn from_record(record: &WorkerRecord) -> StoreResult<RecordRow> {
        Ok(RecordRow::with_body(record, to_json(record)?))
    }

    fn with_body(record: &WorkerRecord, body: String) -> RecordRow {
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
        let record: WorkerRecord = from_json(&format!("record {}", self.id), &self.body)?;
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

/// A village (`villages` store), format v1 (new in DB v2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VillageRow {
    pub v: u32,
    pub code: String,
    pub name: String,
    pub area: String,
    pub funded_slots: u32,
}

impl VillageRow {
    pub const VERSION: u32 = 1;

    pub fn from_village(village: &Village) -> VillageRow {
        VillageRow {
            v: VillageRow::VERSION,
            code: village.code.clone(),
            name: village.name.clone(),
            area: village.area.clone(),
            funded_slots: village.funded_slots,
        }
    }

    pub fn into_village(self) -> StoreResult<Village> {
        check_version("village", &self.code, self.v, VillageRow::VERSION)?;
        Ok(Village {
            code: self.code,
            name: self.name,
            area: self.area,
            funded_slots: self.funded_slots,
        })
    }
}

/// A draft form (`drafts` store), format v1 (unchanged since DB v1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DraftRow {
    pub v: u32,
    pub key: String,
    /// The `RegistrationInput` as JSON.
    pub body: String,
}

impl DraftRow {
    pub const VERSION: u32 = 1;

    pub fn new(key: &str, draft: &RegistrationInput) -> StoreResult<DraftRow> {
        Ok(DraftRow {
            v: DraftRow::VERSION,
            key: key.to_owned(),
            body: to_json(draft)?,
        })
    }

    pub fn into_draft(self) -> StoreResult<RegistrationInput> {
        check_version("draft", &self.key, self.v, DraftRow::VERSION)?;
        from_json(&format!("draft {}", self.key), &self.body)
    }
}

/// The device settings (`settings` store, key [`SETTINGS_KEY`]), format v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SettingsRow {
    pub v: u32,
    pub key: String,
    /// The `Settings` as JSON.
    pub body: String,
}

impl SettingsRow {
    pub const VERSION: u32 = 1;

    pub fn new(settings: &Settings) -> StoreResult<SettingsRow> {
        Ok(SettingsRow {
            v: SettingsRow::VERSION,
            key: SETTINGS_KEY.to_owned(),
            body: to_json(settings)?,
        })
    }

    pub fn into_settings(self) -> StoreResult<Settings> {
        check_version("settings", &self.key, self.v, SettingsRow::VERSION)?;
        from_json("settings", &self.body)
    }
}

/// A bundle's info (`bundles` store), format v1 (new in DB v3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BundleRow {
    pub v: u32,
    pub sequence: u64,
    /// The `BundleInfo` as JSON.
    pub body: String,
}

impl BundleRow {
    pub const VERSION: u32 = 1;

    pub fn new(info: &BundleInfo) -> StoreResult<BundleRow> {
        Ok(BundleRow {
            v: BundleRow::VERSION,
            sequence: info.sequence,
            body: to_json(info)?,
        })
    }

    pub fn into_info(self) -> StoreResult<BundleInfo> {
        let key = self.sequence.to_string();
        check_version("bundle", &key, self.v, BundleRow::VERSION)?;
        let info: BundleInfo = from_json(&format!("bundle {key}"), &self.body)?;
        if info.sequence != self.sequence {
            return Err(StoreError::Corrupt(format!(
                "bundle row {key} disagrees with its body"
            )));
        }
        Ok(info)
    }
}

/// A bundle's file (`bundle_files` store), format v1 (new in DB v3): the
/// signed JWS as text, never re-encoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BundleFileRow {
    pub v: u32,
    pub sequence: u64,
    pub file: String,
}

impl BundleFileRow {
    pub const VERSION: u32 = 1;

    pub fn new(sequence: u64, file: &str) -> BundleFileRow {
        BundleFileRow {
            v: BundleFileRow::VERSION,
            sequence,
            file: file.to_owned(),
        }
    }

    pub fn into_file(self) -> StoreResult<String> {
        let key = self.sequence.to_string();
        check_version("bundle file", &key, self.v, BundleFileRow::VERSION)?;
        Ok(self.file)
    }
}

/// `meta` row [`SCHEMA_KEY`]: which schema the data is in. Written in the
/// same transaction as the upgrade that produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SchemaRow {
    pub key: String,
    pub version: u32,
}

impl SchemaRow {
    pub fn current() -> SchemaRow {
        SchemaRow {
            key: SCHEMA_KEY.to_owned(),
            version: DB_VERSION,
        }
    }
}

/// Schema v1's record row: the village's name, area and slots travelled
/// with every record; there was no `nik` field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RecordRowV1 {
    pub v: u32,
    pub id: String,
    pub village: String,
    pub village_name: String,
    pub village_area: String,
    pub funded_slots: u32,
    pub seq: u64,
    pub body: String,
}

/// The data half of `migrate_v1_to_v2`: v1 record rows in, v2 record rows
/// and the villages they name out. Each village takes its name, area and
/// slots from its latest row (highest `seq`). Bodies are kept byte for byte;
/// a row that cannot be read stops the migration (nothing is guessed).
pub(crate) fn records_v1_to_v2(
    rows: Vec<RecordRowV1>,
) -> StoreResult<(Vec<RecordRow>, Vec<VillageRow>)> {
    // (seq, row) by code: a sorted list rather than a map type of its own in the wasm.
    let mut villages: Vec<(u64, VillageRow)> = Vec::new();
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        check_version("v1 record", &row.id, row.v, 1)?;
        let record: WorkerRecord = from_json(&format!("v1 record {}", row.id), &row.body)?;
        if record.id().as_str() != row.id || record.village() != row.village {
            return Err(StoreError::Corrupt(format!(
                "v1 record row {} disagrees with its body",
                row.id
            )));
        }
        let village = VillageRow {
            v: VillageRow::VERSION,
            code: row.village.clone(),
            name: row.village_name,
            area: row.village_area,
            funded_slots: row.funded_slots,
        };
        match villages.binary_search_by(|(_, v)| v.code.cmp(&row.village)) {
            Ok(index) if villages[index].0 > row.seq => {}
            Ok(index) => villages[index] = (row.seq, village),
            Err(index) => villages.insert(index, (row.seq, village)),
        }
        records.push(RecordRow::with_body(&record, row.body));
    }
    Ok((records, villages.into_iter().map(|(_, v)| v).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const V1: &str = include_str!("../../tests/fixtures/idb_v1.json");
    const V2: &str = include_str!("../../tests/fixtures/idb_v2_expected.json");

    fn rows(fixture: &str, store: &str) -> Vec<Value> {
        let doc: Value = serde_json::from_str(fixture).unwrap();
        doc["stores"][store].as_array().unwrap().clone()
    }

    fn parse<T: DeserializeOwned>(values: Vec<Value>) -> Vec<T> {
        values
            .into_iter()
            .map(|v| serde_json::from_value(v).unwrap())
            .collect()
    }

    fn values<T: Serialize>(rows: &[T]) -> Vec<Value> {
        rows.iter()
            .map(|r| serde_json::to_value(r).unwrap())
            .collect()
    }

    #[test]
    fn v1_records_migrate_to_the_golden_v2_rows() {
        let (records, villages) = records_v1_to_v2(parse(rows(V1, "records"))).unwrap();
        assert_eq!(values(&records), rows(V2, "records"));
        assert_eq!(values(&villages), rows(V2, "villages"));
    }

    #[test]
    fn v2_rows_read_back_and_reserialize_byte_for_byte() {
        // The stored body is the canonical JSON of the record: reading and
        // writing again changes nothing.
        for row in parse::<RecordRow>(rows(V2, "records")) {
            let record = row.clone().into_record().unwrap();
            assert_eq!(RecordRow::from_record(&record).unwrap(), row);
        }
        for row in parse::<VillageRow>(rows(V2, "villages")) {
            let village = row.clone().into_village().unwrap();
            assert_eq!(VillageRow::from_village(&village), row);
        }
        let settings = parse::<SettingsRow>(rows(V2, "settings")).remove(0);
        assert_eq!(
            settings.clone().into_settings().unwrap().agent_id,
            "PRS-0001"
        );
        let draft = parse::<DraftRow>(rows(V2, "drafts")).remove(0);
        assert_eq!(draft.clone().into_draft().unwrap().name, "Pekerja Lima");
    }

    #[test]
    fn removed_records_have_no_nik_field_so_the_nik_index_skips_them() {
        let (records, _) = records_v1_to_v2(parse(rows(V1, "records"))).unwrap();
        let removed = records.iter().find(|r| r.id == "rec-0002").unwrap();
        assert_eq!(removed.nik, None);
        assert!(serde_json::to_value(removed).unwrap().get("nik").is_none());
    }

    #[test]
    fn unreadable_or_unknown_rows_are_corrupt_and_the_error_quotes_no_data() {
        let good: RecordRow = parse(rows(V2, "records")).remove(0);
        let check = |row: RecordRow, expected_start: &str| {
            let error = row.into_record().unwrap_err();
            let StoreError::Corrupt(detail) = &error else {
                panic!("expected Corrupt, got {error:?}")
            };
            assert!(detail.starts_with(expected_start), "{detail}");
            assert!(
                !detail.contains("6107") && !detail.contains("Pekerja"),
                "{detail}"
            );
        };
        check(
            RecordRow {
                v: 3,
                ..good.clone()
            },
            "record row rec-0001 has format v3",
        );
        check(
            RecordRow {
                body: good.body.replace("\"seq\":1", "\"seq\":\"Pekerja 6107\""),
                ..good.clone()
            },
            "record rec-0001 row: Data error",
        );
        check(
            RecordRow {
                nik: None,
                ..good.clone()
            },
            "record row rec-0001 disagrees",
        );
        check(
            RecordRow {
                village: "61.07.01.2002".into(),
                ..good
            },
            "record row rec-0001 disagrees",
        );
    }

    #[test]
    fn a_v1_row_that_cannot_be_read_stops_the_migration() {
        let mut v1: Vec<RecordRowV1> = parse(rows(V1, "records"));
        v1[2].body = "{".into();
        assert!(matches!(records_v1_to_v2(v1), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn schema_names_each_store_once_and_keys_are_row_fields() {
        let mut names: Vec<_> = SCHEMA.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SCHEMA.len());
        let (records, villages) = records_v1_to_v2(parse(rows(V1, "records"))).unwrap();
        let samples = [
            (RECORDS, values(&records)[0].clone()),
            (VILLAGES, values(&villages)[0].clone()),
            (DRAFTS, rows(V2, "drafts")[0].clone()),
            (SETTINGS, rows(V2, "settings")[0].clone()),
            (META, serde_json::to_value(SchemaRow::current()).unwrap()),
        ];
        for (store, sample) in samples {
            let spec = SCHEMA.iter().find(|s| s.name == store).unwrap();
            assert!(
                sample.get(spec.key_path).is_some(),
                "{store}.{}",
                spec.key_path
            );
            for index in spec.indexes {
                assert!(
                    sample.get(index.key_path).is_some(),
                    "{store} index {}",
                    index.name
                );
            }
        }
    }
}
