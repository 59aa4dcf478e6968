//! The few things the app takes from the browser: today's date and a saved
//! language preference. The core never reads a clock; this module does.

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

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The language chosen last time, if any.
pub fn saved_lang() -> Option<Lang> {
    let tag = local_storage()?.get_item(LANG_KEY).ok().flatten()?;
    Lang::from_tag(&tag)
}

/// Remembers the language choice. Losing it (private mode, full storage) is
/// harmless: the app starts in Bahasa Indonesia.
pub fn save_lang(lang: Lang) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(LANG_KEY, lang.tag());
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

/// A new random record id (UUID v4 from the browser's CSPRNG).
pub fn new_record_id() -> lindung_core::RecordId {
    let uuid = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .expect("crypto.randomUUID is available in secure contexts");
    lindung_core::RecordId::new(uuid).expect("a UUID has no spaces")
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
