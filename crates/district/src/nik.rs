//! `district nik`: one JSON object per NIK, keys in a fixed order.

use std::borrow::Cow;
use std::io::{self, Write};

use lindung_core::nik::normalize;
use lindung_core::{Date, Nik, NikError, NikWarning, RegionTable, Sex};
use serde::Serialize;

/// The verdict on one NIK as typed. Serializes to
/// `{"nik","valid","province","regency","district","birth_date","sex","errors","warnings"}`
/// in that order; the NIK is always a JSON string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NikReport {
    nik: String,
    valid: bool,
    province: Option<String>,
    regency: Option<String>,
    district: Option<String>,
    birth_date: Option<Date>,
    sex: Option<Sex>,
    errors: Vec<&'static str>,
    warnings: Vec<&'static str>,
}

impl NikReport {
    /// Checks `input` as typed. `today` decides the birth year's century;
    /// `table` decides which regency/district codes draw a warning.
    pub fn new(input: &str, today: Date, table: &RegionTable) -> NikReport {
        match Nik::parse(input, today) {
            Ok(nik) => NikReport {
                nik: nik.as_str().to_owned(),
                valid: true,
                province: Some(nik.province().to_owned()),
                regency: Some(nik.regency().to_owned()),
                district: Some(nik.district().to_owned()),
                birth_date: Some(nik.birth_date()),
                sex: Some(nik.sex()),
                errors: Vec::new(),
                warnings: nik
                    .region_warnings(table)
                    .iter()
                    .map(NikWarning::code)
                    .collect(),
            },
            Err(errors) => {
                // Show the digits the core looked at; if the text is more than
                // digits and separators, show it exactly as typed.
                let digits = normalize(input);
                let nik = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    digits
                } else {
                    input.to_owned()
                };
                NikReport {
                    nik,
                    valid: false,
                    province: None,
                    regency: None,
                    district: None,
                    birth_date: None,
                    sex: None,
                    errors: errors.iter().map(NikError::code).collect(),
                    warnings: Vec::new(),
                }
            }
        }
    }

    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// One line of JSON, without the newline.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("a NikReport always serializes")
    }
}

/// Writes one JSON line per NIK, in order, against the Kemendagri table.
pub fn write_reports<I, W>(niks: I, today: Date, out: &mut W) -> io::Result<()>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
    W: Write,
{
    let table = RegionTable::kemendagri();
    for nik in niks {
        writeln!(
            out,
            "{}",
            NikReport::new(nik.as_ref(), today, table).to_json_line()
        )?;
    }
    Ok(())
}

/// The NIK on one raw stdin line (as pasted from a spreadsheet column), or
/// `None` for a blank line. Drops the line ending (`\n` or `\r\n`) and a
/// byte-order mark; bytes that are not UTF-8 become U+FFFD, so the line is
/// still reported (as invalid) rather than stopping the run.
pub fn stdin_entry(raw: &[u8]) -> Option<Cow<'_, str>> {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let raw = raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw);
    let text = String::from_utf8_lossy(raw);
    if text.trim().is_empty() {
        None
    } else {
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_stdin(raw: &[u8], expected: Option<&str>) {
        assert_eq!(stdin_entry(raw).as_deref(), expected, "{raw:?}");
    }

    #[test]
    fn stdin_lines() {
        let cases: [(&[u8], Option<&str>); 8] = [
            (b"6107014502870001\n", Some("6107014502870001")),
            (b"6107014502870001\r\n", Some("6107014502870001")),
            (b"6107014502870001", Some("6107014502870001")),
            (
                b"\xef\xbb\xbf6107014502870001\r\n",
                Some("6107014502870001"),
            ),
            (b" 6107 0145 0287 0001 \n", Some(" 6107 0145 0287 0001 ")),
            (b"\n", None),
            (b" \t\r\n", None),
            (b"61\xff07\n", Some("61\u{fffd}07")),
        ];
        for (raw, expected) in cases {
            check_stdin(raw, expected);
        }
    }

    #[test]
    fn reports_keep_key_order() {
        let today = Date::parse_iso("2026-11-21").unwrap();
        let cases = [
            (
                "6107014502870001",
                r#"{"nik":"6107014502870001","valid":true,"province":"61","regency":"07","district":"01","birth_date":"1987-02-05","sex":"F","errors":[],"warnings":[]}"#,
            ),
            (
                "61-07-01-0101800000",
                r#"{"nik":"6107010101800000","valid":false,"province":null,"regency":null,"district":null,"birth_date":null,"sex":null,"errors":["nik.serial_zero"],"warnings":[]}"#,
            ),
            (
                "NIK 61",
                r#"{"nik":"NIK 61","valid":false,"province":null,"regency":null,"district":null,"birth_date":null,"sex":null,"errors":["nik.non_digit","nik.length"],"warnings":[]}"#,
            ),
        ];
        for (input, expected) in cases {
            let report = NikReport::new(input, today, RegionTable::kemendagri());
            assert_eq!(report.to_json_line(), expected, "{input}");
        }
    }
}
