//! Helpers shared by the register, report and verify tests: test devices
//! (keys made from fixed bytes), signed bundles, a temporary register file, and
//! running the binary. All NIKs and names are made up.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::PathBuf;
use std::process::Command;

use lindung_core::bundle::{
    build_payload, parse_rfc3339, sha256_b64url, sign_bundle, BundleRecord, BundleVillage, Op,
    PackDigest, PayloadInput, Signer, SoftwareSigner,
};
use lindung_core::{
    check, Agent, Date, RecordId, RegistrationInput, RulePack, Status, WorkerRecord,
};

/// When the test devices were enrolled (`agents add`): before every
/// record the fixtures make.
pub fn enrolled() -> lindung_core::Timestamp {
    parse_rfc3339("2026-11-01T00:00:00Z").unwrap()
}

/// When the district receives the test bundles: after every record the
/// fixtures make.
pub fn received() -> lindung_core::Timestamp {
    parse_rfc3339("2026-11-22T00:00:00Z").unwrap()
}

/// The signing key of test device `device` (deterministic).
pub fn signer(device: u8) -> SoftwareSigner {
    SoftwareSigner::from_secret(&[device; 32]).expect("a valid test secret")
}

/// Its key id (RFC 7638 thumbprint).
pub fn kid(device: u8) -> String {
    signer(device).public_jwk().thumbprint()
}

/// The (made-up) agent using test device `device`.
pub fn agent(device: u8) -> Agent {
    Agent {
        id: format!("agent-{device}"),
        name: format!("Petugas {device}"),
    }
}

/// A register path in a directory removed when this value is dropped.
pub struct TempDb {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempDb {
    pub fn new() -> TempDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.db");
        TempDb { _dir: dir, path }
    }

    /// The directory holding the register, removed with it.
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

/// What the `district` binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn district(args: &[&str]) -> Run {
    run(Command::new(env!("CARGO_BIN_EXE_district")).args(args))
}

/// `district agents add` of test device `device` as `name`, which must
/// succeed (approved: the devices' bundles then merge).
pub fn add_agent(db: &str, device: u8, name: &str) {
    let kid = kid(device);
    let add = district(&["agents", "add", "--db", db, "--kid", &kid, "--name", name]);
    assert_eq!(add.code, 0, "{}", add.stderr);
}

/// `district ARGS` run in `dir`, so relative file names print short.
pub fn district_in(dir: &std::path::Path, args: &[&str]) -> Run {
    run(Command::new(env!("CARGO_BIN_EXE_district"))
        .args(args)
        .current_dir(dir))
}

fn run(command: &mut Command) -> Run {
    let output = command.output().expect("district runs");
    Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

// ---------------------------------------------------------------------------
// Bundles

pub const V1: &str = "61.07.01.2001";
pub const V2: &str = "61.07.01.2002";

/// One record of a bundle, as the test wants it.
pub struct Rec {
    pub id: String,
    pub revision: u32,
    pub op: Op,
    pub nik: String,
    pub village: &'static str,
}

pub fn up(id: &str, revision: u32, nik: &str, village: &'static str) -> Rec {
    Rec {
        id: id.to_owned(),
        revision,
        op: Op::Upsert,
        nik: nik.to_owned(),
        village,
    }
}

pub fn removed(id: &str, revision: u32, nik: &str) -> Rec {
    Rec {
        id: id.to_owned(),
        revision,
        op: Op::Remove,
        nik: nik.to_owned(),
        village: V1,
    }
}

/// A real record from the core, as a template for [`Rec`]s.
pub fn template() -> BundleRecord {
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
        .expect("valid fixture");
    let record = WorkerRecord::create(
        RecordId::new("r0").unwrap(),
        V1,
        1,
        registration,
        agent(1),
        parse_rfc3339("2026-11-20T01:00:00Z").unwrap(),
    );
    payload_with(1, 1, None, &[(record, Some(Status::Funded))])
        .records
        .remove(0)
}

pub fn payload_with(
    device: u8,
    sequence: u64,
    previous: Option<&str>,
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
        bundle_id: &format!("bundle-{device}-{sequence}"),
        device_kid: &kid(device),
        agent: &agent(device),
        sequence,
        previous,
        created_at: parse_rfc3339("2026-11-21T03:00:00Z").unwrap(),
        rule_pack: &pack,
        villages: &villages,
        records,
    })
    .expect("a valid payload")
}

/// A signed bundle file and its signing input hash.
pub fn bundle(
    device: u8,
    sequence: u64,
    previous: Option<&str>,
    recs: &[Rec],
) -> (Vec<u8>, String) {
    let mut payload = payload_with(device, sequence, previous, &[]);
    let template = template();
    for rec in recs {
        payload.records.push(record_of(&template, rec));
    }
    let signed = sign_bundle(&payload, &signer(device)).expect("signs");
    (signed.jws.into_bytes(), signed.signing_input_hash)
}

/// A bundle of `payload` signed by test device `device` without the
/// core's checks of a payload, as a hostile or broken client would make
/// one (the core's `sign_bundle` refuses what the district refuses).
pub fn sign_unchecked(device: u8, payload: &lindung_core::bundle::BundlePayload) -> Vec<u8> {
    let valid = sign_bundle(&payload_with(device, 1, None, &[]), &signer(device)).unwrap();
    let outer: serde_json::Value = serde_json::from_str(&valid.jws).unwrap();
    let protected = outer["protected"].as_str().unwrap();
    let payload = lindung_core::bundle::b64url(serde_json::to_string(payload).unwrap().as_bytes());
    let signature = signer(device)
        .sign(format!("{protected}.{payload}").as_bytes())
        .unwrap();
    serde_json::json!({
        "protected": protected,
        "payload": payload,
        "signature": lindung_core::bundle::b64url(&signature),
    })
    .to_string()
    .into_bytes()
}

/// `text` with each digit as a letter (0 → a, 1 → b, ...), for made-up names.
pub fn letters(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from(b'a' + d as u8),
            None => c,
        })
        .collect()
}

/// The bundle record `rec` stands for, made from the core's `template`: a
/// made-up person the NIK could belong to (its birth date and sex), a name
/// without digits, and one history entry per revision.
pub fn record_of(template: &BundleRecord, rec: &Rec) -> BundleRecord {
    let mut record = template.clone();
    record.record_id = rec.id.clone();
    record.revision = rec.revision;
    record.op = rec.op;
    record.nik = rec.nik.clone();
    if let Ok(nik) = lindung_core::Nik::parse(&rec.nik, record.created_at.date()) {
        record.birth_date = nik.birth_date();
        record.sex = nik.sex();
    }
    record.village = rec.village.into();
    record.name = format!(
        "Pekerja {} Revisi {}",
        letters(&rec.id),
        letters(&rec.revision.to_string())
    );
    while record.history.len() < record.revision as usize {
        let mut entry = record.history[0].clone();
        entry.revision = record.history.len() as u32 + 1;
        entry.action = lindung_core::record::Action::Edit;
        entry.reason = Some("salah ketik".into());
        record.history.push(entry);
    }
    record
}

/// Some hash that is no bundle's: a well-formed but wrong `previous`.
pub fn stray_hash() -> String {
    sha256_b64url(b"no such bundle")
}

/// Bundles 1..=`count` of test device `device`, correctly chained, each with
/// one new record `d{device}s{sequence}` (made-up NIK) in village 1; the
/// bundle of sequence `s` is at index `s - 1`.
pub fn chain(device: u8, count: u64) -> Vec<Vec<u8>> {
    let mut previous: Option<String> = None;
    let mut files = Vec::new();
    for sequence in 1..=count {
        let id = format!("d{device}s{sequence}");
        let (bytes, hash) = bundle(
            device,
            sequence,
            previous.as_deref(),
            &[up(&id, 1, &format!("610701450287{:04}", sequence), V1)],
        );
        files.push(bytes);
        previous = Some(hash);
    }
    files
}

// ---------------------------------------------------------------------------
// Backends

/// A fresh, empty register on one backend, removed when dropped.
pub enum Db {
    Sqlite(TempDb),
    Postgres(PgDb),
}

impl Db {
    pub fn sqlite() -> Db {
        Db::Sqlite(TempDb::new())
    }

    /// A new database on the server `LINDUNG_TEST_POSTGRES` names; `None`
    /// when it names none, unless `LINDUNG_REQUIRE_POSTGRES` is set (as
    /// `cargo xtask ci` sets it), where a missing server fails the test.
    pub fn postgres() -> Option<Db> {
        match std::env::var("LINDUNG_TEST_POSTGRES") {
            Ok(base) if !base.is_empty() => Some(Db::Postgres(PgDb::new(&base))),
            _ => {
                assert!(
                    std::env::var_os("LINDUNG_REQUIRE_POSTGRES").is_none(),
                    "LINDUNG_REQUIRE_POSTGRES is set but LINDUNG_TEST_POSTGRES names no server"
                );
                eprintln!("no PostgreSQL server (LINDUNG_TEST_POSTGRES): SQLite only");
                None
            }
        }
    }

    pub fn location(&self) -> lindung_district::register::Location {
        match self {
            Db::Sqlite(db) => lindung_district::register::Location::Sqlite(db.path.clone()),
            Db::Postgres(db) => lindung_district::register::Location::Postgres(db.url.clone()),
        }
    }

    /// Another fresh, empty register on the same backend (same server).
    pub fn another(&self) -> Db {
        match self {
            Db::Sqlite(_) => Db::sqlite(),
            Db::Postgres(db) => Db::Postgres(PgDb::new(&db.base)),
        }
    }

    /// Runs `sql` (no parameters; `$KID` replaced by `kid`) on the backend
    /// directly, as a damaged disk or a hand edit would; returns the first
    /// column of the first row as text, if the statement gives rows.
    pub fn sql(&self, sql: &str, kid: &str) -> Option<String> {
        let sql = sql.replace("$KID", &format!("'{kid}'"));
        match self {
            Db::Sqlite(db) => {
                let conn = rusqlite::Connection::open(&db.path).unwrap();
                let mut statement = conn.prepare(&sql).unwrap();
                let mut rows = statement.query([]).unwrap();
                rows.next()
                    .unwrap()
                    .map(|row| match row.get_ref(0).unwrap() {
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Text(t) => {
                            String::from_utf8(t.to_vec()).unwrap()
                        }
                        other => format!("{other:?}"),
                    })
            }
            Db::Postgres(db) => {
                let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
                let rows = client.simple_query(&sql).unwrap();
                rows.into_iter().find_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
                    _ => None,
                })
            }
        }
    }

    /// The `--db` argument for the binary.
    pub fn arg(&self) -> String {
        match self {
            Db::Sqlite(db) => db.path.display().to_string(),
            Db::Postgres(db) => db.url.clone(),
        }
    }
}

/// A database of its own on a PostgreSQL server, dropped with this value.
pub struct PgDb {
    base: String,
    name: String,
    pub url: String,
}

impl PgDb {
    pub fn new(base: &str) -> PgDb {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "lindung_t_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = postgres::Client::connect(base, postgres::NoTls)
            .expect("the PostgreSQL server of LINDUNG_TEST_POSTGRES answers");
        // One statement per call: DROP DATABASE cannot run in the implicit
        // transaction of a multi-statement string.
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = match base.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("LINDUNG_TEST_POSTGRES is a URL ending /DATABASE"),
        };
        PgDb {
            base: base.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `init`'s output without its `district key FILE made|kept: ...` line
/// (the kid of a new key is random).
pub fn without_key_line(stdout: &str) -> String {
    stdout
        .lines()
        .filter(|line| !line.starts_with("district key "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// A bundle file's signing input hash: the next bundle's `previous`.
pub fn hash_of(file: &[u8]) -> String {
    lindung_district::es256::verify(file)
        .expect("a valid bundle")
        .signing_input_hash
}

/// One test body, one `#[test]` per backend: `sqlite::NAME` and
/// `postgres::NAME` (which needs `LINDUNG_TEST_POSTGRES`).
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(super::common::Db::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = super::common::Db::postgres() {
                        super::$name(db);
                    }
                }
            )*
        }
    };
}
