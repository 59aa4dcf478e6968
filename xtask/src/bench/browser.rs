//! The measurements that drive the built app in Chromium from node
//! (tests/bench/*.mjs). Each script writes `{"figures": [{"name", "value", "unit"}]}`
//! to the result file it is given; its own progress goes to the terminal.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::Figure;
use crate::process;
use crate::project::Project;
use crate::{Error, Result};

/// Debian's Chromium (installed by `install::ensure_ci_tools`).
const CHROMIUM: &str = "/usr/bin/chromium";

/// tests/bench/roster.mjs: seeds IndexedDB from `plan`, opens the big village and
/// types the search keystrokes at 4x CPU throttling; beside them, the floor of the
/// open (plain JS reading the same rows) and the page's memory.
pub fn roster(project: &Project, plan: &Path, result: &Path) -> Result<Vec<Figure>> {
    let dist = project.dist();
    run_node(
        project,
        "tests/bench/roster.mjs",
        &[dist.as_path(), plan, result],
        result,
    )
}

/// tests/bench/lighthouse.mjs: Lighthouse 12, mobile, on the built app served
/// locally; the full report is kept in `report`.
pub fn lighthouse(project: &Project, result: &Path, report: &Path) -> Result<Vec<Figure>> {
    let dist = project.dist();
    run_node(
        project,
        "tests/bench/lighthouse.mjs",
        &[dist.as_path(), result, report],
        result,
    )
}

/// Lighthouse on the floor page (crates/floor-page: a bare Leptos page)
/// built into `out` with the app's toolchain: Trunk, and wasm-bindgen and
/// binaryen's `wasm-opt -Oz` from the project PATH, the `app` profile. Its
/// figures are named `lighthouse.floor.*`.
pub fn lighthouse_floor(
    project: &Project,
    out: &Path,
    result: &Path,
    report: &Path,
) -> Result<Vec<Figure>> {
    let _ = fs::remove_dir_all(out);
    let crate_dir = project.root().join("crates").join("floor-page");
    let mut trunk = project.command("trunk");
    trunk
        .args(["build", "--release", "--dist"])
        .arg(out)
        .current_dir(&crate_dir);
    process::run(&mut trunk)?;
    let prefix = Path::new("lighthouse.floor");
    run_node(
        project,
        "tests/bench/lighthouse.mjs",
        &[out, result, report, prefix],
        result,
    )
}

pub(super) fn run_node(
    project: &Project,
    script: &str,
    args: &[&Path],
    result: &Path,
) -> Result<Vec<Figure>> {
    match fs::remove_file(result) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::new(format!(
                "cannot remove stale {}: {e}",
                result.display()
            )))
        }
        _ => {}
    }
    process::run(
        project
            .command("node")
            .arg(script)
            .args(args)
            .env("CHROME_PATH", CHROMIUM),
    )?;
    let text = fs::read_to_string(result).map_err(|e| {
        Error::new(format!(
            "{script} wrote no result at {}: {e}",
            result.display()
        ))
    })?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| Error::new(format!("{}: not JSON: {e}", result.display())))?;
    Figure::parse_list(&json["figures"])
}
