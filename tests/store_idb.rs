//! The IndexedDB store in headless Chromium: the same contract as the memory
//! store (`src/store/contract.rs`), then what only IndexedDB has — a v1
//! database migrating on open, another tab upgrading, an old tab blocking an
//! upgrade — and the writer lock and storage health. Each test uses its own
//! database name. NIKs are made up.
//!
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test -p lindung --target wasm32-unknown-unknown --test store_idb
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Promise, JSON};
use lindung::store::health::{estimate, is_persisted, request_persistence};
use lindung::store::lock::{acquire_writer, LockKind};
use lindung::store::{IdbStore, DB_VERSION};
use rexie::{Index, ObjectStore, Rexie, TransactionMode};
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{IdbDatabase, IdbOpenDbRequest};

wasm_bindgen_test_configure!(run_in_browser);

include!("../src/store/contract.rs");

const V1: &str = include_str!("fixtures/idb_v1.json");
const V2: &str = include_str!("fixtures/idb_v2_expected.json");

/// A database name no other test (or earlier run) uses.
fn unique(what: &str) -> String {
    thread_local!(static COUNT: Cell<u32> = const { Cell::new(0) });
    let n = COUNT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    format!("lindung-test-{what}-{}-{n}", js_sys::Date::now() as u64)
}

async fn open(name: &str) -> IdbStore {
    match IdbStore::open(name).await {
        Ok(store) => store,
        Err(error) => panic!("open {name}: {error:?}"),
    }
}

async fn open_error(name: &str) -> StoreError {
    match IdbStore::open(name).await {
        Ok(_) => panic!("open {name} should fail"),
        Err(error) => error,
    }
}

/// Writes a fixture's rows as schema v1 did: with rexie, at IndexedDB
/// version 1, with v1's stores and its one index.
async fn write_v1(name: &str, fixture: &Value) {
    let db = Rexie::builder(name)
        .version(1)
        .add_object_store(
            ObjectStore::new("records")
                .key_path("id")
                .add_index(Index::new("village", "village")),
        )
        .add_object_store(ObjectStore::new("drafts").key_path("key"))
        .add_object_store(ObjectStore::new("settings").key_path("key"))
        .add_object_store(ObjectStore::new("meta").key_path("key"))
        .build()
        .await
        .unwrap();
    let stores = ["records", "drafts", "settings", "meta"];
    let tx = db.transaction(&stores, TransactionMode::ReadWrite).unwrap();
    for name in stores {
        let store = tx.store(name).unwrap();
        for row in fixture["stores"][name].as_array().unwrap() {
            let row = JSON::parse(&row.to_string()).unwrap();
            store.put(&row, None).await.unwrap();
        }
    }
    assert!(tx.done().await.unwrap().is_committed());
    db.close();
}

/// What a v2 database holds after the v2 → v3 upgrade: the same rows, the
/// new stores (empty) and the schema row at v3. v3 has no data step.
fn current_from_v2(mut v2: Value) -> Value {
    assert_eq!(
        DB_VERSION, 3,
        "a new version needs its own expectation here"
    );
    let stores = v2["stores"].as_object_mut().unwrap();
    for name in ["bundles", "bundle_files", "keys"] {
        stores.insert(name.into(), Value::Array(Vec::new()));
    }
    stores["meta"][0]["version"] = 3.into();
    v2
}

/// Writes the golden v2 rows as schema v2 did, at IndexedDB version 2.
async fn write_v2(name: &str, fixture: &Value) {
    let db = Rexie::builder(name)
        .version(2)
        .add_object_store(ObjectStore::new("villages").key_path("code"))
        .add_object_store(
            ObjectStore::new("records")
                .key_path("id")
                .add_index(Index::new("village", "village"))
                .add_index(Index::new("nik", "nik")),
        )
        .add_object_store(ObjectStore::new("drafts").key_path("key"))
        .add_object_store(ObjectStore::new("settings").key_path("key"))
        .add_object_store(ObjectStore::new("meta").key_path("key"))
        .build()
        .await
        .unwrap();
    let stores = ["villages", "records", "drafts", "settings", "meta"];
    let tx = db.transaction(&stores, TransactionMode::ReadWrite).unwrap();
    for name in stores {
        let store = tx.store(name).unwrap();
        for row in fixture["stores"][name].as_array().unwrap() {
            let row = JSON::parse(&row.to_string()).unwrap();
            store.put(&row, None).await.unwrap();
        }
    }
    assert!(tx.done().await.unwrap().is_committed());
    db.close();
}

#[wasm_bindgen_test]
async fn a_v2_database_gains_the_bundle_and_key_stores_and_keeps_every_row() {
    let name = unique("v2");
    let v2: Value = serde_json::from_str(V2).unwrap();
    write_v2(&name, &v2).await;

    let store = open(&name).await;
    assert_eq!(store.all_records().await.unwrap(), expected_v1_records());
    assert_eq!(store.bundles().await.unwrap(), []);
    assert!(store.device_key().await.unwrap().is_none());
    drop(store);
    let (version, rows) = raw_rows(&name).await;
    assert_eq!(version, 3);
    assert_eq!(rows, current_from_v2(v2)["stores"]);
}

/// Every raw row of every store, as JSON, opened at whatever version the
/// database has (no upgrade, so rexie deletes nothing).
async fn raw_rows(name: &str) -> (u32, Value) {
    let db = Rexie::builder(name).build().await.unwrap();
    let version = db.version().unwrap();
    let names = db.store_names();
    let tx = db.transaction(&names, TransactionMode::ReadOnly).unwrap();
    let mut stores = serde_json::Map::new();
    for name in &names {
        let rows = tx.store(name).unwrap().get_all(None, None).await.unwrap();
        let rows = rows
            .iter()
            .map(|row| serde_json::from_str(&String::from(JSON::stringify(row).unwrap())).unwrap())
            .collect();
        stores.insert(name.clone(), Value::Array(rows));
    }
    drop(tx);
    db.close();
    (version, Value::Object(stores))
}

/// Opens `name` at `version` with plain web-sys, as another tab (or an old
/// version of the app) would. `on_upgrade` runs in `upgradeneeded`. Fails if
/// the open is blocked.
async fn open_raw(name: &str, version: u32, on_upgrade: fn(&IdbDatabase)) -> IdbDatabase {
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let request: IdbOpenDbRequest = factory.open_with_u32(name, version).unwrap();
    let upgrade = {
        let request = request.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            on_upgrade(&request.result().unwrap().unchecked_into());
        })
    };
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let opened = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
        request.set_onblocked(Some(&reject));
    });
    JsFuture::from(opened)
        .await
        .expect("the raw open is neither blocked nor failed");
    request.result().unwrap().unchecked_into()
}

fn expected_v1_records() -> Vec<WorkerRecord> {
    let doc: Value = serde_json::from_str(V1).unwrap();
    doc["stores"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| serde_json::from_str(row["body"].as_str().unwrap()).unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn idb_store_meets_the_contract() {
    run_all(|| async { open(&unique("contract")).await }).await;
}

#[wasm_bindgen_test]
async fn a_v1_database_migrates_to_the_current_version_on_open() {
    let name = unique("v1");
    write_v1(&name, &serde_json::from_str(V1).unwrap()).await;

    let store = open(&name).await;
    let area = "Kec. Sungai Raya, Kabupaten Bengkayang";
    assert_eq!(
        store.villages().await.unwrap(),
        vec![
            // From the village's latest record row (seq 4).
            Village {
                code: "61.07.01.2001".into(),
                name: "Sungai Raya Hilir".into(),
                area: area.into(),
                funded_slots: 120
            },
            Village {
                code: "61.07.01.2002".into(),
                name: "Karya Bakti".into(),
                area: area.into(),
                funded_slots: 80
            },
        ]
    );
    let records = expected_v1_records();
    assert_eq!(store.all_records().await.unwrap(), records);
    let ids = |rs: Vec<WorkerRecord>| {
        rs.iter()
            .map(|r| r.id().as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.records("61.07.01.2001").await.unwrap()),
        ["rec-0001", "rec-0002", "rec-0004"]
    );
    // The new nik index: active records only.
    assert_eq!(
        store.find_nik("6107010101800001").await.unwrap(),
        Some(records[0].clone())
    );
    assert_eq!(
        store.find_nik("6107010303900003").await.unwrap(),
        Some(records[2].clone())
    );
    assert_eq!(
        store.find_nik("6107014202850002").await.unwrap(),
        None,
        "rec-0002 was removed"
    );
    let draft = store.draft("new:61.07.01.2001").await.unwrap().unwrap();
    assert_eq!(draft.name, "Pekerja Lima");
    let settings = store.settings().await.unwrap().unwrap();
    assert_eq!(
        (settings.agent_id.as_str(), settings.lang),
        ("PRS-0001", Lang::En)
    );
    drop(store);

    // On disk: exactly the golden v2 rows, plus v3's empty stores, at the
    // current version.
    let expected = current_from_v2(serde_json::from_str(V2).unwrap());
    let (version, rows) = raw_rows(&name).await;
    assert_eq!(version, DB_VERSION);
    assert_eq!(rows, expected["stores"]);

    // Opening again migrates nothing again.
    let again = open(&name).await;
    assert_eq!(again.all_records().await.unwrap(), records);
    drop(again);
    assert_eq!(raw_rows(&name).await.1, expected["stores"]);
}

#[wasm_bindgen_test]
async fn a_v1_database_that_cannot_be_migrated_is_left_as_it_was() {
    let name = unique("v1-broken");
    let mut broken: Value = serde_json::from_str(V1).unwrap();
    broken["stores"]["records"][2]["body"] = Value::from("{");
    write_v1(&name, &broken).await;

    let error = open_error(&name).await;
    assert!(
        matches!(&error, StoreError::Corrupt(d) if d.contains("rec-0003")),
        "{error:?}"
    );

    // The upgrade was one transaction: it aborted whole.
    let (version, rows) = raw_rows(&name).await;
    assert_eq!(version, 1);
    assert_eq!(
        rows, broken["stores"],
        "no villages store, v1 rows untouched"
    );
}

#[wasm_bindgen_test]
async fn another_tab_upgrading_closes_this_connection_and_harms_nothing() {
    let name = unique("versionchange");
    let store = open(&name).await;
    let told = Rc::new(RefCell::new(None));
    store.on_lost({
        let told = told.clone();
        move |error| *told.borrow_mut() = Some(error)
    });
    let a = numbered_record(1, "61.07.01.2001");
    let b = numbered_record(2, "61.07.01.2001");
    store.put_records(std::slice::from_ref(&a)).await.unwrap();

    // A newer version opens while this tab is writing: the write completes.
    let (written, newer) = futures::future::join(
        store.put_records(std::slice::from_ref(&b)),
        open_raw(&name, DB_VERSION + 1, |db| {
            db.create_object_store("added_by_v3").unwrap();
        }),
    )
    .await;
    written.unwrap();
    assert!(store.version_changed());
    assert_eq!(store.lost(), Some(StoreError::VersionChanged));
    assert_eq!(*told.borrow(), Some(StoreError::VersionChanged));
    assert_eq!(
        store
            .put_records(&[numbered_record(3, "61.07.01.2001")])
            .await,
        Err(StoreError::VersionChanged)
    );
    assert_eq!(store.all_records().await, Err(StoreError::VersionChanged));
    assert_eq!(
        store
            .put_draft("new:x", &RegistrationInput::default())
            .await,
        Err(StoreError::VersionChanged)
    );
    // A listener added afterwards hears it at once.
    let late = Rc::new(Cell::new(false));
    store.on_lost({
        let late = late.clone();
        move |_| late.set(true)
    });
    assert!(late.get());
    newer.close();

    // Both committed records are on disk, intact, as v2 rows.
    let (version, rows) = raw_rows(&name).await;
    assert_eq!(version, DB_VERSION + 1);
    let records = rows["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    for (row, record) in records.iter().zip([&a, &b]) {
        assert_eq!(row["v"], 2);
        let body: WorkerRecord = serde_json::from_str(row["body"].as_str().unwrap()).unwrap();
        assert_eq!(&body, record);
    }
    // This code cannot open the newer database: reload for the new code.
    assert_eq!(open_error(&name).await, StoreError::VersionChanged);
}

#[wasm_bindgen_test]
async fn an_old_tab_that_does_not_let_go_blocks_the_upgrade_with_a_clear_error() {
    let name = unique("blocked");
    // An old tab at version 1 that ignores `versionchange`.
    let old_tab = open_raw(&name, 1, |_| {}).await;
    assert_eq!(open_error(&name).await, StoreError::Blocked);
    assert!(StoreError::Blocked
        .message(Lang::En)
        .contains("Close that tab"));

    // Once it closes, the queued upgrade runs and lets go; opening works.
    old_tab.close();
    let store = open(&name).await;
    assert_eq!(store.all_records().await.unwrap(), vec![]);
}

#[wasm_bindgen_test]
async fn one_writer_at_a_time_and_the_next_in_line_takes_over() {
    let name = unique("writer");
    let first = acquire_writer(&name).await;
    assert_eq!(first.kind(), LockKind::WebLocks);
    assert!(first.is_writer());

    let second = acquire_writer(&name).await;
    assert!(!second.is_writer());
    let told = Rc::new(Cell::new(false));
    second.on_writer({
        let told = told.clone();
        move || told.set(true)
    });
    // A third leaves the queue before its turn.
    let third = acquire_writer(&name).await;
    assert!(!third.is_writer());
    third.release();

    first.release();
    second.writer().await;
    assert!(second.is_writer());
    assert!(told.get());

    // Dropping the lock lets go too.
    let fourth = acquire_writer(&name).await;
    assert!(!fourth.is_writer());
    drop(second);
    fourth.writer().await;
    assert!(fourth.is_writer());
}

#[wasm_bindgen_test]
async fn storage_health_answers() {
    let (used, quota) = estimate()
        .await
        .expect("navigator.storage exists on 127.0.0.1");
    assert!(quota > 0);
    assert!(used <= quota);
    // A headless test profile may be refused; the answer must be consistent.
    let granted = request_persistence().await;
    assert_eq!(is_persisted().await, granted);
}
