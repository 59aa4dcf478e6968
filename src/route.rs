//! Screens and their addresses. The address lives in the URL hash
//! (`#/desa/61.07.01.2001`), so the phone's back button works and a reload
//! returns to the same screen, with no server routes (the app is static files).

use lindung_core::{RecordId, VillageCode};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Route {
    /// The agent's villages.
    #[default]
    Home,
    /// Check a person without registering.
    Check,
    /// One village's roster and summary.
    Village(VillageCode),
    /// Register a new worker in a village.
    Register(VillageCode),
    /// One record: details, history, removal.
    Record(RecordId),
    /// Edit a record.
    Edit(RecordId),
    Settings,
    /// Make, download and share signed bundles.
    Export,
}

/// The four parts of the app the navigation bar leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Villages,
    Check,
    Export,
    Settings,
}

impl Route {
    /// The part of the app this screen belongs to (its navigation link is
    /// marked as the current one): a village, its form and its records are
    /// all under the villages.
    pub fn section(&self) -> Section {
        match self {
            Route::Home
            | Route::Village(_)
            | Route::Register(_)
            | Route::Record(_)
            | Route::Edit(_) => Section::Villages,
            Route::Check => Section::Check,
            Route::Export => Section::Export,
            Route::Settings => Section::Settings,
        }
    }

    /// Parses a location hash (`#/desa/...`); unknown addresses, and a
    /// village code that `VillageCode::parse` refuses, go home.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let record = |id: &str| RecordId::new(id);
        let village = |code: &str| VillageCode::parse(code).ok();
        match parts.as_slice() {
            ["periksa"] => Route::Check,
            ["pengaturan"] => Route::Settings,
            ["kirim"] => Route::Export,
            ["desa", code] => village(code).map_or(Route::Home, Route::Village),
            ["desa", code, "daftar"] => village(code).map_or(Route::Home, Route::Register),
            ["pekerja", id] => record(id).map_or(Route::Home, Route::Record),
            ["pekerja", id, "ubah"] => record(id).map_or(Route::Home, Route::Edit),
            _ => Route::Home,
        }
    }

    /// The roster of a village whose code is held as text (written by
    /// `VillageRef`, so it parses); home if it does not.
    pub fn village_of(code: &str) -> Route {
        VillageCode::parse(code).map_or(Route::Home, Route::Village)
    }

    /// Registering in a village whose code is held as text.
    pub fn register_in(code: &str) -> Route {
        VillageCode::parse(code).map_or(Route::Home, Route::Register)
    }

    /// The hash for this route, e.g. `#/desa/61.07.01.2001`.
    pub fn hash(&self) -> String {
        match self {
            Route::Home => "#/".to_owned(),
            Route::Check => "#/periksa".to_owned(),
            Route::Settings => "#/pengaturan".to_owned(),
            Route::Export => "#/kirim".to_owned(),
            Route::Village(code) => format!("#/desa/{code}"),
            Route::Register(code) => format!("#/desa/{code}/daftar"),
            Route::Record(id) => format!("#/pekerja/{id}"),
            Route::Edit(id) => format!("#/pekerja/{id}/ubah"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_through_the_hash() {
        let id = RecordId::new("0b6c-41").unwrap();
        let routes = [
            Route::Home,
            Route::Check,
            Route::Settings,
            Route::Export,
            Route::Village(VillageCode::parse("61.07.01.2001").unwrap()),
            Route::Register(VillageCode::parse("61.07.01.2001").unwrap()),
            Route::Record(id.clone()),
            Route::Edit(id),
        ];
        for route in routes {
            assert_eq!(Route::parse(&route.hash()), route);
        }
    }

    #[test]
    fn unknown_or_empty_addresses_go_home() {
        for hash in [
            "",
            "#",
            "#/",
            "#/nothing",
            "#/desa",
            "#/pekerja/a b",
            "#/desa/x/y/z",
            "#/desa/x",
            "#/desa/61.07.01.4001",
            "#/desa/99.07.01.2001/daftar",
        ] {
            assert_eq!(Route::parse(hash), Route::Home, "{hash:?}");
        }
        assert_eq!(Route::parse("#periksa"), Route::Check);
        // The one rule of village codes: typed another way, the same village.
        let sungai_duri = VillageCode::parse("61.07.01.2001").unwrap();
        assert_eq!(
            Route::parse("#/desa/6107012001"),
            Route::Village(sungai_duri)
        );
    }

    #[test]
    fn each_screen_belongs_to_one_section() {
        let cases = [
            ("#/", Section::Villages),
            ("#/desa/61.07.01.2001", Section::Villages),
            ("#/desa/61.07.01.2001/daftar", Section::Villages),
            ("#/pekerja/abc", Section::Villages),
            ("#/pekerja/abc/ubah", Section::Villages),
            ("#/periksa", Section::Check),
            ("#/kirim", Section::Export),
            ("#/pengaturan", Section::Settings),
        ];
        for (hash, section) in cases {
            assert_eq!(Route::parse(hash).section(), section, "{hash}");
        }
    }
}
