//! Working offline: registers the service worker (`public/sw.js`, completed at
//! build time by `tools/service-worker.mjs`) and offers its updates.
//!
//! The service worker keeps the app shell and every province file fetched once,
//! so after one visit online the app starts and works with no network. A new
//! version installs in the background and then waits: `UpdateBanner` tells the
//! agent, and the page reloads only when the agent presses "Muat ulang" — never in
//! the middle of an entry.
//!
//! Under `trunk serve` the build writes a service worker that removes itself (see
//! `tools/service-worker.mjs`), so development always sees the latest build.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use crate::texts::app as tr;
use leptos::prelude::*;
use lindung_core::Lang;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

/// Where the service worker is, relative to the app (its scope is the app's folder).
const SCRIPT: &str = "sw.js";
/// Checking for a new version when the agent comes back to the app: at most this often.
const UPDATE_CHECK_EVERY_MS: f64 = 10.0 * 60.0 * 1000.0;
/// If the new version has not taken over by then, reload anyway.
const APPLY_TIMEOUT_MS: i32 = 8000;

/// Whether a new version is waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateState {
    /// Running the latest version we know of.
    Current,
    /// A new version is installed and waits for the agent's go-ahead (or another
    /// tab already switched to it and this page runs the old one).
    Waiting,
    /// The agent pressed "Muat ulang": switching and reloading.
    Applying,
}

/// What to do when the service worker controlling the page changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerChange {
    /// The agent asked for the new version: reload into it.
    Reload,
    /// Another tab switched versions: this page runs the old one; say so.
    Offer,
    /// The first service worker took control of a fresh page: nothing changed.
    Ignore,
}

/// Decides, from whether the page was controlled before and whether the agent
/// asked for the update. A page never reloads unless asked.
pub fn on_controller_change(had_controller: bool, requested: bool) -> ControllerChange {
    match (requested, had_controller) {
        (true, _) => ControllerChange::Reload,
        (false, true) => ControllerChange::Offer,
        (false, false) => ControllerChange::Ignore,
    }
}

fn state() -> &'static ArcRwSignal<UpdateState> {
    static STATE: OnceLock<ArcRwSignal<UpdateState>> = OnceLock::new();
    STATE.get_or_init(|| ArcRwSignal::new(UpdateState::Current))
}

static REGISTERED: AtomicBool = AtomicBool::new(false);
static RELOAD_REQUESTED: AtomicBool = AtomicBool::new(false);

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent on plain http from another host, and in some private modes.
    js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker"))
        .unwrap_or(false)
        .then(|| navigator.service_worker())
}

fn has_controller() -> bool {
    container().is_some_and(|c| c.controller().is_some())
}

fn offer_update() {
    let state = state();
    if state.get_untracked() == UpdateState::Current {
        state.set(UpdateState::Waiting);
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

fn warn(what: &str, error: &JsValue) {
    web_sys::console::warn_2(&JsValue::from_str(what), error);
}

/// Registers the service worker and watches for new versions. Call once at
/// start-up (in `main`, before mounting); later calls do nothing. Does nothing
/// where the browser has no service workers.
pub fn register_service_worker() {
    if REGISTERED.swap(true, Ordering::SeqCst) {
        return;
    }
    let Some(container) = container() else {
        return;
    };

    let had_controller = Rc::new(Cell::new(container.controller().is_some()));
    let on_change = Closure::<dyn FnMut()>::new(move || {
        let requested = RELOAD_REQUESTED.load(Ordering::SeqCst);
        match on_controller_change(had_controller.replace(true), requested) {
            ControllerChange::Reload => reload(),
            ControllerChange::Offer => offer_update(),
            ControllerChange::Ignore => {}
        }
    });
    let _ = container
        .add_event_listener_with_callback("controllerchange", on_change.as_ref().unchecked_ref());
    on_change.forget();

    wasm_bindgen_futures::spawn_local(async move {
        let registration = match JsFuture::from(container.register(SCRIPT)).await {
            // A browser that blocks service workers may resolve with nothing.
            Ok(registration) if registration.is_object() => {
                registration.unchecked_into::<ServiceWorkerRegistration>()
            }
            Ok(nothing) => {
                warn(
                    "Lindung: service workers are blocked; no offline use:",
                    &nothing,
                );
                return;
            }
            Err(error) => {
                warn(
                    "Lindung: the service worker was not registered; no offline use:",
                    &error,
                );
                return;
            }
        };
        watch(&registration);
        check_for_updates_later(registration);
    });
}

/// Offers the update when a new version is (or becomes) installed while an
/// older one controls the page.
fn watch(registration: &ServiceWorkerRegistration) {
    if registration.waiting().is_some() && has_controller() {
        offer_update();
    }
    if let Some(worker) = registration.installing() {
        track(worker);
    }
    let found = registration.clone();
    let on_found = Closure::<dyn FnMut()>::new(move || {
        if let Some(worker) = found.installing() {
            track(worker);
        }
    });
    let _ = registration
        .add_event_listener_with_callback("updatefound", on_found.as_ref().unchecked_ref());
    on_found.forget();
}

fn track(worker: ServiceWorker) {
    let watched = worker.clone();
    let on_state = Closure::<dyn FnMut()>::new(move || {
        if watched.state() == ServiceWorkerState::Installed && has_controller() {
            offer_update();
        }
    });
    let _ =
        worker.add_event_listener_with_callback("statechange", on_state.as_ref().unchecked_ref());
    on_state.forget();
}

/// The browser checks for a new version on each start; an app left open for
/// days also checks when the network comes back and when it is shown again.
fn check_for_updates_later(registration: ServiceWorkerRegistration) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let last_check = Rc::new(Cell::new(js_sys::Date::now()));
    let check = Rc::new(move |force: bool| {
        let now = js_sys::Date::now();
        if !force && now - last_check.get() < UPDATE_CHECK_EVERY_MS {
            return;
        }
        last_check.set(now);
        if let Ok(promise) = registration.update() {
            // Offline, the check fails: that is expected and harmless.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = JsFuture::from(promise).await;
            });
        }
    });
    let on_online = {
        let check = check.clone();
        Closure::<dyn FnMut()>::new(move || check(true))
    };
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    on_online.forget();
    if let Some(document) = window.document() {
        let visible = document.clone();
        let on_visible = Closure::<dyn FnMut()>::new(move || {
            if !visible.hidden() {
                check(false);
            }
        });
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visible.as_ref().unchecked_ref(),
        );
        on_visible.forget();
    }
}

/// Switches to the waiting version and reloads into it (what "Muat ulang" does).
pub fn apply_update() {
    state().set(UpdateState::Applying);
    RELOAD_REQUESTED.store(true, Ordering::SeqCst);
    wasm_bindgen_futures::spawn_local(async {
        let waiting = match container() {
            Some(container) => JsFuture::from(container.get_registration())
                .await
                .ok()
                .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok())
                .and_then(|r| r.waiting()),
            None => None,
        };
        let Some(waiting) = waiting else {
            // Already switched (by another tab): only this page is old.
            reload();
            return;
        };
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"SKIP_WAITING".into());
        if let Err(error) = waiting.post_message(&message) {
            warn("Lindung: could not start the new version:", &error);
            reload();
            return;
        }
        // `controllerchange` reloads; this is the safety net if it never comes.
        if let Some(window) = web_sys::window() {
            let fallback = Closure::once_into_js(reload);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                fallback.unchecked_ref(),
                APPLY_TIMEOUT_MS,
            );
        }
    });
}

/// "Versi baru tersedia" with a reload button, shown only while a new version
/// waits. Needs `register_service_worker()` to have been called.
#[component]
pub fn UpdateBanner(
    /// The UI language.
    #[prop(into)]
    lang: Signal<Lang>,
) -> impl IntoView {
    let update = RwSignal::from(state().clone());
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    view! {
        <Show when=move || update.get() != UpdateState::Current>
            <div class="update-banner" data-testid="update-banner" role="status">
                <p>
                    <strong>{t(tr::UPDATE_AVAILABLE)}</strong>
                    " "
                    {t(tr::RELOAD_WHEN_YOU_NOT)}
                </p>
                <button
                    type="button"
                    class="primary"
                    data-testid="update-reload"
                    disabled=move || update.get() == UpdateState::Applying
                    on:click=move |_| apply_update()
                >
                    {t(tr::RELOAD)}
                </button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reloads_only_when_the_agent_asks() {
        use ControllerChange::*;
        // (had a controller, agent asked, what happens)
        let cases = [
            (false, false, Ignore),
            (true, false, Offer),
            (true, true, Reload),
            (false, true, Reload),
        ];
        for (had_controller, requested, expected) in cases {
            assert_eq!(
                on_controller_change(had_controller, requested),
                expected,
                "had_controller={had_controller} requested={requested}"
            );
        }
    }
}
