//! `cargo xtask regions`: the one generator of region data, from the CSV files of the
//! npm package `idn-area-data` (Kemendagri codes; data under ODbL 1.0).
//!
//! - `cargo xtask regions` writes `crates/core/data/regions.txt` and `provinces.txt` (`table`), the
//!   provinces, regencies and district codes compiled into the core. It is committed;
//!   regenerate it when the package changes.
//! - `cargo xtask regions --json [DIR]` writes one JSON file per province of its
//!   districts and villages (`province_files`) into DIR, by default
//!   `$TRUNK_STAGING_DIR/regions`: Trunk.toml runs it as a `pre_build` hook. Pre-build
//!   hooks finish before Trunk starts its cargo build, so this nested `cargo run` never
//!   waits on the build directory lock that build holds. The files are generated once
//!   into `target/regions/` and regenerated only when the input CSVs or this generator's
//!   source change (a SHA-256 in `target/regions/.stamp`, written last, so an interrupted
//!   run is redone); each build then only copies them into the staging directory, which
//!   Trunk empties. The hook installs nothing: without node_modules it fails.
//!
//! Invariant: both outputs come from one `Source`, read with a CSV parser (`records`)
//! and checked once (`source`); the outputs only format it.

mod province_files;
mod records;
mod source;
mod table;

use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::install::ensure_npm_packages;
use crate::project::Project;
use crate::{Error, Result};
use source::{Inputs, Source};

/// What `cargo xtask regions` writes.
#[derive(Debug, PartialEq, Eq)]
pub enum Output {
    /// `crates/core/data/regions.txt`.
    Table,
    /// One JSON file per province into `dir`; `None`: `$TRUNK_STAGING_DIR/regions`.
    ProvinceFiles { dir: Option<PathBuf> },
}

/// Where the package keeps its CSV files, below the repository root.
const DATA_DIR: &str = "node_modules/idn-area-data/data";
/// The cache of province files, below the repository root.
const CACHE_DIR: &str = "target/regions";
const STAMP_FILE: &str = ".stamp";

/// This generator's source, compiled in: part of the stamp, so that a change to how
/// the files are made regenerates them.
const GENERATOR: [&str; 4] = [
    include_str!("regions.rs"),
    include_str!("regions/records.rs"),
    include_str!("regions/source.rs"),
    include_str!("regions/province_files.rs"),
];

pub fn run(project: &Project, output: &Output) -> Result<()> {
    match output {
        Output::Table => write_table(project),
        Output::ProvinceFiles { dir } => {
            let dir = match dir {
                Some(dir) => dir.clone(),
                None => env::var_os("TRUNK_STAGING_DIR")
                    .map(|staging| PathBuf::from(staging).join("regions"))
                    .ok_or_else(|| {
                        Error::new(
                            "`regions --json` without DIR writes into $TRUNK_STAGING_DIR/regions, \
                             and TRUNK_STAGING_DIR is not set (it is, in a Trunk hook)",
                        )
                    })?,
            };
            write_province_files(project, &dir)
        }
    }
}

fn write_table(project: &Project) -> Result<()> {
    ensure_npm_packages(project)?;
    let inputs = Inputs::read(&data_dir(project)?)?;
    let table = table::generate(&Source::parse(&inputs)?)?;
    let data = project.root().join("crates/core/data");
    for (name, text) in [
        ("provinces.txt", table::provinces(&table)),
        ("regions.txt", table),
    ] {
        let out = data.join(name);
        fs::write(&out, text)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", out.display())))?;
        println!("regions: wrote {}", out.display());
    }
    Ok(())
}

fn write_province_files(project: &Project, out: &Path) -> Result<()> {
    let cache = project.root().join(CACHE_DIR);
    let generated = ensure_cache(&data_dir(project)?, &cache)?;
    create_dir(out)?;
    let mut files = 0;
    let mut bytes = 0;
    for entry in fs::read_dir(&cache).map_err(|e| io_error("cannot list", &cache, e))? {
        let entry = entry.map_err(|e| io_error("cannot list", &cache, e))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let to = out.join(entry.file_name());
        bytes += fs::copy(entry.path(), &to).map_err(|e| io_error("cannot write", &to, e))?;
        files += 1;
    }
    println!(
        "regions: {files} files, {:.1} MB into {}{}",
        bytes as f64 / 1e6,
        out.display(),
        if generated { "" } else { " (up to date)" }
    );
    Ok(())
}

/// Regenerates the cache when its stamp does not match the inputs and this generator;
/// whether it did.
fn ensure_cache(data: &Path, cache: &Path) -> Result<bool> {
    let inputs = Inputs::read(data)?;
    let stamp = stamp(&inputs);
    let stamp_file = cache.join(STAMP_FILE);
    if fs::read_to_string(&stamp_file).is_ok_and(|found| found.trim() == stamp) {
        return Ok(false);
    }

    let source = Source::parse(&inputs)?;
    let files = province_files::generate(&source);
    match fs::remove_dir_all(cache) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error("cannot remove", cache, e)),
    }
    create_dir(cache)?;
    for file in &files {
        write(&cache.join(&file.name), &file.json)?;
    }
    write(
        &cache.join(province_files::LICENSE_FILE),
        province_files::LICENSE,
    )?;
    // Written last: an interrupted run leaves no stamp and is redone.
    write(&stamp_file, &format!("{stamp}\n"))?;
    println!(
        "regions: generated {} province files ({} villages) into {}",
        files.len(),
        source.villages().len(),
        cache.display()
    );
    Ok(true)
}

/// SHA-256 (hex) of the format, this generator's source and the input files.
fn stamp(inputs: &Inputs) -> String {
    let mut hash = Sha256::new();
    hash.update(format!("format {}\n", province_files::FORMAT));
    for source in GENERATOR {
        hash.update(source);
        hash.update(b"\0");
    }
    for (file, bytes) in inputs.files() {
        hash.update(format!("\0{file}\0"));
        hash.update(bytes);
    }
    format!("{:x}", hash.finalize())
}

fn data_dir(project: &Project) -> Result<PathBuf> {
    let data = project.root().join(DATA_DIR);
    if data.is_dir() {
        Ok(data)
    } else {
        Err(Error::new(format!(
            "{} is missing: run `npm ci` (cargo xtask ci|serve installs it)",
            data.display()
        )))
    }
}

fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| io_error("cannot create", dir, e))
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| io_error("cannot write", path, e))
}

fn io_error(what: &str, path: &Path, error: io::Error) -> Error {
    Error::new(format!("{what} {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUTS: [&str; 4] = [
        "code,name\n61,Kalimantan Barat\n",
        "code,province_code,name\n61.07,61,Kabupaten Bengkayang\n",
        "code,regency_code,name\n61.07.01,61.07,Sungai Raya\n",
        "code,district_code,name\n61.07.01.2001,61.07.01,Sungai Duri\n",
    ];

    #[test]
    fn the_stamp_changes_with_every_input_file() {
        let base = stamp(&Inputs::from_texts(INPUTS));
        assert_eq!(base, stamp(&Inputs::from_texts(INPUTS)));
        for i in 0..INPUTS.len() {
            let mut changed = INPUTS.map(String::from);
            changed[i].push('\n');
            let changed = changed.each_ref().map(String::as_str);
            assert_ne!(base, stamp(&Inputs::from_texts(changed)), "file {i}");
        }
    }
}
