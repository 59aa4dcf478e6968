//! The command line, validated into a [`Command`] before anything runs.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use lexopt::{Arg, Parser};

pub use crate::register::Location;

use lindung_core::Date;

pub use crate::report::ReportFormat;

/// Printed by `district help` and after every usage error.
pub const USAGE: &str = "\
district: Lindung's district office tool

Usage:
  district nik [--today YYYY-MM-DD] NIK...   check NIKs, one JSON line per NIK
  district nik [--today YYYY-MM-DD] -        check NIKs read from stdin, one per line
  district rules check PACK.json             check a rule pack file
  district rules publish --db DB PACK.json   make a rule pack the register's current one
  district verify [--db DB] BUNDLE...        check export bundles; changes nothing
  district init --db DB [--key FILE] [--district-id ID]
                                             create the register, or migrate it; make
                                             the district key (kept if it exists)
  district serve --db DB [--key FILE] [--listen ADDR] [--app DIR]
                 [--allow-origin ORIGIN,...] [--max-bundle-bytes N]
                 [--header-timeout SECS] [--body-timeout SECS]
                                             serve the app and the intake API
  district agents add --db DB --kid KID --name NAME [--agent-id ID]
                                             add a device key (approved at once)
  district agents list --db DB               list device keys, status and sequences
  district agents approve --db DB KID        approve a key; merge its pending bundles
  district agents revoke --db DB KID         revoke a key; its later bundles fail
  district ingest --db DB BUNDLE...          verify bundles and merge them into the register
  district quarantine list --db DB           list quarantined records and bundles
  district quarantine withdraw --db DB --reason TEXT KID SEQUENCE
                                             take a bundle's effect out of the register
  district duplicates --db DB                list NIKs held by more than one active record
  district bundle --db DB [--out FILE] KID SEQUENCE
                                             write a stored bundle file, byte for byte
  district report --db DB [--format table|csv|json|xlsx] [--out FILE]
                  [--month YYYY-MM] [--pack PACK.json]
                                             counts, coverage and budgets per village,
                                             district and regency
  district migrate --from DB --to DB         copy a register, history and files, into a
                                             new one (SQLite to PostgreSQL)
  district help                              show this help

DB: a SQLite file (the default), or a PostgreSQL URL starting postgres:// or
  postgresql:// (one database that several district processes may share).
KID: a device key's id, as the phone shows it. One that begins with `-` goes
  after `--`: district agents revoke --db DB -- KID.

nik: prints {\"nik\",\"valid\",\"province\",\"regency\",\"district\",\"birth_date\",
  \"sex\",\"errors\",\"warnings\"} for each NIK, in order; errors and warnings are
  stable codes such as \"nik.length\" or \"nik.regency_unknown\". Spaces, dots and
  dashes inside a NIK are ignored; blank stdin lines are skipped.
  --today sets the date that decides the birth year's century (default: today, UTC).

rules publish: checks the pack with the core, then makes it the register's
  current rule pack: bundles merged from then on are judged with it, and
  report uses it unless given --pack. A new register holds the built-in pack.

verify: checks each file in the order given, as `ingest` would take it after
  the files before it, and writes nothing: signature and format (codes from
  the core, bundle.*), then against the files before it and, with --db, the
  register (opened read-only), in this order: the same bundle again
  (`; already ingested`, `; same bundle as FILE`), register.revoked,
  register.conflict (other bundle, same kid and sequence),
  register.unknown_device or register.pending_device, register.chain (either
  link of the chain). Then each record is judged as `ingest` would (the
  register's rule pack, or the built-in one without --db). One line per file:
  `ok FILE: kid K sequence N records N villages N`, then, if it applies,
  `; missing sequences 2,4..6`, `; N to quarantine`, `; pack.unknown` or
  `; pack.digest_mismatch`, and one `quarantined FILE: record ...` line per
  record that would be quarantined; or `FAIL FILE: <code> (<reason>)`.

init: creates the register DB with the current schema and the built-in rule
  pack, or migrates an older one step by step; on an up-to-date register it
  changes nothing and says so.

agents: a KID is 43 base64url characters, as `verify` prints it; put `--` before
  a KID that starts with `-`.
agents list: one line per key, tab-separated:
  `KID NAME AGENT_ID STATUS LAST_MERGED PENDING MISSING`; STATUS is approved,
  revoked or pending (seen by ingest, unknown); LAST_MERGED is the highest
  sequence merged, PENDING the number of bundles waiting for approval, MISSING
  the sequences from 1 to the highest stored that are not stored (`2,4..6`);
  `-` for no agent id, nothing merged or nothing missing.

ingest: per file, judged as verify does, then merged in one transaction or not
  at all. Every record is judged again with the register's rule pack (NIK,
  village code, age on the district's registration date, segment, category);
  a record that fails is quarantined: kept with its codes, counted in no
  report, while the rest of the bundle merges. A record id belongs to the
  device that first sent it: another device's change to it is quarantined
  (record.other_device). Lines:
  `merged FILE: N records (kid K, sequence S); M older or equal revisions
    ignored; Q quarantined`, then per quarantined record
  `quarantined FILE: record R (village V, revision N): code,code`
  `note FILE: pack.unknown|pack.digest_mismatch (...)`
  `gap FILE: kid K is missing sequences 2,4..6` (what is still missing once it
    merged; the bundle still merges, and a late bundle narrows or closes a gap)
  `already ingested FILE: ...` (same kid, sequence and content; nothing changed)
  `pending FILE: unknown device ...` (stored, merged by `agents approve`)
  `FAIL FILE: <code> (<reason>)`, codes as verify's.
  Then `duplicates: N NIKs held by more than one active record`. Every bundle
  file is kept in the register (compressed); a power cut during a SQLite
  ingest can undo the last merges, each whole: run the same ingest again.
  Registration order is the district's: a record's claimed time is clamped
  between the device's previous bundle (or its enrolment) and its arrival,
  then the order of arrival breaks ties (docs/bundle-format.md).

init: also makes the district key, the ES256 key that signs receipts (a file
  only its owner can read, kept if it exists; default district-key.json beside
  a SQLite register, or in the current directory), and prints its kid: phones
  pin it on first contact, so compare it with the kid the app shows. Back the
  key up with the register. --district-id names the district in receipts.

serve: serves the intake API under /api/v1/ (docs/sync-protocol.md) and, with
  --app, the built app (dist/) at /. --listen (default 127.0.0.1:8787; put a
  TLS proxy in front, docs/deploy.md). --allow-origin lets pages of other
  origins call the API. --max-bundle-bytes (default 16 MiB). A client has
  --header-timeout seconds (default 10) to send a request's headers and
  --body-timeout (default 60) for its body. Several servers
  may share one PostgreSQL register. Stops on Ctrl-C or SIGTERM after the
  requests in flight.

quarantine list: tab-separated lines, records first:
  `record KID SEQUENCE VILLAGE RECORD_ID REVISION CODES STATE` (STATE current,
  superseded by a later revision, or withdrawn), then bundles that were
  withdrawn or name a rule pack the district does not hold as sent:
  `bundle KID SEQUENCE NOTE WITHDRAWN_AT REASON` (`-` for none).
quarantine withdraw: takes the whole effect of bundle SEQUENCE of KID out of
  the register, for REASON: its records go back to the revisions the device's
  other bundles hold, or leave the register. The bundle stays stored and
  listed, marked withdrawn.

bundle: writes the bundle file that device KID sent with sequence SEQUENCE,
  exactly as it was received (merged, pending or withdrawn), to stdout or
  --out FILE, for audit or to check it again with `verify`. Opens the register
  read-only.

report: per village (code, name, agents whose devices sent its records): funded,
  waitlisted and apparatus counts against the funded slots of the rule pack,
  coverage (funded / funded slots, one decimal), the contribution budget for
  the month and for 12 months from it, by programme (JKK, JKM, JHT) and by
  funding source, NIKs also held by another active record, bundle sequences
  of its devices still missing, records skipped and quarantined; then totals
  per district (PP.KK.CC) and regency (PP.KK). Statuses and money come from
  the core: each village's roster is rebuilt in the district's registration
  order and priced with the rule pack (--pack, default: the register's).
  --month sets the first month (default: the current month, UTC).
  --format table (default; aligned, Rupiah as Rp39.000), csv (header row, one
  row per village/district/regency, plain integers; text that a spreadsheet
  would run as a formula starts with ') , json (integers) or xlsx (sheet
  \"Laporan\"; needs --out). --out writes to FILE instead of stdout.

migrate: copies every agent, stored bundle (with its file), record, quarantine
  entry and rule pack from one register into a new, empty one (typically a
  SQLite file into PostgreSQL). The source is not changed: a SQLite register
  of an older schema is migrated in a temporary copy first. Both registers
  give the same report.

Exit status: 0 done (even if some NIKs are invalid or some records were
quarantined), 1 rule pack or bundle rejected, file unreadable or register error,
2 usage error.";

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
    /// Check bundle files without changing anything: signature and format,
    /// the files against each other, and with `db` the register (read-only).
    Verify {
        db: Option<Location>,
        files: Vec<PathBuf>,
    },
    /// A command on the district register.
    Register(RegisterCommand),
    /// Serve the app and the intake API.
    Serve(ServeOptions),
}

/// `district serve`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    pub db: Location,
    pub key: PathBuf,
    pub listen: std::net::SocketAddr,
    pub app: Option<PathBuf>,
    pub allowed_origins: Vec<String>,
    pub max_bundle_bytes: Option<usize>,
    /// Seconds a client may take to send a request's headers, and its body.
    pub header_timeout: Option<u64>,
    pub body_timeout: Option<u64>,
}

/// Where the district key is when `--key` is not given: `district-key.json`
/// beside a SQLite register, or in the current directory.
pub fn default_key(db: &Location) -> PathBuf {
    let name = "district-key.json";
    match db {
        Location::Sqlite(path) => match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(name),
            _ => PathBuf::from(name),
        },
        Location::Postgres(_) => PathBuf::from(name),
    }
}

fn parse_serve(parser: &mut Parser) -> Result<Command, UsageError> {
    let mut opts = Options::parse(
        "serve",
        parser,
        &[
            "--db",
            "--key",
            "--listen",
            "--app",
            "--allow-origin",
            "--max-bundle-bytes",
            "--header-timeout",
            "--body-timeout",
        ],
    )?;
    opts.no_positionals()?;
    let db = opts.db()?;
    let key = opts.key(&db)?;
    let listen = match opts.take("--listen") {
        None => std::net::SocketAddr::from(([127, 0, 0, 1], 8787)),
        Some(text) => text.parse().map_err(|_| {
            usage(format!(
                "serve: --listen `{text}` is not an address and port such as 127.0.0.1:8787"
            ))
        })?,
    };
    let app = opts.take("--app").map(PathBuf::from);
    let allowed_origins = match opts.take("--allow-origin") {
        None => Vec::new(),
        Some(list) => {
            let origins: Vec<String> = list
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect();
            for origin in &origins {
                let scheme_ok = origin.starts_with("https://") || origin.starts_with("http://");
                let rest = origin.split_once("://").map_or("", |(_, r)| r);
                if !scheme_ok || rest.is_empty() || rest.contains('/') {
                    return Err(usage(format!(
                        "serve: --allow-origin `{origin}` is not an origin such as \
                         https://app.example.id"
                    )));
                }
            }
            origins
        }
    };
    let max_bundle_bytes = match opts.take("--max-bundle-bytes") {
        None => None,
        Some(text) => {
            let ceiling = lindung_core::bundle::Limits::DEFAULT.max_bytes;
            match text.parse::<usize>() {
                Ok(n) if (1024..=ceiling).contains(&n) => Some(n),
                _ => {
                    return Err(usage(format!(
                        "serve: --max-bundle-bytes `{text}` is not a number from 1024 to {ceiling}"
                    )))
                }
            }
        }
    };
    let mut seconds = |name: &str| match opts.take(name) {
        None => Ok(None),
        Some(text) => match text.parse::<u64>() {
            Ok(n) if (1..=3600).contains(&n) => Ok(Some(n)),
            _ => Err(usage(format!(
                "serve: {name} `{text}` is not a number of seconds from 1 to 3600"
            ))),
        },
    };
    let header_timeout = seconds("--header-timeout")?;
    let body_timeout = seconds("--body-timeout")?;
    Ok(Command::Serve(ServeOptions {
        db,
        key,
        listen,
        app,
        allowed_origins,
        max_bundle_bytes,
        header_timeout,
        body_timeout,
    }))
}

/// What to do with the district register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegisterCommand {
    /// Create or migrate the register, and make the district key.
    Init {
        db: Location,
        key: PathBuf,
        district_id: Option<String>,
    },
    AgentsAdd {
        db: Location,
        kid: String,
        name: String,
        agent_id: Option<String>,
    },
    AgentsList {
        db: Location,
    },
    AgentsApprove {
        db: Location,
        kid: String,
    },
    AgentsRevoke {
        db: Location,
        kid: String,
    },
    Ingest {
        db: Location,
        files: Vec<PathBuf>,
    },
    Duplicates {
        db: Location,
    },
    Bundle {
        db: Location,
        kid: String,
        sequence: u64,
        out: Option<PathBuf>,
    },
    /// Make a rule pack the register's current one.
    RulesPublish {
        db: Location,
        pack: PathBuf,
    },
    /// List quarantined records and bundles.
    QuarantineList {
        db: Location,
    },
    /// Take a bundle's effect out of the register (kept for audit).
    Withdraw {
        db: Location,
        kid: String,
        sequence: u64,
        reason: String,
    },
    /// Copy a register, with its history and stored files, into a new one.
    Migrate {
        from: Location,
        to: Location,
    },
    Report {
        db: Location,
        format: ReportFormat,
        out: Option<PathBuf>,
        /// The first day of the first month; `None`: the current month.
        month: Option<Date>,
        pack: Option<PathBuf>,
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
    let mut parser = Parser::from_args(args.into_iter().map(Into::<String>::into));
    // No option here is a short one that takes a value, so `-x=y` is never
    // split: an unknown option is reported whole, as typed.
    parser.set_short_equals(false);
    let parser = &mut parser;
    let Some(command) = word(parser)? else {
        return Err(usage("no command given"));
    };
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "nik" => parse_nik(parser),
        "rules" => parse_rules(parser),
        "verify" => {
            let mut opts = Options::parse("verify", parser, &["--db"])?;
            let db = match opts.take("--db") {
                Some(db) if db.trim().is_empty() => {
                    return Err(usage("verify: --db must not be empty"))
                }
                other => other.as_deref().map(Location::parse),
            };
            if opts.positional.is_empty() {
                return Err(usage("verify needs at least one bundle file"));
            }
            let files = opts.positional.into_iter().map(PathBuf::from).collect();
            Ok(Command::Verify { db, files })
        }
        "init" | "agents" | "ingest" | "duplicates" | "bundle" | "report" | "quarantine"
        | "migrate" => parse_register(&command, parser).map(Command::Register),
        "serve" => parse_serve(parser),
        other if other.starts_with('-') => Err(usage(format!("unknown option `{other}`"))),
        other => Err(usage(format!("unknown command `{other}`"))),
    }
}

fn parse_register(command: &str, parser: &mut Parser) -> Result<RegisterCommand, UsageError> {
    match command {
        "init" => {
            let mut opts = Options::parse("init", parser, &["--db", "--key", "--district-id"])?;
            opts.no_positionals()?;
            let db = opts.db()?;
            let key = opts.key(&db)?;
            let district_id = match opts.take("--district-id") {
                Some(id) if id.trim().is_empty() => {
                    return Err(usage("init: --district-id must not be empty"))
                }
                other => other,
            };
            Ok(RegisterCommand::Init {
                db,
                key,
                district_id,
            })
        }
        "ingest" => {
            let mut opts = Options::parse("ingest", parser, &["--db"])?;
            let db = opts.db()?;
            if opts.positional.is_empty() {
                return Err(usage("ingest needs at least one bundle file"));
            }
            let files = opts.positional.into_iter().map(PathBuf::from).collect();
            Ok(RegisterCommand::Ingest { db, files })
        }
        "quarantine" => parse_quarantine(parser),
        "migrate" => {
            let mut opts = Options::parse("migrate", parser, &["--from", "--to"])?;
            opts.no_positionals()?;
            let from = opts.location("--from")?;
            let to = opts.location("--to")?;
            if from == to {
                return Err(usage("migrate: --from and --to name the same register"));
            }
            Ok(RegisterCommand::Migrate { from, to })
        }
        "duplicates" => {
            let mut opts = Options::parse("duplicates", parser, &["--db"])?;
            opts.no_positionals()?;
            Ok(RegisterCommand::Duplicates { db: opts.db()? })
        }
        "bundle" => {
            let mut opts = Options::parse("bundle", parser, &["--db", "--out"])?;
            let db = opts.db()?;
            let out = opts.take("--out").map(PathBuf::from);
            let [kid, sequence] = <[String; 2]>::try_from(opts.positional)
                .map_err(|_| usage("bundle: give the KID and the SEQUENCE"))?;
            let sequence = parse_sequence("bundle", &sequence)?;
            Ok(RegisterCommand::Bundle {
                db,
                kid,
                sequence,
                out,
            })
        }
        "report" => {
            let mut opts = Options::parse(
                "report",
                parser,
                &["--db", "--format", "--out", "--month", "--pack"],
            )?;
            opts.no_positionals()?;
            let db = opts.db()?;
            let format = match opts.take("--format") {
                None => ReportFormat::Table,
                Some(text) => ReportFormat::parse(&text).ok_or_else(|| {
                    usage(format!(
                        "report: --format `{text}` is not one of table, csv, json, xlsx"
                    ))
                })?,
            };
            let out = opts.take("--out").map(PathBuf::from);
            if out.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
                return Err(usage("report: --out must not be empty"));
            }
            if format == ReportFormat::Xlsx && out.is_none() {
                return Err(usage("report: --format xlsx needs --out FILE"));
            }
            let month = match opts.take("--month") {
                None => None,
                Some(text) => Some(parse_month(&text).ok_or_else(|| {
                    usage(format!(
                        "report: --month `{text}` is not a month of the form YYYY-MM"
                    ))
                })?),
            };
            let pack = opts.take("--pack").map(PathBuf::from);
            Ok(RegisterCommand::Report {
                db,
                format,
                out,
                month,
                pack,
            })
        }
        _ => parse_agents(parser),
    }
}

/// A bundle sequence: 1, 2, 3...
fn parse_sequence(command: &str, text: &str) -> Result<u64, UsageError> {
    text.parse::<u64>().ok().filter(|&n| n >= 1).ok_or_else(|| {
        usage(format!(
            "{command}: `{text}` is not a sequence (1, 2, 3...)"
        ))
    })
}

fn parse_quarantine(parser: &mut Parser) -> Result<RegisterCommand, UsageError> {
    match word(parser)?.as_deref() {
        Some("list") => {
            let mut opts = Options::parse("quarantine list", parser, &["--db"])?;
            opts.no_positionals()?;
            Ok(RegisterCommand::QuarantineList { db: opts.db()? })
        }
        Some("withdraw") => {
            let mut opts = Options::parse("quarantine withdraw", parser, &["--db", "--reason"])?;
            let db = opts.db()?;
            let reason = opts.required("--reason")?.trim().to_owned();
            let positional = std::mem::take(&mut opts.positional);
            let [kid, sequence] = <[String; 2]>::try_from(positional)
                .map_err(|_| usage("quarantine withdraw: give the KID and the SEQUENCE"))?;
            let kid = check_kid("quarantine withdraw", &kid)?;
            let sequence = parse_sequence("quarantine withdraw", &sequence)?;
            Ok(RegisterCommand::Withdraw {
                db,
                kid,
                sequence,
                reason,
            })
        }
        Some(other) => Err(usage(format!("unknown command `quarantine {other}`"))),
        None => Err(usage("`quarantine` needs a subcommand: list or withdraw")),
    }
}

/// `YYYY-MM` as the first day of that month.
fn parse_month(text: &str) -> Option<Date> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    if !year
        .chars()
        .chain(month.chars())
        .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    Date::new(year.parse().ok()?, month.parse().ok()?, 1)
}

/// `--name VALUE` / `--name=VALUE` options and positional arguments of one
/// subcommand; each option at most once.
struct Options {
    command: &'static str,
    values: Vec<(&'static str, String)>,
    positional: Vec<String>,
}

impl Options {
    /// Lexes the rest of the command line: the options in `allowed` (as
    /// `--name`), anything else starting with `-` refused, positional
    /// arguments kept in order (a lone `-`, and everything after `--`).
    fn parse(
        command: &'static str,
        parser: &mut Parser,
        allowed: &[&'static str],
    ) -> Result<Options, UsageError> {
        let mut options = Options {
            command,
            values: Vec::new(),
            positional: Vec::new(),
        };
        while let Some(arg) = lex(parser)? {
            let name = match arg {
                Lexed::Value(value) => {
                    options.positional.push(value);
                    continue;
                }
                Lexed::Option(name) => name,
            };
            let Some(&name) = allowed.iter().find(|a| **a == name) else {
                let typed = as_typed(name, parser);
                // A device key's id may begin with `-` (base64url).
                let hint = if !typed.starts_with("--") && typed.len() > 8 {
                    "; a KID that begins with `-` goes after `--`, e.g. `-- KID`"
                } else {
                    ""
                };
                return Err(usage(format!("{command}: unknown option `{typed}`{hint}")));
            };
            let value = option_value(parser)?
                .ok_or_else(|| usage(format!("{command}: {name} needs a value")))?;
            if options.values.iter().any(|(n, _)| *n == name) {
                return Err(usage(format!("{command}: {name} is given more than once")));
            }
            options.values.push((name, value));
        }
        Ok(options)
    }

    fn take(&mut self, name: &str) -> Option<String> {
        let at = self.values.iter().position(|(n, _)| *n == name)?;
        Some(self.values.remove(at).1)
    }

    fn required(&mut self, name: &str) -> Result<String, UsageError> {
        match self.take(name) {
            Some(value) if !value.trim().is_empty() => Ok(value),
            Some(_) => Err(usage(format!("{}: {name} must not be empty", self.command))),
            None => Err(usage(format!("{} needs {name}", self.command))),
        }
    }

    fn db(&mut self) -> Result<Location, UsageError> {
        self.location("--db")
    }

    /// `--key FILE`, or the default beside the register.
    fn key(&mut self, db: &Location) -> Result<PathBuf, UsageError> {
        match self.take("--key") {
            Some(key) if key.trim().is_empty() => {
                Err(usage(format!("{}: --key must not be empty", self.command)))
            }
            Some(key) => Ok(PathBuf::from(key)),
            None => Ok(default_key(db)),
        }
    }

    /// A register: a SQLite file path or a `postgres://` URL.
    fn location(&mut self, name: &str) -> Result<Location, UsageError> {
        self.required(name).map(|text| Location::parse(&text))
    }

    fn no_positionals(&self) -> Result<(), UsageError> {
        match self.positional.first() {
            None => Ok(()),
            Some(extra) => Err(usage(format!(
                "{}: unexpected argument `{extra}`",
                self.command
            ))),
        }
    }

    /// The one positional argument, a kid.
    fn one_kid(&mut self) -> Result<String, UsageError> {
        match self.positional.as_slice() {
            [kid] => check_kid(self.command, kid),
            [] => Err(usage(format!("{} needs a KID", self.command))),
            _ => Err(usage(format!("{} takes exactly one KID", self.command))),
        }
    }
}

/// A kid is an RFC 7638 SHA-256 thumbprint: 43 base64url characters.
fn check_kid(command: &str, kid: &str) -> Result<String, UsageError> {
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if kid.len() == 43 && kid.chars().all(base64url) {
        Ok(kid.to_owned())
    } else {
        Err(usage(format!(
            "{command}: `{kid}` is not a kid (43 base64url characters, as `verify` prints)"
        )))
    }
}

fn parse_agents(parser: &mut Parser) -> Result<RegisterCommand, UsageError> {
    match word(parser)?.as_deref() {
        Some("add") => {
            let mut opts = Options::parse(
                "agents add",
                parser,
                &["--db", "--kid", "--name", "--agent-id"],
            )?;
            opts.no_positionals()?;
            let db = opts.db()?;
            let kid = check_kid("agents add", &opts.required("--kid")?)?;
            let name = opts.required("--name")?.trim().to_owned();
            let agent_id = match opts.take("--agent-id") {
                Some(id) if id.trim().is_empty() => {
                    return Err(usage("agents add: --agent-id must not be empty"))
                }
                other => other.map(|id| id.trim().to_owned()),
            };
            Ok(RegisterCommand::AgentsAdd {
                db,
                kid,
                name,
                agent_id,
            })
        }
        Some("list") => {
            let mut opts = Options::parse("agents list", parser, &["--db"])?;
            opts.no_positionals()?;
            Ok(RegisterCommand::AgentsList { db: opts.db()? })
        }
        Some("approve") => {
            let mut opts = Options::parse("agents approve", parser, &["--db"])?;
            let db = opts.db()?;
            let kid = opts.one_kid()?;
            Ok(RegisterCommand::AgentsApprove { db, kid })
        }
        Some("revoke") => {
            let mut opts = Options::parse("agents revoke", parser, &["--db"])?;
            let db = opts.db()?;
            let kid = opts.one_kid()?;
            Ok(RegisterCommand::AgentsRevoke { db, kid })
        }
        Some(other) => Err(usage(format!("unknown command `agents {other}`"))),
        None => Err(usage(
            "`agents` needs a subcommand: add, list, approve or revoke",
        )),
    }
}

fn parse_nik(parser: &mut Parser) -> Result<Command, UsageError> {
    let mut today = None;
    let mut niks = Vec::new();
    while let Some(arg) = lex(parser)? {
        let name = match arg {
            Lexed::Value(nik) => {
                niks.push(nik);
                continue;
            }
            Lexed::Option(name) => name,
        };
        if name != "--today" {
            return match as_typed(name, parser).as_str() {
                "-h" | "--help" => Ok(Command::Help),
                other => Err(usage(format!("unknown option `{other}`"))),
            };
        }
        let value =
            option_value(parser)?.ok_or_else(|| usage("--today needs a date, YYYY-MM-DD"))?;
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

fn parse_rules(parser: &mut Parser) -> Result<Command, UsageError> {
    match word(parser)?.as_deref() {
        Some("check") => {}
        Some("publish") => {
            let mut opts = Options::parse("rules publish", parser, &["--db"])?;
            let db = opts.db()?;
            let pack = match opts.positional.as_slice() {
                [pack] => PathBuf::from(pack),
                [] => return Err(usage("rules publish needs a rule pack file")),
                _ => return Err(usage("rules publish takes exactly one rule pack file")),
            };
            return Ok(Command::Register(RegisterCommand::RulesPublish {
                db,
                pack,
            }));
        }
        Some(other) => return Err(usage(format!("unknown command `rules {other}`"))),
        None => return Err(usage("`rules` needs a subcommand: rules check PACK.json")),
    }
    let opts = Options::parse("rules check", parser, &[])?;
    match opts.positional.as_slice() {
        [pack] => Ok(Command::RulesCheck {
            pack: PathBuf::from(pack),
        }),
        [] => Err(usage(
            "rules check needs a rule pack file: rules check PACK.json",
        )),
        _ => Err(usage("rules check takes exactly one rule pack file")),
    }
}

/// One argument as lexopt splits it.
enum Lexed {
    /// An option's name with its dashes (`--db`, `-h`); a value joined to
    /// it (`--db=r.db`, `-hx`) is still in the parser.
    Option(String),
    /// A positional argument: one not starting with `-`, a lone `-`, or
    /// anything after `--`.
    Value(String),
}

fn lex(parser: &mut Parser) -> Result<Option<Lexed>, UsageError> {
    let arg = parser.next().map_err(|error| usage(error.to_string()))?;
    Ok(match arg {
        None => None,
        Some(Arg::Long(name)) => Some(Lexed::Option(format!("--{name}"))),
        Some(Arg::Short(letter)) => Some(Lexed::Option(format!("-{letter}"))),
        Some(Arg::Value(value)) => Some(Lexed::Value(text(value)?)),
    })
}

/// The value of the option just lexed: joined to it (`--db=r.db`) or the
/// next argument, even one starting with `-`. `None` at the end of the line.
fn option_value(parser: &mut Parser) -> Result<Option<String>, UsageError> {
    match parser.value() {
        Ok(value) => text(value).map(Some),
        Err(lexopt::Error::MissingValue { .. }) => Ok(None),
        Err(error) => Err(usage(error.to_string())),
    }
}

/// The option just lexed as the user typed it, with any value joined to it
/// (`--db=r.db`, `-Eurnb...`), which this takes from the parser.
fn as_typed(name: String, parser: &mut Parser) -> String {
    match parser.optional_value() {
        None => name,
        Some(joined) if name.starts_with("--") => format!("{name}={}", joined.to_string_lossy()),
        Some(joined) => format!("{name}{}", joined.to_string_lossy()),
    }
}

/// The next argument as typed, option or not: a command or subcommand name.
fn word(parser: &mut Parser) -> Result<Option<String>, UsageError> {
    Ok(match lex(parser)? {
        None => None,
        Some(Lexed::Option(name)) => Some(as_typed(name, parser)),
        Some(Lexed::Value(value)) => Some(value),
    })
}

/// Arguments reach [`parse_args`] as `String`s; lexopt hands them back as
/// `OsString`s.
fn text(value: OsString) -> Result<String, UsageError> {
    value
        .into_string()
        .map_err(|value| usage(format!("argument {value:?} is not valid UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KID: &str = "OEurnbzOGbRad4qOD9lNK8VYMQGvg5cmLnVKeydAqL4";
    const DASH_KID: &str = "-EurnbzOGbRad4qOD9lNK8VYMQGvg5cmLnVKeydAqL4";

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
            (
                &["rules", "check", "--", "-p.json"],
                r#"RulesCheck { pack: "-p.json" }"#,
            ),
            // A lone `-` is a value: here a file of that name.
            (&["verify", "-"], r#"Verify { db: None, files: ["-"] }"#),
            (
                &["verify", "a.json", "b.json"],
                r#"Verify { db: None, files: ["a.json", "b.json"] }"#,
            ),
            (
                &["verify", "a.json", "--db", "r.db", "b.json"],
                r#"Verify { db: Some(Sqlite("r.db")), files: ["a.json", "b.json"] }"#,
            ),
            (
                &["verify", "--db=r.db", "--", "-a.json"],
                r#"Verify { db: Some(Sqlite("r.db")), files: ["-a.json"] }"#,
            ),
            (
                &["init", "--db", "r.db"],
                r#"Register(Init { db: Sqlite("r.db"), key: "district-key.json", district_id: None })"#,
            ),
            (
                &["init", "--db=r.db"],
                r#"Register(Init { db: Sqlite("r.db"), key: "district-key.json", district_id: None })"#,
            ),
            (
                &[
                    "init",
                    "--db",
                    "/srv/lindung/r.db",
                    "--district-id",
                    "61.07",
                ],
                r#"Register(Init { db: Sqlite("/srv/lindung/r.db"), key: "/srv/lindung/district-key.json", district_id: Some("61.07") })"#,
            ),
            (
                &["init", "--db", "postgres:///reg", "--key", "/etc/k.json"],
                r#"Register(Init { db: Postgres("postgres:///reg"), key: "/etc/k.json", district_id: None })"#,
            ),
            (
                &["serve", "--db", "r.db"],
                r#"Serve(ServeOptions { db: Sqlite("r.db"), key: "district-key.json", listen: 127.0.0.1:8787, app: None, allowed_origins: [], max_bundle_bytes: None, header_timeout: None, body_timeout: None })"#,
            ),
            (
                &[
                    "serve",
                    "--db",
                    "r.db",
                    "--listen",
                    "0.0.0.0:80",
                    "--app",
                    "dist",
                    "--allow-origin",
                    "https://a.example, http://b.example:8080/",
                    "--max-bundle-bytes",
                    "2048",
                    "--header-timeout",
                    "5",
                    "--body-timeout",
                    "120",
                ],
                r#"Serve(ServeOptions { db: Sqlite("r.db"), key: "district-key.json", listen: 0.0.0.0:80, app: Some("dist"), allowed_origins: ["https://a.example", "http://b.example:8080"], max_bundle_bytes: Some(2048), header_timeout: Some(5), body_timeout: Some(120) })"#,
            ),
            (
                &[
                    "agents", "add", "--name", " Siti ", "--kid", KID, "--db", "r.db",
                ],
                r#"Register(AgentsAdd { db: Sqlite("r.db"), kid: "OEurnbzOGbRad4qOD9lNK8VYMQGvg5cmLnVKeydAqL4", name: "Siti", agent_id: None })"#,
            ),
            (
                &[
                    "agents",
                    "add",
                    "--db",
                    "r.db",
                    "--kid",
                    KID,
                    "--name",
                    "S",
                    "--agent-id=a-1",
                ],
                r#"Register(AgentsAdd { db: Sqlite("r.db"), kid: "OEurnbzOGbRad4qOD9lNK8VYMQGvg5cmLnVKeydAqL4", name: "S", agent_id: Some("a-1") })"#,
            ),
            (
                &["agents", "list", "--db", "r.db"],
                r#"Register(AgentsList { db: Sqlite("r.db") })"#,
            ),
            (
                &["agents", "approve", KID, "--db", "r.db"],
                r#"Register(AgentsApprove { db: Sqlite("r.db"), kid: "OEurnbzOGbRad4qOD9lNK8VYMQGvg5cmLnVKeydAqL4" })"#,
            ),
            (
                &["agents", "revoke", "--db", "r.db", "--", DASH_KID],
                r#"Register(AgentsRevoke { db: Sqlite("r.db"), kid: "-EurnbzOGbRad4qOD9lNK8VYMQGvg5cmLnVKeydAqL4" })"#,
            ),
            (
                &["ingest", "--db", "r.db", "a.json", "b.json"],
                r#"Register(Ingest { db: Sqlite("r.db"), files: ["a.json", "b.json"] })"#,
            ),
            (
                &["duplicates", "--db", "r.db"],
                r#"Register(Duplicates { db: Sqlite("r.db") })"#,
            ),
            (
                &["bundle", "--db", "r.db", "--out", "b.json", "KID", "12"],
                r#"Register(Bundle { db: Sqlite("r.db"), kid: "KID", sequence: 12, out: Some("b.json") })"#,
            ),
            (
                &[
                    "verify",
                    "--db",
                    "postgres://u:secret@127.0.0.1/reg",
                    "a.json",
                ],
                r#"Verify { db: Some(Postgres("postgres://u:secret@127.0.0.1/reg")), files: ["a.json"] }"#,
            ),
            (
                &["ingest", "--db=postgresql:///reg", "a.json"],
                r#"Register(Ingest { db: Postgres("postgresql:///reg"), files: ["a.json"] })"#,
            ),
            (
                &["rules", "publish", "--db", "r.db", "p.json"],
                r#"Register(RulesPublish { db: Sqlite("r.db"), pack: "p.json" })"#,
            ),
            (
                &["rules", "publish", "--db", "r.db"],
                "error: rules publish needs a rule pack file",
            ),
            (
                &["quarantine", "list", "--db", "r.db"],
                r#"Register(QuarantineList { db: Sqlite("r.db") })"#,
            ),
            (
                &[
                    "quarantine",
                    "withdraw",
                    "--db",
                    "r.db",
                    "--reason",
                    " test device ",
                    KID,
                    "3",
                ],
                &format!(
                    r#"Register(Withdraw {{ db: Sqlite("r.db"), kid: "{KID}", sequence: 3, reason: "test device" }})"#
                ),
            ),
            (
                &["quarantine", "withdraw", "--db", "r.db", KID, "3"],
                "error: quarantine withdraw needs --reason",
            ),
            (
                &[
                    "quarantine",
                    "withdraw",
                    "--db",
                    "r.db",
                    "--reason",
                    "x",
                    KID,
                    "0",
                ],
                "error: quarantine withdraw: `0` is not a sequence (1, 2, 3...)",
            ),
            (
                &["quarantine", "show", "--db", "r.db"],
                "error: unknown command `quarantine show`",
            ),
            (
                &["migrate", "--from", "r.db", "--to", "postgres:///reg"],
                r#"Register(Migrate { from: Sqlite("r.db"), to: Postgres("postgres:///reg") })"#,
            ),
            (
                &["migrate", "--from", "r.db", "--to", "r.db"],
                "error: migrate: --from and --to name the same register",
            ),
            (&["migrate", "--from", "r.db"], "error: migrate needs --to"),
            (
                &["report", "--db", "r.db"],
                r#"Register(Report { db: Sqlite("r.db"), format: Table, out: None, month: None, pack: None })"#,
            ),
            (
                &[
                    "report",
                    "--db",
                    "r.db",
                    "--format=xlsx",
                    "--out",
                    "r.xlsx",
                    "--month",
                    "2027-05",
                    "--pack",
                    "p.json",
                ],
                r#"Register(Report { db: Sqlite("r.db"), format: Xlsx, out: Some("r.xlsx"), month: Some(Date { year: 2027, month: 5, day: 1 }), pack: Some("p.json") })"#,
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
            // Unknown options are reported as typed, with a joined value.
            (&["--verbose=2"], "error: unknown option `--verbose=2`"),
            (&["-hx"], "error: unknown option `-hx`"),
            (&["nik", "-x=y", "1"], "error: unknown option `-x=y`"),
            (&["nik", "--help=no", "1"], "error: unknown option `--help=no`"),
            (
                &["agents", "--db", "r.db"],
                "error: unknown command `agents --db`",
            ),
            (
                &["rules", "check", "--strict", "a.json"],
                "error: rules check: unknown option `--strict`",
            ),
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
            (&["verify"], "error: verify needs at least one bundle file"),
            (
                &["verify", "--db", "r.db"],
                "error: verify needs at least one bundle file",
            ),
            (&["verify", "--db", "", "a.json"], "error: verify: --db must not be empty"),
            (&["verify", "a.json", "--db"], "error: verify: --db needs a value"),
            (
                &["verify", "--format", "json", "a.json"],
                "error: verify: unknown option `--format`",
            ),
            (&["init"], "error: init needs --db"),
            (&["init", "--db"], "error: init: --db needs a value"),
            (&["init", "--db="], "error: init: --db must not be empty"),
            (
                &["init", "--db", "a", "--db", "b"],
                "error: init: --db is given more than once",
            ),
            (&["init", "--db", "a", "x"], "error: init: unexpected argument `x`"),
            (&["init", "--kid", "a"], "error: init: unknown option `--kid`"),
            (
                &["agents"],
                "error: `agents` needs a subcommand: add, list, approve or revoke",
            ),
            (&["agents", "remove"], "error: unknown command `agents remove`"),
            (
                &["agents", "add", "--db", "r.db", "--kid", KID],
                "error: agents add needs --name",
            ),
            (
                &["agents", "add", "--db", "r.db", "--kid", "abc", "--name", "S"],
                "error: agents add: `abc` is not a kid (43 base64url characters, as `verify` prints)",
            ),
            (
                &["agents", "add", "--db", "r.db", "--kid", KID, "--name", "S", "--agent-id", " "],
                "error: agents add: --agent-id must not be empty",
            ),
            (
                &["agents", "approve", "--db", "r.db"],
                "error: agents approve needs a KID",
            ),
            (
                &["agents", "revoke", "--db", "r.db", KID, KID],
                "error: agents revoke takes exactly one KID",
            ),
            (
                &["agents", "approve", "--db", "r.db", DASH_KID],
                "error: agents approve: unknown option `-EurnbzOGbRad4qOD9lNK8VYMQGvg5cmLnVKeydAqL4`; \
                 a KID that begins with `-` goes after `--`, e.g. `-- KID`",
            ),
            (&["ingest", "--db", "r.db"], "error: ingest needs at least one bundle file"),
            (&["ingest", "a.json"], "error: ingest needs --db"),
            (&["serve"], "error: serve needs --db"),
            (
                &["serve", "--db", "r.db", "--listen", "8787"],
                "error: serve: --listen `8787` is not an address and port such as 127.0.0.1:8787",
            ),
            (
                &["serve", "--db", "r.db", "--allow-origin", "app.example"],
                "error: serve: --allow-origin `app.example` is not an origin such as https://app.example.id",
            ),
            (
                &["serve", "--db", "r.db", "--allow-origin", "https://a.example/app"],
                "error: serve: --allow-origin `https://a.example/app` is not an origin such as https://app.example.id",
            ),
            (
                &["serve", "--db", "r.db", "--body-timeout", "0"],
                "error: serve: --body-timeout `0` is not a number of seconds from 1 to 3600",
            ),
            (
                &["serve", "--db", "r.db", "--max-bundle-bytes", "1"],
                "error: serve: --max-bundle-bytes `1` is not a number from 1024 to 33554432",
            ),
            (&["init", "--db", "r.db", "--key", ""], "error: init: --key must not be empty"),
            (&["report"], "error: report needs --db"),
            (
                &["report", "--db", "r.db", "--format", "pdf"],
                "error: report: --format `pdf` is not one of table, csv, json, xlsx",
            ),
            (
                &["report", "--db", "r.db", "--format", "xlsx"],
                "error: report: --format xlsx needs --out FILE",
            ),
            (
                &["report", "--db", "r.db", "--month", "2027-5"],
                "error: report: --month `2027-5` is not a month of the form YYYY-MM",
            ),
            (
                &["report", "--db", "r.db", "--month", "2027-00"],
                "error: report: --month `2027-00` is not a month of the form YYYY-MM",
            ),
            (&["report", "--db", "r.db", "x"], "error: report: unexpected argument `x`"),
            (&["bundle", "KID", "1"], "error: bundle needs --db"),
            (&["bundle", "--db", "r.db", "KID"], "error: bundle: give the KID and the SEQUENCE"),
            (
                &["bundle", "--db", "r.db", "KID", "0"],
                "error: bundle: `0` is not a sequence (1, 2, 3...)",
            ),
        ];
        for (args, expected) in cases {
            check(args, expected);
        }
    }
}
