//! How the app writes the texts people see: one way, in one place per screen.
//!
//! Every sentence of the UI is declared with [`texts!`] in `src/texts/<screen>.rs`,
//! Indonesian first and English beside it, so a reviewer reads a screen's texts
//! together and no language can be left out (a declaration takes both). A fixed
//! text is a [`Tr`] constant; a text with values in it is a function of the
//! language and those values. Components only name them:
//!
//! - `text(lang, T::TITLE)` as a view child or attribute (follows the language);
//! - `T::TITLE.get(lang)` where a `&str` is wanted;
//! - `T::added(lang, &name)` for a text with values.
//!
//! A test below checks that no other way (`Lang::pick`, a `match` on the
//! language around literals, a closure of two literals) is used outside
//! `src/texts/`.

use leptos::prelude::*;
use lindung_core::Lang;

/// A fixed text in both UI languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr {
    id: &'static str,
    en: &'static str,
}

impl Tr {
    pub const fn new(id: &'static str, en: &'static str) -> Tr {
        Tr { id, en }
    }

    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id,
            Lang::En => self.en,
        }
    }
}

/// `tr` following `lang`, as a view child or an attribute value. The closure
/// is one type for every text, so the code that renders and updates it exists
/// once in the wasm instead of once per call site.
pub(crate) fn text(
    lang: impl Into<Signal<Lang>>,
    tr: Tr,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = lang.into();
    move || tr.get(lang.get())
}

/// Declares texts, each Indonesian then English:
///
/// ```ignore
/// texts! {
///     /// The list's heading.
///     MY_VILLAGES = "Desa saya" | "My villages";
///     fn added(name: &str) = "{name} ditambahkan." | "{name} added.";
/// }
/// ```
///
/// A `NAME = ...` line makes a [`Tr`] constant; a `fn` line makes
/// `fn name(lang: Lang, args...) -> String` whose texts are format strings
/// naming the arguments.
macro_rules! texts {
    () => {};
    ($(#[$meta:meta])* $name:ident = $id:literal | $en:literal; $($rest:tt)*) => {
        $(#[$meta])*
        pub(crate) const $name: $crate::text::Tr = $crate::text::Tr::new($id, $en);
        $crate::text::texts!($($rest)*);
    };
    ($(#[$meta:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) = $id:literal | $en:literal; $($rest:tt)*) => {
        $(#[$meta])*
        pub(crate) fn $name(lang: ::lindung_core::Lang, $($arg: $ty),*) -> String {
            match lang {
                ::lindung_core::Lang::Id => format!($id),
                ::lindung_core::Lang::En => format!($en),
            }
        }
        $crate::text::texts!($($rest)*);
    };
}
pub(crate) use texts;

#[cfg(test)]
mod tests {
    use super::*;

    texts! {
        /// A fixed text.
        TITLE = "Desa saya" | "My villages";
        fn counted(n: usize, name: &str) = "{n} pekerja di {name}" | "{n} workers in {name}";
        fn padded(n: u32) = "[{n:>3}]" | "[{n:<3}]";
    }

    #[test]
    fn texts_follow_the_language() {
        let cases = [
            (Lang::Id, "Desa saya", "3 pekerja di Sungai Raya", "[  7]"),
            (Lang::En, "My villages", "3 workers in Sungai Raya", "[7  ]"),
        ];
        for (lang, title, count, pad) in cases {
            assert_eq!(TITLE.get(lang), title);
            assert_eq!(counted(lang, 3, "Sungai Raya"), count);
            assert_eq!(padded(lang, 7), pad);
        }
    }

    /// Every text people see is declared in `src/texts/`: outside it, no
    /// component writes one in another way. Read from the source, so a new
    /// screen cannot slip back to `lang.pick("…", "…")`.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn texts_are_written_one_way() {
        let forbidden = [
            ".pick(\"",
            "Lang::Id => format!",
            "Lang::En => format!",
            "Lang::Id => \"",
            "Lang::En => \"",
            "Lang::Id) => format!",
            "Lang::En) => format!",
            "Lang::Id) => \"",
            "Lang::En) => \"",
            "text(lang, \"",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut pending = vec![root.clone()];
        let mut found = Vec::new();
        let mut read = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    if path != root.join("texts") {
                        pending.push(path);
                    }
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") || path == root.join("text.rs") {
                    continue;
                }
                read += 1;
                let source = std::fs::read_to_string(&path).expect("a readable source file");
                // Unit tests (last in a file) may name texts as they like.
                let shipped = source.split("#[cfg(test)]").next().unwrap_or_default();
                let code: String = shipped
                    .lines()
                    .map(|line| line.split("//").next().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(" ");
                // Whitespace as rustfmt may lay it out, collapsed.
                let code = code
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .replace(".pick( ", ".pick(")
                    .replace("text( ", "text(");
                for pattern in forbidden {
                    if code.contains(pattern) {
                        found.push(format!("{}: {pattern}", path.display()));
                    }
                }
                let old_closure = code.match_indices("t(\"").any(|(at, _)| {
                    !code[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if old_closure {
                    found.push(format!("{}: t(\"…\", \"…\")", path.display()));
                }
            }
        }
        assert!(read > 20, "the scan reads the app's modules ({read})");
        assert_eq!(found, Vec::<String>::new(), "texts belong in src/texts/");
    }
}
