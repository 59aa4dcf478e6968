//! `cargo xtask regions`: regenerates `crates/core/data/regions.txt` from the npm
//! package `idn-area-data` (Kemendagri codes; data under ODbL 1.0).
//!
//! Output format (read by `lindung_core::RegionTable::parse`): `PP name` for a
//! province, then `PPKK name|CC CC ...` for each of its regencies/cities with their
//! district codes. Only codes and province/regency names are kept: villages are
//! loaded by the app per province, and district names are not needed to judge a NIK.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::install::ensure_npm_packages;
use crate::project::Project;
use crate::{Error, Result};

const HEADER: &str = "\
# Kemendagri region codes (Kepmendagri 300.2.2-2138/2025), derived from the npm package
# idn-area-data 4.0.1 (https://github.com/fityannugroho/idn-area-data), data licensed ODbL 1.0.
# This derived table is likewise available under ODbL 1.0. Regenerate: cargo xtask regions
# Lines: 'PP name' (province) | 'PPKK name|CC CC ...' (regency/city and its district codes)
";

pub fn run(project: &Project) -> Result<()> {
    ensure_npm_packages(project)?;
    let data = project.root().join("node_modules/idn-area-data/data");
    let table = generate(
        &read(&data.join("provinces.csv"))?,
        &read(&data.join("regencies.csv"))?,
        &read(&data.join("districts.csv"))?,
    )?;
    let out = project.root().join("crates/core/data/regions.txt");
    fs::write(&out, table)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", out.display())))?;
    println!("regions: wrote {}", out.display());
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))
}

/// Rows of a CSV file with a header line. The region files quote no codes; a name
/// may be quoted, and only the first `columns - 1` commas split fields.
fn rows(csv: &str, columns: usize) -> Result<Vec<Vec<String>>> {
    csv.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<String> = line
                .splitn(columns, ',')
                .map(|f| f.trim().trim_matches('"').replace("\"\"", "\""))
                .collect();
            if fields.len() == columns {
                Ok(fields)
            } else {
                Err(Error::new(format!("expected {columns} columns: {line}")))
            }
        })
        .collect()
}

fn generate(provinces: &str, regencies: &str, districts: &str) -> Result<String> {
    // regency code "PP.KK" -> district codes "CC"
    let mut by_regency: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows(districts, 3)? {
        let code = row[0].rsplit('.').next().unwrap_or_default().to_owned();
        by_regency.entry(row[1].clone()).or_default().push(code);
    }
    let regencies = rows(regencies, 3)?;
    let mut out = String::from(HEADER);
    for province in rows(provinces, 2)? {
        writeln!(out, "{} {}", province[0], province[1]).expect("writing to a String");
        for regency in regencies.iter().filter(|r| r[1] == province[0]) {
            let mut codes = by_regency.remove(&regency[0]).unwrap_or_default();
            codes.sort();
            writeln!(
                out,
                "{} {}|{}",
                regency[0].replace('.', ""),
                regency[2],
                codes.join(" ")
            )
            .expect("writing to a String");
        }
    }
    if let Some(orphan) = by_regency.keys().next() {
        return Err(Error::new(format!(
            "district of unknown regency {orphan} in idn-area-data"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_table_format_the_core_reads() {
        let table = generate(
            "code,name\n61,Kalimantan Barat\n",
            "code,province_code,name\n61.07,61,Kabupaten Bengkayang\n",
            "code,regency_code,name\n61.07.02,61.07,Teriak\n61.07.01,61.07,\"Sungai Raya, Kepulauan\"\n",
        )
        .unwrap();
        assert_eq!(
            table.strip_prefix(HEADER).unwrap(),
            "61 Kalimantan Barat\n6107 Kabupaten Bengkayang|01 02\n"
        );
    }

    #[test]
    fn a_district_of_an_unknown_regency_is_an_error() {
        let error = generate(
            "code,name\n61,Kalimantan Barat\n",
            "code,province_code,name\n",
            "code,regency_code,name\n61.07.01,61.07,Sungai Raya\n",
        )
        .unwrap_err();
        assert!(error.to_string().contains("61.07"), "{error}");
    }
}
