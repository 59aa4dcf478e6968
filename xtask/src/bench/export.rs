//! Export and sign in the browser: the first bundle of a device holding 100
//! workers (one village) and 15,000 (a regency's worth), at 4x CPU throttling
//! (tests/bench/export.mjs drives the built app's Export screen), each beside its
//! floor in the same page: `JSON.stringify` of the same records and one WebCrypto
//! ECDSA signature.

use std::path::Path;

use serde_json::json;

use super::workers::{self, VillageSpec};
use super::{write_if_changed, Figure};
use crate::project::Project;
use crate::Result;

/// The village every case puts its workers in.
fn village(workers: usize) -> VillageSpec {
    VillageSpec {
        workers,
        ..workers::REGENCY[0]
    }
}

pub fn run(project: &Project, out: &Path) -> Result<Vec<Figure>> {
    let mut cases = Vec::new();
    for workers in [100, 15_000] {
        let fixture = workers::Fixture::generate(&[village(workers)])?;
        cases.push(json!({
            "workers": workers,
            "rows": fixture.rows()?,
            // As the Export screen words it before the first bundle.
            "pending_text": format!("{workers} data belum dikirim:"),
        }));
    }
    let plan = json!({
        "db": { "name": workers::DB_NAME, "version": workers::DB_VERSION },
        "cpu_throttling": 4,
        "cases": cases,
    });
    let plan_path = out.join("export-plan.json");
    write_if_changed(&plan_path, &plan.to_string())?;
    super::browser::run_node(
        project,
        "tests/bench/export.mjs",
        &[
            project.dist().as_path(),
            &plan_path,
            &out.join("export-result.json"),
        ],
        &out.join("export-result.json"),
    )
}
