//! `district`: argument handling and IO around `lindung_district`.

use std::fs;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use lindung_core::{Date, RulePack, Timestamp};
use lindung_district::ingest::{ingest_files, FileOutcome, PipelineError};
use lindung_district::key::{DistrictKey, KeyOutcome};
use lindung_district::output::{agent_line, ingest_lines, quarantine_report_lines};
use lindung_district::register::{InitOutcome, Location, Register, RegisterError};
use lindung_district::report::{self, ReportFormat};
use lindung_district::server;
use lindung_district::verify;
use lindung_district::{
    check_pack, parse_args, stdin_entry, write_reports, Command, NikSource, RegisterCommand,
    ServeOptions, USAGE,
};

fn main() -> ExitCode {
    let mut args = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(arg) => args.push(arg),
            Err(arg) => return usage_error(&format!("argument {arg:?} is not valid UTF-8")),
        }
    }
    let command = match parse_args(args) {
        Ok(command) => command,
        Err(error) => return usage_error(&error.to_string()),
    };
    let result = match command {
        Command::Help => writeln!(io::stdout(), "{USAGE}").map(|()| ExitCode::SUCCESS),
        Command::Nik { today, source } => match today.or_else(today_utc) {
            Some(today) => nik(today, source).map(|()| ExitCode::SUCCESS),
            None => {
                eprintln!(
                    "district: cannot read today's date from the system clock; \
                     pass --today YYYY-MM-DD"
                );
                Ok(ExitCode::FAILURE)
            }
        },
        Command::RulesCheck { pack } => rules_check(&pack),
        Command::Verify { db, files } => verify(db.as_ref(), &files),
        Command::Register(command) => register_command(command),
        Command::Serve(options) => serve(options),
    };
    match result {
        Ok(code) => code,
        // Output closed early (e.g. piped into `head`): nothing left to say.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("district: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `district serve`: checks the key and the register, prints where it
/// listens (one line on stdout, then nothing), serves until a signal.
fn serve(options: ServeOptions) -> io::Result<ExitCode> {
    let key = match DistrictKey::load(&options.key) {
        Ok(key) => key,
        Err(error) => {
            eprintln!("district: {error} (make one with `district init --db DB`)");
            return Ok(ExitCode::FAILURE);
        }
    };
    // The register must open now, not at the first phone's upload.
    if let Err(error) = Register::open(&options.db) {
        eprintln!("district: {error}");
        return Ok(ExitCode::FAILURE);
    }
    if let Some(app) = &options.app {
        if !app.join("index.html").is_file() {
            eprintln!(
                "district: {} holds no index.html (build the app: trunk build --release)",
                app.display()
            );
            return Ok(ExitCode::FAILURE);
        }
    }
    let mut config = server::Config::new(options.listen);
    config.app = options.app;
    config.allowed_origins = options.allowed_origins;
    if let Some(secs) = options.header_timeout {
        config.header_timeout = std::time::Duration::from_secs(secs);
    }
    if let Some(secs) = options.body_timeout {
        config.body_timeout = std::time::Duration::from_secs(secs);
    }
    if let Some(max) = options.max_bundle_bytes {
        config.max_bundle_bytes = max;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (listener, address) = server::bind(&config).await?;
        println!(
            "district serve: listening on http://{address} (register {}, district {}, kid {})",
            options.db,
            key.district_id(),
            key.kid()
        );
        io::stdout().flush()?;
        server::serve(listener, options.db, key, config, server::shutdown_signal()).await
    })?;
    eprintln!("district serve: stopped");
    Ok(ExitCode::SUCCESS)
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("district: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

/// Now, from the system clock (the time the district receives a bundle).
fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

/// Today in UTC, from the system clock.
fn today_utc() -> Option<Date> {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    Date::from_unix_days(i64::try_from(since_epoch.as_secs() / 86_400).ok()?)
}

fn nik(today: Date, source: NikSource) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match source {
        NikSource::Args(niks) => write_reports(&niks, today, &mut out)?,
        NikSource::Stdin => {
            // Line by line, so a long paste is answered as it streams in.
            let mut input = io::stdin().lock();
            let mut line = Vec::new();
            loop {
                line.clear();
                if input.read_until(b'\n', &mut line)? == 0 {
                    break;
                }
                if let Some(entry) = stdin_entry(&line) {
                    write_reports([entry], today, &mut out)?;
                }
            }
        }
    }
    out.flush()
}

fn rules_check(path: &std::path::Path) -> io::Result<ExitCode> {
    let text = match fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            eprintln!("district: cannot read {}: not UTF-8 text", path.display());
            return Ok(ExitCode::FAILURE);
        }
        Err(error) => {
            eprintln!("district: cannot read {}: {error}", path.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut out = io::stdout().lock();
    match check_pack(&text) {
        Ok(line) => {
            writeln!(out, "{line}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for problem in problems {
                writeln!(out, "{problem}")?;
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `verify`: one line per file (and per record to quarantine); a register
/// error stops it (stderr, exit 1).
fn verify(db: Option<&Location>, files: &[std::path::PathBuf]) -> io::Result<ExitCode> {
    let mut register = match db.map(Register::open_read_only).transpose() {
        Ok(register) => register,
        Err(error) => {
            eprintln!("district: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut verifier = match verify::Verifier::new(register.as_mut(), now()) {
        Ok(verifier) => verifier,
        Err(error) => {
            eprintln!("district: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut all_ok = true;
    for path in files {
        let name = path.display().to_string();
        let (ok, lines) = match fs::read(path) {
            Ok(bytes) => match verifier.check(&name, &bytes) {
                Ok(verdict) => verify::lines(&name, &verdict),
                Err(error) => {
                    out.flush()?;
                    eprintln!("district: {error}");
                    return Ok(ExitCode::FAILURE);
                }
            },
            Err(error) => (
                false,
                vec![format!("FAIL {name}: file.unreadable ({error})")],
            ),
        };
        all_ok &= ok;
        for line in lines {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A rule pack file's text.
fn read_pack_text(path: &std::path::Path) -> Result<String, RunError> {
    fs::read_to_string(path)
        .map_err(|e| RunError::Failed(format!("cannot read {}: {e}", path.display())))
}

/// A rule pack file, checked by the core.
fn load_pack(path: &std::path::Path) -> Result<RulePack, RunError> {
    RulePack::from_json(&read_pack_text(path)?).map_err(|problems| {
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        RunError::Failed(format!(
            "rule pack {} rejected:\n{}",
            path.display(),
            problems.join("\n")
        ))
    })
}

/// The commands that work on the register. A register error stops the
/// command: message on stderr, exit 1.
fn register_command(command: RegisterCommand) -> io::Result<ExitCode> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let result = run_register(command, &mut out);
    out.flush()?;
    match result {
        Ok(code) => Ok(code),
        Err(RunError::Io(error)) => Err(error),
        Err(RunError::Register(error)) => {
            eprintln!("district: {error}");
            Ok(ExitCode::FAILURE)
        }
        Err(RunError::Failed(message)) => {
            eprintln!("district: {message}");
            Ok(ExitCode::FAILURE)
        }
    }
}

enum RunError {
    Io(io::Error),
    Register(RegisterError),
    /// Anything else that stops the command, said for humans.
    Failed(String),
}

impl From<io::Error> for RunError {
    fn from(error: io::Error) -> Self {
        RunError::Io(error)
    }
}

impl From<RegisterError> for RunError {
    fn from(error: RegisterError) -> Self {
        RunError::Register(error)
    }
}

impl From<PipelineError<io::Error>> for RunError {
    fn from(error: PipelineError<io::Error>) -> Self {
        match error {
            PipelineError::Register(error) => RunError::Register(error),
            PipelineError::Caller(error) => RunError::Io(error),
        }
    }
}

/// `ingest`: the lines of each file as it is merged, then the duplicate
/// count; whether every file merged or was already there.
fn ingest(
    register: &mut Register,
    files: &[std::path::PathBuf],
    out: &mut impl Write,
) -> Result<bool, RunError> {
    let mut all_ok = true;
    ingest_files(register, files, &now, |name, outcome| {
        let (ok, lines) = match outcome {
            FileOutcome::Ingested(outcome) => ingest_lines(name, &outcome),
            FileOutcome::Unreadable(error) => (
                false,
                vec![format!("FAIL {name}: file.unreadable ({error})")],
            ),
        };
        all_ok &= ok;
        for line in lines {
            writeln!(out, "{line}")?;
        }
        Ok(())
    })?;
    writeln!(
        out,
        "duplicates: {} NIKs held by more than one active record",
        register.duplicate_count()?
    )?;
    Ok(all_ok)
}

fn run_register(command: RegisterCommand, out: &mut impl Write) -> Result<ExitCode, RunError> {
    match command {
        RegisterCommand::Init {
            db,
            key,
            district_id,
        } => {
            // The key first: a key that cannot be made or read leaves the
            // register as it was.
            let (key_made, key_outcome) = DistrictKey::create_or_load(&key, district_id.as_deref())
                .map_err(|e| RunError::Failed(e.to_string()))?;
            let (_, outcome) = Register::init_with(&db, now())?;
            let version = lindung_district::register::SCHEMA_VERSION;
            match outcome {
                InitOutcome::Created => {
                    writeln!(out, "created register {db} (schema version {version})")?
                }
                InitOutcome::Migrated { from } => writeln!(
                    out,
                    "migrated register {db} from schema version {from} to {version}"
                )?,
                InitOutcome::UpToDate => writeln!(
                    out,
                    "register {db} is already at schema version {version}; nothing changed"
                )?,
            }
            let made = match key_outcome {
                KeyOutcome::Created => "made",
                KeyOutcome::Kept => "kept",
            };
            writeln!(
                out,
                "district key {} {made}: district {}, kid {}",
                key.display(),
                key_made.district_id(),
                key_made.kid()
            )?;
        }
        RegisterCommand::RulesPublish { db, pack } => {
            let text = read_pack_text(&pack)?;
            let published = Register::open(&db)?.publish_pack(&text, now())?;
            writeln!(
                out,
                "published rule pack {} {} (digest {}) as the current pack of {db}",
                published.pack.id(),
                published.pack.version(),
                published.digest
            )?;
        }
        RegisterCommand::AgentsAdd {
            db,
            kid,
            name,
            agent_id,
        } => {
            Register::open(&db)?.add_agent(&kid, &name, agent_id.as_deref(), now())?;
            writeln!(out, "added {kid} ({name}): approved")?;
        }
        RegisterCommand::AgentsList { db } => {
            for agent in Register::open(&db)?.agents()? {
                writeln!(out, "{}", agent_line(&agent))?;
            }
        }
        RegisterCommand::AgentsApprove { db, kid } => {
            let mut register = Register::open(&db)?;
            let merged = register.approve(&kid)?;
            writeln!(out, "approved {kid}")?;
            let mut all_ok = true;
            for (sequence, outcome) in merged {
                let (ok, lines) = ingest_lines(&format!("pending sequence {sequence}"), &outcome);
                all_ok &= ok;
                for line in lines {
                    writeln!(out, "{line}")?;
                }
            }
            if !all_ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        RegisterCommand::AgentsRevoke { db, kid } => {
            Register::open(&db)?.revoke(&kid)?;
            writeln!(out, "revoked {kid}")?;
        }
        RegisterCommand::Ingest { db, files } => {
            let mut register = Register::open(&db)?;
            if !register.with_bulk(|register| ingest(register, &files, out))? {
                return Ok(ExitCode::FAILURE);
            }
        }
        RegisterCommand::QuarantineList { db } => {
            for line in quarantine_report_lines(&Register::open(&db)?.quarantine()?) {
                writeln!(out, "{line}")?;
            }
        }
        RegisterCommand::Withdraw {
            db,
            kid,
            sequence,
            reason,
        } => {
            let withdrawal = Register::open(&db)?.withdraw(&kid, sequence, &reason, now())?;
            writeln!(
                out,
                "withdrew bundle {sequence} of {kid}: {} records put back to an earlier \
                 revision, {} records removed from the register; the bundle stays stored",
                withdrawal.restored, withdrawal.removed
            )?;
        }
        RegisterCommand::Migrate { from, to } => {
            let moved = lindung_district::register::migrate(&from, &to, now())?;
            writeln!(
                out,
                "migrated {from} to {to}: {} agents, {} bundles, {} records, {} quarantine \
                 entries, {} rule packs",
                moved.agents, moved.bundles, moved.records, moved.quarantine, moved.packs
            )?;
        }
        RegisterCommand::Report {
            db,
            format,
            out: file,
            month,
            pack,
        } => {
            let Some(month) = month.or_else(today_utc) else {
                return Err(RunError::Failed(
                    "cannot read today's date from the system clock; pass --month YYYY-MM".into(),
                ));
            };
            let mut register = Register::open(&db)?;
            let pack = match pack {
                None => register.pack()?.pack,
                Some(path) => load_pack(&path)?,
            };
            let data = register.report_data()?;
            let report =
                report::build(&data, &pack, month).map_err(|e| RunError::Failed(e.to_string()))?;
            let bytes = match format {
                ReportFormat::Xlsx => {
                    report::xlsx_bytes(&report).map_err(|e| RunError::Failed(e.to_string()))?
                }
                _ => {
                    let mut bytes = Vec::new();
                    match format {
                        ReportFormat::Csv => report::write_csv(&report, &mut bytes)?,
                        ReportFormat::Json => report::write_json(&report, &mut bytes)?,
                        _ => report::write_table(&report, &mut bytes)?,
                    }
                    bytes
                }
            };
            match file {
                None => out.write_all(&bytes)?,
                Some(path) => {
                    fs::write(&path, &bytes).map_err(|e| {
                        RunError::Failed(format!("cannot write {}: {e}", path.display()))
                    })?;
                    writeln!(
                        out,
                        "wrote {} ({} villages, {} districts, {} regencies)",
                        path.display(),
                        report.villages.len(),
                        report.districts.len(),
                        report.regencies.len()
                    )?;
                }
            }
        }
        RegisterCommand::Bundle {
            db,
            kid,
            sequence,
            out: to,
        } => {
            let Some(file) = Register::open_read_only(&db)?.bundle_file(&kid, sequence)? else {
                eprintln!("error: the register has no bundle {sequence} of {kid}");
                return Ok(ExitCode::FAILURE);
            };
            match to {
                Some(path) => fs::write(&path, &file)?,
                None => out.write_all(&file)?,
            }
        }
        RegisterCommand::Duplicates { db } => {
            for row in Register::open(&db)?.duplicates()? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    row.nik, row.record_id, row.village, row.kid
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
