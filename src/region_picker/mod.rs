//! Choosing a village: province → regency/city → district → village, or a
//! Kemendagri village code typed directly (`61.07.01.2001` or `6107012001`).
//!
//! Provinces and regencies come from `lindung_core::RegionTable`. Districts and
//! villages come from one JSON file per province, `regions/PP.json`, generated at
//! build time by `cargo xtask regions --json` (`xtask/src/regions/province_files.rs`)
//! and fetched only when the agent picks that
//! province (the service worker keeps the provinces once fetched).
//!
//! - `data`: the province files and the choices they offer, checked when read;
//! - `cascade`: what each choice resets, what to fetch, which answers count;
//! - `load`: the fetch and its errors;
//! - here: `RegionPicker`, which renders a `Cascade` and dispatches to it.

mod cascade;
mod data;
mod load;

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::texts::region_picker as tr;
use leptos::prelude::*;
use lindung_core::{Lang, RegionTable};

pub use cascade::{Applied, Cascade, Load};
pub use data::{
    province_choices, province_url, regency_choices, Choice, DataError, PickedVillage,
    ProvinceVillages, FORMAT,
};
pub use load::LoadError;

/// Uses the code typed in a picker, as "Pakai kode" does (a form that holds
/// the picker calls it when the agent submits with a code typed but not yet
/// used): picks its village, or fetches its province and picks it then.
pub fn use_typed_code(cascade: RwSignal<Cascade>, on_pick: Callback<PickedVillage>) {
    match cascade.try_update(Cascade::apply_code) {
        Some(Applied::Picked(picked)) => on_pick.run(picked),
        Some(Applied::Fetch(province)) => fetch(cascade, on_pick, province),
        Some(Applied::Refused) | None => {}
    }
}

/// Fetches `province` and gives the answer to the cascade.
fn fetch(cascade: RwSignal<Cascade>, on_pick: Callback<PickedVillage>, province: String) {
    leptos::task::spawn_local(async move {
        let result = load::fetch_province(&province).await;
        // The picker may be gone (the agent left the screen).
        let picked = cascade
            .try_update(|c| c.loaded(&province, result))
            .flatten();
        if let Some(picked) = picked {
            on_pick.run(picked);
        }
    });
}

/// Gives each picker its own element ids.
static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

/// Province, regency/city, district and village selects, and the one field to
/// type a village code. Calls `on_pick` each time the agent chooses a village
/// (by the village select, or with a valid code and "Pakai kode" or Enter).
/// The parent owns `cascade`, so it can clear the picker.
#[component]
pub fn RegionPicker(
    /// The UI language.
    #[prop(into)]
    lang: Signal<Lang>,
    cascade: RwSignal<Cascade>,
    /// Called with each village the agent chooses.
    on_pick: Callback<PickedVillage>,
) -> impl IntoView {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let id_of = move |what: &str| format!("region-{id}-{what}");
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let province_name = move |code: &str| {
        RegionTable::kemendagri()
            .province_name(code)
            .unwrap_or(code)
            .to_owned()
    };

    let fetch = move |province: String| fetch(cascade, on_pick, province);
    let apply_code = move || use_typed_code(cascade, on_pick);
    let on_province = move |code: String| {
        if let Some(province) = cascade.try_update(|c| c.choose_province(&code)).flatten() {
            fetch(province);
        }
    };
    let on_village = move |code: String| {
        if let Some(picked) = cascade.try_update(|c| c.choose_village(&code)).flatten() {
            on_pick.run(picked);
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
        if let Some(province) = cascade.try_update(Cascade::retry).flatten() {
            fetch(province);
        }
    };

    let pick = move |text: crate::text::Tr| Signal::derive(move || text.get(lang.get()));
    let enabled = move |i: usize| Signal::derive(move || cascade.with(|c| c.enabled()[i]));

    let status = move || {
        let lang = lang.get();
        match cascade.with(|c| c.load().clone()) {
            Load::Idle | Load::Ready(_) => None,
            Load::Loading(code) => Some(
                view! {
                    <p class="hint" data-testid="region-status" role="status">
                        {tr::loading_villages(lang, &province_name(&code))}
                    </p>
                }
                .into_any(),
            ),
            Load::Failed(code, error) => Some(
                view! {
                    <div class="issue error" data-testid="region-status" data-code=error.code() role="alert">
                        <p>{error.message(lang, &province_name(&code))}</p>
                        <button type="button" class="secondary" data-testid="region-retry" on:click=retry>
                            {tr::TRY_AGAIN.get(lang)}
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
                label=pick(tr::PROVINCE)
                prompt=pick(tr::CHOOSE_PROVINCE)
                choices=Signal::derive(move || cascade.with(Cascade::province_choices))
                chosen=Signal::derive(move || cascade.with(|c| c.province().to_owned()))
                disabled=Signal::stored(false)
                on_change=Callback::new(on_province)
            />
            <RegionSelect
                id=id_of("regency")
                testid="region-regency"
                label=pick(tr::REGENCY)
                prompt=pick(tr::CHOOSE_REGENCY)
                choices=Signal::derive(move || cascade.with(Cascade::regency_choices))
                chosen=Signal::derive(move || cascade.with(|c| c.regency().to_owned()))
                disabled=Signal::derive(move || !enabled(0).get())
                on_change=Callback::new(move |code: String| cascade.update(|c| c.choose_regency(&code)))
            />
            {status}
            <RegionSelect
                id=id_of("district")
                testid="region-district"
                label=pick(tr::DISTRICT)
                prompt=pick(tr::CHOOSE_DISTRICT)
                choices=Signal::derive(move || cascade.with(Cascade::district_choices))
                chosen=Signal::derive(move || cascade.with(|c| c.district().to_owned()))
                disabled=Signal::derive(move || !enabled(1).get())
                on_change=Callback::new(move |code: String| cascade.update(|c| c.choose_district(&code)))
            />
            <RegionSelect
                id=id_of("village")
                testid="region-village"
                label=pick(tr::VILLAGE)
                prompt=pick(tr::CHOOSE_VILLAGE)
                choices=Signal::derive(move || cascade.with(Cascade::village_choices))
                chosen=Signal::derive(move || cascade.with(|c| c.village().to_owned()))
                disabled=Signal::derive(move || !enabled(2).get())
                on_change=Callback::new(on_village)
            />
            <div class="field">
                <label for=id_of("code")>{t(tr::TYPE_VILLAGE_CODE)}</label>
                <div class="inline">
                    <input
                        id=id_of("code")
                        data-testid="region-code-input"
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        maxlength="20"
                        placeholder="61.07.01.2001"
                        prop:value=move || cascade.with(|c| c.code_text().to_owned())
                        on:input=move |ev| cascade.update(|c| c.type_code(&event_target_value(&ev)))
                        on:keydown=on_code_key
                    />
                    <button type="button" class="secondary" data-testid="region-pick" on:click=move |_| apply_code()>
                        {t(tr::USE_CODE)}
                    </button>
                </div>
                {move || {
                    cascade
                        .with(|c| c.code_error().cloned())
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
                cascade
                    .with(|c| c.picked().cloned())
                    .map(|chosen| {
                        view! {
                            <p class="picked" data-testid="region-picked" data-code=chosen.code().to_owned() role="status">
                                {t(tr::CHOSEN_VILLAGE)}
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
    chosen: Signal<String>,
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
