//! Code loaded on demand, so that the first load carries only what the home screen
//! needs (issue 3: first-load transfer ≤ 250 kB gzip).
//!
//! With the `split` feature (the app build: index.html), each function made by
//! [`split_point!`] is a `wasm_split` split point: `tools/split.mjs` cuts its code, and
//! whatever only it reaches, out of the main .wasm into a chunk that the loader
//! (`<stem>_split.js`) fetches the first time the function is called; from the
//! service worker's cache once the app is installed. Functions of one chunk name
//! share a chunk. Without the feature (tests, native builds) they call their body
//! directly. Either way they are `async` and fallible: a chunk that cannot be
//! fetched (offline before the service worker saved it) is an `Err`, never a panic.
//!
//! Chunks: `roster` (village and record screens), `forms` (registration form and
//! NIK check), `office` (settings, export) and `picker` (the home screen's form that
//! adds a village, with the region picker, opened by its "Tambah desa" button:
//! src/screens/home.rs).
//!
//! Invariants: a screen from here shows a loading line until its chunk is there,
//! and a retry button if the chunk cannot be fetched (nothing typed is lost: the
//! screens keep drafts in the store, not in the view). Once a chunk is loaded,
//! later calls render in the same task, with no loading flash.

use std::future::Future;

use crate::texts::app as tr;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use lindung_core::{Date, Lang, RecordId, RulePack};

/// Defines `async fn $name(args) -> Result<T, E>` (`E: From<SplitLoaderError>`),
/// split into chunk `$chunk` with the `split` feature.
macro_rules! split_point {
    ($chunk:ident, $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[cfg(feature = "split")]
        #[allow(improper_ctypes_definitions)]
        #[leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        $vis fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> $ret $body
    };
}
pub(crate) use split_point;

/// What a split point that renders returns: the view, or its chunk was not fetched.
pub(crate) type Loaded = Result<AnyView, SplitLoaderError>;

// The outbox's sender (`sync.rs`, with the protocol's parsing): its own
// chunk, fetched after start-up, so the first load does not carry it.
split_point!(
    sync,
    pub(crate) fn start_sender(ctx: crate::state::Ctx) -> Result<(), SplitLoaderError> {
        crate::sync::start(ctx);
        Ok(())
    }
);

split_point!(
    roster,
    fn village_screen(code: String) -> Loaded {
        Ok(view! { <crate::screens::VillageScreen code=code /> }.into_any())
    }
);

split_point!(
    roster,
    fn record_screen(id: RecordId) -> Loaded {
        Ok(view! { <crate::screens::RecordScreen id=id /> }.into_any())
    }
);

split_point!(
    forms,
    fn register_screen(village: String) -> Loaded {
        Ok(view! { <crate::screens::RegisterScreen village=village /> }.into_any())
    }
);

split_point!(
    forms,
    fn edit_screen(id: RecordId) -> Loaded {
        Ok(view! { <crate::screens::RegisterScreen editing=id /> }.into_any())
    }
);

split_point!(
    forms,
    fn check_screen(lang: Signal<Lang>, pack: Signal<RulePack>, today: Date) -> Loaded {
        Ok(view! { <crate::check_form::CheckForm lang=lang pack=pack today=today /> }.into_any())
    }
);

split_point!(
    office,
    fn settings_screen() -> Loaded {
        Ok(view! { <crate::screens::SettingsScreen /> }.into_any())
    }
);

split_point!(
    office,
    fn export_screen() -> Loaded {
        Ok(view! { <crate::screens::ExportScreen /> }.into_any())
    }
);

/// Renders what `load` gives: a loading line until then, and if the chunk cannot
/// be fetched, a message with a button that tries again.
pub(crate) fn screen<F>(lang: Signal<Lang>, load: impl Fn() -> F + Send + Sync + 'static) -> AnyView
where
    F: Future<Output = Loaded> + 'static,
{
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let attempt = RwSignal::new(0_u32);
    let body = move || {
        attempt.track();
        let loading = send_wrapper::SendWrapper::new(load());
        Suspend::new(async move {
            match loading.await {
                Ok(view) => view,
                Err(_) => view! {
                    <div class="card outcome bad" role="alert" data-testid="chunk-missing">
                        <p>{t(tr::PART_APP_NOT_SAVED)}</p>
                        <button type="button" class="secondary" data-testid="chunk-retry" on:click=move |_| attempt.update(|n| *n += 1)>
                            {t(tr::TRY_AGAIN)}
                        </button>
                    </div>
                }
                .into_any(),
            }
        })
    };
    view! {
        <Suspense fallback=move || view! {
            <p class="loading" role="status">{t(tr::LOADING)}</p>
        }>{body}</Suspense>
    }
    .into_any()
}

pub fn village(lang: Signal<Lang>, code: String) -> AnyView {
    screen(lang, move || village_screen(code.clone()))
}

pub fn register(lang: Signal<Lang>, village: String) -> AnyView {
    screen(lang, move || register_screen(village.clone()))
}

pub fn edit(lang: Signal<Lang>, id: RecordId) -> AnyView {
    screen(lang, move || edit_screen(id.clone()))
}

pub fn record(lang: Signal<Lang>, id: RecordId) -> AnyView {
    screen(lang, move || record_screen(id.clone()))
}

pub fn settings(lang: Signal<Lang>) -> AnyView {
    screen(lang, settings_screen)
}

pub fn export(lang: Signal<Lang>) -> AnyView {
    screen(lang, export_screen)
}

pub fn check(lang: Signal<Lang>, pack: Signal<RulePack>, today: Date) -> AnyView {
    screen(lang, move || check_screen(lang, pack, today))
}
