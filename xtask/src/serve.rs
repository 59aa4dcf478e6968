//! `cargo xtask serve [--dev]`: Trunk's development server, rebuilding on change.

use crate::install;
use crate::process;
use crate::project::Project;
use crate::Result;

/// Where Trunk serves; Trunk.toml's `[serve]` section sets the address and port.
const URL: &str = "http://127.0.0.1:8080";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Optimised and passed through wasm-opt: what users get.
    Release,
    /// Faster to rebuild, with debug assertions.
    Dev,
}

pub fn run(project: &Project, profile: Profile) -> Result<()> {
    install::ensure_app_tools(project)?;
    let mut trunk = project.command("trunk");
    trunk.arg("serve");
    if profile == Profile::Release {
        trunk.arg("--release");
    }
    println!("xtask: serving Lindung at {URL}/ ({profile:?} build; Ctrl-C stops)");
    process::run(&mut trunk)
}
