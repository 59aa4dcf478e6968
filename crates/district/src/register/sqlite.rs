//! The register in one SQLite file (the default backend).
//!
//! Invariants: every commit is on disk when it returns (`synchronous =
//! FULL`); at rest the register is one file with a rollback journal; only a
//! bulk run (`bulk.rs`) uses WAL, and it syncs everything before it ends.
//! Write transactions are `IMMEDIATE`: one writer at a time, so a bundle's
//! checks and writes see one state. A read-only open refuses every write.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::migrate::{BundleDump, Dump, RecordDump};
use super::read::{
    ActiveRecord, AgentRow, DuplicateRow, QuarantinedBundle, QuarantinedRecord, Reads,
    RecordSummary,
};
use super::schema::{StepContext, MIGRATIONS, SCHEMA_VERSION};
use super::{
    bulk, AgentInsert, AgentStatus, Backend, BundleInsert, BundleMeta, InitOutcome, Link, Mode,
    PackInsert, Quarantined, RecordHead, RecordRow, RegisterError, Result, Tx, Work,
};

pub(crate) struct Sqlite {
    conn: Connection,
    path: Option<PathBuf>,
    bulk: Option<bulk::Bulk>,
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

impl Sqlite {
    /// Creates the register at `path`, or migrates it step by step; `now_ms`
    /// is the time the steps record (`migrate_v3_to_v4`).
    pub(crate) fn init(path: &Path, now_ms: i64) -> Result<(Sqlite, InitOutcome)> {
        let mut conn = Connection::open(path)?;
        bulk::durable(&conn)?;
        let context = StepContext { now_ms };
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
            step(&tx, &context)?;
            tx.execute("UPDATE schema_version SET version = ?1", [version + 1])?;
            tx.commit()?;
        }
        let outcome = match from {
            Some(0) => InitOutcome::Created,
            Some(from) if from < SCHEMA_VERSION => InitOutcome::Migrated { from },
            _ => InitOutcome::UpToDate,
        };
        Ok((Sqlite::new(conn, path), outcome))
    }

    /// Opens an existing register at [`SCHEMA_VERSION`].
    pub(crate) fn open(path: &Path, read_only: bool) -> Result<Sqlite> {
        // A register is used by one thread at a time, so SQLite's own
        // per-call mutex is not needed.
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        if read_only {
            conn.busy_timeout(bulk::BUSY_TIMEOUT)?;
            conn.pragma_update(None, "query_only", true)?;
        } else {
            bulk::durable(&conn)?;
        }
        match read_version(&conn)? {
            None => Err(RegisterError::NotARegister),
            Some(SCHEMA_VERSION) => Ok(Sqlite::new(conn, path)),
            Some(found) if found > SCHEMA_VERSION => Err(RegisterError::TooNew { found }),
            Some(found) => Err(RegisterError::TooOld { found }),
        }
    }

    fn new(conn: Connection, path: &Path) -> Sqlite {
        Sqlite {
            conn,
            path: Some(path.to_owned()).filter(|p| !p.as_os_str().is_empty()),
            bulk: None,
        }
    }
}

impl Backend for Sqlite {
    fn run(&mut self, mode: Mode, work: Work<'_>) -> Result<()> {
        let behavior = match mode {
            Mode::Read => TransactionBehavior::Deferred,
            Mode::Write => TransactionBehavior::Immediate,
        };
        let tx = self.conn.transaction_with_behavior(behavior)?;
        let mut tx = SqliteTx(tx);
        if work(&mut tx)? {
            tx.0.commit()?;
        }
        Ok(())
    }

    fn begin_bulk(&mut self) {
        if self.bulk.is_none() {
            self.bulk = bulk::Bulk::begin(&self.conn, self.path.as_deref());
        }
    }

    fn end_bulk(&mut self) {
        let bulk = self.bulk.take();
        bulk::Bulk::end(bulk, &self.conn);
    }

    fn serving(&mut self) {
        bulk::serving(&self.conn);
    }
}

struct SqliteTx<'c>(rusqlite::Transaction<'c>);

fn from_db(value: i64) -> u64 {
    value.unsigned_abs()
}

impl Tx for SqliteTx<'_> {
    fn agent(&mut self, kid: &str) -> Result<Option<(AgentStatus, Option<i64>)>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT status, added_ms FROM agents WHERE kid = ?1")?;
        Ok(stmt
            .query_row([kid], |row| {
                Ok((AgentStatus::from_db(&row.get::<_, String>(0)?), row.get(1)?))
            })
            .optional()?)
    }

    fn insert_agent(&mut self, row: &AgentInsert<'_>) -> Result<bool> {
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO agents (kid, name, agent_id, status, added_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (kid) DO NOTHING",
        )?;
        let changed = stmt.execute(params![
            row.kid,
            row.name,
            row.agent_id,
            row.status.as_str(),
            row.added_ms
        ])?;
        Ok(changed == 1)
    }

    fn set_agent_status(&mut self, kid: &str, status: AgentStatus) -> Result<bool> {
        let changed = self.0.execute(
            "UPDATE agents SET status = ?1 WHERE kid = ?2",
            params![status.as_str(), kid],
        )?;
        Ok(changed == 1)
    }

    fn lock_device(&mut self, _kid: &str) -> Result<()> {
        // An IMMEDIATE transaction already holds the only write lock.
        Ok(())
    }

    fn link(&mut self, kid: &str, sequence: i64, merged_only: bool) -> Result<Option<Link>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT signing_input_hash, previous FROM bundles
             WHERE kid = ?1 AND sequence = ?2 AND (state = 'merged' OR NOT ?3)",
        )?;
        Ok(stmt
            .query_row(params![kid, sequence, merged_only], |row| {
                Ok(Link {
                    hash: row.get(0)?,
                    previous: row.get(1)?,
                })
            })
            .optional()?)
    }

    fn sequences(&mut self, kid: &str) -> Result<Vec<u64>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT sequence FROM bundles WHERE kid = ?1 ORDER BY sequence")?;
        let rows = stmt.query_map([kid], |row| row.get::<_, i64>(0).map(from_db))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn latest_receipt_before(&mut self, kid: &str, sequence: i64) -> Result<Option<i64>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT MAX(received_ms) FROM bundles WHERE kid = ?1 AND sequence < ?2",
        )?;
        Ok(stmt.query_row(params![kid, sequence], |row| row.get(0))?)
    }

    fn insert_bundle(&mut self, row: &BundleInsert<'_>) -> Result<Option<i64>> {
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO bundles (kid, sequence, signing_input_hash, previous, bundle_id, state,
                                  bytes, encoding, arrival, received_ms, floor_ms, pack_note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                     (SELECT COALESCE(MAX(arrival), 0) + 1 FROM bundles), ?9, ?10, ?11)
             ON CONFLICT (kid, sequence) DO NOTHING
             RETURNING arrival",
        )?;
        Ok(stmt
            .query_row(
                params![
                    row.kid,
                    row.sequence,
                    row.hash,
                    row.previous,
                    row.bundle_id,
                    row.state,
                    row.packed.data,
                    row.packed.encoding,
                    row.received_ms,
                    row.floor_ms,
                    row.pack_note
                ],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn bundle_meta(&mut self, kid: &str, sequence: i64) -> Result<Option<BundleMeta>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT received_ms, floor_ms, arrival, state = 'merged', withdrawn_ms IS NOT NULL
             FROM bundles WHERE kid = ?1 AND sequence = ?2",
        )?;
        Ok(stmt
            .query_row(params![kid, sequence], |row| {
                Ok(BundleMeta {
                    received_ms: row.get(0)?,
                    floor_ms: row.get(1)?,
                    arrival: row.get(2)?,
                    merged: row.get(3)?,
                    withdrawn: row.get(4)?,
                })
            })
            .optional()?)
    }

    fn set_bundle_merged(&mut self, kid: &str, sequence: i64) -> Result<()> {
        self.0.execute(
            "UPDATE bundles SET state = 'merged' WHERE kid = ?1 AND sequence = ?2",
            params![kid, sequence],
        )?;
        Ok(())
    }

    fn bundle_bytes(&mut self, kid: &str, sequence: i64) -> Result<Option<(String, Vec<u8>)>> {
        Ok(self
            .0
            .query_row(
                "SELECT encoding, bytes FROM bundles WHERE kid = ?1 AND sequence = ?2",
                params![kid, sequence],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    fn merged_sequences(&mut self, kid: &str) -> Result<Vec<i64>> {
        let mut stmt = self.0.prepare(
            "SELECT sequence FROM bundles
             WHERE kid = ?1 AND state = 'merged' AND withdrawn_ms IS NULL ORDER BY sequence",
        )?;
        let rows = stmt.query_map([kid], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn pending_sequences(&mut self, kid: &str) -> Result<Vec<i64>> {
        let mut stmt = self.0.prepare(
            "SELECT sequence FROM bundles
             WHERE kid = ?1 AND state = 'pending' AND withdrawn_ms IS NULL ORDER BY sequence",
        )?;
        let rows = stmt.query_map([kid], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn withdraw_bundle(&mut self, kid: &str, sequence: i64, at: i64, reason: &str) -> Result<()> {
        self.0.execute(
            "UPDATE bundles SET withdrawn_ms = ?3, withdrawn_reason = ?4
             WHERE kid = ?1 AND sequence = ?2",
            params![kid, sequence, at, reason],
        )?;
        Ok(())
    }

    fn savepoint(&mut self) -> Result<()> {
        Ok(self.0.execute_batch("SAVEPOINT bundle")?)
    }

    fn release(&mut self) -> Result<()> {
        Ok(self.0.execute_batch("RELEASE bundle")?)
    }

    fn rollback_to(&mut self) -> Result<()> {
        Ok(self.0.execute_batch("ROLLBACK TO bundle; RELEASE bundle")?)
    }

    fn delete_bundle(&mut self, kid: &str, sequence: i64) -> Result<()> {
        self.0.execute(
            "DELETE FROM bundles WHERE kid = ?1 AND sequence = ?2",
            params![kid, sequence],
        )?;
        Ok(())
    }

    fn insert_village(&mut self, code: &str, name: &str, declared_slots: u32) -> Result<()> {
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO villages (code, name, funded_slots) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO NOTHING",
        )?;
        stmt.execute(params![code, name, declared_slots])?;
        Ok(())
    }

    fn insert_record(&mut self, r: &RecordRow<'_>) -> Result<bool> {
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO records (village, record_id, revision, removed, nik, name, birth_date,
                                  sex, segment, category, funding_source, with_jht, status,
                                  created_ms, registered_ms, arrival, pack_id, pack_version,
                                  kid, sequence, quarantine)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21)
             ON CONFLICT (village, record_id) DO NOTHING",
        )?;
        let changed = stmt.execute(params![
            r.village,
            r.record_id,
            r.revision,
            r.removed,
            r.nik,
            r.name,
            r.birth_date,
            r.sex,
            r.segment,
            r.category,
            r.funding_source,
            r.with_jht,
            r.status,
            r.created_ms,
            r.registered_ms,
            r.arrival,
            r.pack_id,
            r.pack_version,
            r.kid,
            r.sequence,
            r.quarantine
        ])?;
        Ok(changed == 1)
    }

    fn record_head(&mut self, village: &str, record_id: &str) -> Result<Option<RecordHead>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT kid, revision, registered_ms FROM records WHERE village = ?1 AND record_id = ?2",
        )?;
        Ok(stmt
            .query_row(params![village, record_id], |row| {
                Ok(RecordHead {
                    kid: row.get(0)?,
                    revision: row.get(1)?,
                    registered_ms: row.get(2)?,
                })
            })
            .optional()?)
    }

    fn update_record(&mut self, r: &RecordRow<'_>) -> Result<()> {
        let mut stmt = self.0.prepare_cached(
            "UPDATE records SET revision = ?3, removed = ?4, nik = ?5, name = ?6,
                 birth_date = ?7, sex = ?8, segment = ?9, category = ?10,
                 funding_source = ?11, with_jht = ?12, status = ?13, created_ms = ?14,
                 pack_id = ?15, pack_version = ?16, sequence = ?17, quarantine = ?18
             WHERE village = ?1 AND record_id = ?2",
        )?;
        stmt.execute(params![
            r.village,
            r.record_id,
            r.revision,
            r.removed,
            r.nik,
            r.name,
            r.birth_date,
            r.sex,
            r.segment,
            r.category,
            r.funding_source,
            r.with_jht,
            r.status,
            r.created_ms,
            r.pack_id,
            r.pack_version,
            r.sequence,
            r.quarantine
        ])?;
        Ok(())
    }

    fn delete_record(&mut self, village: &str, record_id: &str) -> Result<()> {
        self.0.execute(
            "DELETE FROM records WHERE village = ?1 AND record_id = ?2",
            params![village, record_id],
        )?;
        Ok(())
    }

    fn records_from(&mut self, kid: &str, sequence: i64) -> Result<Vec<(String, String)>> {
        let mut stmt = self.0.prepare(
            "SELECT village, record_id FROM records WHERE kid = ?1 AND sequence = ?2
             ORDER BY village, record_id",
        )?;
        let rows = stmt.query_map(params![kid, sequence], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn insert_quarantine(&mut self, kid: &str, sequence: i64, q: &Quarantined) -> Result<()> {
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO quarantine (kid, sequence, village, record_id, revision, codes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )?;
        stmt.execute(params![
            kid,
            sequence,
            q.village,
            q.record_id,
            q.revision,
            q.codes.join(",")
        ])?;
        Ok(())
    }

    fn current_pack(&mut self) -> Result<Option<(String, String)>> {
        Ok(self
            .0
            .query_row(
                "SELECT digest, json FROM rule_packs WHERE current = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    fn known_pack(&mut self, id: &str, version: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT digest FROM rule_packs WHERE id = ?1 AND version = ?2")?;
        let rows = stmt.query_map(params![id, version], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn publish_pack(&mut self, p: &PackInsert<'_>) -> Result<()> {
        self.0
            .execute("UPDATE rule_packs SET current = 0 WHERE current = 1", [])?;
        self.0.execute(
            "INSERT INTO rule_packs (digest, id, version, json, added_ms, current)
             VALUES (?1, ?2, ?3, ?4, ?5, 1)
             ON CONFLICT (digest) DO UPDATE SET current = 1",
            params![p.digest, p.id, p.version, p.json, p.added_ms],
        )?;
        Ok(())
    }

    fn is_empty(&mut self) -> Result<bool> {
        Ok(self.0.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM agents) AND NOT EXISTS (SELECT 1 FROM bundles)",
            [],
            |row| row.get(0),
        )?)
    }

    fn dump(&mut self) -> Result<Dump> {
        self.dump_all()
    }

    fn load(&mut self, dump: &Dump) -> Result<()> {
        self.load_all(dump)
    }
}

impl SqliteTx<'_> {
    /// Active, accepted records, all or (`filter`, `village`) one village's.
    fn active_where(&mut self, filter: &str, village: Option<&str>) -> Result<Vec<ActiveRecord>> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT village, record_id, kid, nik, name, birth_date, sex, segment, category,
                    funding_source, with_jht, status, created_ms, registered_ms, arrival,
                    pack_id, pack_version
             FROM records WHERE removed = 0 AND quarantine IS NULL {filter}
             ORDER BY village, record_id"
        ))?;
        let params: Vec<&dyn rusqlite::ToSql> =
            village.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
        let rows = stmt.query_map(params.as_slice(), |row| {
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
                registered_ms: row.get(13)?,
                arrival: row.get(14)?,
                pack_id: row.get(15)?,
                pack_version: row.get(16)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Quarantined records, all or (`filter`, `kid`) one device's.
    fn quarantined_where(
        &mut self,
        filter: &str,
        kid: Option<&str>,
    ) -> Result<Vec<QuarantinedRecord>> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT q.kid, q.sequence, q.village, q.record_id, q.revision, q.codes,
                    EXISTS (SELECT 1 FROM records r WHERE r.village = q.village
                            AND r.record_id = q.record_id AND r.kid = q.kid
                            AND r.revision = q.revision AND r.quarantine IS NOT NULL),
                    b.withdrawn_ms IS NOT NULL
             FROM quarantine q JOIN bundles b ON b.kid = q.kid AND b.sequence = q.sequence
             {filter} ORDER BY q.kid, q.sequence, q.village, q.record_id"
        ))?;
        let params: Vec<&dyn rusqlite::ToSql> =
            kid.iter().map(|k| k as &dyn rusqlite::ToSql).collect();
        let rows = stmt.query_map(params.as_slice(), |row| {
            Ok(QuarantinedRecord {
                kid: row.get(0)?,
                sequence: from_db(row.get(1)?),
                village: row.get(2)?,
                record_id: row.get(3)?,
                revision: row.get(4)?,
                codes: row
                    .get::<_, String>(5)?
                    .split(',')
                    .map(str::to_owned)
                    .collect(),
                current: row.get(6)?,
                withdrawn: row.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Reads for SqliteTx<'_> {
    fn agent_rows(&mut self) -> Result<Vec<AgentRow>> {
        let mut stmt = self.0.prepare(
            "SELECT kid, name, agent_id, status,
                    (SELECT MAX(sequence) FROM bundles b
                     WHERE b.kid = a.kid AND b.state = 'merged'),
                    (SELECT COUNT(*) FROM bundles b
                     WHERE b.kid = a.kid AND b.state = 'pending')
             FROM agents a ORDER BY name, kid",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(AgentRow {
                kid: row.get(0)?,
                name: row.get(1)?,
                agent_id: row.get(2)?,
                status: AgentStatus::from_db(&row.get::<_, String>(3)?),
                last_merged: row.get::<_, Option<i64>>(4)?.map(from_db),
                pending: from_db(row.get(5)?),
                missing: Vec::new(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn all_sequences(&mut self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .0
            .prepare("SELECT kid, sequence FROM bundles ORDER BY kid, sequence")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, from_db(row.get(1)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn duplicates(&mut self) -> Result<Vec<DuplicateRow>> {
        let mut stmt = self.0.prepare(
            "SELECT r.nik, r.record_id, r.village, r.kid FROM records r
             JOIN duplicate_niks d ON d.nik = r.nik
             WHERE r.removed = 0 AND r.quarantine IS NULL ORDER BY r.nik, r.record_id, r.village",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(DuplicateRow {
                nik: row.get(0)?,
                record_id: row.get(1)?,
                village: row.get(2)?,
                kid: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn duplicate_niks(&mut self) -> Result<Vec<String>> {
        let mut stmt = self
            .0
            .prepare("SELECT nik FROM duplicate_niks ORDER BY nik")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn villages(&mut self) -> Result<Vec<(String, String, u32)>> {
        let mut stmt = self
            .0
            .prepare("SELECT code, name, funded_slots FROM villages ORDER BY code")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn active_records(&mut self) -> Result<Vec<ActiveRecord>> {
        self.active_where("", None)
    }

    fn active_records_in(&mut self, village: &str) -> Result<Vec<ActiveRecord>> {
        self.active_where("AND village = ?1", Some(village))
    }

    fn villages_of(&mut self, kid: &str) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT DISTINCT village FROM records
             WHERE kid = ?1 AND removed = 0 AND quarantine IS NULL ORDER BY village",
        )?;
        let rows = stmt.query_map([kid], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn quarantined_counts(&mut self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.0.prepare(
            "SELECT village, COUNT(*) FROM records
             WHERE removed = 0 AND quarantine IS NOT NULL GROUP BY village ORDER BY village",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, from_db(row.get(1)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn senders(&mut self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .0
            .prepare("SELECT DISTINCT village, kid FROM records ORDER BY village, kid")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn quarantined_records(&mut self) -> Result<Vec<QuarantinedRecord>> {
        self.quarantined_where("", None)
    }

    fn quarantined_of(&mut self, kid: &str) -> Result<Vec<QuarantinedRecord>> {
        self.quarantined_where("WHERE q.kid = ?1", Some(kid))
    }

    fn quarantined_bundles(&mut self) -> Result<Vec<QuarantinedBundle>> {
        let mut stmt = self.0.prepare(
            "SELECT kid, sequence, pack_note, withdrawn_ms, withdrawn_reason FROM bundles
             WHERE pack_note IS NOT NULL OR withdrawn_ms IS NOT NULL ORDER BY kid, sequence",
        )?;
        let rows = stmt.query_map([], |row| {
            let withdrawn_ms: Option<i64> = row.get(3)?;
            let reason: Option<String> = row.get(4)?;
            Ok(QuarantinedBundle {
                kid: row.get(0)?,
                sequence: from_db(row.get(1)?),
                pack_note: row.get(2)?,
                withdrawn: withdrawn_ms.map(|at| (at, reason.unwrap_or_default())),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn record(&mut self, record_id: &str) -> Result<Option<RecordSummary>> {
        Ok(self
            .0
            .query_row(
                "SELECT revision, removed, name, quarantine FROM records WHERE record_id = ?1
                 ORDER BY village LIMIT 1",
                [record_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?)
    }
}

impl SqliteTx<'_> {
    fn all<T>(
        &self,
        sql: &str,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.0.prepare(sql)?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl SqliteTx<'_> {
    fn dump_all(&self) -> Result<Dump> {
        let tx = self;
        Ok(Dump {
        agents: tx.all(
            "SELECT kid, name, agent_id, status, added_ms FROM agents ORDER BY kid",
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?,
        bundles: tx.all(
            "SELECT kid, sequence, signing_input_hash, previous, bundle_id, state, bytes,
                    encoding, arrival, received_ms, floor_ms, pack_note, withdrawn_ms,
                    withdrawn_reason
             FROM bundles ORDER BY arrival",
            |r| {
                Ok(BundleDump {
                    kid: r.get(0)?,
                    sequence: r.get(1)?,
                    hash: r.get(2)?,
                    previous: r.get(3)?,
                    bundle_id: r.get(4)?,
                    state: r.get(5)?,
                    bytes: r.get(6)?,
                    encoding: r.get(7)?,
                    arrival: r.get(8)?,
                    received_ms: r.get(9)?,
                    floor_ms: r.get(10)?,
                    pack_note: r.get(11)?,
                    withdrawn_ms: r.get(12)?,
                    withdrawn_reason: r.get(13)?,
                })
            },
        )?,
        villages: tx.all(
            "SELECT code, name, funded_slots FROM villages ORDER BY code",
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?,
        records: tx.all(
            "SELECT village, record_id, revision, removed, nik, name, birth_date, sex, segment,
                    category, funding_source, with_jht, status, created_ms, registered_ms,
                    arrival, pack_id, pack_version, kid, sequence, quarantine
             FROM records ORDER BY village, record_id",
            |r| {
                Ok(RecordDump {
                    village: r.get(0)?,
                    record_id: r.get(1)?,
                    revision: r.get(2)?,
                    removed: r.get(3)?,
                    nik: r.get(4)?,
                    name: r.get(5)?,
                    birth_date: r.get(6)?,
                    sex: r.get(7)?,
                    segment: r.get(8)?,
                    category: r.get(9)?,
                    funding_source: r.get(10)?,
                    with_jht: r.get(11)?,
                    status: r.get(12)?,
                    created_ms: r.get(13)?,
                    registered_ms: r.get(14)?,
                    arrival: r.get(15)?,
                    pack_id: r.get(16)?,
                    pack_version: r.get(17)?,
                    kid: r.get(18)?,
                    sequence: r.get(19)?,
                    quarantine: r.get(20)?,
                })
            },
        )?,
        quarantine: tx.all(
            "SELECT kid, sequence, village, record_id, revision, codes FROM quarantine
             ORDER BY kid, sequence, village, record_id, revision",
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )?,
        packs: tx.all(
            "SELECT digest, id, version, json, added_ms, current FROM rule_packs ORDER BY added_ms, digest",
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )?,
    })
    }
}

impl SqliteTx<'_> {
    fn load_all(&self, dump: &Dump) -> Result<()> {
        let tx = &self.0;
        tx.execute("DELETE FROM rule_packs", [])?;
        for (kid, name, agent_id, status, added_ms) in &dump.agents {
            tx.execute(
                "INSERT INTO agents (kid, name, agent_id, status, added_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kid, name, agent_id, status, added_ms],
            )?;
        }
        for b in &dump.bundles {
            tx.execute(
                "INSERT INTO bundles (kid, sequence, signing_input_hash, previous, bundle_id,
                                      state, bytes, encoding, arrival, received_ms, floor_ms,
                                      pack_note, withdrawn_ms, withdrawn_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    b.kid,
                    b.sequence,
                    b.hash,
                    b.previous,
                    b.bundle_id,
                    b.state,
                    b.bytes,
                    b.encoding,
                    b.arrival,
                    b.received_ms,
                    b.floor_ms,
                    b.pack_note,
                    b.withdrawn_ms,
                    b.withdrawn_reason
                ],
            )?;
        }
        for (code, name, slots) in &dump.villages {
            tx.execute(
                "INSERT INTO villages (code, name, funded_slots) VALUES (?1, ?2, ?3)",
                params![code, name, slots],
            )?;
        }
        for r in &dump.records {
            tx.execute(
                "INSERT INTO records (village, record_id, revision, removed, nik, name, birth_date,
                                      sex, segment, category, funding_source, with_jht, status,
                                      created_ms, registered_ms, arrival, pack_id, pack_version,
                                      kid, sequence, quarantine)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21)",
                params![
                    r.village,
                    r.record_id,
                    r.revision,
                    r.removed,
                    r.nik,
                    r.name,
                    r.birth_date,
                    r.sex,
                    r.segment,
                    r.category,
                    r.funding_source,
                    r.with_jht,
                    r.status,
                    r.created_ms,
                    r.registered_ms,
                    r.arrival,
                    r.pack_id,
                    r.pack_version,
                    r.kid,
                    r.sequence,
                    r.quarantine
                ],
            )?;
        }
        for (kid, sequence, village, record_id, revision, codes) in &dump.quarantine {
            tx.execute(
                "INSERT INTO quarantine (kid, sequence, village, record_id, revision, codes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![kid, sequence, village, record_id, revision, codes],
            )?;
        }
        for (digest, id, version, json, added_ms, current) in &dump.packs {
            tx.execute(
                "INSERT INTO rule_packs (digest, id, version, json, added_ms, current)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![digest, id, version, json, added_ms, current],
            )?;
        }
        Ok(())
    }
}
