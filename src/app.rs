//! The application shell: header with the language switch, the check form,
//! and a footer naming the active rule pack and the data credits.

use leptos::prelude::*;
use lindung_core::{Lang, RulePack};

use crate::check_form::CheckForm;
use crate::platform;

#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(platform::saved_lang().unwrap_or_default());
    Effect::new(move |_| {
        let lang = lang.get();
        platform::set_document_lang(lang);
        platform::save_lang(lang);
    });
    let pack = RulePack::default_pack();
    let pack_line = format!("{} {}", pack.id(), pack.version());
    let pack_title = pack.title().clone();
    let toggle = move |_| {
        lang.update(|l| {
            *l = match l {
                Lang::Id => Lang::En,
                Lang::En => Lang::Id,
            }
        })
    };
    let t = move |id: &'static str, en: &'static str| move || lang.get().pick(id, en);

    view! {
        <header class="topbar">
            <div class="brand">
                <img src="icons/icon.svg" alt="" width="32" height="32" />
                <h1>"Lindung"</h1>
            </div>
            <button
                type="button"
                class="lang-toggle"
                data-testid="lang-toggle"
                lang=move || match lang.get() {
                    Lang::Id => "en",
                    Lang::En => "id",
                }
                on:click=toggle
            >
                {move || match lang.get() {
                    Lang::Id => "English",
                    Lang::En => "Bahasa Indonesia",
                }}
            </button>
        </header>
        <main>
            <p class="lead">
                {t(
                    "Pendaftaran pekerja rentan dan aparatur desa ke BPJS Ketenagakerjaan.",
                    "Registering vulnerable workers and village apparatus into BPJS Ketenagakerjaan.",
                )}
            </p>
            <CheckForm lang=lang pack=pack today=platform::today() />
        </main>
        <footer>
            <p>
                {t("Aturan yang berlaku: ", "Active rules: ")}
                <span data-testid="pack-id">{pack_line}</span>
                " — "
                {move || pack_title.get(lang.get()).to_owned()}
            </p>
            <p>
                {t("Data wilayah Kemendagri dari ", "Kemendagri region data from ")}
                "idn-area-data (ODbL 1.0)."
            </p>
        </footer>
    }
}
