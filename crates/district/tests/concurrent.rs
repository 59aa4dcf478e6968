//! Several `district ingest` processes writing one register at once, each
//! given every file in its own order: every bundle is stored once, every
//! record merged once, a conflicting pair resolved to one of the two, and
//! the register ends as one sequential ingest leaves it. The test body runs
//! once per backend (`backend_tests!`). All NIKs and names are made up.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

mod common;
use common::{bundle, district, up, Db, Rec, V1, V2};

/// How many processes ingest at once.
const PROCESSES: usize = 4;
/// Bundles per approved device.
const CHAIN: u64 = 12;

/// A made-up NIK for device `device`, bundle `sequence`, record `index`:
/// a woman born 5 February 1987 in Kabupaten Mempawah (61.07.01), with a
/// serial number unique per record.
fn nik(device: u8, sequence: u64, index: u64) -> String {
    format!(
        "610701450287{:04}",
        u64::from(device) * 1000 + sequence * 10 + index
    )
}

/// The bundle files, by name: devices 1 to 3 (approved) with chains of
/// [`CHAIN`] bundles, each of three records in both villages, some later
/// bundles revising earlier records; device 4 (unknown: its bundles wait);
/// device 5 with two different bundles of sequence 1 (a conflict). One NIK
/// is registered by devices 1 and 2 in two villages (a duplicate).
fn files() -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for device in 1..=4u8 {
        let count = if device == 4 { 3 } else { CHAIN };
        let mut previous: Option<String> = None;
        for sequence in 1..=count {
            let village = |i: u64| {
                if (sequence + i).is_multiple_of(2) {
                    V1
                } else {
                    V2
                }
            };
            let mut recs: Vec<Rec> = (0..3)
                .map(|i| {
                    up(
                        &format!("d{device}s{sequence}r{i}"),
                        1,
                        &nik(device, sequence, i),
                        village(i),
                    )
                })
                .collect();
            if sequence > 1 {
                // A new revision of a record of the bundle before.
                let earlier = sequence - 1;
                recs.push(up(
                    &format!("d{device}s{earlier}r0"),
                    2,
                    &nik(device, earlier, 0),
                    if earlier.is_multiple_of(2) { V1 } else { V2 },
                ));
            }
            if device == 2 && sequence == 5 {
                recs.push(up("shared", 1, &nik(1, 1, 1), V1));
            }
            let (bytes, hash) = bundle(device, sequence, previous.as_deref(), &recs);
            files.insert(format!("d{device}-{sequence:02}.json"), bytes);
            previous = Some(hash);
        }
    }
    let (a, _) = bundle(5, 1, None, &[up("c1", 1, &nik(5, 1, 0), V1)]);
    let (b, _) = bundle(5, 1, None, &[up("c2", 1, &nik(5, 1, 1), V2)]);
    files.insert("d5-01a.json".into(), a);
    files.insert("d5-01b.json".into(), b);
    files
}

/// What each file came to in one process's output: `merged`, `already`,
/// `pending`, or the refusal code.
fn outcomes(stdout: &str, stderr: &str) -> BTreeMap<String, String> {
    let mut seen = BTreeMap::new();
    for line in stdout.lines().chain(stderr.lines()) {
        let (word, rest) = if let Some(rest) = line.strip_prefix("merged ") {
            ("merged", rest)
        } else if let Some(rest) = line.strip_prefix("already ingested ") {
            ("already", rest)
        } else if let Some(rest) = line.strip_prefix("pending ") {
            ("pending", rest)
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            let code = rest.split_once(": ").unwrap().1.split(' ').next().unwrap();
            (code, rest)
        } else {
            continue;
        };
        let name = rest.split_once(':').unwrap().0;
        let name = name.rsplit('/').next().unwrap().to_owned();
        assert!(
            seen.insert(name.clone(), word.to_owned()).is_none(),
            "{name} twice"
        );
    }
    seen
}

/// Everything the register says, as text: agents (with last merged,
/// pending and missing sequences), quarantine, duplicates, and the report.
fn state(db: &Db) -> Vec<String> {
    let mut out = Vec::new();
    for args in [
        &["agents", "list"][..],
        &["quarantine", "list"],
        &["duplicates"],
        &["report", "--format", "json", "--month", "2027-05"],
    ] {
        let mut args = args.to_vec();
        let arg = db.arg();
        args.extend(["--db", &arg]);
        let run = district(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        out.push(run.stdout);
    }
    out
}

fn concurrent_ingests_lose_nothing_and_store_nothing_twice(db: Db) {
    let files = files();
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, bytes) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        paths.push(path.display().to_string());
    }
    let keys = tempfile::tempdir().unwrap();
    let setup = |db: &Db| {
        let arg = db.arg();
        // The district key in a directory of the test's own (with a
        // PostgreSQL URL, the default is the current directory).
        let key = keys.path().join(format!("key-{}.json", arg.len()));
        let key = key.to_str().unwrap();
        assert_eq!(district(&["init", "--db", &arg, "--key", key]).code, 0);
        for device in 1..=3u8 {
            common::add_agent(&arg, device, &format!("Petugas {device}"));
        }
        common::add_agent(&arg, 5, "Petugas 5");
    };
    setup(&db);

    // Each process takes every file: rotated, every other one reversed.
    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            let mut order = paths.clone();
            order.rotate_left(p * paths.len() / PROCESSES);
            if p % 2 == 1 {
                order.reverse();
            }
            Command::new(env!("CARGO_BIN_EXE_district"))
                .args(["ingest", "--db", &db.arg()])
                .args(&order)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut firsts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        // Exit 1: the losing bundle of the conflicting pair is refused.
        assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
        let seen = outcomes(&stdout, &stderr);
        assert_eq!(
            seen.len(),
            files.len(),
            "every file answered:\n{stdout}\n{stderr}"
        );
        for (name, outcome) in seen {
            firsts.entry(name).or_default().push(outcome);
        }
    }
    // Every file was merged (or stored, for the unknown device) by exactly
    // one process; the others found it already there.
    for (name, outcomes) in &firsts {
        let mut sorted = outcomes.clone();
        sorted.sort();
        let first = if name.starts_with("d4-") {
            "pending"
        } else {
            "merged"
        };
        if name.starts_with("d5-") {
            continue;
        }
        let mut expected = vec!["already".to_owned(); PROCESSES - 1];
        expected.push(first.to_owned());
        expected.sort();
        assert_eq!(sorted, expected, "{name}");
    }
    // Of the conflicting pair, one was merged once, the other refused by
    // every other process.
    let pair = [&firsts["d5-01a.json"], &firsts["d5-01b.json"]];
    let merged: usize = pair
        .iter()
        .map(|o| o.iter().filter(|x| *x == "merged").count())
        .sum();
    assert_eq!(merged, 1, "{pair:?}");
    let winner = usize::from(!pair[0].contains(&"merged".to_owned()));
    assert!(
        pair[1 - winner].iter().all(|o| o == "register.conflict"),
        "{pair:?}"
    );

    // The register is as one sequential ingest (of the files without the
    // losing bundle) leaves it.
    let sequential = db.another();
    setup(&sequential);
    let losing = ["d5-01a.json", "d5-01b.json"][1 - winner];
    let kept: Vec<&String> = paths.iter().filter(|p| !p.ends_with(losing)).collect();
    let mut args = vec!["ingest".to_owned(), "--db".to_owned(), sequential.arg()];
    args.extend(kept.iter().map(|p| (*p).clone()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = district(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (concurrent, sequential) = (state(&db), state(&sequential));
    assert!(
        concurrent[0].contains("\tapproved\t12\t0\t-"),
        "{}",
        concurrent[0]
    );
    assert!(
        concurrent[0].contains("\tpending\t-\t3\t-"),
        "{}",
        concurrent[0]
    );
    assert!(concurrent[2].contains("shared"), "{}", concurrent[2]);
    assert_eq!(concurrent, sequential);
}

backend_tests!(concurrent_ingests_lose_nothing_and_store_nothing_twice);
