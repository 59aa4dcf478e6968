//! The region data a picker offers: the provinces and regencies of the core's
//! table, and the districts and villages of one province file
//! (`regions/PP.json`), each checked when read.

use std::collections::BTreeMap;

use lindung_core::roster::VillageError;
use lindung_core::{CodeError, Lang, RegionTable, VillageCode, VillageRef};
use serde::Deserialize;

use crate::texts::region_picker as tr;

/// The version of the province files this code reads (`"format"` in each file).
pub const FORMAT: u32 = 1;

/// Where the districts and villages of province `PP` are, relative to the app.
pub fn province_url(province: &str) -> String {
    format!("regions/{province}.json")
}

/// A village the agent chose, with the names of the regions it lies in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickedVillage {
    code: String,
    name: String,
    district_name: String,
    regency_name: String,
    province_name: String,
}

impl PickedVillage {
    /// `61.07.01.2001`
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The village (desa/kelurahan), `Sungai Duri`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The district (kecamatan), `Sungai Raya`.
    pub fn district_name(&self) -> &str {
        &self.district_name
    }

    /// `Kabupaten Bengkayang`
    pub fn regency_name(&self) -> &str {
        &self.regency_name
    }

    /// `Kalimantan Barat`
    pub fn province_name(&self) -> &str {
        &self.province_name
    }

    /// One line for the screen:
    /// `Sungai Duri, Kec. Sungai Raya, Kabupaten Bengkayang, Kalimantan Barat (61.07.01.2001)`.
    pub fn summary(&self, lang: Lang) -> String {
        let district = tr::district_of(lang, &self.district_name);
        format!(
            "{}, {district}, {}, {} ({})",
            self.name, self.regency_name, self.province_name, self.code
        )
    }

    /// The roster's reference to this village.
    pub fn village_ref(&self) -> Result<VillageRef, Vec<VillageError>> {
        VillageRef::new(&self.code, &self.name)
    }
}

/// One entry of a select: a code and what the agent reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub code: String,
    pub name: String,
}

/// Sorted by name (what a person scans for), then code.
fn by_name(mut choices: Vec<Choice>) -> Vec<Choice> {
    // The names are ASCII but for three villages: ASCII case folding is enough.
    fn folded(c: &Choice) -> impl Iterator<Item = u8> + '_ {
        c.name.bytes().map(|b| b.to_ascii_lowercase())
    }
    // Codes are unique, so no two choices are equal and any sort gives this order.
    lindung_core::order::sort_by(&mut choices, |a, b| {
        folded(a).cmp(folded(b)).then_with(|| a.code.cmp(&b.code))
    });
    choices
}

/// The 38 provinces, by name.
pub fn province_choices() -> Vec<Choice> {
    let table = RegionTable::kemendagri();
    by_name(
        table
            .province_codes()
            .map(|code| Choice {
                code: code.to_owned(),
                name: table.province_name(code).unwrap_or(code).to_owned(),
            })
            .collect(),
    )
}

/// The regencies and cities of `province` (`PP`), by name.
pub fn regency_choices(province: &str) -> Vec<Choice> {
    by_name(
        RegionTable::kemendagri()
            .regencies_of(province)
            .map(|(code, name)| Choice {
                code: code.to_owned(),
                name: name.to_owned(),
            })
            .collect(),
    )
}

/// Why a province file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// Not JSON of the expected shape.
    Json(String),
    /// A `format` this code does not read.
    Format(u32),
    WrongProvince {
        expected: String,
        found: String,
    },
    /// A district or village key that is not digits of the right length
    /// within this province, or a district of a regency the core does not know.
    Code(String),
    /// A blank district or village name, with its code.
    Name(String),
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataError::Json(e) => write!(f, "not valid region JSON: {e}"),
            DataError::Format(n) => write!(f, "format {n}, expected {FORMAT}"),
            DataError::WrongProvince { expected, found } => {
                write!(f, "province {found} instead of {expected}")
            }
            DataError::Code(code) => write!(f, "bad code {code}"),
            DataError::Name(code) => write!(f, "no name for {code}"),
        }
    }
}

/// What a province file holds, as written by `cargo xtask regions --json`
/// (`xtask/src/regions/province_files.rs`).
#[derive(Deserialize)]
struct ProvinceFile {
    format: u32,
    province: String,
    districts: BTreeMap<String, DistrictFile>,
}

#[derive(Deserialize)]
struct DistrictFile {
    name: String,
    villages: BTreeMap<String, String>,
}

/// The districts and villages of one province. Only `from_json` makes one, and
/// every code in it is checked: districts `PPKKCC` of a known regency in this
/// province, villages four digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvinceVillages {
    province: String,
    /// Keyed by the six digits `PPKKCC`.
    districts: BTreeMap<String, District>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct District {
    name: String,
    /// Keyed by the last four digits of the village code.
    villages: BTreeMap<String, String>,
}

fn all_digits(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit())
}

impl ProvinceVillages {
    /// Reads `regions/PP.json` for province `expected` (`PP`).
    pub fn from_json(json: &str, expected: &str) -> Result<ProvinceVillages, DataError> {
        let file: ProvinceFile =
            serde_json::from_str(json).map_err(|e| DataError::Json(e.to_string()))?;
        if file.format != FORMAT {
            return Err(DataError::Format(file.format));
        }
        if file.province != expected {
            return Err(DataError::WrongProvince {
                expected: expected.to_owned(),
                found: file.province,
            });
        }
        let table = RegionTable::kemendagri();
        let mut districts = BTreeMap::new();
        for (code, district) in file.districts {
            if !all_digits(&code, 6)
                || !code.starts_with(expected)
                || table.regency_name(&code[..4]).is_none()
            {
                return Err(DataError::Code(code));
            }
            if district.name.trim().is_empty() {
                return Err(DataError::Name(code));
            }
            for (suffix, name) in &district.villages {
                if !all_digits(suffix, 4) {
                    return Err(DataError::Code(format!("{code}{suffix}")));
                }
                if name.trim().is_empty() {
                    return Err(DataError::Name(format!("{code}{suffix}")));
                }
            }
            districts.insert(
                code,
                District {
                    name: district.name,
                    villages: district.villages,
                },
            );
        }
        Ok(ProvinceVillages {
            province: file.province,
            districts,
        })
    }

    /// `PP`
    pub fn province(&self) -> &str {
        &self.province
    }

    pub fn village_count(&self) -> usize {
        self.districts.values().map(|d| d.villages.len()).sum()
    }

    /// The districts of `regency` (`PPKK`), by name; codes are `PPKKCC`.
    pub fn district_choices(&self, regency: &str) -> Vec<Choice> {
        by_name(
            self.districts
                .iter()
                .filter(|(code, _)| regency.len() == 4 && code.starts_with(regency))
                .map(|(code, d)| Choice {
                    code: code.clone(),
                    name: d.name.clone(),
                })
                .collect(),
        )
    }

    /// The villages of `district` (`PPKKCC`), by name; codes are the ten digits.
    pub fn village_choices(&self, district: &str) -> Vec<Choice> {
        let Some(d) = self.districts.get(district) else {
            return Vec::new();
        };
        by_name(
            d.villages
                .iter()
                .map(|(suffix, name)| Choice {
                    code: format!("{district}{suffix}"),
                    name: name.clone(),
                })
                .collect(),
        )
    }

    /// The village with `code`, if this province has it.
    pub fn pick(&self, code: &VillageCode) -> Result<PickedVillage, CodeError> {
        let table = RegionTable::kemendagri();
        let province_name = table
            .province_name(code.province())
            .unwrap_or(code.province())
            .to_owned();
        let found = (code.province() == self.province)
            .then(|| self.districts.get(&code.district()))
            .flatten()
            .and_then(|d| Some((d, d.villages.get(&code.digits()[6..])?)));
        let Some((district, name)) = found else {
            return Err(CodeError::NotFound {
                code: code.as_str().to_owned(),
                province_name,
            });
        };
        Ok(PickedVillage {
            code: code.as_str().to_owned(),
            name: name.clone(),
            district_name: district.name.clone(),
            regency_name: table
                .regency_name(&code.regency())
                .map_or_else(|| code.regency(), str::to_owned),
            province_name,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small province file in format 1: two districts of Kab. Bengkayang and one
    /// of Kota Singkawang, names as in idn-area-data.
    const KALBAR: &str = r#"{"format":1,"province":"61","districts":{
        "610701":{"name":"Sungai Raya","villages":{"2001":"Sungai Duri","2004":"Sungai Jaga A","2005":"Sungai Jaga B"}},
        "610702":{"name":"Capkala","villages":{"2001":"Capkala","2002":"Aris"}},
        "617201":{"name":"Singkawang Selatan","villages":{"1001":"Pasiran"}}}}"#;

    pub(crate) fn kalbar() -> ProvinceVillages {
        ProvinceVillages::from_json(KALBAR, "61").unwrap()
    }

    #[test]
    fn picking_a_code_in_the_loaded_province() {
        let data = kalbar();
        // (typed, Ok((name, district, regency)) or Err(stable code))
        type Expected = Result<(&'static str, &'static str, &'static str), &'static str>;
        let cases: [(&str, Expected); 5] = [
            (
                "61.07.01.2001",
                Ok(("Sungai Duri", "Sungai Raya", "Kabupaten Bengkayang")),
            ),
            (
                "6107022002",
                Ok(("Aris", "Capkala", "Kabupaten Bengkayang")),
            ),
            (
                "61.72.01.1001",
                Ok(("Pasiran", "Singkawang Selatan", "Kota Singkawang")),
            ),
            ("61.07.01.2999", Err("region.village_unknown")),
            // Another province: not in this file.
            ("35.13.15.2017", Err("region.village_unknown")),
        ];
        for (typed, expected) in cases {
            let code = VillageCode::parse(typed).unwrap();
            let got = data.pick(&code);
            match (got, expected) {
                (Ok(p), Ok((name, district, regency))) => {
                    assert_eq!(
                        (p.name(), p.district_name(), p.regency_name()),
                        (name, district, regency),
                        "{typed}"
                    );
                    assert_eq!(p.code(), code.as_str());
                }
                (Err(e), Err(stable)) => assert_eq!(e.code(), stable, "{typed}"),
                (got, expected) => panic!("{typed}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn a_picked_village_describes_itself_and_becomes_a_roster_reference() {
        let picked = kalbar()
            .pick(&VillageCode::parse("6107012001").unwrap())
            .unwrap();
        assert_eq!(picked.province_name(), "Kalimantan Barat");
        assert_eq!(
            picked.summary(Lang::Id),
            "Sungai Duri, Kec. Sungai Raya, Kabupaten Bengkayang, Kalimantan Barat (61.07.01.2001)"
        );
        assert_eq!(
            picked.summary(Lang::En),
            "Sungai Duri, Sungai Raya district, Kabupaten Bengkayang, Kalimantan Barat (61.07.01.2001)"
        );
        let village = picked.village_ref().unwrap();
        assert_eq!(
            (village.code(), village.name()),
            ("61.07.01.2001", "Sungai Duri")
        );
    }

    #[test]
    fn choices_are_sorted_by_name() {
        let names = |choices: Vec<Choice>| -> Vec<String> {
            choices
                .into_iter()
                .map(|c| format!("{} {}", c.code, c.name))
                .collect()
        };
        let data = kalbar();
        assert_eq!(
            names(data.district_choices("6107")),
            ["610702 Capkala", "610701 Sungai Raya"]
        );
        assert_eq!(
            names(data.village_choices("610701")),
            [
                "6107012001 Sungai Duri",
                "6107012004 Sungai Jaga A",
                "6107012005 Sungai Jaga B"
            ]
        );
        assert_eq!(
            names(data.village_choices("610702")),
            ["6107022002 Aris", "6107022001 Capkala"]
        );
        // Unknown or malformed parents have no children.
        assert!(data.district_choices("6199").is_empty());
        assert!(data.district_choices("61").is_empty());
        assert!(data.village_choices("610799").is_empty());

        let provinces = province_choices();
        assert_eq!(provinces.len(), 38);
        assert_eq!(provinces[0].name, "Aceh");
        let regencies = regency_choices("61");
        assert_eq!(regencies.len(), 14);
        assert_eq!(
            regencies.first().map(|c| c.name.as_str()),
            Some("Kabupaten Bengkayang")
        );
        assert_eq!(
            regencies.last().map(|c| c.name.as_str()),
            Some("Kota Singkawang")
        );
        assert!(regency_choices("20").is_empty());
    }

    #[test]
    fn malformed_province_files_are_refused() {
        let district = |key: &str, body: &str| {
            format!(r#"{{"format":1,"province":"61","districts":{{"{key}":{body}}}}}"#)
        };
        let ok_body = r#"{"name":"Sungai Raya","villages":{"2001":"Sungai Duri"}}"#;
        let cases: Vec<(String, &str, DataError)> = vec![
            (
                "not json".into(),
                "61",
                DataError::Json("expected ident at line 1 column 2".into()),
            ),
            (
                r#"{"format":2,"province":"61","districts":{}}"#.into(),
                "61",
                DataError::Format(2),
            ),
            (
                district("610701", ok_body),
                "35",
                DataError::WrongProvince {
                    expected: "35".into(),
                    found: "61".into(),
                },
            ),
            // A district of another province, of an unknown regency, too short.
            (
                district("350701", ok_body),
                "61",
                DataError::Code("350701".into()),
            ),
            (
                district("619901", ok_body),
                "61",
                DataError::Code("619901".into()),
            ),
            (
                district("61070", ok_body),
                "61",
                DataError::Code("61070".into()),
            ),
            (
                district("610701", r#"{"name":"Sungai Raya","villages":{"201":"X"}}"#),
                "61",
                DataError::Code("610701201".into()),
            ),
            (
                district("610701", r#"{"name":" ","villages":{}}"#),
                "61",
                DataError::Name("610701".into()),
            ),
            (
                district("610701", r#"{"name":"Sungai Raya","villages":{"2001":""}}"#),
                "61",
                DataError::Name("6107012001".into()),
            ),
        ];
        for (json, province, expected) in cases {
            assert_eq!(
                ProvinceVillages::from_json(&json, province),
                Err(expected),
                "{json}"
            );
        }
    }

    #[test]
    fn reads_a_whole_file() {
        let data = kalbar();
        assert_eq!(data.province(), "61");
        assert_eq!(data.village_count(), 6);
        assert_eq!(province_url("61"), "regions/61.json");
    }
}
