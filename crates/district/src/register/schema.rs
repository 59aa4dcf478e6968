//! The SQLite register's schema: embedded here, moved forward only by
//! explicit steps (`migrate_v0_to_v1`, ...), each in one transaction that
//! also writes the new `schema_version`. The PostgreSQL schema (`postgres.rs`)
//! starts at the current version and has its own steps from there.

use lindung_core::bundle::{BundleRecord, Op};
use lindung_core::{Date, RegistrationInput, RulePack, Timestamp};
use rusqlite::{params, Transaction};

use super::merge::status_text;

/// The schema version this code reads and writes (both backends).
pub const SCHEMA_VERSION: i64 = 5;

/// What a migration step may need besides the database: the time it runs.
pub(crate) struct StepContext {
    pub now_ms: i64,
}

type Step = fn(&Transaction<'_>, &StepContext) -> rusqlite::Result<()>;

/// The schema steps, in order: step `i` moves version `i` to `i + 1`.
pub(crate) const MIGRATIONS: [Step; 5] = [
    |tx, _| migrate_v0_to_v1(tx),
    |tx, _| migrate_v1_to_v2(tx),
    |tx, _| migrate_v2_to_v3(tx),
    migrate_v3_to_v4,
    |tx, _| tx.execute_batch(RECORDS_BY_DEVICE),
];

/// Version 5: a device's records found without reading every record (the
/// device state a server answers each phone with, `villages_of`). The same
/// statement on both backends.
pub(crate) const RECORDS_BY_DEVICE: &str = "CREATE INDEX records_kid ON records (kid, village)";

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

/// The records table of version 4, made as `records_v4` by the migration,
/// which then renames it.
pub(crate) const RECORDS_V4: &str = "CREATE TABLE records_v4 (
             village        TEXT NOT NULL,
             record_id      TEXT NOT NULL,
             revision       INTEGER NOT NULL,
             removed        INTEGER NOT NULL CHECK (removed IN (0, 1)),
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
             registered_ms  INTEGER NOT NULL,
             arrival        INTEGER NOT NULL,
             pack_id        TEXT NOT NULL,
             pack_version   TEXT NOT NULL,
             kid            TEXT NOT NULL,
             sequence       INTEGER NOT NULL,
             quarantine     TEXT,
             PRIMARY KEY (village, record_id)
         ) WITHOUT ROWID";

/// Version 4: the district judges every record itself.
///
/// - `agents.added_ms`: when a key was enrolled or first seen; no record of
///   it is ordered before then.
/// - `bundles`: `arrival` (the order bundles arrived in, unique),
///   `received_ms`, `floor_ms` (the window a bundle's new records are
///   ordered in), `pack_note` (what the district found about the rule pack
///   the bundle names), `withdrawn_ms` and `withdrawn_reason`.
/// - `records`: `registered_ms` (the district's registration time),
///   `arrival` (of the bundle that first carried it) and `quarantine` (the
///   codes of a record the district did not accept); `nik` holds the NIK's
///   16 digits when it parses.
/// - `quarantine`: every quarantined record of every bundle, for audit.
/// - `rule_packs`: the district's rule packs, one of them current.
///
/// Bundles and agents stored before version 4 get the migration's time as
/// their receipt and enrolment, records their claimed time as their
/// registration time, and every stored record is judged with the built-in
/// rule pack on that date (the register had no pack of its own before).
fn migrate_v3_to_v4(tx: &Transaction<'_>, context: &StepContext) -> rusqlite::Result<()> {
    tx.execute_batch(
        "ALTER TABLE agents ADD COLUMN added_ms INTEGER;
         ALTER TABLE bundles ADD COLUMN arrival INTEGER;
         ALTER TABLE bundles ADD COLUMN received_ms INTEGER;
         ALTER TABLE bundles ADD COLUMN floor_ms INTEGER;
         ALTER TABLE bundles ADD COLUMN pack_note TEXT;
         ALTER TABLE bundles ADD COLUMN withdrawn_ms INTEGER;
         ALTER TABLE bundles ADD COLUMN withdrawn_reason TEXT;
         UPDATE bundles SET arrival = rowid;
         CREATE UNIQUE INDEX bundles_arrival ON bundles (arrival);
         CREATE TABLE quarantine (
             kid       TEXT NOT NULL,
             sequence  INTEGER NOT NULL,
             village   TEXT NOT NULL,
             record_id TEXT NOT NULL,
             revision  INTEGER NOT NULL,
             codes     TEXT NOT NULL,
             PRIMARY KEY (kid, sequence, village, record_id, revision)
         );
         CREATE TABLE rule_packs (
             digest   TEXT PRIMARY KEY,
             id       TEXT NOT NULL,
             version  TEXT NOT NULL,
             json     TEXT NOT NULL,
             added_ms INTEGER NOT NULL,
             current  INTEGER NOT NULL DEFAULT 0 CHECK (current IN (0, 1))
         );
         CREATE UNIQUE INDEX rule_packs_current ON rule_packs (current) WHERE current = 1;",
    )?;
    tx.execute(
        "UPDATE agents SET added_ms = ?1 WHERE added_ms IS NULL",
        [context.now_ms],
    )?;
    tx.execute(
        "UPDATE bundles SET received_ms = ?1, floor_ms = ?1",
        [context.now_ms],
    )?;
    tx.execute_batch(RECORDS_V4)?;
    {
        let pack = RulePack::default_pack();
        let mut read = tx.prepare(
            "SELECT r.village, r.record_id, r.revision, r.removed, r.nik, r.name, r.birth_date,
                    r.sex, r.segment, r.category, r.funding_source, r.with_jht, r.status,
                    r.created_ms, r.pack_id, r.pack_version, r.kid, r.sequence, b.arrival
             FROM records r JOIN bundles b ON b.kid = r.kid AND b.sequence = r.sequence",
        )?;
        let mut write = tx.prepare(INSERT_RECORD_V4)?;
        let mut rows = read.query([])?;
        while let Some(row) = rows.next()? {
            let village: String = row.get(0)?;
            let removed: bool = row.get(3)?;
            let mut input = RegistrationInput {
                nik: row.get(4)?,
                name: row.get(5)?,
                birth_date: row.get(6)?,
                sex: row.get(7)?,
                segment: row.get(8)?,
                category: row.get(9)?,
                funding_source: row.get(10)?,
                with_jht: row.get(11)?,
            };
            let created_ms: i64 = row.get(13)?;
            let (nik, codes) = judge_stored(&village, &input, removed, created_ms, &pack);
            input.nik = nik;
            write.execute(params![
                village,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                removed,
                input.nik,
                input.name,
                input.birth_date,
                input.sex,
                input.segment,
                input.category,
                input.funding_source,
                input.with_jht,
                row.get::<_, String>(12)?,
                created_ms,
                created_ms,
                row.get::<_, i64>(18)?,
                row.get::<_, String>(14)?,
                row.get::<_, String>(15)?,
                row.get::<_, String>(16)?,
                row.get::<_, i64>(17)?,
                codes,
            ])?;
        }
    }
    tx.execute_batch(&format!(
        "DROP VIEW duplicate_niks;
         DROP TABLE records;
         ALTER TABLE records_v4 RENAME TO records;
         {DUPLICATE_NIKS_VIEW_V4}"
    ))
}

/// Inserts a record into `records_v4`, in column order.
const INSERT_RECORD_V4: &str = "INSERT INTO records_v4 VALUES
    (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

pub(crate) const DUPLICATE_NIKS_VIEW_V4: &str = "
    -- A NIK held by more than one active, accepted record, in any villages,
    -- from any devices.
    CREATE VIEW duplicate_niks AS
        SELECT nik, COUNT(*) AS records FROM records
        WHERE removed = 0 AND quarantine IS NULL GROUP BY nik HAVING COUNT(*) > 1;";

/// The version 4 judgement of a record stored before it: the NIK as kept
/// (its digits when it parses) and the quarantine codes, if any. Only what
/// the stored columns show can be judged (no history, no bundle village
/// list): the village code, and the registration on its claimed date.
fn judge_stored(
    village: &str,
    input: &RegistrationInput,
    removed: bool,
    created_ms: i64,
    pack: &RulePack,
) -> (String, Option<String>) {
    let on: Date = Timestamp::from_millis(created_ms).date();
    let mut codes: Vec<&'static str> = Vec::new();
    // Stored records carry no village name: the code is judged alone.
    codes.extend(lindung_core::judge::village_problems(village, "-"));
    let verdict = lindung_core::check(input, pack, on);
    let nik = verdict
        .nik
        .as_ref()
        .map_or_else(|| input.nik.clone(), |n| n.as_str().to_owned());
    if !removed {
        codes.extend(verdict.errors().map(|issue| issue.code()));
    }
    (nik, (!codes.is_empty()).then(|| codes.join(",")))
}
