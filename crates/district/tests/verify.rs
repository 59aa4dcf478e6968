//! `district verify [--db FILE] BUNDLE...` through the binary: tampered
//! files, swapped keys, replays, conflicts, order, gaps and trust, with and
//! without a register (the cases with one run once per backend,
//! `backend_tests!`), the same answers as `ingest`, and the register left
//! exactly as it was.
//! All NIKs and names here are made up.

use std::collections::BTreeMap;
use std::path::Path;

use lindung_core::bundle::{b64url, sha256_b64url, Signer};
use lindung_district::register::{Location, Register};
use serde_json::{json, Value};

mod common;
use common::{bundle, chain, district_in, kid, signer, stray_hash, up, Db, TempDb, V1};

/// The three members of a bundle file.
fn parts(bytes: &[u8]) -> [String; 3] {
    let jws: Value = serde_json::from_slice(bytes).unwrap();
    ["protected", "payload", "signature"].map(|m| jws[m].as_str().unwrap().to_owned())
}

fn jws(protected: &str, payload: &str, signature: &str) -> Vec<u8> {
    format!(r#"{{"protected":"{protected}","payload":"{payload}","signature":"{signature}"}}"#)
        .into_bytes()
}

/// `text` with its character at `at` replaced by another base64url one.
fn flip(text: &str, at: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// The protected header of test device `device`, with `kid` as given.
fn header(device: u8, kid: &str) -> String {
    let header = json!({
        "alg": "ES256",
        "typ": "lindung-bundle+json",
        "kid": kid,
        "jwk": signer(device).public_jwk(),
    });
    b64url(header.to_string().as_bytes())
}

/// What is in the register before `verify` runs.
#[derive(Clone, Copy)]
enum Setup {
    /// No `--db`.
    NoRegister,
    /// A register where device 1 is approved and these of its bundles
    /// (from [`chain`]) are merged.
    Approved(&'static [u64]),
    /// Device 1 added, these of its bundles merged, then revoked.
    Revoked(&'static [u64]),
    /// A register that has never heard of device 1.
    Empty,
    /// Device 1's first bundle was ingested from an unknown device: pending.
    Pending,
}

/// Files as `verify` is given them, by name.
fn files() -> BTreeMap<&'static str, Vec<u8>> {
    let good = chain(1, 4);
    let [protected, payload, signature] = parts(&good[0]);
    let k1 = kid(1);
    let mut files: BTreeMap<&'static str, Vec<u8>> = BTreeMap::new();
    for (name, bytes) in ["1.json", "2.json", "3.json", "4.json"].iter().zip(&good) {
        files.insert(name, bytes.clone());
    }
    // A byte flipped in each part.
    files.insert(
        "flip-protected.json",
        jws(&flip(&protected, 0), &payload, &signature),
    );
    files.insert(
        "flip-payload.json",
        jws(&protected, &flip(&payload, payload.len() / 2), &signature),
    );
    files.insert(
        "flip-signature.json",
        jws(&protected, &payload, &flip(&signature, signature.len() / 2)),
    );
    // The header names another kid than its key's.
    files.insert(
        "other-kid.json",
        jws(&header(1, &flip(&k1, 10)), &payload, &signature),
    );
    // Another device's key in the header, device 1's signature.
    files.insert(
        "swap-header.json",
        jws(&header(2, &kid(2)), &payload, &signature),
    );
    // Device 1's payload signed by device 2.
    let protected2 = header(2, &kid(2));
    let signature2 = signer(2)
        .sign(format!("{protected2}.{payload}").as_bytes())
        .unwrap();
    files.insert(
        "swap-signer.json",
        jws(&protected2, &payload, &b64url(&signature2)),
    );
    // Another bundle with sequence 1.
    let (other1, _) = bundle(1, 1, None, &[up("x1", 1, "6107014502870009", V1)]);
    files.insert("other-1.json", other1);
    // Sequence 2 pointing at no bundle of this device.
    let (stray2, _) = bundle(
        1,
        2,
        Some(&stray_hash()),
        &[up("x2", 1, "6107014502870009", V1)],
    );
    files.insert("stray-2.json", stray2);
    // Sequence 2 pointing at bundle 1, but not the one bundle 3 points at.
    let h1 = sha256_b64url(format!("{protected}.{payload}").as_bytes());
    let (other2, _) = bundle(1, 2, Some(&h1), &[up("x3", 1, "6107014502870009", V1)]);
    files.insert("other-2.json", other2);
    // Device 2's first bundle.
    files.insert("device2-1.json", chain(2, 1).remove(0));
    files
}

/// Makes the register at `location` hold what `setup` says.
fn set_up(location: Location, setup: Setup, files: &BTreeMap<&str, Vec<u8>>) {
    let chain = chain(1, 4);
    let (mut register, _) = match setup {
        Setup::NoRegister => return,
        _ => Register::init(location).unwrap(),
    };
    match setup {
        Setup::NoRegister | Setup::Empty => {}
        Setup::Approved(merged) | Setup::Revoked(merged) => {
            register
                .add_agent(&kid(1), "Siti", None, common::enrolled())
                .unwrap();
            for sequence in merged {
                let outcome = register
                    .ingest(&chain[*sequence as usize - 1], common::received())
                    .unwrap();
                assert!(format!("{outcome:?}").starts_with("Merged"), "{outcome:?}");
            }
            if matches!(setup, Setup::Revoked(_)) {
                register.revoke(&kid(1)).unwrap();
            }
        }
        Setup::Pending => {
            let outcome = register
                .ingest(&files["1.json"], common::received())
                .unwrap();
            assert!(format!("{outcome:?}").starts_with("Pending"), "{outcome:?}");
        }
    }
}

/// Expands the short forms of expected lines: `ok FILE SEQ[; note]` is the
/// full ok line of device 1 (or device 2 for `device2-*`); `FAIL FILE: code`
/// matches a FAIL line by its code, and a line with its reason in full.
fn expand(expected: &str) -> String {
    let Some(rest) = expected.strip_prefix("ok ") else {
        return expected.to_owned();
    };
    let (head, note) = rest.split_once(';').map_or((rest, ""), |(h, n)| (h, n));
    let (file, sequence) = head.trim().split_once(' ').unwrap();
    let device = if file.starts_with("device2") { 2 } else { 1 };
    let note = if note.is_empty() {
        String::new()
    } else {
        format!(";{note}")
    };
    format!(
        "ok {file}: kid {} sequence {sequence} records 1 villages 2{note}",
        kid(device)
    )
}

/// What is checked, the setup, the files given, the lines expected, the exit code.
type Case = (
    &'static str,
    Setup,
    &'static [&'static str],
    &'static [&'static str],
    i32,
);

/// Runs `verify` on `args` in a directory holding [`files`], with a new
/// register on the backend of `base` set up as `setup` says.
fn check(base: &Db, what: &str, setup: Setup, args: &[&str], expected: &[&str], code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let files = files();
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let db = (!matches!(setup, Setup::NoRegister)).then(|| base.another());
    let dbs = db.as_ref().map(Db::arg);
    let mut all = vec!["verify"];
    if let (Some(db), Some(dbs)) = (&db, &dbs) {
        set_up(db.location(), setup, &files);
        all.extend(["--db", dbs]);
    }
    all.extend_from_slice(args);
    let run = district_in(dir.path(), &all);
    assert_eq!(run.stderr, "", "{what}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{what}: {}", run.stdout);
    for (line, expected) in lines.iter().zip(expected) {
        let expected = expand(expected);
        if expected.starts_with("FAIL") && !expected.contains('(') {
            assert!(
                line.starts_with(&format!("{expected} (")),
                "{what}: {line}\nexpected {expected}"
            );
        } else {
            assert_eq!(*line, expected, "{what}");
        }
    }
    assert_eq!(run.code, code, "{what}: {}", run.stdout);
}

fn tampered_and_swapped_files_fail(base: Db) {
    use Setup::*;
    for setup in [NoRegister, Approved(&[])] {
        check(
            &base,
            "a byte flipped in each part; the header's kid; swapped keys",
            setup,
            &[
                "flip-protected.json",
                "flip-payload.json",
                "flip-signature.json",
                "other-kid.json",
                "swap-header.json",
                "swap-signer.json",
                "1.json",
            ],
            &[
                // The header is no longer JSON.
                "FAIL flip-protected.json: bundle.header_json",
                "FAIL flip-payload.json: bundle.signature",
                "FAIL flip-signature.json: bundle.signature",
                "FAIL other-kid.json: bundle.kid",
                "FAIL swap-header.json: bundle.signature",
                "FAIL swap-signer.json: bundle.device_kid",
                "ok 1.json 1",
            ],
            1,
        );
    }
    check(
        &base,
        "an unreadable file",
        NoRegister,
        &["missing.json", "1.json"],
        &[
            "FAIL missing.json: file.unreadable (No such file or directory (os error 2))",
            "ok 1.json 1",
        ],
        1,
    );
}

#[test]
fn files_are_checked_against_each_other() {
    use Setup::*;
    let cases: &[Case] = &[
        (
            "one good file",
            NoRegister,
            &["1.json"],
            &["ok 1.json 1"],
            0,
        ),
        (
            "a chain across files",
            NoRegister,
            &["1.json", "2.json", "3.json"],
            &["ok 1.json 1", "ok 2.json 2", "ok 3.json 3"],
            0,
        ),
        (
            "reordered: both links are checked when the middle comes last",
            NoRegister,
            &["3.json", "1.json", "2.json"],
            &["ok 3.json 3", "ok 1.json 1", "ok 2.json 2"],
            0,
        ),
        (
            "without a register, missing sequences are not known",
            NoRegister,
            &["2.json", "4.json"],
            &["ok 2.json 2", "ok 4.json 4"],
            0,
        ),
        (
            "replay: the same file twice",
            NoRegister,
            &["1.json", "2.json", "1.json"],
            &[
                "ok 1.json 1",
                "ok 2.json 2",
                "ok 1.json 1; same bundle as 1.json",
            ],
            0,
        ),
        (
            "another bundle with the same sequence",
            NoRegister,
            &["1.json", "other-1.json"],
            &[
                "ok 1.json 1",
                "FAIL other-1.json: register.conflict (a different bundle with this kid and \
                 sequence is in 1.json)",
            ],
            1,
        ),
        (
            "previous is not the bundle before it",
            NoRegister,
            &["1.json", "stray-2.json"],
            &[
                "ok 1.json 1",
                "FAIL stray-2.json: register.chain (previous does not match the bundle before \
                 it (sequence 1, in 1.json))",
            ],
            1,
        ),
        (
            "the bundle after it points at another one",
            NoRegister,
            &["1.json", "3.json", "other-2.json", "2.json"],
            &[
                "ok 1.json 1",
                "ok 3.json 3",
                "FAIL other-2.json: register.chain (the bundle after it (sequence 3, in \
                 3.json) does not point at this bundle)",
                "ok 2.json 2",
            ],
            1,
        ),
        (
            "a failed file does not count for later ones",
            NoRegister,
            &["1.json", "stray-2.json", "2.json"],
            &[
                "ok 1.json 1",
                "FAIL stray-2.json: register.chain",
                "ok 2.json 2",
            ],
            1,
        ),
        (
            "the earlier file wins: as ingest, in the order given",
            NoRegister,
            &["stray-2.json", "1.json", "2.json"],
            &[
                "ok stray-2.json 2",
                "FAIL 1.json: register.chain (the bundle after it (sequence 2, in \
                 stray-2.json) does not point at this bundle)",
                "FAIL 2.json: register.conflict",
            ],
            1,
        ),
        (
            "without a register, devices are not checked",
            NoRegister,
            &["device2-1.json"],
            &["ok device2-1.json 1"],
            0,
        ),
    ];
    // No register: no backend to run on.
    let base = Db::sqlite();
    for (what, setup, args, expected, code) in cases {
        check(&base, what, *setup, args, expected, *code);
    }
}

fn files_are_checked_against_the_register(base: Db) {
    use Setup::*;
    let cases: &[Case] = &[
        (
            "a chain across files, nothing of the device in the register yet",
            Approved(&[]),
            &["1.json", "2.json", "3.json"],
            &["ok 1.json 1", "ok 2.json 2", "ok 3.json 3"],
            0,
        ),
        (
            "the chain continues the register's",
            Approved(&[1, 2]),
            &["3.json", "4.json"],
            &["ok 3.json 3", "ok 4.json 4"],
            0,
        ),
        (
            "a gap is named, and narrows as files fill it",
            Approved(&[]),
            &["3.json", "1.json", "2.json"],
            &[
                "ok 3.json 3; missing sequences 1..2",
                "ok 1.json 1; missing sequence 2",
                "ok 2.json 2",
            ],
            0,
        ),
        (
            "a gap relative to the register",
            Approved(&[1]),
            &["4.json"],
            &["ok 4.json 4; missing sequences 2..3"],
            0,
        ),
        (
            "the register's own gap is named too",
            Approved(&[1, 3]),
            &["4.json", "2.json"],
            &["ok 4.json 4; missing sequence 2", "ok 2.json 2"],
            0,
        ),
        (
            "replay: already ingested",
            Approved(&[1, 2]),
            &["2.json", "2.json"],
            &[
                "ok 2.json 2; already ingested",
                "ok 2.json 2; already ingested",
            ],
            0,
        ),
        (
            "another bundle with a sequence the register holds",
            Approved(&[1]),
            &["other-1.json"],
            &[
                "FAIL other-1.json: register.conflict (a different bundle with this kid and \
               sequence is already in the register)",
            ],
            1,
        ),
        (
            "previous is not the register's bundle before it",
            Approved(&[1]),
            &["stray-2.json"],
            &[
                "FAIL stray-2.json: register.chain (previous does not match the bundle before \
               it (sequence 1, in the register))",
            ],
            1,
        ),
        (
            "the register's bundle after it points at another one",
            Approved(&[1, 3]),
            &["other-2.json"],
            &[
                "FAIL other-2.json: register.chain (the bundle after it (sequence 3, in the \
               register) does not point at this bundle)",
            ],
            1,
        ),
        (
            "revoked device",
            Revoked(&[]),
            &["1.json"],
            &["FAIL 1.json: register.revoked (the device key is revoked)"],
            1,
        ),
        (
            "a revoked device's merged bundle again: already ingested, whatever its status",
            Revoked(&[1]),
            &["1.json", "2.json"],
            &[
                "ok 1.json 1; already ingested",
                "FAIL 2.json: register.revoked",
            ],
            1,
        ),
        (
            "unknown device",
            Empty,
            &["1.json", "device2-1.json"],
            &[
                "FAIL 1.json: register.unknown_device (the device key is not enrolled in the \
                 register (`agents add`, or `ingest` then `agents approve`))",
                "FAIL device2-1.json: register.unknown_device",
            ],
            1,
        ),
        (
            "a device waiting for approval",
            Pending,
            &["2.json"],
            &[
                "FAIL 2.json: register.pending_device (the device key is waiting for approval \
               (`agents approve`))",
            ],
            1,
        ),
        (
            "bundle errors come first",
            Revoked(&[]),
            &["flip-signature.json"],
            &["FAIL flip-signature.json: bundle.signature"],
            1,
        ),
    ];
    for (what, setup, args, expected, code) in cases {
        check(&base, what, *setup, args, expected, *code);
    }
}

/// Every file of `dir` and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn verify_never_changes_the_register() {
    let db = TempDb::new();
    let files = files();
    for (name, bytes) in &files {
        std::fs::write(db.dir().join(name), bytes).unwrap();
    }
    set_up((&db.path).into(), Setup::Approved(&[1, 3]), &files);
    let before = snapshot(db.dir());
    let all: Vec<&str> = files.keys().copied().collect();
    let mut args = vec!["verify", "--db", "register.db"];
    args.extend(&all);
    let run = district_in(db.dir(), &args);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.stdout.lines().count(), files.len());
    assert_eq!(snapshot(db.dir()), before, "the directory is unchanged");
    // What ingest then does agrees with what verify said of the new bundles.
    let run = district_in(
        db.dir(),
        &["ingest", "--db", "register.db", "2.json", "4.json"],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn register_errors_stop_verify() {
    let db = TempDb::new();
    std::fs::write(db.dir().join("1.json"), &chain(1, 1)[0]).unwrap();
    std::fs::write(db.dir().join("other.db"), b"").unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "missing.db",
            "district: register: unable to open database file",
        ),
        (
            "other.db",
            "district: the database is not a district register",
        ),
    ];
    for (file, message) in cases {
        let run = district_in(db.dir(), &["verify", "--db", file, "1.json"]);
        assert_eq!(run.code, 1, "{file}");
        assert_eq!(run.stdout, "", "{file}");
        assert!(run.stderr.starts_with(message), "{file}: {}", run.stderr);
    }
    assert!(!db.dir().join("missing.db").exists(), "nothing was created");
    assert_eq!(std::fs::read(db.dir().join("other.db")).unwrap(), b"");
}

/// The issue's own example, against a real register: a device revoked after
/// its bundle 1 merged sends bundle 1 again (the phone never saw the answer)
/// and then bundle 2. `verify --db` and `ingest` answer alike: the very same
/// bundle is already ingested, whatever the device's status (exit 0), and
/// the new one is refused (exit 1, nothing stored).
fn a_revoked_device_gets_one_answer_from_verify_and_ingest(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let files = files();
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    set_up(db.location(), Setup::Revoked(&[1]), &files);
    let (dbs, k1) = (db.arg(), kid(1));
    let cases = [
        (
            "1.json",
            format!("ok 1.json: kid {k1} sequence 1 records 1 villages 2; already ingested"),
            format!("already ingested 1.json: kid {k1}, sequence 1; nothing changed"),
            0,
        ),
        (
            "2.json",
            "FAIL 2.json: register.revoked (the device key is revoked)".to_owned(),
            "FAIL 2.json: register.revoked (the device key is revoked)".to_owned(),
            1,
        ),
    ];
    for (file, verified, ingested, code) in cases {
        let verify = district_in(dir.path(), &["verify", "--db", &dbs, file]);
        assert_eq!(
            (verify.code, verify.stdout, verify.stderr),
            (code, format!("{verified}\n"), String::new()),
            "verify {file}"
        );
        let ingest = district_in(dir.path(), &["ingest", "--db", &dbs, file]);
        assert_eq!(
            (ingest.code, ingest.stdout, ingest.stderr),
            (
                code,
                format!("{ingested}\nduplicates: 0 NIKs held by more than one active record\n"),
                String::new()
            ),
            "ingest {file}"
        );
    }
    let mut register = Register::open(db.location()).unwrap();
    assert_eq!(register.sequences(&k1).unwrap(), [1]);
}

backend_tests!(
    tampered_and_swapped_files_fail,
    files_are_checked_against_the_register,
    a_revoked_device_gets_one_answer_from_verify_and_ingest,
);
