//! The district register: one SQLite file holding device keys (agents),
//! ingested bundles, villages and the merged worker records.
//!
//! Invariants:
//! - The schema is embedded here and moved forward only by explicit steps
//!   (`migrate_v0_to_v1`, ...), each in one transaction that also writes the
//!   new `schema_version`. Every command except `init` refuses a register at
//!   another version.
//! - Every bundle is verified by `lindung_core::bundle` first; then all it
//!   changes happens in one transaction, so a bundle merges entirely or not
//!   at all. A rejected bundle changes nothing.
//! - Records are never deleted: a removal marks the record removed.
//! - Missing sequences are never stored: they are the sequences from 1 to a
//!   device's highest stored bundle that are not stored ([`missing_ranges`]),
//!   so a late bundle closes or narrows its gap just by being stored.
//! - A register opened with [`Register::open_read_only`] cannot be changed
//!   (`district verify --db`).
//! - Every commit is on disk when it returns (`synchronous = FULL`). At rest
//!   the register is one file with a rollback journal; only a run of
//!   transactions ([`Register::with_bulk`]) uses WAL, commits without
//!   waiting for the disk, and syncs everything before it returns.
//! - A record is stored once: the bundle's bytes hold it in full; `records`
//!   holds the columns read back, keyed by (village, record id).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use lindung_core::bundle::{BundleError, BundleRecord, BundleStatus, Limits, Op, VerifiedBundle};
use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};

/// The schema version this code reads and writes.
pub const SCHEMA_VERSION: i64 = 3;

/// The schema steps, in order: step `i` moves version `i` to `i + 1`.
const MIGRATIONS: [fn(&Transaction<'_>) -> rusqlite::Result<()>; 3] =
    [migrate_v0_to_v1, migrate_v1_to_v2, migrate_v2_to_v3];

fn migrate_v0_to_v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);
         INSERT INTO schema_version (version) VALUES (0);
         CREATE TABLE agents (
             kid      TEXT PRIMARY KEY,
             name     TEXT NOT NULL,
             agent_id TEXT,
             status   TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked'))
         );
         CREATE TABLE bundles (
             kid                TEXT NOT NULL REFERENCES agents (kid),
             sequence           INTEGER NOT NULL,
             signing_input_hash TEXT NOT NULL,
             previous           TEXT,
             bundle_id          TEXT NOT NULL,
             state              TEXT NOT NULL CHECK (state IN ('pending', 'merged')),
             bytes              BLOB NOT NULL,
             PRIMARY KEY (kid, sequence)
         );
         CREATE TABLE gaps (
             kid            TEXT NOT NULL REFERENCES agents (kid),
             first_missing  INTEGER NOT NULL,
             last_missing   INTEGER NOT NULL,
             found_at_sequence INTEGER NOT NULL
         );
         CREATE TABLE villages (
             code         TEXT PRIMARY KEY,
             name         TEXT NOT NULL,
             funded_slots INTEGER NOT NULL
         );
         CREATE TABLE records (
             record_id TEXT PRIMARY KEY,
             revision  INTEGER NOT NULL,
             removed   INTEGER NOT NULL CHECK (removed IN (0, 1)),
             village   TEXT NOT NULL,
             nik       TEXT NOT NULL,
             name      TEXT NOT NULL,
             status    TEXT NOT NULL,
             kid       TEXT NOT NULL,
             sequence  INTEGER NOT NULL,
             record    TEXT NOT NULL
         );
         CREATE INDEX records_nik ON records (nik);
         -- A NIK held by more than one active record, in any villages, from any devices.
         CREATE VIEW duplicate_niks AS
             SELECT nik, COUNT(*) AS records FROM records
             WHERE removed = 0 GROUP BY nik HAVING COUNT(*) > 1;",
    )
}

/// Version 2:
/// - `gaps` goes: version 1 wrote each gap once, when a bundle arrived after
///   one, and never narrowed it when a missing bundle arrived later; gaps are
///   now derived from the stored bundles.
/// - `records_nik` goes: the duplicate queries read every active record
///   anyway (as fast without it), while keeping it up to date meant random
///   page writes in every bundle's transaction, about a tenth of ingest time.
fn migrate_v1_to_v2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch("DROP TABLE gaps; DROP INDEX records_nik;")
}

/// The records table of version 3, made as `records_v3` by the migration,
/// which then renames it.
const RECORDS_V3: &str = "CREATE TABLE records_v3 (
             record_id      TEXT NOT NULL,
             revision       INTEGER NOT NULL,
             removed        INTEGER NOT NULL CHECK (removed IN (0, 1)),
             village        TEXT NOT NULL,
             nik            TEXT NOT NULL,
             name           TEXT NOT NULL,
             birth_date     TEXT NOT NULL,
             sex            TEXT NOT NULL,
             segment        TEXT NOT NULL,
             category       TEXT NOT NULL,
             funding_source TEXT NOT NULL,
             with_jht       INTEGER NOT NULL CHECK (with_jht IN (0, 1)),
             status         TEXT NOT NULL,
             created_ms     INTEGER NOT NULL,
             pack_id        TEXT NOT NULL,
             pack_version   TEXT NOT NULL,
             kid            TEXT NOT NULL,
             sequence       INTEGER NOT NULL,
             PRIMARY KEY (village, record_id)
         ) WITHOUT ROWID";

const DUPLICATE_NIKS_VIEW: &str = "
    -- A NIK held by more than one active record, in any villages, from any devices.
    CREATE VIEW duplicate_niks AS
        SELECT nik, COUNT(*) AS records FROM records
        WHERE removed = 0 GROUP BY nik HAVING COUNT(*) > 1;";

/// Version 3: a record is kept once, and bundle files are kept compressed.
///
/// Records: version 2 stored each merged record twice: inside its bundle's
/// bytes (kept for audit) and again as JSON in
/// `records.record`, which made the register twice the size of the bundles
/// and cost a JSON serialisation per record. Now `records` holds, as
/// columns, what the report and the duplicate checks read, and
/// `(kid, sequence)` names the stored bundle that holds the record in full
/// (history, verdict reasons). The JSON copies are read into the columns.
///
/// Bundle files: `bundles.encoding` says how `bytes` holds the file:
/// `identity` (as received; every bundle stored before version 3) or `zstd`
/// (what `district` stores now: about a seventh of the size, and the
/// exact file again when decompressed; see [`Packed`]).
fn migrate_v2_to_v3(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(RECORDS_V3)?;
    {
        let mut read = tx.prepare("SELECT kid, sequence, record FROM records")?;
        let mut write = tx.prepare(INSERT_RECORD_V3)?;
        let mut rows = read.query([])?;
        while let Some(row) = rows.next()? {
            let kid: String = row.get(0)?;
            let sequence: i64 = row.get(1)?;
            let json: String = row.get(2)?;
            let record: BundleRecord = serde_json::from_str(&json).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
            execute_record(&mut write, &record, &kid, sequence)?;
        }
    }
    tx.execute_batch(&format!(
        "DROP VIEW duplicate_niks;
         DROP TABLE records;
         ALTER TABLE records_v3 RENAME TO records;
         {DUPLICATE_NIKS_VIEW}
         ALTER TABLE bundles ADD COLUMN encoding TEXT NOT NULL DEFAULT 'identity'
             CHECK (encoding IN ('identity', 'zstd'));"
    ))
}

/// Inserts a record into `records_v3` (the migration's new table).
const INSERT_RECORD_V3: &str = "INSERT INTO records_v3 VALUES
    (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

/// Runs `stmt` (an insert into a version 3 records table) with a record's
/// row, in column order; the number of rows changed.
fn execute_record(
    stmt: &mut rusqlite::Statement<'_>,
    record: &BundleRecord,
    kid: &str,
    sequence: i64,
) -> rusqlite::Result<usize> {
    stmt.execute(params![
        record.record_id,
        record.revision,
        record.op == Op::Remove,
        record.village,
        record.nik,
        record.name,
        record.birth_date.to_string(),
        record.sex.code(),
        record.segment,
        record.category,
        record.funding_source,
        record.with_jht,
        status_text(record.status),
        record.created_at.millis(),
        record.verdict.pack_id,
        record.verdict.pack_version,
        kid,
        sequence,
    ])
}

/// A failure of the register itself (not of a bundle): the command stops.
#[derive(Debug)]
pub enum RegisterError {
    Sqlite(rusqlite::Error),
    /// The file holds tables but no `schema_version`: not a register.
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
    /// A stored bundle file that does not decompress: the register file is
    /// damaged.
    StoredBundle {
        kid: String,
        sequence: u64,
    },
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Sqlite(e) => write!(f, "register: {e}"),
            RegisterError::NotARegister => {
                f.write_str("the file is a database but not a district register")
            }
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
            RegisterError::StoredBundle { kid, sequence } => write!(
                f,
                "the stored copy of bundle {sequence} of {kid} is damaged; restore the \
                 register from a backup, or ingest the file again into a new register"
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

    fn from_db(text: &str) -> AgentStatus {
        match text {
            "approved" => AgentStatus::Approved,
            "revoked" => AgentStatus::Revoked,
            // The CHECK constraint allows nothing else.
            _ => AgentStatus::Pending,
        }
    }
}

/// One device key and where its bundles stand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRow {
    pub kid: String,
    pub name: String,
    pub agent_id: Option<String>,
    pub status: AgentStatus,
    /// The highest sequence merged, if any.
    pub last_merged: Option<u64>,
    /// Bundles stored but not merged (until `agents approve`).
    pub pending: u64,
    /// Sequences still missing, as runs (first, last): see [`missing_ranges`].
    pub missing: Vec<(u64, u64)>,
}

/// Which link of the chain a bundle breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainSide {
    /// Its `previous` is not the hash of the bundle before it.
    Previous,
    /// The bundle after it does not carry its hash as `previous`.
    Next,
}

/// Where the other bundle of a conflict or a broken chain is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Register,
    /// A file given earlier on the same command line (`verify`).
    File(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Register => f.write_str("in the register"),
            Source::File(name) => write!(f, "in {name}"),
        }
    }
}

/// Why a bundle was refused. Nothing was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The file is not a valid bundle (format, signature, ...).
    Bundle(BundleError),
    Revoked,
    /// The key is not in the register (`verify --db` only: `ingest` stores
    /// such a bundle as pending).
    UnknownDevice,
    /// The key waits for `agents approve` (`verify --db` only).
    PendingDevice,
    /// Another bundle with the same kid and sequence is known.
    Conflict(Source),
    /// The bundle does not link with its neighbour `sequence`.
    BrokenChain {
        side: ChainSide,
        sequence: u64,
        source: Source,
    },
    /// A sequence too large to store.
    SequenceRange,
}

impl Rejection {
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Bundle(e) => e.code(),
            Rejection::Revoked => "register.revoked",
            Rejection::UnknownDevice => "register.unknown_device",
            Rejection::PendingDevice => "register.pending_device",
            Rejection::Conflict(_) => "register.conflict",
            Rejection::BrokenChain { .. } => "register.chain",
            Rejection::SequenceRange => "register.sequence_range",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Bundle(e) => write!(f, "{e}"),
            Rejection::Revoked => f.write_str("the device key is revoked"),
            Rejection::UnknownDevice => f.write_str(
                "the device key is not enrolled in the register (`agents add`, or \
                 `ingest` then `agents approve`)",
            ),
            Rejection::PendingDevice => {
                f.write_str("the device key is waiting for approval (`agents approve`)")
            }
            Rejection::Conflict(Source::Register) => f.write_str(
                "a different bundle with this kid and sequence is already in the register",
            ),
            Rejection::Conflict(source) => write!(
                f,
                "a different bundle with this kid and sequence is {source}"
            ),
            Rejection::BrokenChain {
                side: ChainSide::Previous,
                sequence,
                source,
            } => write!(
                f,
                "previous does not match the bundle before it (sequence {sequence}, {source})"
            ),
            Rejection::BrokenChain {
                side: ChainSide::Next,
                sequence,
                source,
            } => write!(
                f,
                "the bundle after it (sequence {sequence}, {source}) does not point at this bundle"
            ),
            Rejection::SequenceRange => f.write_str("sequence is too large"),
        }
    }
}

/// What happened to one bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IngestOutcome {
    Merged {
        kid: String,
        sequence: u64,
        /// Records that changed the register.
        applied: usize,
        /// Records at a revision the register already has or passed.
        ignored: usize,
        /// The device's sequences still missing after this merge, as runs
        /// (first, last); empty when none are.
        missing: Vec<(u64, u64)>,
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

/// One record of a NIK held by more than one active record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateRow {
    pub nik: String,
    pub record_id: String,
    pub village: String,
    pub kid: String,
}

/// A bundle file that the core verified, with its bytes. Only
/// [`Checked::verify`] makes one, so [`Register::ingest_checked`] never sees
/// an unverified bundle; verifying needs no register, so it can run on
/// another thread while the register writes the bundle before.
pub struct Checked {
    bundle: VerifiedBundle,
    packed: Packed,
}

impl Checked {
    /// Verifies the file, then packs it for the register (both the slow
    /// part of ingest, and neither needs the register).
    pub fn verify(bytes: Vec<u8>) -> Result<Checked, BundleError> {
        let bundle = crate::es256::verify(&bytes)?;
        Ok(Checked {
            bundle,
            packed: Packed::pack(&bytes),
        })
    }
}

/// A bundle file as `bundles.bytes` keeps it: the exact file, compressed
/// with zstd (level 1: bundle files shrink about sevenfold, at several
/// hundred MB/s), or as received (`identity`: bundles stored before schema
/// version 3).
#[derive(Clone, Debug)]
pub struct Packed {
    encoding: &'static str,
    data: Vec<u8>,
}

impl Packed {
    const ZSTD_LEVEL: i32 = 1;

    pub fn pack(file: &[u8]) -> Packed {
        thread_local! {
            // A compression context is a few hundred kB to set up: one per
            // thread, reused for every bundle it packs.
            static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
                std::cell::RefCell::new(zstd::bulk::Compressor::new(Packed::ZSTD_LEVEL).ok());
        }
        let compressed = COMPRESSOR.with(|compressor| match &mut *compressor.borrow_mut() {
            Some(compressor) => compressor.compress(file),
            None => zstd::bulk::compress(file, Packed::ZSTD_LEVEL),
        });
        match compressed {
            Ok(data) => Packed {
                encoding: "zstd",
                data,
            },
            // Only out of memory; keep the file as it is.
            Err(_) => Packed {
                encoding: "identity",
                data: file.to_vec(),
            },
        }
    }

    /// The file again, or `None` if `data` is not what `encoding` says.
    fn unpack(encoding: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        match encoding {
            "identity" => Some(data),
            "zstd" => zstd::bulk::decompress(&data, Limits::DEFAULT.max_bytes).ok(),
            _ => None,
        }
    }
}

/// What the chain needs of a stored bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Its signing input hash.
    pub hash: String,
    pub previous: Option<String>,
}

/// The runs of sequences from 1 to the highest of `sequences` that are not
/// among them, as (first, last). `sequences` must be ascending.
pub fn missing_ranges(sequences: impl IntoIterator<Item = u64>) -> Vec<(u64, u64)> {
    let mut runs = Vec::new();
    let mut expected = 1_u64;
    for sequence in sequences {
        if sequence > expected {
            runs.push((expected, sequence - 1));
        }
        expected = expected.max(sequence.saturating_add(1));
    }
    runs
}

/// Runs of sequences for people and scripts: `2,4..6`; `-` for none.
pub fn ranges_text(runs: &[(u64, u64)]) -> String {
    if runs.is_empty() {
        return "-".to_owned();
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|&(first, last)| {
            if first == last {
                first.to_string()
            } else {
                format!("{first}..{last}")
            }
        })
        .collect();
    parts.join(",")
}

/// How many sequences `runs` hold.
pub fn ranges_count(runs: &[(u64, u64)]) -> u64 {
    runs.iter().map(|&(first, last)| last - first + 1).sum()
}

/// Checks both links of bundle `sequence` (with `hash` and `previous`)
/// against its neighbours, where `at` finds a neighbour and where it is:
/// `previous` must be the hash of the bundle before it, and the bundle after
/// it must carry its hash. A missing neighbour is no break (it is a gap).
pub fn chain_break<E>(
    sequence: u64,
    hash: &str,
    previous: Option<&str>,
    mut at: impl FnMut(u64) -> Result<Option<(Link, Source)>, E>,
) -> Result<Option<Rejection>, E> {
    if sequence > 1 {
        if let Some((before, source)) = at(sequence - 1)? {
            if previous != Some(before.hash.as_str()) {
                return Ok(Some(Rejection::BrokenChain {
                    side: ChainSide::Previous,
                    sequence: sequence - 1,
                    source,
                }));
            }
        }
    }
    if let Some(next) = sequence.checked_add(1) {
        if let Some((after, source)) = at(next)? {
            if after.previous.as_deref() != Some(hash) {
                return Ok(Some(Rejection::BrokenChain {
                    side: ChainSide::Next,
                    sequence: next,
                    source,
                }));
            }
        }
    }
    Ok(None)
}

pub struct Register {
    conn: Connection,
}

fn read_version(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')",
        [],
        |row| row.get(0),
    )?;
    if !has_table {
        return Ok(None);
    }
    conn.query_row("SELECT version FROM schema_version", [], |row| row.get(0))
        .optional()
}

/// Every commit is on disk before it returns (`synchronous = FULL`), and at
/// rest the register is one file: a rollback journal, deleted after each
/// transaction. A run of many bundles ([`Register::with_bulk`]) uses WAL
/// instead, still synced at every commit, then goes back to the journal.
fn durable(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "synchronous", "FULL")?;
    journal_mode(conn, "DELETE")?;
    Ok(())
}

/// SQLite's default: a checkpoint when the WAL passes 1,000 pages.
const DEFAULT_AUTOCHECKPOINT: i64 = 1000;

/// Passive checkpoints of the register at `path` on a connection of its own,
/// every few milliseconds, until `stop`. Checkpoints sync the file
/// (`synchronous = FULL`) before the WAL may be reused.
fn checkpoint_until(path: &Path, stop: &AtomicBool) {
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return;
    };
    if conn.pragma_update(None, "synchronous", "FULL").is_err() {
        return;
    }
    while !stop.load(Ordering::Acquire) {
        // Busy: the next round tries again; the final switch back to the
        // rollback journal folds in whatever is left.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Sets the journal mode; the mode SQLite is in afterwards (it stays in WAL
/// while another connection has the file open).
fn journal_mode(conn: &Connection, mode: &str) -> rusqlite::Result<String> {
    conn.pragma_update_and_check(None, "journal_mode", mode, |row| row.get(0))
}

/// A stored sequence as SQLite holds it: only sequences up to `i64::MAX` are stored.
fn to_db(sequence: u64) -> Option<i64> {
    i64::try_from(sequence).ok()
}

fn from_db(sequence: i64) -> u64 {
    sequence.unsigned_abs()
}

/// Every device's missing sequences, by kid, from the stored bundles.
fn missing_by_kid(conn: &Connection) -> rusqlite::Result<Vec<(String, u64, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kid, previous_sequence + 1, sequence - 1 FROM (
             SELECT kid, sequence,
                    LAG(sequence, 1, 0) OVER (PARTITION BY kid ORDER BY sequence)
                        AS previous_sequence
             FROM bundles)
         WHERE sequence > previous_sequence + 1
         ORDER BY kid, sequence",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get(0)?,
            from_db(row.get(1)?),
            from_db(row.get::<_, i64>(2)?),
        ))
    })?;
    rows.collect()
}

/// The stored sequences of `kid`, ascending.
fn sequences_of(conn: &Connection, kid: &str) -> rusqlite::Result<Vec<u64>> {
    let mut stmt =
        conn.prepare_cached("SELECT sequence FROM bundles WHERE kid = ?1 ORDER BY sequence")?;
    let rows = stmt.query_map([kid], |row| row.get::<_, i64>(0).map(from_db))?;
    rows.collect()
}

/// The stored bundle `kid`/`sequence`; with `merged_only`, only if merged.
fn link_at(
    conn: &Connection,
    kid: &str,
    sequence: u64,
    merged_only: bool,
) -> rusqlite::Result<Option<Link>> {
    let Some(seq) = to_db(sequence) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT signing_input_hash, previous FROM bundles
         WHERE kid = ?1 AND sequence = ?2 AND (state = 'merged' OR NOT ?3)",
    )?;
    stmt.query_row(params![kid, seq, merged_only], |row| {
        Ok(Link {
            hash: row.get(0)?,
            previous: row.get(1)?,
        })
    })
    .optional()
}

fn agent_status(conn: &Connection, kid: &str) -> rusqlite::Result<Option<AgentStatus>> {
    let mut stmt = conn.prepare_cached("SELECT status FROM agents WHERE kid = ?1")?;
    stmt.query_row([kid], |row| {
        row.get::<_, String>(0).map(|s| AgentStatus::from_db(&s))
    })
    .optional()
}

impl Register {
    /// Creates the register at `path`, or brings an existing one to
    /// [`SCHEMA_VERSION`]; on an up-to-date register it changes nothing.
    pub fn init(path: &Path) -> Result<(Register, InitOutcome), RegisterError> {
        let mut conn = Connection::open(path)?;
        durable(&conn)?;
        let mut from = None;
        loop {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let version = match read_version(&tx)? {
                Some(version) => version,
                None => {
                    let tables: i64 =
                        tx.query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))?;
                    if tables > 0 {
                        return Err(RegisterError::NotARegister);
                    }
                    0
                }
            };
            from.get_or_insert(version);
            if version > SCHEMA_VERSION {
                return Err(RegisterError::TooNew { found: version });
            }
            let Some(step) = usize::try_from(version)
                .ok()
                .and_then(|v| MIGRATIONS.get(v))
            else {
                break;
            };
            step(&tx)?;
            tx.execute("UPDATE schema_version SET version = ?1", [version + 1])?;
            tx.commit()?;
        }
        let outcome = match from {
            Some(0) => InitOutcome::Created,
            Some(from) if from < SCHEMA_VERSION => InitOutcome::Migrated { from },
            _ => InitOutcome::UpToDate,
        };
        Ok((Register { conn }, outcome))
    }

    /// Opens an existing register at [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Register, RegisterError> {
        // A `Register` is used by one thread at a time (`Connection` is not
        // `Sync`), so SQLite's own per-call mutex is not needed.
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        durable(&conn)?;
        Register::checked(conn)
    }

    /// Opens an existing register at [`SCHEMA_VERSION`] for reading only:
    /// SQLite refuses every write on this connection.
    pub fn open_read_only(path: &Path) -> Result<Register, RegisterError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.pragma_update(None, "query_only", true)?;
        Register::checked(conn)
    }

    fn checked(conn: Connection) -> Result<Register, RegisterError> {
        match read_version(&conn)? {
            None => Err(RegisterError::NotARegister),
            Some(SCHEMA_VERSION) => Ok(Register { conn }),
            Some(found) if found > SCHEMA_VERSION => Err(RegisterError::TooNew { found }),
            Some(found) => Err(RegisterError::TooOld { found }),
        }
    }

    /// Adds a device key an agent showed the office: approved at once.
    pub fn add_agent(
        &mut self,
        kid: &str,
        name: &str,
        agent_id: Option<&str>,
    ) -> Result<(), RegisterError> {
        let tx = self.conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM agents WHERE kid = ?1)",
            [kid],
            |row| row.get(0),
        )?;
        if exists {
            return Err(RegisterError::AgentExists(kid.to_owned()));
        }
        tx.execute(
            "INSERT INTO agents (kid, name, agent_id, status) VALUES (?1, ?2, ?3, 'approved')",
            params![kid, name, agent_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every agent, by name then kid, with where its bundles stand.
    pub fn agents(&self) -> Result<Vec<AgentRow>, RegisterError> {
        // One read transaction, so the columns agree with each other.
        let tx = self.conn.unchecked_transaction()?;
        let mut missing: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
        for (kid, first, last) in missing_by_kid(&tx)? {
            missing.entry(kid).or_default().push((first, last));
        }
        let rows = {
            let mut stmt = tx.prepare(
                "SELECT kid, name, agent_id, status,
                        (SELECT MAX(sequence) FROM bundles b
                         WHERE b.kid = a.kid AND b.state = 'merged'),
                        (SELECT COUNT(*) FROM bundles b
                         WHERE b.kid = a.kid AND b.state = 'pending')
                 FROM agents a ORDER BY name, kid",
            )?;
            let rows = stmt.query_map([], |row| {
                let kid: String = row.get(0)?;
                Ok(AgentRow {
                    missing: missing.remove(&kid).unwrap_or_default(),
                    kid,
                    name: row.get(1)?,
                    agent_id: row.get(2)?,
                    status: AgentStatus::from_db(&row.get::<_, String>(3)?),
                    last_merged: row.get::<_, Option<i64>>(4)?.map(from_db),
                    pending: from_db(row.get(5)?),
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        tx.commit()?;
        Ok(rows)
    }

    /// The status of `kid`, if it is in the register.
    pub fn agent_status(&self, kid: &str) -> Result<Option<AgentStatus>, RegisterError> {
        Ok(agent_status(&self.conn, kid)?)
    }

    /// The stored bundle `kid`/`sequence` (merged or pending), if any.
    pub fn stored_link(&self, kid: &str, sequence: u64) -> Result<Option<Link>, RegisterError> {
        Ok(link_at(&self.conn, kid, sequence, false)?)
    }

    /// The stored sequences of `kid` (merged or pending), ascending.
    pub fn sequences(&self, kid: &str) -> Result<Vec<u64>, RegisterError> {
        Ok(sequences_of(&self.conn, kid)?)
    }

    /// Approves `kid`, then merges its pending bundles in sequence order,
    /// one transaction each. Returns what happened to each, by sequence.
    pub fn approve(&mut self, kid: &str) -> Result<Vec<(u64, IngestOutcome)>, RegisterError> {
        self.set_status(kid, AgentStatus::Approved)?;
        let pending: Vec<i64> = {
            let mut stmt = self.conn.prepare(
                "SELECT sequence FROM bundles
                 WHERE kid = ?1 AND state = 'pending' ORDER BY sequence",
            )?;
            let rows = stmt.query_map([kid], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        self.with_bulk(|register| register.merge_pending(kid, pending))
    }

    /// The file of the stored bundle `kid`/`sequence` (merged or pending),
    /// byte for byte as it was ingested.
    pub fn bundle_file(&self, kid: &str, sequence: u64) -> Result<Option<Vec<u8>>, RegisterError> {
        let Some(seq) = to_db(sequence) else {
            return Ok(None);
        };
        let stored: Option<(String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT encoding, bytes FROM bundles WHERE kid = ?1 AND sequence = ?2",
                params![kid, seq],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
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

    fn merge_pending(
        &mut self,
        kid: &str,
        pending: Vec<i64>,
    ) -> Result<Vec<(u64, IngestOutcome)>, RegisterError> {
        let mut outcomes = Vec::new();
        for sequence in pending {
            let Some(bytes) = self.bundle_file(kid, from_db(sequence))? else {
                continue;
            };
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let outcome = match crate::es256::verify(&bytes) {
                Ok(bundle) => merge(&tx, &bundle, None)?,
                Err(e) => IngestOutcome::Rejected(Rejection::Bundle(e)),
            };
            if matches!(outcome, IngestOutcome::Rejected(_)) {
                // A stored bundle that cannot merge is dropped, so it is not
                // tried again; the device can send a good one.
                tx.execute(
                    "DELETE FROM bundles WHERE kid = ?1 AND sequence = ?2",
                    params![kid, sequence],
                )?;
            }
            tx.commit()?;
            outcomes.push((from_db(sequence), outcome));
        }
        Ok(outcomes)
    }

    /// Revokes `kid`: its later bundles are rejected. What it sent before stays.
    pub fn revoke(&mut self, kid: &str) -> Result<(), RegisterError> {
        self.set_status(kid, AgentStatus::Revoked)
    }

    fn set_status(&mut self, kid: &str, status: AgentStatus) -> Result<(), RegisterError> {
        let changed = self.conn.execute(
            "UPDATE agents SET status = ?1 WHERE kid = ?2",
            params![status.as_str(), kid],
        )?;
        if changed == 0 {
            return Err(RegisterError::NoSuchAgent(kid.to_owned()));
        }
        Ok(())
    }

    /// Runs `work`, a run of transactions (one per bundle), with the
    /// register in WAL mode, built for throughput:
    /// - Commits append to the WAL without waiting for the disk
    ///   (`synchronous = NORMAL`): each transaction is still atomic, and a
    ///   crash of `district` loses nothing, but a power cut can undo the last
    ///   transactions, each entirely, never in part. Running the same command
    ///   again merges them (ingest is idempotent; the rest says "already
    ///   ingested"). A commit per bundle that waited for the disk made ingest
    ///   take half again as long.
    /// - A second connection, on its own thread, copies committed pages from
    ///   the WAL into the file and syncs both (passive checkpoints, which
    ///   never block the writer), so the writer only appends and what is on
    ///   disk keeps up.
    /// - At the end, back to `synchronous = FULL` and the rollback journal,
    ///   which folds the rest of the WAL into the file, syncs it, and removes
    ///   `-wal` and `-shm`: when this returns, every commit is on disk. If
    ///   another program has the register open, it stays in WAL until the
    ///   next `open` (still synced).
    ///
    /// Where WAL is not possible, the work runs with the rollback journal and
    /// every commit synced.
    pub fn with_bulk<T, E>(
        &mut self,
        work: impl FnOnce(&mut Register) -> Result<T, E>,
    ) -> Result<T, E> {
        // Only speed depends on these: any real trouble shows in `work`.
        let wal =
            journal_mode(&self.conn, "WAL").is_ok_and(|mode| mode.eq_ignore_ascii_case("wal"));
        let path = self
            .conn
            .path()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        let result = match path {
            Some(path) if wal => {
                let _ = self.conn.pragma_update(None, "wal_autocheckpoint", 0);
                let _ = self.conn.pragma_update(None, "synchronous", "NORMAL");
                let stop = AtomicBool::new(false);
                let result = std::thread::scope(|scope| {
                    scope.spawn(|| checkpoint_until(&path, &stop));
                    let result = work(self);
                    stop.store(true, Ordering::Release);
                    result
                });
                let _ = self
                    .conn
                    .pragma_update(None, "wal_autocheckpoint", DEFAULT_AUTOCHECKPOINT);
                result
            }
            _ => work(self),
        };
        // FULL first, so that the checkpoint syncs the WAL, then the file;
        // it folds in all it can. Busy (another reader): what is left stays
        // in the synced WAL, and the next open folds it in.
        let _ = self.conn.pragma_update(None, "synchronous", "FULL");
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()));
        let _ = journal_mode(&self.conn, "DELETE");
        result
    }

    /// Verifies and ingests one bundle file's bytes, in one transaction.
    pub fn ingest(&mut self, bytes: &[u8]) -> Result<IngestOutcome, RegisterError> {
        match crate::es256::verify(bytes) {
            Ok(bundle) => self.ingest_verified(&bundle, &Packed::pack(bytes)),
            Err(e) => Ok(IngestOutcome::Rejected(Rejection::Bundle(e))),
        }
    }

    /// Ingests a bundle verified beforehand (possibly on another thread),
    /// in one transaction.
    pub fn ingest_checked(&mut self, checked: &Checked) -> Result<IngestOutcome, RegisterError> {
        self.ingest_verified(&checked.bundle, &checked.packed)
    }

    fn ingest_verified(
        &mut self,
        bundle: &VerifiedBundle,
        packed: &Packed,
    ) -> Result<IngestOutcome, RegisterError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = ingest_in(&tx, bundle, packed)?;
        if !matches!(outcome, IngestOutcome::Rejected(_)) {
            tx.commit()?;
        }
        Ok(outcome)
    }

    /// How many NIKs are held by more than one active record.
    pub fn duplicate_count(&self) -> Result<u64, RegisterError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM duplicate_niks", [], |row| row.get(0))?;
        Ok(from_db(count))
    }

    /// Every active record whose NIK another active record also holds.
    pub fn duplicates(&self) -> Result<Vec<DuplicateRow>, RegisterError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.nik, r.record_id, r.village, r.kid FROM records r
             JOIN duplicate_niks d ON d.nik = r.nik
             WHERE r.removed = 0 ORDER BY r.nik, r.record_id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(DuplicateRow {
                nik: row.get(0)?,
                record_id: row.get(1)?,
                village: row.get(2)?,
                kid: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sequences still missing: (kid, first missing, last missing), by kid
    /// and sequence.
    pub fn gaps(&self) -> Result<Vec<(String, u64, u64)>, RegisterError> {
        Ok(missing_by_kid(&self.conn)?)
    }

    /// The register's record `record_id`: (revision, removed, name); the
    /// first found if the id was sent for more than one village.
    pub fn record(&self, record_id: &str) -> Result<Option<(u32, bool, String)>, RegisterError> {
        Ok(self
            .conn
            .query_row(
                "SELECT revision, removed, name FROM records WHERE record_id = ?1",
                [record_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?)
    }

    /// Villages as (code, name, funded slots), by code.
    pub fn villages(&self) -> Result<Vec<(String, String, u32)>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare("SELECT code, name, funded_slots FROM villages ORDER BY code")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn ingest_in(
    tx: &Transaction<'_>,
    bundle: &VerifiedBundle,
    packed: &Packed,
) -> Result<IngestOutcome, RegisterError> {
    let kid = bundle.kid.as_str();
    let sequence = bundle.payload.sequence;
    if to_db(sequence).is_none() {
        return Ok(IngestOutcome::Rejected(Rejection::SequenceRange));
    }
    if let Some(stored) = link_at(tx, kid, sequence, false)? {
        return Ok(if stored.hash == bundle.signing_input_hash {
            IngestOutcome::AlreadyIngested {
                kid: kid.to_owned(),
                sequence,
            }
        } else {
            IngestOutcome::Rejected(Rejection::Conflict(Source::Register))
        });
    }
    match agent_status(tx, kid)? {
        Some(AgentStatus::Approved) => merge(tx, bundle, Some(packed)),
        Some(AgentStatus::Revoked) => Ok(IngestOutcome::Rejected(Rejection::Revoked)),
        unknown_or_pending => {
            if unknown_or_pending.is_none() {
                let agent = &bundle.payload.agent;
                tx.execute(
                    "INSERT INTO agents (kid, name, agent_id, status) VALUES (?1, ?2, ?3, 'pending')",
                    params![kid, agent.name, agent.id],
                )?;
            }
            store_bundle(tx, bundle, Some(packed), "pending")?;
            Ok(IngestOutcome::Pending {
                kid: kid.to_owned(),
                sequence,
            })
        }
    }
}

/// Stores the bundle in `state`, or with `packed` = `None` (a pending
/// bundle merging now) only sets the stored bundle's state.
fn store_bundle(
    tx: &Transaction<'_>,
    bundle: &VerifiedBundle,
    packed: Option<&Packed>,
    state: &str,
) -> rusqlite::Result<()> {
    let payload = &bundle.payload;
    // Callers checked the range.
    let seq = to_db(payload.sequence).unwrap_or(i64::MAX);
    match packed {
        Some(packed) => tx
            .prepare_cached(
                "INSERT INTO bundles (kid, sequence, signing_input_hash, previous, bundle_id,
                                      state, bytes, encoding)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                bundle.kid,
                seq,
                bundle.signing_input_hash,
                payload.previous,
                payload.bundle_id,
                state,
                packed.data,
                packed.encoding
            ])?,
        None => tx
            .prepare_cached("UPDATE bundles SET state = ?3 WHERE kid = ?1 AND sequence = ?2")?
            .execute(params![bundle.kid, seq, state])?,
    };
    Ok(())
}

/// A record status as the register stores it (the bundle's JSON name).
fn status_text(status: BundleStatus) -> &'static str {
    match status {
        BundleStatus::Funded => "funded",
        BundleStatus::Waitlisted => "waitlisted",
        BundleStatus::Apparatus => "apparatus",
        BundleStatus::Removed => "removed",
    }
}

/// Merges a verified bundle of an approved device. The caller commits unless
/// the outcome is a rejection; nothing is written before the chain checked out.
/// `packed`: the file to store, or `None` for a stored (pending) bundle.
fn merge(
    tx: &Transaction<'_>,
    bundle: &VerifiedBundle,
    packed: Option<&Packed>,
) -> Result<IngestOutcome, RegisterError> {
    let kid = bundle.kid.as_str();
    let payload = &bundle.payload;
    let sequence = payload.sequence;
    let Some(seq) = to_db(sequence) else {
        return Ok(IngestOutcome::Rejected(Rejection::SequenceRange));
    };
    // Only merged neighbours count: pending ones are checked when they merge.
    let broken = chain_break(
        sequence,
        &bundle.signing_input_hash,
        payload.previous.as_deref(),
        |s| link_at(tx, kid, s, true).map(|link| link.map(|link| (link, Source::Register))),
    )?;
    if let Some(rejection) = broken {
        return Ok(IngestOutcome::Rejected(rejection));
    }
    {
        let mut village = tx.prepare_cached(
            "INSERT INTO villages (code, name, funded_slots) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name,
                 funded_slots = excluded.funded_slots",
        )?;
        for v in &payload.villages {
            village.execute(params![v.code, v.name, v.funded_slots])?;
        }
    }
    let (mut applied, mut ignored) = (0, 0);
    {
        // One statement per record: a higher revision replaces the stored
        // one, a lower or equal one changes no row.
        let mut upsert = tx.prepare_cached(
            "INSERT INTO records VALUES
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
             ON CONFLICT (village, record_id) DO UPDATE SET revision = excluded.revision,
                 removed = excluded.removed, nik = excluded.nik,
                 name = excluded.name, birth_date = excluded.birth_date, sex = excluded.sex,
                 segment = excluded.segment, category = excluded.category,
                 funding_source = excluded.funding_source, with_jht = excluded.with_jht,
                 status = excluded.status, created_ms = excluded.created_ms,
                 pack_id = excluded.pack_id, pack_version = excluded.pack_version,
                 kid = excluded.kid, sequence = excluded.sequence
             WHERE excluded.revision > records.revision",
        )?;
        for record in &payload.records {
            let changed = execute_record(&mut upsert, record, kid, seq)?;
            if changed == 0 {
                ignored += 1;
            } else {
                applied += 1;
            }
        }
    }
    store_bundle(tx, bundle, packed, "merged")?;
    Ok(IngestOutcome::Merged {
        kid: kid.to_owned(),
        sequence,
        applied,
        ignored,
        missing: missing_ranges(sequences_of(tx, kid)?),
    })
}

/// The lines `district ingest` prints for one file, and whether it failed.
pub fn ingest_lines(name: &str, outcome: &IngestOutcome) -> (bool, Vec<String>) {
    match outcome {
        IngestOutcome::Merged {
            kid,
            sequence,
            applied,
            ignored,
            missing,
        } => {
            let mut lines = vec![format!(
                "merged {name}: {applied} records (kid {kid}, sequence {sequence}); \
                 {ignored} older or equal revisions ignored"
            )];
            if !missing.is_empty() {
                lines.push(format!(
                    "gap {name}: kid {kid} is missing {}",
                    missing_text(missing)
                ));
            }
            (true, lines)
        }
        IngestOutcome::AlreadyIngested { kid, sequence } => (
            true,
            vec![format!(
                "already ingested {name}: kid {kid}, sequence {sequence}; nothing changed"
            )],
        ),
        IngestOutcome::Pending { kid, sequence } => (
            true,
            vec![format!(
                "pending {name}: unknown device (kid {kid}, sequence {sequence}); \
                 stored until `agents approve`"
            )],
        ),
        IngestOutcome::Rejected(rejection) => (
            false,
            vec![format!("FAIL {name}: {} ({rejection})", rejection.code())],
        ),
    }
}

/// One `agents list` line, tab-separated: `KID NAME AGENT_ID STATUS
/// LAST_MERGED PENDING MISSING`, `-` for no agent id, nothing merged or
/// nothing missing. Names come from bundles too, so tabs, line breaks and
/// other control characters in them become spaces.
pub fn agent_line(agent: &AgentRow) -> String {
    let field = |text: &str| -> String {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        agent.kid,
        field(&agent.name),
        agent
            .agent_id
            .as_deref()
            .map_or_else(|| "-".to_owned(), field),
        agent.status.as_str(),
        agent
            .last_merged
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        agent.pending,
        ranges_text(&agent.missing)
    )
}

/// `sequence 2` or `sequences 2,4..6`.
pub fn missing_text(runs: &[(u64, u64)]) -> String {
    let noun = if ranges_count(runs) == 1 {
        "sequence"
    } else {
        "sequences"
    };
    format!("{noun} {}", ranges_text(runs))
}

/// An active record's columns, as `district report` reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActiveRecord {
    pub village: String,
    pub record_id: String,
    pub kid: String,
    pub nik: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `M` or `F`.
    pub sex: String,
    pub segment: String,
    pub category: String,
    pub funding_source: String,
    pub with_jht: bool,
    /// As the sending device saw it: `funded`, `waitlisted` or `apparatus`.
    pub status: String,
    /// Registration time, milliseconds since 1970 UTC.
    pub created_ms: i64,
    pub pack_id: String,
    pub pack_version: String,
}

/// What `district report` reads from the register, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportData {
    /// (code, name, funded slots), by code.
    pub villages: Vec<(String, String, u32)>,
    /// Active records, by village and record id.
    pub active: Vec<ActiveRecord>,
    /// (village, kid) for every record, active or removed, that a device sent.
    pub senders: Vec<(String, String)>,
    /// kid → agent name.
    pub agent_names: Vec<(String, String)>,
    /// (kid, sequence) of every stored bundle.
    pub sequences: Vec<(String, u64)>,
    /// NIKs held by more than one active record.
    pub duplicate_niks: Vec<String>,
}

impl Register {
    /// Everything `district report` needs, read in one transaction.
    pub fn report_data(&mut self) -> Result<ReportData, RegisterError> {
        let tx = self.conn.transaction()?;
        let mut data = ReportData {
            villages: {
                let mut stmt =
                    tx.prepare("SELECT code, name, funded_slots FROM villages ORDER BY code")?;
                let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
                rows.collect::<Result<_, _>>()?
            },
            ..ReportData::default()
        };
        {
            let mut stmt = tx.prepare(
                "SELECT village, record_id, kid, nik, name, birth_date, sex, segment, category,
                        funding_source, with_jht, status, created_ms, pack_id, pack_version
                 FROM records WHERE removed = 0 ORDER BY village, record_id",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok(ActiveRecord {
                    village: row.get(0)?,
                    record_id: row.get(1)?,
                    kid: row.get(2)?,
                    nik: row.get(3)?,
                    name: row.get(4)?,
                    birth_date: row.get(5)?,
                    sex: row.get(6)?,
                    segment: row.get(7)?,
                    category: row.get(8)?,
                    funding_source: row.get(9)?,
                    with_jht: row.get(10)?,
                    status: row.get(11)?,
                    created_ms: row.get(12)?,
                    pack_id: row.get(13)?,
                    pack_version: row.get(14)?,
                })
            })?;
            data.active = rows.collect::<Result<_, _>>()?;
        }
        {
            let mut stmt =
                tx.prepare("SELECT DISTINCT village, kid FROM records ORDER BY village, kid")?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            data.senders = rows.collect::<Result<_, _>>()?;
        }
        {
            let mut stmt = tx.prepare("SELECT kid, name FROM agents ORDER BY kid")?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            data.agent_names = rows.collect::<Result<_, _>>()?;
        }
        {
            let mut stmt =
                tx.prepare("SELECT kid, sequence FROM bundles ORDER BY kid, sequence")?;
            let rows = stmt.query_map([], |row| {
                Ok((row.get(0)?, row.get::<_, i64>(1)?.unsigned_abs()))
            })?;
            data.sequences = rows.collect::<Result<_, _>>()?;
        }
        {
            let mut stmt = tx.prepare("SELECT nik FROM duplicate_niks ORDER BY nik")?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            data.duplicate_niks = rows.collect::<Result<_, _>>()?;
        }
        tx.commit()?;
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_sequences_are_the_holes_up_to_the_highest() {
        // Sequences stored; the runs missing; as text.
        type Case<'a> = (&'a [u64], &'a [(u64, u64)], &'a str);
        let cases: &[Case] = &[
            (&[], &[], "-"),
            (&[1], &[], "-"),
            (&[1, 2, 3], &[], "-"),
            (&[2], &[(1, 1)], "1"),
            (&[1, 3], &[(2, 2)], "2"),
            (&[1, 5], &[(2, 4)], "2..4"),
            // 2..4 missing, then 3 arrives: 2 and 4 are still missing.
            (&[1, 3, 5], &[(2, 2), (4, 4)], "2,4"),
            (
                &[4, 7, 8, 12],
                &[(1, 3), (5, 6), (9, 11)],
                "1..3,5..6,9..11",
            ),
            // Repeats are harmless.
            (&[1, 1, 3, 3], &[(2, 2)], "2"),
        ];
        for (sequences, runs, text) in cases {
            let got = missing_ranges(sequences.iter().copied());
            assert_eq!(got, *runs, "{sequences:?}");
            assert_eq!(ranges_text(&got), *text, "{sequences:?}");
        }
        assert_eq!(missing_text(&[(2, 2)]), "sequence 2");
        assert_eq!(missing_text(&[(2, 3)]), "sequences 2..3");
        assert_eq!(missing_text(&[(2, 2), (4, 4)]), "sequences 2,4");
    }

    #[test]
    fn chain_links_are_checked_both_ways() {
        let link = |hash: &str, previous: Option<&str>| Link {
            hash: hash.to_owned(),
            previous: previous.map(str::to_owned),
        };
        // Known bundles: 1 (hash h1), 3 (h3, previous h2).
        let known = |s: u64| -> Result<Option<(Link, Source)>, ()> {
            Ok(match s {
                1 => Some((link("h1", None), Source::Register)),
                3 => Some((link("h3", Some("h2")), Source::File("3.json".into()))),
                _ => None,
            })
        };
        let cases: &[(u64, &str, Option<&str>, &str)] = &[
            (2, "h2", Some("h1"), "ok"),
            (
                2,
                "h2",
                Some("hX"),
                "register.chain: previous does not match the bundle before it \
                 (sequence 1, in the register)",
            ),
            (
                2,
                "hY",
                Some("h1"),
                "register.chain: the bundle after it (sequence 3, in 3.json) does not \
                 point at this bundle",
            ),
            // Neighbours that are not known are gaps, not breaks.
            (5, "h5", Some("h4"), "ok"),
            (1, "h1", None, "ok"),
            (u64::MAX, "hZ", Some("h"), "ok"),
        ];
        for (sequence, hash, previous, expected) in cases {
            let got = match chain_break(*sequence, hash, *previous, known).unwrap() {
                None => "ok".to_owned(),
                Some(rejection) => format!("{}: {rejection}", rejection.code()),
            };
            assert_eq!(got, *expected, "sequence {sequence}");
        }
    }

    #[test]
    fn agent_lines_are_tab_separated_and_keep_to_one_line() {
        let row = |name: &str, agent_id: Option<&str>, last, pending, missing: &[(u64, u64)]| {
            agent_line(&AgentRow {
                kid: "K".into(),
                name: name.into(),
                agent_id: agent_id.map(str::to_owned),
                status: AgentStatus::Approved,
                last_merged: last,
                pending,
                missing: missing.to_vec(),
            })
        };
        let cases = [
            (
                row("Siti", Some("a-1"), Some(5), 0, &[(2, 2)]),
                "K\tSiti\ta-1\tapproved\t5\t0\t2",
            ),
            (
                row("Budi", None, None, 2, &[]),
                "K\tBudi\t-\tapproved\t-\t2\t-",
            ),
            (
                row("Tab\there\nnewline", Some("x\ty"), Some(1), 0, &[]),
                "K\tTab here newline\tx y\tapproved\t1\t0\t-",
            ),
        ];
        for (got, expected) in cases {
            assert_eq!(got, expected);
        }
    }
}
