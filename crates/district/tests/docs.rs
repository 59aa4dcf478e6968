//! The documents cannot fall behind the code: every code the district can
//! give for a bundle or a record is in docs/bundle-format.md, every
//! `server.*` code in docs/sync-protocol.md. The codes are collected from
//! the sources that make them (string literals such as `"nik.length"`), so
//! a new code fails here until it is documented, or listed below as one the
//! district never gives.

use std::collections::BTreeSet;
use std::path::PathBuf;

/// The repository's root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every string literal of `text` that is a code with one of `prefixes`:
/// `"prefix.lower_case"`.
fn codes_in(text: &str, prefixes: &[&str]) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for prefix in prefixes {
        let open = format!("\"{prefix}.");
        for (at, _) in text.match_indices(&open) {
            let rest = &text[at + open.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && rest[name.len()..].starts_with('"') {
                codes.insert(format!("{prefix}.{name}"));
            }
        }
    }
    codes
}

/// Where the codes of bundles and records are made: the core's bundle
/// format, record judgement, NIK and registration checks and village
/// references; the district's judgement of a bundle and its rule pack notes.
const SOURCES: [&str; 7] = [
    "crates/core/src/bundle.rs",
    "crates/core/src/judge.rs",
    "crates/core/src/nik.rs",
    "crates/core/src/registration.rs",
    "crates/core/src/roster.rs",
    "crates/district/src/judgement.rs",
    "crates/district/src/register/merge.rs",
];

const PREFIXES: [&str; 7] = [
    "bundle", "register", "record", "village", "nik", "reg", "pack",
];

/// Codes those sources hold that the district never gives, and why.
const NOT_THE_DISTRICTS: [(&str, &str); 4] = [
    (
        "bundle.build_status",
        "made while building a bundle, never reading one",
    ),
    (
        "bundle.build_village",
        "made while building a bundle, never reading one",
    ),
    ("village.already_added", "the app's list of villages"),
    (
        "nik.empty",
        "an empty NIK in a registration is reg.required",
    ),
];

#[test]
fn bundle_format_md_lists_every_code_of_bundles_and_records() {
    let doc = read("docs/bundle-format.md");
    let mut found = BTreeSet::new();
    for source in SOURCES {
        found.extend(codes_in(&read(source), &PREFIXES));
    }
    // The collection works: some codes of each kind are there.
    for code in [
        "bundle.signature",
        "register.chain",
        "record.other_device",
        "village.code_invalid",
        "nik.length",
        "reg.age_out_of_window",
        "pack.unknown",
    ] {
        assert!(found.contains(code), "{code} not found in the sources");
    }
    for (code, why) in NOT_THE_DISTRICTS {
        assert!(
            found.remove(code),
            "{code} ({why}) is no longer in the sources"
        );
    }
    let missing: Vec<&String> = found
        .iter()
        .filter(|code| !doc.contains(&format!("`{code}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/bundle-format.md does not name {missing:?}"
    );
}

#[test]
fn sync_protocol_md_lists_every_server_code() {
    let doc = read("docs/sync-protocol.md");
    let found = codes_in(&read("crates/district/src/server/api.rs"), &["server"]);
    assert!(found.contains("server.busy"), "{found:?}");
    let missing: Vec<&String> = found
        .iter()
        .filter(|code| !doc.contains(&format!("`{code}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/sync-protocol.md does not name {missing:?}"
    );
    // bundle-format.md sends readers there for them.
    assert!(read("docs/bundle-format.md").contains("(sync-protocol.md)"));
}
