//! Kemendagri region codes: provinces, regencies/cities and their districts.
//!
//! The table is generated from the npm package `idn-area-data` (data under
//! ODbL 1.0) into `data/regions.txt` and compiled in. Villages are not here:
//! the app loads them per province when needed.
//!
//! `data/provinces.txt` repeats the table's province lines alone, for
//! [`province_name`]: the NIK and village-code checks need only provinces, and
//! reading the small file keeps the whole table (35 kB) out of the app's
//! first-load module. A test keeps the two files in step.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const KEMENDAGRI: &str = include_str!("../data/regions.txt");
const PROVINCES: &str = include_str!("../data/provinces.txt");

/// Name of the Kemendagri province with the two-digit `code`, read from
/// `data/provinces.txt` alone (the same answer as
/// `RegionTable::kemendagri().province_name`).
pub fn province_name(code: &str) -> Option<&'static str> {
    // (code, name) in code order: the file lists them so, as a test checks.
    static LIST: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        PROVINCES
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once(' '))
            .collect()
    });
    let index = list.binary_search_by(|(c, _)| (*c).cmp(code)).ok()?;
    Some(list[index].1)
}

/// Province, regency and district codes. Built once from the embedded table.
#[derive(Debug)]
pub struct RegionTable {
    provinces: BTreeMap<String, String>,
    /// By code: a sorted list rather than a second map type in the wasm.
    regencies: Vec<Regency>,
}

#[derive(Debug)]
struct Regency {
    /// `PPKK`
    code: String,
    name: String,
    districts: Vec<String>,
}

impl RegionTable {
    /// The Kemendagri table (Kepmendagri 300.2.2-2138/2025) compiled into the crate.
    pub fn kemendagri() -> &'static RegionTable {
        static TABLE: OnceLock<RegionTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            RegionTable::parse(KEMENDAGRI).expect("the embedded region table is well formed")
        })
    }

    /// Parses the `data/regions.txt` format: `PP name` for a province,
    /// `PPKK name|CC CC ...` for a regency or city and its district codes;
    /// `#` starts a comment line.
    pub fn parse(text: &str) -> Result<RegionTable, String> {
        let mut provinces = BTreeMap::new();
        let mut regencies: Vec<Regency> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |what: &str| format!("line {}: {what}", index + 1);
            let (code, rest) = line.split_once(' ').ok_or_else(|| fail("no name"))?;
            if !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail("code is not numeric"));
            }
            match code.len() {
                2 => {
                    provinces.insert(code.to_owned(), rest.to_owned());
                }
                4 => {
                    if !provinces.contains_key(&code[..2]) {
                        return Err(fail("regency before its province"));
                    }
                    let (name, districts) = rest.split_once('|').ok_or_else(|| fail("no '|'"))?;
                    let districts: Vec<String> =
                        districts.split_whitespace().map(str::to_owned).collect();
                    if districts.iter().any(|d| d.len() != 2) {
                        return Err(fail("district codes have two digits"));
                    }
                    let regency = Regency {
                        code: code.to_owned(),
                        name: name.to_owned(),
                        districts,
                    };
                    crate::order::put_sorted(&mut regencies, regency, |r| r.code.as_str());
                }
                _ => return Err(fail("codes have two or four digits")),
            }
        }
        Ok(RegionTable {
            provinces,
            regencies,
        })
    }

    /// Two-digit province codes, ascending.
    pub fn province_codes(&self) -> impl Iterator<Item = &str> {
        self.provinces.keys().map(String::as_str)
    }

    pub fn province_name(&self, province: &str) -> Option<&str> {
        self.provinces.get(province).map(String::as_str)
    }

    /// Name of the regency or city with four-digit code `PPKK`.
    pub fn regency_name(&self, regency: &str) -> Option<&str> {
        self.regency(regency).map(|r| r.name.as_str())
    }

    /// The regencies and cities of province `PP`, as `(PPKK, name)` in code
    /// order; empty for an unknown province.
    pub fn regencies_of<'a>(
        &'a self,
        province: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.regencies
            .iter()
            .filter(move |r| province.len() == 2 && r.code.starts_with(province))
            .map(|r| (r.code.as_str(), r.name.as_str()))
    }

    /// Whether the six-digit district code `PPKKCC` is in the table.
    pub fn has_district(&self, district: &str) -> bool {
        district.len() == 6
            && self
                .regency(&district[..4])
                .is_some_and(|r| r.districts.iter().any(|d| d == &district[4..]))
    }

    pub fn regency_count(&self) -> usize {
        self.regencies.len()
    }

    pub fn district_count(&self) -> usize {
        self.regencies.iter().map(|r| r.districts.len()).sum()
    }

    fn regency(&self, code: &str) -> Option<&Regency> {
        let index = self
            .regencies
            .binary_search_by(|r| r.code.as_str().cmp(code));
        index.ok().map(|i| &self.regencies[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_matches_the_2025_edition() {
        let table = RegionTable::kemendagri();
        // Kepmendagri 300.2.2-2138/2025: 38 provinces, 416 regencies + 98 cities,
        // 7,285 districts.
        assert_eq!(table.province_codes().count(), 38);
        assert_eq!(table.regency_count(), 416 + 98);
        assert_eq!(table.district_count(), 7285);
    }

    #[test]
    fn province_codes_are_kemendagri_not_bps() {
        let codes: Vec<&str> = RegionTable::kemendagri().province_codes().collect();
        let expected = [
            "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34",
            "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74",
            "75", "76", "81", "82", "91", "92", "93", "94", "95", "96",
        ];
        assert_eq!(codes, expected);
    }

    #[test]
    fn lookups() {
        let table = RegionTable::kemendagri();
        let cases: [(&str, Option<&str>); 4] = [
            ("61", Some("Kalimantan Barat")),
            ("96", Some("Papua Barat Daya")),
            ("20", None),
            ("6", None),
        ];
        for (code, name) in cases {
            assert_eq!(table.province_name(code), name, "{code}");
            assert_eq!(province_name(code), name, "{code}");
        }
        assert_eq!(table.regency_name("6107"), Some("Kabupaten Bengkayang"));
        assert_eq!(table.regency_name("6104"), Some("Kabupaten Ketapang"));
        assert!(table.has_district("610701"));
        assert!(!table.has_district("610799"));
        assert!(!table.has_district("6107"));
        // Papua was split in 2022: codes like 9101 no longer exist.
        assert_eq!(table.regency_name("9101"), None);
    }

    #[test]
    fn regencies_of_a_province() {
        let table = RegionTable::kemendagri();
        // (province, number of regencies and cities, first, last)
        type Entry = Option<(&'static str, &'static str)>;
        let cases: [(&str, usize, Entry, Entry); 5] = [
            (
                "61",
                14,
                Some(("6101", "Kabupaten Sambas")),
                Some(("6172", "Kota Singkawang")),
            ),
            (
                "31",
                6,
                Some(("3101", "Kabupaten Administrasi Kepulauan Seribu")),
                Some(("3175", "Kota Administrasi Jakarta Timur")),
            ),
            ("20", 0, None, None),
            ("6", 0, None, None),
            ("", 0, None, None),
        ];
        for (province, count, first, last) in cases {
            let regencies: Vec<(&str, &str)> = table.regencies_of(province).collect();
            assert_eq!(regencies.len(), count, "{province}");
            assert_eq!(regencies.first().copied(), first, "{province}");
            assert_eq!(regencies.last().copied(), last, "{province}");
        }
        let total: usize = table
            .province_codes()
            .map(|p| table.regencies_of(p).count())
            .sum();
        assert_eq!(total, table.regency_count());
    }

    #[test]
    fn the_province_file_holds_the_tables_provinces() {
        let table = RegionTable::kemendagri();
        let listed: Vec<(&str, &str)> = PROVINCES
            .lines()
            .filter(|line| !line.starts_with('#'))
            .map(|line| line.split_once(' ').expect("PP name"))
            .collect();
        let expected: Vec<(&str, &str)> = table
            .province_codes()
            .map(|code| (code, table.province_name(code).unwrap()))
            .collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn malformed_tables_are_rejected_with_the_line() {
        let cases = [
            ("61 Kalbar\n6107 Bengkayang", "line 2: no '|'"),
            ("6107 Bengkayang|01", "line 1: regency before its province"),
            ("6x Kalbar", "line 1: code is not numeric"),
            ("611 Kalbar", "line 1: codes have two or four digits"),
            (
                "61 Kalbar\n6107 Bengkayang|1 02",
                "line 2: district codes have two digits",
            ),
            ("61", "line 1: no name"),
        ];
        for (text, error) in cases {
            assert_eq!(RegionTable::parse(text).unwrap_err(), error, "{text}");
        }
    }
}
