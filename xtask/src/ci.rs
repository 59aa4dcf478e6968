//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.
//!
//! Output contract (read by the CI system): after each test step a line
//! `ci: <step>: N passed, N failed, N ignored`, and as the very last line
//! `ci: N passed, N failed` with the totals. A test step that runs no tests fails, so
//! a silently skipped suite cannot pass.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::install::{self, CHROMEDRIVER};
use crate::postgres::Cluster;
use crate::process::{self, describe};
use crate::project::Project;
use crate::{Error, Result};

const PLAYWRIGHT_CONFIG: &str = "tests/e2e/playwright.config.ts";
/// Written by Playwright's JSON reporter, as configured in `PLAYWRIGHT_CONFIG`.
const PLAYWRIGHT_REPORT: &str = "tests/e2e/report/results.json";

/// The steps named in `only` (all when it is empty), in order; the tools are
/// always installed first.
fn chosen(only: &[String]) -> impl Iterator<Item = &'static Step> + '_ {
    STEPS.iter().filter(move |step| {
        only.is_empty() || step.name == "tools" || only.iter().any(|o| o == step.name)
    })
}

/// The steps' names, in order.
pub const STEP_NAMES: [&str; 7] = [
    "tools", "fmt", "clippy", "native", "browser", "release", "e2e",
];

/// Runs every step, or those named in `only` (the tools are always
/// installed first); `playwright` is passed on to Playwright.
pub fn run(project: &Project, only: &[String], playwright: &[String]) -> ExitCode {
    let mut ci = Ci {
        project,
        only,
        playwright,
        records: Vec::new(),
    };
    // `all` stops at the first step that fails.
    let passed = chosen(only).all(|step| ci.step(step));
    ci.print_summary();
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

struct Step {
    name: &'static str,
    what: &'static str,
    /// The project, and the extra arguments for Playwright (e2e only).
    run: fn(&Project, &[String]) -> Outcome,
}

const STEPS: [Step; 7] = [
    Step {
        name: "tools",
        what: "install what is missing",
        run: tools,
    },
    Step {
        name: "fmt",
        what: "cargo fmt --all --check",
        run: fmt,
    },
    Step {
        name: "clippy",
        what: "cargo clippy --workspace --all-targets -- -D warnings",
        run: clippy,
    },
    Step {
        name: "native",
        what: "cargo test --workspace (with a throwaway PostgreSQL)",
        run: native_tests,
    },
    Step {
        name: "browser",
        what: "cargo test --target wasm32-unknown-unknown -p lindung (headless Chromium)",
        run: browser_tests,
    },
    Step {
        name: "release",
        what: "trunk build --release (into dist/)",
        run: release_build,
    },
    Step {
        name: "e2e",
        what: "Playwright against dist/ (with a throwaway PostgreSQL)",
        run: end_to_end,
    },
];

fn tools(project: &Project, _: &[String]) -> Outcome {
    install::ensure_ci_tools(project).into()
}

fn fmt(project: &Project, _: &[String]) -> Outcome {
    check(project.command("cargo").args(["fmt", "--all", "--check"]))
}

fn clippy(project: &Project, _: &[String]) -> Outcome {
    let args = ["--workspace", "--all-targets", "--", "-D", "warnings"];
    check(project.command("cargo").arg("clippy").args(args))
}

/// The register's PostgreSQL tests run against a cluster started for this step alone;
/// `REQUIRE_VAR` makes them fail rather than skip when it is unusable.
fn native_tests(project: &Project, _: &[String]) -> Outcome {
    let cluster = match Cluster::start(project) {
        Ok(cluster) => cluster,
        Err(error) => return Err(error).into(),
    };
    // --no-fail-fast: run every test binary, so the counts are complete.
    let mut outcome = cargo_tests(
        project
            .command("cargo")
            .args(["test", "--workspace", "--no-fail-fast"])
            .envs(cluster.test_env()),
    );
    if let Err(error) = cluster.stop() {
        // A server left running fails the step, whatever the tests said.
        let failure = match outcome.failure {
            Some(failure) => format!("{failure}; {error}"),
            None => error.to_string(),
        };
        outcome.failure = Some(failure);
    }
    outcome
}

/// The runner in .cargo/config.toml, wasm-bindgen-test-runner, drives Chromium.
fn browser_tests(project: &Project, _: &[String]) -> Outcome {
    let args = [
        "--no-fail-fast",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "lindung",
    ];
    cargo_tests(
        project
            .command("cargo")
            .arg("test")
            .args(args)
            .env("CHROMEDRIVER", CHROMEDRIVER),
    )
}

/// Trunk finds wasm-bindgen and npm's wasm-opt through the project PATH.
fn release_build(project: &Project, _: &[String]) -> Outcome {
    check(project.command("trunk").args(["build", "--release"]))
}

/// Test counts, summed over test binaries and steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Counts {
    fn add(self, other: Counts) -> Counts {
        Counts {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
            ignored: self.ignored + other.ignored,
        }
    }
}

/// How one step ended. Test steps also carry their counts, passing or not.
struct Outcome {
    counts: Option<Counts>,
    failure: Option<String>,
}

impl From<Result<()>> for Outcome {
    fn from(result: Result<()>) -> Outcome {
        Outcome {
            counts: None,
            failure: result.err().map(|e| e.to_string()),
        }
    }
}

struct Record {
    name: &'static str,
    elapsed: Duration,
    outcome: Outcome,
}

struct Ci<'a> {
    project: &'a Project,
    /// The steps asked for; all when empty.
    only: &'a [String],
    playwright: &'a [String],
    records: Vec<Record>,
}

impl Ci<'_> {
    /// Runs one step, reports it, and says whether it passed.
    fn step(&mut self, step: &Step) -> bool {
        let name = step.name;
        let number = self.records.len() + 1;
        println!(
            "\nci: ==== [{number}/{}] {name}: {}",
            STEPS.len(),
            step.what
        );
        let start = Instant::now();
        let outcome = (step.run)(self.project, self.playwright);
        let elapsed = start.elapsed();
        if let Some(counts) = outcome.counts {
            println!("ci: {name}: {}", describe_counts(counts));
        }
        let passed = outcome.failure.is_none();
        match &outcome.failure {
            None => println!("ci: {name}: ok in {}", format_duration(elapsed)),
            Some(failure) => println!(
                "ci: {name}: FAILED in {}: {failure}",
                format_duration(elapsed)
            ),
        }
        self.records.push(Record {
            name,
            elapsed,
            outcome,
        });
        passed
    }

    fn print_summary(&self) {
        println!("\nci: ==== summary");
        let mut total = Counts::default();
        let mut ignored = Vec::new();
        for record in &self.records {
            let status = if record.outcome.failure.is_none() {
                "ok"
            } else {
                "FAILED"
            };
            let counts = record
                .outcome
                .counts
                .map(describe_counts)
                .unwrap_or_default();
            let elapsed = format_duration(record.elapsed);
            let line = format!(
                "ci:   {:<8} {status:<7} {elapsed:>8}  {counts}",
                record.name
            );
            println!("{}", line.trim_end());
            if let Some(counts) = record.outcome.counts {
                total = total.add(counts);
                if counts.ignored > 0 {
                    ignored.push(format!("{} in {}", counts.ignored, record.name));
                }
            }
        }
        // The chosen steps after a failure.
        for step in chosen(self.only).skip(self.records.len()) {
            println!("ci:   {:<8} not run", step.name);
        }
        if let Some(failed) = self.records.iter().find(|r| r.outcome.failure.is_some()) {
            let reason = failed.outcome.failure.as_deref().unwrap_or_default();
            println!("ci: FAILED at step `{}`: {reason}", failed.name);
        }
        if !ignored.is_empty() {
            println!(
                "ci: {} tests ignored or skipped, not counted as passed ({})",
                total.ignored,
                ignored.join(", ")
            );
        }
        println!("ci: {} passed, {} failed", total.passed, total.failed);
    }
}

/// A step that passes when the command exits with 0; its output goes straight through.
fn check(command: &mut Command) -> Outcome {
    process::run(command).into()
}

/// `cargo test` (native, or in the browser through wasm-bindgen-test-runner, which
/// prints the same summary lines).
fn cargo_tests(command: &mut Command) -> Outcome {
    let streamed = match process::run_streamed(command) {
        Ok(streamed) => streamed,
        Err(error) => return Err(error).into(),
    };
    let counts = parse_libtest(&streamed.text);
    let exit = (!streamed.status.success())
        .then(|| format!("`{}` failed ({})", describe(command), streamed.status));
    judge(counts, exit)
}

/// Sums libtest's `test result: ok. 3 passed; 0 failed; 1 ignored; ...` lines.
fn parse_libtest(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(number)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => counts.passed += number,
                "failed" => counts.failed += number,
                "ignored" => counts.ignored += number,
                _ => {}
            }
        }
    }
    counts
}

/// A test step fails on failed tests, on a failing exit, or on running nothing.
fn judge(counts: Counts, exit_failure: Option<String>) -> Outcome {
    let failure = if counts.failed > 0 {
        Some(format!("{} tests failed", counts.failed))
    } else if let Some(exit_failure) = exit_failure {
        Some(exit_failure)
    } else if counts.passed == 0 {
        Some("ran no tests".to_string())
    } else {
        None
    };
    Outcome {
        counts: Some(counts),
        failure,
    }
}

/// Writes `target/e2e/full-village.json`: the rows of a village with every
/// funded slot taken, a waitlist and long names (`bench::workers`), in the
/// shape tests/bench/common.mjs `seed` takes. Returns its path.
fn write_full_village(project: &Project) -> Result<std::path::PathBuf> {
    use crate::bench::workers::{self, Fixture, FULL_VILLAGE, LONG_NAMES};
    let fixture = Fixture::generate_named(&FULL_VILLAGE, &LONG_NAMES)?;
    let plan = serde_json::json!({
        "db": { "name": workers::DB_NAME, "version": workers::DB_VERSION },
        "village": FULL_VILLAGE[0].code,
        "long_names": LONG_NAMES,
        "rows": fixture.rows()?,
    });
    let dir = project.root().join("target").join("e2e");
    let path = dir.join("full-village.json");
    fs::create_dir_all(&dir)
        .and_then(|()| fs::write(&path, plan.to_string()))
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// Playwright against the release build in dist/, served by tests/e2e/serve-dist.mjs.
fn end_to_end(project: &Project, playwright_args: &[String]) -> Outcome {
    let index = project.dist().join("index.html");
    if !index.is_file() {
        return Err(Error::new(format!(
            "{} is missing: the release build did not produce it",
            index.display()
        )))
        .into();
    }
    let report = project.root().join(PLAYWRIGHT_REPORT);
    if let Err(error) = remove_stale(&report) {
        return Err(error).into();
    }
    // The export spec feeds the app's bundles to the district binary.
    let mut district = project.command("cargo");
    district.args(["build", "-p", "lindung-district", "--bin", "district"]);
    if let Err(error) = process::run(&mut district) {
        return Err(error).into();
    }
    // The sync spec runs once against a PostgreSQL register too.
    let cluster = match Cluster::start(project) {
        Ok(cluster) => cluster,
        Err(error) => return Err(error).into(),
    };
    // The phone-screen walk opens a full village, seeded as the bench does.
    let full_village = match write_full_village(project) {
        Ok(path) => path,
        Err(error) => {
            let _ = cluster.stop();
            return Err(error).into();
        }
    };
    let mut playwright = project.command("playwright");
    playwright
        .args(["test", "--config", PLAYWRIGHT_CONFIG])
        .args(playwright_args)
        .env("LINDUNG_FULL_VILLAGE", full_village)
        .env(
            "LINDUNG_DISTRICT",
            project.root().join("target").join("debug").join("district"),
        )
        .envs(cluster.test_env());
    let streamed = process::run_streamed(&mut playwright);
    let stopped = cluster.stop();
    let streamed = match (streamed, stopped) {
        (Ok(streamed), Ok(())) => streamed,
        (Err(error), _) | (_, Err(error)) => return Err(error).into(),
    };
    let exit = (!streamed.status.success())
        .then(|| format!("`{}` failed ({})", describe(&playwright), streamed.status));
    let report = fs::read_to_string(&report)
        .map_err(|e| {
            Error::new(format!(
                "Playwright wrote no report at {PLAYWRIGHT_REPORT}: {e}"
            ))
        })
        .and_then(|json| parse_playwright(&json));
    match report {
        Ok(PlaywrightReport { counts, errors }) if errors.is_empty() => judge(counts, exit),
        Ok(PlaywrightReport { counts, errors }) => Outcome {
            counts: Some(counts),
            failure: Some(format!(
                "Playwright reported errors outside tests: {}",
                errors.join(" | ")
            )),
        },
        Err(error) => {
            let failure = match exit {
                Some(exit) => format!("{exit}; {error}"),
                None => error.to_string(),
            };
            Outcome {
                counts: None,
                failure: Some(failure),
            }
        }
    }
}

fn remove_stale(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::new(format!(
            "cannot remove stale {}: {e}",
            path.display()
        ))),
        _ => Ok(()),
    }
}

struct PlaywrightReport {
    counts: Counts,
    /// Errors outside any test (config, web server, global setup).
    errors: Vec<String>,
}

/// Reads the `stats` and `errors` of Playwright's JSON reporter. With no retries a
/// test is `expected` (passed), `unexpected` (failed) or `skipped`; `flaky` means
/// passed on retry and is counted as passed.
fn parse_playwright(json: &str) -> Result<PlaywrightReport> {
    let report: Value = serde_json::from_str(json)
        .map_err(|e| Error::new(format!("cannot read Playwright's JSON report: {e}")))?;
    let stat = |key: &str| {
        report["stats"][key]
            .as_u64()
            .ok_or_else(|| Error::new(format!("Playwright's JSON report has no stats.{key}")))
    };
    let counts = Counts {
        passed: stat("expected")? + stat("flaky")?,
        failed: stat("unexpected")?,
        ignored: stat("skipped")?,
    };
    let errors = report["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| {
                    error["message"]
                        .as_str()
                        .unwrap_or("(no message)")
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(PlaywrightReport { counts, errors })
}

fn describe_counts(counts: Counts) -> String {
    format!(
        "{} passed, {} failed, {} ignored",
        counts.passed, counts.failed, counts.ignored
    )
}

fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        let whole = duration.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_steps_keep_their_order_after_the_tools() {
        let names = |only: &[&str]| {
            let only: Vec<String> = only.iter().map(|s| s.to_string()).collect();
            chosen(&only).map(|s| s.name).collect::<Vec<_>>()
        };
        assert_eq!(names(&[]), STEP_NAMES);
        assert_eq!(names(&["e2e", "release"]), ["tools", "release", "e2e"]);
    }

    #[test]
    fn step_names_are_the_steps() {
        let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
        assert_eq!(names, STEP_NAMES);
    }

    fn counts(passed: u64, failed: u64, ignored: u64) -> Counts {
        Counts {
            passed,
            failed,
            ignored,
        }
    }

    #[test]
    fn sums_libtest_summaries() {
        let output = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

running 0 tests
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
   Doc-tests lindung_core
test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.30s
";
        assert_eq!(parse_libtest(output), counts(5, 1, 1));
    }

    #[test]
    fn reads_wasm_bindgen_test_runner_summary() {
        let output = "Running headless tests in Chrome on `http://127.0.0.1:39041/`\n\
                      running 4 tests\n\
                      test result: ok. 4 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.21s\n";
        assert_eq!(parse_libtest(output), counts(4, 0, 0));
    }

    #[test]
    fn no_summary_means_no_tests() {
        assert_eq!(parse_libtest("no tests to run!\n"), counts(0, 0, 0));
    }

    #[test]
    fn judges_test_steps() {
        let check = |c: Counts, exit: Option<&str>, expected: Option<&str>| {
            let outcome = judge(c, exit.map(String::from));
            assert_eq!(outcome.failure.as_deref(), expected, "{c:?} {exit:?}");
        };
        check(counts(3, 0, 0), None, None);
        check(counts(3, 0, 2), None, None);
        check(counts(0, 0, 0), None, Some("ran no tests"));
        check(counts(0, 0, 4), None, Some("ran no tests"));
        check(counts(3, 1, 0), Some("exit 101"), Some("1 tests failed"));
        check(counts(0, 0, 0), Some("exit 101"), Some("exit 101"));
    }

    #[test]
    fn reads_playwright_stats() {
        let json = r#"{"config": {}, "suites": [], "errors": [],
            "stats": {"startTime": "2026-11-21T00:00:00.000Z", "duration": 1234.5,
                      "expected": 3, "skipped": 1, "unexpected": 1, "flaky": 0}}"#;
        let report = parse_playwright(json).unwrap();
        assert_eq!(report.counts, counts(3, 1, 1));
        assert!(report.errors.is_empty());

        let json = r#"{"errors": [{"message": "Error: Timed out waiting 30000ms from config.webServer.\nmore"}],
            "stats": {"expected": 0, "skipped": 0, "unexpected": 0, "flaky": 0}}"#;
        let report = parse_playwright(json).unwrap();
        assert_eq!(
            report.errors,
            ["Error: Timed out waiting 30000ms from config.webServer."]
        );

        assert!(parse_playwright(r#"{"stats": {}}"#).is_err());
    }
}
