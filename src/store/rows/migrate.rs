//! The database's history as an ordered list of steps, as the district
//! register's (`crates/district/src/register/schema.rs`): `STEPS[i]` takes the
//! database from version `i` to `i + 1`, so [`DB_VERSION`] is `STEPS.len()`
//! (a test holds them together: no step missing, none twice).
//!
//! A step declares the stores and indexes it adds and, if rows must change,
//! a [`DataStep`]: pure (rows in as JSON text, rows to put out), so it is
//! tested natively against the golden files; `idb.rs` runs it inside the
//! upgrade's `versionchange` transaction, reading with that transaction's
//! own requests only. Opening a database at version `n` runs `STEPS[n..]` in
//! order, in that one transaction: any failure aborts it and the database
//! stays at version `n`, untouched. A data step reads rows in the format of
//! its `from` version (old row structs are kept for it: [`RecordRowV1`]).

use serde::{Deserialize, Serialize};

use super::record::{read_body, RecordRow};
#[cfg(doc)]
use super::schema::DB_VERSION;
use super::schema::{
    StoreSpec, BUNDLES, BUNDLE_FILES, DRAFTS, KEYS, META, RECORDS, RECORDS_BY_NIK,
    RECORDS_BY_VILLAGE, SETTINGS, VILLAGES,
};
use super::village::VillageRow;
use super::{check_version, from_json, to_json};
use crate::store::{StoreError, StoreResult};

/// One step: from version `from` to `from + 1`.
pub(crate) struct Step {
    pub from: u32,
    /// Stores new at `from + 1`, and indexes new on a store (the store listed
    /// again with only its new indexes). Created when missing; a store or
    /// index that exists must have the key path given. Nothing is deleted.
    pub stores: &'static [StoreSpec],
    /// What happens to the rows, if anything.
    pub data: Option<DataStep>,
}

/// A step's rows: every row of each store of `reads`, as JSON text, in
/// `reads` order; out, the rows to put.
pub(crate) struct DataStep {
    pub reads: &'static [&'static str],
    pub run: fn(Vec<Vec<String>>) -> StoreResult<Vec<Put>>,
}

/// A row a data step writes (inserted or replaced by its key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Put {
    pub store: &'static str,
    /// The row as JSON text.
    pub row: String,
}

/// Every step, in order: `STEPS[i].from == i`.
pub(crate) const STEPS: &[Step] = &[
    // 0 → 1: the first schema.
    Step {
        from: 0,
        stores: &[
            StoreSpec {
                name: RECORDS,
                key_path: "id",
                indexes: &[RECORDS_BY_VILLAGE],
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
        ],
        data: None,
    },
    // 1 → 2: villages get their own store; active records get `nik`, for the
    // new index (`records_v1_to_v2`).
    Step {
        from: 1,
        stores: &[
            StoreSpec {
                name: VILLAGES,
                key_path: "code",
                indexes: &[],
            },
            StoreSpec {
                name: RECORDS,
                key_path: "id",
                indexes: &[RECORDS_BY_NIK],
            },
        ],
        data: Some(DataStep {
            reads: &[RECORDS],
            run: v1_to_v2,
        }),
    },
    // 2 → 3: bundles, their files and the device key; no rows change.
    Step {
        from: 2,
        stores: &[
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
        ],
        data: None,
    },
];

/// Schema v1's record row: the village's name, area and slots travelled
/// with every record; there was no `nik` field. Its `body` is a
/// `RecordBody`, as at v2.
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

/// Step 1 → 2 on `records`' rows as text.
fn v1_to_v2(read: Vec<Vec<String>>) -> StoreResult<Vec<Put>> {
    let [records] = <[Vec<String>; 1]>::try_from(read)
        .map_err(|_| StoreError::Other("step 1 → 2 reads one store".into()))?;
    let rows = records
        .iter()
        .map(|text| from_json::<RecordRowV1>("v1 record", text))
        .collect::<StoreResult<Vec<_>>>()?;
    let (records, villages) = records_v1_to_v2(rows)?;
    let mut puts = Vec::with_capacity(records.len() + villages.len());
    for row in &records {
        puts.push(Put {
            store: RECORDS,
            row: to_json(row)?,
        });
    }
    for row in &villages {
        puts.push(Put {
            store: VILLAGES,
            row: to_json(row)?,
        });
    }
    Ok(puts)
}

/// The data of step 1 → 2: v1 record rows in, v2 record rows and the
/// villages they name out. Each village takes its name, area and slots from
/// its latest row (highest `seq`). Bodies are kept byte for byte; a row that
/// cannot be read stops the migration (nothing is guessed).
pub(crate) fn records_v1_to_v2(
    rows: Vec<RecordRowV1>,
) -> StoreResult<(Vec<RecordRow>, Vec<VillageRow>)> {
    // (seq, row) by code: a sorted list rather than a map type of its own in the wasm.
    let mut villages: Vec<(u64, VillageRow)> = Vec::new();
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        check_version("v1 record", &row.id, row.v, 1)?;
        let record = read_body(|| format!("v1 record {}", row.id), &row.body)?;
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
    use super::super::schema::{IndexSpec, DB_VERSION, SCHEMA};
    use super::*;
    use serde_json::Value;

    const V1: &str = include_str!("../../../tests/fixtures/idb_v1.json");
    const V2: &str = include_str!("../../../tests/fixtures/idb_v2_expected.json");

    fn rows(fixture: &str, store: &str) -> Vec<Value> {
        let doc: Value = serde_json::from_str(fixture).unwrap();
        doc["stores"][store].as_array().unwrap().clone()
    }

    fn texts(values: &[Value]) -> Vec<String> {
        values.iter().map(Value::to_string).collect()
    }

    /// The stores that exist once `STEPS[..=step]` ran.
    fn stores_after(step: usize) -> Vec<&'static str> {
        STEPS[..=step]
            .iter()
            .flat_map(|s| s.stores.iter().map(|spec| spec.name))
            .collect()
    }

    /// Runs the data step of `STEPS[from]` on the stores of `fixture`; the
    /// rows it puts, by store, as JSON values (each into a store that exists
    /// by then).
    fn run_step(from: u32, fixture: &str) -> StoreResult<Vec<(&'static str, Value)>> {
        let data = STEPS[from as usize].data.as_ref().expect("a data step");
        let read = data
            .reads
            .iter()
            .map(|store| texts(&rows(fixture, store)))
            .collect();
        let existing = stores_after(from as usize);
        Ok((data.run)(read)?
            .into_iter()
            .map(|put| {
                assert!(existing.contains(&put.store), "{}", put.store);
                (put.store, serde_json::from_str(&put.row).unwrap())
            })
            .collect())
    }

    fn of(puts: &[(&str, Value)], store: &str) -> Vec<Value> {
        puts.iter()
            .filter(|(s, _)| *s == store)
            .map(|(_, row)| row.clone())
            .collect()
    }

    #[test]
    fn there_is_one_step_per_version_up_to_db_version() {
        let froms: Vec<u32> = STEPS.iter().map(|step| step.from).collect();
        let expected: Vec<u32> = (0..DB_VERSION).collect();
        assert_eq!(froms, expected, "STEPS[i] must take version i to i + 1");
    }

    /// Together the steps create exactly the current schema: every store
    /// once with one key path, every index once.
    #[test]
    fn the_steps_together_declare_exactly_the_schema() {
        // (store, key path, indexes), in the order the steps create them.
        let mut built: Vec<(&str, &str, Vec<&IndexSpec>)> = Vec::new();
        for step in STEPS {
            for spec in step.stores {
                match built.iter_mut().find(|(name, _, _)| *name == spec.name) {
                    Some((_, key_path, indexes)) => {
                        assert_eq!(*key_path, spec.key_path, "{}: key path changed", spec.name);
                        assert!(!spec.indexes.is_empty(), "{} created twice", spec.name);
                        indexes.extend(spec.indexes);
                    }
                    None => built.push((spec.name, spec.key_path, spec.indexes.iter().collect())),
                }
            }
        }
        let mut declared: Vec<(&str, &str, Vec<&IndexSpec>)> = SCHEMA
            .iter()
            .map(|spec| (spec.name, spec.key_path, spec.indexes.iter().collect()))
            .collect();
        use lindung_core::order::sort_by_key;
        sort_by_key(&mut built, |(name, _, _)| *name);
        sort_by_key(&mut declared, |(name, _, _)| *name);
        for (_, _, indexes) in built.iter_mut().chain(declared.iter_mut()) {
            sort_by_key(indexes, |index| index.name);
        }
        assert_eq!(built, declared);
    }

    #[test]
    fn data_steps_read_stores_that_exist_by_then() {
        for (i, step) in STEPS.iter().enumerate() {
            if let Some(data) = &step.data {
                let existing = stores_after(i);
                assert!(data.reads.iter().all(|store| existing.contains(store)));
            }
        }
    }

    #[test]
    fn v1_records_migrate_to_the_golden_v2_rows() {
        let puts = run_step(1, V1).unwrap();
        assert_eq!(of(&puts, RECORDS), rows(V2, RECORDS));
        assert_eq!(of(&puts, VILLAGES), rows(V2, VILLAGES));
        assert_eq!(
            puts.len(),
            rows(V2, RECORDS).len() + rows(V2, VILLAGES).len()
        );
        // Bodies byte for byte.
        for (before, after) in rows(V1, RECORDS).iter().zip(of(&puts, RECORDS)) {
            assert_eq!(before["body"].as_str(), after["body"].as_str());
        }
    }

    #[test]
    fn removed_records_lose_their_nik_in_the_v1_to_v2_step() {
        let puts = run_step(1, V1).unwrap();
        let records = of(&puts, RECORDS);
        let removed = records.iter().find(|r| r["id"] == "rec-0002").unwrap();
        assert!(removed.get("nik").is_none());
        assert_eq!(records.iter().filter(|r| r.get("nik").is_some()).count(), 3);
    }

    #[test]
    fn a_v1_row_that_cannot_be_read_stops_the_migration() {
        let check = |change: &dyn Fn(&mut Value), expected_start: &str| {
            let mut doc: Value = serde_json::from_str(V1).unwrap();
            change(&mut doc["stores"]["records"][2]);
            let error = run_step(1, &doc.to_string()).unwrap_err();
            let StoreError::Corrupt(detail) = &error else {
                panic!("expected Corrupt, got {error:?}")
            };
            assert!(detail.starts_with(expected_start), "{detail}");
            assert!(
                !detail.contains("Pekerja") && !detail.contains("6107"),
                "{detail}"
            );
        };
        check(
            &|row| row["body"] = "{".into(),
            "v1 record rec-0003 row: Eof error",
        );
        check(
            &|row| row["v"] = 2.into(),
            "v1 record row rec-0003 has format v2",
        );
        check(
            &|row| row["village"] = "61.07.01.2001".into(),
            "v1 record row rec-0003 disagrees",
        );
        check(
            &|row| {
                let body = row["body"]
                    .as_str()
                    .unwrap()
                    .replace("\"sex\":\"M\"", "\"sex\":\"F\"");
                row["body"] = body.into();
            },
            "v1 record rec-0003 row: the NIK does not match",
        );
        check(
            &|row| row["seq"] = "tiga".into(),
            "v1 record row: Data error",
        );
    }
}
