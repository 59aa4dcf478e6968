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
