//! What a first visit downloads, from the built `dist/`, raw and gzip.
//!
//! Counted once each: `index.html`; the local files it names (Trunk's .js, .wasm and
//! .css, the split loader, the manifest, icons); the icons the manifest names; the
//! service worker (`sw.js`) and the app shell it precaches on install (its
//! `BUILD.shell` list, written by tools/service-worker.mjs). Region data (`regions/`)
//! is fetched when the agent picks a province, so it never counts, even if it is in
//! the worker's lists.
//!
//! The first load (`release.first_load.*`) is all of that but the chunks: the .wasm
//! files that only the worker's list names, the screens that load on demand
//! (src/lazy.rs, tools/split.mjs). The app starts without them; the worker fetches
//! them after it started, for offline use, so they are a figure of their own
//! (`release.chunks.*`), and `release.first_visit.*` counts everything.
//!
//! "gzip" is the transfer size from a host that compresses text: the release build's
//! precompressed `<file>.gz` (Zopfli, tools/precompress.mjs; README "Deploying") where
//! there is one, else gzip -9; PNGs are counted as they are (already compressed).

use std::fs;
use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;

use super::{kilobytes, Figure};
use crate::{Error, Result};

/// The service worker's file name in dist/ (src/offline.rs registers it).
const SERVICE_WORKER: &str = "sw.js";
/// Fetched on demand, never part of the first load.
const REGIONS_DIR: &str = "regions/";

/// The kinds of file a first visit downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Html,
    Wasm,
    /// The app's JavaScript (Trunk's loader and wasm-bindgen glue).
    Js,
    Css,
    Manifest,
    Icon,
    /// The service worker script.
    Worker,
    /// A .wasm chunk that only the service worker's list names: a screen loaded on
    /// demand, precached after the app started. Not part of the first load.
    Chunk,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::Html,
        Kind::Wasm,
        Kind::Js,
        Kind::Css,
        Kind::Manifest,
        Kind::Icon,
        Kind::Worker,
        Kind::Chunk,
    ];

    /// The middle part of the figure names: `release.<name>.gzip`.
    fn name(self) -> &'static str {
        match self {
            Kind::Html => "html",
            Kind::Wasm => "wasm",
            Kind::Js => "js",
            Kind::Css => "css",
            Kind::Manifest => "manifest",
            Kind::Icon => "icons",
            Kind::Worker => "sw",
            Kind::Chunk => "chunks",
        }
    }

    fn of(file: &str) -> Option<Kind> {
        if file == SERVICE_WORKER {
            return Some(Kind::Worker);
        }
        let extension = Path::new(file).extension()?.to_str()?;
        match extension {
            "html" => Some(Kind::Html),
            "wasm" => Some(Kind::Wasm),
            "js" | "mjs" => Some(Kind::Js),
            "css" => Some(Kind::Css),
            "webmanifest" => Some(Kind::Manifest),
            "svg" | "png" | "ico" => Some(Kind::Icon),
            _ => None,
        }
    }
}

pub struct Asset {
    file: String,
    kind: Kind,
    raw: u64,
    /// Bytes on the wire from a compressing host.
    gzip: u64,
}

/// The files of a first visit, with their sizes.
pub struct Bundle {
    assets: Vec<Asset>,
}

impl Bundle {
    pub fn measure(dist: &Path) -> Result<Bundle> {
        let index = dist.join("index.html");
        let html = fs::read_to_string(&index).map_err(|e| {
            Error::new(format!(
                "cannot read {}: {e}; did the release build run?",
                index.display()
            ))
        })?;
        let mut files = vec!["index.html".to_string()];
        files.extend(referenced_files(&html));
        if let Some(manifest) = files.iter().find(|f| Kind::of(f) == Some(Kind::Manifest)) {
            let text = fs::read_to_string(dist.join(manifest)).unwrap_or_default();
            files.extend(manifest_icons(&text));
        }
        let mut precached = Vec::new();
        if let Ok(worker) = fs::read_to_string(dist.join(SERVICE_WORKER)) {
            files.push(SERVICE_WORKER.to_string());
            precached = precached_shell(&worker);
        }
        let loaded = files.len();
        files.extend(precached);

        let mut assets: Vec<Asset> = Vec::new();
        for (index, file) in files.into_iter().enumerate() {
            let Some(mut kind) = Kind::of(&file) else {
                continue;
            };
            if kind == Kind::Wasm && index >= loaded {
                kind = Kind::Chunk;
            }
            let path = dist.join(&file);
            if file.starts_with(REGIONS_DIR)
                || !path.is_file()
                || assets.iter().any(|asset| asset.file == file)
            {
                continue; // Region data, an external URL, or counted already.
            }
            let bytes = fs::read(&path)
                .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
            let precompressed = dist.join(format!("{file}.gz"));
            let gzip = if file.ends_with(".png") {
                bytes.len() as u64
            } else if let Ok(meta) = fs::metadata(&precompressed) {
                meta.len()
            } else {
                gzip_len(&bytes)
            };
            assets.push(Asset {
                file,
                kind,
                raw: bytes.len() as u64,
                gzip,
            });
        }
        for required in [Kind::Wasm, Kind::Js] {
            if !assets.iter().any(|asset| asset.kind == required) {
                return Err(Error::new(format!(
                    "{} loads no .{} file from {}; is this a Trunk build?",
                    index.display(),
                    required.name(),
                    dist.display()
                )));
            }
        }
        Ok(Bundle { assets })
    }

    pub fn figures(&self) -> Vec<Figure> {
        let mut figures = Vec::new();
        for kind in Kind::ALL {
            let of_kind = self.assets.iter().filter(|asset| asset.kind == kind);
            let (raw, gzip) = of_kind.fold((0, 0), |(raw, gzip), asset| {
                (raw + asset.raw, gzip + asset.gzip)
            });
            if raw > 0 {
                figures.push(Figure::bytes(format!("release.{}.raw", kind.name()), raw));
                figures.push(Figure::bytes(format!("release.{}.gzip", kind.name()), gzip));
            }
        }
        let (raw, gzip) = self.totals(|kind| kind != Kind::Chunk);
        figures.push(Figure::bytes("release.first_load.raw", raw));
        figures.push(Figure::bytes("release.first_load.gzip", gzip));
        let (raw, gzip) = self.totals(|_| true);
        figures.push(Figure::bytes("release.first_visit.raw", raw));
        figures.push(Figure::bytes("release.first_visit.gzip", gzip));
        figures
    }

    fn totals(&self, counted: impl Fn(Kind) -> bool) -> (u64, u64) {
        self.assets
            .iter()
            .filter(|asset| counted(asset.kind))
            .fold((0, 0), |(raw, gzip), asset| {
                (raw + asset.raw, gzip + asset.gzip)
            })
    }

    pub fn print_table(&self) {
        let (raw, gzip) = self.totals(|kind| kind != Kind::Chunk);
        let (all_raw, all_gzip) = self.totals(|_| true);
        let total = "first load (total)";
        let visit = "first visit (with chunks)";
        let chunks = self
            .assets
            .iter()
            .filter(|asset| asset.kind == Kind::Chunk)
            .count();
        let chunk_line = format!("{chunks} chunks (on demand)");
        let width = self
            .assets
            .iter()
            .filter(|asset| asset.kind != Kind::Chunk)
            .map(|asset| asset.file.len())
            .chain([visit.len(), chunk_line.len()])
            .max()
            .unwrap_or(0);
        let row = |name: &str, raw: u64, gzip: u64| {
            println!(
                "{name:<width$}  {:>9}  {:>9}",
                kilobytes(raw),
                kilobytes(gzip)
            )
        };
        println!("{:<width$}  {:>9}  {:>9}", "file", "raw kB", "gzip kB");
        for asset in self.assets.iter().filter(|asset| asset.kind != Kind::Chunk) {
            row(&asset.file, asset.raw, asset.gzip);
        }
        row(total, raw, gzip);
        if chunks > 0 {
            row(&chunk_line, all_raw - raw, all_gzip - gzip);
        }
        println!(
            "{:<width$}  {:>9}  {:>9}",
            visit,
            kilobytes(all_raw),
            kilobytes(all_gzip)
        );
        println!(
            "first load: {} kB gzip, first visit with the on-demand chunks the service \
             worker precaches: {} kB (Zopfli copies or gzip -9, PNGs as they are; \
             1 kB = 1000 bytes; regions/ not counted)",
            kilobytes(gzip),
            kilobytes(all_gzip)
        );
    }
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

/// Local file names in quotes in `html` of a kind a first visit loads, in order of
/// first appearance: Trunk's `<link href="/app-1a2b.css">`, the module preload and the
/// `init('/app-1a2b_bg.wasm')` in its loader script, the manifest and icon links.
fn referenced_files(html: &str) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    for quote in ['"', '\''] {
        for (index, quoted) in html.split(quote).enumerate() {
            let inside_quotes = index % 2 == 1;
            let file = local_path(quoted);
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

fn local_path(url: &str) -> &str {
    url.trim_start_matches("./").trim_start_matches('/')
}

/// The `src` of each icon in a web app manifest.
fn manifest_icons(manifest: &str) -> Vec<String> {
    let Ok(manifest) = serde_json::from_str::<Value>(manifest) else {
        return Vec::new();
    };
    manifest["icons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|icon| icon["src"].as_str())
        .map(|src| local_path(src).to_string())
        .collect()
}

/// The `shell` list of the built service worker's `const BUILD = {...};` line.
fn precached_shell(worker: &str) -> Vec<String> {
    let Some(line) = worker
        .lines()
        .find_map(|line| line.trim().strip_prefix("const BUILD = "))
    else {
        return Vec::new();
    };
    let json = line.trim_end().trim_end_matches(';');
    let Ok(build) = serde_json::from_str::<Value>(json) else {
        return Vec::new(); // The unbuilt template: nothing is precached.
    };
    build["shell"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|file| local_path(file).to_string())
        .collect()
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
<link rel="manifest" href="manifest.webmanifest" />
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
                "manifest.webmanifest",
                "icons/icon.svg",
                "done.js"
            ]
        );
        // `done.js` is not in dist/, so `Bundle::measure` skips it.
    }

    #[test]
    fn reads_the_manifest_icons_and_the_precached_shell() {
        let manifest = r#"{"icons": [{"src": "icons/icon.svg"}, {"src": "./icons/icon-192.png"}]}"#;
        assert_eq!(
            manifest_icons(manifest),
            ["icons/icon.svg", "icons/icon-192.png"]
        );
        let worker = "// a comment\n\
                      const BUILD = {\"version\":\"f2d3\",\"shell\":[\"index.html\",\"a_bg.wasm\"],\"disabled\":false};\n\
                      const SHELL_CACHE = `x`;\n";
        assert_eq!(precached_shell(worker), ["index.html", "a_bg.wasm"]);
        let template = "const BUILD = /*@build*/ { version: 'unbuilt', shell: [] } /*@end*/;";
        assert!(precached_shell(template).is_empty());
    }

    /// A fresh build directory `tag` in the temp directory holding `files`.
    fn dist_with(tag: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
        let dist = std::env::temp_dir().join(format!("lindung-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dist);
        for (file, text) in files {
            let path = dist.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        dist
    }

    #[test]
    fn counts_each_file_once_and_never_region_data() {
        let dist = dist_with(
            "bench-size",
            &[
                (
                    "index.html",
                    r#"<link rel="manifest" href="m.webmanifest"><script src="/a.js"></script>
<link rel="preload" href="/a_bg.wasm">"#,
                ),
                ("a.js", "glue"),
                ("a_bg.wasm", "wasm"),
                ("m.webmanifest", r#"{"icons":[{"src":"icons/i.png"}]}"#),
                ("icons/i.png", "12345"),
                ("regions/61.json", "[]"),
                (
                    "sw.js",
                    r#"const BUILD = {"shell":["index.html","a.js","a_bg.wasm","regions/61.json","icons/i.png"]};"#,
                ),
            ],
        );
        let bundle = Bundle::measure(&dist).unwrap();
        let files: Vec<&str> = bundle.assets.iter().map(|a| a.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "index.html",
                "m.webmanifest",
                "a.js",
                "a_bg.wasm",
                "icons/i.png",
                "sw.js"
            ]
        );
        let png = bundle.assets.iter().find(|a| a.kind == Kind::Icon).unwrap();
        assert_eq!((png.raw, png.gzip), (5, 5), "PNGs count as they are");
        fs::remove_dir_all(&dist).unwrap();
    }

    #[test]
    fn a_wasm_only_the_worker_names_is_a_chunk_outside_the_first_load() {
        let dist = dist_with(
            "size-chunks",
            &[
                (
                    "index.html",
                    r#"<link rel="modulepreload" href="/a.js"><link rel="modulepreload" href="/a_split.js">
<script type="module">import init from '/a.js'; init({ module_or_path: '/a_bg.wasm' });</script>"#,
                ),
                ("a.js", "glue"),
                ("a_split.js", "loader"),
                ("a_bg.wasm", "main module"),
                ("a_split_village.wasm", "chunk"),
                (
                    "sw.js",
                    r#"const BUILD = {"shell":["index.html","a.js","a_split.js","a_bg.wasm","a_split_village.wasm"]};"#,
                ),
            ],
        );
        let bundle = Bundle::measure(&dist).unwrap();
        let kinds: Vec<(&str, Kind)> = bundle
            .assets
            .iter()
            .map(|a| (a.file.as_str(), a.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("index.html", Kind::Html),
                ("a.js", Kind::Js),
                ("a_split.js", Kind::Js),
                ("a_bg.wasm", Kind::Wasm),
                ("sw.js", Kind::Worker),
                ("a_split_village.wasm", Kind::Chunk),
            ]
        );
        let figure = |name: &str| {
            bundle
                .figures()
                .into_iter()
                .find(|f| f.name == name)
                .map(|f| f.value)
                .unwrap()
        };
        let raw = |name: &str| fs::metadata(dist.join(name)).unwrap().len() as f64;
        let visit: f64 = kinds.iter().map(|(f, _)| raw(f)).sum();
        assert_eq!(figure("release.chunks.raw"), raw("a_split_village.wasm"));
        assert_eq!(
            figure("release.first_load.raw"),
            visit - raw("a_split_village.wasm")
        );
        assert_eq!(figure("release.first_visit.raw"), visit);
        fs::remove_dir_all(&dist).unwrap();
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
            assets: vec![
                asset("index.html", 50, 20),
                asset("a_bg.wasm", 1000, 400),
                asset("a.js", 300, 100),
                asset("sw.js", 30, 10),
            ],
        };
        let names: Vec<(String, f64)> = bundle
            .figures()
            .into_iter()
            .map(|f| (f.name, f.value))
            .collect();
        assert_eq!(
            names,
            [
                ("release.html.raw".to_string(), 50.0),
                ("release.html.gzip".to_string(), 20.0),
                ("release.wasm.raw".to_string(), 1000.0),
                ("release.wasm.gzip".to_string(), 400.0),
                ("release.js.raw".to_string(), 300.0),
                ("release.js.gzip".to_string(), 100.0),
                ("release.sw.raw".to_string(), 30.0),
                ("release.sw.gzip".to_string(), 10.0),
                ("release.first_load.raw".to_string(), 1380.0),
                ("release.first_load.gzip".to_string(), 530.0),
                ("release.first_visit.raw".to_string(), 1380.0),
                ("release.first_visit.gzip".to_string(), 530.0),
            ]
        );
    }
}
