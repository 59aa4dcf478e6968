//! `cargo xtask bench`: figures about the release build, printed as a table and
//! written to `target/bench/results.json` as `[{"name", "value", "unit"}]`.
//!
//! Every measurement produces `Figure`s; a new measurement adds its figures to the
//! same list, and they land in the same file under their own names. Figures are
//! printed next to their targets but never asserted: timings vary by machine.
//! This machine's speed changes from run to run, so a time that matters has a floor
//! measured beside it in the same run (the same page, the same throttling), and its
//! target is the ratio to that floor.
//!
//! Measurements, in order (each in its own module):
//! - `size`: the first load, raw and gzip (region data excluded).
//! - `workers` + `browser::roster`: a village of 15,000 made-up workers in the
//!   built app's IndexedDB; opening it and searching it at 4x CPU throttling
//!   (tests/bench/roster.mjs). The cold open against reading and parsing the same
//!   rows from IndexedDB in plain JS; the JS heap plus wasm memory of the village open
//!   and searched against the JSON size of the records it holds.
//! - `store`: `IdbStore::put_records` against raw IndexedDB, 15,000 records
//!   (tests/bench/store/, a wasm-bindgen-test outside the app's workspace).
//! - `export`: making and signing the first bundle of 100 and of 15,000 workers
//!   on the app's Export screen at 4x CPU throttling (tests/bench/export.mjs),
//!   against `JSON.stringify` of the same records and one WebCrypto signature.
//! - `browser::lighthouse`: Lighthouse 12 mobile scores, the median run of 5
//!   (tests/bench/lighthouse.mjs).
//! - `ingest`: the district's `district ingest` of 2,047 bundles × 100 records into
//!   SQLite and into PostgreSQL, next to merely parsing them, and `district report`
//!   of each (crates/district/benches/ingest.rs; needs no app build).
//!
//! A measurement that fails is reported and the others still run; the run then
//! fails after writing what was measured.

mod browser;
mod export;
mod ingest;
mod size;
mod store;
pub mod workers;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

use crate::install;
use crate::process;
use crate::project::Project;
use crate::{Error, Result};

/// The measurements, by the names `cargo xtask bench NAME...` selects them with.
pub const MEASUREMENTS: [&str; 6] = ["size", "roster", "store", "export", "lighthouse", "ingest"];

/// Runs every measurement, or only those named in `only` (see [`MEASUREMENTS`]).
pub fn run(project: &Project, only: &[String]) -> Result<()> {
    let wants = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    // The app's toolchain, npm packages (Lighthouse, playwright-core) and Chromium.
    install::ensure_ci_tools(project)?;
    if MEASUREMENTS.iter().any(|m| *m != "ingest" && wants(m)) {
        process::run(project.command("trunk").args(["build", "--release"]))?;
    }
    let out = project.root().join("target").join("bench");
    fs::create_dir_all(&out)
        .map_err(|e| Error::new(format!("cannot create {}: {e}", out.display())))?;

    let mut bench = Bench {
        figures: Vec::new(),
        failures: Vec::new(),
    };
    if wants("size") {
        bench.measure("first load", || {
            let bundle = size::Bundle::measure(&project.dist())?;
            bundle.print_table();
            Ok(bundle.figures())
        });
    }
    if wants("roster") || wants("store") {
        let fixture = bench.step("fixture", || Fixtures::write(&out));
        if let Some(fixture) = &fixture {
            if wants("roster") {
                bench.measure("roster (browser, 4x CPU throttling)", || {
                    browser::roster(project, &fixture.plan, &out.join("roster-result.json"))
                });
            }
            if wants("store") {
                bench.measure("store bulk insert (wasm-bindgen-test)", || {
                    store::put_records(project, &fixture.store_rows)
                });
            }
        }
    }
    if wants("export") {
        bench.measure("export and sign (browser, 4x CPU throttling)", || {
            export::run(project, &out)
        });
    }
    if wants("lighthouse") {
        bench.measure("lighthouse (mobile)", || {
            browser::lighthouse(
                project,
                &out.join("lighthouse-result.json"),
                &out.join("lighthouse-report.json"),
            )
        });
        bench.measure("lighthouse of a bare Leptos page (the floor)", || {
            browser::lighthouse_floor(
                project,
                &out.join("floor-page"),
                &out.join("lighthouse-floor-result.json"),
                &out.join("lighthouse-floor-report.json"),
            )
        });
        let over = over_floor(&bench.figures);
        bench.figures.extend(over);
    }
    if wants("ingest") {
        bench.measure("district ingest (release build)", || ingest::run(project));
    }

    println!("\nbench: ==== figures");
    print_figures(&bench.figures);
    let results = out.join("results.json");
    write_results(&results, &bench.figures)?;
    println!(
        "\nxtask: {} figures written to {}",
        bench.figures.len(),
        results.display()
    );
    if bench.failures.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "bench: {} measurement(s) failed: {}",
            bench.failures.len(),
            bench.failures.join("; ")
        )))
    }
}

/// The app's Lighthouse TBT and LCP above the bare page's of the same run:
/// `lighthouse.{tbt,lcp}.over_floor.ms`, when both were measured.
fn over_floor(figures: &[Figure]) -> Vec<Figure> {
    let value = |name: &str| figures.iter().find(|f| f.name == name).map(|f| f.value);
    ["tbt", "lcp"]
        .into_iter()
        .filter_map(|metric| {
            let app = value(&format!("lighthouse.{metric}.ms"))?;
            let floor = value(&format!("lighthouse.floor.{metric}.ms"))?;
            Some(Figure::new(
                format!("lighthouse.{metric}.over_floor.ms"),
                app - floor,
                Unit::Millis,
            ))
        })
        .collect()
}

struct Bench {
    figures: Vec<Figure>,
    failures: Vec<String>,
}

impl Bench {
    /// Runs one step, timing and reporting it; `None` if it failed.
    fn step<T>(&mut self, what: &str, run: impl FnOnce() -> Result<T>) -> Option<T> {
        println!("\nbench: ==== {what}");
        let start = Instant::now();
        match run() {
            Ok(value) => {
                println!(
                    "bench: {what}: done in {:.1}s",
                    start.elapsed().as_secs_f64()
                );
                Some(value)
            }
            Err(error) => {
                println!(
                    "bench: {what}: FAILED in {:.1}s: {error}",
                    start.elapsed().as_secs_f64()
                );
                self.failures.push(format!("{what}: {error}"));
                None
            }
        }
    }

    fn measure(&mut self, what: &str, run: impl FnOnce() -> Result<Vec<Figure>>) {
        if let Some(figures) = self.step(what, run) {
            self.figures.extend(figures);
        }
    }
}

/// The generated inputs of the browser measurements, in target/bench/.
struct Fixtures {
    /// What tests/bench/roster.mjs does: rows to seed, the village, the keystrokes.
    plan: PathBuf,
    /// The big village's record rows, for tests/bench/store/.
    store_rows: PathBuf,
}

impl Fixtures {
    fn write(out: &Path) -> Result<Fixtures> {
        let start = Instant::now();
        let fixture = workers::Fixture::generate(&workers::REGENCY)?;
        let big = workers::REGENCY[0];
        let workspace = fixture.workspace()?;
        let script = workers::search_script(&workspace, big.code)?;
        let total: usize = workers::REGENCY.iter().map(|v| v.workers).sum();
        println!(
            "bench: {total} made-up workers in {} villages ({} in {}), generated in {:.1}s",
            workers::REGENCY.len(),
            big.workers,
            big.code,
            start.elapsed().as_secs_f64()
        );
        let keystrokes: Vec<Value> = script
            .iter()
            .map(|k| {
                json!({
                    "key": k.key.map(String::from),
                    "text": k.text,
                    "count_text": k.count_text,
                })
            })
            .collect();
        let plan = json!({
            "db": { "name": workers::DB_NAME, "version": workers::DB_VERSION },
            "rows": fixture.rows()?,
            "village": {
                "code": big.code,
                "hash": format!("#/desa/{}", big.code),
                "count_text": workers::count_text(big.workers),
            },
            "cpu_throttling": 4,
            "keystrokes": keystrokes,
        });
        let fixtures = Fixtures {
            plan: out.join("roster-plan.json"),
            store_rows: out.join("store-rows.json"),
        };
        write_if_changed(&fixtures.plan, &plan.to_string())?;
        let rows = Value::Array(fixture.record_rows(big.code)?);
        // Compiled into the store bench: rewriting an unchanged file would rebuild it.
        write_if_changed(&fixtures.store_rows, &rows.to_string())?;
        Ok(fixtures)
    }
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text).map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
}

/// One measured number, as stored in results.json.
#[derive(Debug, PartialEq)]
pub struct Figure {
    /// Dotted and stable, e.g. `release.wasm.gzip`: tools compare runs by name.
    pub name: String,
    pub value: f64,
    pub unit: Unit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Millis,
    /// A Lighthouse category score, 0 to 100.
    Score,
    /// One figure divided by another (a time by its floor, memory by data size).
    Ratio,
    Count,
}

impl Unit {
    const ALL: [Unit; 5] = [
        Unit::Bytes,
        Unit::Millis,
        Unit::Score,
        Unit::Ratio,
        Unit::Count,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::Millis => "ms",
            Unit::Score => "score",
            Unit::Ratio => "ratio",
            Unit::Count => "count",
        }
    }

    fn parse(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|unit| unit.as_str() == text)
    }
}

impl Figure {
    fn new(name: impl Into<String>, value: f64, unit: Unit) -> Figure {
        Figure {
            name: name.into(),
            value,
            unit,
        }
    }

    fn bytes(name: impl Into<String>, bytes: u64) -> Figure {
        Figure::new(name, bytes as f64, Unit::Bytes)
    }

    fn to_json(&self) -> Value {
        // Whole numbers are written without a fraction (`1234`, not `1234.0`).
        let value = if self.value.fract() == 0.0 && self.value.abs() < 1e15 {
            json!(self.value as i64)
        } else {
            json!(self.value)
        };
        json!({ "name": self.name, "value": value, "unit": self.unit.as_str() })
    }

    /// Reads `[{"name", "value", "unit"}]`, as the node benches write it.
    fn parse_list(json: &Value) -> Result<Vec<Figure>> {
        let bad = |what: &str| Error::new(format!("bad figure list ({what}): {json}"));
        json.as_array()
            .ok_or_else(|| bad("not an array"))?
            .iter()
            .map(|figure| {
                let name = figure["name"].as_str().ok_or_else(|| bad("name"))?;
                let value = figure["value"].as_f64().ok_or_else(|| bad("value"))?;
                let unit = figure["unit"]
                    .as_str()
                    .and_then(Unit::parse)
                    .ok_or_else(|| bad("unit"))?;
                Ok(Figure::new(name, value, unit))
            })
            .collect()
    }

    /// The value for people: `339.7 kB`, `412 ms`, `1.23`.
    fn display_value(&self) -> String {
        match self.unit {
            Unit::Bytes => format!("{} kB", kilobytes(self.value as u64)),
            Unit::Millis => format!("{:.0} ms", self.value),
            Unit::Score | Unit::Count => format!("{:.0}", self.value),
            Unit::Ratio => format!("{:.2}", self.value),
        }
    }
}

/// What a figure should be. Shown next to it; never enforced.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    AtMost(f64),
    AtLeast(f64),
}

const TARGETS: [(&str, Target); 21] = [
    ("release.first_load.gzip", Target::AtMost(250_000.0)),
    ("roster.open.ratio", Target::AtMost(2.0)),
    ("roster.search.ratio", Target::AtMost(1.2)),
    ("roster.memory.ratio", Target::AtMost(3.0)),
    ("export.100.ratio", Target::AtMost(2.0)),
    ("export.15000.ratio", Target::AtMost(2.0)),
    ("ingest.ratio", Target::AtMost(3.0)),
    ("ingest.postgres.ratio", Target::AtMost(5.0)),
    ("upload.rate_vs_ingest", Target::AtLeast(0.5)),
    ("upload.p95.ms", Target::AtMost(500.0)),
    ("upload.peak_memory", Target::AtMost(150_000_000.0)),
    ("upload.postgres.rate_vs_ingest", Target::AtLeast(0.5)),
    ("upload.postgres.p95.ms", Target::AtMost(500.0)),
    ("upload.postgres.peak_memory", Target::AtMost(150_000_000.0)),
    ("ingest.district.ms", Target::AtMost(30_000.0)),
    ("store.put_records.ratio", Target::AtMost(1.5)),
    ("lighthouse.performance", Target::AtLeast(95.0)),
    ("lighthouse.accessibility", Target::AtLeast(100.0)),
    ("lighthouse.best_practices", Target::AtLeast(100.0)),
    // Beside a bare Leptos page built with the same tools, in the same run.
    ("lighthouse.tbt.over_floor.ms", Target::AtMost(100.0)),
    ("lighthouse.lcp.over_floor.ms", Target::AtMost(500.0)),
];

impl Target {
    fn of(name: &str) -> Option<Target> {
        TARGETS
            .iter()
            .find(|(target, _)| *target == name)
            .map(|(_, target)| *target)
    }

    fn met_by(self, value: f64) -> bool {
        match self {
            Target::AtMost(limit) => value <= limit,
            Target::AtLeast(limit) => value >= limit,
        }
    }

    fn describe(self, unit: Unit) -> String {
        let (sign, limit) = match self {
            Target::AtMost(limit) => ("<=", limit),
            Target::AtLeast(limit) => (">=", limit),
        };
        format!("{sign} {}", Figure::new("", limit, unit).display_value())
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.name, self.display_value())
    }
}

fn print_figures(figures: &[Figure]) {
    let width = figures.iter().map(|f| f.name.len()).max().unwrap_or(0);
    for figure in figures {
        let verdict = match Target::of(&figure.name) {
            Some(target) if target.met_by(figure.value) => {
                format!("target {}: met", target.describe(figure.unit))
            }
            Some(target) => format!("target {}: MISSED", target.describe(figure.unit)),
            None => String::new(),
        };
        let line = format!(
            "{:<width$}  {:>12}  {verdict}",
            figure.name,
            figure.display_value()
        );
        println!("{}", line.trim_end());
    }
}

fn write_results(path: &Path, figures: &[Figure]) -> Result<()> {
    let json = Value::Array(figures.iter().map(Figure::to_json).collect());
    let text = serde_json::to_string_pretty(&json).expect("a JSON value always serializes") + "\n";
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, text)
    };
    write().map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
}

fn kilobytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_is_measured_over_the_floor_page_of_the_same_run() {
        let figures = [
            Figure::new("lighthouse.tbt.ms", 234.0, Unit::Millis),
            Figure::new("lighthouse.lcp.ms", 2_900.0, Unit::Millis),
            Figure::new("lighthouse.floor.tbt.ms", 120.0, Unit::Millis),
            Figure::new("lighthouse.floor.lcp.ms", 1_800.0, Unit::Millis),
        ];
        let over = over_floor(&figures);
        assert_eq!(
            over.iter()
                .map(|f| (f.name.as_str(), f.value))
                .collect::<Vec<_>>(),
            [
                ("lighthouse.tbt.over_floor.ms", 114.0),
                ("lighthouse.lcp.over_floor.ms", 1_100.0)
            ]
        );
        assert!(over.iter().all(|f| f.unit == Unit::Millis));
        // Without the floor's figures (its build failed): nothing made up.
        assert!(over_floor(&figures[..2]).is_empty());
    }

    #[test]
    fn figures_are_written_as_plain_numbers() {
        let figures = [
            Figure::bytes("release.wasm.gzip", 85_123),
            Figure::new("store.put_records.ratio", 0.5, Unit::Ratio),
        ];
        let json: Vec<Value> = figures.iter().map(Figure::to_json).collect();
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            r#"[{"name":"release.wasm.gzip","unit":"bytes","value":85123},{"name":"store.put_records.ratio","unit":"ratio","value":0.5}]"#
        );
    }

    #[test]
    fn figure_lists_read_back_and_bad_ones_are_errors() {
        let figures = [
            Figure::new("roster.search.p95", 412.5, Unit::Millis),
            Figure::new("lighthouse.performance", 97.0, Unit::Score),
        ];
        let json = Value::Array(figures.iter().map(Figure::to_json).collect());
        assert_eq!(Figure::parse_list(&json).unwrap(), figures);
        for bad in [
            json!({}),
            json!([{"name": "x", "value": 1}]),
            json!([{"name": "x", "value": "1", "unit": "ms"}]),
            json!([{"name": "x", "value": 1, "unit": "parsecs"}]),
        ] {
            assert!(Figure::parse_list(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_are_shown_not_enforced() {
        let check = |name: &str, value: f64, expected: Option<bool>| {
            let met = Target::of(name).map(|t| t.met_by(value));
            assert_eq!(met, expected, "{name} = {value}");
        };
        check("release.first_load.gzip", 250_000.0, Some(true));
        check("release.first_load.gzip", 250_001.0, Some(false));
        check("lighthouse.accessibility", 100.0, Some(true));
        check("lighthouse.performance", 94.0, Some(false));
        check("store.put_records.ratio", 1.49, Some(true));
        check("roster.open.ratio", 2.0, Some(true));
        check("roster.memory.ratio", 3.1, Some(false));
        check("export.15000.ratio", 2.5, Some(false));
        check("export.15000.ms", 1e9, None);
        check("roster.search.p95", 1e9, None);
        assert_eq!(
            Target::AtMost(250_000.0).describe(Unit::Bytes),
            "<= 250.0 kB"
        );
    }
}
