//! Bulk insert through the app's store against raw IndexedDB: tests/bench/store/, a
//! wasm-bindgen-test run in headless Chromium by wasm-bindgen-test-runner.
//!
//! tests/bench/store/ is its own one-package workspace (not a member of the app's), so
//! `cargo xtask ci` never builds it; it builds into target/bench-store/ with the app's
//! release settings. The test prints one line `lindung-bench {json}`.

use std::path::Path;

use serde_json::Value;

use super::{Figure, Unit};
use crate::install::CHROMEDRIVER;
use crate::process::{self, describe};
use crate::project::Project;
use crate::{Error, Result};

const MANIFEST: &str = "tests/bench/store/Cargo.toml";
const TARGET_DIR: &str = "target/bench-store";
const MARKER: &str = "lindung-bench ";

pub fn put_records(project: &Project, rows: &Path) -> Result<Vec<Figure>> {
    let mut test = project.command("cargo");
    test.args([
        "test",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "--manifest-path",
        MANIFEST,
        "--target-dir",
        TARGET_DIR,
        "--",
        "--nocapture",
    ])
    .env("LINDUNG_BENCH_ROWS", rows)
    .env("CHROMEDRIVER", CHROMEDRIVER)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "600");
    let streamed = process::run_streamed(&mut test)?;
    if !streamed.status.success() {
        return Err(Error::new(format!(
            "`{}` failed ({})",
            describe(&test),
            streamed.status
        )));
    }
    parse(&streamed.text)
}

/// The figures of the test's `lindung-bench {json}` line.
fn parse(output: &str) -> Result<Vec<Figure>> {
    let line = output
        .lines()
        .find_map(|line| line.split_once(MARKER).map(|(_, json)| json))
        .ok_or_else(|| Error::new(format!("the store bench printed no `{MARKER}{{...}}` line")))?;
    let json: Value = serde_json::from_str(line.trim())
        .map_err(|e| Error::new(format!("the store bench's line is not JSON: {e}")))?;
    let number = |key: &str| {
        json[key]
            .as_f64()
            .ok_or_else(|| Error::new(format!("the store bench's line has no `{key}`")))
    };
    let (store, raw, records) = (number("store_ms")?, number("raw_ms")?, number("records")?);
    println!(
        "bench: {records} records in one transaction: store {store:.0} ms, raw IndexedDB {raw:.0} ms \
         (medians of {} rounds; store rounds {}, raw rounds {})",
        json["rounds"], json["store_rounds_ms"], json["raw_rounds_ms"]
    );
    Ok(vec![
        Figure::new("store.records", records, Unit::Count),
        Figure::new("store.put_records.ms", store, Unit::Millis),
        Figure::new("store.raw_put.ms", raw, Unit::Millis),
        Figure::new("store.put_records.ratio", store / raw, Unit::Ratio),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bench_line_among_the_runner_output() {
        let output = "running 1 test\n\
            Invoking test: put_records_against_raw_indexeddb\n\
            lindung-bench {\"records\":15000,\"rounds\":3,\"store_ms\":1500.0,\"raw_ms\":1000.0,\"store_rounds_ms\":[],\"raw_rounds_ms\":[]}\n\
            test put_records_against_raw_indexeddb ... ok\n";
        let figures = parse(output).unwrap();
        let ratio = figures
            .iter()
            .find(|f| f.name == "store.put_records.ratio")
            .unwrap();
        assert_eq!(ratio.value, 1.5);
        assert!(parse("test result: ok.").is_err());
    }
}
