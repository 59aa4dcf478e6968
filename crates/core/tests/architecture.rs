//! Architecture invariants of the core, checked from its manifest.

/// The core knows nothing of the browser: it compiles and tests natively,
/// and the district binary uses it without pulling in a web stack.
#[test]
fn core_depends_on_no_web_crate() {
    let manifest = include_str!("../Cargo.toml");
    let forbidden = [
        "leptos",
        "web-sys",
        "js-sys",
        "wasm-bindgen",
        "rexie",
        "gloo",
        "reqwest",
    ];
    let dependency_names: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim()))
        .collect();
    for name in forbidden {
        assert!(
            !dependency_names.iter().any(|d| d.starts_with(name)),
            "lindung-core must not depend on {name}"
        );
    }
    // The check above reads real dependency lines.
    assert!(dependency_names.contains(&"serde_json.workspace"));
}
