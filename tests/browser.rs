//! Browser tests (wasm-bindgen-test in headless Chromium): components
//! rendered into a real DOM. Run by `cargo xtask ci`; natively this file is empty.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos::task::tick;
use lindung::CheckForm;
use lindung_core::{Date, Lang, RulePack};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the check form into its own element; returns that element, the
/// language signal and the handle that keeps it mounted.
fn mount_form() -> (
    Element,
    RwSignal<Lang>,
    leptos::mount::UnmountHandle<impl Mountable>,
) {
    let document = document();
    let root = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let lang = RwSignal::new(Lang::Id);
    let today = Date::parse_iso("2026-11-21").unwrap();
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        view! { <CheckForm lang=lang pack=RulePack::default_pack() today=today /> }
    });
    (root, lang, handle)
}

fn by_testid(root: &Element, id: &str) -> Vec<Element> {
    let nodes = root
        .query_selector_all(&format!("[data-testid=\"{id}\"]"))
        .unwrap();
    (0..nodes.length())
        .map(|i| nodes.item(i).unwrap().unchecked_into())
        .collect()
}

fn text(root: &Element, id: &str) -> String {
    by_testid(root, id)
        .first()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

async fn type_into(root: &Element, id: &str, value: &str) {
    let input: HtmlInputElement = by_testid(root, id).remove(0).unchecked_into();
    input.set_value(value);
    let event = web_sys::Event::new("input").unwrap();
    input.dispatch_event(&event).unwrap();
    tick().await;
}

fn issue_codes(root: &Element) -> Vec<String> {
    by_testid(root, "issue")
        .iter()
        .map(|e| e.get_attribute("data-code").unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn an_empty_form_shows_no_problems() {
    let (root, _lang, _handle) = mount_form();
    tick().await;
    assert_eq!(issue_codes(&root), Vec::<String>::new());
    assert!(by_testid(&root, "nik-info").is_empty());
}

#[wasm_bindgen_test]
async fn a_bad_nik_shows_its_error_in_indonesian_then_english() {
    let (root, lang, _handle) = mount_form();
    type_into(&root, "nik-input", "610701450287000").await;
    assert_eq!(issue_codes(&root), vec!["nik.length"]);
    assert_eq!(
        text(&root, "issue"),
        "NIK harus 16 angka; yang diisi 15 angka."
    );

    lang.set(Lang::En);
    tick().await;
    assert_eq!(
        text(&root, "issue"),
        "A NIK has 16 digits; this one has 15."
    );
}

#[wasm_bindgen_test]
async fn every_nik_problem_is_listed() {
    let (root, _lang, _handle) = mount_form();
    type_into(&root, "nik-input", "2007017213870000").await;
    assert_eq!(
        issue_codes(&root),
        vec![
            "nik.province_unknown",
            "nik.day_invalid",
            "nik.month_invalid",
            "nik.serial_zero"
        ]
    );
}

#[wasm_bindgen_test]
async fn a_valid_nik_shows_what_it_encodes() {
    let (root, lang, _handle) = mount_form();
    type_into(&root, "nik-input", "6107 0145 0287 0001").await;
    assert_eq!(issue_codes(&root), Vec::<String>::new());
    assert_eq!(text(&root, "nik-birth-date"), "5 Februari 1987");
    assert_eq!(text(&root, "nik-sex"), "Perempuan");
    assert!(text(&root, "nik-region").starts_with("Kalimantan Barat, Kabupaten Bengkayang"));

    lang.set(Lang::En);
    tick().await;
    assert_eq!(text(&root, "nik-birth-date"), "5 February 1987");
    assert_eq!(text(&root, "nik-sex"), "Female");
}

#[wasm_bindgen_test]
async fn a_birth_date_that_disagrees_with_the_nik_is_an_error() {
    let (root, _lang, _handle) = mount_form();
    type_into(&root, "nik-input", "6107014502870001").await;
    type_into(&root, "birth-date-input", "1987-02-06").await;
    assert_eq!(issue_codes(&root), vec!["reg.birth_date_mismatch"]);
    assert!(text(&root, "issue").contains("5 Februari 1987"));
}

#[wasm_bindgen_test]
async fn a_complete_valid_entry_is_eligible_with_its_contribution() {
    let (root, _lang, _handle) = mount_form();
    type_into(&root, "nik-input", "6107014502870001").await;
    type_into(&root, "name-input", "Siti Aminah").await;
    type_into(&root, "birth-date-input", "1987-02-05").await;
    select(&root, "sex-select", "F").await;
    choose(&root, "category-petani").await;
    let outcome = by_testid(&root, "outcome").remove(0);
    assert_eq!(
        outcome.get_attribute("data-eligible").as_deref(),
        Some("true")
    );
    // Default pack, Nov 2026, APBD-funded: JKK 10.000 + JKM 6.800, no PP 50/2025 discount.
    assert_eq!(
        text(&root, "contribution"),
        "Iuran Rp16.800 per bulan (JKK Rp10.000 + JKM Rp6.800)"
    );
}

/// Clicks a radio button, as a person taps it.
async fn choose(root: &Element, id: &str) {
    let radio: web_sys::HtmlElement = by_testid(root, id).remove(0).unchecked_into();
    radio.click();
    tick().await;
}

async fn select(root: &Element, id: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = by_testid(root, id).remove(0).unchecked_into();
    select.set_value(value);
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
}
