//! The district register: init, agents, ingest (chain, gaps, conflicts,
//! pending devices, revisions, duplicates) and reports, each test body run
//! once per backend (`backend_tests!`: `sqlite::*`, `postgres::*`), among
//! them `migrate` from a SQLite register of every earlier schema version;
//! then what only SQLite has (schema versions 1 and 2 upgraded in place, the
//! journal in bulk runs, the stored bytes) and the `district` binary.
//! All NIKs and names here are made up.

use std::path::Path;

use lindung_district::register::{
    ranges_text, Checked, IngestOutcome, InitOutcome, Register, RegisterError, SCHEMA_VERSION,
};

use lindung_core::judge::TimeWindow;
use lindung_district::output::ingest_lines;

mod common;
use common::{bundle, district, kid, removed, stray_hash, template, up, Db, TempDb, V1, V2};

// ---------------------------------------------------------------------------
// Schema

fn init_creates_then_changes_nothing(db: Db) {
    assert_eq!(
        Register::init(db.location()).unwrap().1,
        InitOutcome::Created
    );
    let mut register = Register::open(db.location()).unwrap();
    register
        .add_agent(&kid(1), "Siti", None, common::enrolled())
        .unwrap();
    drop(register);
    assert_eq!(
        Register::init(db.location()).unwrap().1,
        InitOutcome::UpToDate
    );
    // Re-running init kept what was there.
    assert_eq!(
        Register::open(db.location())
            .unwrap()
            .agents()
            .unwrap()
            .len(),
        1
    );
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
                     INSERT INTO schema_version VALUES (6);",
                )
                .unwrap();
            },
            "too new 6",
            "too new 6",
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
    assert_eq!(SCHEMA_VERSION, 5);
}

// ---------------------------------------------------------------------------
// Agents

fn agents_add_approve_revoke(db: Db) {
    let (mut register, _) = Register::init(db.location()).unwrap();
    register
        .add_agent(&kid(1), "Siti", Some("a-1"), common::enrolled())
        .unwrap();
    let errors = [
        register
            .add_agent(&kid(1), "Again", None, common::enrolled())
            .unwrap_err(),
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
    let list = |r: &mut Register| -> Vec<String> {
        r.agents()
            .unwrap()
            .iter()
            .map(|a| format!("{} {:?} {}", a.name, a.agent_id, a.status.as_str()))
            .collect()
    };
    assert_eq!(list(&mut register), ["Siti Some(\"a-1\") revoked"]);
    assert_eq!(register.approve(&kid(1)).unwrap(), []);
    assert_eq!(list(&mut register), ["Siti Some(\"a-1\") approved"]);
}

// ---------------------------------------------------------------------------
// Ingest

#[derive(Clone)]
enum Step {
    Add(u8),
    Approve(u8),
    Revoke(u8),
    Ingest(Vec<u8>),
}

/// A short form of an outcome: `merged APPLIED+IGNORED [missing 2,4..6]`,
/// `already`, `pending`, or the rejection code.
fn describe(outcome: &IngestOutcome) -> String {
    match outcome {
        IngestOutcome::Merged {
            applied,
            ignored,
            missing,
            ..
        } => {
            let missing = if missing.is_empty() {
                String::new()
            } else {
                format!(" missing {}", ranges_text(missing))
            };
            format!("merged {applied}+{ignored}{missing}")
        }
        IngestOutcome::AlreadyIngested { .. } => "already".into(),
        IngestOutcome::Pending { .. } => "pending".into(),
        IngestOutcome::Rejected(rejection) => rejection.code().into(),
    }
}

/// Runs `steps` on a new register; each step's expected outcomes (approve
/// gives one per pending bundle, joined with `; `; add and revoke give "").
fn run_steps(db: &Db, steps: Vec<(Step, &str)>) -> Register {
    let (mut register, _) = Register::init(db.location()).unwrap();
    for (i, (step, expected)) in steps.into_iter().enumerate() {
        let got = match step {
            Step::Add(device) => {
                register
                    .add_agent(
                        &kid(device),
                        &format!("Agent {device}"),
                        None,
                        common::enrolled(),
                    )
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
            Step::Ingest(bytes) => describe(&register.ingest(&bytes, common::received()).unwrap()),
        };
        assert_eq!(got, expected, "step {i}");
    }
    register
}

fn record(register: &mut Register, id: &str) -> String {
    match register.record(id).unwrap() {
        Some((revision, removed, _)) => format!("rev {revision} removed {removed}"),
        None => "absent".into(),
    }
}

fn chain_replays_conflicts_and_gaps(db: Db) {
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
    let mut register = run_steps(
        &db,
        vec![
            (Step::Add(1), ""),
            (Step::Ingest(b1.clone()), "merged 2+0"),
            (Step::Ingest(b1), "already"),
            (Step::Ingest(b1_other), "register.conflict"),
            (Step::Ingest(b2.clone()), "merged 1+1"),
            (Step::Ingest(b2), "already"),
            (Step::Ingest(b3_broken), "register.chain"),
            // 3 and 4 missing: recorded, and 5 still merges.
            (Step::Ingest(b5), "merged 1+0 missing 3..4"),
            (Step::Ingest(b"not a bundle".to_vec()), "bundle.json"),
        ],
    );
    assert_eq!(record(&mut register, "r1"), "rev 2 removed false");
    assert_eq!(record(&mut register, "r2"), "rev 1 removed false");
    assert_eq!(record(&mut register, "r3"), "rev 1 removed false");
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

fn a_bundle_arriving_before_its_predecessor(db: Db) {
    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, "6107014502870001", V1)]);
    let (b2, _) = bundle(1, 2, Some(&h1), &[up("r1", 2, "6107014502870001", V1)]);
    let (b1_other, _) = bundle(1, 1, None, &[up("r9", 1, "6107011203900002", V1)]);
    let mut register = run_steps(
        &db,
        vec![
            (Step::Add(1), ""),
            (Step::Ingest(b2), "merged 1+0 missing 1"),
            // The late first bundle merges; its record is older than what is there.
            (Step::Ingest(b1), "merged 0+1"),
        ],
    );
    assert_eq!(record(&mut register, "r1"), "rev 2 removed false");
    drop(register);
    // A first bundle that bundle 2 does not point at breaks the chain.
    let (b2, _) = bundle(1, 2, Some(&h1), &[]);
    let db = db.another();
    let mut register = run_steps(
        &db,
        vec![
            (Step::Add(1), ""),
            (Step::Ingest(b2), "merged 0+0 missing 1"),
            (Step::Ingest(b1_other), "register.chain"),
        ],
    );
    assert_eq!(record(&mut register, "r9"), "absent");
}

fn revisions_and_removals(db: Db) {
    let nik = "6107014502870001";
    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, nik, V1)]);
    let (b2, h2) = bundle(1, 2, Some(&h1), &[removed("r1", 3, nik)]);
    let (b3, _) = bundle(
        1,
        3,
        Some(&h2),
        &[up("r1", 2, nik, V1), up("r1", 3, nik, V1)],
    );
    let mut register = run_steps(
        &db,
        vec![
            (Step::Add(1), ""),
            (Step::Ingest(b1), "merged 1+0"),
            (Step::Ingest(b2), "merged 1+0"),
            // Lower and equal revisions never undo the removal.
            (Step::Ingest(b3), "merged 0+2"),
        ],
    );
    assert_eq!(record(&mut register, "r1"), "rev 3 removed true");
}

/// A record belongs to its village (the app never moves one): the same
/// record id sent for another village is another record, and with the same
/// NIK both are flagged as duplicates rather than one silently replacing
/// the other.
fn the_same_record_id_in_another_village_is_another_record(db: Db) {
    let nik = "6107014502870001";
    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, nik, V1)]);
    let (b2, _) = bundle(1, 2, Some(&h1), &[up("r1", 1, nik, V2)]);
    let mut register = run_steps(
        &db,
        vec![
            (Step::Add(1), ""),
            (Step::Ingest(b1), "merged 1+0"),
            (Step::Ingest(b2), "merged 1+0"),
        ],
    );
    let duplicates: Vec<(String, String)> = register
        .duplicates()
        .unwrap()
        .into_iter()
        .map(|d| (d.record_id, d.village))
        .collect();
    assert_eq!(
        duplicates,
        [
            ("r1".to_owned(), V1.to_owned()),
            ("r1".to_owned(), V2.to_owned())
        ]
    );
}

/// `district ingest` merges several bundles in one transaction, with
/// verdicts judged ahead on other threads: the register and every outcome
/// come out as with one transaction per bundle judged on the register's
/// thread. The group holds a bundle twice, a conflict and a pending
/// bundle (each undone or kept inside the one transaction), and records
/// judged ahead on the wrong day (one of them too young then): the
/// register judges those again on their own day.
fn a_group_merges_as_its_bundles_one_by_one(db: Db) {
    let nik = "6107014502870001";
    // Born 2006-02-05: 13 years old on the day judged ahead, 20 when
    // registered.
    let young = "6107014502060001";
    let (a1, h1) = bundle(1, 1, None, &[up("r1", 1, nik, V1), up("r3", 1, young, V1)]);
    let (a2, h2) = bundle(1, 2, Some(&h1), &[up("r1", 2, nik, V1)]);
    let (conflict, _) = bundle(1, 2, Some(&h1), &[up("r9", 1, nik, V2)]);
    let (a3, _) = bundle(1, 3, Some(&h2), &[up("r3", 2, young, V1)]);
    let (unknown, _) = bundle(3, 1, None, &[up("r7", 1, nik, V2)]);
    let (a5, _) = bundle(1, 5, Some(&stray_hash()), &[up("r4", 1, nik, V2)]);
    let files = [a1.clone(), a2, a1, conflict, unknown, a3, a5];
    let expected = [
        "merged 2+0",
        "merged 1+0",
        "already",
        "register.conflict",
        "pending",
        "merged 1+0",
        "merged 1+0 missing 4",
    ];

    let other = db.another();
    let mut registers = Vec::new();
    for (db, grouped) in [(&db, false), (&other, true)] {
        let (mut register, _) = Register::init(db.location()).unwrap();
        register
            .add_agent(&kid(1), "Agent 1", None, common::enrolled())
            .unwrap();
        let outcomes: Vec<IngestOutcome> = if grouped {
            let pack = register.pack().unwrap();
            let judged_on = lindung_core::bundle::parse_rfc3339("2020-01-01T00:00:00Z").unwrap();
            let checked: Vec<Checked> = files
                .iter()
                .map(|f| {
                    let window = |_: &_| TimeWindow {
                        floor: judged_on,
                        received_at: judged_on,
                    };
                    Checked::verify_and_judge(f.clone(), &pack, window).unwrap()
                })
                .collect();
            let group: Vec<_> = checked.iter().map(|c| (c, common::received())).collect();
            register.ingest_group(&group).unwrap()
        } else {
            files
                .iter()
                .map(|f| register.ingest(f, common::received()).unwrap())
                .collect()
        };
        let described: Vec<String> = outcomes.iter().map(describe).collect();
        assert_eq!(described, expected, "grouped: {grouped}");
        registers.push((
            outcomes,
            register.report_data().unwrap(),
            register.quarantine().unwrap(),
            register.agents().unwrap(),
            register.gaps().unwrap(),
        ));
        assert_eq!(record(&mut register, "r1"), "rev 2 removed false");
        assert_eq!(record(&mut register, "r3"), "rev 2 removed false");
        assert_eq!(record(&mut register, "r9"), "absent");
        assert_eq!(register.record_quarantine("r3").unwrap(), None);
    }
    assert_eq!(registers[0], registers[1]);
}

/// U+0000 in any text of a bundle (here a worker's name, an agent's name)
/// refuses the bundle on both backends alike (PostgreSQL cannot store it;
/// it used to fail there with a register error on every try), and the
/// device's next bundle merges, with the refused sequence missing.
fn a_text_holding_nul_is_refused_alike_and_the_device_goes_on(db: Db) {
    let nik = "6107014502870001";
    let (mut register, _) = Register::init(db.location()).unwrap();
    register
        .add_agent(&kid(1), "Agent 1", None, common::enrolled())
        .unwrap();
    let mut payload = common::payload_with(1, 1, None, &[]);
    let mut worker = common::record_of(&common::template(), &up("r1", 1, nik, V1));
    worker.name = "Siti\u{0}Aminah".into();
    payload.records.push(worker);
    let signed = lindung_core::bundle::sign_bundle(&payload, &common::signer(1)).unwrap();
    let outcome = register
        .ingest(signed.jws.as_bytes(), common::received())
        .unwrap();
    assert_eq!(describe(&outcome), "bundle.nul");
    // An unknown device whose agent name holds U+0000: refused, not pending.
    let mut payload = common::payload_with(3, 1, None, &[]);
    payload.agent.name = "Petugas\u{0}".into();
    let signed3 = lindung_core::bundle::sign_bundle(&payload, &common::signer(3)).unwrap();
    let outcome = register
        .ingest(signed3.jws.as_bytes(), common::received())
        .unwrap();
    assert_eq!(describe(&outcome), "bundle.nul");

    let (b2, _) = bundle(
        1,
        2,
        Some(&signed.signing_input_hash),
        &[up("r2", 1, nik, V1)],
    );
    let outcome = register.ingest(&b2, common::received()).unwrap();
    assert_eq!(describe(&outcome), "merged 1+0 missing 1");
    assert_eq!(record(&mut register, "r1"), "absent");
    assert_eq!(record(&mut register, "r2"), "rev 1 removed false");
    assert_eq!(register.agents().unwrap().len(), 1);
}

/// A record id or village code too long for a key (PostgreSQL cannot index
/// one of a few kB: it failed there with a register error on every try)
/// refuses the bundle on both backends alike; the longest allowed merges.
fn keys_too_long_to_index_are_refused_alike(db: Db) {
    let nik = "6107014502870001";
    let (mut register, _) = Register::init(db.location()).unwrap();
    register
        .add_agent(&kid(1), "Agent 1", None, common::enrolled())
        .unwrap();
    // Incompressible, as PostgreSQL compresses a long key before it refuses.
    let long: String = (0..80u32)
        .map(|i| lindung_core::bundle::sha256_b64url(&i.to_le_bytes()))
        .collect();
    let with_record = |sequence: u64, previous: Option<&str>, id: &str, village: &str| {
        let mut payload = common::payload_with(1, sequence, previous, &[]);
        let mut worker = common::record_of(&common::template(), &up("r", 1, nik, V1));
        worker.record_id = id.into();
        worker.village = village.into();
        payload.records.push(worker);
        common::sign_unchecked(1, &payload)
    };
    for (id, village) in [(&long[..129], V1), ("r1", &long[..65])] {
        let outcome = register
            .ingest(&with_record(1, None, id, village), common::received())
            .unwrap();
        assert_eq!(describe(&outcome), "bundle.key_too_long", "{}", id.len());
    }
    let longest = &long[..128];
    let outcome = register
        .ingest(&with_record(1, None, longest, V1), common::received())
        .unwrap();
    assert_eq!(describe(&outcome), "merged 1+0");
    assert_eq!(record(&mut register, longest), "rev 1 removed false");
}

fn unknown_devices_wait_for_approval_and_revoked_ones_are_refused(db: Db) {
    let nik = "6107014502870001";
    let (b1, h1) = bundle(2, 1, None, &[up("r1", 1, nik, V1)]);
    let (b2, _) = bundle(2, 2, Some(&h1), &[up("r1", 2, nik, V1)]);
    let (c1, _) = bundle(3, 1, None, &[up("r7", 1, nik, V2)]);
    let mut register = run_steps(
        &db,
        vec![
            (Step::Ingest(b1.clone()), "pending"),
            (Step::Ingest(b1), "already"),
            (Step::Ingest(b2), "pending"),
            (Step::Approve(2), "1: merged 1+0; 2: merged 1+0"),
            (Step::Approve(2), ""),
            (Step::Add(3), ""),
            (Step::Revoke(3), ""),
            (Step::Ingest(c1), "register.revoked"),
        ],
    );
    assert_eq!(record(&mut register, "r1"), "rev 2 removed false");
    assert_eq!(record(&mut register, "r7"), "absent");
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

/// The register keeps each bundle file compressed, and gives it back byte
/// for byte, merged or pending (then merged on approval); a damaged copy is
/// an error, not a wrong file.
fn bundle_files_come_back_byte_for_byte(db: Db) {
    let nik = "6107014502870001";
    let (a1, _) = bundle(
        1,
        1,
        None,
        &[up("r1", 1, nik, V1), up("r2", 1, "6107015507900002", V1)],
    );
    let (b1, _) = bundle(2, 1, None, &[up("r3", 1, "6107016003850003", V2)]);
    let (mut register, _) = Register::init(db.location()).unwrap();
    register
        .add_agent(&kid(1), "Siti", None, common::enrolled())
        .unwrap();
    assert_eq!(
        describe(&register.ingest(&a1, common::received()).unwrap()),
        "merged 2+0"
    );
    assert_eq!(
        describe(&register.ingest(&b1, common::received()).unwrap()),
        "pending"
    );
    assert_eq!(register.bundle_file(&kid(1), 1).unwrap(), Some(a1.clone()));
    assert_eq!(register.bundle_file(&kid(2), 1).unwrap(), Some(b1.clone()));
    assert_eq!(register.bundle_file(&kid(1), 2).unwrap(), None);
    register.approve(&kid(2)).unwrap();
    assert_eq!(register.bundle_file(&kid(2), 1).unwrap(), Some(b1));
    assert_eq!(record(&mut register, "r3"), "rev 1 removed false");
    drop(register);

    let length = match db {
        Db::Sqlite(_) => "length(bytes)",
        Db::Postgres(_) => "octet_length(bytes)",
    };
    let stored = db
        .sql(
            &format!("SELECT encoding || ' ' || {length} FROM bundles WHERE kid = $KID"),
            &kid(1),
        )
        .unwrap();
    let (encoding, stored) = stored.split_once(' ').unwrap();
    assert_eq!(encoding, "zstd");
    let stored: usize = stored.parse().unwrap();
    assert!(stored < a1.len(), "{stored} of {}", a1.len());
    let damage = match db {
        Db::Sqlite(_) => "UPDATE bundles SET bytes = x'00ff' WHERE kid = $KID",
        Db::Postgres(_) => "UPDATE bundles SET bytes = '\\x00ff' WHERE kid = $KID",
    };
    db.sql(damage, &kid(1));
    let mut register = Register::open(db.location()).unwrap();
    assert!(matches!(
        register.bundle_file(&kid(1), 1),
        Err(RegisterError::StoredBundle { sequence: 1, .. })
    ));
}

/// A pending device's bundles are not merged, and a revoked device's pending
/// bundles stay unmerged.
fn pending_bundles_are_not_merged(db: Db) {
    let (b1, _) = bundle(2, 1, None, &[up("r1", 1, "6107014502870001", V1)]);
    let mut register = run_steps(
        &db,
        vec![(Step::Ingest(b1), "pending"), (Step::Revoke(2), "")],
    );
    assert_eq!(record(&mut register, "r1"), "absent");
    assert_eq!(register.duplicate_count().unwrap(), 0);
}

// ---------------------------------------------------------------------------
// Gaps: derived from the stored bundles, so late bundles close them

/// The `agents list` columns that describe sequences: last merged, pending,
/// missing.
fn sequences_of_agent(register: &mut Register, device: u8) -> String {
    let agents = register.agents().unwrap();
    let agent = agents
        .iter()
        .find(|a| a.kid == kid(device))
        .expect("the device is listed");
    format!(
        "last {} pending {} missing {}",
        agent.last_merged.map_or("-".to_owned(), |s| s.to_string()),
        agent.pending,
        ranges_text(&agent.missing)
    )
}

fn late_bundles_close_and_narrow_gaps(db: Db) {
    // Sequences ingested in this order; each step's outcome; what is missing
    // at the end, in `agents list`.
    let cases: &[(&[u64], &[&str], &str)] = &[
        (&[1, 2, 3], &["merged 1+0", "merged 1+0", "merged 1+0"], "-"),
        (
            &[1, 3, 2],
            &["merged 1+0", "merged 1+0 missing 2", "merged 1+0"],
            "-",
        ),
        // Gap 2..4, then 3 arrives: 2 and 4 are still missing.
        (
            &[1, 5, 3],
            &[
                "merged 1+0",
                "merged 1+0 missing 2..4",
                "merged 1+0 missing 2,4",
            ],
            "2,4",
        ),
        (
            &[1, 5, 3, 4, 2],
            &[
                "merged 1+0",
                "merged 1+0 missing 2..4",
                "merged 1+0 missing 2,4",
                "merged 1+0 missing 2",
                "merged 1+0",
            ],
            "-",
        ),
        (
            &[3, 1, 2],
            &[
                "merged 1+0 missing 1..2",
                "merged 1+0 missing 2",
                "merged 1+0",
            ],
            "-",
        ),
        // Replays change nothing, and the gap stays as it was.
        (
            &[2, 2, 6],
            &[
                "merged 1+0 missing 1",
                "already",
                "merged 1+0 missing 1,3..5",
            ],
            "1,3..5",
        ),
    ];
    let files = common::chain(1, 6);
    for (order, outcomes, missing) in cases {
        let mut steps = vec![(Step::Add(1), String::new())];
        for (sequence, outcome) in order.iter().zip(*outcomes) {
            let bytes = files[*sequence as usize - 1].clone();
            steps.push((Step::Ingest(bytes), (*outcome).to_owned()));
        }
        let steps = steps.iter().map(|(s, e)| (s.clone(), e.as_str())).collect();
        let db = db.another();
        let mut register = run_steps(&db, steps);
        let highest = order.iter().max().unwrap();
        assert_eq!(
            sequences_of_agent(&mut register, 1),
            format!("last {highest} pending 0 missing {missing}"),
            "{order:?}"
        );
        let gaps: Vec<(u64, u64)> = register
            .gaps()
            .unwrap()
            .into_iter()
            .map(|(k, first, last)| {
                assert_eq!(k, kid(1));
                (first, last)
            })
            .collect();
        assert_eq!(ranges_text(&gaps), *missing, "{order:?}");
    }
}

fn a_late_bundle_is_chained_both_ways(db: Db) {
    let nik = "6107014502870001";
    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, nik, V1)]);
    let (b2, h2) = bundle(1, 2, Some(&h1), &[up("r2", 1, nik, V1)]);
    let (b3, _) = bundle(1, 3, Some(&h2), &[up("r3", 1, nik, V1)]);
    // Sequence 2 pointing at another first bundle.
    let (b2_stray, _) = bundle(1, 2, Some(&stray_hash()), &[up("r2", 1, nik, V1)]);
    // Sequence 2 pointing at bundle 1, but not the bundle 3 points at.
    let (b2_other, _) = bundle(1, 2, Some(&h1), &[up("r9", 1, nik, V1)]);
    let (mut register, _) = Register::init(db.location()).unwrap();
    register
        .add_agent(&kid(1), "Siti", None, common::enrolled())
        .unwrap();
    let cases: [(&[u8], &str); 5] = [
        (&b1, "merged b1: 1 records"),
        (&b3, "merged b3: 1 records"),
        (
            &b2_stray,
            "FAIL b2_stray: register.chain (previous does not match the bundle before it \
             (sequence 1, in the register))",
        ),
        (
            &b2_other,
            "FAIL b2_other: register.chain (the bundle after it (sequence 3, in the register) \
             does not point at this bundle)",
        ),
        (&b2, "merged b2: 1 records"),
    ];
    let names = ["b1", "b3", "b2_stray", "b2_other", "b2"];
    for ((bytes, expected), name) in cases.iter().zip(names) {
        let (_, lines) = ingest_lines(name, &register.ingest(bytes, common::received()).unwrap());
        assert!(lines[0].starts_with(expected), "{name}: {lines:?}");
    }
    // The refused bundles left nothing behind.
    assert_eq!(record(&mut register, "r9"), "absent");
    assert_eq!(record(&mut register, "r2"), "rev 1 removed false");
    assert_eq!(register.gaps().unwrap(), []);
}

/// A pending device's bundles count as received: missing sequences show
/// before approval, and approval merges them.
fn agents_list_counts_pending_bundles_and_missing_sequences(db: Db) {
    let files = common::chain(2, 4);
    let mut register = run_steps(
        &db,
        vec![
            (Step::Ingest(files[0].clone()), "pending"),
            (Step::Ingest(files[2].clone()), "pending"),
        ],
    );
    assert_eq!(
        sequences_of_agent(&mut register, 2),
        "last - pending 2 missing 2"
    );
    let merged: Vec<String> = register
        .approve(&kid(2))
        .unwrap()
        .iter()
        .map(|(s, o)| format!("{s}: {}", describe(o)))
        .collect();
    assert_eq!(
        merged,
        ["1: merged 1+0 missing 2", "3: merged 1+0 missing 2"]
    );
    assert_eq!(
        sequences_of_agent(&mut register, 2),
        "last 3 pending 0 missing 2"
    );
    assert_eq!(
        describe(&register.ingest(&files[1], common::received()).unwrap()),
        "merged 1+0"
    );
    assert_eq!(
        sequences_of_agent(&mut register, 2),
        "last 3 pending 0 missing -"
    );
}

fn reports_show_only_sequences_still_missing(db: Db) {
    let files = common::chain(1, 4);
    let missing_in_report = |register: &mut Register| -> (u64, Vec<(u64, u64)>) {
        let data = register.report_data().unwrap();
        let month = lindung_core::Date::parse_iso("2027-05-01").unwrap();
        let report =
            lindung_district::report::build(&data, &lindung_core::RulePack::default_pack(), month)
                .unwrap();
        let village = &report.villages[0];
        let gaps = village.gaps.iter().map(|g| (g.first, g.last)).collect();
        (village.missing_sequences, gaps)
    };
    let mut register = run_steps(
        &db,
        vec![
            (Step::Add(1), ""),
            (Step::Ingest(files[0].clone()), "merged 1+0"),
            (Step::Ingest(files[3].clone()), "merged 1+0 missing 2..3"),
        ],
    );
    assert_eq!(missing_in_report(&mut register), (2, vec![(2, 3)]));
    describe(&register.ingest(&files[2], common::received()).unwrap());
    assert_eq!(missing_in_report(&mut register), (1, vec![(2, 2)]));
    describe(&register.ingest(&files[1], common::received()).unwrap());
    assert_eq!(missing_in_report(&mut register), (0, vec![]));
}

backend_tests!(
    init_creates_then_changes_nothing,
    agents_add_approve_revoke,
    chain_replays_conflicts_and_gaps,
    a_bundle_arriving_before_its_predecessor,
    revisions_and_removals,
    the_same_record_id_in_another_village_is_another_record,
    unknown_devices_wait_for_approval_and_revoked_ones_are_refused,
    a_group_merges_as_its_bundles_one_by_one,
    bundle_files_come_back_byte_for_byte,
    pending_bundles_are_not_merged,
    late_bundles_close_and_narrow_gaps,
    a_late_bundle_is_chained_both_ways,
    agents_list_counts_pending_bundles_and_missing_sequences,
    reports_show_only_sequences_still_missing,
    every_earlier_schema_version_migrates,
    migrate_reads_commits_still_in_the_wal,
    a_text_holding_nul_is_refused_alike_and_the_device_goes_on,
    keys_too_long_to_index_are_refused_alike,
);

// ---------------------------------------------------------------------------
// SQLite only: the journal, earlier schema versions

/// A run of ingests uses WAL and goes back to the rollback journal; if
/// another connection holds the file then, it stays in WAL (every commit is
/// already on disk) until the next open.
#[test]
fn bulk_runs_leave_the_rollback_journal_in_place() {
    let files = common::chain(1, 2);
    let db = TempDb::new();
    let (mut register, _) = Register::init(&db.path).unwrap();
    register
        .add_agent(&kid(1), "Siti", None, common::enrolled())
        .unwrap();
    let mode = |conn: &rusqlite::Connection| -> String {
        conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap()
    };
    let reader = register
        .with_bulk(|register| -> Result<_, RegisterError> {
            let reader = rusqlite::Connection::open(&db.path).unwrap();
            assert_eq!(mode(&reader), "wal");
            describe(&register.ingest(&files[0], common::received())?);
            Ok(reader)
        })
        .unwrap();
    assert_eq!(mode(&reader), "wal", "another connection was open");
    drop(reader);
    register
        .with_bulk(|register| register.ingest(&files[1], common::received()))
        .unwrap();
    drop(register);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    assert_eq!(mode(&conn), "delete");
    drop(conn);
    assert!(!db.dir().join("register.db-wal").exists());
    let mut register = Register::open(&db.path).unwrap();
    assert_eq!(
        sequences_of_agent(&mut register, 1),
        "last 2 pending 0 missing -"
    );
}

/// A register error inside a group of bundles (here a trigger standing for
/// a damaged register) undoes the group; `ingest` then takes the group's
/// bundles one transaction each, as it would without groups: the bundle
/// before the failing one merges, the run stops at the failing file with
/// the error, and the bundle after it is not touched.
#[test]
fn a_register_error_in_a_group_stops_at_its_file() {
    let files = common::chain(1, 3);
    let db = TempDb::new();
    let (mut register, _) = Register::init(&db.path).unwrap();
    register
        .add_agent(&kid(1), "Siti", None, common::enrolled())
        .unwrap();
    drop(register);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER boom BEFORE INSERT ON records WHEN NEW.record_id = 'd1s2'
         BEGIN SELECT RAISE(ABORT, 'damaged register'); END;",
    )
    .unwrap();
    drop(conn);
    let names: Vec<String> = (1..=3).map(|s| format!("{s}.json")).collect();
    for (name, file) in names.iter().zip(&files) {
        std::fs::write(db.dir().join(name), file).unwrap();
    }
    let dbs = db.path.to_str().unwrap();
    let mut args = vec!["ingest", "--db", dbs];
    args.extend(names.iter().map(String::as_str));
    let run = common::district_in(db.dir(), &args);
    assert_ne!(run.code, 0, "{}", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0].starts_with("merged 1.json: 1 records"),
        "{}",
        lines[0]
    );
    assert!(run.stderr.contains("damaged register"), "{}", run.stderr);
    let mut register = Register::open(&db.path).unwrap();
    assert_eq!(
        sequences_of_agent(&mut register, 1),
        "last 1 pending 0 missing -"
    );
}

/// The version 1 schema, as `district` 0.1 created it: a register written
/// before gaps were derived, with a gap recorded once and never narrowed.
const SCHEMA_V1: &str = "
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version (version) VALUES (1);
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
    CREATE VIEW duplicate_niks AS
        SELECT nik, COUNT(*) AS records FROM records
        WHERE removed = 0 GROUP BY nik HAVING COUNT(*) > 1;";

#[test]
fn a_version_1_register_migrates_and_keeps_its_bundles() {
    let db = TempDb::new();
    let dbs = db.path.to_str().unwrap();
    let k1 = kid(1);
    {
        let conn = rusqlite::Connection::open(&db.path).unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute(
            "INSERT INTO agents VALUES (?1, 'Siti', NULL, 'approved')",
            [&k1],
        )
        .unwrap();
        // Bundles 1, 3 and 5 were merged; 4 arrived after 5 was seen as
        // leaving 2..4 missing, but version 1 never narrowed that gap.
        for sequence in [1, 3, 4, 5] {
            conn.execute(
                "INSERT INTO bundles VALUES (?1, ?2, 'h', NULL, 'b', 'merged', x'00')",
                rusqlite::params![k1, sequence],
            )
            .unwrap();
        }
        conn.execute_batch(&format!(
            "INSERT INTO gaps VALUES ('{k1}', 2, 2, 3); INSERT INTO gaps VALUES ('{k1}', 4, 4, 5);"
        ))
        .unwrap();
    }
    assert!(matches!(
        Register::open(&db.path),
        Err(RegisterError::TooOld { found: 1 })
    ));
    // `migrate` reads a version 1 register through a migrated copy and
    // leaves the file itself as it was.
    let before = std::fs::read(&db.path).unwrap();
    let moved = db.dir().join("moved.sqlite");
    let run = district(&["migrate", "--from", dbs, "--to", moved.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 agents, 4 bundles"), "{}", run.stdout);
    assert_eq!(std::fs::read(&db.path).unwrap(), before);
    let mut target = Register::open(&moved).unwrap();
    assert_eq!(target.gaps().unwrap(), [(k1.clone(), 2, 2)]);
    drop(target);
    let run = district(&["init", "--db", dbs]);
    assert_eq!(
        (run.code, common::without_key_line(&run.stdout).as_str()),
        (
            0,
            format!("migrated register {dbs} from schema version 1 to 5\n").as_str()
        ),
        "{}",
        run.stderr
    );
    let mut register = Register::open(&db.path).unwrap();
    assert_eq!(register.gaps().unwrap(), [(k1.clone(), 2, 2)]);
    assert_eq!(
        sequences_of_agent(&mut register, 1),
        "last 5 pending 0 missing 2"
    );
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let dropped: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('gaps', 'records_nik')",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(dropped, 0);
}

/// Version 2 kept each record's JSON (as merged) in `records.record`.
#[test]
fn a_version_2_register_migrates_its_records_into_columns() {
    let db = TempDb::new();
    let dbs = db.path.to_str().unwrap();
    let k1 = kid(1);
    let funded = template();
    let mut gone = template();
    gone.record_id = "r1".into();
    gone.nik = "6107015507900002".into();
    gone.op = lindung_core::bundle::Op::Remove;
    {
        let conn = rusqlite::Connection::open(&db.path).unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute_batch(
            "DROP TABLE gaps; DROP INDEX records_nik; UPDATE schema_version SET version = 2;",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO agents VALUES (?1, 'Siti', NULL, 'approved')",
            [&k1],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO bundles VALUES (?1, 1, 'h', NULL, 'b', 'merged', x'00')",
            [&k1],
        )
        .unwrap();
        for (record, removed) in [(&funded, 0), (&gone, 1)] {
            conn.execute(
                "INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'funded', ?7, 1, ?8)",
                rusqlite::params![
                    record.record_id,
                    record.revision,
                    removed,
                    record.village,
                    record.nik,
                    record.name,
                    k1,
                    serde_json::to_string(record).unwrap()
                ],
            )
            .unwrap();
        }
    }
    assert!(matches!(
        Register::open(&db.path),
        Err(RegisterError::TooOld { found: 2 })
    ));
    let run = district(&["init", "--db", dbs]);
    assert_eq!(
        (run.code, common::without_key_line(&run.stdout).as_str()),
        (
            0,
            format!("migrated register {dbs} from schema version 2 to 5\n").as_str()
        ),
        "{}",
        run.stderr
    );
    let mut register = Register::open(&db.path).unwrap();
    let active = register.report_data().unwrap().active;
    assert_eq!(
        active,
        [lindung_district::register::ActiveRecord {
            village: V1.into(),
            record_id: "r0".into(),
            kid: k1.clone(),
            nik: "6107014502870001".into(),
            name: "Siti Aminah".into(),
            birth_date: "1987-02-05".into(),
            sex: "F".into(),
            segment: "BPU".into(),
            category: "petani".into(),
            funding_source: funded.funding_source.clone(),
            with_jht: funded.with_jht,
            status: "funded".into(),
            created_ms: funded.created_at.millis(),
            registered_ms: funded.created_at.millis(),
            arrival: 1,
            pack_id: funded.verdict.pack_id.clone(),
            pack_version: funded.verdict.pack_version.clone(),
        }]
    );
    assert_eq!(
        register.record("r1").unwrap(),
        Some((gone.revision, true, gone.name.clone()))
    );
    // Bundles stored before version 3 are kept as they came.
    assert_eq!(register.bundle_file(&k1, 1).unwrap(), Some(vec![0]));
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let json_column: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('records') WHERE name = 'record'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(json_column, 0);
}

/// The version 2 schema: version 1 without `gaps` and `records_nik`.
const SCHEMA_V2: &str = "
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version (version) VALUES (2);
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
    CREATE VIEW duplicate_niks AS
        SELECT nik, COUNT(*) AS records FROM records
        WHERE removed = 0 GROUP BY nik HAVING COUNT(*) > 1;";

/// The version 3 schema: records as columns, keyed by village and record
/// id; bundle files with their `encoding`.
const SCHEMA_V3: &str = "
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version (version) VALUES (3);
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
        encoding           TEXT NOT NULL DEFAULT 'identity'
                           CHECK (encoding IN ('identity', 'zstd')),
        PRIMARY KEY (kid, sequence)
    );
    CREATE TABLE villages (
        code         TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        funded_slots INTEGER NOT NULL
    );
    CREATE TABLE records (
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
    ) WITHOUT ROWID;
    CREATE VIEW duplicate_niks AS
        SELECT nik, COUNT(*) AS records FROM records
        WHERE removed = 0 GROUP BY nik HAVING COUNT(*) > 1;";

/// The version 4 schema: the district's own judgement (enrolment and
/// receipt times, arrival order, quarantine, rule packs).
const SCHEMA_V4: &str = "
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version (version) VALUES (4);
    CREATE TABLE agents (
        kid      TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        agent_id TEXT,
        status   TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
        added_ms INTEGER
    );
    CREATE TABLE bundles (
        kid                TEXT NOT NULL REFERENCES agents (kid),
        sequence           INTEGER NOT NULL,
        signing_input_hash TEXT NOT NULL,
        previous           TEXT,
        bundle_id          TEXT NOT NULL,
        state              TEXT NOT NULL CHECK (state IN ('pending', 'merged')),
        bytes              BLOB NOT NULL,
        encoding           TEXT NOT NULL DEFAULT 'identity'
                           CHECK (encoding IN ('identity', 'zstd')),
        arrival            INTEGER,
        received_ms        INTEGER,
        floor_ms           INTEGER,
        pack_note          TEXT,
        withdrawn_ms       INTEGER,
        withdrawn_reason   TEXT,
        PRIMARY KEY (kid, sequence)
    );
    CREATE UNIQUE INDEX bundles_arrival ON bundles (arrival);
    CREATE TABLE villages (
        code         TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        funded_slots INTEGER NOT NULL
    );
    CREATE TABLE records (
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
    ) WITHOUT ROWID;
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
    CREATE UNIQUE INDEX rule_packs_current ON rule_packs (current) WHERE current = 1;
    CREATE VIEW duplicate_niks AS
        SELECT nik, COUNT(*) AS records FROM records
        WHERE removed = 0 AND quarantine IS NULL GROUP BY nik HAVING COUNT(*) > 1;";

/// A NIK one digit short: quarantined from schema version 4 on.
const SHORT_NIK: &str = "61070145028700";

/// The bundles of the registers of every earlier version, in order of
/// arrival: (device, sequence, file). Device 1 sent sequences 1 and 3 (2
/// never arrived), device 2 its first; r2's NIK is [`SHORT_NIK`], and r1's
/// second revision is in sequence 3.
fn old_bundles() -> Vec<(u8, u64, Vec<u8>)> {
    let (a1, _) = bundle(
        1,
        1,
        None,
        &[
            up("r1", 1, "6107014502870001", V1),
            up("r2", 1, SHORT_NIK, V1),
            up("r3", 1, "6107015507900003", V2),
        ],
    );
    let (b1, _) = bundle(2, 1, None, &[up("r4", 1, "6107016003850004", V1)]);
    let (a3, _) = bundle(
        1,
        3,
        Some(&stray_hash()),
        &[up("r1", 2, "6107014502870001", V1)],
    );
    vec![(1, 1, a1), (2, 1, b1), (1, 3, a3)]
}

/// Writes a register of schema `version` (1 to 4) at `path`, as `district`
/// of that version left it after ingesting [`old_bundles`]: device 1
/// approved, device 2 revoked since; in version 4 r2 is quarantined (with
/// its audit row) and the built-in pack is the current one.
fn write_old_register(path: &Path, version: i64) {
    use rusqlite::ToSql;
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch([SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4][version as usize - 1])
        .unwrap();
    // One row of `table`, by column name (later versions have more).
    let insert = |table: &str, row: &[(&str, &dyn ToSql)]| {
        let names: Vec<&str> = row.iter().map(|(name, _)| *name).collect();
        let marks: Vec<String> = (1..=row.len()).map(|i| format!("?{i}")).collect();
        conn.execute(
            &format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            ),
            rusqlite::params_from_iter(row.iter().map(|(_, value)| *value)),
        )
        .unwrap();
    };
    let (enrolled, received) = (common::enrolled().millis(), common::received().millis());
    for (device, name, agent_id, status) in [
        (1, "Siti", Some("a-1"), "approved"),
        (2, "Budi", None, "revoked"),
    ] {
        let kid = kid(device);
        let mut row: Vec<(&str, &dyn ToSql)> = vec![
            ("kid", &kid),
            ("name", &name),
            ("agent_id", &agent_id),
            ("status", &status),
        ];
        if version >= 4 {
            row.push(("added_ms", &enrolled));
        }
        insert("agents", &row);
    }
    // The records the register holds, the highest revision of each, with
    // the arrival of the bundle that first carried it.
    let mut held: Vec<(lindung_core::bundle::BundleRecord, String, i64, i64)> = Vec::new();
    let mut villages: Vec<(String, String, u32)> = Vec::new();
    for (arrival, (_, sequence, file)) in (1_i64..).zip(old_bundles()) {
        let sequence = i64::try_from(sequence).unwrap();
        let verified = lindung_district::es256::verify(&file).unwrap();
        let payload = verified.payload;
        let mut row: Vec<(&str, &dyn ToSql)> = vec![
            ("kid", &verified.kid),
            ("sequence", &sequence),
            ("signing_input_hash", &verified.signing_input_hash),
            ("previous", &payload.previous),
            ("bundle_id", &payload.bundle_id),
            ("state", &"merged"),
        ];
        // Version 3 on stores files compressed.
        let packed = zstd::bulk::compress(&file, 1).unwrap();
        if version >= 3 {
            row.extend([("bytes", &packed as &dyn ToSql), ("encoding", &"zstd")]);
        } else {
            row.push(("bytes", &file));
        }
        if version >= 4 {
            row.extend([
                ("arrival", &arrival as &dyn ToSql),
                ("received_ms", &received),
                ("floor_ms", &enrolled),
            ]);
        }
        insert("bundles", &row);
        for village in payload.villages {
            if !villages.iter().any(|(code, ..)| *code == village.code) {
                villages.push((village.code, village.name, village.funded_slots));
            }
        }
        for record in payload.records {
            match held
                .iter_mut()
                .find(|(r, ..)| r.record_id == record.record_id)
            {
                Some(entry) => {
                    entry.0 = record;
                    entry.2 = sequence;
                }
                None => held.push((record, verified.kid.clone(), sequence, arrival)),
            }
        }
    }
    for (code, name, slots) in &villages {
        insert(
            "villages",
            &[("code", code), ("name", name), ("funded_slots", slots)],
        );
    }
    for (record, kid, sequence, arrival) in &held {
        let removed = record.op == lindung_core::bundle::Op::Remove;
        let quarantine = (record.nik == SHORT_NIK).then_some("nik.length");
        let json = serde_json::to_string(record).unwrap();
        let (birth_date, created_ms) = (record.birth_date.to_string(), record.created_at.millis());
        let sex = record.sex.code();
        let mut row: Vec<(&str, &dyn ToSql)> = vec![
            ("record_id", &record.record_id),
            ("revision", &record.revision),
            ("removed", &removed),
            ("village", &record.village),
            ("nik", &record.nik),
            ("name", &record.name),
            ("status", &"funded"),
            ("kid", kid),
            ("sequence", sequence),
        ];
        if version <= 2 {
            row.push(("record", &json));
        } else {
            row.extend([
                ("birth_date", &birth_date as &dyn ToSql),
                ("sex", &sex),
                ("segment", &record.segment),
                ("category", &record.category),
                ("funding_source", &record.funding_source),
                ("with_jht", &record.with_jht),
                ("created_ms", &created_ms),
                ("pack_id", &record.verdict.pack_id),
                ("pack_version", &record.verdict.pack_version),
            ]);
        }
        if version >= 4 {
            row.extend([
                ("registered_ms", &created_ms as &dyn ToSql),
                ("arrival", arrival),
                ("quarantine", &quarantine),
            ]);
        }
        insert("records", &row);
        if let (4, Some(codes)) = (version, quarantine) {
            insert(
                "quarantine",
                &[
                    ("kid", kid),
                    ("sequence", sequence),
                    ("village", &record.village),
                    ("record_id", &record.record_id),
                    ("revision", &record.revision),
                    ("codes", &codes),
                ],
            );
        }
    }
    if version == 1 {
        // Version 1 recorded the gap when sequence 3 arrived.
        insert(
            "gaps",
            &[
                ("kid", &kid(1)),
                ("first_missing", &2),
                ("last_missing", &2),
                ("found_at_sequence", &3),
            ],
        );
    }
    if version >= 4 {
        let pack = lindung_district::register::StoredPack::builtin();
        insert(
            "rule_packs",
            &[
                ("digest", &pack.digest),
                ("id", &pack.pack.id()),
                ("version", &pack.pack.version()),
                ("json", &lindung_core::RulePack::default_json()),
                ("added_ms", &enrolled),
                ("current", &true),
            ],
        );
    }
}

/// What a register shows through the binary: the report (JSON), `agents
/// list`, `quarantine list` and `duplicates`.
fn shown(db: &str) -> [String; 4] {
    let report = district(&[
        "report", "--db", db, "--format", "json", "--month", "2027-05",
    ]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let [agents, quarantine, duplicates] = [
        ["agents", "list"],
        ["quarantine", "list"],
        ["duplicates", ""],
    ]
    .map(|command| {
        let mut args: Vec<&str> = command.into_iter().filter(|a| !a.is_empty()).collect();
        args.extend(["--db", db]);
        let run = district(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        run.stdout
    });
    [report.stdout, agents, quarantine, duplicates]
}

/// `district migrate` from a SQLite register of every earlier schema
/// version into a new register of each backend: the target shows what the
/// source shows once `init` brought it to the current version, with every
/// bundle file byte for byte, and the source is left as it was.
fn every_earlier_schema_version_migrates(target: Db) {
    // A new schema version needs a fixture of the one before it here.
    for version in 1..SCHEMA_VERSION {
        let target = target.another();
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("old.sqlite");
        write_old_register(&source, version);
        let upgraded = dir.path().join("upgraded.sqlite");
        std::fs::copy(&source, &upgraded).unwrap();
        let before = std::fs::read(&source).unwrap();
        assert!(
            matches!(
                Register::open(&source),
                Err(RegisterError::TooOld { found }) if found == version
            ),
            "version {version}"
        );
        let (source, upgraded) = (source.to_str().unwrap(), upgraded.to_str().unwrap());
        let run = district(&["migrate", "--from", source, "--to", &target.arg()]);
        assert_eq!(run.code, 0, "version {version}: {}", run.stderr);
        let quarantined = if version >= 4 { 1 } else { 0 };
        assert!(
            run.stdout.ends_with(&format!(
                ": 2 agents, 3 bundles, 4 records, {quarantined} quarantine entries, 1 rule packs\n"
            )),
            "version {version}: {}",
            run.stdout
        );
        assert_eq!(std::fs::read(source).unwrap(), before, "version {version}");
        let run = district(&["init", "--db", upgraded]);
        assert_eq!(
            (run.code, common::without_key_line(&run.stdout)),
            (
                0,
                format!(
                    "migrated register {upgraded} from schema version {version} to \
                     {SCHEMA_VERSION}\n"
                )
            ),
            "{}",
            run.stderr
        );
        let moved = shown(&target.arg());
        assert_eq!(moved, shown(upgraded), "version {version}");
        // What both show, in full where it is short.
        let [report, agents, quarantine, duplicates] = moved;
        let mut agents: Vec<&str> = agents.lines().collect();
        agents.sort_unstable();
        let mut expected = [
            format!("{}\tSiti\ta-1\tapproved\t3\t0\t2", kid(1)),
            format!("{}\tBudi\t-\trevoked\t1\t0\t-", kid(2)),
        ];
        expected.sort_unstable();
        assert_eq!(agents, expected, "version {version}");
        // Only a register that judged records (version 4) has audit rows;
        // an older one's records are judged by the step to version 4.
        let audit: Vec<String> = if version >= 4 {
            vec![format!(
                "record\t{}\t1\t{V1}\tr2\t1\tnik.length\tcurrent",
                kid(1)
            )]
        } else {
            Vec::new()
        };
        assert_eq!(
            quarantine.lines().collect::<Vec<_>>(),
            audit,
            "version {version}"
        );
        assert_eq!(duplicates, "", "version {version}");
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        let villages: Vec<(&str, u64, u64)> = report["villages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["code"].as_str().unwrap(),
                    v["funded"].as_u64().unwrap(),
                    v["quarantined_records"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(villages, [(V1, 2, 1), (V2, 1, 0)], "version {version}");
        let mut register = Register::open(target.location()).unwrap();
        for (device, sequence, file) in old_bundles() {
            assert_eq!(
                register.bundle_file(&kid(device), sequence).unwrap(),
                Some(file),
                "version {version}: bundle {sequence} of device {device}"
            );
        }
    }
}

/// A register held in WAL mode by another process (`district serve`) has
/// commits in its `-wal` file only; `migrate` reads them through SQLite.
fn migrate_reads_commits_still_in_the_wal(target: Db) {
    let source = TempDb::new();
    let files = common::chain(1, 2);
    Register::init(&source.path).unwrap();
    let mut serving = Register::open(&source.path).unwrap();
    serving.for_serving();
    serving
        .add_agent(&kid(1), "Siti", None, common::enrolled())
        .unwrap();
    for file in &files {
        assert_eq!(
            describe(&serving.ingest(file, common::received()).unwrap()),
            "merged 1+0"
        );
    }
    // The file alone (what a copy of it would give) holds none of it.
    let alone = source.dir().join("alone.sqlite");
    std::fs::copy(&source.path, &alone).unwrap();
    assert!(source.dir().join("register.db-wal").exists());
    let mut copied = Register::open(&alone).unwrap();
    assert_eq!(copied.agents().unwrap().len(), 0);
    drop(copied);
    let run = district(&[
        "migrate",
        "--from",
        source.path.to_str().unwrap(),
        "--to",
        &target.arg(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(": 1 agents, 2 bundles, 2 records"),
        "{}",
        run.stdout
    );
    let mut moved = Register::open(target.location()).unwrap();
    assert_eq!(
        sequences_of_agent(&mut moved, 1),
        "last 2 pending 0 missing -"
    );
    assert_eq!(
        moved.bundle_file(&kid(1), 2).unwrap(),
        Some(files[1].clone())
    );
    // The server's commits were not disturbed.
    assert_eq!(serving.agents().unwrap().len(), 1);
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
            format!("created register {dbs} (schema version 5)\n"),
        ),
        (
            vec!["init", "--db", dbs],
            0,
            format!("register {dbs} is already at schema version 5; nothing changed\n"),
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
                "merged {f1}: 1 records (kid {k1}, sequence 1); 0 older or equal revisions ignored; 0 quarantined\n\
                 already ingested {f1}: kid {k1}, sequence 1; nothing changed\n\
                 merged {f3}: 1 records (kid {k1}, sequence 3); 0 older or equal revisions ignored; 0 quarantined\n\
                 gap {f3}: kid {k1} is missing sequence 2\n\
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
            format!(
                "{k2}\tPetugas 2\tagent-2\tpending\t-\t1\t-\n\
                 {k1}\tSiti\ta-1\tapproved\t3\t0\t2\n"
            ),
        ),
        // The stored files, byte for byte, merged or pending.
        (
            vec!["bundle", "--db", dbs, &k1, "3"],
            0,
            String::from_utf8(b3.clone()).unwrap(),
        ),
        (
            vec!["bundle", "--db", dbs, &k2, "1"],
            0,
            String::from_utf8(c1.clone()).unwrap(),
        ),
        (vec!["bundle", "--db", dbs, &k1, "2"], 1, String::new()),
        (
            vec!["agents", "approve", "--db", dbs, &k2],
            0,
            format!(
                "approved {k2}\nmerged pending sequence 1: 1 records (kid {k2}, sequence 1); \
                 0 older or equal revisions ignored; 0 quarantined\n"
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
        let shown = if args[0] == "init" {
            // The district key: made by the first init, kept by the next.
            let made = if run.stdout.contains("already at schema") {
                "kept"
            } else {
                "made"
            };
            let key = dir.join("district-key.json");
            let line = format!(
                "district key {} {made}: district district, kid ",
                key.display()
            );
            assert!(run.stdout.contains(&line), "{}", run.stdout);
            common::without_key_line(&run.stdout)
        } else {
            run.stdout.clone()
        };
        assert_eq!(shown, stdout, "{args:?}");
        // Register errors go to stderr with nothing on stdout; rejected
        // bundles are reported on stdout only.
        let register_error = code == 1 && stdout.is_empty();
        assert_eq!(
            !run.stderr.is_empty(),
            register_error,
            "{args:?}: {}",
            run.stderr
        );
        // Between commands the register is one file, with its rollback
        // journal (ingest and approve run in WAL, then switch back).
        let beside: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("register.db-"))
            .collect();
        assert_eq!(beside, Vec::<String>::new(), "{args:?}");
    }
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
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
