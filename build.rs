//! With the `split` feature on wasm32, links the app keeping its relocations
//! (`--emit-relocs`): the post-build split step (tools/split.mjs, wasm-split-cli)
//! reads them to know which code each split point reaches.

fn main() {
    // Features and target are part of the build already; only this file matters.
    println!("cargo:rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    if wasm && std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
}
