//! The Kemendagri village code, `PP.KK.CC.XXXX`: the one type every screen,
//! route and roster uses, with one validity rule.

use std::fmt;

use crate::Lang;

/// A Kemendagri village code: province, regency/city, district, village.
/// Only [`VillageCode::parse`] makes one, so every value is well formed, its
/// village number starts 1 (kelurahan), 2 (desa) or 3 (desa adat), and its
/// province exists. Held in its written form, `61.07.01.2001`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VillageCode {
    dotted: String,
}

/// Why a village code is not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeError {
    Empty,
    /// Not ten digits, or the village number does not start 1, 2 or 3.
    Format,
    ProvinceUnknown {
        province: String,
    },
    /// Well formed, but not in the province's list of villages.
    NotFound {
        /// `61.07.01.9999`
        code: String,
        province_name: String,
    },
}

impl VillageCode {
    /// Accepts the ten digits with or without separators (`.`, `,`, `-`,
    /// spaces): `61.07.01.2001`, `6107012001`, `61 07 01 2001`.
    pub fn parse(text: &str) -> Result<VillageCode, CodeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CodeError::Empty);
        }
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, '.' | ',' | '-') && !c.is_whitespace())
            .collect();
        let well_formed = digits.len() == 10
            && digits.bytes().all(|b| b.is_ascii_digit())
            && matches!(digits.as_bytes()[6], b'1'..=b'3');
        if !well_formed {
            return Err(CodeError::Format);
        }
        if crate::region::province_name(&digits[..2]).is_none() {
            return Err(CodeError::ProvinceUnknown {
                province: digits[..2].to_owned(),
            });
        }
        let dotted = format!(
            "{}.{}.{}.{}",
            &digits[..2],
            &digits[2..4],
            &digits[4..6],
            &digits[6..]
        );
        Ok(VillageCode { dotted })
    }

    /// The written form, `61.07.01.2001`: how rosters, bundles and the
    /// district key a village.
    pub fn as_str(&self) -> &str {
        &self.dotted
    }

    /// The ten digits, `6107012001`.
    pub fn digits(&self) -> String {
        self.dotted.chars().filter(|c| *c != '.').collect()
    }

    /// `61`
    pub fn province(&self) -> &str {
        &self.dotted[..2]
    }

    /// `6107`, the regency or city.
    pub fn regency(&self) -> String {
        self.digits()[..4].to_owned()
    }

    /// `610701`, the district (kecamatan).
    pub fn district(&self) -> String {
        self.digits()[..6].to_owned()
    }
}

impl fmt::Display for VillageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dotted)
    }
}

impl CodeError {
    /// Stable code for tests and machines.
    pub fn code(&self) -> &'static str {
        match self {
            CodeError::Empty => "region.code_empty",
            CodeError::Format => "region.code_format",
            CodeError::ProvinceUnknown { .. } => "region.province_unknown",
            CodeError::NotFound { .. } => "region.village_unknown",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (CodeError::Empty, Lang::Id) => "Ketik kode desa, mis. 61.07.01.2001.".into(),
            (CodeError::Empty, Lang::En) => "Type a village code, e.g. 61.07.01.2001.".into(),
            (CodeError::Format, Lang::Id) => {
                "Kode desa terdiri dari 10 angka, dan angka ketujuhnya 1, 2 atau 3, mis. 61.07.01.2001."
                    .into()
            }
            (CodeError::Format, Lang::En) => {
                "A village code has 10 digits, the seventh being 1, 2 or 3, e.g. 61.07.01.2001."
                    .into()
            }
            (CodeError::ProvinceUnknown { province }, Lang::Id) => {
                format!("Tidak ada provinsi dengan kode {province}.")
            }
            (CodeError::ProvinceUnknown { province }, Lang::En) => {
                format!("There is no province with code {province}.")
            }
            (
                CodeError::NotFound {
                    code,
                    province_name,
                },
                Lang::Id,
            ) => format!("Kode {code} tidak ada di daftar desa {province_name}."),
            (
                CodeError::NotFound {
                    code,
                    province_name,
                },
                Lang::En,
            ) => format!("Code {code} is not in the list of villages of {province_name}."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn village_codes() {
        let ok = [
            ("61.07.01.2001", "61.07.01.2001"),
            ("6107012001", "61.07.01.2001"),
            (" 61 07 01 2001 ", "61.07.01.2001"),
            ("61-07-01-2001", "61.07.01.2001"),
            ("61,07,01,2001", "61.07.01.2001"),
            ("61.72.01.1001", "61.72.01.1001"),
            ("92.01.01.3001", "92.01.01.3001"),
        ];
        for (text, dotted) in ok {
            let code = VillageCode::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(code.as_str(), dotted, "{text}");
            assert_eq!(code.to_string(), dotted, "{text}");
        }
        let bad = [
            ("", CodeError::Empty),
            ("   ", CodeError::Empty),
            ("61.07.01.200", CodeError::Format),
            ("61.07.01.20011", CodeError::Format),
            ("61.07.01.2OO1", CodeError::Format),
            ("61.07.01.0001", CodeError::Format),
            ("61.07.01.4001", CodeError::Format),
            ("٦١٠٧٠١٢٠٠١", CodeError::Format),
            (
                "99.07.01.2001",
                CodeError::ProvinceUnknown {
                    province: "99".into(),
                },
            ),
        ];
        for (text, error) in bad {
            assert_eq!(VillageCode::parse(text), Err(error), "{text:?}");
        }
    }

    #[test]
    fn village_code_parts() {
        let code = VillageCode::parse("61.07.01.2001").unwrap();
        assert_eq!(code.province(), "61");
        assert_eq!(code.regency(), "6107");
        assert_eq!(code.district(), "610701");
        assert_eq!(code.digits(), "6107012001");
    }

    #[test]
    fn code_messages_in_both_languages() {
        let errors = [
            CodeError::Empty,
            CodeError::Format,
            CodeError::ProvinceUnknown {
                province: "99".into(),
            },
            CodeError::NotFound {
                code: "61.07.01.9999".into(),
                province_name: "Kalimantan Barat".into(),
            },
        ];
        for error in &errors {
            let id = error.message(Lang::Id);
            let en = error.message(Lang::En);
            assert!(!id.is_empty() && !en.is_empty() && id != en, "{error:?}");
            assert!(
                !id.contains(error.code()),
                "{error:?}: no code in a sentence"
            );
        }
        assert!(errors[3].message(Lang::Id).contains("61.07.01.9999"));
        assert!(errors[3].message(Lang::Id).contains("Kalimantan Barat"));
    }
}
