//! A throwaway PostgreSQL cluster for the register's tests (`ci`'s native step and
//! `cargo xtask postgres -- COMMAND`) and, later, the benchmarks.
//!
//! `Cluster::start` installs PostgreSQL from apt when missing, creates a fresh cluster
//! in `target/xtask-postgres/<xtask's pid>/`, and starts it on 127.0.0.1 at a free
//! port; stopping it (explicitly, or on drop) removes the directory again. The
//! register's tests read the server's URL from `LINDUNG_TEST_POSTGRES` and create and
//! drop their own databases on it.
//!
//! Invariants: nothing comes from anywhere but apt; the server never runs as root (as
//! root, `initdb` and `pg_ctl` run as the `postgres` system user through `runuser`);
//! the cluster listens only on 127.0.0.1 and its own socket directory.
//!
//! Drop does not run when xtask is killed (Ctrl-C, SIGKILL): the next `start` stops
//! and removes the clusters whose xtask process is gone.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};

use crate::install::{self, installing};
use crate::process::{self, describe};
use crate::project::Project;
use crate::{Error, Result};

/// The server's base URL, for the register's tests.
pub const URL_VAR: &str = "LINDUNG_TEST_POSTGRES";
/// Set to 1: the register's PostgreSQL tests fail, instead of skipping, without a server.
pub const REQUIRE_VAR: &str = "LINDUNG_REQUIRE_POSTGRES";

/// Where Debian's packages put each major version: `/usr/lib/postgresql/15/bin`.
const LIB_DIR: &str = "/usr/lib/postgresql";
/// The system user that owns the cluster when xtask runs as root.
const SYSTEM_USER: &str = "postgres";
/// The database superuser `initdb -U` creates, and the user in the URL.
const SUPERUSER: &str = "postgres";
/// Below the target directory: one directory per xtask process, named by its pid.
const CLUSTERS_DIR: &str = "xtask-postgres";
/// Lines of the server log shown when it does not start.
const LOG_TAIL_LINES: usize = 30;

/// PostgreSQL's server programs, one major version.
pub struct Server {
    /// The directory name under `LIB_DIR`: "15".
    version: String,
    /// Holds `initdb` and `pg_ctl`.
    bin: PathBuf,
}

impl Server {
    pub fn version(&self) -> &str {
        &self.version
    }
}

/// The newest installed server, after `apt-get install -y postgresql` if there is none.
pub fn ensure_server(project: &Project) -> Result<Server> {
    let lib = Path::new(LIB_DIR);
    if let Some(server) = find_server(lib) {
        return Ok(server);
    }
    installing("postgresql (apt-get)");
    install::apt_install(project, &["postgresql"])?;
    find_server(lib).ok_or_else(|| {
        Error::new(format!(
            "apt-get installed postgresql, but no {LIB_DIR}/*/bin holds initdb and pg_ctl"
        ))
    })
}

/// The highest version under `lib` whose `bin` holds both `initdb` and `pg_ctl` (a
/// version with only the client package installed has neither).
fn find_server(lib: &Path) -> Option<Server> {
    let names: Vec<String> = fs::read_dir(lib)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            let bin = lib.join(name).join("bin");
            bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()
        })
        .collect();
    let version = highest_version(names.iter().map(String::as_str))?;
    Some(Server {
        bin: lib.join(version).join("bin"),
        version: version.to_string(),
    })
}

/// The highest of `names` that is a version number ("15", "9.6"), compared number by
/// number; other names are ignored.
fn highest_version<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    names
        .into_iter()
        .filter_map(|name| Some((version_numbers(name)?, name)))
        .max()
        .map(|(_, name)| name)
}

fn version_numbers(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

/// `base` URL of a server on 127.0.0.1 at `port`: the superuser and its database.
fn url(port: u16) -> String {
    format!("postgres://{SUPERUSER}@127.0.0.1:{port}/postgres")
}

/// Lines appended to the new cluster's postgresql.conf. Settings go there rather than
/// into `pg_ctl -o`, which passes them through a shell.
fn settings(port: u16, socket_dir: &Path, durability: Durability) -> String {
    let mut text = format!(
        "\n# Written by cargo xtask (xtask/src/postgres.rs) for a throwaway cluster.\n\
         listen_addresses = '127.0.0.1'\n\
         port = {port}\n\
         unix_socket_directories = {}\n",
        quote_setting(&socket_dir.to_string_lossy())
    );
    if durability == Durability::Throwaway {
        text.push_str(
            "# The cluster is deleted after the run, so a crash can lose nothing of value:\n\
             # skip waiting for the disk, which makes the tests' many small transactions fast.\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n",
        );
    }
    text
}

/// Whether the cluster waits for the disk as a real register's server does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Durability {
    /// PostgreSQL's defaults (every commit synced): for benchmarks.
    Durable,
    /// No syncs at all: for tests.
    Throwaway,
}

/// A postgresql.conf string value: in single quotes, each quote doubled.
fn quote_setting(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Who runs `initdb` and `pg_ctl`.
enum RunAs {
    /// xtask is root, which the server refuses: `runuser -u postgres --`.
    SystemUser,
    /// xtask is not root: the current user owns the cluster.
    CurrentUser,
}

impl RunAs {
    fn of(project: &Project) -> RunAs {
        if install::is_root(project) {
            RunAs::SystemUser
        } else {
            RunAs::CurrentUser
        }
    }

    /// `program` (a full path) as this user, run from `dir`.
    fn command(&self, project: &Project, program: &Path, dir: &Path) -> Command {
        let mut command = match self {
            RunAs::SystemUser => {
                let mut runuser = project.command("runuser");
                runuser.args(["-u", SYSTEM_USER, "--"]).arg(program);
                runuser
            }
            RunAs::CurrentUser => project.command(&program.to_string_lossy()),
        };
        // The postgres user may not be able to read the directory xtask runs in.
        command.current_dir(dir);
        command
    }
}

/// A running throwaway cluster; stopped and deleted by `stop` or on drop.
pub struct Cluster {
    /// `target/xtask-postgres/<pid>`: holds `data/`, the socket and `postgres.log`.
    dir: PathBuf,
    port: u16,
    durability: Durability,
    server: Server,
    run_as: RunAs,
    /// The project's PATH for `runuser`, kept for the drop.
    project: Project,
    /// Set by `stop`, so that the drop does not try again.
    stopped: bool,
}

impl Cluster {
    /// Installs PostgreSQL if needed, then creates and starts a fresh throwaway
    /// cluster (no syncs).
    pub fn start(project: &Project) -> Result<Cluster> {
        Cluster::start_with(project, Durability::Throwaway)
    }

    /// As `start`, with the given durability.
    pub fn start_with(project: &Project, durability: Durability) -> Result<Cluster> {
        let server = ensure_server(project)?;
        let run_as = RunAs::of(project);
        let clusters = project.root().join("target").join(CLUSTERS_DIR);
        remove_abandoned(project, &server, &run_as, &clusters);

        let dir = clusters.join(std::process::id().to_string());
        remove_dir(&dir)?;
        fs::create_dir_all(&dir)
            .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
        // From here on, dropping the cluster deletes the directory, and stops the
        // server if it got as far as writing its pid file.
        let cluster = Cluster {
            dir,
            port: free_port()?,
            durability,
            server,
            run_as,
            project: project.clone(),
            stopped: false,
        };
        if let RunAs::SystemUser = cluster.run_as {
            give_to_system_user(project, &cluster.dir)?;
        }
        cluster.init()?;
        cluster.start_server()?;
        println!(
            "xtask: postgresql {}: started at {} ({})",
            cluster.server.version,
            cluster.url(),
            cluster.dir.display()
        );
        Ok(cluster)
    }

    pub fn url(&self) -> String {
        url(self.port)
    }

    /// The variables the register's tests read: the URL, and that a server is required.
    pub fn test_env(&self) -> [(&'static str, String); 2] {
        [(URL_VAR, self.url()), (REQUIRE_VAR, "1".to_string())]
    }

    /// Stops the server and deletes the cluster, saying what went wrong if anything did.
    pub fn stop(mut self) -> Result<()> {
        self.stopped = true;
        self.shut_down()
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    fn program(&self, name: &str) -> Command {
        self.run_as
            .command(&self.project, &self.server.bin.join(name), &self.dir)
    }

    fn init(&self) -> Result<()> {
        let mut initdb = self.program("initdb");
        initdb
            .arg("-D")
            .arg(self.data())
            .args(["-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--locale=C"])
            // Throwaway: do not wait for the new files to reach the disk.
            .arg("--no-sync");
        quiet(&mut initdb)?;
        let config = self.data().join("postgresql.conf");
        OpenOptions::new()
            .append(true)
            .open(&config)
            .and_then(|mut file| {
                file.write_all(settings(self.port, &self.dir, self.durability).as_bytes())
            })
            .map_err(|e| Error::new(format!("cannot append to {}: {e}", config.display())))
    }

    fn start_server(&self) -> Result<()> {
        let mut pg_ctl = self.program("pg_ctl");
        pg_ctl
            .args(["start", "-w", "-D"])
            .arg(self.data())
            .arg("-l")
            .arg(self.log());
        quiet(&mut pg_ctl).map_err(|error| {
            Error::new(format!(
                "{error}\n--- the server log's last lines (the cluster is deleted) ---\n{}",
                log_tail(&self.log(), LOG_TAIL_LINES)
            ))
        })
    }

    fn shut_down(&mut self) -> Result<()> {
        let stopped = stop_server(&self.project, &self.server, &self.run_as, &self.data());
        let removed = remove_dir(&self.dir);
        stopped.and(removed)
    }
}

impl Drop for Cluster {
    /// A run that fails or panics part way still stops the server.
    fn drop(&mut self) {
        if self.stopped {
            return;
        }
        if let Err(error) = self.shut_down() {
            eprintln!("xtask: postgresql: {error}");
        }
    }
}

/// `pg_ctl stop -m fast`, when the data directory has a server's pid file; then
/// `-m immediate` if the fast shutdown failed.
fn stop_server(project: &Project, server: &Server, run_as: &RunAs, data: &Path) -> Result<()> {
    if !data.join("postmaster.pid").is_file() {
        return Ok(());
    }
    let dir = data.parent().unwrap_or(data);
    let pg_ctl = server.bin.join("pg_ctl");
    let stop = |mode: &str| {
        let mut command = run_as.command(project, &pg_ctl, dir);
        command.args(["stop", "-w", "-m", mode, "-D"]).arg(data);
        quiet(&mut command)
    };
    stop("fast").or_else(|fast| {
        stop("immediate").map_err(|immediate| {
            Error::new(format!(
                "cannot stop the server in {}: {fast}; then: {immediate}",
                data.display()
            ))
        })
    })
}

/// Stops and deletes the clusters in `clusters` whose xtask process is gone (killed
/// before its drop ran). Another xtask's running cluster is left alone.
fn remove_abandoned(project: &Project, server: &Server, run_as: &RunAs, clusters: &Path) {
    let Ok(entries) = fs::read_dir(clusters) else {
        return;
    };
    for entry in entries.filter_map(|entry| entry.ok()) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // Linux (as apt is): a live process has a /proc entry.
        if pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        let dir = entry.path();
        let result =
            stop_server(project, server, run_as, &dir.join("data")).and_then(|()| remove_dir(&dir));
        match result {
            Ok(()) => println!(
                "xtask: postgresql: removed {}, left by process {pid}",
                dir.display()
            ),
            Err(error) => eprintln!("xtask: postgresql: {error}"),
        }
    }
}

/// A port on 127.0.0.1 that is free now. Another process could take it before the
/// server binds it; the server then fails to start and says so in its log.
fn free_port() -> Result<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| Error::new(format!("cannot find a free port on 127.0.0.1: {e}")))
}

/// `chown postgres:postgres dir`, then checks that user can write there (it cannot if
/// a directory above is closed to others).
fn give_to_system_user(project: &Project, dir: &Path) -> Result<()> {
    let id = |flag: &str| -> Result<u32> {
        let text =
            process::output(project.command("id").args([flag, SYSTEM_USER])).map_err(|e| {
                Error::new(format!(
                    "no `{SYSTEM_USER}` system user (the postgresql package creates it): {e}"
                ))
            })?;
        text.trim().parse().map_err(|_| {
            Error::new(format!(
                "`id {flag} {SYSTEM_USER}` printed `{}`",
                text.trim()
            ))
        })
    };
    std::os::unix::fs::chown(dir, Some(id("-u")?), Some(id("-g")?)).map_err(|e| {
        Error::new(format!(
            "cannot give {} to {SYSTEM_USER}: {e}",
            dir.display()
        ))
    })?;
    let mut test = RunAs::SystemUser.command(project, Path::new("test"), dir);
    test.arg("-w").arg(dir);
    process::output(&mut test).map(drop).map_err(|_| {
        Error::new(format!(
            "the `{SYSTEM_USER}` user cannot write to {}: every directory above it must be \
             searchable by others",
            dir.display()
        ))
    })
}

fn remove_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::new(format!("cannot remove {}: {e}", dir.display())))
        }
        _ => Ok(()),
    }
}

/// Runs capturing the output, which is shown only if the command fails.
fn quiet(command: &mut Command) -> Result<()> {
    let output = command
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::new(format!("cannot start `{}`: {e}", describe(command))))?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Err(Error::new(format!(
        "`{}` failed ({}):\n{}",
        describe(command),
        output.status,
        text.trim_end()
    )))
}

/// The last `lines` lines of the file at `path`, or why it cannot be read.
fn log_tail(path: &Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("(cannot read it: {e})"),
    }
}

/// `cargo xtask postgres -- COMMAND [ARGS...]`: `command` (never empty) in the
/// directory xtask was started from, with a throwaway cluster's `test_env`. Exits as
/// the command does.
pub fn run(project: &Project, command: &[String]) -> Result<ExitCode> {
    let Some((program, args)) = command.split_first() else {
        return Err(Error::new("`postgres` needs a command to run"));
    };
    let cluster = Cluster::start(project)?;
    let mut child = project.command(program);
    child.args(args).envs(cluster.test_env());
    if let Ok(here) = std::env::current_dir() {
        child.current_dir(here);
    }
    let status = process::status(&mut child);
    cluster.stop()?;
    Ok(exit_code(status?))
}

/// The command's own exit code; killed by a signal is a plain failure.
fn exit_code(status: ExitStatus) -> ExitCode {
    status
        .code()
        .and_then(|code| u8::try_from(code).ok())
        .map(ExitCode::from)
        .unwrap_or(ExitCode::FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_highest_version() {
        let check = |names: &[&str], expected: Option<&str>| {
            assert_eq!(
                highest_version(names.iter().copied()),
                expected,
                "{names:?}"
            );
        };
        check(&["15"], Some("15"));
        check(&["13", "15", "14"], Some("15"));
        // Numbers, not strings: "9.6" < "10".
        check(&["9.6", "10"], Some("10"));
        check(&["9.6", "9.10"], Some("9.10"));
        check(&["15", "README", "16beta", ""], Some("15"));
        check(&["README"], None);
        check(&[], None);
    }

    #[test]
    fn finds_only_versions_with_the_server_programs() {
        let lib = std::env::temp_dir().join(format!("lindung-postgres-{}", std::process::id()));
        let _ = fs::remove_dir_all(&lib);
        let write = |file: &str| {
            let path = lib.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        };
        // Nothing installed yet: `ensure_server` installs.
        assert!(find_server(&lib).is_none());
        write("13/bin/initdb");
        write("13/bin/pg_ctl");
        // Only the client package of 16.
        write("16/bin/psql");
        // Half a server.
        write("17/bin/initdb");
        let server = find_server(&lib).unwrap();
        assert_eq!(server.version(), "13");
        assert_eq!(server.bin, lib.join("13").join("bin"));
        fs::remove_dir_all(&lib).unwrap();
    }

    #[test]
    fn builds_the_url() {
        assert_eq!(url(54321), "postgres://postgres@127.0.0.1:54321/postgres");
    }

    #[test]
    fn writes_the_settings() {
        let dir = Path::new("/work/it's/target/xtask-postgres/7");
        let text = settings(5433, dir, Durability::Throwaway);
        assert!(text.contains("\nport = 5433\n"), "{text}");
        assert!(
            text.contains("\nlisten_addresses = '127.0.0.1'\n"),
            "{text}"
        );
        assert!(
            text.contains("\nunix_socket_directories = '/work/it''s/target/xtask-postgres/7'\n"),
            "{text}"
        );
        assert!(text.contains("\nfsync = off\n"), "{text}");
        let durable = settings(5433, dir, Durability::Durable);
        assert!(durable.contains("\nport = 5433\n"), "{durable}");
        assert!(!durable.contains("fsync"), "{durable}");
        assert!(!durable.contains("synchronous_commit"), "{durable}");
    }
}
