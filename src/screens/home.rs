//! Home: the agent's villages with their funded-slot counts, and adding one.

use leptos::prelude::*;
use lindung_core::export::{days_between, standing, Standing};
use lindung_core::i18n::long_date;
use lindung_core::roster::VillageRef;

use crate::region_picker::{Cascade, PickedVillage, RegionPicker};
use crate::route::Route;
use crate::state::Ctx;
use crate::texts::home as tr;

#[component]
pub fn HomeScreen() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    // The form that adds a village opens on request: agents add their villages once,
    // and its code (with the region picker) then loads only when needed.
    let adding = RwSignal::new(false);
    // Whether it was ever opened: once true, stays true.
    let opened = Memo::new(move |was: Option<&bool>| was == Some(&true) || adding.get());
    let no_agent = move || ctx.settings.with(|s| !s.has_agent());
    // The village just added: its row says so, and is brought into view and
    // focused, where the agent looks next (the form closes).
    let added = RwSignal::new(None::<String>);
    provide_context(VillageAdded(Callback::new(move |code: String| {
        adding.set(false);
        added.set(Some(code));
    })));
    Effect::new(move |_| {
        let Some(code) = added.get() else { return };
        request_animation_frame(move || focus_village(&code));
    });

    let rows = move || {
        let lang = lang.get();
        ctx.villages.with(|villages| {
            villages
                .iter()
                .map(|v| {
                    let counts = ctx
                        .workspace
                        .with(|ws| ws.roster(&v.code).map(|r| r.counts()))
                        .unwrap_or_default();
                    let href = Route::village_of(&v.code).hash();
                    let just_added = added.with(|a| a.as_deref() == Some(v.code.as_str()));
                    let added_note = just_added.then(|| {
                        view! {
                            <p class="outcome good" role="status" data-testid="village-added">
                                {tr::village_added(lang, &v.name)}
                            </p>
                        }
                    });
                    view! {
                        <li class:added=just_added>
                            <a class="village-link" href=href data-testid="village-link" data-code=v.code.clone()>
                                <span class="village-name">{v.name.clone()}</span>
                                <span class="village-area">{format!("{} · {}", v.code, v.area)}</span>
                                <span class="village-counts">
                                    {tr::village_counts(lang, counts.funded, counts.funded_slots, counts.waitlisted, counts.apparatus)}
                                </span>
                            </a>
                            {added_note}
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        })
    };

    view! {
        <section class="stack">
            <Show when=no_agent>
                <super::first_run::AgentFirst />
            </Show>
            <ExportStatus />
            <PackOffer />
            <div class="card">
                <h2>{t(tr::MY_VILLAGES)}</h2>
                <p class="hint">{move || format!("{} {}", tr::TODAY.get(lang.get()), long_date(ctx.today, lang.get()))}</p>
                <Show
                    when=move || ctx.villages.with(|v| !v.is_empty())
                    fallback=move || view! {
                        <p data-testid="no-villages">{t(tr::NO_VILLAGES_YET)}</p>
                    }
                >
                    <ul class="village-list" data-testid="village-list">{rows}</ul>
                </Show>
            </div>
            <button
                type="button"
                class="secondary"
                data-testid="add-village-open"
                aria-controls="add-village"
                aria-expanded=move || if adding.get() { "true" } else { "false" }
                on:click=move |_| adding.update(|open| *open = !*open)
            >
                {t(tr::ADD_VILLAGE)}
            </button>
            // Once opened, the form stays mounted and is only hidden: closing it keeps
            // what the agent typed, and a save in flight still reports its outcome.
            <div id="add-village" hidden=move || !adding.get()>
                {move || opened.get().then(|| crate::lazy::screen(lang.into(), add_village))}
            </div>
        </section>
    }
}

/// Given to the form that adds a village (loaded on its own, so through the
/// context): called with the new village's code.
#[derive(Clone, Copy)]
struct VillageAdded(Callback<String>);

/// Scrolls the village's row into view and focuses its link.
fn focus_village(code: &str) {
    use wasm_bindgen::JsCast;
    let selector = format!("[data-testid=\"village-link\"][data-code=\"{code}\"]");
    let found = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(link) = found {
        link.scroll_into_view();
        let _ = link.focus();
    }
}

// The form that adds a village, with the region picker, is most of the home
// screen's code: it loads on demand (src/lazy.rs) when the agent opens it.
crate::lazy::split_point!(
    picker,
    fn add_village() -> crate::lazy::Loaded {
        let on_added = expect_context::<VillageAdded>().0;
        Ok(view! { <AddVillage on_added=on_added /> }.into_any())
    }
);

/// A rule pack the district offers (checked by the sender against the
/// district's signed device state): what it is, and the agent's choice.
/// Shown on Home only, between entries, never in a form.
#[component]
fn PackOffer() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let message = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let take = move |_| {
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = ctx.take_offered_pack().await;
            saving.set(false);
            let lang = lang.get_untracked();
            message.set(Some(match result {
                Ok(()) => tr::NEW_RULES_APPLY_FROM.get(lang).to_owned(),
                Err(error) => error.message(lang),
            }));
        });
    };
    let later = move |_| {
        ctx.offered_pack.update(|o| {
            if let Some(o) = o {
                o.declined = true;
            }
        })
    };
    move || {
        let lang = lang.get();
        let done = message.get().map(|text| view! {
            <div class="card outcome ok" role="status" data-testid="pack-offer-message">{text}</div>
        });
        let offer = ctx.offered_pack.get().filter(|o| !o.declined).map(|offered| {
            let pack = &offered.pack;
            let current = ctx.pack.with(|p| format!("{} {}", p.id(), p.version()));
            let effective = pack.effective();
            let period = match effective.until {
                Some(until) => format!("{} – {}", long_date(effective.from, lang), long_date(until, lang)),
                None => tr::from_date(lang, &long_date(effective.from, lang)),
            };
            view! {
                <div class="card notice" role="region" data-testid="pack-offer"
                    aria-label=tr::NEW_RULES_FROM_OFFICE.get(lang)>
                    <h2>{tr::NEW_RULES_FROM_DISTRICT.get(lang)}</h2>
                    <dl class="nik-info">
                        <dt>{tr::TITLE.get(lang)}</dt><dd>{pack.title().get(lang).to_owned()}</dd>
                        <dt>"ID"</dt><dd data-testid="pack-offer-id">{pack.id().to_owned()}</dd>
                        <dt>{tr::VERSION.get(lang)}</dt><dd data-testid="pack-offer-version">{pack.version().to_owned()}</dd>
                        <dt>{tr::REGULATION.get(lang)}</dt><dd>{pack.regulation().to_owned()}</dd>
                        <dt>{tr::IN_FORCE.get(lang)}</dt><dd>{period}</dd>
                        <dt>{tr::FUNDED_SLOTS_PER_VILLAGE.get(lang)}</dt><dd>{pack.funded_slots_per_village()}</dd>
                        <dt>{tr::AGE.get(lang)}</dt><dd>{format!("{}-{}", pack.age().min, pack.age().max)}</dd>
                        <dt>{tr::USE_NOW.get(lang)}</dt><dd>{current}</dd>
                    </dl>
                    <p class="hint">{tr::RECORDS_ALREADY_SAVED_DO.get(lang)}</p>
                    <div class="actions">
                        <button type="button" class="primary" data-testid="take-pack" on:click=take disabled=move || saving.get()>
                            {tr::USE_THESE_RULES.get(lang)}
                        </button>
                        <button type="button" class="secondary" data-testid="later-pack" on:click=later>
                            {tr::LATER.get(lang)}
                        </button>
                    </div>
                </div>
            }
        });
        (done, offer)
    }
}

/// Days since the last export, and a warning when changes have waited on
/// the phone longer than the rule pack allows (the core's `export::standing`).
#[component]
fn ExportStatus() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let now = crate::platform::now();
    let status = Memo::new(move |_| {
        let warn_after = ctx.pack.with(|p| p.export_warn_after_days());
        ctx.bundles.with(|bundles| {
            let bundles = bundles
                .iter()
                .map(|b| (b.contents.as_slice(), b.left_phone_at()));
            ctx.workspace
                .with(|ws| standing(ws, bundles, now, warn_after))
        })
    });
    let text = move || {
        let lang = lang.get();
        let Standing {
            last_export,
            waiting,
            oldest_unsent,
            ..
        } = status.get();
        let mut lines = vec![match last_export {
            Some(at) => tr::last_exported(lang, days_between(at, now), &long_date(at.date(), lang)),
            None => tr::NO_DATA_HAS_BEEN.get(lang).to_owned(),
        }];
        if waiting > 0 {
            let days = oldest_unsent.map_or(0, |o| days_between(o, now));
            lines.push(tr::unsent_waiting(lang, waiting, days));
        }
        lines.join(" ")
    };
    view! {
        <div
            class=move || if status.get().at_risk { "card notice warn" } else { "card" }
            role=move || if status.get().at_risk { "alert" } else { "status" }
            data-testid="export-status"
            data-at-risk=move || status.get().at_risk.to_string()
        >
            <p>{text}</p>
            <Show when=move || status.get().at_risk>
                <p>
                    <strong>
                        {crate::text::text(lang, tr::IF_PHONE_LOST_BROKEN)}
                    </strong>
                </p>
            </Show>
            {move || ctx.settings.with(|s| s.last_sync).map(|at| {
                let (date, hour, minute) = crate::platform::local_time(at);
                let when = format!("{} {hour:02}.{minute:02}", long_date(date, lang.get()));
                view! {
                    <p class="hint" data-testid="home-last-sync">
                        {crate::text::text(lang, tr::LAST_REACHED_OFFICE_SERVER)}
                        {when}
                    </p>
                }
            })}
            <a href="#/kirim" data-testid="go-export">{crate::text::text(lang, tr::EXPORT_DATA)}</a>
        </div>
    }
}

/// Adds a village: chosen in the region picker (its selects, or its one code
/// field), named as the picker found it (the agent may correct the name).
/// Calls `on_added` with the new village's code once it is saved.
#[component]
fn AddVillage(on_added: Callback<String>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let cascade = RwSignal::new(Cascade::default());
    let name = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    // Tambah pressed with a code typed but not yet used: its province is
    // fetched first, and the village is added when it is picked.
    let add_when_picked = RwSignal::new(None::<String>);

    let save = move || {
        let lang = lang.get_untracked();
        let Some(code) = cascade.with_untracked(Cascade::village_to_add) else {
            return;
        };
        let village = match VillageRef::new(&code, &name.get_untracked()) {
            Ok(v) => v,
            Err(errors) => {
                let text: Vec<String> = errors.iter().map(|e| e.message(lang)).collect();
                error.set(Some(text.join(" ")));
                return;
            }
        };
        let code = village.code().to_owned();
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = ctx.add_village(village, area.get_untracked()).await;
            saving.set(false);
            match result {
                Ok(()) => {
                    error.set(None);
                    cascade.update(Cascade::clear);
                    name.set(String::new());
                    area.set(String::new());
                    on_added.run(code);
                }
                Err(e) => error.set(Some(e.message(lang))),
            }
        });
    };

    let on_pick = Callback::new(move |p: PickedVillage| {
        error.set(None);
        name.set(p.name().to_owned());
        area.set(format!("Kec. {}, {}", p.district_name(), p.regency_name()));
        let waiting = add_when_picked.try_update(Option::take).flatten();
        if waiting.as_deref() == Some(p.code()) {
            save();
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = lang.get_untracked();
        if cascade.with_untracked(Cascade::village_to_add).is_some() {
            save();
            return;
        }
        let nothing = cascade.with_untracked(|c| c.code_text().trim().is_empty());
        if nothing {
            error.set(Some(tr::CHOOSE_VILLAGE_FROM_LISTS.get(lang).to_owned()));
            return;
        }
        // A code typed but not yet used: use it as "Pakai kode" would, and
        // add its village as soon as it is picked (at once, or when its
        // province has loaded). A refused code is explained by the picker.
        let typed = cascade.with_untracked(Cascade::typed_code);
        add_when_picked.set(typed.map(|code| code.to_string()));
        crate::region_picker::use_typed_code(cascade, on_pick);
    };

    view! {
        <form class="card" on:submit=submit data-testid="add-village">
            <h2>{t(tr::ADD_VILLAGE)}</h2>
            <RegionPicker lang=lang cascade=cascade on_pick=on_pick />
            {move || cascade.with(|c| c.unchecked_as_typed().cloned()).map(|code| view! {
                <p class="notice" data-testid="village-unchecked" role="status">
                    {move || tr::village_unchecked(lang.get(), &code.to_string())}
                </p>
            })}
            <div class="field">
                <label for="village-name">{t(tr::VILLAGE_NAME)}</label>
                <input id="village-name" data-testid="village-name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="village-area">{t(tr::DISTRICT_REGENCY)}</label>
                <input id="village-area" data-testid="village-area"
                    prop:value=move || area.get() on:input=move |ev| area.set(event_target_value(&ev)) />
            </div>
            {move || error.get().map(|e| view! { <p class="issue error" role="alert" data-testid="village-error">{e}</p> })}
            <button type="submit" class="primary" data-testid="add-village-button" disabled=move || saving.get()>
                {t(tr::ADD)}
            </button>
        </form>
    }
}
