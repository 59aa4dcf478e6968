//! The district register: device keys (agents), the bundles they sent, the
//! villages and the merged worker records, with the district's judgement of
//! each, in SQLite (one file, the default) or PostgreSQL (one database that
//! several district processes share).
//!
//! The register's logic is written once, here and in [`merge`], against the
//! [`Tx`] trait: one transaction of either backend ([`sqlite`],
//! [`postgres`]). The backends only run SQL.
//!
//! Invariants:
//! - The schema moves forward only by explicit, versioned steps; every
//!   command except `init` refuses a register at another version.
//! - A bundle is judged first ([`crate::judgement::decide`]: the same order
//!   for `verify --db`, `ingest` and the server), then everything it changes
//!   happens in one transaction (or one savepoint of a group's transaction,
//!   [`Register::ingest_group`]): it merges entirely or not at all. A
//!   rejected bundle changes nothing.
//! - A stored bundle is unique by (kid, sequence) in the database itself
//!   (primary key): two processes storing the same bundle at once store it
//!   once, and the loser finds it stored ([`IngestOutcome::AlreadyIngested`]
//!   or a conflict).
//! - Every record of a merged bundle is judged again by the core
//!   ([`lindung_core::judge`]) against the district's current rule pack.
//!   Records that fail are quarantined (kept with their codes, counted in no
//!   report); a record id belongs to the device that first sent it, and
//!   another device's change to it is quarantined without touching it.
//! - Registration order is the district's: each record's claimed time is
//!   clamped between the device's previous bundle (or its enrolment) and
//!   this bundle's arrival, then ties go by order of arrival.
//! - Records are never deleted by a device: a removal marks the record
//!   removed. Only an officer's withdrawal of a bundle takes its effect out,
//!   and the bundle stays stored for audit.
//! - Missing sequences are never stored: they are derived from the stored
//!   bundles, so a late bundle closes or narrows its gap by being stored.

mod bulk;
mod device;
mod files;
mod merge;
mod migrate;
pub mod postgres;
mod read;
mod schema;
pub mod sqlite;

use std::fmt;
use std::path::{Path, PathBuf};

use lindung_core::bundle::sha256_b64url;
use lindung_core::{RulePack, Timestamp};

pub use crate::judgement::{
    chain_break, missing_ranges, ranges_count, ranges_text, ChainSide, Link, Rejection, Source,
};
pub use device::{DeviceDuplicate, DeviceFacts, DeviceStanding, StoredReceipt};
pub(crate) use files::Prejudged;
pub use files::{Checked, Packed};
pub(crate) use merge::preview_alone;
pub use merge::Withdrawal;
pub use migrate::{migrate, Moved};
pub use read::{
    ActiveRecord, AgentRow, DuplicateRow, QuarantineReport, QuarantinedBundle, QuarantinedRecord,
    ReportData,
};
pub use schema::SCHEMA_VERSION;

/// Where a register lives, as `--db` names it: a file path (SQLite) or a
/// `postgres://` / `postgresql://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// A `--db` value: a PostgreSQL URL, or else a SQLite file path.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }
}

impl fmt::Display for Location {
    /// The path, or the URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&postgres::redacted(url)),
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::Sqlite(path.to_owned())
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Location {
        Location::Sqlite(path.clone())
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Location {
        Location::Sqlite(path)
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Location {
        location.clone()
    }
}

/// A failure of the register itself (not of a bundle): the command stops.
#[derive(Debug)]
pub enum RegisterError {
    Sqlite(rusqlite::Error),
    Postgres(String),
    /// The database holds tables but no schema version: not a register.
    NotARegister,
    /// Written by a newer `district`.
    TooNew {
        found: i64,
    },
    /// Needs `district init` to migrate.
    TooOld {
        found: i64,
    },
    NoSuchAgent(String),
    AgentExists(String),
    NoSuchBundle {
        kid: String,
        sequence: u64,
    },
    AlreadyWithdrawn {
        kid: String,
        sequence: u64,
    },
    /// A stored bundle file that does not decompress or verify: the
    /// register is damaged.
    StoredBundle {
        kid: String,
        sequence: u64,
    },
    /// The stored rule pack does not parse (a damaged register).
    StoredPack(String),
    /// A rule pack to publish that the core refuses.
    Pack(Vec<String>),
    /// `migrate` into a register that already holds data.
    TargetNotEmpty,
    /// A file the register needs could not be read or written.
    File(String),
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Sqlite(e) => write!(f, "register: {e}"),
            RegisterError::Postgres(e) => write!(f, "register (PostgreSQL): {e}"),
            RegisterError::NotARegister => f.write_str("the database is not a district register"),
            RegisterError::TooNew { found } => write!(
                f,
                "the register has schema version {found}, newer than this district \
                 ({SCHEMA_VERSION}); use a newer district"
            ),
            RegisterError::TooOld { found } => write!(
                f,
                "the register has schema version {found}; run `district init` to migrate \
                 it to {SCHEMA_VERSION}"
            ),
            RegisterError::NoSuchAgent(kid) => write!(f, "no agent with kid {kid}"),
            RegisterError::AgentExists(kid) => write!(
                f,
                "an agent with kid {kid} is already in the register (see `agents list`)"
            ),
            RegisterError::NoSuchBundle { kid, sequence } => {
                write!(f, "the register has no bundle {sequence} of {kid}")
            }
            RegisterError::AlreadyWithdrawn { kid, sequence } => write!(
                f,
                "bundle {sequence} of {kid} is already withdrawn (see `quarantine list`)"
            ),
            RegisterError::StoredBundle { kid, sequence } => write!(
                f,
                "the stored copy of bundle {sequence} of {kid} is damaged; restore the \
                 register from a backup, or ingest the file again into a new register"
            ),
            RegisterError::StoredPack(e) => write!(f, "the register's rule pack is damaged: {e}"),
            RegisterError::Pack(problems) => {
                write!(f, "rule pack rejected:\n{}", problems.join("\n"))
            }
            RegisterError::File(e) => f.write_str(e),
            RegisterError::TargetNotEmpty => f.write_str(
                "the target register already holds agents or bundles; migrate into a new one",
            ),
        }
    }
}

impl std::error::Error for RegisterError {}

impl From<rusqlite::Error> for RegisterError {
    fn from(e: rusqlite::Error) -> Self {
        RegisterError::Sqlite(e)
    }
}

pub type Result<T, E = RegisterError> = std::result::Result<T, E>;

/// What `init` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitOutcome {
    Created,
    Migrated { from: i64 },
    UpToDate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentStatus {
    Pending,
    Approved,
    Revoked,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Pending => "pending",
            AgentStatus::Approved => "approved",
            AgentStatus::Revoked => "revoked",
        }
    }

    pub(crate) fn from_db(text: &str) -> AgentStatus {
        match text {
            "approved" => AgentStatus::Approved,
            "revoked" => AgentStatus::Revoked,
            // The CHECK constraint allows nothing else.
            _ => AgentStatus::Pending,
        }
    }
}

/// A record the district quarantined from one bundle: which, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quarantined {
    pub village: String,
    pub record_id: String,
    pub revision: u32,
    /// Stable codes (`nik.length`, `reg.age_out_of_window`,
    /// `record.other_device`, ...), in the order the core found them.
    pub codes: Vec<String>,
}

/// What happened to one bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IngestOutcome {
    Merged {
        kid: String,
        sequence: u64,
        /// Records that changed the register (quarantined ones included).
        applied: usize,
        /// Records at a revision the register already has or passed.
        ignored: usize,
        /// Records the district did not accept, with their codes.
        quarantined: Vec<Quarantined>,
        /// The device's sequences still missing after this merge, as runs
        /// (first, last); empty when none are.
        missing: Vec<(u64, u64)>,
        /// What the district found about the bundle's rule pack, if anything
        /// (`pack.digest_mismatch`, `pack.unknown`): a note, never a refusal.
        pack_note: Option<&'static str>,
    },
    AlreadyIngested {
        kid: String,
        sequence: u64,
    },
    /// Stored, not merged, until `agents approve`.
    Pending {
        kid: String,
        sequence: u64,
    },
    Rejected(Rejection),
}

/// The district's current rule pack, as the register holds it.
#[derive(Clone, Debug)]
pub struct StoredPack {
    pub pack: RulePack,
    /// Base64url SHA-256 of the pack file's bytes.
    pub digest: String,
}

impl StoredPack {
    /// The built-in pack, with the digest of its file as shipped.
    pub fn builtin() -> StoredPack {
        StoredPack {
            pack: RulePack::default_pack(),
            digest: sha256_b64url(RulePack::default_json().as_bytes()),
        }
    }
}

/// One transaction on the register, whatever the backend. Every method runs
/// inside it; nothing is visible to others before the runner commits.
pub(crate) trait Tx: read::Reads {
    // --- agents
    fn agent(&mut self, kid: &str) -> Result<Option<(AgentStatus, Option<i64>)>>;
    /// Inserts an agent unless its kid is there; whether it was inserted.
    fn insert_agent(&mut self, row: &AgentInsert<'_>) -> Result<bool>;
    fn set_agent_status(&mut self, kid: &str, status: AgentStatus) -> Result<bool>;
    /// Serializes the transactions of one device across processes until
    /// this transaction ends (the chain is checked against neighbours).
    fn lock_device(&mut self, kid: &str) -> Result<()>;
    /// Marks a point this transaction can go back to ([`Tx::rollback_to`])
    /// or keep ([`Tx::release`]): one bundle of several in one transaction.
    /// One savepoint at a time.
    fn savepoint(&mut self) -> Result<()>;
    fn release(&mut self) -> Result<()>;
    /// Undoes everything since the savepoint, and ends it.
    fn rollback_to(&mut self) -> Result<()>;

    // --- bundles
    fn link(&mut self, kid: &str, sequence: i64, merged_only: bool) -> Result<Option<Link>>;
    fn sequences(&mut self, kid: &str) -> Result<Vec<u64>>;
    /// The latest time a bundle of `kid` with a lower sequence arrived.
    fn latest_receipt_before(&mut self, kid: &str, sequence: i64) -> Result<Option<i64>>;
    /// The device's enrolment time (from [`Tx::agent`]) and
    /// [`Tx::latest_receipt_before`], in one request where the backend
    /// gains by it.
    fn floor_times(&mut self, kid: &str, sequence: i64) -> Result<(Option<i64>, Option<i64>)> {
        let enrolled = self.agent(kid)?.and_then(|(_, added)| added);
        Ok((enrolled, self.latest_receipt_before(kid, sequence)?))
    }
    /// Stores a bundle unless (kid, sequence) is there (the primary key
    /// decides); its arrival number if it was stored.
    fn insert_bundle(&mut self, row: &BundleInsert<'_>) -> Result<Option<i64>>;
    fn bundle_meta(&mut self, kid: &str, sequence: i64) -> Result<Option<BundleMeta>>;
    fn set_bundle_merged(&mut self, kid: &str, sequence: i64) -> Result<()>;
    fn bundle_bytes(&mut self, kid: &str, sequence: i64) -> Result<Option<(String, Vec<u8>)>>;
    /// Sequences of `kid`'s merged bundles that are not withdrawn.
    fn merged_sequences(&mut self, kid: &str) -> Result<Vec<i64>>;
    fn pending_sequences(&mut self, kid: &str) -> Result<Vec<i64>>;
    fn withdraw_bundle(&mut self, kid: &str, sequence: i64, at: i64, reason: &str) -> Result<()>;
    /// Removes a pending bundle that cannot merge.
    fn delete_bundle(&mut self, kid: &str, sequence: i64) -> Result<()>;

    // --- villages and records
    fn insert_village(&mut self, code: &str, name: &str, declared_slots: u32) -> Result<()>;
    /// Inserts a record unless (village, record id) is there; whether it was.
    fn insert_record(&mut self, row: &RecordRow<'_>) -> Result<bool>;
    /// [`Tx::insert_record`] of each row, as one request where the backend
    /// gains by it (PostgreSQL: one statement, not a round trip per row);
    /// whether each row was inserted. The rows' keys must differ.
    fn insert_records(&mut self, rows: &[RecordRow<'_>]) -> Result<Vec<bool>> {
        rows.iter().map(|row| self.insert_record(row)).collect()
    }
    fn record_head(&mut self, village: &str, record_id: &str) -> Result<Option<RecordHead>>;
    /// Replaces a record's content; its owner, registration time and
    /// arrival stay.
    fn update_record(&mut self, row: &RecordRow<'_>) -> Result<()>;
    fn delete_record(&mut self, village: &str, record_id: &str) -> Result<()>;
    /// (village, record id) of the records whose current revision came
    /// from this bundle.
    fn records_from(&mut self, kid: &str, sequence: i64) -> Result<Vec<(String, String)>>;
    fn insert_quarantine(&mut self, kid: &str, sequence: i64, row: &Quarantined) -> Result<()>;
    /// [`Tx::insert_quarantine`] of each row in order, as one request where
    /// the backend gains by it.
    fn insert_quarantines(&mut self, kid: &str, sequence: i64, rows: &[Quarantined]) -> Result<()> {
        rows.iter()
            .try_for_each(|row| self.insert_quarantine(kid, sequence, row))
    }

    // --- the rule pack
    fn current_pack(&mut self) -> Result<Option<(String, String)>>;
    fn known_pack(&mut self, id: &str, version: &str) -> Result<Vec<String>>;
    fn publish_pack(&mut self, row: &PackInsert<'_>) -> Result<()>;

    // --- migrate
    /// Whether the register holds no agents and no bundles.
    fn is_empty(&mut self) -> Result<bool>;
    fn dump(&mut self) -> Result<migrate::Dump>;
    /// Loads `dump` into an empty register, replacing its rule packs.
    fn load(&mut self, dump: &migrate::Dump) -> Result<()>;
}

pub(crate) struct AgentInsert<'a> {
    pub kid: &'a str,
    pub name: &'a str,
    pub agent_id: Option<&'a str>,
    pub status: AgentStatus,
    pub added_ms: i64,
}

pub(crate) struct BundleInsert<'a> {
    pub kid: &'a str,
    pub sequence: i64,
    pub hash: &'a str,
    pub previous: Option<&'a str>,
    pub bundle_id: &'a str,
    /// `pending` or `merged`.
    pub state: &'a str,
    pub packed: &'a Packed,
    pub received_ms: i64,
    pub floor_ms: i64,
    pub pack_note: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BundleMeta {
    pub received_ms: i64,
    pub floor_ms: i64,
    pub arrival: i64,
    pub merged: bool,
    pub withdrawn: bool,
}

/// A record's columns as the register stores them.
pub(crate) struct RecordRow<'a> {
    pub village: &'a str,
    pub record_id: &'a str,
    pub revision: u32,
    pub removed: bool,
    pub nik: &'a str,
    pub name: &'a str,
    pub birth_date: String,
    pub sex: &'a str,
    pub segment: &'a str,
    pub category: &'a str,
    pub funding_source: &'a str,
    pub with_jht: bool,
    /// The device's view of it (`funded`, ...): provisional.
    pub status: &'a str,
    /// The creation time the device claims.
    pub created_ms: i64,
    /// The district's registration time (clamped).
    pub registered_ms: i64,
    pub arrival: i64,
    pub pack_id: &'a str,
    pub pack_version: &'a str,
    pub kid: &'a str,
    pub sequence: i64,
    /// Quarantine codes joined with `,`; `None` when accepted.
    pub quarantine: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecordHead {
    pub kid: String,
    pub revision: u32,
    pub registered_ms: i64,
}

pub(crate) struct PackInsert<'a> {
    pub digest: &'a str,
    pub id: &'a str,
    pub version: &'a str,
    pub json: &'a str,
    pub added_ms: i64,
}

/// Whether a transaction is only read (`verify --db`, reports) or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Read,
    Write,
}

/// A transaction's work: `Ok(true)` commits, `Ok(false)` rolls back. The
/// runner may run it again when the database says the transaction lost a
/// race (PostgreSQL), so it must start from what it reads.
pub(crate) type Work<'w> = &'w mut dyn FnMut(&mut dyn Tx) -> Result<bool>;

/// A register backend: runs transactions.
pub(crate) trait Backend: Send {
    fn run(&mut self, mode: Mode, work: Work<'_>) -> Result<()>;
    /// Until [`Backend::end_bulk`], transactions may run faster and less
    /// durably (SQLite: [`bulk`]); after it, every commit is durable. Only
    /// speed depends on these: any real trouble shows in the transactions.
    fn begin_bulk(&mut self) {}
    fn end_bulk(&mut self) {}
    /// Settings for a long-running server's connection; every commit stays
    /// durable (SQLite: [`bulk::serving`]).
    fn serving(&mut self) {}
}

/// The district register, on either backend.
pub struct Register {
    backend: Box<dyn Backend>,
    /// The current rule pack, read once per open.
    pack: Option<StoredPack>,
}

impl Register {
    /// Creates the register at `location` with the built-in rule pack, or
    /// brings an existing one to [`SCHEMA_VERSION`]; on an up-to-date
    /// register it changes nothing.
    pub fn init(location: impl Into<Location>) -> Result<(Register, InitOutcome)> {
        Register::init_with(location, Timestamp::from_millis(0))
    }

    /// [`Register::init`] at `now`: the time a new register's built-in pack
    /// is published, and the enrolment and receipt time a migration to
    /// schema 4 gives what was stored before it.
    pub fn init_with(
        location: impl Into<Location>,
        now: Timestamp,
    ) -> Result<(Register, InitOutcome)> {
        let location = location.into();
        let (backend, outcome): (Box<dyn Backend>, _) = match &location {
            Location::Sqlite(path) => {
                let (backend, outcome) = sqlite::Sqlite::init(path, now.millis())?;
                (Box::new(backend), outcome)
            }
            Location::Postgres(url) => {
                let (backend, outcome) = postgres::Postgres::init(url)?;
                (Box::new(backend), outcome)
            }
        };
        let mut register = Register {
            backend,
            pack: None,
        };
        if register.stored_pack()?.is_none() {
            let builtin = RulePack::default_json();
            register.publish_pack(builtin, now)?;
        }
        Ok((register, outcome))
    }

    /// Opens an existing register at [`SCHEMA_VERSION`].
    pub fn open(location: impl Into<Location>) -> Result<Register> {
        let backend: Box<dyn Backend> = match location.into() {
            Location::Sqlite(path) => Box::new(sqlite::Sqlite::open(&path, false)?),
            Location::Postgres(url) => Box::new(postgres::Postgres::open(&url, false)?),
        };
        Ok(Register {
            backend,
            pack: None,
        })
    }

    /// Opens an existing register for reading only: the database refuses
    /// every write on this connection (`verify --db`, `bundle`).
    pub fn open_read_only(location: impl Into<Location>) -> Result<Register> {
        let backend: Box<dyn Backend> = match location.into() {
            Location::Sqlite(path) => Box::new(sqlite::Sqlite::open(&path, true)?),
            Location::Postgres(url) => Box::new(postgres::Postgres::open(&url, true)?),
        };
        Ok(Register {
            backend,
            pack: None,
        })
    }

    pub(crate) fn run<T>(
        &mut self,
        mode: Mode,
        mut work: impl FnMut(&mut dyn Tx) -> Result<(T, bool)>,
    ) -> Result<T> {
        let mut out = None;
        self.backend.run(mode, &mut |tx| {
            let (value, commit) = work(tx)?;
            out = Some(value);
            Ok(commit)
        })?;
        Ok(out.expect("a transaction that returned Ok ran its work"))
    }

    /// The district's current rule pack (the built-in one until another is
    /// published).
    pub fn pack(&mut self) -> Result<StoredPack> {
        match self.stored_pack()? {
            Some(pack) => Ok(pack),
            None => Ok(StoredPack::builtin()),
        }
    }

    fn stored_pack(&mut self) -> Result<Option<StoredPack>> {
        if let Some(pack) = &self.pack {
            return Ok(Some(pack.clone()));
        }
        let Some((digest, json)) = self.run(Mode::Read, |tx| Ok((tx.current_pack()?, false)))?
        else {
            return Ok(None);
        };
        let pack = RulePack::from_json(&json).map_err(|problems| {
            RegisterError::StoredPack(
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let stored = StoredPack { pack, digest };
        self.pack = Some(stored.clone());
        Ok(Some(stored))
    }

    /// Makes the pack in `json` the district's current rule pack, after the
    /// core checked it. Bundles merged from now on are judged with it.
    pub fn publish_pack(&mut self, json: &str, at: Timestamp) -> Result<StoredPack> {
        let pack = RulePack::from_json(json).map_err(|problems| {
            RegisterError::Pack(problems.iter().map(ToString::to_string).collect())
        })?;
        let digest = sha256_b64url(json.as_bytes());
        let row = PackInsert {
            digest: &digest,
            id: pack.id(),
            version: pack.version(),
            json,
            added_ms: at.millis(),
        };
        self.run(Mode::Write, |tx| {
            tx.publish_pack(&row)?;
            Ok(((), true))
        })?;
        let stored = StoredPack { pack, digest };
        self.pack = Some(stored.clone());
        Ok(stored)
    }

    /// Adds a device key an agent showed the office: approved at once.
    /// `at` is its enrolment: no record of it is ordered before then.
    pub fn add_agent(
        &mut self,
        kid: &str,
        name: &str,
        agent_id: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        let row = AgentInsert {
            kid,
            name,
            agent_id,
            status: AgentStatus::Approved,
            added_ms: at.millis(),
        };
        let inserted = self.run(Mode::Write, |tx| {
            let inserted = tx.insert_agent(&row)?;
            Ok((inserted, inserted))
        })?;
        if !inserted {
            return Err(RegisterError::AgentExists(kid.to_owned()));
        }
        Ok(())
    }

    /// The status of `kid`, if it is in the register.
    pub fn agent_status(&mut self, kid: &str) -> Result<Option<AgentStatus>> {
        self.run(Mode::Read, |tx| Ok((tx.agent(kid)?.map(|(s, _)| s), false)))
    }

    /// The stored bundle `kid`/`sequence` (merged or pending), if any.
    pub fn stored_link(&mut self, kid: &str, sequence: u64) -> Result<Option<Link>> {
        let Ok(seq) = i64::try_from(sequence) else {
            return Ok(None);
        };
        self.run(Mode::Read, |tx| Ok((tx.link(kid, seq, false)?, false)))
    }

    /// The stored sequences of `kid` (merged or pending), ascending.
    pub fn sequences(&mut self, kid: &str) -> Result<Vec<u64>> {
        self.run(Mode::Read, |tx| Ok((tx.sequences(kid)?, false)))
    }

    /// Revokes `kid`: its later bundles are rejected. What it sent before stays.
    pub fn revoke(&mut self, kid: &str) -> Result<()> {
        self.set_status(kid, AgentStatus::Revoked)
    }

    fn set_status(&mut self, kid: &str, status: AgentStatus) -> Result<()> {
        let changed = self.run(Mode::Write, |tx| {
            let changed = tx.set_agent_status(kid, status)?;
            Ok((changed, changed))
        })?;
        if !changed {
            return Err(RegisterError::NoSuchAgent(kid.to_owned()));
        }
        Ok(())
    }

    /// The file of the stored bundle `kid`/`sequence` (merged, pending or
    /// withdrawn), byte for byte as it was received.
    pub fn bundle_file(&mut self, kid: &str, sequence: u64) -> Result<Option<Vec<u8>>> {
        let Ok(seq) = i64::try_from(sequence) else {
            return Ok(None);
        };
        let stored = self.run(Mode::Read, |tx| Ok((tx.bundle_bytes(kid, seq)?, false)))?;
        match stored {
            None => Ok(None),
            Some((encoding, data)) => Packed::unpack(&encoding, data).map(Some).ok_or_else(|| {
                RegisterError::StoredBundle {
                    kid: kid.to_owned(),
                    sequence,
                }
            }),
        }
    }

    /// Prepares this connection for `district serve`: many small durable
    /// transactions from several connections (SQLite: WAL with every commit
    /// synced; the next command that opens the file returns it to the
    /// rollback journal).
    pub fn for_serving(&mut self) {
        self.backend.serving();
    }

    /// Runs `work`, a series of transactions (one per bundle), as fast as
    /// the backend allows; every commit is durable when this returns. On
    /// SQLite: WAL with commits that do not wait for the disk, synced at
    /// the end (see `bulk.rs`); a power cut may undo the last bundles, each
    /// whole, and running the same command again merges them.
    pub fn with_bulk<T, E>(
        &mut self,
        work: impl FnOnce(&mut Register) -> Result<T, E>,
    ) -> Result<T, E> {
        self.backend.begin_bulk();
        let result = work(self);
        self.backend.end_bulk();
        result
    }
}

/// Why a stored bundle could not be read back.
pub(crate) fn stored_bundle_error(kid: &str, sequence: i64) -> RegisterError {
    RegisterError::StoredBundle {
        kid: kid.to_owned(),
        sequence: sequence.unsigned_abs(),
    }
}
