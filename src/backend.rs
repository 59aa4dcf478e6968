//! The store the app runs on: IndexedDB in the browser, memory where
//! IndexedDB cannot be opened (the app then says that nothing is kept).

use lindung_core::record::WorkerRecord;
use lindung_core::RegistrationInput;

#[cfg(target_arch = "wasm32")]
use crate::store::IdbStore;
use crate::store::{BundleInfo, MemoryStore, Settings, Store, StoreError, StoreResult, Village};

/// The database name in the browser.
#[cfg(target_arch = "wasm32")]
pub const DB_NAME: &str = "lindung";

pub enum AppStore {
    Memory(MemoryStore),
    #[cfg(target_arch = "wasm32")]
    Idb(IdbStore),
}

impl AppStore {
    /// Opens the device's database; on failure, a memory store and the reason.
    pub async fn open() -> (AppStore, Option<StoreError>) {
        #[cfg(target_arch = "wasm32")]
        {
            match IdbStore::open(DB_NAME).await {
                Ok(store) => (AppStore::Idb(store), None),
                Err(error) => (AppStore::Memory(MemoryStore::default()), Some(error)),
            }
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            (AppStore::Memory(MemoryStore::default()), None)
        }
    }

    /// Calls `f` once if the connection is lost (another tab upgraded the database).
    pub fn on_lost(&self, f: impl FnOnce(StoreError) + 'static) {
        match self {
            AppStore::Memory(_) => drop(f),
            #[cfg(target_arch = "wasm32")]
            AppStore::Idb(store) => store.on_lost(f),
        }
    }

    #[cfg(target_arch = "wasm32")]
    pub fn is_persistent(&self) -> bool {
        !matches!(self, AppStore::Memory(_))
    }
}

impl Default for AppStore {
    fn default() -> AppStore {
        AppStore::Memory(MemoryStore::default())
    }
}

/// Forwards a call to whichever backend is in use.
macro_rules! forward {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AppStore::Memory($store) => $call.await,
            #[cfg(target_arch = "wasm32")]
            AppStore::Idb($store) => $call.await,
        }
    };
}

impl Store for AppStore {
    async fn villages(&self) -> StoreResult<Vec<Village>> {
        forward!(self, s => s.villages())
    }
    async fn put_village(&self, village: &Village) -> StoreResult<()> {
        forward!(self, s => s.put_village(village))
    }
    async fn records(&self, village: &str) -> StoreResult<Vec<WorkerRecord>> {
        forward!(self, s => s.records(village))
    }
    async fn all_records(&self) -> StoreResult<Vec<WorkerRecord>> {
        forward!(self, s => s.all_records())
    }
    async fn put_records(&self, records: &[WorkerRecord]) -> StoreResult<()> {
        forward!(self, s => s.put_records(records))
    }
    async fn find_nik(&self, nik: &str) -> StoreResult<Option<WorkerRecord>> {
        forward!(self, s => s.find_nik(nik))
    }
    async fn draft(&self, key: &str) -> StoreResult<Option<RegistrationInput>> {
        forward!(self, s => s.draft(key))
    }
    async fn put_draft(&self, key: &str, draft: &RegistrationInput) -> StoreResult<()> {
        forward!(self, s => s.put_draft(key, draft))
    }
    async fn delete_draft(&self, key: &str) -> StoreResult<()> {
        forward!(self, s => s.delete_draft(key))
    }
    async fn settings(&self) -> StoreResult<Option<Settings>> {
        forward!(self, s => s.settings())
    }
    async fn put_settings(&self, settings: &Settings) -> StoreResult<()> {
        forward!(self, s => s.put_settings(settings))
    }
    async fn bundles(&self) -> StoreResult<Vec<BundleInfo>> {
        forward!(self, s => s.bundles())
    }
    async fn add_bundle(&self, info: &BundleInfo, file: &str) -> StoreResult<()> {
        forward!(self, s => s.add_bundle(info, file))
    }
    async fn update_bundle(&self, info: &BundleInfo) -> StoreResult<()> {
        forward!(self, s => s.update_bundle(info))
    }
    async fn bundle_file(&self, sequence: u64) -> StoreResult<Option<String>> {
        forward!(self, s => s.bundle_file(sequence))
    }
}
