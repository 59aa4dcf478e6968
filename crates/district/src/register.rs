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

use std::fmt;
use std::path::Path;

use lindung_core::bundle::{verify_bundle, BundleError, Limits, Op, VerifiedBundle};
use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};

/// The schema version this code reads and writes.
pub const SCHEMA_VERSION: i64 = 1;

/// The schema steps, in order: step `i` moves version `i` to `i + 1`.
const MIGRATIONS: [fn(&Transaction<'_>) -> rusqlite::Result<()>; 1] = [migrate_v0_to_v1];

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRow {
    pub kid: String,
    pub name: String,
    pub agent_id: Option<String>,
    pub status: AgentStatus,
}

/// Why a verified-or-not bundle was refused. Nothing was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The file is not a valid bundle (format, signature, ...).
    Bundle(BundleError),
    Revoked,
    /// Another bundle with the same kid and sequence is in the register.
    Conflict,
    /// `previous` is not the stored hash of sequence − 1, or the stored
    /// sequence + 1 does not point at this bundle.
    BrokenChain,
    /// A sequence too large to store.
    SequenceRange,
}

impl Rejection {
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Bundle(e) => e.code(),
            Rejection::Revoked => "register.revoked",
            Rejection::Conflict => "register.conflict",
            Rejection::BrokenChain => "register.chain",
            Rejection::SequenceRange => "register.sequence_range",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Bundle(e) => write!(f, "{e}"),
            Rejection::Revoked => f.write_str("the device key is revoked"),
            Rejection::Conflict => f.write_str(
                "a different bundle with this kid and sequence is already in the register",
            ),
            Rejection::BrokenChain => {
                f.write_str("previous does not match the stored bundle before it")
            }
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
        /// Sequences missing before this one (first, last), if any.
        gap: Option<(u64, u64)>,
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

impl Register {
    /// Creates the register at `path`, or brings an existing one to
    /// [`SCHEMA_VERSION`]; on an up-to-date register it changes nothing.
    pub fn init(path: &Path) -> Result<(Register, InitOutcome), RegisterError> {
        let mut conn = Connection::open(path)?;
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
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
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

    /// Every agent, by name then kid.
    pub fn agents(&self) -> Result<Vec<AgentRow>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare("SELECT kid, name, agent_id, status FROM agents ORDER BY name, kid")?;
        let rows = stmt.query_map([], |row| {
            Ok(AgentRow {
                kid: row.get(0)?,
                name: row.get(1)?,
                agent_id: row.get(2)?,
                status: AgentStatus::from_db(&row.get::<_, String>(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Approves `kid`, then merges its pending bundles in sequence order,
    /// one transaction each. Returns what happened to each, by sequence.
    pub fn approve(&mut self, kid: &str) -> Result<Vec<(u64, IngestOutcome)>, RegisterError> {
        self.set_status(kid, AgentStatus::Approved)?;
        let pending: Vec<(i64, Vec<u8>)> = {
            let mut stmt = self.conn.prepare(
                "SELECT sequence, bytes FROM bundles
                 WHERE kid = ?1 AND state = 'pending' ORDER BY sequence",
            )?;
            let rows = stmt.query_map([kid], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut outcomes = Vec::new();
        for (sequence, bytes) in pending {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let outcome = match verify_bundle(&bytes, Limits::DEFAULT) {
                Ok(bundle) => merge(&tx, &bundle, &bytes)?,
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
            outcomes.push((sequence.unsigned_abs(), outcome));
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

    /// Verifies and ingests one bundle file's bytes, in one transaction.
    pub fn ingest(&mut self, bytes: &[u8]) -> Result<IngestOutcome, RegisterError> {
        let bundle = match verify_bundle(bytes, Limits::DEFAULT) {
            Ok(bundle) => bundle,
            Err(e) => return Ok(IngestOutcome::Rejected(Rejection::Bundle(e))),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = ingest_in(&tx, &bundle, bytes)?;
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
        Ok(count.unsigned_abs())
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

    /// Gaps found so far: (kid, first missing, last missing).
    pub fn gaps(&self) -> Result<Vec<(String, u64, u64)>, RegisterError> {
        let mut stmt = self.conn.prepare(
            "SELECT kid, first_missing, last_missing FROM gaps ORDER BY kid, first_missing",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get::<_, i64>(1)?.unsigned_abs(),
                row.get::<_, i64>(2)?.unsigned_abs(),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The register's record `record_id`: (revision, removed, name).
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
    bytes: &[u8],
) -> Result<IngestOutcome, RegisterError> {
    let kid = bundle.kid.as_str();
    let sequence = bundle.payload.sequence;
    let Ok(seq) = i64::try_from(sequence) else {
        return Ok(IngestOutcome::Rejected(Rejection::SequenceRange));
    };
    let stored: Option<String> = tx
        .query_row(
            "SELECT signing_input_hash FROM bundles WHERE kid = ?1 AND sequence = ?2",
            params![kid, seq],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(hash) = stored {
        return Ok(if hash == bundle.signing_input_hash {
            IngestOutcome::AlreadyIngested {
                kid: kid.to_owned(),
                sequence,
            }
        } else {
            IngestOutcome::Rejected(Rejection::Conflict)
        });
    }
    let status: Option<String> = tx
        .query_row("SELECT status FROM agents WHERE kid = ?1", [kid], |row| {
            row.get(0)
        })
        .optional()?;
    match status.as_deref().map(AgentStatus::from_db) {
        Some(AgentStatus::Approved) => merge(tx, bundle, bytes),
        Some(AgentStatus::Revoked) => Ok(IngestOutcome::Rejected(Rejection::Revoked)),
        unknown_or_pending => {
            if unknown_or_pending.is_none() {
                let agent = &bundle.payload.agent;
                tx.execute(
                    "INSERT INTO agents (kid, name, agent_id, status) VALUES (?1, ?2, ?3, 'pending')",
                    params![kid, agent.name, agent.id],
                )?;
            }
            store_bundle(tx, bundle, bytes, seq, "pending")?;
            Ok(IngestOutcome::Pending {
                kid: kid.to_owned(),
                sequence,
            })
        }
    }
}

fn store_bundle(
    tx: &Transaction<'_>,
    bundle: &VerifiedBundle,
    bytes: &[u8],
    seq: i64,
    state: &str,
) -> rusqlite::Result<()> {
    let payload = &bundle.payload;
    tx.execute(
        "INSERT INTO bundles (kid, sequence, signing_input_hash, previous, bundle_id, state, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (kid, sequence) DO UPDATE SET state = excluded.state",
        params![
            bundle.kid,
            seq,
            bundle.signing_input_hash,
            payload.previous,
            payload.bundle_id,
            state,
            bytes
        ],
    )?;
    Ok(())
}

/// Merges a verified bundle of an approved device. The caller commits unless
/// the outcome is a rejection.
fn merge(
    tx: &Transaction<'_>,
    bundle: &VerifiedBundle,
    bytes: &[u8],
) -> Result<IngestOutcome, RegisterError> {
    let kid = bundle.kid.as_str();
    let payload = &bundle.payload;
    let sequence = payload.sequence;
    let Ok(seq) = i64::try_from(sequence) else {
        return Ok(IngestOutcome::Rejected(Rejection::SequenceRange));
    };
    let merged_hash = |s: i64, column: &str| -> rusqlite::Result<Option<Option<String>>> {
        tx.query_row(
            &format!(
                "SELECT {column} FROM bundles WHERE kid = ?1 AND sequence = ?2 AND state = 'merged'"
            ),
            params![kid, s],
            |row| row.get(0),
        )
        .optional()
    };
    let mut gap = None;
    if seq > 1 {
        match merged_hash(seq - 1, "signing_input_hash")? {
            Some(hash) => {
                if hash != payload.previous {
                    return Ok(IngestOutcome::Rejected(Rejection::BrokenChain));
                }
            }
            None => {
                let last: Option<i64> = tx.query_row(
                    "SELECT MAX(sequence) FROM bundles
                     WHERE kid = ?1 AND state = 'merged' AND sequence < ?2",
                    params![kid, seq],
                    |row| row.get(0),
                )?;
                let first = last.unwrap_or(0) + 1;
                tx.execute(
                    "INSERT INTO gaps (kid, first_missing, last_missing, found_at_sequence)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![kid, first, seq - 1, seq],
                )?;
                gap = Some((first.unsigned_abs(), sequence - 1));
            }
        }
    }
    // The next bundle may have arrived first: it must point at this one.
    if let Some(next_previous) = merged_hash(seq.saturating_add(1), "previous")? {
        if next_previous.as_deref() != Some(bundle.signing_input_hash.as_str()) {
            return Ok(IngestOutcome::Rejected(Rejection::BrokenChain));
        }
    }
    for village in &payload.villages {
        tx.execute(
            "INSERT INTO villages (code, name, funded_slots) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name,
                 funded_slots = excluded.funded_slots",
            params![village.code, village.name, village.funded_slots],
        )?;
    }
    let (mut applied, mut ignored) = (0, 0);
    for record in &payload.records {
        let stored: Option<u32> = tx
            .query_row(
                "SELECT revision FROM records WHERE record_id = ?1",
                [&record.record_id],
                |row| row.get(0),
            )
            .optional()?;
        if stored.is_some_and(|revision| revision >= record.revision) {
            ignored += 1;
            continue;
        }
        let json = serde_json::to_string(record)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let status = serde_json::to_value(record.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        tx.execute(
            "INSERT INTO records (record_id, revision, removed, village, nik, name, status,
                                  kid, sequence, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (record_id) DO UPDATE SET revision = excluded.revision,
                 removed = excluded.removed, village = excluded.village, nik = excluded.nik,
                 name = excluded.name, status = excluded.status, kid = excluded.kid,
                 sequence = excluded.sequence, record = excluded.record",
            params![
                record.record_id,
                record.revision,
                record.op == Op::Remove,
                record.village,
                record.nik,
                record.name,
                status,
                kid,
                seq,
                json
            ],
        )?;
        applied += 1;
    }
    store_bundle(tx, bundle, bytes, seq, "merged")?;
    Ok(IngestOutcome::Merged {
        kid: kid.to_owned(),
        sequence,
        applied,
        ignored,
        gap,
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
            gap,
        } => {
            let mut lines = vec![format!(
                "merged {name}: {applied} records (kid {kid}, sequence {sequence}); \
                 {ignored} older or equal revisions ignored"
            )];
            if let Some((first, last)) = gap {
                lines.push(format!(
                    "gap {name}: kid {kid} is missing sequence {first}..{last}"
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

/// What `district report` reads from the register, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportData {
    /// (code, name, funded slots), by code.
    pub villages: Vec<(String, String, u32)>,
    /// Active records: (village, record id, kid, record JSON as merged).
    pub active: Vec<(String, String, String, String)>,
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
                "SELECT village, record_id, kid, record FROM records
                 WHERE removed = 0 ORDER BY village, record_id",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
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
