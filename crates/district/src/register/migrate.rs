//! `district migrate`: a whole register, history and stored files, into a
//! new one (typically a SQLite file into PostgreSQL).
//!
//! Invariants: the target must hold no agents and no bundles; everything
//! is copied as stored (bundle files byte for byte, arrival numbers,
//! receipt times, quarantine codes, rule packs), so both registers judge
//! and report alike; the source is never changed: a SQLite source is read
//! through SQLite into a temporary copy (`VACUUM INTO`, so commits still in
//! its WAL are copied too), which is then brought to the current schema.

use std::path::Path;

use lindung_core::Timestamp;
use rusqlite::{Connection, OpenFlags};

use super::{Location, Mode, Register, RegisterError, Result};

/// (kid, name, agent_id, status, added_ms)
pub(crate) type AgentDump = (String, String, Option<String>, String, Option<i64>);

/// Every row of a register, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Dump {
    pub agents: Vec<AgentDump>,
    pub bundles: Vec<BundleDump>,
    /// (code, name, declared funded slots)
    pub villages: Vec<(String, String, i64)>,
    pub records: Vec<RecordDump>,
    /// (kid, sequence, village, record_id, revision, codes)
    pub quarantine: Vec<(String, i64, String, String, i64, String)>,
    /// (digest, id, version, json, added_ms, current)
    pub packs: Vec<(String, String, String, String, i64, bool)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BundleDump {
    pub kid: String,
    pub sequence: i64,
    pub hash: String,
    pub previous: Option<String>,
    pub bundle_id: String,
    pub state: String,
    pub bytes: Vec<u8>,
    pub encoding: String,
    pub arrival: i64,
    pub received_ms: Option<i64>,
    pub floor_ms: Option<i64>,
    pub pack_note: Option<String>,
    pub withdrawn_ms: Option<i64>,
    pub withdrawn_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecordDump {
    pub village: String,
    pub record_id: String,
    pub revision: i64,
    pub removed: bool,
    pub nik: String,
    pub name: String,
    pub birth_date: String,
    pub sex: String,
    pub segment: String,
    pub category: String,
    pub funding_source: String,
    pub with_jht: bool,
    pub status: String,
    pub created_ms: i64,
    pub registered_ms: i64,
    pub arrival: i64,
    pub pack_id: String,
    pub pack_version: String,
    pub kid: String,
    pub sequence: i64,
    pub quarantine: Option<String>,
}

/// What `migrate` moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub agents: usize,
    pub bundles: usize,
    pub records: usize,
    pub quarantine: usize,
    pub packs: usize,
}

/// Copies the register at `from` into the new register at `to` (created
/// if need be, and refused unless empty).
pub fn migrate(from: &Location, to: &Location, now: Timestamp) -> Result<Moved> {
    // A SQLite source is read from a copy brought to the current schema.
    let copy;
    let source = match from {
        Location::Sqlite(path) => {
            copy = tempfile::tempdir().map_err(|e| {
                RegisterError::File(format!("cannot make a temporary directory: {e}"))
            })?;
            let copied = copy.path().join("source.sqlite");
            snapshot(path, &copied)?;
            Register::init_with(Location::Sqlite(copied), now)?.0
        }
        Location::Postgres(_) => Register::open(from)?,
    };
    let mut source = source;
    let dump = source.run(Mode::Read, |tx| Ok((tx.dump()?, false)))?;
    let (mut target, _) = Register::init_with(to, now)?;
    target.run(Mode::Write, |tx| {
        if !tx.is_empty()? {
            return Err(RegisterError::TargetNotEmpty);
        }
        tx.load(&dump)?;
        Ok(((), true))
    })?;
    Ok(Moved {
        agents: dump.agents.len(),
        bundles: dump.bundles.len(),
        records: dump.records.len(),
        quarantine: dump.quarantine.len(),
        packs: dump.packs.len(),
    })
}

/// Writes a consistent copy of the SQLite register at `path` to `to` (a
/// new file), read through SQLite on a read-only connection: commits still
/// in the source's `-wal` file (a `district serve` or a bulk run holding it
/// in WAL mode) are in the copy, and the source is not changed. A copy of
/// the file alone would miss them.
fn snapshot(path: &Path, to: &Path) -> Result<()> {
    if !path.is_file() {
        return Err(RegisterError::File(format!(
            "{} is not a register file",
            path.display()
        )));
    }
    let to = to
        .to_str()
        .ok_or_else(|| RegisterError::File(format!("{} is not a UTF-8 path", to.display())))?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(super::bulk::BUSY_TIMEOUT)?;
    conn.execute("VACUUM INTO ?1", [to])?;
    Ok(())
}
