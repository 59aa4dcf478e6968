//! The IndexedDB store in headless Chromium: the same contract as the memory
//! store (`src/store/contract.rs`, one test per case), then what only
//! IndexedDB has — a database of every earlier version migrating on open,
//! another tab upgrading, an old tab blocking an upgrade — and the writer
//! lock and storage health. Each test uses its own database name. NIKs are
//! made up.
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
use serde_json::{json, Value};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{IdbDatabase, IdbOpenDbRequest};

wasm_bindgen_test_configure!(run_in_browser);

include!("../src/store/contract.rs");

contract_tests!(open(&unique("contract")));

/// The values the golden databases hold (shared with the native tests).
#[allow(dead_code)]
mod golden {
    include!("../src/store/rows/golden.rs");
}

/// A database at schema v1 (`idb_v1.json`), and what its data is after the
/// v1 → v2 step, which is also the database at v2 (`idb_v2_expected.json`).
const V1: &str = include_str!("fixtures/idb_v1.json");
const V2: &str = include_str!("fixtures/idb_v2_expected.json");

/// The database at v3, one golden file per store (`keys` holds `CryptoKey`
/// objects, not JSON: it is empty here; `tests/device_key.rs` covers it).
fn v3_stores() -> Value {
    let parse = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
    json!({
        "villages": parse(include_str!("fixtures/idb_v3/villages.json")),
        "records": parse(include_str!("fixtures/idb_v3/records.json")),
        "drafts": parse(include_str!("fixtures/idb_v3/drafts.json")),
        "settings": parse(include_str!("fixtures/idb_v3/settings.json")),
        "meta": parse(include_str!("fixtures/idb_v3/meta.json")),
        "bundles": parse(include_str!("fixtures/idb_v3/bundles.json")),
        "bundle_files": parse(include_str!("fixtures/idb_v3/bundle_files.json")),
        "keys": [],
    })
}

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

/// An object store: name, key path, indexes (name, key path).
type StoreAt = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// The stores of schema `version`, as the code of that version created
/// them: history, written out here rather than taken from the code under
/// test.
fn schema_at(version: u32) -> Vec<StoreAt> {
    assert!(
        (1..=3).contains(&version),
        "write down the stores of schema v{version} here"
    );
    let mut records_indexes = vec![("village", "village")];
    let mut stores = vec![
        ("drafts", "key", vec![]),
        ("settings", "key", vec![]),
        ("meta", "key", vec![]),
    ];
    if version >= 2 {
        records_indexes.push(("nik", "nik"));
        stores.push(("villages", "code", vec![]));
    }
    if version >= 3 {
        stores.push(("bundles", "sequence", vec![]));
        stores.push(("bundle_files", "sequence", vec![]));
        stores.push(("keys", "key", vec![]));
    }
    stores.push(("records", "id", records_indexes));
    stores
}

/// Writes `stores` (store name → rows) as schema `version` did: with rexie,
/// at IndexedDB version `version`, with that version's stores and indexes.
async fn write_database(name: &str, version: u32, stores: &Value) {
    let mut builder = Rexie::builder(name).version(version);
    for (store, key_path, indexes) in schema_at(version) {
        let mut spec = ObjectStore::new(store).key_path(key_path);
        for (index, key_path) in indexes {
            spec = spec.add_index(Index::new(index, key_path));
        }
        builder = builder.add_object_store(spec);
    }
    let db = builder.build().await.unwrap();
    let names: Vec<&str> = stores
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let tx = db.transaction(&names, TransactionMode::ReadWrite).unwrap();
    for name in &names {
        let store = tx.store(name).unwrap();
        for row in stores[*name].as_array().unwrap() {
            let row = JSON::parse(&row.to_string()).unwrap();
            store.put(&row, None).await.unwrap();
        }
    }
    assert!(tx.done().await.unwrap().is_committed());
    db.close();
}

/// What the store API gives for a database's data.
struct Known {
    villages: Vec<Village>,
    records: Vec<WorkerRecord>,
    drafts: Vec<(String, RegistrationInput)>,
    settings: Settings,
    bundles: Vec<(BundleInfo, String)>,
}

/// A database written at `version` (its stores), what its rows are once
/// opened with this code, and what the store API reads from it.
fn database(version: u32) -> (Value, Value, Known) {
    assert_eq!(
        DB_VERSION, 3,
        "a new version needs its golden database and the expectations of the older ones here"
    );
    let doc =
        |text: &str| -> Value { serde_json::from_str::<Value>(text).unwrap()["stores"].clone() };
    // The data of v1 and v2 (v1's after the v1 → v2 step).
    let v1_known = || Known {
        villages: golden::v3_villages(),
        records: golden::v1_records(),
        drafts: vec![(
            "new:61.07.01.2001".into(),
            RegistrationInput {
                nik: "6107 0105".into(),
                name: "Pekerja Lima".into(),
                birth_date: "1995-05-05".into(),
                sex: "F".into(),
                ..RegistrationInput::default()
            },
        )],
        settings: Settings {
            agent_id: "PRS-0001".into(),
            agent_name: "Petugas Uji".into(),
            ..Settings::new(Lang::En)
        },
        bundles: vec![],
    };
    let (written, migrated, known) = match version {
        1 => (doc(V1), doc(V2), v1_known()),
        2 => (doc(V2), doc(V2), v1_known()),
        3 => (
            v3_stores(),
            v3_stores(),
            Known {
                villages: golden::v3_villages(),
                records: golden::v3_records(),
                drafts: golden::v3_drafts(),
                settings: golden::v3_settings(),
                bundles: golden::v3_bundles(),
            },
        ),
        _ => panic!("no golden database for version {version}"),
    };
    // Stores later versions added are there, empty; the schema row says
    // the current version.
    let mut current = migrated;
    let stores = current.as_object_mut().unwrap();
    for (store, _, _) in schema_at(DB_VERSION) {
        stores
            .entry(store)
            .or_insert_with(|| Value::Array(Vec::new()));
    }
    stores["meta"] = json!([{ "key": "schema", "version": DB_VERSION }]);
    (written, current, known)
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

/// Everything `known` holds reads back through the store API.
async fn check_reads(store: &IdbStore, known: &Known, version: u32) {
    let at = format!("database written at v{version}");
    assert_eq!(store.villages().await.unwrap(), known.villages, "{at}");
    assert_eq!(store.all_records().await.unwrap(), known.records, "{at}");
    for village in &known.villages {
        let expected: Vec<WorkerRecord> = known
            .records
            .iter()
            .filter(|r| r.village() == village.code)
            .cloned()
            .collect();
        assert_eq!(
            store.records(&village.code).await.unwrap(),
            expected,
            "{at}"
        );
    }
    // The nik index: active records only.
    for record in &known.records {
        let nik = record.registration().nik.as_str();
        let found = store.find_nik(nik).await.unwrap();
        assert_eq!(found.as_ref(), record.is_active().then_some(record), "{at}");
    }
    for (key, draft) in &known.drafts {
        assert_eq!(
            store.draft(key).await.unwrap().as_ref(),
            Some(draft),
            "{at}"
        );
    }
    assert_eq!(
        store.settings().await.unwrap().as_ref(),
        Some(&known.settings),
        "{at}"
    );
    let infos: Vec<BundleInfo> = known.bundles.iter().map(|(info, _)| info.clone()).collect();
    assert_eq!(store.bundles().await.unwrap(), infos, "{at}");
    for (info, file) in &known.bundles {
        let stored = store.bundle_file(info.sequence).await.unwrap();
        assert_eq!(stored.as_ref(), Some(file), "{at}");
    }
}

/// A database of every version up to this one, with data in every store it
/// had, opens (migrating from the earlier ones) with nothing lost: every
/// value reads back, the rows on disk are exactly the expected ones, and
/// opening again changes nothing.
#[wasm_bindgen_test]
async fn a_database_of_every_version_opens_with_nothing_lost() {
    for version in 1..=DB_VERSION {
        let (written, expected, known) = database(version);
        let name = unique(&format!("v{version}"));
        write_database(&name, version, &written).await;

        let store = open(&name).await;
        check_reads(&store, &known, version).await;
        drop(store);
        let (on_disk, rows) = raw_rows(&name).await;
        assert_eq!(on_disk, DB_VERSION, "database written at v{version}");
        assert_eq!(rows, expected, "database written at v{version}");

        let again = open(&name).await;
        check_reads(&again, &known, version).await;
        drop(again);
        assert_eq!(
            raw_rows(&name).await.1,
            expected,
            "v{version}, opened again"
        );
    }
}

#[wasm_bindgen_test]
async fn a_v1_database_that_cannot_be_migrated_is_left_as_it_was() {
    let name = unique("v1-broken");
    let mut broken: Value = serde_json::from_str(V1).unwrap();
    broken["stores"]["records"][2]["body"] = Value::from("{");
    write_database(&name, 1, &broken["stores"]).await;

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
        assert_eq!(row["id"], record.id().as_str());
        let body: Value = serde_json::from_str(row["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["id"], record.id().as_str());
        assert_eq!(body["revision"], record.revision());
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
