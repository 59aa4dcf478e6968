//! The district register against temporary SQLite files: migrations, agents,
//! ingest (chain, gaps, conflicts, pending devices, revisions, duplicates),
//! through the library and through the `district` binary.
//! All NIKs and names here are made up.

use std::path::Path;

use lindung_core::bundle::{
    build_payload, parse_rfc3339, sha256_b64url, sign_bundle, BundleRecord, BundleVillage, Op,
    PackDigest, PayloadInput,
};
use lindung_core::{check, Date, RecordId, RegistrationInput, RulePack, Status, WorkerRecord};
use lindung_district::register::{
    IngestOutcome, InitOutcome, Register, RegisterError, SCHEMA_VERSION,
};

mod common;
use common::{agent, district, kid, signer, TempDb};

const V1: &str = "61.07.01.2001";
const V2: &str = "61.07.01.2002";

/// One record of a bundle, as the test wants it.
struct Rec {
    id: &'static str,
    revision: u32,
    op: Op,
    nik: &'static str,
    village: &'static str,
}

fn up(id: &'static str, revision: u32, nik: &'static str, village: &'static str) -> Rec {
    Rec {
        id,
        revision,
        op: Op::Upsert,
        nik,
        village,
    }
}

fn removed(id: &'static str, revision: u32, nik: &'static str) -> Rec {
    Rec {
        id,
        revision,
        op: Op::Remove,
        nik,
        village: V1,
    }
}

/// A real record from the core, as a template for [`Rec`]s.
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

fn payload_with(
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
    let pack = PackDigest::new(&RulePack::default_pack(), b"{}");
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
fn bundle(device: u8, sequence: u64, previous: Option<&str>, recs: &[Rec]) -> (Vec<u8>, String) {
    let mut payload = payload_with(device, sequence, previous, &[]);
    let template = template();
    for rec in recs {
        let mut record = template.clone();
        record.record_id = rec.id.into();
        record.revision = rec.revision;
        record.op = rec.op;
        record.nik = rec.nik.into();
        record.village = rec.village.into();
        record.name = format!("Pekerja {} rev {}", rec.id, rec.revision);
        payload.records.push(record);
    }
    let signed = sign_bundle(&payload, &signer(device)).expect("signs");
    (signed.jws.into_bytes(), signed.signing_input_hash)
}

/// Some hash that is no bundle's: a well-formed but wrong `previous`.
fn stray_hash() -> String {
    sha256_b64url(b"no such bundle")
}

// ---------------------------------------------------------------------------
// Schema

#[test]
fn init_creates_then_changes_nothing() {
    let db = TempDb::new();
    assert_eq!(Register::init(&db.path).unwrap().1, InitOutcome::Created);
    let mut register = Register::open(&db.path).unwrap();
    register.add_agent(&kid(1), "Siti", None).unwrap();
    drop(register);
    assert_eq!(Register::init(&db.path).unwrap().1, InitOutcome::UpToDate);
    // Re-running init kept what was there.
    assert_eq!(Register::open(&db.path).unwrap().agents().unwrap().len(), 1);
}

/// What `init` and `open` say about files that are not current registers.
#[test]
fn init_and_open_refuse_what_is_not_a_current_register() {
    let version = |e: Result<Register, RegisterError>| match e {
        Ok(_) => "ok".to_owned(),
        Err(RegisterError::NotARegister) => "not a register".to_owned(),
        Err(RegisterError::TooNew { found }) => format!("too new {found}"),
        Err(RegisterError::TooOld { found }) => format!("too old {found}"),
        Err(RegisterError::Sqlite(_)) => "sqlite".to_owned(),
        Err(other) => other.to_string(),
    };
    type Setup = fn(&Path);
    let cases: [(&str, Setup, &str, &str); 5] = [
        ("missing file", |_| {}, "sqlite", "ok"),
        (
            "empty file (version 0)",
            |p| std::fs::write(p, b"").unwrap(),
            "not a register",
            "ok",
        ),
        (
            "another database",
            |p| {
                let conn = rusqlite::Connection::open(p).unwrap();
                conn.execute_batch("CREATE TABLE t (x)").unwrap();
            },
            "not a register",
            "not a register",
        ),
        (
            "a newer register",
            |p| {
                let conn = rusqlite::Connection::open(p).unwrap();
                conn.execute_batch(
                    "CREATE TABLE schema_version (version INTEGER);
                     INSERT INTO schema_version VALUES (2);",
                )
                .unwrap();
            },
            "too new 2",
            "too new 2",
        ),
        (
            "not SQLite at all",
            |p| std::fs::write(p, vec![b'x'; 4096]).unwrap(),
            "sqlite",
            "sqlite",
        ),
    ];
    for (what, setup, open, init) in cases {
        let db = TempDb::new();
        setup(&db.path);
        assert_eq!(version(Register::open(&db.path)), open, "open: {what}");
        assert_eq!(
            version(Register::init(&db.path).map(|(r, _)| r)),
            init,
            "init: {what}"
        );
    }
    assert_eq!(SCHEMA_VERSION, 1);
}

// ---------------------------------------------------------------------------
// Agents

#[test]
fn agents_add_approve_revoke() {
    let db = TempDb::new();
    let (mut register, _) = Register::init(&db.path).unwrap();
    register.add_agent(&kid(1), "Siti", Some("a-1")).unwrap();
    let errors = [
        register.add_agent(&kid(1), "Again", None).unwrap_err(),
        register.approve(&kid(2)).unwrap_err(),
        register.revoke(&kid(2)).unwrap_err(),
    ];
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            format!(
                "an agent with kid {} is already in the register (see `agents list`)",
                kid(1)
            ),
            format!("no agent with kid {}", kid(2)),
            format!("no agent with kid {}", kid(2)),
        ]
    );
    register.revoke(&kid(1)).unwrap();
    let list = |r: &Register| -> Vec<String> {
        r.agents()
            .unwrap()
            .iter()
            .map(|a| format!("{} {:?} {}", a.name, a.agent_id, a.status.as_str()))
            .collect()
    };
    assert_eq!(list(&register), ["Siti Some(\"a-1\") revoked"]);
    assert_eq!(register.approve(&kid(1)).unwrap(), []);
    assert_eq!(list(&register), ["Siti Some(\"a-1\") approved"]);
}

// ---------------------------------------------------------------------------
// Ingest

enum Step {
    Add(u8),
    Approve(u8),
    Revoke(u8),
    Ingest(Vec<u8>),
}

/// A short form of an outcome: `merged APPLIED+IGNORED [gap A..B]`,
/// `already`, `pending`, or the rejection code.
fn describe(outcome: &IngestOutcome) -> String {
    match outcome {
        IngestOutcome::Merged {
            applied,
            ignored,
            gap,
            ..
        } => {
            let gap = gap.map_or(String::new(), |(a, b)| format!(" gap {a}..{b}"));
            format!("merged {applied}+{ignored}{gap}")
        }
        IngestOutcome::AlreadyIngested { .. } => "already".into(),
        IngestOutcome::Pending { .. } => "pending".into(),
        IngestOutcome::Rejected(rejection) => rejection.code().into(),
    }
}

/// Runs `steps` on a new register; each step's expected outcomes (approve
/// gives one per pending bundle, joined with `; `; add and revoke give "").
fn run_steps(steps: Vec<(Step, &str)>) -> (TempDb, Register) {
    let db = TempDb::new();
    let (mut register, _) = Register::init(&db.path).unwrap();
    for (i, (step, expected)) in steps.into_iter().enumerate() {
        let got = match step {
            Step::Add(device) => {
                register
                    .add_agent(&kid(device), &format!("Agent {device}"), None)
                    .unwrap();
                String::new()
            }
            Step::Revoke(device) => {
                register.revoke(&kid(device)).unwrap();
                String::new()
            }
            Step::Approve(device) => register
                .approve(&kid(device))
                .unwrap()
                .iter()
                .map(|(seq, o)| format!("{seq}: {}", describe(o)))
                .collect::<Vec<_>>()
                .join("; "),
            Step::Ingest(bytes) => describe(&register.ingest(&bytes).unwrap()),
        };
        assert_eq!(got, expected, "step {i}");
    }
    (db, register)
}

fn record(register: &Register, id: &str) -> String {
    match register.record(id).unwrap() {
        Some((revision, removed, _)) => format!("rev {revision} removed {removed}"),
        None => "absent".into(),
    }
}

#[test]
fn chain_replays_conflicts_and_gaps() {
    const NIK_A: &str = "6107014502870001";
    const NIK_B: &str = "6107011203900002";
    let (b1, h1) = bundle(
        1,
        1,
        None,
        &[up("r1", 1, NIK_A, V1), up("r2", 1, NIK_B, V1)],
    );
    let (b1_other, _) = bundle(1, 1, None, &[up("r1", 1, NIK_A, V2)]);
    let (b2, _) = bundle(
        1,
        2,
        Some(&h1),
        &[up("r1", 2, NIK_A, V1), up("r2", 1, NIK_B, V1)],
    );
    let (b3_broken, _) = bundle(1, 3, Some(&stray_hash()), &[up("r1", 3, NIK_A, V1)]);
    let (b5, _) = bundle(1, 5, Some(&stray_hash()), &[up("r3", 1, NIK_B, V2)]);
    let (_db, register) = run_steps(vec![
        (Step::Add(1), ""),
        (Step::Ingest(b1.clone()), "merged 2+0"),
        (Step::Ingest(b1), "already"),
        (Step::Ingest(b1_other), "register.conflict"),
        (Step::Ingest(b2.clone()), "merged 1+1"),
        (Step::Ingest(b2), "already"),
        (Step::Ingest(b3_broken), "register.chain"),
        // 3 and 4 missing: recorded, and 5 still merges.
        (Step::Ingest(b5), "merged 1+0 gap 3..4"),
        (Step::Ingest(b"not a bundle".to_vec()), "bundle.json"),
    ]);
    assert_eq!(record(&register, "r1"), "rev 2 removed false");
    assert_eq!(record(&register, "r2"), "rev 1 removed false");
    assert_eq!(record(&register, "r3"), "rev 1 removed false");
    assert_eq!(register.gaps().unwrap(), [(kid(1), 3, 4)]);
    // r2 (village 1) and r3 (village 2) share a NIK: both kept, flagged.
    assert_eq!(register.duplicate_count().unwrap(), 1);
    let dups: Vec<String> = register
        .duplicates()
        .unwrap()
        .iter()
        .map(|d| format!("{} {} {}", d.nik, d.record_id, d.village))
        .collect();
    assert_eq!(
        dups,
        [format!("{NIK_B} r2 {V1}"), format!("{NIK_B} r3 {V2}")]
    );
    let villages: Vec<String> = register
        .villages()
        .unwrap()
        .iter()
        .map(|(code, _, slots)| format!("{code} {slots}"))
        .collect();
    assert_eq!(villages, [format!("{V1} 2"), format!("{V2} 1")]);
}

#[test]
fn a_bundle_arriving_before_its_predecessor() {
    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, "6107014502870001", V1)]);
    let (b2, _) = bundle(1, 2, Some(&h1), &[up("r1", 2, "6107014502870001", V1)]);
    let (b1_other, _) = bundle(1, 1, None, &[up("r9", 1, "6107011203900002", V1)]);
    let (_db, register) = run_steps(vec![
        (Step::Add(1), ""),
        (Step::Ingest(b2), "merged 1+0 gap 1..1"),
        // The late first bundle merges; its record is older than what is there.
        (Step::Ingest(b1), "merged 0+1"),
    ]);
    assert_eq!(record(&register, "r1"), "rev 2 removed false");
    drop(register);
    // A first bundle that bundle 2 does not point at breaks the chain.
    let (b2, _) = bundle(1, 2, Some(&h1), &[]);
    let (_db, register) = run_steps(vec![
        (Step::Add(1), ""),
        (Step::Ingest(b2), "merged 0+0 gap 1..1"),
        (Step::Ingest(b1_other), "register.chain"),
    ]);
    assert_eq!(record(&register, "r9"), "absent");
}

#[test]
fn revisions_and_removals() {
    let nik = "6107014502870001";
    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, nik, V1)]);
    let (b2, h2) = bundle(1, 2, Some(&h1), &[removed("r1", 3, nik)]);
    let (b3, _) = bundle(
        1,
        3,
        Some(&h2),
        &[up("r1", 2, nik, V1), up("r1", 3, nik, V1)],
    );
    let (_db, register) = run_steps(vec![
        (Step::Add(1), ""),
        (Step::Ingest(b1), "merged 1+0"),
        (Step::Ingest(b2), "merged 1+0"),
        // Lower and equal revisions never undo the removal.
        (Step::Ingest(b3), "merged 0+2"),
    ]);
    assert_eq!(record(&register, "r1"), "rev 3 removed true");
}

#[test]
fn unknown_devices_wait_for_approval_and_revoked_ones_are_refused() {
    let nik = "6107014502870001";
    let (b1, h1) = bundle(2, 1, None, &[up("r1", 1, nik, V1)]);
    let (b2, _) = bundle(2, 2, Some(&h1), &[up("r1", 2, nik, V1)]);
    let (c1, _) = bundle(3, 1, None, &[up("r7", 1, nik, V2)]);
    let (_db, register) = run_steps(vec![
        (Step::Ingest(b1.clone()), "pending"),
        (Step::Ingest(b1), "already"),
        (Step::Ingest(b2), "pending"),
        (Step::Approve(2), "1: merged 1+0; 2: merged 1+0"),
        (Step::Approve(2), ""),
        (Step::Add(3), ""),
        (Step::Revoke(3), ""),
        (Step::Ingest(c1), "register.revoked"),
    ]);
    assert_eq!(record(&register, "r1"), "rev 2 removed false");
    assert_eq!(record(&register, "r7"), "absent");
    let agents: Vec<String> = register
        .agents()
        .unwrap()
        .iter()
        .map(|a| format!("{} {:?} {}", a.name, a.agent_id, a.status.as_str()))
        .collect();
    // An unknown device is listed with the agent named in its bundle.
    assert_eq!(
        agents,
        [
            "Agent 3 None revoked",
            "Petugas 2 Some(\"agent-2\") approved"
        ]
    );
}

/// A pending device's bundles are not merged, and a revoked device's pending
/// bundles stay unmerged.
#[test]
fn pending_bundles_are_not_merged() {
    let (b1, _) = bundle(2, 1, None, &[up("r1", 1, "6107014502870001", V1)]);
    let (_db, register) = run_steps(vec![(Step::Ingest(b1), "pending"), (Step::Revoke(2), "")]);
    assert_eq!(record(&register, "r1"), "absent");
    assert_eq!(register.duplicate_count().unwrap(), 0);
}

// ---------------------------------------------------------------------------
// The binary

#[test]
fn cli_init_agents_and_ingest() {
    let db = TempDb::new();
    let dir = db.path.parent().unwrap().to_owned();
    let dbs = db.path.to_str().unwrap();
    let file = |name: &str, bytes: &[u8]| -> String {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, "6107014502870001", V1)]);
    let (b3, _) = bundle(1, 3, Some(&h1), &[up("r2", 1, "6107014502870001", V2)]);
    let (c1, _) = bundle(2, 1, None, &[up("r5", 1, "6107011203900002", V1)]);
    let (b1_other, _) = bundle(1, 1, None, &[]);
    let (f1, f3, g1, f1x) = (
        file("b1.json", &b1),
        file("b3.json", &b3),
        file("c1.json", &c1),
        file("b1x.json", &b1_other),
    );
    let missing = dir.join("missing.json").to_str().unwrap().to_owned();
    let (k1, k2) = (kid(1), kid(2));

    let cases: Vec<(Vec<&str>, i32, String)> = vec![
        // Before init: a register error on stderr.
        (vec!["agents", "list", "--db", dbs], 1, String::new()),
        (
            vec!["init", "--db", dbs],
            0,
            format!("created register {dbs} (schema version 1)\n"),
        ),
        (
            vec!["init", "--db", dbs],
            0,
            format!("register {dbs} is already at schema version 1; nothing changed\n"),
        ),
        (
            vec!["agents", "add", "--db", dbs, "--kid", &k1, "--name", "Siti", "--agent-id", "a-1"],
            0,
            format!("added {k1} (Siti): approved\n"),
        ),
        (
            vec!["agents", "add", "--db", dbs, "--kid", &k1, "--name", "Siti"],
            1,
            String::new(),
        ),
        (
            vec!["ingest", "--db", dbs, &f1, &f1, &f3, &g1],
            0,
            format!(
                "merged {f1}: 1 records (kid {k1}, sequence 1); 0 older or equal revisions ignored\n\
                 already ingested {f1}: kid {k1}, sequence 1; nothing changed\n\
                 merged {f3}: 1 records (kid {k1}, sequence 3); 0 older or equal revisions ignored\n\
                 gap {f3}: kid {k1} is missing sequence 2..2\n\
                 pending {g1}: unknown device (kid {k2}, sequence 1); stored until `agents approve`\n\
                 duplicates: 1 NIKs held by more than one active record\n"
            ),
        ),
        (
            vec!["ingest", "--db", dbs, &f1x, &missing],
            1,
            format!(
                "FAIL {f1x}: register.conflict (a different bundle with this kid and sequence \
                 is already in the register)\n\
                 FAIL {missing}: file.unreadable (No such file or directory (os error 2))\n\
                 duplicates: 1 NIKs held by more than one active record\n"
            ),
        ),
        (
            vec!["agents", "list", "--db", dbs],
            0,
            format!("{k2}\tPetugas 2\tagent-2\tpending\n{k1}\tSiti\ta-1\tapproved\n"),
        ),
        (
            vec!["agents", "approve", "--db", dbs, &k2],
            0,
            format!(
                "approved {k2}\nmerged pending sequence 1: 1 records (kid {k2}, sequence 1); \
                 0 older or equal revisions ignored\n"
            ),
        ),
        (
            vec!["agents", "revoke", "--db", dbs, &k1],
            0,
            format!("revoked {k1}\n"),
        ),
        (
            vec!["duplicates", "--db", dbs],
            0,
            format!("6107014502870001\tr1\t{V1}\t{k1}\n6107014502870001\tr2\t{V2}\t{k1}\n"),
        ),
    ];
    for (args, code, stdout) in cases {
        let run = district(&args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, stdout, "{args:?}");
        // Register errors go to stderr with nothing on stdout; rejected
        // bundles are reported on stdout only.
        let register_error = code == 1 && stdout.is_empty();
        assert_eq!(
            !run.stderr.is_empty(),
            register_error,
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn cli_usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &["init"],
        &["ingest", "a.json"],
        &["ingest", "--db", "r.db"],
        &["agents"],
        &["agents", "approve", "--db", "r.db", "short"],
        &["duplicates"],
    ];
    for args in cases {
        let run = district(args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("Usage:"), "{args:?}: {}", run.stderr);
    }
}
