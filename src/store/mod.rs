//! Storage: one [`Store`] contract, two backends.
//!
//! - [`MemoryStore`]: in memory, every target; the reference backend.
//! - `IdbStore` (wasm32): IndexedDB through rexie.
//!
//! The same contract tests run against both (natively for memory, in headless
//! Chromium for IndexedDB). Invariants every backend keeps:
//! - a write resolves `Ok` only after it is durable (for IndexedDB: after the
//!   transaction's `complete`); the UI says "tersimpan" only then;
//! - a batch (`put_records`) is all-or-nothing, in one transaction;
//! - reads return what was last committed; nothing is cached behind the caller's back;
//! - stored shapes are their own versioned row structs, converted to and from
//!   core types, so encryption at rest can be added inside the backend.

mod memory;

pub use memory::MemoryStore;

use lindung_core::record::WorkerRecord;
use lindung_core::{Lang, RegistrationInput};
use serde::{Deserialize, Serialize};

/// A village the agent works in, with the slots the programme funds there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Village {
    /// Kemendagri code `PP.KK.CC.XXXX`.
    pub code: String,
    pub name: String,
    /// "Kec. Sungai Raya, Kabupaten Bengkayang": for display.
    pub area: String,
    /// Funded slots, from the rule pack unless the regency set another number.
    pub funded_slots: u32,
}

/// Device settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub agent_id: String,
    pub agent_name: String,
    pub lang: Lang,
    /// JSON of an imported rule pack; `None`: the shipped default pack.
    pub rule_pack: Option<String>,
}

/// What went wrong, and whether retrying can help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The device is out of space: nothing was written; the caller keeps the data.
    QuotaExceeded,
    /// Another tab upgraded the database: this tab must reload.
    VersionChanged,
    /// IndexedDB is unavailable (private mode, disabled, or broken).
    Unavailable(String),
    /// A stored row could not be read back (corrupt or from a newer version).
    Corrupt(String),
    /// Any other failure of the backend.
    Other(String),
}

impl StoreError {
    /// Fatal errors need a reload or the user's action; others may pass on retry.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, StoreError::Other(_))
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            StoreError::QuotaExceeded => lang.pick(
                "Memori HP penuh: data BELUM tersimpan, tetapi isian Anda masih ada. Hapus foto/video atau aplikasi yang tidak dipakai, lalu tekan Simpan lagi.",
                "The phone's storage is full: NOT saved yet, but what you typed is kept. Delete unused photos, videos or apps, then press Save again.",
            ).to_owned(),
            StoreError::VersionChanged => lang.pick(
                "Lindung diperbarui di tab lain. Muat ulang halaman ini untuk melanjutkan.",
                "Lindung was updated in another tab. Reload this page to continue.",
            ).to_owned(),
            StoreError::Unavailable(detail) => match lang {
                Lang::Id => format!("Penyimpanan di HP tidak dapat dipakai ({detail}). Jangan gunakan mode penyamaran."),
                Lang::En => format!("The phone's storage cannot be used ({detail}). Do not use private/incognito mode."),
            },
            StoreError::Corrupt(detail) => match lang {
                Lang::Id => format!("Data tersimpan tidak dapat dibaca: {detail}"),
                Lang::En => format!("Stored data cannot be read: {detail}"),
            },
            StoreError::Other(detail) => match lang {
                Lang::Id => format!("Gagal menyimpan: {detail}. Coba lagi."),
                Lang::En => format!("Could not save: {detail}. Try again."),
            },
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The storage contract. Async because IndexedDB is; the memory backend
/// resolves at once. Single-threaded (wasm), so no `Send` bounds.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// The agent's villages, ordered by code.
    async fn villages(&self) -> StoreResult<Vec<Village>>;
    /// Inserts or replaces a village (by code).
    async fn put_village(&self, village: &Village) -> StoreResult<()>;

    /// Every record of a village, removed ones included, in `seq` order.
    async fn records(&self, village: &str) -> StoreResult<Vec<WorkerRecord>>;
    /// Every record on the device, in `seq` order.
    async fn all_records(&self) -> StoreResult<Vec<WorkerRecord>>;
    /// Inserts or replaces records (by id) in one transaction: all or nothing.
    async fn put_records(&self, records: &[WorkerRecord]) -> StoreResult<()>;

    /// The draft saved under `key` (e.g. "new:61.07.01.2001" or "edit:<record id>").
    async fn draft(&self, key: &str) -> StoreResult<Option<RegistrationInput>>;
    async fn put_draft(&self, key: &str, draft: &RegistrationInput) -> StoreResult<()>;
    async fn delete_draft(&self, key: &str) -> StoreResult<()>;

    /// Settings, if any were saved.
    async fn settings(&self) -> StoreResult<Option<Settings>>;
    async fn put_settings(&self, settings: &Settings) -> StoreResult<()>;
}

/// Contract tests, shared by every backend: natively against [`MemoryStore`]
/// (below) and in headless Chromium against IndexedDB (`tests/store_idb.rs`
/// includes the same file).
#[cfg(test)]
mod contract_memory {
    include!("contract.rs");

    #[test]
    fn memory_store_meets_the_contract() {
        futures::executor::block_on(run_all(lindung::store::MemoryStore::default));
    }
}
