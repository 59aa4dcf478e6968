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

/// The core does no IO: no clock ("today" and timestamps are parameters), no
/// file system, no randomness (ids are passed in), no environment, network
/// or processes. Read from its source, so a new module cannot slip one in.
#[test]
fn core_uses_no_clock_file_system_or_randomness() {
    let forbidden = [
        "SystemTime",
        "Instant::now",
        "std::time",
        "std::fs",
        "std::io::stdin",
        "std::env",
        "std::net",
        "std::process",
        "std::thread",
        "rand::",
        "getrandom",
        "thread_rng",
        "chrono::",
        "Utc::now",
        "Local::now",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut pending = vec![dir];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("the core's src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a readable source file");
        // Unit tests (the module after `#[cfg(test)]`, last in a file) may
        // use the machine, e.g. to regenerate a table.
        let shipped = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (number, line) in shipped.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for name in forbidden.iter().filter(|name| code.contains(*name)) {
                found.push(format!("{}:{}: {name}", file.display(), number + 1));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new(), "the core must do no IO");
    // The scan reads the real modules (this would fail on an empty or wrong path).
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str().map(str::to_owned))
        .collect();
    for module in [
        "lib.rs",
        "nik.rs",
        "registration.rs",
        "workspace.rs",
        "form.rs",
    ] {
        assert!(names.iter().any(|n| n == module), "{module} not scanned");
    }
}
