//! Bulk insert of 15,000 records in headless Chromium: the app's store
//! (`IdbStore::put_records`, one read-write transaction) against raw IndexedDB writing
//! the same rows in one transaction, in the same run.
//!
//! - The rows are the big village of `xtask/src/bench/workers.rs`, written by
//!   `cargo xtask bench` to the JSON file named by `LINDUNG_BENCH_ROWS` (compiled in).
//! - Store: from `WorkerRecord`s to committed, so it includes what the app pays on a
//!   save: serializing each row (`rows.rs`), `JSON.parse` into JS objects, the puts.
//! - Raw: the same row objects, parsed before the clock starts, put in one transaction.
//!   Both use `durability: "strict"` (the store's rule: "saved" means flushed).
//! - Each round writes into two new databases created by `IdbStore::open` (same
//!   stores and indexes); the order alternates between rounds.
//!
//! Prints one line `lindung-bench {json}` with the medians; `cargo xtask bench` reads it.
//! By hand, from the repository root, after `cargo xtask bench` wrote the rows once:
//!
//! ```sh
//! LINDUNG_BENCH_ROWS=$PWD/target/bench/store-rows.json CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test --release --target wasm32-unknown-unknown \
//!   --manifest-path tests/bench/store/Cargo.toml --target-dir target/bench-store -- --nocapture
//! ```
#![cfg(all(test, target_arch = "wasm32"))]

use lindung::store::{IdbStore, Store};
use lindung_core::record::WorkerRecord;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ROWS: &str = include_str!(env!("LINDUNG_BENCH_ROWS"));
const ROUNDS: usize = 3;

#[wasm_bindgen(inline_js = r#"
function settle(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function now() {
  return performance.now();
}

/** Puts every row of `rowsJson` into `records` of database `name` in one
    transaction; milliseconds from opening the transaction to `complete`. */
export async function rawPut(name, rowsJson) {
  const rows = JSON.parse(rowsJson);
  const db = await settle(indexedDB.open(name));
  try {
    const start = performance.now();
    const tx = db.transaction(['records'], 'readwrite', { durability: 'strict' });
    const records = tx.objectStore('records');
    for (const row of rows) records.put(row);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
    return performance.now() - start;
  } finally {
    db.close();
  }
}

/** How many rows `records` of database `name` holds, and how many have a `nik`. */
export async function countRows(name) {
  const db = await settle(indexedDB.open(name));
  try {
    const tx = db.transaction(['records'], 'readonly');
    const records = tx.objectStore('records');
    const all = await settle(records.count());
    const active = await settle(records.index('nik').count());
    return [all, active];
  } finally {
    db.close();
  }
}
"#)]
extern "C" {
    fn now() -> f64;
    #[wasm_bindgen(catch, js_name = rawPut)]
    async fn raw_put(name: &str, rows_json: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = countRows)]
    async fn count_rows(name: &str) -> Result<JsValue, JsValue>;
}

fn database(what: &str, round: usize) -> String {
    format!(
        "lindung-bench-{what}-{round}-{}",
        js_sys::Date::now() as u64
    )
}

async fn open(name: &str) -> IdbStore {
    match IdbStore::open(name).await {
        Ok(store) => store,
        Err(error) => panic!("open {name}: {error:?}"),
    }
}

/// Checks that `name` holds exactly `expected` rows, all active (in the nik index).
async fn assert_rows(name: &str, expected: usize) {
    let counts = count_rows(name).await.expect("count rows");
    let counts: Vec<f64> = js_sys::Array::from(&counts)
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    assert_eq!(counts, [expected as f64, expected as f64], "{name}");
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

#[wasm_bindgen_test]
async fn put_records_against_raw_indexeddb() {
    let rows: Vec<Value> = serde_json::from_str(ROWS).expect("the rows file is JSON");
    let records: Vec<WorkerRecord> = rows
        .iter()
        .map(|row| {
            let body = row["body"].as_str().expect("a record row has a body");
            serde_json::from_str(body).expect("a record body reads back")
        })
        .collect();
    let n = records.len();
    assert!(n > 0, "no rows in {}", env!("LINDUNG_BENCH_ROWS"));

    let (mut store_ms, mut raw_ms) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let store_name = database("store", round);
        let raw_name = database("raw", round);
        let store = open(&store_name).await;
        // The raw database gets the same schema, then the store lets go of it.
        drop(open(&raw_name).await);

        let time_store = async {
            let start = now();
            store.put_records(&records).await.expect("put_records");
            now() - start
        };
        let time_raw = async {
            let ms = raw_put(&raw_name, ROWS).await.expect("raw put");
            ms.as_f64().expect("milliseconds")
        };
        if round % 2 == 0 {
            store_ms.push(time_store.await);
            raw_ms.push(time_raw.await);
        } else {
            raw_ms.push(time_raw.await);
            store_ms.push(time_store.await);
        }
        drop(store);
        assert_rows(&store_name, n).await;
        assert_rows(&raw_name, n).await;
    }

    let (store, raw) = (median(store_ms.clone()), median(raw_ms.clone()));
    let result = json!({
        "records": n,
        "rounds": ROUNDS,
        "store_ms": store,
        "raw_ms": raw,
        "store_rounds_ms": store_ms,
        "raw_rounds_ms": raw_ms,
    });
    console_log!("lindung-bench {result}");
}
