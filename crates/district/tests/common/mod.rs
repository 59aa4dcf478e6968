//! Helpers shared by the register and report tests: test devices (keys made
//! from fixed bytes), a temporary register file, and running the binary.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::PathBuf;
use std::process::Command;

use lindung_core::bundle::{Signer, SoftwareSigner};
use lindung_core::Agent;

/// The signing key of test device `device` (deterministic).
pub fn signer(device: u8) -> SoftwareSigner {
    SoftwareSigner::from_secret(&[device; 32]).expect("a valid test secret")
}

/// Its key id (RFC 7638 thumbprint).
pub fn kid(device: u8) -> String {
    signer(device).public_jwk().thumbprint()
}

/// The (made-up) agent using test device `device`.
pub fn agent(device: u8) -> Agent {
    Agent {
        id: format!("agent-{device}"),
        name: format!("Petugas {device}"),
    }
}

/// A register path in a directory removed when this value is dropped.
pub struct TempDb {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempDb {
    pub fn new() -> TempDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.db");
        TempDb { _dir: dir, path }
    }
}

/// What the `district` binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn district(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_district"))
        .args(args)
        .output()
        .expect("district runs");
    Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}
