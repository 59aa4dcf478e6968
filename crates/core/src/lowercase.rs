//! `str::to_lowercase`, giving the same string for every input, from tables
//! about a fifth of the size of the standard library's.
//!
//! Names are lowercased for name keys and for sorting by name. The standard
//! library's conversion table (one entry per character, about 12 kB in the
//! wasm) is what the app downloads for that; here the same mapping is a list
//! of runs (characters at a fixed step with the same offset, like `A`..`Z`).
//! Σ is lowercased as the standard library does (ς at the end of a word),
//! which needs to know which characters are cased and which are
//! case-ignorable: a run-length list too.
//!
//! The tables in `lowercase_table.rs` are generated from the standard library
//! by the test `tables_are_generated_from_std`, which fails when a toolchain
//! with another Unicode version changes them (then run it with
//! `LINDUNG_WRITE_TABLES=1` to write them again); `every_char_as_std`
//! compares each character with `char::to_lowercase`.

mod table {
    include!("lowercase_table.rs");
}

use table::{Run, CLASSES, MULTI, RUNS};

/// What `str::to_lowercase` gives for `text`.
pub(crate) fn to_lowercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if c == 'Σ' {
            out.push(lower_sigma(text, i));
        } else if let Some(&(_, lower)) = MULTI.iter().find(|(from, _)| *from == c) {
            out.push_str(lower);
        } else {
            out.push(lower_char(c));
        }
    }
    out
}

/// The lowercase of `c` when it is one character (every character but those in `MULTI`).
fn lower_char(c: char) -> char {
    let code = c as u32;
    let index = RUNS.partition_point(|run| run.first <= code);
    let Some(&Run {
        first,
        count,
        step,
        delta,
    }) = index.checked_sub(1).map(|i| &RUNS[i])
    else {
        return c;
    };
    let offset = code - first;
    if offset < u32::from(count) * u32::from(step) && offset.is_multiple_of(u32::from(step)) {
        char::from_u32(code.wrapping_add_signed(delta)).unwrap_or(c)
    } else {
        c
    }
}

/// Σ at byte `i` of `text`: ς at the end of a word (Unicode's `Final_Sigma`), else σ.
fn lower_sigma(text: &str, i: usize) -> char {
    let is_word_final = case_ignorable_then_cased(text[..i].chars().rev())
        && !case_ignorable_then_cased(text[i + 'Σ'.len_utf8()..].chars());
    if is_word_final {
        'ς'
    } else {
        'σ'
    }
}

fn case_ignorable_then_cased(chars: impl Iterator<Item = char>) -> bool {
    let mut chars = chars.map(class);
    match chars.find(|&class| class != Class::Ignorable) {
        Some(class) => class == Class::Cased,
        None => false,
    }
}

/// How the Σ rule sees a character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Other,
    /// `Case_Ignorable` (skipped when looking for a cased neighbour).
    Ignorable,
    /// `Cased` and not `Case_Ignorable`.
    Cased,
}

/// `CLASSES` is a run-length list from U+0000: each run is one LEB128
/// number, `length << 2 | class` (0 other, 1 ignorable, 2 cased).
fn class(c: char) -> Class {
    let code = c as u32;
    let mut start = 0u32;
    let mut bytes = CLASSES.iter();
    loop {
        let mut value = 0u32;
        let mut shift = 0;
        loop {
            let Some(&byte) = bytes.next() else {
                return Class::Other;
            };
            value |= u32::from(byte & 0x7f) << shift;
            shift += 7;
            if byte < 0x80 {
                break;
            }
        }
        start += value >> 2;
        if code < start {
            return match value & 3 {
                1 => Class::Ignorable,
                2 => Class::Cased,
                _ => Class::Other,
            };
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // compared with the standard library's to_lowercase
mod tests {
    use super::*;

    /// The class of `c` as `str::to_lowercase` treats it, found by asking it:
    /// after "AΣ", a cased character keeps Σ from being word-final, and an
    /// ignorable one is skipped (so what follows it decides).
    fn std_class(c: char) -> Class {
        let sigma = |text: String| text.to_lowercase().chars().nth(1) == Some('σ');
        if sigma(format!("AΣ{c}1")) {
            Class::Cased
        } else if sigma(format!("AΣ{c}B")) {
            Class::Ignorable
        } else {
            Class::Other
        }
    }

    fn generated_tables() -> String {
        let mut runs: Vec<(u32, u32, u32, i64)> = Vec::new();
        let mut multi = Vec::new();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let lower: String = c.to_lowercase().collect();
            let mut chars = lower.chars();
            let (Some(l), None) = (chars.next(), chars.next()) else {
                multi.push(format!("    ({c:?}, {lower:?}),\n"));
                continue;
            };
            if l == c {
                continue;
            }
            let delta = i64::from(l as u32) - i64::from(c as u32);
            let code = c as u32;
            match runs.last_mut() {
                Some((first, count, step, d))
                    if *d == delta
                        && if *count == 1 {
                            code - *first <= 2
                        } else {
                            code == *first + *count * *step
                        } =>
                {
                    *step = (code - *first) / *count;
                    *count += 1;
                }
                _ => runs.push((code, 1, 1, delta)),
            }
        }
        let mut classes = Vec::new();
        let mut run: Option<(Class, u32)> = None;
        let mut push = |class: Class, length: u32| {
            let mut value = length << 2 | class as u32;
            loop {
                let byte = (value & 0x7f) as u8;
                value >>= 7;
                if value == 0 {
                    classes.push(byte);
                    break;
                }
                classes.push(byte | 0x80);
            }
        };
        for code in 0..=0x10FFFF {
            let class = char::from_u32(code).map_or(Class::Other, std_class);
            match &mut run {
                Some((current, length)) if *current == class => *length += 1,
                _ => {
                    if let Some((current, length)) = run {
                        push(current, length);
                    }
                    run = Some((class, 1));
                }
            }
        }
        let (last, length) = run.unwrap();
        if last != Class::Other {
            push(last, length);
        }
        let mut text = String::from(
            "// Generated from the standard library by `lowercase::tests::tables_are_generated_from_std`.\n\
             // Do not edit.\n\n\
             pub(super) struct Run {\n    pub first: u32,\n    pub count: u16,\n    pub step: u8,\n    pub delta: i32,\n}\n\n\
             /// Characters `first + k * step` (k < count) lowercase to `+ delta`.\n\
             #[rustfmt::skip]\n\
             pub(super) const RUNS: &[Run] = &[\n",
        );
        for (first, count, step, delta) in runs {
            text += &format!(
                "    Run {{ first: 0x{first:04X}, count: {count}, step: {step}, delta: {delta} }},\n"
            );
        }
        text += "];\n\n/// Characters whose lowercase is more than one character.\n\
                 pub(super) const MULTI: &[(char, &str)] = &[\n";
        for line in multi {
            text += &line;
        }
        text += "];\n\n/// See `class`.\n#[rustfmt::skip]\npub(super) const CLASSES: &[u8] = &[";
        for (i, byte) in classes.iter().enumerate() {
            text += if i % 16 == 0 { "\n    " } else { " " };
            text += &format!("{byte},");
        }
        text += "\n];\n";
        text
    }

    #[test]
    fn tables_are_generated_from_std() {
        let generated = generated_tables();
        if std::env::var_os("LINDUNG_WRITE_TABLES").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/lowercase_table.rs");
            std::fs::write(path, &generated).unwrap();
        }
        assert!(
            generated == include_str!("lowercase_table.rs"),
            "the Unicode tables changed: LINDUNG_WRITE_TABLES=1 cargo test -p lindung-core lowercase"
        );
    }

    #[test]
    fn every_char_as_std() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                to_lowercase(&c.to_string()),
                c.to_lowercase().to_string(),
                "{c:?}"
            );
            assert_eq!(class(c), std_class(c), "{c:?}");
        }
    }

    #[test]
    fn strings_as_std() {
        for text in [
            "",
            "SITI AMINAH",
            "Ni Luh Putu Ayu",
            "İSTANBUL",
            "ΟΔΥΣΣΕΥΣ",
            "ΣΑΣ Σ",
            "AΣ",
            "AΣ.",
            "AΣ'B",
            "A\u{301}Σ\u{301}",
            "Σ",
            "ΑΣ:Α",
            "ÀÉÎÕÜ ǅ ᾈ Ⅻ Ⓐ 𐐀 𞤀",
        ] {
            assert_eq!(to_lowercase(text), text.to_lowercase(), "{text}");
        }
    }
}
