//! Runs the built `district` binary, as district staff and scripts do.
//! All NIKs here are made up.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

const TODAY: &str = "2026-11-21";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_district"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("district runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().expect("district exits with a code"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `district nik --today 2026-11-21 ARGS...`, one parsed JSON value per line.
fn nik_lines(args: &[&str], stdin: &str) -> Vec<Value> {
    let mut all = vec!["nik", "--today", TODAY];
    all.extend_from_slice(args);
    let run = run(&all, stdin);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    assert_eq!(run.stderr, "", "{args:?}");
    run.stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

#[derive(Debug)]
enum Verdict {
    /// Birth date, sex, warning codes.
    Valid(&'static str, &'static str, &'static [&'static str]),
    /// Error codes, in the core's order.
    Invalid(&'static [&'static str]),
}
use Verdict::*;

fn check(input: &str, expected: Verdict) {
    let lines = nik_lines(&[input], "");
    assert_eq!(lines.len(), 1, "{input}");
    let got = &lines[0];
    let strings = |key: &str| -> Vec<&str> {
        got[key]
            .as_array()
            .unwrap_or_else(|| panic!("{input}: {key} is an array"))
            .iter()
            .map(|v| v.as_str().expect("codes are strings"))
            .collect()
    };
    assert!(got["nik"].is_string(), "{input}: nik is a string: {got}");
    match expected {
        Valid(birth, sex, warnings) => {
            assert_eq!(got["valid"], true, "{input}: {got}");
            assert_eq!(got["birth_date"], birth, "{input}");
            assert_eq!(got["sex"], sex, "{input}");
            let nik = got["nik"].as_str().unwrap();
            assert_eq!(got["province"], nik[0..2], "{input}");
            assert_eq!(got["regency"], nik[2..4], "{input}");
            assert_eq!(got["district"], nik[4..6], "{input}");
            assert_eq!(strings("errors"), Vec::<&str>::new(), "{input}");
            assert_eq!(strings("warnings"), warnings, "{input}");
        }
        Invalid(errors) => {
            assert_eq!(got["valid"], false, "{input}: {got}");
            for key in ["province", "regency", "district", "birth_date", "sex"] {
                assert!(got[key].is_null(), "{input}: {key} is null: {got}");
            }
            assert_eq!(strings("errors"), errors, "{input}");
            assert_eq!(strings("warnings"), Vec::<&str>::new(), "{input}");
        }
    }
}

#[test]
fn nik_verdicts() {
    let cases = [
        // A woman's day of birth is DD + 40.
        ("6107014502870001", Valid("1987-02-05", "F", &[])),
        ("6107010502870001", Valid("1987-02-05", "M", &[])),
        ("6107 0145 0287 0001", Valid("1987-02-05", "F", &[])),
        ("61.07.01-450287-0001", Valid("1987-02-05", "F", &[])),
        // Leap days: 2000 is a leap year, 2001 is not.
        ("6107012902000005", Valid("2000-02-29", "M", &[])),
        ("6107016902000005", Valid("2000-02-29", "F", &[])),
        ("6107012902010005", Invalid(&["nik.date_invalid"])),
        ("6107013104870001", Invalid(&["nik.date_invalid"])),
        // Century against --today 2026-11-21: a date after today is the 1900s.
        ("6107012211260009", Valid("1926-11-22", "M", &[])),
        ("6107012111260008", Valid("2026-11-21", "M", &[])),
        // Papua provinces 91-96 are all valid (BPS-code validators reject some).
        // 9101 and 9201 are pre-2022 regency codes: a warning, never an error.
        (
            "9101010101800001",
            Valid("1980-01-01", "M", &["nik.regency_unknown"]),
        ),
        (
            "9201014101800001",
            Valid("1980-01-01", "F", &["nik.regency_unknown"]),
        ),
        ("9301010101800001", Valid("1980-01-01", "M", &[])),
        ("9401010101800001", Valid("1980-01-01", "M", &[])),
        ("9501010101800001", Valid("1980-01-01", "M", &[])),
        ("9601010101800001", Valid("1980-01-01", "M", &[])),
        (
            "6107994502870001",
            Valid("1987-02-05", "F", &["nik.district_unknown"]),
        ),
        // Hard errors.
        ("6107010101800000", Invalid(&["nik.serial_zero"])),
        ("2007014502870001", Invalid(&["nik.province_unknown"])),
        ("6107013502870001", Invalid(&["nik.day_invalid"])),
        ("6107010513870001", Invalid(&["nik.month_invalid"])),
        ("610701450287001", Invalid(&["nik.length"])),
        ("61070145028700O1", Invalid(&["nik.non_digit"])),
        ("", Invalid(&["nik.empty"])),
        (
            "2007017213870000",
            Invalid(&[
                "nik.province_unknown",
                "nik.day_invalid",
                "nik.month_invalid",
                "nik.serial_zero",
            ]),
        ),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn nik_json_lines_are_exact() {
    let cases = [
        (
            "6107014502870001",
            json!({"nik":"6107014502870001","valid":true,"province":"61","regency":"07",
                   "district":"01","birth_date":"1987-02-05","sex":"F","errors":[],"warnings":[]}),
        ),
        (
            "9101010101800001",
            json!({"nik":"9101010101800001","valid":true,"province":"91","regency":"01",
                   "district":"01","birth_date":"1980-01-01","sex":"M","errors":[],
                   "warnings":["nik.regency_unknown"]}),
        ),
        // Normalisable input: the digits are shown.
        (
            "61.07.01.010180.0000",
            json!({"nik":"6107010101800000","valid":false,"province":null,"regency":null,
                   "district":null,"birth_date":null,"sex":null,
                   "errors":["nik.serial_zero"],"warnings":[]}),
        ),
        // Not normalisable: the input as given.
        (
            "6107-O145",
            json!({"nik":"6107-O145","valid":false,"province":null,"regency":null,
                   "district":null,"birth_date":null,"sex":null,
                   "errors":["nik.non_digit","nik.length"],"warnings":[]}),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(nik_lines(&[input], ""), [expected], "{input}");
    }
}

#[test]
fn nik_key_order_is_fixed() {
    let run = run(&["nik", "--today", TODAY, "6107014502870001"], "");
    assert_eq!(
        run.stdout,
        "{\"nik\":\"6107014502870001\",\"valid\":true,\"province\":\"61\",\"regency\":\"07\",\
         \"district\":\"01\",\"birth_date\":\"1987-02-05\",\"sex\":\"F\",\"errors\":[],\"warnings\":[]}\n"
    );
}

#[test]
fn one_line_per_nik_in_order() {
    let inputs = [
        "6107014502870001",
        "123",
        "9201014101800001",
        "6107010101800000",
    ];
    let got: Vec<Value> = nik_lines(&inputs, "")
        .into_iter()
        .map(|line| json!([line["nik"], line["valid"]]))
        .collect();
    let expected = [
        json!(["6107014502870001", true]),
        json!(["123", false]),
        json!(["9201014101800001", true]),
        json!(["6107010101800000", false]),
    ];
    assert_eq!(got, expected);
}

#[test]
fn stdin_mode_reads_one_nik_per_line_and_skips_blanks() {
    // As pasted from a spreadsheet column exported on Windows, with a BOM.
    let stdin = "\u{feff}6107014502870001\r\n\r\n   \n6107 0101 0180 0000\n\t\n9201014101800001";
    let got: Vec<Value> = nik_lines(&["-"], stdin)
        .into_iter()
        .map(|line| json!([line["nik"], line["valid"], line["errors"]]))
        .collect();
    let expected = [
        json!(["6107014502870001", true, []]),
        json!(["6107010101800000", false, ["nik.serial_zero"]]),
        json!(["9201014101800001", true, []]),
    ];
    assert_eq!(got, expected);
    assert_eq!(nik_lines(&["-"], ""), Vec::<Value>::new());
}

#[test]
fn without_today_the_system_date_is_used() {
    let run = run(&["nik", "6107014502870001"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line: Value = serde_json::from_str(run.stdout.trim_end()).unwrap();
    assert_eq!(line["birth_date"], "1987-02-05");
}

/// `expected_code` and where output must appear: stdout, stderr, or nothing.
fn check_exit(args: &[&str], expected_code: i32, output_on: &str) {
    let run = run(args, "");
    assert_eq!(run.code, expected_code, "{args:?}: {}", run.stderr);
    let (stdout, stderr) = (!run.stdout.is_empty(), !run.stderr.is_empty());
    match output_on {
        "stdout" => assert!(stdout && !stderr, "{args:?}: {}", run.stderr),
        "stderr" => assert!(!stdout && stderr, "{args:?}: {}", run.stdout),
        other => unreachable!("{other}"),
    }
    if expected_code == 2 {
        assert!(run.stderr.contains("Usage:"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn exit_codes() {
    let cases: &[(&[&str], i32, &str)] = &[
        // Invalid NIKs are reported, not failures.
        (
            &["nik", "--today", TODAY, "6107014502870001", "123", ""],
            0,
            "stdout",
        ),
        (&["nik", "123"], 0, "stdout"),
        (&["--help"], 0, "stdout"),
        (&["help"], 0, "stdout"),
        (&["nik", "--help"], 0, "stdout"),
        // Usage errors.
        (&[], 2, "stderr"),
        (&["nik"], 2, "stderr"),
        (&["nik", "--today", TODAY], 2, "stderr"),
        (
            &["nik", "--today", "2026-02-30", "6107014502870001"],
            2,
            "stderr",
        ),
        (
            &["nik", "--today", "21/11/2026", "6107014502870001"],
            2,
            "stderr",
        ),
        (&["nik", "6107014502870001", "--today"], 2, "stderr"),
        (&["nik", "--verbose", "6107014502870001"], 2, "stderr"),
        (&["nik", "-", "6107014502870001"], 2, "stderr"),
        (&["ingest", "bundle.zip"], 2, "stderr"),
        (&["--version"], 2, "stderr"),
        (&["rules"], 2, "stderr"),
        (&["rules", "lint", "pack.json"], 2, "stderr"),
        (&["rules", "check"], 2, "stderr"),
        (&["rules", "check", "a.json", "b.json"], 2, "stderr"),
    ];
    for (args, code, output_on) in cases {
        check_exit(args, *code, output_on);
    }
}

fn default_pack() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules/default.json")
}

/// A file under the system temp dir, unique to this process and call.
fn temp_file(contents: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "lindung-district-cli-{}-{}.json",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn rules_check_accepts_the_default_pack() {
    let path = default_pack();
    let pack: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let expected = format!(
        "ok: {} {}\n",
        pack["id"].as_str().unwrap(),
        pack["version"].as_str().unwrap()
    );
    let run = run(&["rules", "check", path.to_str().unwrap()], "");
    assert_eq!(
        (run.code, run.stdout, run.stderr),
        (0, expected, String::new())
    );
}

/// A rejected pack: exit 1, nothing on stderr, one line per problem on
/// stdout; `paths` are the expected problems' paths (each line starts
/// `path: `), or empty for a document that is not a pack at all.
fn check_rejected_pack(contents: &str, paths: &[&str]) {
    let file = temp_file(contents);
    let run = run(&["rules", "check", file.to_str().unwrap()], "");
    std::fs::remove_file(&file).unwrap();
    assert_eq!(run.code, 1, "{contents}: {}", run.stdout);
    assert_eq!(run.stderr, "", "{contents}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    if paths.is_empty() {
        assert_eq!(lines.len(), 1, "{contents}: {lines:?}");
        return;
    }
    let got: Vec<&str> = lines
        .iter()
        .map(|line| line.split_once(": ").map_or(*line, |(path, _)| path))
        .collect();
    assert_eq!(got, paths, "{contents}: {lines:?}");
}

#[test]
fn rules_check_rejects_malformed_packs() {
    let default: Value =
        serde_json::from_str(&std::fs::read_to_string(default_pack()).unwrap()).unwrap();
    let with = |changes: &[(&str, &str, Value)]| {
        let mut pack = default.clone();
        for (outer, inner, value) in changes {
            if inner.is_empty() {
                pack[outer] = value.clone();
            } else {
                pack[outer][inner] = value.clone();
            }
        }
        serde_json::to_string(&pack).unwrap()
    };
    let cases: Vec<(String, &[&str])> = vec![
        // Not JSON, or not a pack: one problem about the whole document.
        (String::new(), &[]),
        ("{".into(), &[]),
        ("[]".into(), &[]),
        ("{\"id\": \"x\"}".into(), &[]),
        (with(&[("version", "", json!(7))]), &[]),
        // A well-formed document with wrong values: every problem, with its path.
        (with(&[("version", "", json!(" "))]), &["version"]),
        (
            with(&[("version", "", json!("")), ("age", "max", json!(200))]),
            &["version", "age.max"],
        ),
    ];
    for (contents, paths) in cases {
        check_rejected_pack(&contents, paths);
    }
}

#[test]
fn rules_check_of_an_unreadable_file_fails_on_stderr() {
    let missing = std::env::temp_dir().join(format!(
        "lindung-district-cli-{}-missing.json",
        std::process::id()
    ));
    let run = run(&["rules", "check", missing.to_str().unwrap()], "");
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
}

#[test]
fn verify_checks_each_bundle_and_fails_if_any_fails() {
    let golden = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/golden/bundle-v1.jws.json"
    );
    let good = std::fs::read_to_string(golden).expect("golden bundle");
    // Flip one character of the signature: the file must be refused.
    let at = good.rfind("\"signature\":\"").expect("a signature") + 14;
    let mut tampered = good.clone().into_bytes();
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = temp_file(&String::from_utf8(tampered).unwrap());
    let good_copy = temp_file(&good);

    let all_good = run(&["verify", good_copy.to_str().unwrap()], "");
    assert_eq!(all_good.code, 0, "{}", all_good.stderr);
    assert!(all_good.stdout.starts_with("ok "), "{}", all_good.stdout);
    assert!(
        all_good.stdout.contains("sequence 1"),
        "{}",
        all_good.stdout
    );

    let mixed = run(
        &[
            "verify",
            good_copy.to_str().unwrap(),
            tampered.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(mixed.code, 1);
    let lines: Vec<&str> = mixed.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", mixed.stdout);
    assert!(lines[0].starts_with("ok "), "{}", lines[0]);
    assert!(lines[1].starts_with("FAIL "), "{}", lines[1]);
    assert!(lines[1].contains("bundle.signature"), "{}", lines[1]);

    let none = run(&["verify"], "");
    assert_eq!(none.code, 2);
}
