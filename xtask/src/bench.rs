//! `cargo xtask bench`: figures about the release build, printed as a table and
//! written to `target/bench/results.json` as `[{"name", "value", "unit"}]`.
//!
//! Every measurement produces `Figure`s; a new measurement adds its figures to the
//! same list, and they land in the same file under their own names.

use std::fs;
use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};

use crate::install;
use crate::process;
use crate::project::Project;
use crate::{Error, Result};

pub fn run(project: &Project) -> Result<()> {
    install::ensure_app_tools(project)?;
    process::run(project.command("trunk").args(["build", "--release"]))?;

    let bundle = Bundle::measure(&project.dist())?;
    println!();
    bundle.print_table();
    let figures = bundle.figures();

    let results = project
        .root()
        .join("target")
        .join("bench")
        .join("results.json");
    write_results(&results, &figures)?;
    println!(
        "\nxtask: {} figures written to {}",
        figures.len(),
        results.display()
    );
    Ok(())
}

/// One measured number, as stored in results.json.
#[derive(Debug, PartialEq)]
pub struct Figure {
    /// Dotted and stable, e.g. `release.wasm.gzip`: tools compare runs by name.
    pub name: String,
    pub value: f64,
    pub unit: Unit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Bytes,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
        }
    }
}

impl Figure {
    fn bytes(name: impl Into<String>, bytes: u64) -> Figure {
        Figure {
            name: name.into(),
            value: bytes as f64,
            unit: Unit::Bytes,
        }
    }

    fn to_json(&self) -> Value {
        // Whole numbers are written without a fraction (`1234`, not `1234.0`).
        let value = if self.value.fract() == 0.0 && self.value.abs() < 1e15 {
            json!(self.value as i64)
        } else {
            json!(self.value)
        };
        json!({ "name": self.name, "value": value, "unit": self.unit.as_str() })
    }
}

fn write_results(path: &Path, figures: &[Figure]) -> Result<()> {
    let json = Value::Array(figures.iter().map(Figure::to_json).collect());
    let text = serde_json::to_string_pretty(&json).expect("a JSON value always serializes") + "\n";
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, text)
    };
    write().map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
}

/// The kinds of file a first visit downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Wasm,
    Js,
    Css,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Wasm, Kind::Js, Kind::Css];

    fn extension(self) -> &'static str {
        match self {
            Kind::Wasm => "wasm",
            Kind::Js => "js",
            Kind::Css => "css",
        }
    }

    fn of(file: &str) -> Option<Kind> {
        let extension = Path::new(file).extension()?.to_str()?;
        Kind::ALL
            .into_iter()
            .find(|kind| kind.extension() == extension)
    }
}

struct Asset {
    file: String,
    kind: Kind,
    raw: u64,
    gzip: u64,
}

/// The files dist/index.html loads on a first visit, with their sizes.
struct Bundle {
    assets: Vec<Asset>,
}

impl Bundle {
    fn measure(dist: &Path) -> Result<Bundle> {
        let index = dist.join("index.html");
        let html = fs::read_to_string(&index).map_err(|e| {
            Error::new(format!(
                "cannot read {}: {e}; did the release build run?",
                index.display()
            ))
        })?;
        let mut assets = Vec::new();
        for file in referenced_files(&html) {
            let path = dist.join(&file);
            let Some(kind) = Kind::of(&file) else {
                continue;
            };
            if !path.is_file() {
                continue; // An external or generated URL, not part of our build.
            }
            let bytes = fs::read(&path)
                .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
            assets.push(Asset {
                file,
                kind,
                raw: bytes.len() as u64,
                gzip: gzip_len(&bytes),
            });
        }
        for required in [Kind::Wasm, Kind::Js] {
            if !assets.iter().any(|asset| asset.kind == required) {
                return Err(Error::new(format!(
                    "{} loads no .{} file from {}; is this a Trunk build?",
                    index.display(),
                    required.extension(),
                    dist.display()
                )));
            }
        }
        Ok(Bundle { assets })
    }

    fn figures(&self) -> Vec<Figure> {
        let mut figures = Vec::new();
        for kind in Kind::ALL {
            let of_kind = self.assets.iter().filter(|asset| asset.kind == kind);
            let (raw, gzip) = of_kind.fold((0, 0), |(raw, gzip), asset| {
                (raw + asset.raw, gzip + asset.gzip)
            });
            if raw > 0 {
                figures.push(Figure::bytes(
                    format!("release.{}.raw", kind.extension()),
                    raw,
                ));
                figures.push(Figure::bytes(
                    format!("release.{}.gzip", kind.extension()),
                    gzip,
                ));
            }
        }
        let (raw, gzip) = self.totals();
        figures.push(Figure::bytes("release.first_load.raw", raw));
        figures.push(Figure::bytes("release.first_load.gzip", gzip));
        figures
    }

    fn totals(&self) -> (u64, u64) {
        self.assets.iter().fold((0, 0), |(raw, gzip), asset| {
            (raw + asset.raw, gzip + asset.gzip)
        })
    }

    fn print_table(&self) {
        let (raw, gzip) = self.totals();
        let total = "first load (total)";
        let width = self
            .assets
            .iter()
            .map(|asset| asset.file.len())
            .chain([total.len(), 4])
            .max()
            .unwrap_or(0);
        println!("{:<width$}  {:>9}  {:>9}", "file", "raw kB", "gzip kB");
        for asset in &self.assets {
            println!(
                "{:<width$}  {:>9}  {:>9}",
                asset.file,
                kilobytes(asset.raw),
                kilobytes(asset.gzip)
            );
        }
        println!(
            "{:<width$}  {:>9}  {:>9}",
            total,
            kilobytes(raw),
            kilobytes(gzip)
        );
        println!(
            "first load: {} kB gzip (gzip -9; 1 kB = 1000 bytes)",
            kilobytes(gzip)
        );
    }
}

fn kilobytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1000.0)
}

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder
        .finish()
        .expect("writing to a Vec cannot fail")
        .len() as u64
}

/// Local file names in quotes in `html` that end in .wasm, .js or .css, in order of
/// first appearance: Trunk's `<link href="/app-1a2b.css">`, the module preload and the
/// `init('/app-1a2b_bg.wasm')` in its loader script.
fn referenced_files(html: &str) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    for quote in ['"', '\''] {
        for (index, quoted) in html.split(quote).enumerate() {
            let inside_quotes = index % 2 == 1;
            let file = quoted.trim_start_matches("./").trim_start_matches('/');
            let local = !file.contains("://")
                && !file.starts_with("//")
                && !file.contains(char::is_whitespace);
            if inside_quotes
                && local
                && Kind::of(file).is_some()
                && !files.iter().any(|f| f == file)
            {
                files.push(file.to_string());
            }
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_trunk_index_loads() {
        let html = r#"<!doctype html><html lang="id"><head>
<link rel="stylesheet" href="/main-5c1f.css" integrity="sha384-x"/>
<link rel="modulepreload" href="/lindung-9e2b.js" crossorigin="anonymous">
<link rel="preload" href="/lindung-9e2b_bg.wasm" crossorigin="anonymous" as="fetch" type="application/wasm">
<link rel="icon" href="icons/icon.svg" type="image/svg+xml" />
<script src="https://example.org/x.js"></script>
<script type="module">
import init, * as bindings from '/lindung-9e2b.js';
const wasm = await init({ module_or_path: '/lindung-9e2b_bg.wasm' });
</script></head><body><p>It's "done.js" said the 'note'</p></body></html>"#;
        let files = referenced_files(html);
        assert_eq!(
            files,
            [
                "main-5c1f.css",
                "lindung-9e2b.js",
                "lindung-9e2b_bg.wasm",
                "done.js"
            ]
        );
        // `done.js` is not in dist/, so `Bundle::measure` skips it.
    }

    #[test]
    fn figures_are_written_as_plain_numbers() {
        let figures = [
            Figure::bytes("release.wasm.gzip", 85_123),
            Figure {
                value: 0.5,
                ..Figure::bytes("x", 0)
            },
        ];
        let json: Vec<Value> = figures.iter().map(Figure::to_json).collect();
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            r#"[{"name":"release.wasm.gzip","unit":"bytes","value":85123},{"name":"x","unit":"bytes","value":0.5}]"#
        );
    }

    #[test]
    fn first_load_sums_every_kind() {
        let asset = |file: &str, raw, gzip| Asset {
            file: file.into(),
            kind: Kind::of(file).unwrap(),
            raw,
            gzip,
        };
        let bundle = Bundle {
            assets: vec![asset("a_bg.wasm", 1000, 400), asset("a.js", 300, 100)],
        };
        let names: Vec<(String, f64)> = bundle
            .figures()
            .into_iter()
            .map(|f| (f.name, f.value))
            .collect();
        assert_eq!(
            names,
            [
                ("release.wasm.raw".to_string(), 1000.0),
                ("release.wasm.gzip".to_string(), 400.0),
                ("release.js.raw".to_string(), 300.0),
                ("release.js.gzip".to_string(), 100.0),
                ("release.first_load.raw".to_string(), 1300.0),
                ("release.first_load.gzip".to_string(), 400.0 + 100.0),
            ]
        );
    }
}
