//! Storage: one [`Store`] contract, two backends.
//!
//! - [`MemoryStore`]: in memory, every target; the reference backend.
//! - `IdbStore` (wasm32, `idb.rs`): IndexedDB; schema, migration steps and
//!   rows in `rows/`.
//!
//! Also wasm32-only: `lock` (one writing tab at a time, Web Locks) and
//! `health` (persistent storage, usage and quota).
//!
//! The same contract tests run against both, one test per case and backend
//! (`contract.rs`: natively for memory, in headless Chromium for IndexedDB).
//! Invariants every backend keeps:
//! - a write resolves `Ok` only after it is durable (for IndexedDB: after the
//!   transaction's `complete`); the UI says "tersimpan" only then;
//! - a batch (`put_records`) is all-or-nothing, in one transaction;
//! - reads return what was last committed; nothing is cached behind the caller's back;
//! - stored shapes are their own versioned row structs, converted field by
//!   field to and from these and the core's types, so encryption at rest can
//!   be added inside the backend and a renamed field changes nothing stored.

#[cfg(target_arch = "wasm32")]
pub mod health;
#[cfg(target_arch = "wasm32")]
mod idb;
#[cfg(target_arch = "wasm32")]
pub mod lock;
mod memory;
// Pure, so it compiles and is tested natively; only the wasm32 IdbStore uses it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod rows;

#[cfg(target_arch = "wasm32")]
pub use idb::IdbStore;
pub use memory::MemoryStore;
pub use rows::DB_VERSION;

use crate::texts::app as tr;
use lindung_core::export::{SentRecord, VillageSummary};
use lindung_core::outbox::Delivery;
use lindung_core::record::WorkerRecord;
use lindung_core::{Lang, RegistrationInput, Timestamp};
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

/// Device settings. Members added after the first version have defaults,
/// so settings stored before them read as before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub agent_id: String,
    pub agent_name: String,
    pub lang: Lang,
    /// JSON of an imported rule pack; `None`: the shipped default pack.
    pub rule_pack: Option<String>,
    /// The district server's address (`https://lindung.example.go.id`);
    /// `None`: the app's own origin, if it is a district server.
    #[serde(default)]
    pub server_url: Option<String>,
    /// The district key's kid, pinned at the first contact: documents
    /// signed by another key are refused.
    #[serde(default)]
    pub district_kid: Option<String>,
    /// Whether the app makes and sends bundles by itself when online.
    #[serde(default = "yes")]
    pub auto_send: bool,
    /// The last time the district was reached and answered.
    #[serde(default)]
    pub last_sync: Option<Timestamp>,
    /// The district's last signed word about this device, kept so that
    /// its notes on records show offline too (record ids and codes only,
    /// no names or NIKs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district_state: Option<lindung_core::sync::DeviceState>,
    /// Every switch to a rule pack the district offered, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pack_switches: Vec<PackSwitch>,
}

/// The agent took the district's rule pack `to` in place of `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackSwitch {
    pub at: Timestamp,
    pub agent_id: String,
    pub from: lindung_core::sync::PackRef,
    pub to: lindung_core::sync::PackRef,
}

fn yes() -> bool {
    true
}

impl Settings {
    /// Whether the agent's name and id are both set: nothing is saved or
    /// exported without them.
    pub fn has_agent(&self) -> bool {
        !self.agent_id.trim().is_empty() && !self.agent_name.trim().is_empty()
    }

    /// Settings of a new device, in `lang`.
    pub fn new(lang: Lang) -> Settings {
        Settings {
            agent_id: String::new(),
            agent_name: String::new(),
            lang,
            rule_pack: None,
            server_url: None,
            district_kid: None,
            auto_send: true,
            last_sync: None,
            district_state: None,
            pack_switches: Vec::new(),
        }
    }
}

/// Where a bundle is on its way to the district office.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleState {
    /// Made and signed; not yet downloaded or shared.
    Made,
    /// Downloaded or shared at least once (the agent still has to hand it in).
    Exported,
    /// The agent marked it as received by the district office.
    Delivered,
}

/// A bundle the device made. The file itself (the signed JWS, kept byte for
/// byte so that exporting again gives the identical file) is stored apart
/// and read only when exported: see [`Store::bundle_file`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleInfo {
    /// 1, 2, 3... per device key.
    pub sequence: u64,
    pub bundle_id: String,
    /// The signing key's id (RFC 7638 thumbprint).
    pub kid: String,
    pub created_at: Timestamp,
    /// SHA-256 of the JWS signing input: the next bundle's `previous`.
    pub chain_hash: String,
    pub state: BundleState,
    /// Last download or share.
    pub exported_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    /// Size of the file, in bytes.
    pub bytes: u64,
    /// Per village, what it carries.
    pub villages: Vec<VillageSummary>,
    /// Every (record id, revision) it carries: what the next bundle skips.
    pub contents: Vec<SentRecord>,
    /// Where it stands on its way to the district server (the outbox);
    /// `None` for bundles stored before the outbox, which are queued unless
    /// they were marked as handed in.
    #[serde(default)]
    pub delivery: Option<Delivery>,
}

impl BundleInfo {
    /// The bundle was downloaded or shared at `now`: it left the phone. A
    /// bundle the office already received stays received.
    pub fn handed_over(&mut self, now: Timestamp) {
        self.exported_at = Some(now);
        if self.state == BundleState::Made {
            self.state = BundleState::Exported;
        }
    }

    /// The agent says the district office received the file at `now`.
    pub fn received(&mut self, now: Timestamp) {
        self.delivered_at = Some(now);
        self.state = BundleState::Delivered;
    }

    /// Whether "Tandai sudah diterima kantor" applies: a file not yet marked
    /// as received, and not delivered by the server (its signed receipt says
    /// so already). `delivery` is the outbox state shown, if a server is known.
    pub fn may_mark_received(&self, delivery: Option<&Delivery>) -> bool {
        self.state != BundleState::Delivered && !delivery.is_some_and(Delivery::is_delivered)
    }

    /// When the bundle left the phone (downloaded, shared or handed in);
    /// `None` while it is only on the phone.
    pub fn left_phone_at(&self) -> Option<Timestamp> {
        let by_hand = match self.state {
            BundleState::Made => None,
            BundleState::Exported | BundleState::Delivered => {
                self.exported_at.or(self.delivered_at)
            }
        };
        // Received by the district server, on its signed receipt.
        let by_server = match &self.delivery {
            Some(Delivery::Delivered { received_ms, .. }) => {
                Some(Timestamp::from_millis(*received_ms))
            }
            _ => None,
        };
        match (by_hand, by_server) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// What went wrong, and whether retrying can help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The device is out of space: nothing was written; the caller keeps the data.
    QuotaExceeded,
    /// Another tab upgraded the database (or it is newer than this code):
    /// this tab must reload.
    VersionChanged,
    /// Opening needs an upgrade, but another tab still has the database open
    /// at an older version and does not let go.
    Blocked,
    /// IndexedDB is unavailable (private mode, disabled, or broken).
    Unavailable(String),
    /// A stored row could not be read back (corrupt or from a newer version).
    Corrupt(String),
    /// A bundle with this sequence exists (when adding) or does not (when
    /// updating). Nothing was written.
    BundleSequence(u64),
    /// Any other failure of the backend.
    Other(String),
}

impl StoreError {
    /// Fatal errors need a reload or the user's action; others may pass on retry.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, StoreError::Other(_) | StoreError::BundleSequence(_))
    }

    /// The error for an IndexedDB `DOMException`, by its `name`. `message` is
    /// the browser's text (it names operations, never stored values).
    pub fn from_dom_exception(name: &str, message: &str) -> StoreError {
        match name {
            "QuotaExceededError" => StoreError::QuotaExceeded,
            // The database is at a higher version than this code knows.
            "VersionError" => StoreError::VersionChanged,
            // Thrown where IndexedDB cannot be used at all (sandboxed frames,
            // some private modes).
            "SecurityError" | "NotAllowedError" => {
                StoreError::Unavailable(format!("{name}: {message}"))
            }
            // A store or index this code declares is missing.
            "NotFoundError" => StoreError::Corrupt(format!("{name}: {message}")),
            _ => StoreError::Other(format!("{name}: {message}")),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            StoreError::QuotaExceeded => tr::STORAGE_FULL.get(lang).to_owned(),
            StoreError::VersionChanged => tr::LINDUNG_UPDATED_ANOTHER_TAB.get(lang).to_owned(),
            StoreError::Blocked => tr::OLDER_LINDUNG_STILL_OPEN.get(lang).to_owned(),
            StoreError::Unavailable(detail) => tr::storage_unavailable(lang, detail),
            StoreError::Corrupt(detail) => tr::stored_data_unreadable(lang, detail),
            StoreError::BundleSequence(sequence) => tr::bundle_sequence_mismatch(lang, *sequence),
            StoreError::Other(detail) => tr::could_not_save(lang, detail),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The order every backend returns records in: `seq`, then id.
pub(crate) fn in_seq_order(mut records: Vec<WorkerRecord>) -> Vec<WorkerRecord> {
    lindung_core::order::sort_by(&mut records, |a, b| {
        (a.seq(), a.id().as_str()).cmp(&(b.seq(), b.id().as_str()))
    });
    records
}

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
    /// Within a batch, a later record with the same id wins.
    async fn put_records(&self, records: &[WorkerRecord]) -> StoreResult<()>;
    /// The active record with this NIK anywhere on the device (the 16 digits,
    /// as `Nik::as_str` gives them), for the device-wide duplicate check.
    /// Removed records are never returned. If several active records share
    /// the NIK (which the app does not write), the first in `seq` order.
    async fn find_nik(&self, nik: &str) -> StoreResult<Option<WorkerRecord>>;

    /// The draft saved under `key` (e.g. "new:61.07.01.2001" or "edit:<record id>").
    async fn draft(&self, key: &str) -> StoreResult<Option<RegistrationInput>>;
    async fn put_draft(&self, key: &str, draft: &RegistrationInput) -> StoreResult<()>;
    async fn delete_draft(&self, key: &str) -> StoreResult<()>;

    /// Settings, if any were saved.
    async fn settings(&self) -> StoreResult<Option<Settings>>;
    async fn put_settings(&self, settings: &Settings) -> StoreResult<()>;

    /// Every bundle made on the device, by sequence (files not included).
    async fn bundles(&self) -> StoreResult<Vec<BundleInfo>>;
    /// Stores a new bundle and its file in one transaction. Refused, with
    /// nothing written, if a bundle with this sequence exists: a sequence
    /// is never reused (the district would see a conflict).
    async fn add_bundle(&self, info: &BundleInfo, file: &str) -> StoreResult<()>;
    /// Replaces the info of an existing bundle (its state); the file and
    /// what the bundle carries never change. Refused if there is none.
    async fn update_bundle(&self, info: &BundleInfo) -> StoreResult<()>;
    /// The file of bundle `sequence`, exactly as it was signed.
    async fn bundle_file(&self, sequence: u64) -> StoreResult<Option<String>>;
}

/// Contract tests, shared by every backend: natively against [`MemoryStore`]
/// (below, one `#[test]` per case) and in headless Chromium against
/// IndexedDB (`tests/store_idb.rs` includes the same file).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod memory_contract {
    include!("contract.rs");

    contract_tests!(std::future::ready(lindung::store::MemoryStore::default()));
}

#[cfg(test)]
mod tests {
    use super::{BundleInfo, BundleState, StoreError};
    use lindung_core::outbox::Delivery;
    use lindung_core::Timestamp;

    fn info(state: BundleState) -> BundleInfo {
        BundleInfo {
            sequence: 1,
            bundle_id: "0b6c41d2-0000-4000-8000-000000000001".into(),
            kid: "kid".into(),
            created_at: Timestamp::from_millis(500),
            chain_hash: "hash".into(),
            state,
            exported_at: None,
            delivered_at: None,
            bytes: 2_048,
            villages: Vec::new(),
            contents: Vec::new(),
            delivery: None,
        }
    }

    #[test]
    fn a_bundle_is_handed_over_then_received() {
        let (t1, t2) = (Timestamp::from_millis(1_000), Timestamp::from_millis(2_000));
        // (state before, action) -> state after
        type Action = fn(&mut BundleInfo, Timestamp);
        let cases: [(BundleState, Action, BundleState); 6] = [
            (
                BundleState::Made,
                BundleInfo::handed_over,
                BundleState::Exported,
            ),
            (
                BundleState::Exported,
                BundleInfo::handed_over,
                BundleState::Exported,
            ),
            // Downloaded again after it was received: still received.
            (
                BundleState::Delivered,
                BundleInfo::handed_over,
                BundleState::Delivered,
            ),
            (
                BundleState::Made,
                BundleInfo::received,
                BundleState::Delivered,
            ),
            (
                BundleState::Exported,
                BundleInfo::received,
                BundleState::Delivered,
            ),
            (
                BundleState::Delivered,
                BundleInfo::received,
                BundleState::Delivered,
            ),
        ];
        for (before, action, after) in cases {
            let mut bundle = info(before);
            action(&mut bundle, t1);
            assert_eq!(bundle.state, after, "{before:?}");
        }
        let mut bundle = info(BundleState::Made);
        assert_eq!(bundle.left_phone_at(), None);
        bundle.handed_over(t2);
        assert_eq!(bundle.left_phone_at(), Some(t2));
        bundle.received(t1);
        assert_eq!(
            (bundle.exported_at, bundle.delivered_at),
            (Some(t2), Some(t1))
        );
    }

    #[test]
    fn only_a_file_not_yet_received_may_be_marked_received() {
        let queued = Delivery::new_queued(0);
        let delivered = Delivery::Delivered {
            pending: false,
            received_ms: 1_500,
            quarantined: Vec::new(),
            receipt: String::new(),
        };
        let cases = [
            (BundleState::Made, None, true),
            (BundleState::Exported, None, true),
            (BundleState::Delivered, None, false),
            (BundleState::Exported, Some(&queued), true),
            // The server's receipt says it arrived: nothing to mark.
            (BundleState::Made, Some(&delivered), false),
        ];
        for (state, delivery, may) in cases {
            assert_eq!(info(state).may_mark_received(delivery), may, "{state:?}");
        }
    }

    #[test]
    fn dom_exceptions_map_to_store_errors_by_name() {
        let check = |name: &str, expected: StoreError| {
            assert_eq!(
                StoreError::from_dom_exception(name, "m"),
                expected,
                "{name}"
            );
        };
        check("QuotaExceededError", StoreError::QuotaExceeded);
        check("VersionError", StoreError::VersionChanged);
        check(
            "SecurityError",
            StoreError::Unavailable("SecurityError: m".into()),
        );
        check(
            "NotFoundError",
            StoreError::Corrupt("NotFoundError: m".into()),
        );
        check("UnknownError", StoreError::Other("UnknownError: m".into()));
        check("AbortError", StoreError::Other("AbortError: m".into()));
    }

    #[test]
    fn only_other_errors_are_worth_a_retry() {
        assert!(!StoreError::Other("x".into()).is_fatal());
        for fatal in [
            StoreError::QuotaExceeded,
            StoreError::VersionChanged,
            StoreError::Blocked,
            StoreError::Unavailable("x".into()),
            StoreError::Corrupt("x".into()),
        ] {
            assert!(fatal.is_fatal(), "{fatal:?}");
        }
    }
}
