//! District ingest: 2,047 bundles × 100 made-up workers (one bundle per village of
//! Kalimantan Barat) ingested by the release `district` binary into a new register,
//! SQLite and PostgreSQL (a cluster of its own, started here with PostgreSQL's default
//! durability), next to the time serde_json takes merely to parse the same bytes; and
//! `district report` of each.
//!
//! The measurement is `crates/district/benches/ingest.rs`, a program run by
//! `cargo bench -p lindung-district --bench ingest` (the release profile, so it
//! also runs alone); its doc comment says exactly what each figure counts. It
//! prints one line `lindung-bench {json}`.

use serde_json::Value;

use super::{Figure, Unit};
use crate::postgres::{Cluster, Durability};
use crate::process::{self, describe};
use crate::project::Project;
use crate::{Error, Result};

const MARKER: &str = "lindung-bench ";

pub fn run(project: &Project) -> Result<Vec<Figure>> {
    // PostgreSQL with its default durability (every commit synced), as a
    // province's server runs it.
    let cluster = Cluster::start_with(project, Durability::Durable)?;
    let mut bench = project.command("cargo");
    bench
        .args(["bench", "-p", "lindung-district", "--bench", "ingest"])
        .env("LINDUNG_BENCH_POSTGRES", cluster.url());
    let streamed = process::run_streamed(&mut bench);
    cluster.stop()?;
    let streamed = streamed?;
    if !streamed.status.success() {
        return Err(Error::new(format!(
            "`{}` failed ({})",
            describe(&bench),
            streamed.status
        )));
    }
    parse(&streamed.text)
}

/// The figures of the bench's `lindung-bench {json}` line.
fn parse(output: &str) -> Result<Vec<Figure>> {
    let line = output
        .lines()
        .find_map(|line| line.strip_prefix(MARKER))
        .ok_or_else(|| {
            Error::new(format!(
                "the ingest bench printed no `{MARKER}{{...}}` line"
            ))
        })?;
    let json: Value = serde_json::from_str(line.trim())
        .map_err(|e| Error::new(format!("the ingest bench's line is not JSON: {e}")))?;
    let number = |key: &str| {
        json[key]
            .as_f64()
            .ok_or_else(|| Error::new(format!("the ingest bench's line has no `{key}`")))
    };
    let (parse, ingest) = (number("parse_ms")?, number("ingest_ms")?);
    let pg_ingest = number("pg_ingest_ms")?;
    let mut figures = vec![
        Figure::new("ingest.bundles", number("bundles")?, Unit::Count),
        Figure::new("ingest.records", number("records")?, Unit::Count),
        Figure::new("ingest.files", number("bytes")?, Unit::Bytes),
        Figure::new("ingest.parse.ms", parse, Unit::Millis),
        Figure::new("ingest.verify.ms", number("verify_ms")?, Unit::Millis),
        Figure::new(
            "ingest.verify_ring.ms",
            number("verify_ring_ms")?,
            Unit::Millis,
        ),
        Figure::new("ingest.district.ms", ingest, Unit::Millis),
        Figure::new("ingest.ratio", ingest / parse, Unit::Ratio),
        Figure::new("ingest.register", number("register_bytes")?, Unit::Bytes),
        Figure::new("ingest.report.ms", number("report_ms")?, Unit::Millis),
        Figure::new("ingest.postgres.ms", pg_ingest, Unit::Millis),
        Figure::new("ingest.postgres.ratio", pg_ingest / parse, Unit::Ratio),
        Figure::new(
            "ingest.postgres.register",
            number("pg_register_bytes")?,
            Unit::Bytes,
        ),
        Figure::new(
            "ingest.postgres.report.ms",
            number("pg_report_ms")?,
            Unit::Millis,
        ),
    ];
    let bundles = number("bundles")?;
    for (prefix, name, cli_ms) in [
        ("upload", "upload", ingest),
        ("pg_upload", "upload.postgres", pg_ingest),
    ] {
        let ms = number(&format!("{prefix}_ms"))?;
        let rate = bundles / (ms / 1000.0);
        let cli_rate = bundles / (cli_ms / 1000.0);
        figures.push(Figure::new(format!("{name}.ms"), ms, Unit::Millis));
        figures.push(Figure::new(
            format!("{name}.bundles_per_s"),
            rate,
            Unit::Count,
        ));
        figures.push(Figure::new(
            format!("{name}.rate_vs_ingest"),
            rate / cli_rate,
            Unit::Ratio,
        ));
        for q in ["p50", "p95"] {
            let value = number(&format!("{prefix}_{q}_ms"))?;
            figures.push(Figure::new(format!("{name}.{q}.ms"), value, Unit::Millis));
        }
        if let Some(peak) = json[format!("{prefix}_peak_bytes")].as_f64() {
            figures.push(Figure::new(
                format!("{name}.peak_memory"),
                peak,
                Unit::Bytes,
            ));
        }
    }
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bench_line_among_cargo_output() {
        let output = "   Compiling lindung-district v0.1.0\n\
            ingest bench: round 1: parse 700 ms, verify 2000 ms, ingest 2100 ms\n\
            lindung-bench {\"bundles\":2047,\"records\":204700,\"bytes\":159333275,\
            \"register_bytes\":1,\"parse_ms\":700.0,\"verify_ms\":2000.0,\"verify_ring_ms\":1500.0,\
            \"ingest_ms\":2100.0,\"report_ms\":900.0,\"villages_source\":\"x\",\
            \"pg_ingest_ms\":3500.0,\"pg_report_ms\":1000.0,\"pg_register_bytes\":2,\
            \"upload_ms\":4200.0,\"upload_p50_ms\":80.0,\"upload_p95_ms\":200.0,\
            \"upload_peak_bytes\":50000000,\"pg_upload_ms\":7000.0,\"pg_upload_p50_ms\":90.0,\
            \"pg_upload_p95_ms\":300.0}\n";
        let figures = parse(output).unwrap();
        let ratio = figures.iter().find(|f| f.name == "ingest.ratio").unwrap();
        assert_eq!(ratio.value, 3.0);
        let pg = figures
            .iter()
            .find(|f| f.name == "ingest.postgres.ratio")
            .unwrap();
        assert_eq!(pg.value, 5.0);
        let rate = figures
            .iter()
            .find(|f| f.name == "upload.rate_vs_ingest")
            .unwrap();
        assert_eq!(rate.value, 0.5);
        // 14, then 6 for SQLite uploads and 5 for PostgreSQL's (no peak).
        assert_eq!(figures.len(), 25);
        assert!(parse("test result: ok.").is_err());
        assert!(parse("lindung-bench {\"parse_ms\":1}").is_err());
    }
}
