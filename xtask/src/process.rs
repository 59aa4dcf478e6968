//! Running child processes: plainly, captured, or streamed live while captured.

use std::io::{self, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;

use crate::{Error, Result};

/// The command line as a person would type it, for messages.
pub fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

fn spawn_error(command: &Command, error: io::Error) -> Error {
    let program = command.get_program().to_string_lossy();
    if error.kind() == io::ErrorKind::NotFound {
        Error::new(format!(
            "`{program}` was not found on PATH (needed for `{}`)",
            describe(command)
        ))
    } else {
        Error::new(format!("cannot start `{}`: {error}", describe(command)))
    }
}

fn failed(command: &Command, status: ExitStatus) -> Error {
    Error::new(format!("`{}` failed ({status})", describe(command)))
}

/// Runs with the terminal's stdout and stderr; an error unless it exits with 0.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .stdin(Stdio::null())
        .status()
        .map_err(|e| spawn_error(command, e))?;
    if status.success() {
        Ok(())
    } else {
        Err(failed(command, status))
    }
}

/// Runs with the terminal's stdin, stdout and stderr and returns how it ended. A
/// failing exit status is not an error here: the caller decides what it means.
pub fn status(command: &mut Command) -> Result<ExitStatus> {
    command.status().map_err(|e| spawn_error(command, e))
}

/// Runs quietly and returns stdout and stderr together; an error unless it exits with 0.
pub fn output(command: &mut Command) -> Result<String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(command, e))?;
    if !output.status.success() {
        return Err(failed(command, output.status));
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Ok(text)
}

/// What a streamed command printed (stdout, then stderr) and how it ended.
pub struct Streamed {
    pub status: ExitStatus,
    pub text: String,
}

/// Runs with stdout and stderr copied live to ours, and also kept for parsing.
/// A failing exit status is not an error here: the caller decides what it means.
pub fn run_streamed(command: &mut Command) -> Result<Streamed> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error(command, e))?;
    let child_stdout = child.stdout.take().expect("stdout is piped");
    let child_stderr = child.stderr.take().expect("stderr is piped");
    let (stdout, stderr) = thread::scope(|scope| {
        let stdout = scope.spawn(|| tee(child_stdout, io::stdout()));
        let stderr = scope.spawn(|| tee(child_stderr, io::stderr()));
        (stdout.join(), stderr.join())
    });
    let status = child
        .wait()
        .map_err(|e| Error::new(format!("waiting for `{}`: {e}", describe(command))))?;
    let mut text = String::new();
    for captured in [stdout, stderr] {
        let bytes = captured
            .map_err(|_| Error::new("output copier thread panicked"))?
            .map_err(|e| Error::new(format!("reading output of `{}`: {e}", describe(command))))?;
        text.push_str(&String::from_utf8_lossy(&bytes));
    }
    Ok(Streamed { status, text })
}

/// Copies `from` to `to` as it arrives and returns everything copied.
fn tee(mut from: impl Read, mut to: impl Write) -> io::Result<Vec<u8>> {
    let mut kept = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) => return Ok(kept),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        kept.extend_from_slice(&buffer[..n]);
        // Our own terminal going away must not kill the child mid-run.
        let _ = to.write_all(&buffer[..n]).and_then(|()| to.flush());
    }
}
