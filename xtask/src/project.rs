//! Where things are: the repository root, its build outputs, and the `PATH` every tool
//! runs with.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Error, Result};

#[derive(Clone)]
pub struct Project {
    root: PathBuf,
    /// `PATH` for every child process: `node_modules/.bin` first (so Trunk finds npm's
    /// wasm-opt 132, never Debian's `/usr/bin/wasm-opt`), then Cargo's bin directory
    /// (so tools installed a moment ago are found), then the inherited `PATH`.
    path: OsString,
}

impl Project {
    pub fn locate() -> Result<Project> {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = manifest_dir
            .parent()
            .filter(|root| root.join("Cargo.toml").is_file())
            .ok_or_else(|| {
                Error::new(format!(
                    "no workspace root above {}",
                    manifest_dir.display()
                ))
            })?
            .to_path_buf();

        let mut dirs = vec![
            root.join("node_modules").join(".bin"),
            cargo_home().join("bin"),
        ];
        dirs.extend(
            env::var_os("PATH")
                .map(|path| env::split_paths(&path).collect::<Vec<_>>())
                .unwrap_or_default(),
        );
        let path =
            env::join_paths(dirs).map_err(|e| Error::new(format!("cannot build PATH: {e}")))?;
        Ok(Project { root, path })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }

    pub fn node_bin(&self) -> PathBuf {
        self.root.join("node_modules").join(".bin")
    }

    /// A command run from the repository root with the project `PATH`.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root).env("PATH", &self.path);
        command
    }

    /// Where `program` resolves on the project `PATH`, if anywhere.
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        env::split_paths(&self.path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    }
}

fn cargo_home() -> PathBuf {
    if let Some(home) = env::var_os("CARGO_HOME") {
        return PathBuf::from(home);
    }
    env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(".cargo")
}
