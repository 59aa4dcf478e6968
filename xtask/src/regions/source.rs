//! The source: the four CSV files of `idn-area-data`, read once into checked records.
//! Codes are kept as digits only (`61.07.01` → `610701`); every code has the dotted
//! form of its level, belongs to the region its parent column names, and that region
//! exists; no code appears twice; every name is non-empty.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use super::records::{self, Row};
use crate::{Error, Result};

/// The raw bytes of the source files, as read from the package.
pub struct Inputs {
    /// In `FILES` order.
    files: [Vec<u8>; 4],
}

/// The files `Inputs` reads, in its order.
pub const FILES: [&str; 4] = [
    "provinces.csv",
    "regencies.csv",
    "districts.csv",
    "villages.csv",
];

impl Inputs {
    /// Reads `FILES` from `dir` (`node_modules/idn-area-data/data`).
    pub fn read(dir: &Path) -> Result<Inputs> {
        let mut files: [Vec<u8>; 4] = Default::default();
        for (file, bytes) in FILES.iter().zip(&mut files) {
            let path = dir.join(file);
            *bytes = fs::read(&path)
                .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
        }
        Ok(Inputs { files })
    }

    #[cfg(test)]
    pub fn from_texts(texts: [&str; 4]) -> Inputs {
        Inputs {
            files: texts.map(|text| text.as_bytes().to_vec()),
        }
    }

    /// Each file's name and bytes, in `FILES` order.
    pub fn files(&self) -> impl Iterator<Item = (&'static str, &[u8])> {
        FILES.into_iter().zip(self.files.iter().map(Vec::as_slice))
    }
}

/// A region of any level: its code as digits only, and its name.
#[derive(Debug)]
pub struct Region {
    pub code: String,
    pub name: String,
}

/// Every region of the source, each level in file order. Only `parse` makes one.
pub struct Source {
    /// `PP`
    provinces: Vec<Region>,
    /// `PPKK`
    regencies: Vec<Region>,
    /// `PPKKCC`
    districts: Vec<Region>,
    /// `PPKKCCVVVV`
    villages: Vec<Region>,
}

/// A level of regions: its file, what it is called in messages, the dotted form of its
/// codes (digits per group), and the column naming its parent (none for provinces).
struct Level {
    file: &'static str,
    what: &'static str,
    sizes: &'static [usize],
    parent_column: &'static str,
}

const PROVINCE: Level = Level {
    file: FILES[0],
    what: "province",
    sizes: &[2],
    parent_column: "",
};
const REGENCY: Level = Level {
    file: FILES[1],
    what: "regency",
    sizes: &[2, 2],
    parent_column: "province_code",
};
const DISTRICT: Level = Level {
    file: FILES[2],
    what: "district",
    sizes: &[2, 2, 2],
    parent_column: "regency_code",
};
const VILLAGE: Level = Level {
    file: FILES[3],
    what: "village",
    sizes: &[2, 2, 2, 4],
    parent_column: "district_code",
};

impl Source {
    pub fn parse(inputs: &Inputs) -> Result<Source> {
        let [provinces, regencies, districts, villages] = &inputs.files;

        let mut province_list = Vec::new();
        let mut known = HashSet::new();
        for row in records::read(PROVINCE.file, provinces, ["code", "name"])? {
            let at = At::new(&PROVINCE, &row);
            let [code, name] = row.fields;
            let code = at.code(&code, PROVINCE.sizes, PROVINCE.what)?;
            at.unique(&mut known, &code)?;
            province_list.push(at.region(code, name)?);
        }
        let (regencies, known) = children(regencies, &REGENCY, &PROVINCE, &known)?;
        let (districts, known) = children(districts, &DISTRICT, &REGENCY, &known)?;
        let (villages, _) = children(villages, &VILLAGE, &DISTRICT, &known)?;
        Ok(Source {
            provinces: province_list,
            regencies,
            districts,
            villages,
        })
    }

    pub fn provinces(&self) -> &[Region] {
        &self.provinces
    }

    pub fn regencies(&self) -> &[Region] {
        &self.regencies
    }

    pub fn districts(&self) -> &[Region] {
        &self.districts
    }

    pub fn villages(&self) -> &[Region] {
        &self.villages
    }
}

/// The regions of `level` in `bytes`, each in a region of `parent` that is `known`,
/// and the set of their codes.
fn children(
    bytes: &[u8],
    level: &Level,
    parent: &Level,
    known: &HashSet<String>,
) -> Result<(Vec<Region>, HashSet<String>)> {
    let mut regions = Vec::new();
    let mut codes = HashSet::new();
    for row in records::read(level.file, bytes, ["code", level.parent_column, "name"])? {
        let at = At::new(level, &row);
        let [code, parent_code, name] = row.fields;
        let code = at.code(&code, level.sizes, level.what)?;
        let parent_code = at.code(&parent_code, parent.sizes, parent.what)?;
        if !code.starts_with(&parent_code) {
            return Err(at.error(format!(
                "{} {code} is not in {} {parent_code}",
                level.what, parent.what
            )));
        }
        if !known.contains(&parent_code) {
            return Err(at.error(format!(
                "{} {code}: unknown {} {parent_code}",
                level.what, parent.what
            )));
        }
        at.unique(&mut codes, &code)?;
        regions.push(at.region(code, name)?);
    }
    Ok((regions, codes))
}

/// Where a row is, for the checks on it and their messages.
struct At<'a> {
    level: &'a Level,
    line: u64,
}

impl<'a> At<'a> {
    fn new<const N: usize>(level: &'a Level, row: &Row<N>) -> At<'a> {
        At {
            level,
            line: row.line,
        }
    }

    fn error(&self, message: String) -> Error {
        Error::new(format!("{} line {}: {message}", self.level.file, self.line))
    }

    /// `61.07.01` → `610701`, checking the dotted form: groups of `sizes` digits.
    fn code(&self, code: &str, sizes: &[usize], what: &str) -> Result<String> {
        let groups: Vec<&str> = code.split('.').collect();
        let valid = groups.len() == sizes.len()
            && groups
                .iter()
                .zip(sizes)
                .all(|(g, &n)| g.len() == n && g.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            let form: Vec<String> = sizes.iter().map(|&n| "N".repeat(n)).collect();
            return Err(self.error(format!(
                "{what} code {code:?} is not of the form {}",
                form.join(".")
            )));
        }
        Ok(groups.concat())
    }

    fn unique(&self, seen: &mut HashSet<String>, code: &str) -> Result<()> {
        if seen.insert(code.to_owned()) {
            Ok(())
        } else {
            Err(self.error(format!("{} {code} appears twice", self.level.what)))
        }
    }

    fn region(&self, code: String, name: String) -> Result<Region> {
        if name.is_empty() {
            return Err(self.error(format!("{} {code}: no name", self.level.what)));
        }
        Ok(Region { code, name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVINCES: &str = "code,name\n61,Kalimantan Barat\n";
    const REGENCIES: &str = "code,province_code,name\n61.07,61,Kabupaten Bengkayang\n";
    const DISTRICTS: &str = "code,regency_code,name\n61.07.01,61.07,Sungai Raya\n";

    /// Parses the four files; `Ok` lists every region as `code name`.
    fn check(inputs: [&str; 4], expected: Result<&[&str], &str>) {
        let actual = Source::parse(&Inputs::from_texts(inputs))
            .map(|source| {
                [
                    source.provinces(),
                    source.regencies(),
                    source.districts(),
                    source.villages(),
                ]
                .iter()
                .flat_map(|level| level.iter())
                .map(|r| format!("{} {}", r.code, r.name))
                .collect::<Vec<_>>()
            })
            .map_err(|e| e.to_string());
        let expected = expected
            .map(|rows| rows.iter().map(|r| r.to_string()).collect::<Vec<_>>())
            .map_err(String::from);
        assert_eq!(actual, expected, "inputs: {inputs:?}");
    }

    fn villages(csv: &str) -> [&str; 4] {
        [PROVINCES, REGENCIES, DISTRICTS, csv]
    }

    #[test]
    fn codes_become_digits() {
        check(
            villages("code,district_code,name\n61.07.01.2001,61.07.01,Sungai Duri\n"),
            Ok(&[
                "61 Kalimantan Barat",
                "6107 Kabupaten Bengkayang",
                "610701 Sungai Raya",
                "6107012001 Sungai Duri",
            ]),
        );
    }

    #[test]
    fn bad_rows_are_rejected_naming_file_and_line() {
        let header = "code,district_code,name\n61.07.01.2001,61.07.01,Sungai Duri\n";
        for (row, error) in [
            (
                "61.07.01.201,61.07.01,Short",
                "village code \"61.07.01.201\" is not of the form NN.NN.NN.NNNN",
            ),
            (
                "61.07.01.2x02,61.07.01,Letter",
                "village code \"61.07.01.2x02\" is not of the form NN.NN.NN.NNNN",
            ),
            (
                "6107012002,61.07.01,No dots",
                "village code \"6107012002\" is not of the form NN.NN.NN.NNNN",
            ),
            (
                "61.07.01.2002,61.07,Parent",
                "district code \"61.07\" is not of the form NN.NN.NN",
            ),
            (
                "61.07.02.2002,61.07.01,Elsewhere",
                "village 6107022002 is not in district 610701",
            ),
            (
                "61.07.02.2002,61.07.02,Unknown",
                "village 6107022002: unknown district 610702",
            ),
            (
                "61.07.01.2001,61.07.01,Again",
                "village 6107012001 appears twice",
            ),
            ("61.07.01.2002,61.07.01,", "village 6107012002: no name"),
        ] {
            let csv = format!("{header}{row}\n");
            check(
                villages(&csv),
                Err(&format!("villages.csv line 3: {error}")),
            );
        }
    }

    #[test]
    fn every_level_is_checked() {
        check(
            [
                "code,name\n61,Kalimantan Barat\n61,Again\n",
                REGENCIES,
                DISTRICTS,
                "code,district_code,name\n",
            ],
            Err("provinces.csv line 3: province 61 appears twice"),
        );
        check(
            [
                PROVINCES,
                "code,province_code,name\n62.01,62,Kotawaringin Barat\n",
                DISTRICTS,
                "",
            ],
            Err("regencies.csv line 2: regency 6201: unknown province 62"),
        );
        check(
            [
                PROVINCES,
                REGENCIES,
                "code,regency_code,name\n61.08.01,61.08,Sebangki\n",
                "",
            ],
            Err("districts.csv line 2: district 610801: unknown regency 6108"),
        );
        check(
            [PROVINCES, REGENCIES, DISTRICTS, "code,name\n"],
            Err("villages.csv: expected columns code, district_code, name, \
                 the header has code, name"),
        );
    }
}
