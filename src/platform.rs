//! The few things the app takes from the browser: today's date and a saved
//! language preference. The core never reads a clock; this module does.

use gloo_storage::{LocalStorage, Storage};
use lindung_core::{Date, Lang};

const LANG_KEY: &str = "lindung.lang";

/// Today's date in the device's local time zone (what the agent's calendar shows).
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    Date::new(
        now.get_full_year() as i32,
        (now.get_month() + 1) as u8,
        now.get_date() as u8,
    )
    .expect("the browser's clock gives a real date")
}

/// `at` in the browser's time zone: (date, hour, minute).
pub fn local_time(at: lindung_core::Timestamp) -> (Date, u8, u8) {
    let local = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.millis() as f64));
    let date = Date::new(
        local.get_full_year() as i32,
        (local.get_month() + 1) as u8,
        local.get_date() as u8,
    )
    .unwrap_or_else(|| at.date());
    (date, local.get_hours() as u8, local.get_minutes() as u8)
}

/// Whether the browser gives this page a `localStorage`. Where it does not
/// (site data blocked, a WebView without DOM storage) gloo-storage would throw,
/// so the small preferences below are then simply not kept.
fn has_local_storage() -> bool {
    web_sys::window().is_some_and(|w| matches!(w.local_storage(), Ok(Some(_))))
}

/// Waits `ms` milliseconds (a browser timer).
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ =
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

const ORIGIN_KEY: &str = "lindung.origin_is_district";

/// Whether the app's own origin answered as a district server when last
/// asked (`None`: never asked, or the answer was lost).
pub fn origin_is_district() -> Option<bool> {
    if !has_local_storage() {
        return None;
    }
    LocalStorage::get(ORIGIN_KEY).ok().or_else(|| {
        // As stored before gloo-storage: "once a district, always" holds
        // across the update.
        match LocalStorage::raw().get_item(ORIGIN_KEY).ok()??.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    })
}

/// Remembers the answer, so a start without signal does not ask again.
pub fn remember_origin_is_district(yes: bool) {
    if has_local_storage() {
        let _ = LocalStorage::set(ORIGIN_KEY, yes);
    }
}

/// The language chosen last time, if any: its tag as JSON (`"en"`), which
/// the page's shell reads too (index.html), or the bare tag stored before
/// gloo-storage (the app's start then saves it as JSON).
pub fn saved_lang() -> Option<Lang> {
    if !has_local_storage() {
        return None;
    }
    LocalStorage::get(LANG_KEY)
        .ok()
        .or_else(|| Lang::from_tag(&LocalStorage::raw().get_item(LANG_KEY).ok()??))
}

/// Remembers the language choice. Losing it (private mode, full storage) is
/// harmless: the app starts in Bahasa Indonesia.
pub fn save_lang(lang: Lang) {
    if has_local_storage() {
        let _ = LocalStorage::set(LANG_KEY, lang);
    }
}

/// Sets `<html lang>` so screen readers and translators know the language.
pub fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// Now, from the device clock.
pub fn now() -> lindung_core::Timestamp {
    lindung_core::Timestamp::from_millis(js_sys::Date::now() as i64)
}

/// A new random record id (a UUID v4 from the browser's CSPRNG,
/// `crypto.getRandomValues`, which older WebViews and pages outside a secure
/// context have too); `None` when the browser has no CSPRNG at all.
pub fn new_record_id() -> Option<lindung_core::RecordId> {
    let mut bytes = [0u8; 16];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())?;
    Some(lindung_core::RecordId::from_random(bytes))
}

/// The current location hash (`#/desa/...`).
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Navigates by setting the location hash (adds a history entry).
pub fn set_location_hash(hash: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(hash);
    }
}

/// Opens the browser's print dialog.
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// Removes the loading shell of `index.html` (every `[data-shell]` element: a copy
/// of the header and a loading line, painted before the wasm arrives). Called just
/// before the app mounts, in the same task, so no frame shows neither or both.
pub fn remove_loading_shell() {
    let Some(document) = document() else { return };
    while let Ok(Some(element)) = document.query_selector("[data-shell]") {
        element.remove();
    }
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Saves `text` as a file through the browser's download (the phone's
/// Downloads folder). Errors carry the browser's text, never the content.
pub fn download(filename: &str, text: &str, mime: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let fail = |_| "the browser refused the download".to_owned();
    let blob = blob(text, mime).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = document().ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.unchecked_into();
    link.set_href(&url);
    link.set_download(filename);
    link.set_hidden(true);
    let body = document.body().ok_or("no body")?;
    body.append_child(&link).map_err(fail)?;
    link.click();
    link.remove();
    // The download has its own copy once started; free the URL a bit later.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}

fn blob(text: &str, mime: &str) -> Result<web_sys::Blob, wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
}

/// What the Web Share API did with a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shared {
    /// Handed to the app the agent picked (WhatsApp, e-mail, ...).
    Done,
    /// The agent closed the share sheet.
    Cancelled,
    /// This browser cannot share files (desktop browsers mostly).
    Unsupported,
    Failed(String),
}

fn share_data(filename: &str, text: &str, mime: &str) -> Option<web_sys::ShareData> {
    let file_options = web_sys::FilePropertyBag::new();
    file_options.set_type(mime);
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let file =
        web_sys::File::new_with_str_sequence_and_options(&parts, filename, &file_options).ok()?;
    let data = web_sys::ShareData::new();
    data.set_files(&js_sys::Array::of1(&file));
    data.set_title(filename);
    Some(data)
}

/// Whether `navigator.canShare` accepts this file (Android Chrome does for
/// text files; desktop browsers mostly have no file sharing).
fn can_share(navigator: &web_sys::Navigator, data: &web_sys::ShareData) -> bool {
    let has =
        |name: &str| js_sys::Reflect::get(navigator, &name.into()).is_ok_and(|f| f.is_function());
    has("share") && has("canShare") && navigator.can_share_with_data(data)
}

/// Whether this browser can share files at all.
pub fn can_share_files() -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    share_data("lindung.txt", "", "text/plain").is_some_and(|data| can_share(&navigator, &data))
}

/// Shares `text` as a file. Browsers share only some file types: if
/// `mime` is refused, the same bytes go as a `.txt` file (`text/plain`).
pub async fn share_file(filename: &str, text: &str, mime: &str) -> Shared {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Shared::Unsupported;
    };
    let as_text = format!("{filename}.txt");
    let candidates = [(filename, mime), (as_text.as_str(), "text/plain")];
    let Some(data) = candidates
        .iter()
        .filter_map(|(name, mime)| share_data(name, text, mime))
        .find(|data| can_share(&navigator, data))
    else {
        return Shared::Unsupported;
    };
    match wasm_bindgen_futures::JsFuture::from(navigator.share_with_data(&data)).await {
        Ok(_) => Shared::Done,
        Err(error) => {
            use wasm_bindgen::JsCast;
            match error.dyn_ref::<web_sys::DomException>() {
                Some(e) if e.name() == "AbortError" => Shared::Cancelled,
                Some(e) => Shared::Failed(format!("{}: {}", e.name(), e.message())),
                None => Shared::Failed("the share failed".into()),
            }
        }
    }
}
