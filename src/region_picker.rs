//! Choosing a village: province → regency/city → district → village, or a
//! Kemendagri village code typed directly (`61.07.01.2001` or `6107012001`).
//!
//! Provinces and regencies come from `lindung_core::RegionTable`. Districts and
//! villages come from one JSON file per province, `regions/PP.json`, generated at
//! build time by `tools/regions.mjs` and fetched only when the agent picks that
//! province (the service worker keeps the provinces once fetched). The plain types
//! and functions here (`VillageCode`, `ProvinceVillages`, the `*_choices` lists)
//! do all the work and are tested natively; `RegionPicker` renders and dispatches.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use lindung_core::roster::VillageError;
use lindung_core::{Lang, RegionTable, VillageRef};
use serde::Deserialize;

/// The version of the province files this code reads (`"format"` in each file).
pub const FORMAT: u32 = 1;

/// Where the districts and villages of province `PP` are, relative to the app.
pub fn province_url(province: &str) -> String {
    format!("regions/{province}.json")
}

/// A Kemendagri village code, `PP.KK.CC.XXXX`: province, regency/city, district,
/// village. Only `VillageCode::parse` makes one; its province exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VillageCode {
    /// Ten ASCII digits.
    digits: String,
}

impl VillageCode {
    /// Accepts the ten digits with or without separators (`.`, `,`, `-`, spaces):
    /// `61.07.01.2001`, `6107012001`, `61 07 01 2001`.
    pub fn parse(text: &str) -> Result<VillageCode, CodeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CodeError::Empty);
        }
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, '.' | ',' | '-') && !c.is_whitespace())
            .collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() != 10 {
            return Err(CodeError::Format);
        }
        if RegionTable::kemendagri()
            .province_name(&digits[..2])
            .is_none()
        {
            return Err(CodeError::ProvinceUnknown {
                province: digits[..2].to_owned(),
            });
        }
        Ok(VillageCode { digits })
    }

    pub fn province(&self) -> &str {
        &self.digits[..2]
    }

    pub fn regency(&self) -> &str {
        &self.digits[..4]
    }

    pub fn district(&self) -> &str {
        &self.digits[..6]
    }

    /// The ten digits, `6107012001`.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The written form, `61.07.01.2001`.
    pub fn dotted(&self) -> String {
        dotted(&self.digits)
    }
}

fn dotted(digits: &str) -> String {
    format!(
        "{}.{}.{}.{}",
        &digits[..2],
        &digits[2..4],
        &digits[4..6],
        &digits[6..]
    )
}

/// Why a typed village code is not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeError {
    Empty,
    /// Not ten digits.
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
                "Kode desa terdiri dari 10 angka, mis. 61.07.01.2001.".into()
            }
            (CodeError::Format, Lang::En) => {
                "A village code has 10 digits, e.g. 61.07.01.2001.".into()
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
        let district = match lang {
            Lang::Id => format!("Kec. {}", self.district_name),
            Lang::En => format!("{} district", self.district_name),
        };
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

/// What a province file holds, as written by `tools/regions.mjs`.
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
            .then(|| self.districts.get(code.district()))
            .flatten()
            .and_then(|d| Some((d, d.villages.get(&code.digits()[6..])?)));
        let Some((district, name)) = found else {
            return Err(CodeError::NotFound {
                code: code.dotted(),
                province_name,
            });
        };
        Ok(PickedVillage {
            code: code.dotted(),
            name: name.clone(),
            district_name: district.name.clone(),
            regency_name: table
                .regency_name(code.regency())
                .unwrap_or(code.regency())
                .to_owned(),
            province_name,
        })
    }
}

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
        match (self, lang) {
            (LoadError::Unreachable, Lang::Id) => format!(
                "Daftar desa {province_name} belum tersimpan di HP ini dan tidak bisa diunduh \
                 sekarang. Sambungkan ke internet, lalu coba lagi."
            ),
            (LoadError::Unreachable, Lang::En) => format!(
                "The villages of {province_name} are not saved on this phone yet and cannot be \
                 downloaded now. Connect to the internet, then try again."
            ),
            (LoadError::Http(status), Lang::Id) => {
                format!("Daftar desa {province_name} tidak bisa diunduh (HTTP {status}).")
            }
            (LoadError::Http(status), Lang::En) => {
                format!("The villages of {province_name} could not be downloaded (HTTP {status}).")
            }
            (LoadError::Data(e), Lang::Id) => {
                format!("Daftar desa {province_name} rusak ({e}).")
            }
            (LoadError::Data(e), Lang::En) => {
                format!("The list of villages of {province_name} is damaged ({e}).")
            }
        }
    }
}

/// Fetches and reads `regions/PP.json`.
async fn fetch_province(province: &str) -> Result<ProvinceVillages, LoadError> {
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

/// Where the chosen province's data is.
#[derive(Clone, Debug)]
enum Load {
    Idle,
    Loading(String),
    Ready(Arc<ProvinceVillages>),
    Failed(String, LoadError),
}

/// The data of `province`, if that is what `load` holds.
fn loaded(load: Load, province: &str) -> Option<Arc<ProvinceVillages>> {
    match load {
        Load::Ready(data) if data.province() == province => Some(data),
        _ => None,
    }
}

/// Gives each picker its own element ids.
static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

/// Province, regency/city, district and village selects, and a field to type a
/// village code. Calls `on_pick` each time the agent chooses a village (by the
/// village select, or with a valid code and "Pakai kode").
#[component]
pub fn RegionPicker(
    /// The UI language.
    #[prop(into)]
    lang: Signal<Lang>,
    /// Called with each village the agent chooses.
    on_pick: Callback<PickedVillage>,
) -> impl IntoView {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let id_of = move |what: &str| format!("region-{id}-{what}");

    let province = RwSignal::new(String::new());
    let regency = RwSignal::new(String::new());
    let district = RwSignal::new(String::new());
    let village = RwSignal::new(String::new());
    let load = RwSignal::new(Load::Idle);
    let code_text = RwSignal::new(String::new());
    let code_error = RwSignal::new(None::<CodeError>);
    // A typed code whose province is still loading.
    let pending = RwSignal::new(None::<VillageCode>);
    let picked = RwSignal::new(None::<PickedVillage>);

    let t = move |id: &'static str, en: &'static str| crate::text::text(lang, id, en);
    let province_name = move |code: &str| {
        RegionTable::kemendagri()
            .province_name(code)
            .unwrap_or(code)
            .to_owned()
    };
    // The loaded data of the chosen province, if it is loaded: `data` in views,
    // `data_now` in event handlers.
    let data = move || loaded(load.get(), &province.read());
    let data_now = move || loaded(load.get_untracked(), &province.read_untracked());

    let choose = move |data: &ProvinceVillages, code: VillageCode| match data.pick(&code) {
        Ok(chosen) => {
            regency.set(code.regency().to_owned());
            district.set(code.district().to_owned());
            village.set(code.digits().to_owned());
            code_text.set(code.dotted());
            code_error.set(None);
            picked.set(Some(chosen.clone()));
            on_pick.run(chosen);
        }
        Err(error) => code_error.set(Some(error)),
    };

    let start_load = move |wanted: String| {
        if let Load::Ready(data) = load.get_untracked() {
            if data.province() == wanted {
                return;
            }
        }
        load.set(Load::Loading(wanted.clone()));
        leptos::task::spawn_local(async move {
            let result = fetch_province(&wanted).await;
            // The agent may have chosen another province meanwhile, or left.
            if province.try_get_untracked().as_deref() != Some(wanted.as_str()) {
                return;
            }
            match result {
                Ok(data) => {
                    let data = Arc::new(data);
                    load.set(Load::Ready(data.clone()));
                    let code = pending.try_update(Option::take).flatten();
                    if let Some(code) = code.filter(|c| c.province() == wanted) {
                        choose(&data, code);
                    }
                }
                Err(error) => {
                    pending.set(None);
                    load.set(Load::Failed(wanted, error));
                }
            }
        });
    };

    let set_province = move |code: String| {
        regency.set(String::new());
        district.set(String::new());
        village.set(String::new());
        pending.set(None);
        province.set(code.clone());
        if code.is_empty() {
            load.set(Load::Idle);
        } else {
            start_load(code);
        }
    };

    let apply_code = move || match VillageCode::parse(&code_text.get_untracked()) {
        Err(error) => code_error.set(Some(error)),
        Ok(code) => {
            code_error.set(None);
            match data_now() {
                Some(data) if data.province() == code.province() => choose(&data, code),
                _ => {
                    set_province(code.province().to_owned());
                    pending.set(Some(code));
                }
            }
        }
    };

    let on_regency = move |code: String| {
        regency.set(code);
        district.set(String::new());
        village.set(String::new());
    };
    let on_district = move |code: String| {
        district.set(code);
        village.set(String::new());
    };
    let on_village = move |code: String| {
        village.set(code.clone());
        if let (Some(data), Ok(code)) = (data_now(), VillageCode::parse(&code)) {
            choose(&data, code);
        }
    };
    let on_code_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            // Never submit a form the picker sits in.
            ev.prevent_default();
            apply_code();
        }
    };
    let retry = move |_| {
        let wanted = province.get_untracked();
        if !wanted.is_empty() {
            start_load(wanted);
        }
    };

    let pick =
        move |id: &'static str, en: &'static str| Signal::derive(move || lang.get().pick(id, en));
    let province_options = Signal::derive(province_choices);
    let regency_options = Signal::derive(move || regency_choices(&province.read()));
    let district_options = Signal::derive(move || {
        data()
            .map(|d| d.district_choices(&regency.read()))
            .unwrap_or_default()
    });
    let village_options = Signal::derive(move || {
        data()
            .map(|d| d.village_choices(&district.read()))
            .unwrap_or_default()
    });

    let status = move || {
        let lang = lang.get();
        match load.get() {
            Load::Idle | Load::Ready(_) => None,
            Load::Loading(code) => Some(
                view! {
                    <p class="hint" data-testid="region-status" role="status">
                        {match lang {
                            Lang::Id => format!("Memuat daftar desa {}…", province_name(&code)),
                            Lang::En => format!("Loading the villages of {}…", province_name(&code)),
                        }}
                    </p>
                }
                .into_any(),
            ),
            Load::Failed(code, error) => Some(
                view! {
                    <div class="issue error" data-testid="region-status" data-code=error.code() role="alert">
                        <p>{error.message(lang, &province_name(&code))}</p>
                        <button type="button" class="secondary" data-testid="region-retry" on:click=retry>
                            {lang.pick("Coba lagi", "Try again")}
                        </button>
                    </div>
                }
                .into_any(),
            ),
        }
    };

    view! {
        <div class="region-picker" data-testid="region-picker">
            <RegionSelect
                id=id_of("province")
                testid="region-province"
                label=pick("Provinsi", "Province")
                prompt=pick("Pilih provinsi", "Choose a province")
                choices=province_options
                chosen=province
                disabled=Signal::stored(false)
                on_change=Callback::new(set_province)
            />
            <RegionSelect
                id=id_of("regency")
                testid="region-regency"
                label=pick("Kabupaten/Kota", "Regency/City")
                prompt=pick("Pilih kabupaten/kota", "Choose a regency/city")
                choices=regency_options
                chosen=regency
                disabled=Signal::derive(move || province.read().is_empty())
                on_change=Callback::new(on_regency)
            />
            {status}
            <RegionSelect
                id=id_of("district")
                testid="region-district"
                label=pick("Kecamatan", "District")
                prompt=pick("Pilih kecamatan", "Choose a district")
                choices=district_options
                chosen=district
                disabled=Signal::derive(move || regency.read().is_empty() || data().is_none())
                on_change=Callback::new(on_district)
            />
            <RegionSelect
                id=id_of("village")
                testid="region-village"
                label=pick("Desa/Kelurahan", "Village")
                prompt=pick("Pilih desa/kelurahan", "Choose a village")
                choices=village_options
                chosen=village
                disabled=Signal::derive(move || district.read().is_empty() || data().is_none())
                on_change=Callback::new(on_village)
            />
            <div class="field">
                <label for=id_of("code")>{t("Atau ketik kode desa", "Or type the village code")}</label>
                <input
                    id=id_of("code")
                    data-testid="region-code-input"
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    maxlength="20"
                    placeholder="61.07.01.2001"
                    prop:value=move || code_text.get()
                    on:input=move |ev| code_text.set(event_target_value(&ev))
                    on:keydown=on_code_key
                />
                <button type="button" class="secondary" data-testid="region-pick" on:click=move |_| apply_code()>
                    {t("Pakai kode", "Use code")}
                </button>
                {move || {
                    code_error
                        .get()
                        .map(|error| {
                            view! {
                                <p class="issue error" data-testid="region-code-error" data-code=error.code() role="alert">
                                    {error.message(lang.get())}
                                </p>
                            }
                        })
                }}
            </div>
            {move || {
                picked
                    .get()
                    .map(|chosen| {
                        view! {
                            <p class="picked" data-testid="region-picked" data-code=chosen.code().to_owned()>
                                {t("Desa terpilih: ", "Chosen village: ")}
                                {chosen.summary(lang.get())}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// One labelled select of the picker: a prompt ("Pilih ...") and the choices,
/// rebuilt with the selection so `selected` is always current. One component for
/// all four keeps the WebAssembly small.
#[component]
fn RegionSelect(
    id: String,
    testid: &'static str,
    label: Signal<&'static str>,
    prompt: Signal<&'static str>,
    choices: Signal<Vec<Choice>>,
    #[prop(into)] chosen: Signal<String>,
    disabled: Signal<bool>,
    on_change: Callback<String>,
) -> impl IntoView {
    let options = move || {
        let chosen = chosen.get();
        let prompt = Choice {
            code: String::new(),
            name: prompt.get().to_owned(),
        };
        std::iter::once(prompt)
            .chain(choices.get())
            .map(|c| {
                let selected = c.code == chosen;
                view! { <option value=c.code selected=selected>{c.name}</option> }
            })
            .collect::<Vec<_>>()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                data-testid=testid
                disabled=disabled
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {options}
            </select>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small province file in format 1: two districts of Kab. Bengkayang and one
    /// of Kota Singkawang, names as in idn-area-data.
    const KALBAR: &str = r#"{"format":1,"province":"61","districts":{
        "610701":{"name":"Sungai Raya","villages":{"2001":"Sungai Duri","2004":"Sungai Jaga A","2005":"Sungai Jaga B"}},
        "610702":{"name":"Capkala","villages":{"2001":"Capkala","2002":"Aris"}},
        "617201":{"name":"Singkawang Selatan","villages":{"1001":"Pasiran"}}}}"#;

    fn kalbar() -> ProvinceVillages {
        ProvinceVillages::from_json(KALBAR, "61").unwrap()
    }

    #[test]
    fn village_codes() {
        // (typed, Ok(dotted) or Err(stable code))
        let cases: [(&str, Result<&str, &str>); 12] = [
            ("61.07.01.2001", Ok("61.07.01.2001")),
            ("6107012001", Ok("61.07.01.2001")),
            ("  61 07 01 2001 ", Ok("61.07.01.2001")),
            ("61-07-01-2001", Ok("61.07.01.2001")),
            ("61,07,01,2001", Ok("61.07.01.2001")),
            ("", Err("region.code_empty")),
            ("   ", Err("region.code_empty")),
            ("61.07.01.201", Err("region.code_format")),
            ("61.07.01.20011", Err("region.code_format")),
            ("61.07.01.2OO1", Err("region.code_format")),
            ("٦١٠٧٠١٢٠٠١", Err("region.code_format")),
            ("20.07.01.2001", Err("region.province_unknown")),
        ];
        for (typed, expected) in cases {
            let got = VillageCode::parse(typed)
                .map(|c| c.dotted())
                .map_err(|e| e.code());
            assert_eq!(got.as_deref().map_err(|e| *e), expected, "{typed:?}");
        }
    }

    #[test]
    fn village_code_parts() {
        let code = VillageCode::parse("61.07.01.2001").unwrap();
        assert_eq!(
            [
                code.province(),
                code.regency(),
                code.district(),
                code.digits()
            ],
            ["61", "6107", "610701", "6107012001"]
        );
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
            ("61.07.01.9999", Err("region.village_unknown")),
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
                    assert_eq!(p.code(), code.dotted());
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
    fn code_messages_in_both_languages() {
        let not_found = CodeError::NotFound {
            code: "61.07.01.9999".into(),
            province_name: "Kalimantan Barat".into(),
        };
        let cases = [
            (
                CodeError::Format,
                "Kode desa terdiri dari 10 angka, mis. 61.07.01.2001.",
                "A village code has 10 digits, e.g. 61.07.01.2001.",
            ),
            (
                CodeError::ProvinceUnknown {
                    province: "20".into(),
                },
                "Tidak ada provinsi dengan kode 20.",
                "There is no province with code 20.",
            ),
            (
                not_found,
                "Kode 61.07.01.9999 tidak ada di daftar desa Kalimantan Barat.",
                "Code 61.07.01.9999 is not in the list of villages of Kalimantan Barat.",
            ),
        ];
        for (error, id, en) in cases {
            assert_eq!(error.message(Lang::Id), id);
            assert_eq!(error.message(Lang::En), en);
        }
        assert!(LoadError::Unreachable
            .message(Lang::Id, "Kalimantan Barat")
            .starts_with("Daftar desa Kalimantan Barat belum tersimpan di HP ini"));
        assert!(LoadError::Unreachable
            .message(Lang::En, "Kalimantan Barat")
            .starts_with("The villages of Kalimantan Barat are not saved on this phone yet"));
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
