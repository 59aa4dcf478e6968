//! `IdbStore`: the [`Store`] contract on IndexedDB (wasm32 only).
//!
//! **Why web-sys and not rexie.** rexie 0.6.2 keeps its `IDBDatabase` and
//! `IDBTransaction` private, and this store needs both:
//! - a quota failure in Chromium arrives only as the transaction's `abort`
//!   event with `transaction.error` = `QuotaExceededError`; rexie's `done()`
//!   answers `Ok(Aborted)` without the reason, so "phone full" could not be
//!   told from any other failure;
//! - "saved" must mean flushed: since Chrome 121 read-write transactions
//!   default to `durability: "relaxed"`; rexie cannot pass `"strict"`;
//! - `versionchange`, `close` and `blocked` are events on the connection and
//!   on the open request, which rexie does not expose; and its builder
//!   deletes undeclared stores and cannot run data migrations.
//!
//! So this module talks to IndexedDB directly, through two small helpers:
//! [`request`] (a request's result) and [`committed`] (a transaction's
//! `complete`, or the `DOMException` it aborted with).
//!
//! **Rules kept here.**
//! - Writes: rows are computed and serialized first; then one read-write
//!   transaction (`durability: "strict"`) issues every `put` without awaiting
//!   any of them, and the call resolves only on `complete`. Nothing else is
//!   awaited inside a transaction.
//! - Upgrades run in the `versionchange` transaction of the open request:
//!   the stores and indexes every step of `STEPS` adds are created where
//!   missing (never deleted, key paths never changed), then, from version
//!   `n`, the data steps of `STEPS[n..]` in order (`rows/migrate.rs`), then
//!   the schema row. Any failure aborts the upgrade and the database stays at
//!   its old version, untouched.
//! - Every open checks that each declared store and index exists with its key
//!   path and that the schema row says [`DB_VERSION`].
//! - When another tab upgrades (`versionchange`) this connection closes at
//!   once so the upgrade is not blocked; every later call answers
//!   `StoreError::VersionChanged`, and `on_lost` listeners are told.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    DomException, Event, IdbDatabase, IdbFactory, IdbObjectStore, IdbObjectStoreParameters,
    IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode, IdbVersionChangeEvent,
};

use lindung_core::record::WorkerRecord;
use lindung_core::RegistrationInput;

use super::rows::bundle::{BundleFileRow, BundleRow};
use super::rows::draft::DraftRow;
use super::rows::migrate::{DataStep, Step, STEPS};
use super::rows::record::RecordRow;
use super::rows::schema::{
    SchemaRow, StoreSpec, BUNDLES, BUNDLE_FILES, BY_NIK, BY_VILLAGE, DB_VERSION, DEVICE_KEY,
    DRAFTS, KEYS, META, RECORDS, SCHEMA, SCHEMA_KEY, SETTINGS, SETTINGS_KEY, VILLAGES,
};
use super::rows::settings::SettingsRow;
use super::rows::village::VillageRow;
use super::rows::{from_json, to_json};
use super::{in_seq_order, BundleInfo, Settings, Store, StoreError, StoreResult, Village};

/// The error a JS exception stands for.
fn js_error(value: &JsValue) -> StoreError {
    match value.dyn_ref::<DomException>() {
        Some(e) => StoreError::from_dom_exception(&e.name(), &e.message()),
        None => StoreError::Other(js_detail(value)),
    }
}

/// "Name: message" of a JS exception (browser text, never stored values).
fn js_detail(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<DomException>() {
        format!("{}: {}", e.name(), e.message())
    } else if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        format!("{}: {}", String::from(e.name()), String::from(e.message()))
    } else {
        "unexpected JavaScript error".into()
    }
}

fn dom_error(error: Option<DomException>, otherwise: &str) -> StoreError {
    match error {
        Some(e) => StoreError::from_dom_exception(&e.name(), &e.message()),
        None => StoreError::Other(otherwise.into()),
    }
}

/// The browser's IndexedDB, or `Unavailable`.
fn factory() -> StoreResult<IdbFactory> {
    let window = web_sys::window().ok_or_else(|| StoreError::Unavailable("no window".into()))?;
    match window.indexed_db() {
        Ok(Some(factory)) => Ok(factory),
        Ok(None) => Err(StoreError::Unavailable("IndexedDB is missing".into())),
        Err(e) => Err(StoreError::Unavailable(format!(
            "IndexedDB is refused: {}",
            js_detail(&e)
        ))),
    }
}

/// Waits for `req` and returns its result. Only for this transaction's own
/// requests: awaiting anything else would let the transaction commit.
async fn request(req: IdbRequest) -> StoreResult<JsValue> {
    let settled = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(settled).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Ok(_) => req.result().map_err(|e| js_error(&e)),
        Err(_) => Err(dom_error(req.error().ok().flatten(), "a request failed")),
    }
}

/// Resolves when `tx` has committed (`complete`); an abort answers the
/// `DOMException` it aborted with (`QuotaExceededError` → `QuotaExceeded`).
async fn committed(tx: &IdbTransaction) -> StoreResult<()> {
    let settled = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(settled).await;
    tx.set_oncomplete(None);
    tx.set_onabort(None);
    match outcome {
        Ok(_) => Ok(()),
        Err(_) => Err(dom_error(tx.error(), "the write was aborted")),
    }
}

fn object_store(tx: &IdbTransaction, name: &str) -> StoreResult<IdbObjectStore> {
    tx.object_store(name).map_err(|e| js_error(&e))
}

/// A row as the JS object IndexedDB stores (see `rows/mod.rs` on the encoding).
fn to_js<T: Serialize>(row: &T) -> StoreResult<JsValue> {
    text_to_js(&to_json(row)?)
}

/// A row's JSON text as the JS object IndexedDB stores.
fn text_to_js(text: &str) -> StoreResult<JsValue> {
    JSON::parse(text).map_err(|e| js_error(&e))
}

/// Record rows read into wasm as one text by `read_records`.
const READ_SLICE: u32 = 256;

/// Only `fields` of `value` (a row, or an array of rows) as JSON text:
/// `JSON.stringify` with their names as its replacer. The store reads a row's
/// large string apart, with [`string_field`].
fn fields_text(what: &str, value: &JsValue, fields: &[&str]) -> StoreResult<String> {
    let fields: Array = fields
        .iter()
        .map(|field| JsValue::from_str(field))
        .collect();
    JSON::stringify_with_replacer(value, &fields)
        .map(String::from)
        .map_err(|_| StoreError::Corrupt(format!("{what} row cannot be read")))
}

/// The string under `key` of a row, copied as it is (no JSON escaping), if it
/// is one.
fn string_field(row: &JsValue, key: &JsValue) -> Option<String> {
    Reflect::get(row, key).ok()?.as_string()
}

/// `values` in slices of at most `READ_SLICE`.
fn slices(values: &Array) -> impl Iterator<Item = Array> + '_ {
    (0..values.length())
        .step_by(READ_SLICE as usize)
        .map(|start| values.slice(start, values.length().min(start + READ_SLICE)))
}

/// A stored row as JSON text.
fn js_to_text(what: &str, value: &JsValue) -> StoreResult<String> {
    JSON::stringify(value)
        .map(String::from)
        .map_err(|_| StoreError::Corrupt(format!("{what} row cannot be read")))
}

fn from_js<T: DeserializeOwned>(what: &str, value: &JsValue) -> StoreResult<T> {
    from_json(what, &js_to_text(what, value)?)
}

/// Issues a `put` without awaiting it: the transaction's commit is what counts.
fn put(store: &IdbObjectStore, row: &JsValue) -> StoreResult<()> {
    store.put(row).map(drop).map_err(|e| js_error(&e))
}

// ---------------------------------------------------------------- opening --

/// Creates the stores and indexes the steps add that the database lacks;
/// checks the key paths of those it has. Runs inside the `versionchange`
/// transaction, before any data step. Every upgrade declares what all the
/// steps add (together: `SCHEMA`), not only the steps from its old version
/// on, so a database at version `n` that lacks some of its stores (one
/// another program opened empty) gets them too.
fn declare_steps(db: &IdbDatabase, tx: &IdbTransaction) -> StoreResult<()> {
    for spec in STEPS.iter().flat_map(|step| step.stores) {
        declare(db, tx, spec)?;
    }
    Ok(())
}

fn declare(db: &IdbDatabase, tx: &IdbTransaction, spec: &StoreSpec) -> StoreResult<()> {
    let store = if db.object_store_names().contains(spec.name) {
        let store = object_store(tx, spec.name)?;
        check_key_path(spec.name, store.key_path(), spec.key_path)?;
        store
    } else {
        let params = IdbObjectStoreParameters::new();
        params.set_key_path(&JsValue::from_str(spec.key_path));
        db.create_object_store_with_optional_parameters(spec.name, &params)
            .map_err(|e| js_error(&e))?
    };
    let indexes = store.index_names();
    for index in spec.indexes {
        if indexes.contains(index.name) {
            let existing = store.index(index.name).map_err(|e| js_error(&e))?;
            check_key_path(index.name, existing.key_path(), index.key_path)?;
        } else {
            store
                .create_index_with_str(index.name, index.key_path)
                .map_err(|e| js_error(&e))?;
        }
    }
    Ok(())
}

fn check_key_path(what: &str, found: Result<JsValue, JsValue>, expected: &str) -> StoreResult<()> {
    match found.ok().and_then(|path| path.as_string()) {
        Some(path) if path == expected => Ok(()),
        _ => Err(StoreError::Corrupt(format!(
            "{what} does not have the key path {expected}"
        ))),
    }
}

/// The data steps of `steps`, in order, then the schema row. Inside the
/// `versionchange` transaction, after [`declare_steps`].
async fn upgrade_data(tx: &IdbTransaction, steps: &[Step]) -> StoreResult<()> {
    for data in steps.iter().filter_map(|step| step.data.as_ref()) {
        run_data_step(tx, data).await?;
    }
    put(&object_store(tx, META)?, &to_js(&SchemaRow::current())?)
}

/// Reads every row the step reads (this transaction's own requests), runs
/// it (pure), then issues its puts without awaiting them: the upgrade
/// transaction's commit is what counts.
async fn run_data_step(tx: &IdbTransaction, data: &DataStep) -> StoreResult<()> {
    let mut read = Vec::with_capacity(data.reads.len());
    for store in data.reads {
        let all = object_store(tx, store)?
            .get_all()
            .map_err(|e| js_error(&e))?;
        let values: Array = request(all).await?.unchecked_into();
        let texts = values
            .iter()
            .map(|value| js_to_text(store, &value))
            .collect::<StoreResult<Vec<_>>>()?;
        read.push(texts);
    }
    let puts = (data.run)(read)?;
    let rows = puts
        .iter()
        .map(|p| Ok((p.store, text_to_js(&p.row)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    for (store, row) in &rows {
        put(&object_store(tx, store)?, row)?;
    }
    Ok(())
}

/// Runs the upgrade in the open request's `versionchange` transaction. A
/// failure is kept in `failure` and aborts the transaction, so the open
/// request fails and the database keeps its old version and data.
fn upgrade(request: &IdbOpenDbRequest, old_version: u32, failure: Rc<RefCell<Option<StoreError>>>) {
    let (Ok(db), Some(tx)) = (request.result(), request.transaction()) else {
        return;
    };
    let db: IdbDatabase = db.unchecked_into();
    let fail = move |tx: &IdbTransaction, error: StoreError| {
        *failure.borrow_mut() = Some(error);
        let _ = tx.abort();
    };
    // The data steps from version `old_version` on (none if the database is
    // newer than this code: opening it fails with VersionError).
    let first = STEPS
        .iter()
        .position(|step| step.from >= old_version)
        .unwrap_or(STEPS.len());
    let steps = &STEPS[first..];
    if let Err(error) = declare_steps(&db, &tx) {
        fail(&tx, error);
        return;
    }
    // Runs in this event's microtask checkpoint, while `tx` is active.
    spawn_local(async move {
        if let Err(error) = upgrade_data(&tx, steps).await {
            fail(&tx, error);
        }
    });
}

/// Opens (upgrading if needed) and returns the connection.
async fn open_connection(request: &IdbOpenDbRequest) -> StoreResult<IdbDatabase> {
    let failure: Rc<RefCell<Option<StoreError>>> = Rc::default();
    let on_upgrade = {
        let request = request.clone();
        let failure = failure.clone();
        Closure::<dyn FnMut(IdbVersionChangeEvent)>::new(move |event: IdbVersionChangeEvent| {
            upgrade(&request, event.old_version() as u32, failure.clone());
        })
    };
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));

    let mut reject: Option<Function> = None;
    let settled = Promise::new(&mut |resolve, rejected| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&rejected));
        reject = Some(rejected);
    });
    let blocked = Rc::new(Cell::new(false));
    let on_blocked = {
        let blocked = blocked.clone();
        let reject = reject.expect("Promise::new runs its executor at once");
        Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            blocked.set(true);
            let _ = reject.call0(&JsValue::UNDEFINED);
        })
    };
    request.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));

    let outcome = JsFuture::from(settled).await;
    request.set_onblocked(None);
    request.set_onerror(None);
    if blocked.get() {
        // The request stays queued. If the other tab lets go later, the
        // upgrade runs (it is complete in itself) and the connection it
        // opens is closed at once, so it never blocks anyone.
        let queued = request.clone();
        let close = Closure::once_into_js(move |_: Event| {
            if let Ok(db) = queued.result() {
                db.unchecked_into::<IdbDatabase>().close();
            }
        });
        request.set_onsuccess(Some(close.unchecked_ref()));
        on_upgrade.forget();
        return Err(StoreError::Blocked);
    }
    request.set_onsuccess(None);
    request.set_onupgradeneeded(None);
    match outcome {
        Ok(_) => request
            .result()
            .map(JsCast::unchecked_into)
            .map_err(|e| js_error(&e)),
        Err(_) => Err(failure.take().unwrap_or_else(|| open_error(request))),
    }
}

fn open_error(request: &IdbOpenDbRequest) -> StoreError {
    match dom_error(
        request.error().ok().flatten(),
        "the database could not be opened",
    ) {
        StoreError::Other(detail) => StoreError::Unavailable(detail),
        error => error,
    }
}

// ------------------------------------------------------------- the store --

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Connection {
    Open,
    /// Another tab upgraded the database.
    VersionChanged,
    /// The browser closed the connection (site data cleared, disk error).
    Closed,
}

type LostListener = Box<dyn FnOnce(StoreError)>;

struct Shared {
    state: Cell<Connection>,
    listeners: RefCell<Vec<LostListener>>,
}

impl Shared {
    fn lost(&self) -> Option<StoreError> {
        match self.state.get() {
            Connection::Open => None,
            Connection::VersionChanged => Some(StoreError::VersionChanged),
            Connection::Closed => Some(StoreError::Unavailable(
                "the browser closed the database".into(),
            )),
        }
    }

    fn end(&self, state: Connection) {
        if self.state.get() != Connection::Open {
            return;
        }
        self.state.set(state);
        let error = self.lost().expect("not open any more");
        let listeners = self.listeners.take();
        for listener in listeners {
            listener(error.clone());
        }
    }
}

/// The IndexedDB backend. One connection; dropping the store closes it.
pub struct IdbStore {
    db: IdbDatabase,
    shared: Rc<Shared>,
    _on_versionchange: Closure<dyn FnMut(Event)>,
    _on_close: Closure<dyn FnMut(Event)>,
}

impl Drop for IdbStore {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.set_onclose(None);
        self.db.close();
    }
}

impl IdbStore {
    /// Opens the database `name`, creating it or upgrading it to
    /// [`DB_VERSION`] (migrating the data in the same transaction).
    ///
    /// Errors: `Unavailable` (no IndexedDB, private mode), `Blocked` (an
    /// upgrade is needed but another tab keeps an older version open),
    /// `VersionChanged` (the database is newer than this code: reload),
    /// `Corrupt` (a store, index or row is not what this version wrote; the
    /// database is left as it was), `QuotaExceeded` (no room to upgrade).
    pub async fn open(name: &str) -> StoreResult<IdbStore> {
        let request = factory()?
            .open_with_u32(name, DB_VERSION)
            .map_err(|e| StoreError::Unavailable(js_detail(&e)))?;
        let db = open_connection(&request).await?;
        let store = IdbStore::watch(db);
        store.check_schema().await?;
        Ok(store)
    }

    fn watch(db: IdbDatabase) -> IdbStore {
        let shared = Rc::new(Shared {
            state: Cell::new(Connection::Open),
            listeners: RefCell::default(),
        });
        let ending = |state: Connection| {
            let shared = shared.clone();
            let db = db.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                // Close at once: the other tab's upgrade waits for every
                // connection. A write already running still completes.
                db.close();
                shared.end(state);
            })
        };
        let on_versionchange = ending(Connection::VersionChanged);
        let on_close = ending(Connection::Closed);
        db.set_onversionchange(Some(on_versionchange.as_ref().unchecked_ref()));
        db.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        IdbStore {
            db,
            shared,
            _on_versionchange: on_versionchange,
            _on_close: on_close,
        }
    }

    /// The database's name.
    pub fn name(&self) -> String {
        self.db.name()
    }

    /// Whether another tab upgraded the database: this connection is closed
    /// and every call answers `StoreError::VersionChanged` until reload.
    pub fn version_changed(&self) -> bool {
        self.shared.state.get() == Connection::VersionChanged
    }

    /// Why this connection is gone (`VersionChanged`, or `Unavailable` when
    /// the browser closed it), or `None` while it works.
    pub fn lost(&self) -> Option<StoreError> {
        self.shared.lost()
    }

    /// Calls `f` once when the connection is lost (at once if it already
    /// is), with the error every later call will answer. For the UI: show
    /// "reload" instead of letting the agent type into a dead form.
    pub fn on_lost(&self, f: impl FnOnce(StoreError) + 'static) {
        match self.shared.lost() {
            Some(error) => f(error),
            None => self.shared.listeners.borrow_mut().push(Box::new(f)),
        }
    }

    fn usable(&self) -> StoreResult<()> {
        self.shared.lost().map_or(Ok(()), Err)
    }

    /// A transaction over `stores`: read-write ones are `durability: "strict"`,
    /// so `complete` means flushed to disk.
    fn transaction(&self, stores: &[&str], write: bool) -> StoreResult<IdbTransaction> {
        self.usable()?;
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let created = if write {
            // The options argument is not in web-sys's stable API.
            let options = Object::new();
            let _ = Reflect::set(&options, &"durability".into(), &"strict".into());
            Reflect::get(&self.db, &"transaction".into())
                .and_then(|f| f.dyn_into::<Function>())
                .and_then(|f| f.call3(&self.db, &names, &"readwrite".into(), &options))
                .map(JsCast::unchecked_into)
        } else {
            self.db
                .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readonly)
        };
        // A connection closing under us answers InvalidStateError: report why.
        created.map_err(|e| self.shared.lost().unwrap_or_else(|| js_error(&e)))
    }

    /// Every store and index declared, with its key path, and the schema row
    /// at [`DB_VERSION`].
    async fn check_schema(&self) -> StoreResult<()> {
        let names: Vec<&str> = SCHEMA.iter().map(|s| s.name).collect();
        let tx = self.transaction(&names, false)?;
        for spec in SCHEMA {
            let store = object_store(&tx, spec.name)?;
            check_key_path(spec.name, store.key_path(), spec.key_path)?;
            for index in spec.indexes {
                let found = store.index(index.name).map_err(|e| js_error(&e))?;
                check_key_path(index.name, found.key_path(), index.key_path)?;
            }
        }
        let meta = object_store(&tx, META)?;
        let get = meta.get(&SCHEMA_KEY.into()).map_err(|e| js_error(&e))?;
        let value = request(get).await?;
        let schema: SchemaRow = if value.is_undefined() {
            return Err(StoreError::Corrupt("the schema row is missing".into()));
        } else {
            from_js("meta", &value)?
        };
        if schema.version != DB_VERSION {
            return Err(StoreError::Corrupt(format!(
                "the data is at schema v{}, the database at v{DB_VERSION}",
                schema.version
            )));
        }
        Ok(())
    }

    /// Every row of `store`, or those whose `index` equals `key`.
    async fn read_all<T: DeserializeOwned>(
        &self,
        store: &str,
        index: Option<(&str, &str)>,
    ) -> StoreResult<Vec<T>> {
        let values = self.get_all(store, index).await?;
        values.iter().map(|value| from_js(store, &value)).collect()
    }

    /// The records, all or those whose `index` equals `key`, in `seq` order.
    /// Read for speed (an app start reads every record on the device): the
    /// rows' small fields as one text per slice (`JSON.stringify` with their
    /// names as its replacer), and each body copied as the string it is,
    /// never escaped into another JSON text to be parsed back.
    async fn read_records(&self, index: Option<(&str, &str)>) -> StoreResult<Vec<WorkerRecord>> {
        let values = self.get_all(RECORDS, index).await?;
        let body = JsValue::from_str("body");
        let mut records = Vec::with_capacity(values.length() as usize);
        for slice in slices(&values) {
            let rows: Vec<RecordRow> = from_json(
                RECORDS,
                &fields_text(RECORDS, &slice, &RecordRow::INDEX_FIELDS)?,
            )?;
            for (i, mut row) in (0..).zip(rows) {
                // Not a string: left empty, and refused as unreadable below.
                row.body = string_field(&slice.get(i), &body).unwrap_or_default();
                records.push(row.into_record()?);
            }
        }
        Ok(in_seq_order(records))
    }

    /// `getAll` of `store`, or of its `index` for `key`.
    async fn get_all(&self, store: &str, index: Option<(&str, &str)>) -> StoreResult<Array> {
        let tx = self.transaction(&[store], false)?;
        let object_store = object_store(&tx, store)?;
        let req = match index {
            None => object_store.get_all(),
            Some((index, key)) => object_store
                .index(index)
                .and_then(|index| index.get_all_with_key(&key.into())),
        }
        .map_err(|e| js_error(&e))?;
        Ok(request(req).await?.unchecked_into())
    }

    /// The row of `store` with this key, if any.
    async fn read_one<T: DeserializeOwned>(
        &self,
        store: &str,
        key: &str,
    ) -> StoreResult<Option<T>> {
        let tx = self.transaction(&[store], false)?;
        let req = object_store(&tx, store)?
            .get(&key.into())
            .map_err(|e| js_error(&e))?;
        let value = request(req).await?;
        if value.is_undefined() {
            Ok(None)
        } else {
            from_js(store, &value).map(Some)
        }
    }

    /// The device key row (`keys` store): a plain object holding the
    /// non-extractable `CryptoKey`, as the structured clone gives it back.
    /// Read by `crate::device`, which alone knows its shape.
    pub async fn device_key(&self) -> StoreResult<Option<JsValue>> {
        let tx = self.transaction(&[KEYS], false)?;
        let req = object_store(&tx, KEYS)?
            .get(&DEVICE_KEY.into())
            .map_err(|e| js_error(&e))?;
        let value = request(req).await?;
        Ok((!value.is_undefined()).then_some(value))
    }

    /// Stores `row` as the device key unless one exists (another tab may
    /// have made one first), in one transaction; returns the key that is
    /// stored, once committed. `row` must have `key` = "device".
    pub async fn add_device_key(&self, row: &JsValue) -> StoreResult<JsValue> {
        let tx = self.transaction(&[KEYS], true)?;
        let keys = object_store(&tx, KEYS)?;
        let existing = request(keys.get(&DEVICE_KEY.into()).map_err(|e| js_error(&e))?).await?;
        let stored = if existing.is_undefined() {
            keys.add(row).map_err(|e| js_error(&e))?;
            row.clone()
        } else {
            existing
        };
        committed(&tx).await?;
        Ok(stored)
    }

    /// Puts already-encoded rows in one transaction; resolves once committed.
    async fn write(&self, store: &str, rows: &[JsValue]) -> StoreResult<()> {
        let tx = self.transaction(&[store], true)?;
        let target = object_store(&tx, store)?;
        for row in rows {
            if let Err(error) = put(&target, row) {
                let _ = tx.abort();
                return Err(error);
            }
        }
        committed(&tx).await
    }
}

/// Whether `bundles` holds bundle `sequence` (a request of the caller's transaction).
async fn has_bundle(bundles: &IdbObjectStore, sequence: u64) -> StoreResult<bool> {
    let key = JsValue::from_f64(sequence as f64);
    let count = request(bundles.count_with_key(&key).map_err(|e| js_error(&e))?).await?;
    Ok(count.as_f64() != Some(0.0))
}

impl Store for IdbStore {
    async fn villages(&self) -> StoreResult<Vec<Village>> {
        let rows: Vec<VillageRow> = self.read_all(VILLAGES, None).await?;
        let mut villages = rows
            .into_iter()
            .map(VillageRow::into_village)
            .collect::<StoreResult<Vec<_>>>()?;
        lindung_core::order::sort_by(&mut villages, |a, b| a.code.cmp(&b.code));
        Ok(villages)
    }

    async fn put_village(&self, village: &Village) -> StoreResult<()> {
        let row = to_js(&VillageRow::from(village))?;
        self.write(VILLAGES, &[row]).await
    }

    async fn records(&self, village: &str) -> StoreResult<Vec<WorkerRecord>> {
        self.read_records(Some((BY_VILLAGE, village))).await
    }

    async fn all_records(&self) -> StoreResult<Vec<WorkerRecord>> {
        self.read_records(None).await
    }

    async fn put_records(&self, records: &[WorkerRecord]) -> StoreResult<()> {
        let rows = records
            .iter()
            .map(|record| to_js(&RecordRow::from_record(record)?))
            .collect::<StoreResult<Vec<_>>>()?;
        if rows.is_empty() {
            return self.usable();
        }
        self.write(RECORDS, &rows).await
    }

    async fn find_nik(&self, nik: &str) -> StoreResult<Option<WorkerRecord>> {
        // The nik index holds active records only (see `RecordRow::nik`).
        let records = self.read_records(Some((BY_NIK, nik))).await?;
        Ok(records.into_iter().find(|r| r.is_active()))
    }

    async fn draft(&self, key: &str) -> StoreResult<Option<RegistrationInput>> {
        let row: Option<DraftRow> = self.read_one(DRAFTS, key).await?;
        row.map(DraftRow::into_draft).transpose()
    }

    async fn put_draft(&self, key: &str, draft: &RegistrationInput) -> StoreResult<()> {
        let row = to_js(&DraftRow::new(key, draft)?)?;
        self.write(DRAFTS, &[row]).await
    }

    async fn delete_draft(&self, key: &str) -> StoreResult<()> {
        let tx = self.transaction(&[DRAFTS], true)?;
        object_store(&tx, DRAFTS)?
            .delete(&key.into())
            .map_err(|e| js_error(&e))?;
        committed(&tx).await
    }

    async fn settings(&self) -> StoreResult<Option<Settings>> {
        let row: Option<SettingsRow> = self.read_one(SETTINGS, SETTINGS_KEY).await?;
        row.map(SettingsRow::into_settings).transpose()
    }

    async fn put_settings(&self, settings: &Settings) -> StoreResult<()> {
        let row = to_js(&SettingsRow::new(settings)?)?;
        self.write(SETTINGS, &[row]).await
    }

    async fn bundles(&self) -> StoreResult<Vec<BundleInfo>> {
        let rows: Vec<BundleRow> = self.read_all(BUNDLES, None).await?;
        // IndexedDB returns them in key order: by sequence.
        rows.into_iter().map(BundleRow::into_info).collect()
    }

    async fn add_bundle(&self, info: &BundleInfo, file: &str) -> StoreResult<()> {
        let row = to_js(&BundleRow::new(info)?)?;
        // The file (megabytes) set as the string it is, not as JSON text.
        let file_row = to_js(&BundleFileRow::new(info.sequence, ""))?;
        Reflect::set(
            &file_row,
            &JsValue::from_str("file"),
            &JsValue::from_str(file),
        )
        .map_err(|e| js_error(&e))?;
        let tx = self.transaction(&[BUNDLES, BUNDLE_FILES], true)?;
        let bundles = object_store(&tx, BUNDLES)?;
        if has_bundle(&bundles, info.sequence).await? {
            let _ = tx.abort();
            return Err(StoreError::BundleSequence(info.sequence));
        }
        let written = bundles.add(&row).and_then(|_| {
            object_store(&tx, BUNDLE_FILES)
                .map_err(|_| JsValue::NULL)?
                .add(&file_row)
        });
        if let Err(error) = written {
            let _ = tx.abort();
            return Err(js_error(&error));
        }
        committed(&tx).await
    }

    async fn update_bundle(&self, info: &BundleInfo) -> StoreResult<()> {
        let row = to_js(&BundleRow::new(info)?)?;
        let tx = self.transaction(&[BUNDLES], true)?;
        let bundles = object_store(&tx, BUNDLES)?;
        if !has_bundle(&bundles, info.sequence).await? {
            let _ = tx.abort();
            return Err(StoreError::BundleSequence(info.sequence));
        }
        put(&bundles, &row)?;
        committed(&tx).await
    }

    async fn bundle_file(&self, sequence: u64) -> StoreResult<Option<String>> {
        let tx = self.transaction(&[BUNDLE_FILES], false)?;
        let req = object_store(&tx, BUNDLE_FILES)?
            .get(&JsValue::from_f64(sequence as f64))
            .map_err(|e| js_error(&e))?;
        let value = request(req).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        // The file (megabytes) copied as the string it is; the row's other
        // fields as text (see `read_records`).
        let text = fields_text(BUNDLE_FILES, &value, &BundleFileRow::OTHER_FIELDS)?;
        let mut row: BundleFileRow = from_json(BUNDLE_FILES, &text)?;
        row.file = string_field(&value, &JsValue::from_str("file")).ok_or_else(|| {
            StoreError::Corrupt(format!("{BUNDLE_FILES} row {sequence} has no file"))
        })?;
        row.into_file().map(Some)
    }
}
