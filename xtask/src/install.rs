//! `ensure_*`: make a tool present at the right version, doing nothing when it already
//! is. Everything comes from a package registry through its own client (rustup,
//! `cargo install`, `npm ci`, apt-get); nothing downloads a binary from elsewhere.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use crate::postgres;
use crate::process::{describe, output, run};
use crate::project::Project;
use crate::{Error, Result};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A tool installed with `cargo install`.
struct CargoTool {
    krate: &'static str,
    version: &'static str,
    /// Every executable the crate must provide, each checked with `--version`.
    bins: &'static [&'static str],
    /// `--locked`: use the crate's own lockfile. Not for wasm-bindgen-cli, whose
    /// lockfile wants a webpki-roots version that the registry lacks.
    locked: bool,
    /// `--features`, when the crate builds its executable only with them.
    features: &'static str,
    /// Whether the executables answer `--version`; if not, `cargo install --list`
    /// tells the version installed.
    version_flag: bool,
}

/// Must equal the `wasm-bindgen` version in Cargo.lock (checked).
const WASM_BINDGEN: CargoTool = CargoTool {
    krate: "wasm-bindgen-cli",
    version: "0.2.130",
    bins: &["wasm-bindgen", "wasm-bindgen-test-runner"],
    locked: false,
    features: "",
    version_flag: true,
};

/// trunk 0.22 needs a newer rustc than ours.
const TRUNK: CargoTool = CargoTool {
    krate: "trunk",
    version: "0.21.14",
    bins: &["trunk"],
    locked: true,
    features: "",
    version_flag: true,
};

/// Splits the app's .wasm into chunks loaded on demand (tools/split.mjs). Reads the
/// split points of `wasm_split_helpers` 0.2.3 (Cargo.lock, through Leptos): the 0.2
/// series shares their format.
const WASM_SPLIT: CargoTool = CargoTool {
    krate: "wasm_split_cli_support",
    version: "0.2.4",
    bins: &["wasm-split-cli"],
    locked: true,
    features: "build-binary",
    version_flag: false,
};

/// The wasm-opt Trunk.toml asks for (`wasm_opt = "version_132"`), from npm `binaryen`.
const WASM_OPT_VERSION: &str = "version 132";

/// What `serve` and `bench` need: the app's toolchain.
pub fn ensure_app_tools(project: &Project) -> Result<()> {
    ensure_wasm_target(project)?;
    ensure_cargo_tool(project, &WASM_BINDGEN)?;
    check_wasm_bindgen_matches_lockfile(project)?;
    ensure_cargo_tool(project, &TRUNK)?;
    ensure_cargo_tool(project, &WASM_SPLIT)?;
    ensure_npm_packages(project)?;
    ensure_wasm_opt(project)
}

/// What `ci` needs: the app's toolchain, rustfmt and clippy, a browser, and
/// PostgreSQL for the register's tests.
pub fn ensure_ci_tools(project: &Project) -> Result<()> {
    ensure_rust_components(project)?;
    ensure_app_tools(project)?;
    ensure_chromium(project)?;
    ensure_postgres(project)
}

fn ensure_rust_components(project: &Project) -> Result<()> {
    let fmt = output(project.command("cargo").args(["fmt", "--version"]));
    let clippy = output(project.command("cargo").args(["clippy", "--version"]));
    if fmt.is_ok() && clippy.is_ok() {
        return present("rustfmt and clippy");
    }
    installing("rustfmt and clippy");
    run(project
        .command("rustup")
        .args(["component", "add", "rustfmt", "clippy"]))
}

fn ensure_wasm_target(project: &Project) -> Result<()> {
    let installed = output(
        project
            .command("rustup")
            .args(["target", "list", "--installed"]),
    )?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return present(WASM_TARGET);
    }
    installing(WASM_TARGET);
    run(project
        .command("rustup")
        .args(["target", "add", WASM_TARGET]))
}

fn ensure_cargo_tool(project: &Project, tool: &CargoTool) -> Result<()> {
    let label = format!("{} {}", tool.krate, tool.version);
    if tool
        .bins
        .iter()
        .all(|bin| has_tool_version(project, tool, bin))
    {
        return present(&label);
    }
    installing(&label);
    let mut install = project.command("cargo");
    install.args(["install", tool.krate, "--version", tool.version]);
    if tool.locked {
        install.arg("--locked");
    }
    if !tool.features.is_empty() {
        install.args(["--features", tool.features]);
    }
    run(&mut install)?;
    // Catches an older copy earlier on PATH shadowing the one just installed.
    for bin in tool.bins {
        if !has_tool_version(project, tool, bin) {
            let found = project
                .which(bin)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "nothing".into());
            return Err(Error::new(format!(
                "`{}` installed, but `{bin} --version` on PATH ({found}) is not {}",
                describe(&install),
                tool.version
            )));
        }
    }
    Ok(())
}

/// Whether `bin` of `tool` is on PATH at the tool's version.
fn has_tool_version(project: &Project, tool: &CargoTool, bin: &str) -> bool {
    if tool.version_flag {
        return has_version(project, bin, tool.version);
    }
    // `cargo install --list` names each installed crate as `<crate> v<version>:`.
    let listed = format!("{} v{}:", tool.krate, tool.version);
    let installed = output(project.command("cargo").args(["install", "--list"]))
        .is_ok_and(|list| list.lines().any(|line| line.trim() == listed));
    installed && project.which(bin).is_some()
}

/// Whether `program --version` runs and names exactly `version`.
fn has_version(project: &Project, program: &str, version: &str) -> bool {
    match output(project.command(program).arg("--version")) {
        Ok(text) => text.split_whitespace().any(|word| word == version),
        Err(_) => false,
    }
}

/// Trunk and the test runner refuse a wasm-bindgen CLI that differs from the library.
fn check_wasm_bindgen_matches_lockfile(project: &Project) -> Result<()> {
    let lockfile = project.root().join("Cargo.lock");
    let Ok(text) = fs::read_to_string(&lockfile) else {
        return Ok(()); // No lockfile yet: the first build writes it from the exact pin.
    };
    match locked_version(&text, "wasm-bindgen") {
        Some(locked) if locked != WASM_BINDGEN.version => Err(Error::new(format!(
            "Cargo.lock has wasm-bindgen {locked} but xtask installs wasm-bindgen-cli {}; \
             keep them equal (xtask/src/install.rs, WASM_BINDGEN)",
            WASM_BINDGEN.version
        ))),
        _ => Ok(()),
    }
}

/// The version of package `name` in a Cargo.lock, if it is there.
fn locked_version<'a>(lockfile: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lockfile.lines();
    lines.find(|line| line.trim() == wanted)?;
    let version = lines.next()?.trim().strip_prefix("version = \"")?;
    version.strip_suffix('"')
}

/// `npm ci` when node_modules is missing or older than package-lock.json.
pub fn ensure_npm_packages(project: &Project) -> Result<()> {
    let lock = project.root().join("package-lock.json");
    // npm writes this copy of the lockfile into node_modules on every install.
    let installed = project
        .root()
        .join("node_modules")
        .join(".package-lock.json");
    let lock_time = modified(&lock).ok_or_else(|| {
        Error::new(format!(
            "{} is missing; it lists the npm tools",
            lock.display()
        ))
    })?;
    if modified(&installed).is_some_and(|installed_time| installed_time >= lock_time) {
        return present("npm packages");
    }
    installing("npm packages (npm ci)");
    run(project
        .command("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        // Playwright runs the system Chromium; it must never fetch browsers.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
}

/// The wasm-opt on our PATH must be npm's binaryen 132: Debian's wasm-opt 108 "works"
/// but produces a page that dies in `WebAssembly.Table.set()`.
fn ensure_wasm_opt(project: &Project) -> Result<()> {
    let expected = project.node_bin().join("wasm-opt");
    let found = project.which("wasm-opt");
    if found.as_deref() != Some(expected.as_path()) {
        return Err(Error::new(format!(
            "wasm-opt should resolve to {} (npm binaryen) but resolves to {}",
            expected.display(),
            found
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "nothing".into())
        )));
    }
    let version = output(project.command("wasm-opt").arg("--version"))?;
    if !version.contains(WASM_OPT_VERSION) {
        return Err(Error::new(format!(
            "{} reports `{}`, expected {WASM_OPT_VERSION}; run `npm ci`",
            expected.display(),
            version.trim()
        )));
    }
    present("wasm-opt 132 (npm binaryen)")
}

fn ensure_chromium(project: &Project) -> Result<()> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return present("chromium and chromedriver");
    }
    installing("chromium and chromium-driver (apt-get)");
    apt_install(project, &["chromium", "chromium-driver"])
}

/// PostgreSQL's server programs, for the register's tests (see `postgres`).
fn ensure_postgres(project: &Project) -> Result<()> {
    let server = postgres::ensure_server(project)?;
    present(&format!("postgresql {}", server.version()))
}

/// Whether xtask runs as root (uid 0).
pub fn is_root(project: &Project) -> bool {
    output(project.command("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// `apt-get install -y PACKAGES`, after one `apt-get update` per xtask run; through
/// sudo when we are not root.
pub fn apt_install(project: &Project, packages: &[&str]) -> Result<()> {
    static UPDATED: AtomicBool = AtomicBool::new(false);
    let apt = |args: &[&str]| {
        let mut command = if is_root(project) {
            project.command("apt-get")
        } else if project.which("sudo").is_some() {
            let mut sudo = project.command("sudo");
            sudo.arg("apt-get");
            sudo
        } else {
            return Err(Error::new(format!(
                "{} must be installed and we are neither root nor have sudo; \
                 as root run: apt-get update && apt-get install -y {}",
                packages.join(" and "),
                packages.join(" ")
            )));
        };
        run(command.args(args).env("DEBIAN_FRONTEND", "noninteractive"))
    };
    if !UPDATED.load(Ordering::Relaxed) {
        apt(&["update"])?;
        UPDATED.store(true, Ordering::Relaxed);
    }
    let mut args = vec!["install", "-y"];
    args.extend_from_slice(packages);
    apt(&args)
}

pub fn present(what: &str) -> Result<()> {
    println!("xtask: {what}: present");
    Ok(())
}

pub fn installing(what: &str) {
    println!("xtask: {what}: installing");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_package_version_in_a_lockfile() {
        let lockfile = "\
[[package]]
name = \"wasm-bindgen\"
version = \"0.2.130\"
source = \"registry+https://github.com/rust-lang/crates.io-index\"

[[package]]
name = \"wasm-bindgen-backend\"
version = \"0.2.99\"
";
        assert_eq!(locked_version(lockfile, "wasm-bindgen"), Some("0.2.130"));
        assert_eq!(
            locked_version(lockfile, "wasm-bindgen-backend"),
            Some("0.2.99")
        );
        assert_eq!(locked_version(lockfile, "trunk"), None);
    }
}
