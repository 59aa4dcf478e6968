//! The register in PostgreSQL: one database that several district
//! processes share.
//!
//! Invariants:
//! - The schema starts at version 4 and moves to `SCHEMA_VERSION` only by
//!   the steps of `PG_MIGRATIONS`, all in one transaction under one
//!   advisory lock, so two `init`s of a new database create it once.
//! - Uniqueness lives in the database (primary keys, the unique arrival
//!   number, one current rule pack), never in a read-then-write.
//! - Write transactions run at READ COMMITTED; a device's transactions are
//!   serialized across processes by an advisory lock on its kid
//!   (`Tx::lock_device`). Reads run at REPEATABLE READ, READ ONLY, so every
//!   read of one report sees one state.
//! - A transaction that lost a race (serialization failure, deadlock, a
//!   unique violation no `ON CONFLICT` caught) runs again from the start, a
//!   few times; nothing of it is visible before it commits.
//! - Text columns are `COLLATE "C"`: every order is by bytes, as in SQLite,
//!   whatever the database's collation, so both backends report alike.
//! - Error messages hold the server's message and SQLSTATE only, never its
//!   DETAIL (which can quote a row: a NIK, a name), and URLs only
//!   `redacted`.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::Duration;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::{DbError, SqlState};
use postgres::types::{FromSql, ToSql, Type};
use postgres::{Client, Config, GenericClient, IsolationLevel, NoTls, Row, Statement, Transaction};

use super::migrate::{BundleDump, Dump, RecordDump};
use super::read::{
    ActiveRecord, AgentRow, DuplicateRow, QuarantinedBundle, QuarantinedRecord, Reads,
    RecordSummary,
};
use super::schema::SCHEMA_VERSION;
use super::{
    AgentInsert, AgentStatus, Backend, BundleInsert, BundleMeta, InitOutcome, Link, Mode,
    PackInsert, Quarantined, RecordHead, RecordRow, RegisterError, Result, Tx, Work,
};

/// The URL with its password replaced by `***`, for messages and logs: the
/// one in the user info (everything up to the last `@` counts, since a
/// password may hold `/`, `?` or `@`) and a `password=` parameter.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let rest = match rest.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{user_info}@{host}"),
        },
        None => rest.to_owned(),
    };
    let rest = match rest.split_once('?') {
        Some((before, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => param.to_owned(),
                })
                .collect();
            format!("{before}?{}", params.join("&"))
        }
        None => rest,
    };
    format!("{scheme}://{rest}")
}

/// One step of the PostgreSQL schema: from version `from` to `to`, in one
/// transaction that also writes `schema_version`.
struct PgStep {
    from: i64,
    to: i64,
    run: fn(&mut Transaction<'_>) -> std::result::Result<(), postgres::Error>,
}

/// The PostgreSQL schema steps, in order. A PostgreSQL register never had
/// SQLite's versions 1 to 3: step 0 creates everything at version 4; later
/// versions append steps from 4.
const PG_MIGRATIONS: [PgStep; 2] = [
    PgStep {
        from: 0,
        to: 4,
        run: create_v4,
    },
    PgStep {
        from: 4,
        to: 5,
        run: |tx| tx.batch_execute(super::schema::RECORDS_BY_DEVICE),
    },
];

/// The advisory lock (two-key form, so no device's one-key lock meets it)
/// that each schema step holds until it commits.
const SCHEMA_LOCK: (i32, i32) = (0x4C49_4E44, 1); // "LIND", the schema

/// Version 4, as SQLite's `RECORDS_V4`, `migrate_v3_to_v4` and the steps
/// before them leave it, with PostgreSQL types: BIGINT integers, BOOLEAN
/// flags, BYTEA bytes, and text that sorts by bytes. Differences, each on
/// purpose:
/// - `bundles.arrival` is an identity (a sequence), not `MAX + 1`: two
///   processes storing bundles at once each get a number without reading
///   the other's; numbers of rolled-back inserts are skipped, so only
///   their order means anything (as in SQLite).
/// - `bundles.kid` references `agents` (declared in SQLite, not enforced).
/// - `bundles.bytes` is stored without PostgreSQL's compression: it is
///   zstd already.
/// - Nullable columns are those SQLite's `ALTER TABLE ... ADD COLUMN` made
///   nullable, so every SQLite register loads (`district migrate`).
const CREATE_V4: &str = r#"
    CREATE TABLE schema_version (version BIGINT NOT NULL);
    INSERT INTO schema_version (version) VALUES (0);
    CREATE TABLE agents (
        kid      TEXT COLLATE "C" PRIMARY KEY,
        name     TEXT COLLATE "C" NOT NULL,
        agent_id TEXT COLLATE "C",
        status   TEXT COLLATE "C" NOT NULL
                 CHECK (status IN ('pending', 'approved', 'revoked')),
        added_ms BIGINT
    );
    CREATE TABLE bundles (
        kid                TEXT COLLATE "C" NOT NULL REFERENCES agents (kid),
        sequence           BIGINT NOT NULL,
        signing_input_hash TEXT COLLATE "C" NOT NULL,
        previous           TEXT COLLATE "C",
        bundle_id          TEXT COLLATE "C" NOT NULL,
        state              TEXT COLLATE "C" NOT NULL CHECK (state IN ('pending', 'merged')),
        bytes              BYTEA NOT NULL,
        encoding           TEXT COLLATE "C" NOT NULL DEFAULT 'identity'
                           CHECK (encoding IN ('identity', 'zstd')),
        arrival            BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL
                           CONSTRAINT bundles_arrival UNIQUE,
        received_ms        BIGINT,
        floor_ms           BIGINT,
        pack_note          TEXT COLLATE "C",
        withdrawn_ms       BIGINT,
        withdrawn_reason   TEXT COLLATE "C",
        PRIMARY KEY (kid, sequence)
    );
    ALTER TABLE bundles ALTER COLUMN bytes SET STORAGE EXTERNAL;
    CREATE TABLE villages (
        code         TEXT COLLATE "C" PRIMARY KEY,
        name         TEXT COLLATE "C" NOT NULL,
        funded_slots BIGINT NOT NULL
    );
    CREATE TABLE records (
        village        TEXT COLLATE "C" NOT NULL,
        record_id      TEXT COLLATE "C" NOT NULL,
        revision       BIGINT NOT NULL,
        removed        BOOLEAN NOT NULL,
        nik            TEXT COLLATE "C" NOT NULL,
        name           TEXT COLLATE "C" NOT NULL,
        birth_date     TEXT COLLATE "C" NOT NULL,
        sex            TEXT COLLATE "C" NOT NULL,
        segment        TEXT COLLATE "C" NOT NULL,
        category       TEXT COLLATE "C" NOT NULL,
        funding_source TEXT COLLATE "C" NOT NULL,
        with_jht       BOOLEAN NOT NULL,
        status         TEXT COLLATE "C" NOT NULL,
        created_ms     BIGINT NOT NULL,
        registered_ms  BIGINT NOT NULL,
        arrival        BIGINT NOT NULL,
        pack_id        TEXT COLLATE "C" NOT NULL,
        pack_version   TEXT COLLATE "C" NOT NULL,
        kid            TEXT COLLATE "C" NOT NULL,
        sequence       BIGINT NOT NULL,
        quarantine     TEXT COLLATE "C",
        PRIMARY KEY (village, record_id)
    );
    CREATE TABLE quarantine (
        kid       TEXT COLLATE "C" NOT NULL,
        sequence  BIGINT NOT NULL,
        village   TEXT COLLATE "C" NOT NULL,
        record_id TEXT COLLATE "C" NOT NULL,
        revision  BIGINT NOT NULL,
        codes     TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (kid, sequence, village, record_id, revision)
    );
    CREATE TABLE rule_packs (
        digest   TEXT COLLATE "C" PRIMARY KEY,
        id       TEXT COLLATE "C" NOT NULL,
        version  TEXT COLLATE "C" NOT NULL,
        json     TEXT NOT NULL,
        added_ms BIGINT NOT NULL,
        current  BOOLEAN NOT NULL DEFAULT false
    );
    CREATE UNIQUE INDEX rule_packs_current ON rule_packs (current) WHERE current;
    -- A NIK held by more than one active, accepted record, in any villages,
    -- from any devices (SQLite's DUPLICATE_NIKS_VIEW_V4).
    CREATE VIEW duplicate_niks AS
        SELECT nik, COUNT(*) AS records FROM records
        WHERE NOT removed AND quarantine IS NULL GROUP BY nik HAVING COUNT(*) > 1;
"#;

fn create_v4(tx: &mut Transaction<'_>) -> std::result::Result<(), postgres::Error> {
    tx.batch_execute(CREATE_V4)
}

/// How long, in seconds, a transaction waits for a lock another process
/// holds. A bundle's merge takes milliseconds; this only ends a wait behind a
/// stuck peer.
const LOCK_TIMEOUT_S: u32 = 30;

/// How many times a transaction that lost a race runs again.
const RETRIES: u32 = 5;

/// Whether a transaction failing with `code` lost a race, and running it
/// again from the start may succeed.
fn lost_race(code: &SqlState) -> bool {
    *code == SqlState::T_R_SERIALIZATION_FAILURE
        || *code == SqlState::T_R_DEADLOCK_DETECTED
        || *code == SqlState::UNIQUE_VIOLATION
}

/// The wait before retry `attempt` (1, 2, ...): 10, 20, 40 ... ms, plus up
/// to as much again, so two processes that collided do not collide again.
fn backoff(attempt: u32) -> Duration {
    let base = 10u64 << attempt.saturating_sub(1).min(6);
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()))
        % base;
    Duration::from_millis(base + jitter)
}

/// A server error as messages show it: its message and SQLSTATE, without
/// DETAIL, HINT or CONTEXT (which can quote the row's values).
fn db_text(db: &DbError) -> String {
    format!("{} (SQLSTATE {})", db.message(), db.code().code())
}

/// A client error as messages show it, with its causes.
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db_text(db);
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        match cause.downcast_ref::<DbError>() {
            Some(db) => text.push_str(&db_text(db)),
            None => text.push_str(&cause.to_string()),
        }
        source = cause.source();
    }
    text
}

fn error(e: &postgres::Error) -> RegisterError {
    RegisterError::Postgres(describe(e))
}

/// Parses a `postgres://` or `postgresql://` URL.
fn config(url: &str) -> Result<Config> {
    if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        // Not echoed: a key=value string may hold a password.
        return Err(RegisterError::Postgres(
            "a register on PostgreSQL is named by a postgres:// or postgresql:// URL".into(),
        ));
    }
    let mut config = Config::from_str(url)
        .map_err(|e| RegisterError::Postgres(format!("{}: {}", redacted(url), describe(&e))))?;
    if config.get_application_name().is_none() {
        config.application_name("district");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(30));
    }
    Ok(config)
}

/// A session on the register's database; with `read_only`, every
/// transaction of it is read-only unless it says otherwise (none does).
fn connect(config: &Config, read_only: bool, shown: &str) -> Result<Client> {
    let fail = |e: postgres::Error| {
        RegisterError::Postgres(format!("cannot connect to {shown}: {}", describe(&e)))
    };
    let mut client = config.connect(NoTls).map_err(fail)?;
    // A lock another process holds (a device's advisory lock, a row being
    // inserted) is waited for this long, then this transaction fails with
    // 55P03 instead of waiting forever behind a wedged peer.
    client
        .batch_execute(&format!("SET lock_timeout = '{LOCK_TIMEOUT_S}s'"))
        .map_err(fail)?;
    if read_only {
        client
            .batch_execute("SET default_transaction_read_only = on")
            .map_err(fail)?;
    }
    Ok(client)
}

/// The schema version, if `schema_version` is there and holds a row.
fn read_version(client: &mut impl GenericClient) -> Result<Option<i64>> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .and_then(|row| row.try_get(0))
        .map_err(|e| error(&e))?;
    if !exists {
        return Ok(None);
    }
    client
        .query_opt("SELECT version FROM schema_version", &[])
        .and_then(|row| row.map(|row| row.try_get(0)).transpose())
        .map_err(|e| error(&e))
}

/// How many relations the schema that `init` would create in already holds.
fn relations(client: &mut impl GenericClient) -> Result<i64> {
    client
        .query_one(
            "SELECT COUNT(*) FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema()",
            &[],
        )
        .and_then(|row| row.try_get(0))
        .map_err(|e| error(&e))
}

pub(crate) struct Postgres {
    client: Client,
    config: Config,
    read_only: bool,
    /// The URL without its password, for messages.
    shown: String,
    /// Statements prepared on this session, by their SQL.
    statements: HashMap<&'static str, Statement>,
}

impl Postgres {
    /// Creates the register in the database `url` names, or migrates it,
    /// all steps in one transaction.
    pub(crate) fn init(url: &str) -> Result<(Postgres, InitOutcome)> {
        let config = config(url)?;
        let shown = redacted(url);
        let mut client = connect(&config, false, &shown)?;
        // Every step in one transaction (PostgreSQL's DDL is
        // transactional): another init waits at the lock until all of them
        // committed, then reads the version they wrote (each statement of
        // READ COMMITTED sees what committed before it) and finds nothing
        // to do.
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()
            .map_err(|e| error(&e))?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&SCHEMA_LOCK.0, &SCHEMA_LOCK.1],
        )
        .map_err(|e| error(&e))?;
        let mut version = match read_version(&mut tx)? {
            Some(version) => version,
            None if relations(&mut tx)? > 0 => return Err(RegisterError::NotARegister),
            None => 0,
        };
        let from = Some(version);
        if version > SCHEMA_VERSION {
            return Err(RegisterError::TooNew { found: version });
        }
        while version < SCHEMA_VERSION {
            let Some(step) = PG_MIGRATIONS.iter().find(|step| step.from == version) else {
                return Err(RegisterError::Postgres(format!(
                    "the register has schema version {version}, which no PostgreSQL \
                     register has; it is damaged"
                )));
            };
            (step.run)(&mut tx).map_err(|e| error(&e))?;
            tx.execute("UPDATE schema_version SET version = $1", &[&step.to])
                .map_err(|e| error(&e))?;
            version = step.to;
        }
        tx.commit().map_err(|e| error(&e))?;
        let outcome = match from {
            Some(0) => InitOutcome::Created,
            Some(from) if from < SCHEMA_VERSION => InitOutcome::Migrated { from },
            _ => InitOutcome::UpToDate,
        };
        Ok((Postgres::new(client, config, false, shown), outcome))
    }

    /// Opens an existing register at [`SCHEMA_VERSION`]; with `read_only`,
    /// the server refuses every write of this session.
    pub(crate) fn open(url: &str, read_only: bool) -> Result<Postgres> {
        let config = config(url)?;
        let shown = redacted(url);
        let mut client = connect(&config, read_only, &shown)?;
        match read_version(&mut client)? {
            None => Err(RegisterError::NotARegister),
            Some(SCHEMA_VERSION) => Ok(Postgres::new(client, config, read_only, shown)),
            Some(found) if found > SCHEMA_VERSION => Err(RegisterError::TooNew { found }),
            Some(found) => Err(RegisterError::TooOld { found }),
        }
    }

    fn new(client: Client, config: Config, read_only: bool, shown: String) -> Postgres {
        Postgres {
            client,
            config,
            read_only,
            shown,
            statements: HashMap::new(),
        }
    }

    /// Runs `work` once in a new transaction.
    fn attempt(&mut self, mode: Mode, work: &mut Work<'_>) -> Result<(), Failed> {
        if self.client.is_closed() {
            // The server went away since the last transaction (a restart):
            // a new session, and its statements are prepared again.
            self.client = connect(&self.config, self.read_only, &self.shown)?;
            self.statements.clear();
        }
        let builder = self.client.build_transaction();
        let builder = match mode {
            Mode::Read => builder
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true),
            // Not `read_only(false)`: a read-only session stays read-only.
            Mode::Write => builder.isolation_level(IsolationLevel::ReadCommitted),
        };
        let tx = builder.start().map_err(|e| Failed::of(&e))?;
        let mut pg = PgTx {
            tx,
            statements: &mut self.statements,
            failure: None,
            releasing: false,
        };
        let result = work(&mut pg);
        let PgTx { tx, failure, .. } = pg;
        match (result, failure) {
            // The server aborted the transaction: whatever `work` made of
            // the error, nothing of it can commit.
            (result, Some(failure)) => {
                let _ = tx.rollback();
                match (failure.lost_race, result) {
                    (false, Err(e)) => Err(Failed::Fatal(e)),
                    _ => Err(failure.into()),
                }
            }
            (Ok(true), None) => tx.commit().map_err(|e| Failed::of(&e)),
            (Ok(false), None) => tx.rollback().map_err(|e| Failed::of(&e)),
            (Err(e), None) => {
                let _ = tx.rollback();
                Err(Failed::Fatal(e))
            }
        }
    }
}

impl Backend for Postgres {
    /// As SQLite's bulk runs (`bulk.rs`): commits stop waiting for the disk
    /// (`synchronous_commit = off`). A crash can undo the last transactions,
    /// each whole, never in part, and running the same ingest again merges
    /// them. Only `district ingest` and approval run in bulk; the server's
    /// commits always wait, so no receipt outlives a crash its bundle did
    /// not.
    fn begin_bulk(&mut self) {
        let _ = self.client.batch_execute("SET synchronous_commit = off");
    }

    /// Back to waiting for the disk, then one commit that waits: the WAL is
    /// written in order, so once it is flushed up to this commit every
    /// earlier one is on disk too.
    fn end_bulk(&mut self) {
        let _ = self.client.batch_execute("SET synchronous_commit = on");
        let _ = self
            .client
            .batch_execute("BEGIN; UPDATE schema_version SET version = version; COMMIT");
    }

    fn run(&mut self, mode: Mode, mut work: Work<'_>) -> Result<()> {
        let mut attempt = 0;
        loop {
            match self.attempt(mode, &mut work) {
                Ok(()) => return Ok(()),
                Err(Failed::Fatal(e)) => return Err(e),
                Err(Failed::LostRace(message)) if attempt >= RETRIES => {
                    return Err(RegisterError::Postgres(format!(
                        "{message}; gave up after {} attempts",
                        attempt + 1
                    )))
                }
                Err(Failed::LostRace(_)) => {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
            }
        }
    }
}

/// Why one run of a transaction failed.
enum Failed {
    /// It lost a race: run it again.
    LostRace(String),
    Fatal(RegisterError),
}

impl Failed {
    fn of(e: &postgres::Error) -> Failed {
        DbFailure::of(e).into()
    }
}

impl From<RegisterError> for Failed {
    fn from(e: RegisterError) -> Failed {
        Failed::Fatal(e)
    }
}

/// The first error the server gave inside a transaction.
struct DbFailure {
    lost_race: bool,
    message: String,
}

impl DbFailure {
    fn of(e: &postgres::Error) -> DbFailure {
        DbFailure {
            lost_race: e.code().is_some_and(lost_race),
            message: describe(e),
        }
    }
}

impl From<DbFailure> for Failed {
    fn from(failure: DbFailure) -> Failed {
        if failure.lost_race {
            Failed::LostRace(failure.message)
        } else {
            Failed::Fatal(RegisterError::Postgres(failure.message))
        }
    }
}

/// One transaction of [`Postgres`].
struct PgTx<'c> {
    tx: Transaction<'c>,
    statements: &'c mut HashMap<&'static str, Statement>,
    /// Set by the first server error: the transaction is aborted.
    failure: Option<DbFailure>,
    /// A savepoint kept but not yet released: the release goes with the
    /// next savepoint (one round trip for both), or the commit makes it moot.
    releasing: bool,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl PgTx<'_> {
    /// Notes a server error (the first one decides whether the transaction
    /// runs again) and turns it into the register's error.
    fn fail(&mut self, e: &postgres::Error) -> RegisterError {
        let failure = DbFailure::of(e);
        let error = RegisterError::Postgres(failure.message.clone());
        self.failure.get_or_insert(failure);
        error
    }

    fn statement(&mut self, sql: &'static str) -> Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        match self.tx.prepare(sql) {
            Ok(statement) => {
                self.statements.insert(sql, statement.clone());
                Ok(statement)
            }
            Err(e) => Err(self.fail(&e)),
        }
    }

    fn query(&mut self, sql: &'static str, params: Params<'_>) -> Result<Vec<Row>> {
        let statement = self.statement(sql)?;
        self.tx.query(&statement, params).map_err(|e| self.fail(&e))
    }

    fn query_opt(&mut self, sql: &'static str, params: Params<'_>) -> Result<Option<Row>> {
        let statement = self.statement(sql)?;
        self.tx
            .query_opt(&statement, params)
            .map_err(|e| self.fail(&e))
    }

    fn execute(&mut self, sql: &'static str, params: Params<'_>) -> Result<u64> {
        let statement = self.statement(sql)?;
        self.tx
            .execute(&statement, params)
            .map_err(|e| self.fail(&e))
    }

    /// Every row of `sql`, each made a `T` by `each`.
    fn all<T>(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
        each: impl Fn(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.query(sql, params)?.iter().map(each).collect()
    }

    /// The first row of `sql` made a `T` by `each`, if there is one.
    fn one<T>(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
        each: impl Fn(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        self.query_opt(sql, params)?.as_ref().map(each).transpose()
    }
}

/// Column `i` of `row`.
fn get<'r, T: FromSql<'r>>(row: &'r Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(|e| error(&e))
}

/// A BIGINT column that the register reads as a `u32` (revisions, slots).
fn get_u32(row: &Row, i: usize) -> Result<u32> {
    let value: i64 = get(row, i)?;
    u32::try_from(value).map_err(|_| {
        RegisterError::Postgres(format!(
            "column {} holds {value}, out of range",
            row.columns()[i].name()
        ))
    })
}

/// A BIGINT column that the register reads as a `u64` (sequences, counts),
/// as SQLite's backend does.
fn get_u64(row: &Row, i: usize) -> Result<u64> {
    get::<i64>(row, i).map(i64::unsigned_abs)
}

fn get_u64_opt(row: &Row, i: usize) -> Result<Option<u64>> {
    get::<Option<i64>>(row, i).map(|v| v.map(i64::unsigned_abs))
}

impl Tx for PgTx<'_> {
    fn agent(&mut self, kid: &str) -> Result<Option<(AgentStatus, Option<i64>)>> {
        self.one(
            "SELECT status, added_ms FROM agents WHERE kid = $1",
            &[&kid],
            |row| Ok((AgentStatus::from_db(&get::<String>(row, 0)?), get(row, 1)?)),
        )
    }

    fn insert_agent(&mut self, row: &AgentInsert<'_>) -> Result<bool> {
        let inserted = self.execute(
            "INSERT INTO agents (kid, name, agent_id, status, added_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (kid) DO NOTHING",
            &[
                &row.kid,
                &row.name,
                &row.agent_id,
                &row.status.as_str(),
                &row.added_ms,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn set_agent_status(&mut self, kid: &str, status: AgentStatus) -> Result<bool> {
        let changed = self.execute(
            "UPDATE agents SET status = $1 WHERE kid = $2",
            &[&status.as_str(), &kid],
        )?;
        Ok(changed == 1)
    }

    fn savepoint(&mut self) -> Result<()> {
        let sql = if std::mem::take(&mut self.releasing) {
            "RELEASE bundle; SAVEPOINT bundle"
        } else {
            "SAVEPOINT bundle"
        };
        self.tx.batch_execute(sql).map_err(|e| self.fail(&e))
    }

    fn release(&mut self) -> Result<()> {
        self.releasing = true;
        Ok(())
    }

    fn rollback_to(&mut self) -> Result<()> {
        self.releasing = false;
        self.tx
            .batch_execute("ROLLBACK TO bundle; RELEASE bundle")
            .map_err(|e| self.fail(&e))
    }

    fn lock_device(&mut self, kid: &str) -> Result<()> {
        // Held until the transaction ends; any district process that
        // locks the same kid waits.
        self.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&kid],
        )?;
        Ok(())
    }

    fn link(&mut self, kid: &str, sequence: i64, merged_only: bool) -> Result<Option<Link>> {
        self.one(
            "SELECT signing_input_hash, previous FROM bundles
             WHERE kid = $1 AND sequence = $2 AND (state = 'merged' OR NOT $3)",
            &[&kid, &sequence, &merged_only],
            |row| {
                Ok(Link {
                    hash: get(row, 0)?,
                    previous: get(row, 1)?,
                })
            },
        )
    }

    fn sequences(&mut self, kid: &str) -> Result<Vec<u64>> {
        self.all(
            "SELECT sequence FROM bundles WHERE kid = $1 ORDER BY sequence",
            &[&kid],
            |row| get_u64(row, 0),
        )
    }

    fn latest_receipt_before(&mut self, kid: &str, sequence: i64) -> Result<Option<i64>> {
        Ok(self
            .one(
                "SELECT MAX(received_ms) FROM bundles WHERE kid = $1 AND sequence < $2",
                &[&kid, &sequence],
                |row| get::<Option<i64>>(row, 0),
            )?
            .flatten())
    }

    fn floor_times(&mut self, kid: &str, sequence: i64) -> Result<(Option<i64>, Option<i64>)> {
        Ok(self
            .one(
                "SELECT (SELECT added_ms FROM agents WHERE kid = $1),
                        (SELECT MAX(received_ms) FROM bundles WHERE kid = $1 AND sequence < $2)",
                &[&kid, &sequence],
                |row| Ok((get(row, 0)?, get(row, 1)?)),
            )?
            .unwrap_or((None, None)))
    }

    fn insert_bundle(&mut self, row: &BundleInsert<'_>) -> Result<Option<i64>> {
        self.one(
            "INSERT INTO bundles (kid, sequence, signing_input_hash, previous, bundle_id, state,
                                  bytes, encoding, received_ms, floor_ms, pack_note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (kid, sequence) DO NOTHING
             RETURNING arrival",
            &[
                &row.kid,
                &row.sequence,
                &row.hash,
                &row.previous,
                &row.bundle_id,
                &row.state,
                &row.packed.data,
                &row.packed.encoding,
                &row.received_ms,
                &row.floor_ms,
                &row.pack_note,
            ],
            |r| get(r, 0),
        )
    }

    fn bundle_meta(&mut self, kid: &str, sequence: i64) -> Result<Option<BundleMeta>> {
        self.one(
            "SELECT received_ms, floor_ms, arrival, state = 'merged', withdrawn_ms IS NOT NULL
             FROM bundles WHERE kid = $1 AND sequence = $2",
            &[&kid, &sequence],
            |row| {
                Ok(BundleMeta {
                    received_ms: get(row, 0)?,
                    floor_ms: get(row, 1)?,
                    arrival: get(row, 2)?,
                    merged: get(row, 3)?,
                    withdrawn: get(row, 4)?,
                })
            },
        )
    }

    fn set_bundle_merged(&mut self, kid: &str, sequence: i64) -> Result<()> {
        self.execute(
            "UPDATE bundles SET state = 'merged' WHERE kid = $1 AND sequence = $2",
            &[&kid, &sequence],
        )?;
        Ok(())
    }

    fn bundle_bytes(&mut self, kid: &str, sequence: i64) -> Result<Option<(String, Vec<u8>)>> {
        self.one(
            "SELECT encoding, bytes FROM bundles WHERE kid = $1 AND sequence = $2",
            &[&kid, &sequence],
            |row| Ok((get(row, 0)?, get(row, 1)?)),
        )
    }

    fn merged_sequences(&mut self, kid: &str) -> Result<Vec<i64>> {
        self.all(
            "SELECT sequence FROM bundles
             WHERE kid = $1 AND state = 'merged' AND withdrawn_ms IS NULL ORDER BY sequence",
            &[&kid],
            |row| get(row, 0),
        )
    }

    fn pending_sequences(&mut self, kid: &str) -> Result<Vec<i64>> {
        self.all(
            "SELECT sequence FROM bundles
             WHERE kid = $1 AND state = 'pending' AND withdrawn_ms IS NULL ORDER BY sequence",
            &[&kid],
            |row| get(row, 0),
        )
    }

    fn withdraw_bundle(&mut self, kid: &str, sequence: i64, at: i64, reason: &str) -> Result<()> {
        self.execute(
            "UPDATE bundles SET withdrawn_ms = $3, withdrawn_reason = $4
             WHERE kid = $1 AND sequence = $2",
            &[&kid, &sequence, &at, &reason],
        )?;
        Ok(())
    }

    fn delete_bundle(&mut self, kid: &str, sequence: i64) -> Result<()> {
        self.execute(
            "DELETE FROM bundles WHERE kid = $1 AND sequence = $2",
            &[&kid, &sequence],
        )?;
        Ok(())
    }

    fn insert_village(&mut self, code: &str, name: &str, declared_slots: u32) -> Result<()> {
        self.execute(
            "INSERT INTO villages (code, name, funded_slots) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO NOTHING",
            &[&code, &name, &i64::from(declared_slots)],
        )?;
        Ok(())
    }

    fn insert_record(&mut self, r: &RecordRow<'_>) -> Result<bool> {
        let inserted = self.execute(
            "INSERT INTO records (village, record_id, revision, removed, nik, name, birth_date,
                                  sex, segment, category, funding_source, with_jht, status,
                                  created_ms, registered_ms, arrival, pack_id, pack_version,
                                  kid, sequence, quarantine)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20, $21)
             ON CONFLICT (village, record_id) DO NOTHING",
            &[
                &r.village,
                &r.record_id,
                &i64::from(r.revision),
                &r.removed,
                &r.nik,
                &r.name,
                &r.birth_date,
                &r.sex,
                &r.segment,
                &r.category,
                &r.funding_source,
                &r.with_jht,
                &r.status,
                &r.created_ms,
                &r.registered_ms,
                &r.arrival,
                &r.pack_id,
                &r.pack_version,
                &r.kid,
                &r.sequence,
                &r.quarantine,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn insert_records(&mut self, rows: &[RecordRow<'_>]) -> Result<Vec<bool>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // One array per column; the keys differ, so the order in which
        // the rows go in changes nothing.
        fn column<'r, 'a>(
            rows: &'r [RecordRow<'a>],
            f: fn(&'r RecordRow<'a>) -> &'r str,
        ) -> Vec<&'r str> {
            rows.iter().map(f).collect()
        }
        fn each<T>(rows: &[RecordRow<'_>], f: fn(&RecordRow<'_>) -> T) -> Vec<T> {
            rows.iter().map(f).collect()
        }
        let inserted = self.all(
            "INSERT INTO records (village, record_id, revision, removed, nik, name, birth_date,
                                  sex, segment, category, funding_source, with_jht, status,
                                  created_ms, registered_ms, arrival, pack_id, pack_version,
                                  kid, sequence, quarantine)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[],
                                  $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                                  $10::text[], $11::text[], $12::boolean[], $13::text[],
                                  $14::bigint[], $15::bigint[], $16::bigint[], $17::text[],
                                  $18::text[], $19::text[], $20::bigint[], $21::text[])
             ON CONFLICT (village, record_id) DO NOTHING
             RETURNING village, record_id",
            &[
                &column(rows, |r| r.village),
                &column(rows, |r| r.record_id),
                &each(rows, |r| i64::from(r.revision)),
                &each(rows, |r| r.removed),
                &column(rows, |r| r.nik),
                &column(rows, |r| r.name),
                &column(rows, |r| &r.birth_date),
                &column(rows, |r| r.sex),
                &column(rows, |r| r.segment),
                &column(rows, |r| r.category),
                &column(rows, |r| r.funding_source),
                &each(rows, |r| r.with_jht),
                &column(rows, |r| r.status),
                &each(rows, |r| r.created_ms),
                &each(rows, |r| r.registered_ms),
                &each(rows, |r| r.arrival),
                &column(rows, |r| r.pack_id),
                &column(rows, |r| r.pack_version),
                &column(rows, |r| r.kid),
                &each(rows, |r| r.sequence),
                &rows
                    .iter()
                    .map(|r| r.quarantine.as_deref())
                    .collect::<Vec<_>>(),
            ],
            |row| Ok((get::<String>(row, 0)?, get::<String>(row, 1)?)),
        )?;
        let inserted: HashSet<(String, String)> = inserted.into_iter().collect();
        Ok(rows
            .iter()
            .map(|r| inserted.contains(&(r.village.to_owned(), r.record_id.to_owned())))
            .collect())
    }

    fn record_head(&mut self, village: &str, record_id: &str) -> Result<Option<RecordHead>> {
        self.one(
            "SELECT kid, revision, registered_ms FROM records WHERE village = $1 AND record_id = $2",
            &[&village, &record_id],
            |row| {
                Ok(RecordHead {
                    kid: get(row, 0)?,
                    revision: get_u32(row, 1)?,
                    registered_ms: get(row, 2)?,
                })
            },
        )
    }

    fn update_record(&mut self, r: &RecordRow<'_>) -> Result<()> {
        self.execute(
            "UPDATE records SET revision = $3, removed = $4, nik = $5, name = $6,
                 birth_date = $7, sex = $8, segment = $9, category = $10,
                 funding_source = $11, with_jht = $12, status = $13, created_ms = $14,
                 pack_id = $15, pack_version = $16, sequence = $17, quarantine = $18
             WHERE village = $1 AND record_id = $2",
            &[
                &r.village,
                &r.record_id,
                &i64::from(r.revision),
                &r.removed,
                &r.nik,
                &r.name,
                &r.birth_date,
                &r.sex,
                &r.segment,
                &r.category,
                &r.funding_source,
                &r.with_jht,
                &r.status,
                &r.created_ms,
                &r.pack_id,
                &r.pack_version,
                &r.sequence,
                &r.quarantine,
            ],
        )?;
        Ok(())
    }

    fn delete_record(&mut self, village: &str, record_id: &str) -> Result<()> {
        self.execute(
            "DELETE FROM records WHERE village = $1 AND record_id = $2",
            &[&village, &record_id],
        )?;
        Ok(())
    }

    fn records_from(&mut self, kid: &str, sequence: i64) -> Result<Vec<(String, String)>> {
        self.all(
            "SELECT village, record_id FROM records WHERE kid = $1 AND sequence = $2
             ORDER BY village, record_id",
            &[&kid, &sequence],
            |row| Ok((get(row, 0)?, get(row, 1)?)),
        )
    }

    fn insert_quarantine(&mut self, kid: &str, sequence: i64, q: &Quarantined) -> Result<()> {
        self.execute(
            "INSERT INTO quarantine (kid, sequence, village, record_id, revision, codes)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[
                &kid,
                &sequence,
                &q.village,
                &q.record_id,
                &i64::from(q.revision),
                &q.codes.join(","),
            ],
        )?;
        Ok(())
    }

    fn insert_quarantines(&mut self, kid: &str, sequence: i64, rows: &[Quarantined]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let codes: Vec<String> = rows.iter().map(|q| q.codes.join(",")).collect();
        self.execute(
            "INSERT INTO quarantine (kid, sequence, village, record_id, revision, codes)
             SELECT $1::text, $2::bigint, village, record_id, revision, codes
             FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[])
                  WITH ORDINALITY AS q (village, record_id, revision, codes, n)
             ORDER BY n
             ON CONFLICT DO NOTHING",
            &[
                &kid,
                &sequence,
                &rows.iter().map(|q| q.village.as_str()).collect::<Vec<_>>(),
                &rows
                    .iter()
                    .map(|q| q.record_id.as_str())
                    .collect::<Vec<_>>(),
                &rows
                    .iter()
                    .map(|q| i64::from(q.revision))
                    .collect::<Vec<_>>(),
                &codes,
            ],
        )?;
        Ok(())
    }

    fn current_pack(&mut self) -> Result<Option<(String, String)>> {
        self.one(
            "SELECT digest, json FROM rule_packs WHERE current",
            &[],
            |row| Ok((get(row, 0)?, get(row, 1)?)),
        )
    }

    fn known_pack(&mut self, id: &str, version: &str) -> Result<Vec<String>> {
        self.all(
            "SELECT digest FROM rule_packs WHERE id = $1 AND version = $2 ORDER BY digest",
            &[&id, &version],
            |row| get(row, 0),
        )
    }

    fn publish_pack(&mut self, p: &PackInsert<'_>) -> Result<()> {
        // Two processes publishing at once: the second's insert meets the
        // first's current pack in `rule_packs_current` (a unique violation
        // no ON CONFLICT catches), and runs again after it.
        self.execute("UPDATE rule_packs SET current = false WHERE current", &[])?;
        self.execute(
            "INSERT INTO rule_packs (digest, id, version, json, added_ms, current)
             VALUES ($1, $2, $3, $4, $5, true)
             ON CONFLICT (digest) DO UPDATE SET current = true",
            &[&p.digest, &p.id, &p.version, &p.json, &p.added_ms],
        )?;
        Ok(())
    }

    fn is_empty(&mut self) -> Result<bool> {
        Ok(self
            .one(
                "SELECT NOT EXISTS (SELECT 1 FROM agents) AND NOT EXISTS (SELECT 1 FROM bundles)",
                &[],
                |row| get(row, 0),
            )?
            .unwrap_or(true))
    }

    fn dump(&mut self) -> Result<Dump> {
        Ok(Dump {
            agents: self.all(
                "SELECT kid, name, agent_id, status, added_ms FROM agents ORDER BY kid",
                &[],
                |r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?, get(r, 3)?, get(r, 4)?)),
            )?,
            bundles: self.all(
                "SELECT kid, sequence, signing_input_hash, previous, bundle_id, state, bytes,
                        encoding, arrival, received_ms, floor_ms, pack_note, withdrawn_ms,
                        withdrawn_reason
                 FROM bundles ORDER BY arrival",
                &[],
                |r| {
                    Ok(BundleDump {
                        kid: get(r, 0)?,
                        sequence: get(r, 1)?,
                        hash: get(r, 2)?,
                        previous: get(r, 3)?,
                        bundle_id: get(r, 4)?,
                        state: get(r, 5)?,
                        bytes: get(r, 6)?,
                        encoding: get(r, 7)?,
                        arrival: get(r, 8)?,
                        received_ms: get(r, 9)?,
                        floor_ms: get(r, 10)?,
                        pack_note: get(r, 11)?,
                        withdrawn_ms: get(r, 12)?,
                        withdrawn_reason: get(r, 13)?,
                    })
                },
            )?,
            villages: self.all(
                "SELECT code, name, funded_slots FROM villages ORDER BY code",
                &[],
                |r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?)),
            )?,
            records: self.all(
                "SELECT village, record_id, revision, removed, nik, name, birth_date, sex,
                        segment, category, funding_source, with_jht, status, created_ms,
                        registered_ms, arrival, pack_id, pack_version, kid, sequence, quarantine
                 FROM records ORDER BY village, record_id",
                &[],
                |r| {
                    Ok(RecordDump {
                        village: get(r, 0)?,
                        record_id: get(r, 1)?,
                        revision: get(r, 2)?,
                        removed: get(r, 3)?,
                        nik: get(r, 4)?,
                        name: get(r, 5)?,
                        birth_date: get(r, 6)?,
                        sex: get(r, 7)?,
                        segment: get(r, 8)?,
                        category: get(r, 9)?,
                        funding_source: get(r, 10)?,
                        with_jht: get(r, 11)?,
                        status: get(r, 12)?,
                        created_ms: get(r, 13)?,
                        registered_ms: get(r, 14)?,
                        arrival: get(r, 15)?,
                        pack_id: get(r, 16)?,
                        pack_version: get(r, 17)?,
                        kid: get(r, 18)?,
                        sequence: get(r, 19)?,
                        quarantine: get(r, 20)?,
                    })
                },
            )?,
            quarantine: self.all(
                "SELECT kid, sequence, village, record_id, revision, codes FROM quarantine
                 ORDER BY kid, sequence, village, record_id, revision",
                &[],
                |r| {
                    Ok((
                        get(r, 0)?,
                        get(r, 1)?,
                        get(r, 2)?,
                        get(r, 3)?,
                        get(r, 4)?,
                        get(r, 5)?,
                    ))
                },
            )?,
            packs: self.all(
                "SELECT digest, id, version, json, added_ms, current FROM rule_packs
                 ORDER BY added_ms, digest",
                &[],
                |r| {
                    Ok((
                        get(r, 0)?,
                        get(r, 1)?,
                        get(r, 2)?,
                        get(r, 3)?,
                        get(r, 4)?,
                        get(r, 5)?,
                    ))
                },
            )?,
        })
    }

    fn load(&mut self, dump: &Dump) -> Result<()> {
        let loaded = load_all(&mut self.tx, dump);
        loaded.map_err(|e| self.fail(&e))
    }
}

/// [`Tx::load`]: every table by one binary COPY (one round trip each, not
/// one per row), then the arrival sequence moved past the highest arrival
/// loaded, so later bundles arrive after the loaded ones.
fn load_all(tx: &mut Transaction<'_>, dump: &Dump) -> std::result::Result<(), postgres::Error> {
    use Type as T;
    tx.execute("DELETE FROM rule_packs", &[])?;
    copy_in(
        tx,
        "COPY agents (kid, name, agent_id, status, added_ms) FROM STDIN (FORMAT binary)",
        &[T::TEXT, T::TEXT, T::TEXT, T::TEXT, T::INT8],
        |w| {
            for (kid, name, agent_id, status, added_ms) in &dump.agents {
                w.write(&[kid, name, agent_id, status, added_ms])?;
            }
            Ok(())
        },
    )?;
    copy_in(
        tx,
        "COPY bundles (kid, sequence, signing_input_hash, previous, bundle_id, state, bytes,
                       encoding, arrival, received_ms, floor_ms, pack_note, withdrawn_ms,
                       withdrawn_reason)
         FROM STDIN (FORMAT binary)",
        &[
            T::TEXT,
            T::INT8,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::BYTEA,
            T::TEXT,
            T::INT8,
            T::INT8,
            T::INT8,
            T::TEXT,
            T::INT8,
            T::TEXT,
        ],
        |w| {
            for b in &dump.bundles {
                w.write(&[
                    &b.kid,
                    &b.sequence,
                    &b.hash,
                    &b.previous,
                    &b.bundle_id,
                    &b.state,
                    &b.bytes,
                    &b.encoding,
                    &b.arrival,
                    &b.received_ms,
                    &b.floor_ms,
                    &b.pack_note,
                    &b.withdrawn_ms,
                    &b.withdrawn_reason,
                ])?;
            }
            Ok(())
        },
    )?;
    copy_in(
        tx,
        "COPY villages (code, name, funded_slots) FROM STDIN (FORMAT binary)",
        &[T::TEXT, T::TEXT, T::INT8],
        |w| {
            for (code, name, slots) in &dump.villages {
                w.write(&[code, name, slots])?;
            }
            Ok(())
        },
    )?;
    copy_in(
        tx,
        "COPY records (village, record_id, revision, removed, nik, name, birth_date, sex,
                       segment, category, funding_source, with_jht, status, created_ms,
                       registered_ms, arrival, pack_id, pack_version, kid, sequence, quarantine)
         FROM STDIN (FORMAT binary)",
        &[
            T::TEXT,
            T::TEXT,
            T::INT8,
            T::BOOL,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::BOOL,
            T::TEXT,
            T::INT8,
            T::INT8,
            T::INT8,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::INT8,
            T::TEXT,
        ],
        |w| {
            for r in &dump.records {
                w.write(&[
                    &r.village,
                    &r.record_id,
                    &r.revision,
                    &r.removed,
                    &r.nik,
                    &r.name,
                    &r.birth_date,
                    &r.sex,
                    &r.segment,
                    &r.category,
                    &r.funding_source,
                    &r.with_jht,
                    &r.status,
                    &r.created_ms,
                    &r.registered_ms,
                    &r.arrival,
                    &r.pack_id,
                    &r.pack_version,
                    &r.kid,
                    &r.sequence,
                    &r.quarantine,
                ])?;
            }
            Ok(())
        },
    )?;
    copy_in(
        tx,
        "COPY quarantine (kid, sequence, village, record_id, revision, codes)
         FROM STDIN (FORMAT binary)",
        &[T::TEXT, T::INT8, T::TEXT, T::TEXT, T::INT8, T::TEXT],
        |w| {
            for (kid, sequence, village, record_id, revision, codes) in &dump.quarantine {
                w.write(&[kid, sequence, village, record_id, revision, codes])?;
            }
            Ok(())
        },
    )?;
    copy_in(
        tx,
        "COPY rule_packs (digest, id, version, json, added_ms, current) FROM STDIN (FORMAT binary)",
        &[T::TEXT, T::TEXT, T::TEXT, T::TEXT, T::INT8, T::BOOL],
        |w| {
            for (digest, id, version, json, added_ms, current) in &dump.packs {
                w.write(&[digest, id, version, json, added_ms, current])?;
            }
            Ok(())
        },
    )?;
    // setval(..., false) on an empty table: the next arrival is 1.
    tx.execute(
        "SELECT setval(pg_get_serial_sequence('bundles', 'arrival'),
                       GREATEST(COALESCE(MAX(arrival), 1), 1), MAX(arrival) IS NOT NULL)
         FROM bundles",
        &[],
    )?;
    Ok(())
}

/// Runs `sql` (a `COPY ... FROM STDIN (FORMAT binary)` of columns `types`)
/// with the rows `write` writes.
fn copy_in(
    tx: &mut Transaction<'_>,
    sql: &str,
    types: &[Type],
    write: impl FnOnce(&mut BinaryCopyInWriter<'_>) -> std::result::Result<(), postgres::Error>,
) -> std::result::Result<u64, postgres::Error> {
    let mut writer = BinaryCopyInWriter::new(tx.copy_in(sql)?, types);
    write(&mut writer)?;
    writer.finish()
}

/// The quarantined records query with a `WHERE` clause (or none).
macro_rules! quarantined_sql {
    ($filter:literal) => {
        concat!(
            "SELECT q.kid, q.sequence, q.village, q.record_id, q.revision, q.codes,
                    EXISTS (SELECT 1 FROM records r WHERE r.village = q.village
                            AND r.record_id = q.record_id AND r.kid = q.kid
                            AND r.revision = q.revision AND r.quarantine IS NOT NULL),
                    b.withdrawn_ms IS NOT NULL
             FROM quarantine q JOIN bundles b ON b.kid = q.kid AND b.sequence = q.sequence ",
            $filter,
            " ORDER BY q.kid, q.sequence, q.village, q.record_id"
        )
    };
}
/// The active records query with an extra condition (or none).
macro_rules! active_sql {
    ($filter:literal) => {
        concat!(
            "SELECT village, record_id, kid, nik, name, birth_date, sex, segment, category,
                    funding_source, with_jht, status, created_ms, registered_ms, arrival,
                    pack_id, pack_version
             FROM records WHERE NOT removed AND quarantine IS NULL ",
            $filter,
            " ORDER BY village, record_id"
        )
    };
}

impl PgTx<'_> {
    /// Active, accepted records, all or one village's (`sql` from
    /// `active_sql!`).
    fn active_where(&mut self, sql: &'static str, params: Params<'_>) -> Result<Vec<ActiveRecord>> {
        self.all(sql, params, |row| {
            Ok(ActiveRecord {
                village: get(row, 0)?,
                record_id: get(row, 1)?,
                kid: get(row, 2)?,
                nik: get(row, 3)?,
                name: get(row, 4)?,
                birth_date: get(row, 5)?,
                sex: get(row, 6)?,
                segment: get(row, 7)?,
                category: get(row, 8)?,
                funding_source: get(row, 9)?,
                with_jht: get(row, 10)?,
                status: get(row, 11)?,
                created_ms: get(row, 12)?,
                registered_ms: get(row, 13)?,
                arrival: get(row, 14)?,
                pack_id: get(row, 15)?,
                pack_version: get(row, 16)?,
            })
        })
    }

    /// Quarantined records, all or one device's (`sql` from
    /// `quarantined_sql!`).
    fn quarantined_where(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Vec<QuarantinedRecord>> {
        self.all(sql, params, |row| {
            Ok(QuarantinedRecord {
                kid: get(row, 0)?,
                sequence: get_u64(row, 1)?,
                village: get(row, 2)?,
                record_id: get(row, 3)?,
                revision: get_u32(row, 4)?,
                codes: get::<String>(row, 5)?
                    .split(',')
                    .map(str::to_owned)
                    .collect(),
                current: get(row, 6)?,
                withdrawn: get(row, 7)?,
            })
        })
    }
}

impl Reads for PgTx<'_> {
    fn agent_rows(&mut self) -> Result<Vec<AgentRow>> {
        self.all(
            "SELECT kid, name, agent_id, status,
                    (SELECT MAX(sequence) FROM bundles b
                     WHERE b.kid = a.kid AND b.state = 'merged'),
                    (SELECT COUNT(*) FROM bundles b
                     WHERE b.kid = a.kid AND b.state = 'pending')
             FROM agents a ORDER BY name, kid",
            &[],
            |row| {
                Ok(AgentRow {
                    kid: get(row, 0)?,
                    name: get(row, 1)?,
                    agent_id: get(row, 2)?,
                    status: AgentStatus::from_db(&get::<String>(row, 3)?),
                    last_merged: get_u64_opt(row, 4)?,
                    pending: get_u64(row, 5)?,
                    missing: Vec::new(),
                })
            },
        )
    }

    fn all_sequences(&mut self) -> Result<Vec<(String, u64)>> {
        self.all(
            "SELECT kid, sequence FROM bundles ORDER BY kid, sequence",
            &[],
            |row| Ok((get(row, 0)?, get_u64(row, 1)?)),
        )
    }

    fn duplicates(&mut self) -> Result<Vec<DuplicateRow>> {
        self.all(
            "SELECT r.nik, r.record_id, r.village, r.kid FROM records r
             JOIN duplicate_niks d ON d.nik = r.nik
             WHERE NOT r.removed AND r.quarantine IS NULL ORDER BY r.nik, r.record_id, r.village",
            &[],
            |row| {
                Ok(DuplicateRow {
                    nik: get(row, 0)?,
                    record_id: get(row, 1)?,
                    village: get(row, 2)?,
                    kid: get(row, 3)?,
                })
            },
        )
    }

    fn duplicate_niks(&mut self) -> Result<Vec<String>> {
        self.all("SELECT nik FROM duplicate_niks ORDER BY nik", &[], |row| {
            get(row, 0)
        })
    }

    fn villages(&mut self) -> Result<Vec<(String, String, u32)>> {
        self.all(
            "SELECT code, name, funded_slots FROM villages ORDER BY code",
            &[],
            |row| Ok((get(row, 0)?, get(row, 1)?, get_u32(row, 2)?)),
        )
    }

    fn active_records(&mut self) -> Result<Vec<ActiveRecord>> {
        self.active_where(active_sql!(""), &[])
    }

    fn active_records_in(&mut self, village: &str) -> Result<Vec<ActiveRecord>> {
        self.active_where(active_sql!("AND village = $1"), &[&village])
    }

    fn villages_of(&mut self, kid: &str) -> Result<Vec<String>> {
        self.all(
            "SELECT DISTINCT village FROM records
             WHERE kid = $1 AND NOT removed AND quarantine IS NULL ORDER BY village",
            &[&kid],
            |row| get(row, 0),
        )
    }

    fn quarantined_counts(&mut self) -> Result<Vec<(String, u64)>> {
        self.all(
            "SELECT village, COUNT(*) FROM records
             WHERE NOT removed AND quarantine IS NOT NULL GROUP BY village ORDER BY village",
            &[],
            |row| Ok((get(row, 0)?, get_u64(row, 1)?)),
        )
    }

    fn senders(&mut self) -> Result<Vec<(String, String)>> {
        self.all(
            "SELECT DISTINCT village, kid FROM records ORDER BY village, kid",
            &[],
            |row| Ok((get(row, 0)?, get(row, 1)?)),
        )
    }

    fn quarantined_records(&mut self) -> Result<Vec<QuarantinedRecord>> {
        self.quarantined_where(quarantined_sql!(""), &[])
    }

    fn quarantined_of(&mut self, kid: &str) -> Result<Vec<QuarantinedRecord>> {
        self.quarantined_where(quarantined_sql!("WHERE q.kid = $1"), &[&kid])
    }

    fn quarantined_bundles(&mut self) -> Result<Vec<QuarantinedBundle>> {
        self.all(
            "SELECT kid, sequence, pack_note, withdrawn_ms, withdrawn_reason FROM bundles
             WHERE pack_note IS NOT NULL OR withdrawn_ms IS NOT NULL ORDER BY kid, sequence",
            &[],
            |row| {
                let withdrawn_ms: Option<i64> = get(row, 3)?;
                let reason: Option<String> = get(row, 4)?;
                Ok(QuarantinedBundle {
                    kid: get(row, 0)?,
                    sequence: get_u64(row, 1)?,
                    pack_note: get(row, 2)?,
                    withdrawn: withdrawn_ms.map(|at| (at, reason.unwrap_or_default())),
                })
            },
        )
    }

    fn record(&mut self, record_id: &str) -> Result<Option<RecordSummary>> {
        self.one(
            "SELECT revision, removed, name, quarantine FROM records WHERE record_id = $1
             ORDER BY village LIMIT 1",
            &[&record_id],
            |row| Ok((get_u32(row, 0)?, get(row, 1)?, get(row, 2)?, get(row, 3)?)),
        )
    }
}

/// These tests need a server: `LINDUNG_TEST_POSTGRES` names one by the URL
/// of a database to connect to first (`postgres://postgres@127.0.0.1:5432/postgres`);
/// each test makes a database of its own there and drops it. Without the
/// variable they pass without a server (the integration tests, which CI
/// runs with `LINDUNG_REQUIRE_POSTGRES`, refuse that).
#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use lindung_core::bundle::{
        build_payload, parse_rfc3339, sha256_b64url, sign_bundle, BundleRecord, BundleVillage,
        PackDigest, PayloadInput, Signer, SoftwareSigner,
    };
    use lindung_core::{
        check, Agent, Date, Nik, RecordId, RegistrationInput, RulePack, Status, Timestamp,
        WorkerRecord,
    };

    use super::*;
    use crate::register::{IngestOutcome, Location, Register, Rejection, StoredPack};

    #[test]
    fn redacted_hides_every_password() {
        let check = |url: &str, shown: &str| assert_eq!(redacted(url), shown, "{url}");
        check(
            "postgres://u:secret@127.0.0.1/reg",
            "postgres://u:***@127.0.0.1/reg",
        );
        check("postgres://u:secret@db", "postgres://u:***@db");
        check(
            "postgresql://u@db:5433/reg?application_name=x",
            "postgresql://u@db:5433/reg?application_name=x",
        );
        check("postgresql:///reg", "postgresql:///reg");
        check("postgres://db", "postgres://db");
        // The parser takes a password up to an `@`, whatever it holds.
        check("postgres://u:se/cr?et@db/reg", "postgres://u:***@db/reg");
        check("postgres://u:se@cret@db/reg", "postgres://u:***@db/reg");
        check(
            "postgres://u@db/reg?sslmode=disable&password=secret",
            "postgres://u@db/reg?sslmode=disable&password=***",
        );
        check(
            "postgres://db/reg?PASSWORD=secret",
            "postgres://db/reg?PASSWORD=***",
        );
        check("register.db", "register.db");
    }

    #[test]
    fn steps_run_from_nothing_to_the_schema_version() {
        assert_eq!(PG_MIGRATIONS[0].from, 0);
        for pair in PG_MIGRATIONS.windows(2) {
            assert_eq!(pair[0].to, pair[1].from);
        }
        assert_eq!(PG_MIGRATIONS.last().map(|s| s.to), Some(SCHEMA_VERSION));
    }

    #[test]
    fn only_lost_races_run_again() {
        for (code, again) in [
            ("40001", true),  // serialization failure
            ("40P01", true),  // deadlock
            ("23505", true),  // unique violation
            ("25006", false), // read-only transaction
            ("23503", false), // foreign key
            ("23514", false), // check constraint
            ("42P01", false), // no such table
            ("57P01", false), // server shutting down
        ] {
            assert_eq!(lost_race(&SqlState::from_code(code)), again, "{code}");
        }
        assert!(backoff(1) >= Duration::from_millis(10));
        assert!(backoff(RETRIES) < Duration::from_secs(1));
    }

    // --- a database of the test's own

    /// A new database on the server `LINDUNG_TEST_POSTGRES` names, dropped
    /// (connections and all) when this value is, also when the test panics.
    struct TestDb {
        base: String,
        name: String,
        url: String,
    }

    impl TestDb {
        fn new() -> Option<TestDb> {
            use std::sync::atomic::{AtomicU32, Ordering};
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let base = std::env::var("LINDUNG_TEST_POSTGRES")
                .ok()
                .filter(|base| !base.is_empty())?;
            let name = format!(
                "lindung_unit_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let mut client =
                Client::connect(&base, NoTls).expect("the server of LINDUNG_TEST_POSTGRES answers");
            // One statement per call: DROP and CREATE DATABASE refuse to
            // run in a transaction block, which a multi-statement string is.
            client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .unwrap();
            // An ICU collation where the server has one: it orders text
            // unlike bytes ("_x" < "a" < "B"), which the register must not
            // follow.
            let icu = format!(
                "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
                 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            );
            if client.batch_execute(&icu).is_err() {
                client
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
            }
            let (server, _) = base
                .rsplit_once('/')
                .expect("LINDUNG_TEST_POSTGRES is a URL ending /DATABASE");
            Some(TestDb {
                url: format!("{server}/{name}"),
                base,
                name,
            })
        }

        fn client(&self) -> Client {
            Client::connect(&self.url, NoTls).unwrap()
        }

        fn scalar<T: for<'r> FromSql<'r>>(&self, sql: &str) -> T {
            self.client().query_one(sql, &[]).unwrap().get(0)
        }
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            if let Ok(mut client) = Client::connect(&self.base, NoTls) {
                let _ = client.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    // --- signed test bundles (made-up people)

    const V1: &str = "61.07.01.2001";
    const V2: &str = "61.07.01.2002";

    fn at(text: &str) -> Timestamp {
        parse_rfc3339(text).unwrap()
    }

    fn enrolled() -> Timestamp {
        at("2026-11-01T00:00:00Z")
    }

    fn received() -> Timestamp {
        at("2026-11-22T00:00:00Z")
    }

    fn signer(device: u8) -> SoftwareSigner {
        SoftwareSigner::from_secret(&[device; 32]).expect("a valid test secret")
    }

    fn kid(device: u8) -> String {
        signer(device).public_jwk().thumbprint()
    }

    fn agent(device: u8) -> Agent {
        Agent {
            id: format!("agent-{device}"),
            name: format!("Petugas {device}"),
        }
    }

    fn payload(
        device: u8,
        sequence: u64,
        previous: Option<&str>,
        tag: &str,
        records: &[(WorkerRecord, Option<Status>)],
    ) -> lindung_core::bundle::BundlePayload {
        let villages = [
            BundleVillage {
                code: V1.into(),
                name: "Sungai Ambawang Kuala".into(),
                funded_slots: 2,
            },
            BundleVillage {
                code: V2.into(),
                name: "Jawa Tengah".into(),
                funded_slots: 1,
            },
        ];
        let pack = PackDigest::new(
            &RulePack::default_pack(),
            RulePack::default_json().as_bytes(),
        );
        build_payload(PayloadInput {
            bundle_id: &format!("bundle-{device}-{sequence}-{tag}"),
            device_kid: &kid(device),
            agent: &agent(device),
            sequence,
            previous,
            created_at: at("2026-11-21T03:00:00Z"),
            rule_pack: &pack,
            villages: &villages,
            records,
        })
        .expect("a valid payload")
    }

    /// A record from the core, made into others by [`bundle`].
    fn template() -> BundleRecord {
        let input = RegistrationInput {
            nik: "6107014502870001".into(),
            name: "Siti Aminah".into(),
            birth_date: "1987-02-05".into(),
            sex: "F".into(),
            segment: "BPU".into(),
            category: "petani".into(),
            ..RegistrationInput::default()
        };
        let today = Date::parse_iso("2026-11-21").unwrap();
        let registration = check(&input, &RulePack::default_pack(), today)
            .registration
            .expect("a valid fixture");
        let record = WorkerRecord::create(
            RecordId::new("r0").unwrap(),
            V1,
            1,
            registration,
            agent(1),
            at("2026-11-20T01:00:00Z"),
        );
        payload(1, 1, None, "t", &[(record, Some(Status::Funded))])
            .records
            .remove(0)
    }

    /// Bundle `sequence` of `device` with records (id, revision, NIK,
    /// village); `tag` tells apart two bundles of one sequence. The file
    /// and its signing input hash.
    fn bundle(
        device: u8,
        sequence: u64,
        previous: Option<&str>,
        tag: &str,
        records: &[(&str, u32, &str, &str)],
    ) -> (Vec<u8>, String) {
        let mut payload = payload(device, sequence, previous, tag, &[]);
        let template = template();
        for (id, revision, nik, village) in records {
            let mut record = template.clone();
            record.record_id = (*id).to_owned();
            record.revision = *revision;
            record.nik = (*nik).to_owned();
            if let Ok(nik) = Nik::parse(nik, record.created_at.date()) {
                record.birth_date = nik.birth_date();
                record.sex = nik.sex();
            }
            record.village = (*village).to_owned();
            record.name = format!("Pekerja {}", id.replace(|c: char| c.is_ascii_digit(), "x"));
            payload.records.push(record);
        }
        let signed = sign_bundle(&payload, &signer(device)).expect("signs");
        (signed.jws.into_bytes(), signed.signing_input_hash)
    }

    /// The built-in pack under another id: another digest.
    fn other_pack(id: &str) -> String {
        let mut pack: serde_json::Value = serde_json::from_str(RulePack::default_json()).unwrap();
        pack["id"] = id.into();
        serde_json::to_string(&pack).unwrap()
    }

    // --- schema

    #[test]
    fn init_creates_then_is_up_to_date() {
        let Some(db) = TestDb::new() else { return };
        let (_, outcome) = Register::init(Location::parse(&db.url)).unwrap();
        assert_eq!(outcome, InitOutcome::Created);
        assert_eq!(
            db.scalar::<i64>("SELECT version FROM schema_version"),
            SCHEMA_VERSION
        );
        let (mut register, outcome) = Register::init(Location::parse(&db.url)).unwrap();
        assert_eq!(outcome, InitOutcome::UpToDate);
        // The built-in pack, published once.
        assert_eq!(
            register.pack().unwrap().digest,
            StoredPack::builtin().digest
        );
        assert_eq!(db.scalar::<i64>("SELECT COUNT(*) FROM rule_packs"), 1);
        assert!(Register::open(Location::parse(&db.url)).is_ok());
    }

    #[test]
    fn two_inits_of_a_new_database_create_it_once() {
        for _ in 0..5 {
            let Some(db) = TestDb::new() else { return };
            let barrier = Arc::new(Barrier::new(2));
            let inits: Vec<_> = (0..2)
                .map(|_| {
                    let (url, barrier) = (db.url.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        Register::init(Location::parse(&url)).map(|(_, outcome)| outcome)
                    })
                })
                .collect();
            let mut outcomes: Vec<String> = inits
                .into_iter()
                .map(|init| format!("{:?}", init.join().unwrap().unwrap()))
                .collect();
            outcomes.sort();
            assert_eq!(outcomes, ["Created", "UpToDate"]);
            assert_eq!(
                db.scalar::<i64>("SELECT COUNT(*) FROM rule_packs WHERE current"),
                1
            );
        }
    }

    #[test]
    fn a_foreign_database_is_not_a_register() {
        let Some(db) = TestDb::new() else { return };
        db.client()
            .batch_execute("CREATE TABLE payroll (id BIGINT); INSERT INTO payroll VALUES (7)")
            .unwrap();
        let url = Location::parse(&db.url);
        assert!(matches!(
            Register::init(&url),
            Err(RegisterError::NotARegister)
        ));
        assert!(matches!(
            Register::open(&url),
            Err(RegisterError::NotARegister)
        ));
        // Nothing was created or changed.
        assert_eq!(db.scalar::<i64>("SELECT id FROM payroll"), 7);
        assert!(!db.scalar::<bool>("SELECT to_regclass('agents') IS NOT NULL"));
    }

    #[test]
    fn other_versions_are_refused() {
        let Some(db) = TestDb::new() else { return };
        let url = Location::parse(&db.url);
        Register::init(&url).unwrap();
        db.client()
            .batch_execute("UPDATE schema_version SET version = 6")
            .unwrap();
        assert!(matches!(
            Register::init(&url),
            Err(RegisterError::TooNew { found: 6 })
        ));
        assert!(matches!(
            Register::open(&url),
            Err(RegisterError::TooNew { found: 6 })
        ));
        db.client()
            .batch_execute("UPDATE schema_version SET version = 3")
            .unwrap();
        assert!(matches!(
            Register::open_read_only(&url),
            Err(RegisterError::TooOld { found: 3 })
        ));
        // No PostgreSQL register was ever at version 3: init cannot move it.
        assert!(matches!(
            Register::init(&url),
            Err(RegisterError::Postgres(_))
        ));
        db.client()
            .batch_execute("DELETE FROM schema_version")
            .unwrap();
        assert!(matches!(
            Register::open(&url),
            Err(RegisterError::NotARegister)
        ));
    }

    /// A register at version 4 (made by `PG_MIGRATIONS[0]` alone, as every
    /// PostgreSQL register was before version 5) holding data: `open`
    /// refuses it, `init` runs the step to 5 (the index of a device's
    /// records), and every row stays as it was.
    #[test]
    fn a_version_4_register_moves_to_5_and_keeps_everything() {
        let Some(db) = TestDb::new() else { return };
        let dir = tempfile::tempdir().unwrap();
        let mut sqlite = sqlite_register(dir.path());
        let dump = sqlite
            .run(Mode::Read, |tx| Ok((tx.dump()?, false)))
            .unwrap();
        {
            let mut client = db.client();
            let mut tx = client.transaction().unwrap();
            create_v4(&mut tx).unwrap();
            tx.batch_execute("UPDATE schema_version SET version = 4")
                .unwrap();
            tx.commit().unwrap();
        }
        // Filled as a district of version 4 would have, through the
        // backend (`Register::open` refuses version 4 now).
        let config = config(&db.url).unwrap();
        let client = connect(&config, false, &db.url).unwrap();
        let mut old = Register {
            backend: Box::new(Postgres::new(client, config, false, db.url.clone())),
            pack: None,
        };
        old.run(Mode::Write, |tx| {
            tx.load(&dump)?;
            Ok(((), true))
        })
        .unwrap();
        drop(old);
        let url = Location::parse(&db.url);
        let index = "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'records_kid'";
        assert_eq!(db.scalar::<i64>(index), 0);
        assert!(matches!(
            Register::open(&url),
            Err(RegisterError::TooOld { found: 4 })
        ));
        let (mut register, outcome) = Register::init(&url).unwrap();
        assert_eq!(outcome, InitOutcome::Migrated { from: 4 });
        assert_eq!(
            db.scalar::<i64>("SELECT version FROM schema_version"),
            SCHEMA_VERSION
        );
        assert_eq!(db.scalar::<i64>(index), 1);
        // Not assert_eq: a failure would print every stored file.
        let kept = register
            .run(Mode::Read, |tx| Ok((tx.dump()?, false)))
            .unwrap();
        assert!(kept == dump, "the migrated register dumps otherwise");
        assert_eq!(everything(&mut register), everything(&mut sqlite));
        drop(register);
        assert_eq!(Register::init(&url).unwrap().1, InitOutcome::UpToDate);
    }

    #[test]
    fn a_read_only_open_refuses_every_write() {
        let Some(db) = TestDb::new() else { return };
        let url = Location::parse(&db.url);
        let (mut register, _) = Register::init(&url).unwrap();
        register
            .add_agent(&kid(1), "Siti", None, enrolled())
            .unwrap();
        let (b1, _) = bundle(1, 1, None, "a", &[("r1", 1, "6107014502870001", V1)]);
        let mut reader = Register::open_read_only(&url).unwrap();
        assert_eq!(reader.agents().unwrap().len(), 1);
        let refused = |result: Result<()>| match result {
            Err(RegisterError::Postgres(message)) => {
                assert!(message.contains("SQLSTATE 25006"), "{message}")
            }
            other => panic!("{other:?}"),
        };
        refused(reader.add_agent(&kid(2), "Budi", None, enrolled()));
        refused(reader.ingest(&b1, received()).map(drop));
        refused(reader.revoke(&kid(1)));
        refused(
            reader
                .publish_pack(&other_pack("other"), received())
                .map(drop),
        );
        assert_eq!(db.scalar::<i64>("SELECT COUNT(*) FROM agents"), 1);
        assert_eq!(db.scalar::<i64>("SELECT COUNT(*) FROM bundles"), 0);
        // The writer still writes.
        assert!(matches!(
            register.ingest(&b1, received()).unwrap(),
            IngestOutcome::Merged { .. }
        ));
    }

    // --- several processes at once

    /// Runs `rounds` rounds of two registers (two sessions, as two
    /// district processes) ingesting at the same moment: in each round,
    /// the first ingests `files(round).0` and the second `files(round).1`.
    /// Each round's two outcomes.
    fn race(
        db: &TestDb,
        rounds: u8,
        files: impl Fn(u8) -> (Vec<u8>, Vec<u8>),
    ) -> Vec<(IngestOutcome, IngestOutcome)> {
        let (mut register, _) = Register::init(Location::parse(&db.url)).unwrap();
        for round in 0..rounds {
            register
                .add_agent(&kid(round + 1), "Siti", None, enrolled())
                .unwrap();
        }
        let files: Vec<_> = (0..rounds).map(files).collect();
        let barrier = Arc::new(Barrier::new(2));
        let sides: Vec<_> = [0, 1]
            .into_iter()
            .map(|side| {
                let url = db.url.clone();
                let barrier = barrier.clone();
                let files: Vec<Vec<u8>> = files
                    .iter()
                    .map(|(a, b)| if side == 0 { a.clone() } else { b.clone() })
                    .collect();
                std::thread::spawn(move || {
                    let mut register = Register::open(Location::parse(&url)).unwrap();
                    files
                        .iter()
                        .map(|file| {
                            barrier.wait();
                            register.ingest(file, received()).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut sides = sides.into_iter().map(|side| side.join().unwrap());
        let (first, second) = (sides.next().unwrap(), sides.next().unwrap());
        first.into_iter().zip(second).collect()
    }

    #[test]
    fn one_bundle_sent_twice_at_once_merges_once() {
        let Some(db) = TestDb::new() else { return };
        let outcomes = race(&db, 20, |round| {
            let nik = format!("610701450287{:04}", round + 1);
            let id = format!("r{round}");
            let (file, _) = bundle(round + 1, 1, None, "a", &[(&id, 1, &nik, V1)]);
            (file.clone(), file)
        });
        for (round, pair) in outcomes.iter().enumerate() {
            let merged = [&pair.0, &pair.1]
                .iter()
                .filter(|o| matches!(o, IngestOutcome::Merged { applied: 1, .. }))
                .count();
            let again = [&pair.0, &pair.1]
                .iter()
                .filter(|o| matches!(o, IngestOutcome::AlreadyIngested { sequence: 1, .. }))
                .count();
            assert_eq!((merged, again), (1, 1), "round {round}: {pair:?}");
        }
        assert_eq!(db.scalar::<i64>("SELECT COUNT(*) FROM bundles"), 20);
        assert_eq!(db.scalar::<i64>("SELECT COUNT(*) FROM records"), 20);
    }

    #[test]
    fn two_bundles_of_one_sequence_at_once_merge_one() {
        let Some(db) = TestDb::new() else { return };
        let outcomes = race(&db, 20, |round| {
            let nik = format!("610701450287{:04}", round + 1);
            let (a_id, b_id) = (format!("a{round}"), format!("b{round}"));
            let (a, _) = bundle(round + 1, 1, None, "a", &[(&a_id, 1, &nik, V1)]);
            let (b, _) = bundle(round + 1, 1, None, "b", &[(&b_id, 1, &nik, V2)]);
            (a, b)
        });
        let mut kept = Vec::new();
        for (round, pair) in outcomes.iter().enumerate() {
            let outcomes = [&pair.0, &pair.1];
            let merged = outcomes
                .iter()
                .position(|o| matches!(o, IngestOutcome::Merged { .. }));
            let conflicts = outcomes
                .iter()
                .filter(|o| matches!(o, IngestOutcome::Rejected(Rejection::Conflict(_))))
                .count();
            assert!(
                merged.is_some() && conflicts == 1,
                "round {round}: {pair:?}"
            );
            kept.push(format!(
                "{}{round}",
                if merged == Some(0) { "a" } else { "b" }
            ));
        }
        // Each device's one stored bundle holds the records that merged,
        // and only those.
        let mut client = db.client();
        for (round, record_id) in kept.iter().enumerate() {
            let kid = kid(u8::try_from(round).unwrap() + 1);
            let ids: Vec<String> = client
                .query("SELECT record_id FROM records WHERE kid = $1", &[&kid])
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
            assert_eq!(ids, std::slice::from_ref(record_id), "round {round}");
        }
        assert_eq!(db.scalar::<i64>("SELECT COUNT(*) FROM bundles"), 20);
    }

    #[test]
    fn a_publish_that_meets_another_runs_again() {
        let Some(db) = TestDb::new() else { return };
        let (mut register, _) = Register::init(Location::parse(&db.url)).unwrap();
        // Another process publishes a pack and holds its transaction open.
        let mut other = db.client();
        let mut other_tx = other.transaction().unwrap();
        other_tx
            .batch_execute(
                "UPDATE rule_packs SET current = false WHERE current;
                 INSERT INTO rule_packs (digest, id, version, json, added_ms, current)
                 VALUES ('other', 'other', '1', '{}', 0, true)",
            )
            .unwrap();
        let json = other_pack("ours");
        let publish = std::thread::spawn(move || {
            register
                .publish_pack(&json, received())
                .map(|pack| pack.digest)
        });
        // Ours waits for the other's lock on the pack it also clears ...
        let mut watcher = db.client();
        let waiting = (0..1000).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            watcher
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted)",
                    &[],
                )
                .unwrap()
                .get(0)
        });
        assert!(waiting, "the publish never waited for the other");
        // ... then meets its current pack in the unique index, and runs again.
        other_tx.commit().unwrap();
        let digest = publish.join().unwrap().unwrap();
        let current: Vec<String> = db
            .client()
            .query("SELECT digest FROM rule_packs WHERE current", &[])
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(current, [digest]);
        assert_eq!(db.scalar::<i64>("SELECT COUNT(*) FROM rule_packs"), 3);
    }

    // --- one register on both backends

    /// A SQLite register with agents, gaps, quarantine, a duplicate NIK and
    /// a withdrawal; names and ids that sort differently by bytes than by
    /// an ICU collation.
    fn sqlite_register(dir: &std::path::Path) -> Register {
        let (mut register, _) = Register::init(dir.join("register.db")).unwrap();
        for (device, name) in [(1, "budi"), (2, "Ani"), (3, "_Zed")] {
            register
                .add_agent(&kid(device), name, Some("x"), enrolled())
                .unwrap();
        }
        let (b1, h1) = bundle(
            1,
            1,
            None,
            "a",
            &[
                ("r1", 1, "6107014502870001", V1),
                ("bad", 1, "1", V1),
                ("B2", 1, "6107014502870002", V2),
                ("_3", 1, "6107014502870003", V1),
            ],
        );
        let (b2, _) = bundle(1, 2, Some(&h1), "a", &[("r1", 2, "6107014502870001", V1)]);
        let (c1, _) = bundle(2, 1, None, "a", &[("a1", 1, "6107014502870001", V2)]);
        let stray = sha256_b64url(b"no such bundle");
        let (d3, _) = bundle(3, 3, Some(&stray), "a", &[("z", 1, "6107014502870009", V1)]);
        for file in [&b1, &b2, &c1, &d3] {
            assert!(matches!(
                register.ingest(file, received()).unwrap(),
                IngestOutcome::Merged { .. }
            ));
        }
        register
            .withdraw(&kid(1), 2, "uji", at("2026-11-23T00:00:00Z"))
            .unwrap();
        register
    }

    /// Everything the register's readers see, as one comparable text.
    fn everything(register: &mut Register) -> String {
        format!(
            "{:#?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}\n{:?}\n{:?}\n{:?}",
            register.agents().unwrap(),
            register.report_data().unwrap(),
            register.quarantine().unwrap(),
            register.duplicates().unwrap(),
            register.villages().unwrap(),
            register.gaps().unwrap(),
            register.record("r1").unwrap(),
            register.record_quarantine("bad").unwrap(),
            register.sequences(&kid(1)).unwrap(),
        )
    }

    #[test]
    fn a_register_loaded_from_sqlite_reads_and_goes_on_alike() {
        let Some(db) = TestDb::new() else { return };
        let dir = tempfile::tempdir().unwrap();
        let mut sqlite = sqlite_register(dir.path());
        let dump = sqlite
            .run(Mode::Read, |tx| Ok((tx.dump()?, false)))
            .unwrap();
        let (mut pg, _) = Register::init(Location::parse(&db.url)).unwrap();
        pg.run(Mode::Write, |tx| {
            assert!(tx.is_empty()?);
            tx.load(&dump)?;
            Ok(((), true))
        })
        .unwrap();
        let mut pg = Register::open(Location::parse(&db.url)).unwrap();
        // Not assert_eq: a failure would print every stored file.
        let read_back = pg.run(Mode::Read, |tx| Ok((tx.dump()?, false))).unwrap();
        assert!(read_back == dump, "the loaded register dumps otherwise");
        assert!(!pg
            .run(Mode::Read, |tx| Ok((tx.is_empty()?, false)))
            .unwrap());
        assert_eq!(everything(&mut pg), everything(&mut sqlite));
        // Text sorts by bytes.
        let names: Vec<String> = pg.agents().unwrap().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Ani", "_Zed", "budi"]);
        let ids: Vec<String> = pg
            .report_data()
            .unwrap()
            .active
            .into_iter()
            .map(|r| r.record_id)
            .collect();
        assert_eq!(ids, ["_3", "r1", "z", "B2", "a1"]);
        // Both go on alike: the next bundle arrives after the loaded ones.
        let (c2, _) = bundle(
            2,
            2,
            Some(
                &crate::es256::verify(&c1_of_sqlite(&mut sqlite))
                    .unwrap()
                    .signing_input_hash,
            ),
            "a",
            &[("a2", 1, "6107014502870004", V2)],
        );
        let outcome = sqlite.ingest(&c2, received()).unwrap();
        assert_eq!(pg.ingest(&c2, received()).unwrap(), outcome);
        assert_eq!(everything(&mut pg), everything(&mut sqlite));
        let arrivals = |register: &mut Register| {
            register
                .run(Mode::Read, |tx| Ok((tx.bundle_meta(&kid(2), 2)?, false)))
                .unwrap()
                .map(|meta| meta.arrival)
        };
        assert_eq!(arrivals(&mut pg), Some(5));
        assert_eq!(arrivals(&mut sqlite), Some(5));
        // A withdrawal and a revocation go alike too.
        let withdrawn = sqlite.withdraw(&kid(2), 2, "x", received()).unwrap();
        assert_eq!(pg.withdraw(&kid(2), 2, "x", received()).unwrap(), withdrawn);
        sqlite.revoke(&kid(3)).unwrap();
        pg.revoke(&kid(3)).unwrap();
        assert_eq!(everything(&mut pg), everything(&mut sqlite));
    }

    /// Device 2's first bundle file, as the SQLite register stored it.
    fn c1_of_sqlite(register: &mut Register) -> Vec<u8> {
        register.bundle_file(&kid(2), 1).unwrap().unwrap()
    }
}
