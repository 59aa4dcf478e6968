//! The command line, validated into a [`Command`] before anything runs.

use std::fmt;
use std::path::PathBuf;

use lindung_core::Date;

/// Printed by `district help` and after every usage error.
pub const USAGE: &str = "\
district: Lindung's district office tool

Usage:
  district nik [--today YYYY-MM-DD] NIK...   check NIKs, one JSON line per NIK
  district nik [--today YYYY-MM-DD] -        check NIKs read from stdin, one per line
  district rules check PACK.json             check a rule pack file
  district verify BUNDLE...                  check export bundles' signature and format
  district help                              show this help

nik: prints {\"nik\",\"valid\",\"province\",\"regency\",\"district\",\"birth_date\",
  \"sex\",\"errors\",\"warnings\"} for each NIK, in order; errors and warnings are
  stable codes such as \"nik.length\" or \"nik.regency_unknown\". Spaces, dots and
  dashes inside a NIK are ignored; blank stdin lines are skipped.
  --today sets the date that decides the birth year's century (default: today, UTC).

verify: one line per file, `ok FILE: kid ... sequence N records N villages N` or
  `FAIL FILE: <code> (<reason>)`. Trust in the device key and the sequence are
  checked against the district register (a later command), not here.

Exit status: 0 done (even if some NIKs are invalid), 1 rule pack or bundle
rejected or file unreadable, 2 usage error.";

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    /// Check NIKs. `today: None` means "the system's current date".
    Nik {
        today: Option<Date>,
        source: NikSource,
    },
    RulesCheck {
        pack: PathBuf,
    },
    /// Check bundle files (signature and format).
    Verify {
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NikSource {
    /// NIKs given as arguments, as typed.
    Args(Vec<String>),
    /// One NIK per line on stdin (the only NIK argument was `-`).
    Stdin,
}

/// A command line that cannot be run. Its message is for humans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

/// Parses the arguments after the program name.
pub fn parse_args<I>(args: I) -> Result<Command, UsageError>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let mut args = args.into_iter().map(Into::into);
    let Some(command) = args.next() else {
        return Err(usage("no command given"));
    };
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "nik" => parse_nik(args),
        "rules" => parse_rules(args),
        "verify" => {
            let files: Vec<PathBuf> = args.map(PathBuf::from).collect();
            if files.is_empty() {
                Err(usage("verify needs at least one bundle file"))
            } else {
                Ok(Command::Verify { files })
            }
        }
        other if other.starts_with('-') => Err(usage(format!("unknown option `{other}`"))),
        other => Err(usage(format!("unknown command `{other}`"))),
    }
}

fn parse_nik(mut args: impl Iterator<Item = String>) -> Result<Command, UsageError> {
    let mut today = None;
    let mut niks = Vec::new();
    let mut options_done = false;
    while let Some(arg) = args.next() {
        if options_done || arg == "-" || !arg.starts_with('-') {
            niks.push(arg);
            continue;
        }
        let value = match arg.as_str() {
            "--" => {
                options_done = true;
                continue;
            }
            "-h" | "--help" => return Ok(Command::Help),
            "--today" => args
                .next()
                .ok_or_else(|| usage("--today needs a date, YYYY-MM-DD"))?,
            other => match other.strip_prefix("--today=") {
                Some(value) => value.to_owned(),
                None => return Err(usage(format!("unknown option `{other}`"))),
            },
        };
        if today.is_some() {
            return Err(usage("--today is given more than once"));
        }
        today = Some(Date::parse_iso(&value).ok_or_else(|| {
            usage(format!(
                "--today: `{value}` is not a date of the form YYYY-MM-DD"
            ))
        })?);
    }
    let source = match niks.as_slice() {
        [] => {
            return Err(usage(
                "no NIK given (give NIKs, or `-` to read them from stdin)",
            ))
        }
        [only] if only == "-" => NikSource::Stdin,
        _ if niks.iter().any(|n| n == "-") => {
            return Err(usage("`-` (read stdin) must be the only NIK argument"))
        }
        _ => NikSource::Args(niks),
    };
    Ok(Command::Nik { today, source })
}

fn parse_rules(mut args: impl Iterator<Item = String>) -> Result<Command, UsageError> {
    match args.next().as_deref() {
        Some("check") => {}
        Some(other) => return Err(usage(format!("unknown command `rules {other}`"))),
        None => return Err(usage("`rules` needs a subcommand: rules check PACK.json")),
    }
    let rest: Vec<String> = args.collect();
    match rest.as_slice() {
        [pack] => Ok(Command::RulesCheck {
            pack: PathBuf::from(pack),
        }),
        [] => Err(usage(
            "rules check needs a rule pack file: rules check PACK.json",
        )),
        _ => Err(usage("rules check takes exactly one rule pack file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expected` is the command's Debug form, or `error: <message>`.
    fn check(args: &[&str], expected: &str) {
        let got = match parse_args(args.iter().copied()) {
            Ok(command) => format!("{command:?}"),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(got, expected, "{args:?}");
    }

    #[test]
    fn commands() {
        let cases: &[(&[&str], &str)] = &[
            (&["help"], "Help"),
            (&["--help"], "Help"),
            (&["-h"], "Help"),
            (&["nik", "--help", "123"], "Help"),
            (
                &["nik", "6107014502870001", "1"],
                r#"Nik { today: None, source: Args(["6107014502870001", "1"]) }"#,
            ),
            (
                &["nik", "--today", "2026-11-21", "1"],
                r#"Nik { today: Some(Date { year: 2026, month: 11, day: 21 }), source: Args(["1"]) }"#,
            ),
            (
                &["nik", "1", "--today=2026-11-21"],
                r#"Nik { today: Some(Date { year: 2026, month: 11, day: 21 }), source: Args(["1"]) }"#,
            ),
            (&["nik", "-"], "Nik { today: None, source: Stdin }"),
            (
                &["nik", "--today", "2000-02-29", "-"],
                "Nik { today: Some(Date { year: 2000, month: 2, day: 29 }), source: Stdin }",
            ),
            // After `--`, everything is a NIK as typed, even if it starts with a dash.
            (
                &["nik", "--", "-6107", "--today"],
                r#"Nik { today: None, source: Args(["-6107", "--today"]) }"#,
            ),
            (
                &["rules", "check", "rules/default.json"],
                r#"RulesCheck { pack: "rules/default.json" }"#,
            ),
        ];
        for (args, expected) in cases {
            check(args, expected);
        }
    }

    #[test]
    fn usage_errors() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "error: no command given"),
            (&["frobnicate"], "error: unknown command `frobnicate`"),
            (&["--verbose"], "error: unknown option `--verbose`"),
            (
                &["nik"],
                "error: no NIK given (give NIKs, or `-` to read them from stdin)",
            ),
            (
                &["nik", "--today", "2026-11-21"],
                "error: no NIK given (give NIKs, or `-` to read them from stdin)",
            ),
            (
                &["nik", "1", "--today"],
                "error: --today needs a date, YYYY-MM-DD",
            ),
            (
                &["nik", "--today", "2026-02-30", "1"],
                "error: --today: `2026-02-30` is not a date of the form YYYY-MM-DD",
            ),
            (
                &["nik", "--today=21-11-2026", "1"],
                "error: --today: `21-11-2026` is not a date of the form YYYY-MM-DD",
            ),
            (
                &["nik", "--today", "2026-11-21", "--today", "2026-11-22", "1"],
                "error: --today is given more than once",
            ),
            (&["nik", "--bogus", "1"], "error: unknown option `--bogus`"),
            (
                &["nik", "-", "6107014502870001"],
                "error: `-` (read stdin) must be the only NIK argument",
            ),
            (
                &["rules"],
                "error: `rules` needs a subcommand: rules check PACK.json",
            ),
            (
                &["rules", "lint", "a.json"],
                "error: unknown command `rules lint`",
            ),
            (
                &["rules", "check"],
                "error: rules check needs a rule pack file: rules check PACK.json",
            ),
            (
                &["rules", "check", "a.json", "b.json"],
                "error: rules check takes exactly one rule pack file",
            ),
        ];
        for (args, expected) in cases {
            check(args, expected);
        }
    }
}
