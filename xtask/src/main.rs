//! `cargo xtask`: the one entry point for building, serving, checking and measuring
//! Lindung. CI calls `cargo xtask ci`, the same command the README gives.
//!
//! Invariants: the tasks use only what the package registries give (crates.io, npm,
//! apt) and never download a binary; every external tool is checked before use and a
//! missing tool is an error message, not a panic.

mod bench;
mod ci;
mod install;
mod postgres;
mod process;
mod project;
mod regions;
mod serve;

use std::fmt;
use std::process::ExitCode;

use project::Project;

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  ci [STEP...] [-- PLAYWRIGHT_ARGS...]
                 Install what is missing, then run every check CI runs, in order:
                 fmt, clippy, native tests, browser tests, release build, end-to-end
                 tests. Stops at the first failure. Ends with `ci: N passed, N failed`.
                 STEPs run only those (fmt, clippy, native, browser, release, e2e),
                 e.g. `ci release e2e -- specs/phone-walk.spec.ts`; arguments after
                 `--` go to Playwright.
  serve [--dev]  Build and serve the app at http://127.0.0.1:8080 (release build
                 unless --dev), rebuilding on change.
  bench [NAME...] Release build, then first-load size, a 15,000-worker roster (open,
                 search), store bulk insert, export and sign (100 and 15,000 workers),
                 Lighthouse scores and district ingest (2,047 bundles), printed and
                 written to target/bench/results.json. NAMEs pick measurements: size,
                 roster, store, export, lighthouse, ingest.
  postgres -- COMMAND [ARGS...]
                 Start a throwaway PostgreSQL cluster (in target/xtask-postgres/, on
                 127.0.0.1 at a free port), run COMMAND with LINDUNG_TEST_POSTGRES set
                 to its URL and LINDUNG_REQUIRE_POSTGRES=1, then stop and delete it.
                 Exits as COMMAND does. Example:
                 cargo xtask postgres -- cargo test -p lindung-district
  regions [--json [DIR]]
                 Regenerate crates/core/data/regions.txt from npm idn-area-data. With
                 --json, write instead one JSON file per province (its districts and
                 villages, as the app fetches them) into DIR, by default
                 $TRUNK_STAGING_DIR/regions: Trunk's pre-build hook. Generated once into
                 target/regions/, regenerated when the CSVs or the generator change.
  help           This text.

Tools are installed when missing or at the wrong version: the wasm32 target (rustup),
wasm-bindgen-cli and trunk (cargo install), npm packages (npm ci), for `ci` Chromium
and chromedriver (apt-get), and for `ci` and `postgres` PostgreSQL (apt-get).
";

/// A command line, validated once here; everything below works on this value.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    Ci {
        /// Steps to run; all when empty.
        only: Vec<String>,
        /// Extra arguments for Playwright.
        playwright: Vec<String>,
    },
    Serve {
        profile: serve::Profile,
    },
    Bench {
        only: Vec<String>,
    },
    /// `command` is never empty.
    Postgres {
        command: Vec<String>,
    },
    Regions {
        output: regions::Output,
    },
    Help,
}

fn parse_args(args: &[String]) -> Result<Task> {
    let (command, options) = match args.split_first() {
        None => return Ok(Task::Help),
        Some((command, options)) => (command.as_str(), options),
    };
    let task = match command {
        "ci" => {
            let (steps, playwright) = match options.iter().position(|o| o == "--") {
                Some(at) => (&options[..at], options[at + 1..].to_vec()),
                None => (options, Vec::new()),
            };
            if let Some(unknown) = steps.iter().find(|s| !ci::STEP_NAMES.contains(&s.as_str())) {
                return Err(Error::new(format!(
                    "`ci` has the steps {}; there is no `{unknown}`",
                    ci::STEP_NAMES.join(", ")
                )));
            }
            return Ok(Task::Ci {
                only: steps.to_vec(),
                playwright,
            });
        }
        "bench" => {
            if let Some(unknown) = options
                .iter()
                .find(|o| !bench::MEASUREMENTS.contains(&o.as_str()))
            {
                return Err(Error::new(format!(
                    "`bench` measures {}; there is no `{unknown}`",
                    bench::MEASUREMENTS.join(", ")
                )));
            }
            return Ok(Task::Bench {
                only: options.to_vec(),
            });
        }
        "postgres" => {
            return match options.split_first() {
                Some((dashes, command)) if dashes == "--" && !command.is_empty() => {
                    Ok(Task::Postgres {
                        command: command.to_vec(),
                    })
                }
                _ => Err(Error::new(
                    "`postgres` runs a command given after `--`: \
                     cargo xtask postgres -- COMMAND [ARGS...]",
                )),
            };
        }
        "regions" => {
            let output = match options {
                [] => regions::Output::Table,
                [flag] if flag == "--json" => regions::Output::ProvinceFiles { dir: None },
                [flag, dir] if flag == "--json" => regions::Output::ProvinceFiles {
                    dir: Some(dir.into()),
                },
                _ => {
                    return Err(Error::new(format!(
                        "`regions` takes only `--json [DIR]`, got: {}",
                        options.join(" ")
                    )))
                }
            };
            return Ok(Task::Regions { output });
        }
        "help" | "--help" | "-h" => Task::Help,
        "serve" => {
            let profile = match options {
                [] => serve::Profile::Release,
                [flag] if flag == "--dev" => serve::Profile::Dev,
                _ => {
                    return Err(Error::new(format!(
                        "`serve` takes only `--dev`, got: {}",
                        options.join(" ")
                    )))
                }
            };
            return Ok(Task::Serve { profile });
        }
        other => return Err(Error::new(format!("unknown command `{other}`"))),
    };
    if !options.is_empty() {
        return Err(Error::new(format!(
            "`{command}` takes no options, got: {}",
            options.join(" ")
        )));
    }
    Ok(task)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match parse_args(&args) {
        Ok(task) => task,
        Err(error) => {
            eprintln!("error: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(task) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(task: Task) -> Result<ExitCode> {
    if task == Task::Help {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let project = Project::locate()?;
    match task {
        Task::Ci { only, playwright } => Ok(ci::run(&project, &only, &playwright)),
        Task::Serve { profile } => serve::run(&project, profile).map(|()| ExitCode::SUCCESS),
        Task::Bench { only } => bench::run(&project, &only).map(|()| ExitCode::SUCCESS),
        Task::Postgres { command } => postgres::run(&project, &command),
        Task::Regions { output } => regions::run(&project, &output).map(|()| ExitCode::SUCCESS),
        Task::Help => unreachable!("handled above"),
    }
}

/// A task failure, with a message meant for the person at the terminal.
#[derive(Debug)]
pub struct Error {
    message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &str, expected: Result<Task, &str>) {
        let args: Vec<String> = args.split_whitespace().map(String::from).collect();
        let actual = parse_args(&args).map_err(|e| e.to_string());
        let expected = expected.map_err(String::from);
        assert_eq!(actual, expected, "args: {args:?}");
    }

    #[test]
    fn command_lines() {
        check("", Ok(Task::Help));
        check("help", Ok(Task::Help));
        check("--help", Ok(Task::Help));
        check(
            "ci",
            Ok(Task::Ci {
                only: vec![],
                playwright: vec![],
            }),
        );
        check(
            "ci release e2e -- specs/x.spec.ts",
            Ok(Task::Ci {
                only: vec!["release".into(), "e2e".into()],
                playwright: vec!["specs/x.spec.ts".into()],
            }),
        );
        check(
            "ci lint",
            Err("`ci` has the steps tools, fmt, clippy, native, browser, release, e2e; there is no `lint`"),
        );
        check("bench", Ok(Task::Bench { only: Vec::new() }));
        check(
            "bench export size",
            Ok(Task::Bench {
                only: vec!["export".into(), "size".into()],
            }),
        );
        check(
            "bench speed",
            Err(
                "`bench` measures size, roster, store, export, lighthouse, ingest; \
                 there is no `speed`",
            ),
        );
        check(
            "serve",
            Ok(Task::Serve {
                profile: serve::Profile::Release,
            }),
        );
        check(
            "serve --dev",
            Ok(Task::Serve {
                profile: serve::Profile::Dev,
            }),
        );
        check(
            "serve --release",
            Err("`serve` takes only `--dev`, got: --release"),
        );
        check(
            "postgres -- cargo test -p lindung-district",
            Ok(Task::Postgres {
                command: vec![
                    "cargo".into(),
                    "test".into(),
                    "-p".into(),
                    "lindung-district".into(),
                ],
            }),
        );
        // Everything after the first `--` is the command's, even another `--`.
        check(
            "postgres -- cargo test -- --nocapture",
            Ok(Task::Postgres {
                command: vec![
                    "cargo".into(),
                    "test".into(),
                    "--".into(),
                    "--nocapture".into(),
                ],
            }),
        );
        let postgres_usage = "`postgres` runs a command given after `--`: \
                              cargo xtask postgres -- COMMAND [ARGS...]";
        check("postgres", Err(postgres_usage));
        check("postgres --", Err(postgres_usage));
        check("postgres cargo test", Err(postgres_usage));
        check(
            "regions",
            Ok(Task::Regions {
                output: regions::Output::Table,
            }),
        );
        check(
            "regions --json",
            Ok(Task::Regions {
                output: regions::Output::ProvinceFiles { dir: None },
            }),
        );
        check(
            "regions --json dist/regions",
            Ok(Task::Regions {
                output: regions::Output::ProvinceFiles {
                    dir: Some("dist/regions".into()),
                },
            }),
        );
        check(
            "regions --txt",
            Err("`regions` takes only `--json [DIR]`, got: --txt"),
        );
        check(
            "regions --json a b",
            Err("`regions` takes only `--json [DIR]`, got: --json a b"),
        );
        check("ci --fast",
            Err("`ci` has the steps tools, fmt, clippy, native, browser, release, e2e; there is no `--fast`"));
        check("deploy", Err("unknown command `deploy`"));
    }
}
