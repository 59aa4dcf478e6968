//! `district`: argument handling and IO around `lindung_district`.

use std::fs;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use lindung_core::{Date, RulePack};
use lindung_district::register::{
    agent_line, ingest_lines, Checked, IngestOutcome, InitOutcome, Register, RegisterError,
    Rejection,
};
use lindung_district::report::{self, ReportFormat};
use lindung_district::verify;
use lindung_district::{
    check_pack, parse_args, stdin_entry, write_reports, Command, NikSource, RegisterCommand, USAGE,
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
        Command::Verify { db, files } => verify(db.as_deref(), &files),
        Command::Register(command) => register_command(command),
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

fn usage_error(message: &str) -> ExitCode {
    eprintln!("district: {message}\n\n{USAGE}");
    ExitCode::from(2)
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

/// `verify`: one line per file; a register error stops it (stderr, exit 1).
fn verify(db: Option<&std::path::Path>, files: &[std::path::PathBuf]) -> io::Result<ExitCode> {
    let register = match db.map(Register::open_read_only).transpose() {
        Ok(register) => register,
        Err(error) => {
            eprintln!("district: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut verifier = verify::Verifier::new(register.as_ref());
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut all_ok = true;
    for path in files {
        let name = path.display().to_string();
        let (ok, line) = match fs::read(path) {
            Ok(bytes) => match verifier.check(&name, &bytes) {
                Ok(verdict) => verify::line(&name, &verdict),
                Err(error) => {
                    out.flush()?;
                    eprintln!("district: {error}");
                    return Ok(ExitCode::FAILURE);
                }
            },
            Err(error) => (false, format!("FAIL {name}: file.unreadable ({error})")),
        };
        all_ok &= ok;
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A rule pack file, checked by the core.
fn load_pack(path: &std::path::Path) -> Result<RulePack, RunError> {
    let text = fs::read_to_string(path)
        .map_err(|e| RunError::Failed(format!("cannot read {}: {e}", path.display())))?;
    RulePack::from_json(&text).map_err(|problems| {
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

/// Threads verifying bundles for `ingest`: one per core, at least two (on
/// two cores, the register's thread leaves room for both) and at most eight.
fn verifiers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// Verified bundles each verifier may hold ready for the register: enough
/// that the register's thread rarely waits.
const AHEAD: usize = 16;

/// Bytes of bundle files read and not yet written and freed, for `ingest`:
/// verifiers running ahead wait while this would pass its limit (a parsed
/// bundle takes about three times its file's size). The file the register
/// needs next always goes, so waiting never blocks the register.
struct InFlight {
    limit: u64,
    state: std::sync::Mutex<InFlightState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct InFlightState {
    bytes: u64,
    /// The index of the file the register waits for.
    next: usize,
    closed: bool,
}

impl InFlight {
    fn new(limit: u64) -> InFlight {
        InFlight {
            limit,
            state: std::sync::Mutex::default(),
            changed: std::sync::Condvar::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, InFlightState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for room for file `index` of `size` bytes and takes it;
    /// `false` once closed.
    fn take(&self, index: usize, size: u64) -> bool {
        let mut state = self.state();
        while !state.closed && index != state.next && state.bytes + size > self.limit {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.bytes += size;
        !state.closed
    }

    fn give(&self, size: u64) {
        let mut state = self.state();
        state.bytes = state.bytes.saturating_sub(size);
        self.changed.notify_all();
    }

    /// The register now waits for file `index`.
    fn next(&self, index: usize) {
        self.state().next = index;
        self.changed.notify_all();
    }

    /// Closes when dropped: waiting verifiers give up.
    fn closer(&self) -> impl Drop + '_ {
        struct Closer<'a>(&'a InFlight);
        impl Drop for Closer<'_> {
            fn drop(&mut self) {
                self.0.state().closed = true;
                self.0.changed.notify_all();
            }
        }
        Closer(self)
    }
}

/// `ingest`: one line (or two) per file, then the duplicate count; whether
/// every file merged or was already there. Files are read and verified on
/// [`verifiers`] other threads (file `i` on thread `i % verifiers()`), a few
/// ahead, while the register writes the one before; the register still
/// takes them one at a time, in the order given, and hands each to yet
/// another thread to be freed. The register's thread is the one that
/// cannot be split, so it does nothing else.
fn ingest(
    register: &mut Register,
    files: &[std::path::PathBuf],
    out: &mut impl Write,
) -> Result<bool, RunError> {
    let mut all_ok = true;
    let in_flight = InFlight::new(64 << 20);
    std::thread::scope(|scope| -> Result<(), RunError> {
        // However the register's loop ends, verifiers waiting for room stop.
        let _closing = in_flight.closer();
        let in_flight = &in_flight;
        let threads = verifiers();
        let receivers: Vec<_> = (0..threads)
            .map(|first| {
                let (sender, receiver) = std::sync::mpsc::sync_channel(AHEAD);
                scope.spawn(move || {
                    for (index, path) in files.iter().enumerate().skip(first).step_by(threads) {
                        let name = path.display().to_string();
                        let size = fs::metadata(path).map_or(0, |m| m.len());
                        if !in_flight.take(index, size) {
                            break;
                        }
                        let item = fs::read(path).map(Checked::verify);
                        // A closed channel: the register stopped on an error.
                        if sender.send((name, size, item)).is_err() {
                            break;
                        }
                    }
                });
                receiver
            })
            .collect();
        let (dropper, to_drop) = std::sync::mpsc::channel::<(Checked, u64)>();
        scope.spawn(move || {
            for (checked, size) in to_drop {
                drop(checked);
                in_flight.give(size);
            }
        });
        for index in 0..files.len() {
            in_flight.next(index);
            // Each verifier sends all of its files unless the register stops.
            let Ok((name, size, item)) = receivers[index % threads].recv() else {
                break;
            };
            let (ok, lines) = match item {
                Ok(Ok(checked)) => {
                    let outcome = register.ingest_checked(&checked)?;
                    // Freeing a bundle's parsed records (thousands of small
                    // allocations) is left to another thread too.
                    let _ = dropper.send((checked, size));
                    ingest_lines(&name, &outcome)
                }
                Ok(Err(e)) => {
                    in_flight.give(size);
                    ingest_lines(&name, &IngestOutcome::Rejected(Rejection::Bundle(e)))
                }
                Err(error) => {
                    in_flight.give(size);
                    (
                        false,
                        vec![format!("FAIL {name}: file.unreadable ({error})")],
                    )
                }
            };
            all_ok &= ok;
            for line in lines {
                writeln!(out, "{line}")?;
            }
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
        RegisterCommand::Init { db } => {
            let (_, outcome) = Register::init(&db)?;
            let name = db.display();
            match outcome {
                InitOutcome::Created => writeln!(
                    out,
                    "created register {name} (schema version {})",
                    lindung_district::register::SCHEMA_VERSION
                )?,
                InitOutcome::Migrated { from } => writeln!(
                    out,
                    "migrated register {name} from schema version {from} to {}",
                    lindung_district::register::SCHEMA_VERSION
                )?,
                InitOutcome::UpToDate => writeln!(
                    out,
                    "register {name} is already at schema version {}; nothing changed",
                    lindung_district::register::SCHEMA_VERSION
                )?,
            }
        }
        RegisterCommand::AgentsAdd {
            db,
            kid,
            name,
            agent_id,
        } => {
            Register::open(&db)?.add_agent(&kid, &name, agent_id.as_deref())?;
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
        RegisterCommand::Report {
            db,
            format,
            out: file,
            month,
            pack,
        } => {
            let pack = match pack {
                None => RulePack::default_pack(),
                Some(path) => load_pack(&path)?,
            };
            let Some(month) = month.or_else(today_utc) else {
                return Err(RunError::Failed(
                    "cannot read today's date from the system clock; pass --month YYYY-MM".into(),
                ));
            };
            let data = Register::open(&db)?.report_data()?;
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

#[cfg(test)]
mod tests {
    use super::InFlight;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn in_flight_waits_for_room_but_never_for_the_next_file() {
        let in_flight = InFlight::new(100);
        // The next file goes whatever its size.
        assert!(in_flight.take(0, 250));
        let in_flight = &in_flight;
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel();
            let waiting = done.clone();
            scope.spawn(move || {
                let taken = in_flight.take(1, 10);
                done.send(("file 1", taken)).unwrap();
            });
            // No room for file 1 while file 0 is in flight.
            assert!(finished.recv_timeout(Duration::from_millis(100)).is_err());
            // The register moves on to file 1: it goes.
            in_flight.next(1);
            assert_eq!(
                finished.recv_timeout(Duration::from_secs(10)).unwrap(),
                ("file 1", true)
            );
            in_flight.give(250);
            // Room again: file 2 goes before it is next.
            assert!(in_flight.take(2, 80));
            scope.spawn(move || {
                let taken = in_flight.take(3, 50);
                waiting.send(("file 3", taken)).unwrap();
            });
            assert!(finished.recv_timeout(Duration::from_millis(100)).is_err());
            // The register stops: the waiting verifier gives up.
            drop(in_flight.closer());
            assert_eq!(
                finished.recv_timeout(Duration::from_secs(10)).unwrap(),
                ("file 3", false)
            );
        });
    }
}
