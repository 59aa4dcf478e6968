//! The province files the app fetches on demand, `regions/PP.json`: the districts and
//! villages of one province each, so the app loads only the villages of the province
//! the agent picks (never all 83,762 up front). Plus `regions/LICENSE.txt` (ODbL
//! attribution).
//!
//! Format 1 (read by `ProvinceVillages::from_json` in src/region_picker/data.rs, which
//! checks `"format"` against its own `FORMAT`):
//!
//! ```text
//! {"format":1,"province":"61",
//!  "districts":{"610701":{"name":"Sungai Raya","villages":{"2001":"Sungai Duri",...}},...}}
//! ```
//!
//! On one line, no spaces. District keys are the six digits `PPKKCC`, village keys the
//! last four digits, both in code order; names as in the source. Regency names are not
//! repeated here: the app has them in `lindung_core::RegionTable`. A province without
//! districts still has its file, with `"districts":{}`.

use std::collections::BTreeMap;

use super::source::Source;

/// The format of the files written here; must equal `FORMAT` in
/// src/region_picker/data.rs, and changes only with it.
pub const FORMAT: u32 = 1;

pub const LICENSE_FILE: &str = "LICENSE.txt";

pub const LICENSE: &str = "\
Region data: Kemendagri codes and names of provinces, districts (kecamatan) and
villages (desa/kelurahan), Kepmendagri 300.2.2-2138/2025.

Derived from the npm package idn-area-data 4.0.1
(https://github.com/fityannugroho/idn-area-data), whose data is licensed under the
Open Database License (ODbL) 1.0: https://opendatacommons.org/licenses/odbl/1-0/

The files in this directory (one JSON file per province) are a derived database and
are likewise available under the ODbL 1.0. The code of Lindung is Apache-2.0.
";

/// One province file: `PP.json` and its text.
pub struct ProvinceFile {
    pub name: String,
    pub json: String,
}

/// One file per province of the source, in source order.
pub fn generate(source: &Source) -> Vec<ProvinceFile> {
    // district code -> (name, village suffix -> name), all sorted by code
    let mut districts: BTreeMap<&str, (&str, BTreeMap<&str, &str>)> = source
        .districts()
        .iter()
        .map(|d| (d.code.as_str(), (d.name.as_str(), BTreeMap::new())))
        .collect();
    for village in source.villages() {
        let (district, suffix) = village.code.split_at(6);
        districts
            .get_mut(district)
            .expect("Source: every village is in a known district")
            .1
            .insert(suffix, &village.name);
    }
    source
        .provinces()
        .iter()
        .map(|province| {
            let mut json = format!(
                r#"{{"format":{FORMAT},"province":{},"districts":{{"#,
                string(&province.code)
            );
            let of_province = districts
                .range(province.code.as_str()..)
                .take_while(|(code, _)| code.starts_with(&province.code));
            for (i, (code, (name, villages))) in of_province.enumerate() {
                if i > 0 {
                    json.push(',');
                }
                json.push_str(&format!(
                    r#"{}:{{"name":{},"villages":{{"#,
                    string(code),
                    string(name)
                ));
                for (j, (suffix, name)) in villages.iter().enumerate() {
                    if j > 0 {
                        json.push(',');
                    }
                    json.push_str(&format!("{}:{}", string(suffix), string(name)));
                }
                json.push_str("}}");
            }
            json.push_str("}}");
            ProvinceFile {
                name: format!("{}.json", province.code),
                json,
            }
        })
        .collect()
}

/// A JSON string, escaped as JavaScript's `JSON.stringify` does (`"`, `\`, and control
/// characters; everything else as is), so the files are the same bytes as those the
/// former node generator wrote.
fn string(text: &str) -> String {
    serde_json::to_string(text).expect("a str always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::source::Inputs;

    fn files(inputs: [&str; 4]) -> Vec<(String, String)> {
        let source = Source::parse(&Inputs::from_texts(inputs)).unwrap();
        generate(&source)
            .into_iter()
            .map(|file| (file.name, file.json))
            .collect()
    }

    /// Golden: the exact bytes of format 1, as the app reads them.
    #[test]
    fn writes_format_1_one_file_per_province() {
        let files = files([
            "code,name\n61,Kalimantan Barat\n11,Aceh\n",
            "code,province_code,name\n\
             61.07,61,Kabupaten Bengkayang\n\
             11.01,11,Kabupaten Aceh Selatan\n",
            "code,regency_code,name\n\
             61.07.02,61.07,Teriak\n\
             61.07.01,61.07,\"Sungai Raya, Kepulauan\"\n",
            "code,district_code,name\n\
             61.07.01.2002,61.07.01,Sungai Duri\n\
             61.07.01.1001,61.07.01,\"Ja\"\"an\"\n\
             61.07.02.2001,61.07.02,Back\\slash\n",
        ]);
        assert_eq!(
            files,
            [
                (
                    "61.json".to_owned(),
                    [
                        r#"{"format":1,"province":"61","districts":{"#,
                        r#""610701":{"name":"Sungai Raya, Kepulauan","villages":{"#,
                        r#""1001":"Ja\"an","2002":"Sungai Duri"}},"#,
                        r#""610702":{"name":"Teriak","villages":{"2001":"Back\\slash"}}}}"#,
                    ]
                    .concat()
                ),
                (
                    "11.json".to_owned(),
                    r#"{"format":1,"province":"11","districts":{}}"#.to_owned()
                ),
            ]
        );
    }

    #[test]
    fn escapes_strings_as_json_stringify_does() {
        for (text, expected) in [
            ("Ra\"as", r#""Ra\"as""#),
            ("a\\b", r#""a\\b""#),
            ("tab\there", r#""tab\there""#),
            ("\u{1f}", r#""\u001f""#),
            ("Désa / Kampung ĀĪ", "\"Désa / Kampung ĀĪ\""),
        ] {
            assert_eq!(string(text), expected, "{text:?}");
        }
    }
}
