//! `crates/core/data/regions.txt`, compiled into the core (read by
//! `lindung_core::RegionTable::parse`): `PP name` for a province, then
//! `PPKK name|CC CC ...` for each of its regencies/cities with their district codes.
//! Only codes and province/regency names are kept: villages are loaded by the app per
//! province, and district names are not needed to judge a NIK.
//!
//! `crates/core/data/provinces.txt` repeats the table's province lines alone: the
//! core's NIK and village-code checks read only it, so the app's first load does not
//! carry the whole table (the core tests that the two files agree).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::source::Source;
use crate::{Error, Result};

const HEADER: &str = "\
# Kemendagri region codes (Kepmendagri 300.2.2-2138/2025), derived from the npm package
# idn-area-data 4.0.1 (https://github.com/fityannugroho/idn-area-data), data licensed ODbL 1.0.
# This derived table is likewise available under ODbL 1.0. Regenerate: cargo xtask regions
# Lines: 'PP name' (province) | 'PPKK name|CC CC ...' (regency/city and its district codes)
";

/// The table: provinces and their regencies in source order, district codes sorted.
/// A regency name containing `|` would break the format and is an error.
pub fn generate(source: &Source) -> Result<String> {
    // regency code "PPKK" -> district codes "CC", sorted
    let mut by_regency: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for district in source.districts() {
        let (regency, code) = district.code.split_at(4);
        by_regency.entry(regency).or_default().push(code);
    }
    let mut out = String::from(HEADER);
    for province in source.provinces() {
        writeln!(out, "{} {}", province.code, province.name).expect("writing to a String");
        for regency in source
            .regencies()
            .iter()
            .filter(|r| r.code.starts_with(&province.code))
        {
            if regency.name.contains('|') {
                return Err(Error::new(format!(
                    "regency {}: the name {:?} contains `|`, which regions.txt cannot hold",
                    regency.code, regency.name
                )));
            }
            let mut codes = by_regency.remove(regency.code.as_str()).unwrap_or_default();
            codes.sort_unstable();
            writeln!(out, "{} {}|{}", regency.code, regency.name, codes.join(" "))
                .expect("writing to a String");
        }
    }
    Ok(out)
}

const PROVINCES_HEADER: &str = "\
# The province lines of regions.txt, alone (read by lindung_core::region::province_name).
# Derived from idn-area-data 4.0.1, data licensed ODbL 1.0. Regenerate: cargo xtask regions
";

/// `provinces.txt`: the `PP name` lines of a table made by [`generate`].
pub fn provinces(table: &str) -> String {
    let mut out = String::from(PROVINCES_HEADER);
    for line in table.lines() {
        if line
            .split_once(' ')
            .is_some_and(|(code, _)| code.len() == 2 && !line.starts_with('#'))
        {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::source::Inputs;

    fn table(provinces: &str, regencies: &str, districts: &str) -> String {
        let inputs =
            Inputs::from_texts([provinces, regencies, districts, "code,district_code,name\n"]);
        let table = generate(&Source::parse(&inputs).unwrap()).unwrap();
        table.strip_prefix(HEADER).unwrap().to_owned()
    }

    #[test]
    fn generates_the_table_format_the_core_reads() {
        assert_eq!(
            table(
                "code,name\n61,Kalimantan Barat\n11,Aceh\n",
                "code,province_code,name\n\
                 61.07,61,Kabupaten Bengkayang\n\
                 61.01,61,Kabupaten Sambas\n\
                 11.01,11,Kabupaten Aceh Selatan\n",
                "code,regency_code,name\n\
                 61.07.02,61.07,Teriak\n\
                 61.07.01,61.07,\"Sungai Raya, Kepulauan\"\n",
            ),
            // Provinces and regencies in source order; a regency without districts
            // keeps an empty list.
            "61 Kalimantan Barat\n6107 Kabupaten Bengkayang|01 02\n6101 Kabupaten Sambas|\n\
             11 Aceh\n1101 Kabupaten Aceh Selatan|\n"
        );
    }

    #[test]
    fn a_regency_name_with_a_bar_is_an_error() {
        let inputs = Inputs::from_texts([
            "code,name\n61,Kalimantan Barat\n",
            "code,province_code,name\n61.07,61,Bengkayang|Lama\n",
            "code,regency_code,name\n",
            "code,district_code,name\n",
        ]);
        let error = generate(&Source::parse(&inputs).unwrap()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "regency 6107: the name \"Bengkayang|Lama\" contains `|`, which regions.txt cannot hold"
        );
    }

    #[test]
    fn provinces_are_the_tables_province_lines() {
        let table = format!("{HEADER}61 Kalimantan Barat\n6107 Kabupaten Bengkayang|01 02\n11 Aceh\n1101 Kabupaten Aceh Selatan|\n");
        assert_eq!(
            provinces(&table).strip_prefix(PROVINCES_HEADER),
            Some("61 Kalimantan Barat\n11 Aceh\n")
        );
    }
}
