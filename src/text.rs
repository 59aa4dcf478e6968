//! Static texts in the language the agent chose.

use leptos::prelude::*;
use lindung_core::Lang;

/// `id` or `en`, following `lang`, as a view child or an attribute value.
/// Every component takes its texts from this one function: the closure is
/// then one type, and the code that renders and updates it exists once in the
/// wasm instead of once per component.
pub(crate) fn text(
    lang: Signal<Lang>,
    id: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || lang.get().pick(id, en)
}
