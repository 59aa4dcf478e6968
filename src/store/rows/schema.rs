//! The schema of [`DB_VERSION`]: store and index names, key paths, and the
//! schema row in `meta`.
//!
//! | DB | stores (key path; indexes)                                       | step            |
//! |----|------------------------------------------------------------------|-----------------|
//! | 1  | records (id; village), drafts (key), settings (key), meta (key)  | 0 → 1           |
//! | 2  | + villages (code); records gains index nik                       | 1 → 2 (data)    |
//! | 3  | + bundles (sequence), bundle_files (sequence), keys (key)        | 2 → 3           |
//!
//! `keys` holds the device's signing key as a `CryptoKey` object
//! (structured clone, non-extractable), not as a JSON row: see
//! `crate::device`.

use serde::{Deserialize, Serialize};

/// The IndexedDB version this code opens, creates and migrates to: one more
/// than the last of `migrate::STEPS` starts from (a test holds them together).
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

/// An object store: its name, its key path, and indexes on it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct StoreSpec {
    pub name: &'static str,
    /// Never changed once shipped: IndexedDB cannot change a key path in place.
    pub key_path: &'static str,
    pub indexes: &'static [IndexSpec],
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct IndexSpec {
    pub name: &'static str,
    pub key_path: &'static str,
}

pub(crate) const RECORDS_BY_VILLAGE: IndexSpec = IndexSpec {
    name: BY_VILLAGE,
    key_path: "village",
};
pub(crate) const RECORDS_BY_NIK: IndexSpec = IndexSpec {
    name: BY_NIK,
    key_path: "nik",
};

/// Every store and index of [`DB_VERSION`], checked with its key path on
/// every open. The steps that created them are `migrate::STEPS`; a test
/// checks that together they declare exactly this.
pub(crate) const SCHEMA: &[StoreSpec] = &[
    StoreSpec {
        name: VILLAGES,
        key_path: "code",
        indexes: &[],
    },
    StoreSpec {
        name: RECORDS,
        key_path: "id",
        indexes: &[RECORDS_BY_VILLAGE, RECORDS_BY_NIK],
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
