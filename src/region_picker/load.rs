//! Loading one province's villages: what can go wrong, in the agent's words,
//! and the fetch itself (the only browser code of the picker).

use lindung_core::Lang;

use crate::texts::region_picker as tr;

use super::data::{province_url, DataError, ProvinceVillages};

/// Why a province's villages could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// No answer: offline and not saved on the phone, or the server is down.
    Unreachable,
    /// The server answered with this HTTP status.
    Http(u16),
    Data(DataError),
}

impl LoadError {
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Unreachable => "region.unreachable",
            LoadError::Http(_) => "region.http",
            LoadError::Data(_) => "region.data",
        }
    }

    pub fn message(&self, lang: Lang, province_name: &str) -> String {
        match self {
            LoadError::Unreachable => tr::villages_unreachable(lang, province_name),
            LoadError::Http(status) => tr::villages_http(lang, province_name, *status),
            LoadError::Data(e) => tr::villages_damaged(lang, province_name, &e.to_string()),
        }
    }
}

/// Fetches and reads `regions/PP.json`.
pub async fn fetch_province(province: &str) -> Result<ProvinceVillages, LoadError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let window = web_sys::window().ok_or(LoadError::Unreachable)?;
    let response = JsFuture::from(window.fetch_with_str(&province_url(province)))
        .await
        .map_err(|_| LoadError::Unreachable)?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| LoadError::Unreachable)?;
    if !response.ok() {
        return Err(LoadError::Http(response.status()));
    }
    let text = response.text().map_err(|_| LoadError::Unreachable)?;
    let text = JsFuture::from(text)
        .await
        .map_err(|_| LoadError::Unreachable)?
        .as_string()
        .unwrap_or_default();
    ProvinceVillages::from_json(&text, province).map_err(LoadError::Data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_messages_in_both_languages() {
        let cases = [
            (
                LoadError::Unreachable,
                "Daftar desa Kalimantan Barat belum tersimpan di HP ini",
                "The villages of Kalimantan Barat are not saved on this phone yet",
            ),
            (
                LoadError::Http(404),
                "Daftar desa Kalimantan Barat tidak bisa diunduh (HTTP 404).",
                "The villages of Kalimantan Barat could not be downloaded (HTTP 404).",
            ),
            (
                LoadError::Data(DataError::Format(2)),
                "Daftar desa Kalimantan Barat rusak (format 2, expected 1).",
                "The list of villages of Kalimantan Barat is damaged (format 2, expected 1).",
            ),
        ];
        for (error, id, en) in cases {
            assert!(
                error.message(Lang::Id, "Kalimantan Barat").starts_with(id),
                "{error:?}"
            );
            assert!(
                error.message(Lang::En, "Kalimantan Barat").starts_with(en),
                "{error:?}"
            );
        }
    }
}
