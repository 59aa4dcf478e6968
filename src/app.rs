//! The application shell: header with navigation and the language switch,
//! the current screen, and a footer naming the active rule pack and the data
//! credits.

use leptos::prelude::*;
use lindung_core::Lang;

use crate::lazy;
use crate::offline::UpdateBanner;
use crate::platform;
use crate::route::{Route, Section};
use crate::screens::HomeScreen;
use crate::state::{read_only_message, AppStore, Ctx, Phase, Writer};
use crate::texts::app as tr;

#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx::new(AppStore::default());
    provide_context(ctx);
    leptos::task::spawn_local(ctx.start());

    let lang = ctx.lang;
    Effect::new(move |_| {
        let lang = lang.get();
        platform::set_document_lang(lang);
        platform::save_lang(lang);
    });
    let _hash = window_event_listener(leptos::ev::hashchange, move |_| {
        ctx.route.set(Route::parse(&platform::location_hash()));
    });

    let toggle = move |_| {
        lang.update(|l| {
            *l = match l {
                Lang::Id => Lang::En,
                Lang::En => Lang::Id,
            }
        })
    };
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);

    let screen = move || match ctx.phase.get() {
        Phase::Starting => view! {
            <p class="loading" role="status">{t(tr::LOADING_DATA)}</p>
        }
        .into_any(),
        Phase::Failed(error) => view! {
            <div class="card outcome bad" role="alert" data-testid="load-error">
                {move || error.message(lang.get())}
            </div>
        }
        .into_any(),
        Phase::Ready => match ctx.route.get() {
            Route::Home => view! { <HomeScreen /> }.into_any(),
            Route::Check => lazy::check(lang.into(), ctx.pack.into(), ctx.today),
            Route::Village(code) => lazy::village(lang.into(), code.to_string()),
            Route::Register(code) => lazy::register(lang.into(), code.to_string()),
            Route::Edit(id) => lazy::edit(lang.into(), id),
            Route::Record(id) => lazy::record(lang.into(), id),
            Route::Settings => lazy::settings(lang.into()),
            Route::Export => lazy::export(lang.into()),
        },
    };

    // The link of the section shown is marked (and highlighted on a phone's
    // bottom bar).
    let current = move |section: Section| {
        move || (ctx.route.with(Route::section) == section).then_some("page")
    };

    // index.html's loading shell copies this header (classes, texts, sizes): the
    // app's header must occupy the same boxes, so keep the two alike.
    view! {
        <header class="topbar">
            <div class="topbar-row">
                <a class="brand" href="#/">
                    <img src="icons/icon.svg" alt="" width="32" height="32" />
                    <h1>"Lindung"</h1>
                </a>
                <button
                    type="button"
                    class="lang-toggle"
                    data-testid="lang-toggle"
                    lang=t(tr::OTHER_LANGUAGE_TAG)
                    on:click=toggle
                >
                    {t(tr::OTHER_LANGUAGE)}
                </button>
            </div>
            <nav class="topnav">
                <a href="#/" data-testid="nav-home" aria-current=current(Section::Villages)>{t(tr::MY_VILLAGES)}</a>
                <a href="#/periksa" data-testid="nav-check" aria-current=current(Section::Check)>{t(tr::CHECK_NIK)}</a>
                <a href="#/kirim" data-testid="nav-export" aria-current=current(Section::Export)>{t(tr::EXPORT)}</a>
                <a href="#/pengaturan" data-testid="nav-settings" aria-current=current(Section::Settings)>{t(tr::SETTINGS)}</a>
            </nav>
        </header>
        <main>
            <UpdateBanner lang=lang />
            {move || ctx.lost.get().map(|error| view! {
                <div class="card outcome bad" role="alert" data-testid="store-lost">
                    {move || error.message(lang.get())}
                </div>
            })}
            <Show when=move || ctx.writer.get() == Writer::OtherTab>
                <div class="card notice" role="status" data-testid="read-only">
                    {move || read_only_message(lang.get())}
                </div>
            </Show>
            <Show when=move || { ctx.unshown.get() > 0 }>
                <div class="card notice" role="alert" data-testid="unshown-records">
                    {move || tr::records_unshown(lang.get(), ctx.unshown.get())}
                </div>
            </Show>
            {move || ctx.not_persistent.get().map(|error| view! {
                <div class="card notice" role="alert" data-testid="not-persistent">
                    {move || error.message(lang.get())}
                </div>
            })}
            {screen}
        </main>
        <footer>
            <p>
                {t(tr::ACTIVE_RULES)}
                <span data-testid="pack-id">
                    {move || ctx.pack.with(|p| format!("{} {}", p.id(), p.version()))}
                </span>
                " — "
                {move || ctx.pack.with(|p| p.title().get(lang.get()).to_owned())}
            </p>
            <p>
                {t(tr::KEMENDAGRI_REGION_DATA_FROM)}
                "idn-area-data (ODbL 1.0)."
            </p>
        </footer>
    }
}
