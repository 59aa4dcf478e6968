//! What the picker decides, as a plain type: the four choices and the typed
//! code, what each change resets, which province must be fetched, and which
//! fetch answers still count. `RegionPicker` holds one `Cascade` in a signal,
//! calls these methods from its event handlers and runs the fetches they ask
//! for.

use std::sync::Arc;

use lindung_core::{CodeError, VillageCode};

use super::data::{province_choices, regency_choices, Choice, PickedVillage, ProvinceVillages};
use super::load::LoadError;

/// Where the chosen province's data is.
#[derive(Clone, Debug, Default)]
pub enum Load {
    #[default]
    Idle,
    Loading(String),
    Ready(Arc<ProvinceVillages>),
    Failed(String, LoadError),
}

/// The state of one picker.
#[derive(Clone, Debug, Default)]
pub struct Cascade {
    province: String,
    regency: String,
    district: String,
    /// The ten digits of the chosen village.
    village: String,
    load: Load,
    code_text: String,
    code_error: Option<CodeError>,
    /// A typed code whose province is still loading.
    pending: Option<VillageCode>,
    /// A typed code whose province's list could not be loaded (offline, and
    /// never fetched on this phone): usable, unchecked against the list.
    unchecked: Option<VillageCode>,
    picked: Option<PickedVillage>,
}

impl Cascade {
    pub fn province(&self) -> &str {
        &self.province
    }

    pub fn regency(&self) -> &str {
        &self.regency
    }

    pub fn district(&self) -> &str {
        &self.district
    }

    pub fn village(&self) -> &str {
        &self.village
    }

    pub fn load(&self) -> &Load {
        &self.load
    }

    pub fn code_text(&self) -> &str {
        &self.code_text
    }

    pub fn code_error(&self) -> Option<&CodeError> {
        self.code_error.as_ref()
    }

    pub fn picked(&self) -> Option<&PickedVillage> {
        self.picked.as_ref()
    }

    /// The village picked, if the code field still shows its code (the agent
    /// has not typed another one since).
    pub fn picked_as_typed(&self) -> Option<&PickedVillage> {
        let picked = self.picked.as_ref()?;
        let typed = self.typed_code()?;
        (typed.as_str() == picked.code()).then_some(picked)
    }

    /// The code in the code field, if it is a village code.
    pub fn typed_code(&self) -> Option<VillageCode> {
        VillageCode::parse(&self.code_text).ok()
    }

    /// The code of the village a form holding this picker would add: the
    /// one picked (and still in the code field), or a typed code whose
    /// province's list cannot be loaded on this phone.
    pub fn village_to_add(&self) -> Option<String> {
        self.picked_as_typed()
            .map(|picked| picked.code().to_owned())
            .or_else(|| self.unchecked_as_typed().map(VillageCode::to_string))
    }

    /// The typed code, when its province's list could not be loaded and the
    /// field still shows it: a village can then be added by that code, under
    /// the name the agent types, unchecked against the list (the district
    /// judges codes by their form and province only).
    pub fn unchecked_as_typed(&self) -> Option<&VillageCode> {
        let unchecked = self.unchecked.as_ref()?;
        let typed = self.typed_code()?;
        (&typed == unchecked).then_some(unchecked)
    }

    /// The chosen province's villages, once loaded.
    pub fn data(&self) -> Option<&ProvinceVillages> {
        match &self.load {
            Load::Ready(data) if data.province() == self.province => Some(data),
            _ => None,
        }
    }

    pub fn province_choices(&self) -> Vec<Choice> {
        province_choices()
    }

    pub fn regency_choices(&self) -> Vec<Choice> {
        regency_choices(&self.province)
    }

    pub fn district_choices(&self) -> Vec<Choice> {
        self.data()
            .map(|d| d.district_choices(&self.regency))
            .unwrap_or_default()
    }

    pub fn village_choices(&self) -> Vec<Choice> {
        self.data()
            .map(|d| d.village_choices(&self.district))
            .unwrap_or_default()
    }

    /// Whether each select below the province can be used:
    /// `[regency, district, village]`.
    pub fn enabled(&self) -> [bool; 3] {
        let loaded = self.data().is_some();
        [
            !self.province.is_empty(),
            !self.regency.is_empty() && loaded,
            !self.district.is_empty() && loaded,
        ]
    }

    /// Chooses a province ("" for none): clears what lies below it and any
    /// code waiting for a province. Returns the province to fetch, if its
    /// villages are not loaded yet.
    pub fn choose_province(&mut self, code: &str) -> Option<String> {
        self.regency.clear();
        self.district.clear();
        self.village.clear();
        self.pending = None;
        self.unchecked = None;
        self.province = code.to_owned();
        if code.is_empty() {
            self.load = Load::Idle;
            return None;
        }
        self.fetch()
    }

    pub fn choose_regency(&mut self, code: &str) {
        self.regency = code.to_owned();
        self.district.clear();
        self.village.clear();
    }

    pub fn choose_district(&mut self, code: &str) {
        self.district = code.to_owned();
        self.village.clear();
    }

    /// Chooses a village by its ten digits; returns it when it is picked.
    pub fn choose_village(&mut self, digits: &str) -> Option<PickedVillage> {
        self.village = digits.to_owned();
        let code = VillageCode::parse(digits).ok()?;
        self.pick(code)
    }

    pub fn type_code(&mut self, text: &str) {
        self.code_text = text.to_owned();
    }

    /// Uses the typed code: picks its village if its province is loaded, or
    /// chooses its province and waits for it (`Applied::Fetch`).
    pub fn apply_code(&mut self) -> Applied {
        let code = match VillageCode::parse(&self.code_text) {
            Ok(code) => code,
            Err(error) => {
                self.code_error = Some(error);
                return Applied::Refused;
            }
        };
        self.code_error = None;
        if self.data().is_some_and(|d| d.province() == code.province()) {
            return self.pick(code).map_or(Applied::Refused, Applied::Picked);
        }
        let province = code.province().to_owned();
        let fetch = self.choose_province(&province);
        match fetch {
            Some(province) => {
                self.pending = Some(code);
                Applied::Fetch(province)
            }
            // Loaded already, under another province's choice: pick now.
            None => self.pick(code).map_or(Applied::Refused, Applied::Picked),
        }
    }

    /// The province to fetch again after a failure.
    pub fn retry(&mut self) -> Option<String> {
        if self.province.is_empty() {
            return None;
        }
        self.fetch()
    }

    /// The answer to a fetch of `province`. An answer for a province the
    /// agent has since left is dropped. Returns the village of a typed code
    /// that was waiting for this province, once picked.
    pub fn loaded(
        &mut self,
        province: &str,
        result: Result<ProvinceVillages, LoadError>,
    ) -> Option<PickedVillage> {
        if self.province != province {
            return None;
        }
        match result {
            Ok(data) => {
                self.load = Load::Ready(Arc::new(data));
                // The list is here: a code is checked against it from now on.
                self.unchecked = None;
                let code = self.pending.take()?;
                (code.province() == province)
                    .then(|| self.pick(code))
                    .flatten()
            }
            Err(error) => {
                self.unchecked = self.pending.take();
                self.load = Load::Failed(province.to_owned(), error);
                None
            }
        }
    }

    /// Forgets the choices and the typed code, keeping the loaded province
    /// (a form that added a village starts again).
    pub fn clear(&mut self) {
        let load = std::mem::take(&mut self.load);
        let province = std::mem::take(&mut self.province);
        *self = Cascade::default();
        // The province stays chosen, so its loaded villages stay offered.
        self.province = province;
        self.load = load;
    }

    fn fetch(&mut self) -> Option<String> {
        if self.data().is_some() {
            return None;
        }
        self.load = Load::Loading(self.province.clone());
        Some(self.province.clone())
    }

    fn pick(&mut self, code: VillageCode) -> Option<PickedVillage> {
        let picked = self.data().map(|data| data.pick(&code));
        match picked {
            Some(Ok(chosen)) => {
                self.regency = code.regency();
                self.district = code.district();
                self.village = code.digits();
                self.code_text = code.as_str().to_owned();
                self.code_error = None;
                self.picked = Some(chosen.clone());
                Some(chosen)
            }
            Some(Err(error)) => {
                self.code_error = Some(error);
                None
            }
            None => None,
        }
    }
}

/// What using a typed code did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    Picked(PickedVillage),
    /// The code's province must be fetched first; the village is picked when
    /// it arrives.
    Fetch(String),
    /// The code is not accepted; `Cascade::code_error` says why.
    Refused,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region_picker::data::tests::kalbar;

    fn names(p: &Option<PickedVillage>) -> Option<&str> {
        p.as_ref().map(PickedVillage::name)
    }

    #[test]
    fn each_choice_resets_what_lies_below_it() {
        let mut c = Cascade::default();
        assert_eq!(c.enabled(), [false, false, false]);
        assert_eq!(c.choose_province("61").as_deref(), Some("61"));
        assert!(matches!(c.load(), Load::Loading(p) if p == "61"));
        assert_eq!(c.enabled(), [true, false, false]);
        assert_eq!(c.loaded("61", Ok(kalbar())), None);
        c.choose_regency("6107");
        assert_eq!(c.enabled(), [true, true, false]);
        assert_eq!(c.district_choices().len(), 2);
        c.choose_district("610701");
        assert_eq!(c.village_choices().len(), 3);
        let picked = c.choose_village("6107012001");
        assert_eq!(names(&picked), Some("Sungai Duri"));
        assert_eq!(
            c.code_text(),
            "61.07.01.2001",
            "the code field shows the pick"
        );

        // (what changes, then [regency, district, village] left)
        c.choose_district("610702");
        assert_eq!(
            [c.regency(), c.district(), c.village()],
            ["6107", "610702", ""]
        );
        c.choose_regency("6172");
        assert_eq!([c.regency(), c.district(), c.village()], ["6172", "", ""]);
        // The same province again: nothing to fetch, everything below cleared.
        assert_eq!(c.choose_province("61"), None);
        assert_eq!([c.regency(), c.district(), c.village()], ["", "", ""]);
        assert!(c.data().is_some());
        // No province: nothing loaded, nothing offered below.
        assert_eq!(c.choose_province(""), None);
        assert!(matches!(c.load(), Load::Idle));
        assert!(c.regency_choices().is_empty());
        assert_eq!(c.province_choices().len(), 38);
    }

    #[test]
    fn a_typed_code_waits_for_its_province_then_picks() {
        // (typed, what applying it does, then what is picked once 61 loads)
        let cases: [(&str, &str, Option<&str>, Option<&str>); 5] = [
            ("6107012004", "fetch 61", Some("Sungai Jaga A"), None),
            (
                "61.07.01.2999",
                "fetch 61",
                None,
                Some("region.village_unknown"),
            ),
            ("61.07.01", "refused", None, Some("region.code_format")),
            ("", "refused", None, Some("region.code_empty")),
            (
                "99.07.01.2001",
                "refused",
                None,
                Some("region.province_unknown"),
            ),
        ];
        for (typed, applied, picked, error) in cases {
            let mut c = Cascade::default();
            c.type_code(typed);
            let got = match c.apply_code() {
                Applied::Fetch(p) => format!("fetch {p}"),
                Applied::Refused => "refused".to_owned(),
                Applied::Picked(p) => format!("picked {}", p.name()),
            };
            assert_eq!(got, applied, "{typed:?}");
            if applied.starts_with("fetch") {
                let now = c.loaded("61", Ok(kalbar()));
                assert_eq!(names(&now), picked, "{typed:?}");
            }
            assert_eq!(c.code_error().map(CodeError::code), error, "{typed:?}");
        }
    }

    #[test]
    fn a_typed_code_in_the_loaded_province_picks_at_once() {
        let mut c = Cascade::default();
        c.choose_province("61");
        c.loaded("61", Ok(kalbar()));
        c.type_code("61 72 01 1001");
        let Applied::Picked(p) = c.apply_code() else {
            panic!("picked at once");
        };
        assert_eq!(p.name(), "Pasiran");
        assert_eq!(
            [c.regency(), c.district(), c.village(), c.code_text()],
            ["6172", "617201", "6172011001", "61.72.01.1001"]
        );
        // A code of another province: that province is fetched.
        c.type_code("35.13.15.2017");
        assert_eq!(c.apply_code(), Applied::Fetch("35".into()));
        assert_eq!(c.province(), "35");
        assert_eq!(c.regency(), "");
    }

    #[test]
    fn an_answer_for_a_province_left_behind_is_dropped() {
        let mut c = Cascade::default();
        c.type_code("6107012001");
        assert_eq!(c.apply_code(), Applied::Fetch("61".into()));
        // The agent chooses another province before 61 arrives.
        assert_eq!(c.choose_province("35").as_deref(), Some("35"));
        assert_eq!(c.loaded("61", Ok(kalbar())), None);
        assert!(c.data().is_none());
        assert!(matches!(c.load(), Load::Loading(p) if p == "35"));
        // Back to 61: the code no longer waits, and nothing is picked.
        c.choose_province("61");
        assert_eq!(c.loaded("61", Ok(kalbar())), None);
        assert!(c.picked().is_none());
    }

    #[test]
    fn a_failed_load_can_be_retried() {
        let mut c = Cascade::default();
        c.type_code("6107012001");
        c.apply_code();
        assert_eq!(c.loaded("61", Err(LoadError::Unreachable)), None);
        assert!(matches!(c.load(), Load::Failed(p, LoadError::Unreachable) if p == "61"));
        assert_eq!(c.enabled(), [true, false, false]);
        assert_eq!(c.retry().as_deref(), Some("61"));
        // The typed code waits no more: the agent applies it again.
        assert_eq!(c.loaded("61", Ok(kalbar())), None);
        assert_eq!(c.retry(), None, "loaded: nothing to fetch");
        assert_eq!(Cascade::default().retry(), None);
    }

    #[test]
    fn a_code_whose_province_cannot_be_loaded_is_usable_unchecked() {
        let mut c = Cascade::default();
        c.type_code("61.07.01.2999");
        assert_eq!(c.apply_code(), Applied::Fetch("61".into()));
        assert_eq!(c.unchecked_as_typed(), None, "still loading");
        assert_eq!(c.loaded("61", Err(LoadError::Unreachable)), None);
        let code = VillageCode::parse("6107012999").unwrap();
        assert_eq!(c.unchecked_as_typed(), Some(&code));
        assert!(c.picked_as_typed().is_none());
        // Typed the same way again, it stays; another code, or another
        // province chosen, drops it.
        c.type_code("6107012999");
        assert_eq!(c.unchecked_as_typed(), Some(&code));
        c.type_code("61.07.01.2998");
        assert_eq!(c.unchecked_as_typed(), None);
        c.type_code("61.07.01.2999");
        c.choose_province("62");
        assert_eq!(c.unchecked_as_typed(), None);
        // Once the list loads, the code is checked against it after all.
        let mut c = Cascade::default();
        c.type_code("61.07.01.2001");
        c.apply_code();
        c.loaded("61", Err(LoadError::Unreachable));
        assert_eq!(c.retry().as_deref(), Some("61"));
        c.loaded("61", Ok(kalbar()));
        assert!(matches!(c.apply_code(), Applied::Picked(p) if p.name() == "Sungai Duri"));
        assert_eq!(c.unchecked_as_typed(), None);
    }

    #[test]
    fn the_village_to_add_is_the_one_picked_or_an_unchecked_code() {
        let mut c = Cascade::default();
        assert_eq!(c.village_to_add(), None);
        c.type_code("6107012001");
        assert_eq!(c.village_to_add(), None, "typed, not yet used");
        c.apply_code();
        c.loaded("61", Ok(kalbar()));
        assert_eq!(c.village_to_add().as_deref(), Some("61.07.01.2001"));
        c.type_code("61.07.01.2002");
        assert_eq!(c.village_to_add(), None, "another code typed since");
        let mut c = Cascade::default();
        c.type_code("61.07.01.2999");
        c.apply_code();
        c.loaded("61", Err(LoadError::Unreachable));
        assert_eq!(c.village_to_add().as_deref(), Some("61.07.01.2999"));
    }

    #[test]
    fn clearing_keeps_the_loaded_province() {
        let mut c = Cascade::default();
        c.type_code("6107012001");
        c.apply_code();
        c.loaded("61", Ok(kalbar()));
        assert!(c.picked().is_some());
        c.clear();
        assert!(c.picked().is_none());
        assert_eq!(
            [c.regency(), c.district(), c.village(), c.code_text()],
            ["", "", "", ""]
        );
        assert_eq!(c.province(), "61");
        c.type_code("6107022002");
        assert!(matches!(c.apply_code(), Applied::Picked(p) if p.name() == "Aris"));
    }
}
