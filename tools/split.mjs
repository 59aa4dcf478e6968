// Splits the app's .wasm so that the first load carries only what the home screen
// needs (issue 3: first-load transfer ≤ 250 kB gzip). The screens behind the split
// points of src/lazy.rs (`split` feature) go into chunks fetched when first shown.
//
// Trunk cannot split (0.21), so this post-build step redoes Trunk's last two steps on
// the cargo output, which the `split` feature links with `--emit-relocs` (build.rs):
//   1. wasm-split-cli (crates.io `wasm_split_cli_support`, installed by xtask) cuts
//      target/wasm32-unknown-unknown/<profile>/lindung.wasm into the main module,
//      the split and shared chunks, and `__wasm_split.js`, the loader the main
//      module imports;
//   2. wasm-bindgen, as Trunk runs it, on the main module, keeping the exports the
//      linker made (`--keep-lld-exports`): the chunks import the function table;
//   3. release builds: wasm-opt -Oz on every module, one per CPU at a time (index.html
//      tells Trunk not to run it on the unsplit module: data-wasm-opt="0"), and
//      terser on the JS;
//   4. writes them over Trunk's `<stem>.js` and `<stem>_bg.wasm`, with the loader and
//      chunks named `<stem>_split.js` and `<stem>_<chunk>.wasm` (Trunk's stem changes
//      with the code; the service worker's cache version covers every file's
//      content); and updates index.html: the new `integrity` hashes, and a
//      modulepreload of the loader, which the JS glue imports.
// The service worker (tools/service-worker.mjs, run after this) precaches every
// file, chunks included, so a chunk loads offline like the rest of the app.
//
// Run by tools/post-build.mjs. Exported: split(staging, profile).

import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { minify } from 'terser';

const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = 'lindung';
/** The custom section wasm_split_helpers leaves in a module with split points. */
const SPLIT_SECTION = '__wasm_split_unstable';

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/** Runs a tool; what it prints (wasm-split-cli's warnings, say) is passed on. */
async function run(command, args) {
  let out;
  try {
    ({ stdout: out } = await execFileAsync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
  } catch (error) {
    const stderr = error.stderr?.toString().trim() ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`);
  }
  if (out.trim()) console.log(out.trim());
}

/** Runs `work` on every item, at most one per CPU at a time. */
async function eachInParallel(items, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(os.availableParallelism(), items.length) }, worker));
}

/** The wasm-opt of npm `binaryen` (the version Trunk.toml names), not any other on PATH. */
const WASM_OPT = path.join(root, 'node_modules', '.bin', 'wasm-opt');

/**
 * The cargo output Trunk just built: cargo's target directory (however it is set),
 * and the profile index.html names for release builds.
 */
function cargoOutput(profile) {
  const metadata = JSON.parse(
    execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: root, encoding: 'utf8' }),
  );
  let dir = 'debug';
  if (profile === 'release') {
    const html = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
    dir = /data-cargo-profile-release="([^"]+)"/.exec(html)?.[1] ?? 'release';
  }
  return path.join(metadata.target_directory, 'wasm32-unknown-unknown', dir, `${BIN}.wasm`);
}

/** Trunk's output names: `<stem>.js` and `<stem>_bg.wasm`, with a hash in the stem. */
function trunkStem(staging) {
  const stems = fs
    .readdirSync(staging)
    .filter((f) => f.startsWith(`${BIN}-`) && f.endsWith('_bg.wasm'))
    .map((f) => f.slice(0, -'_bg.wasm'.length));
  if (stems.length !== 1) throw new Error(`expected one ${BIN}-*_bg.wasm in ${staging}, found ${stems.length}`);
  return stems[0];
}

async function minified(code, file) {
  const out = await minify(code, { module: true, compress: true, mangle: true });
  if (typeof out.code !== 'string') throw new Error(`terser gave nothing for ${file}`);
  return out.code;
}

/** Replaces every `from` in `text`, which must occur. */
function replaceAll(text, from, to, what) {
  if (!text.includes(from)) throw new Error(`${what}: "${from}" not found`);
  return text.split(from).join(to);
}

/**
 * Splits the staged app. Returns {chunks, mainBytes, chunkBytes}, or null when the
 * cargo output has no split points (built without the `split` feature).
 */
export async function split(staging, profile) {
  const input = cargoOutput(profile);
  const wasm = fs.readFileSync(input);
  if (!wasm.includes(Buffer.from(SPLIT_SECTION))) return null;
  const stem = trunkStem(staging);
  const release = profile === 'release';
  // Trunk's integrity hashes in index.html, replaced below.
  const oldGlue = sri(fs.readFileSync(path.join(staging, `${stem}.js`)));
  const oldWasm = sri(fs.readFileSync(path.join(staging, `${stem}_bg.wasm`)));

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lindung-split-'));
  try {
    const cut = path.join(work, 'cut');
    const bound = path.join(work, 'bound');
    fs.mkdirSync(cut);
    fs.mkdirSync(bound);
    await run('wasm-split-cli', [input, cut, '--target', 'web', '--out-name', stem]);
    await run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--keep-lld-exports', '--out-dir', bound, '--out-name', stem, path.join(cut, `${stem}.wasm`)]);

    // Every module: the main one (after wasm-bindgen) and each chunk.
    const chunks = fs.readdirSync(cut).filter((f) => f.endsWith('.wasm') && f !== `${stem}.wasm`).sort();
    const modules = [
      { from: path.join(bound, `${stem}_bg.wasm`), to: `${stem}_bg.wasm` },
      ...chunks.map((f) => ({ from: path.join(cut, f), to: `${stem}_${f}` })),
    ];
    // The main module first: it takes longest.
    await eachInParallel(modules, async (m) => {
      if (release) {
        await run(WASM_OPT, ['-Oz', '--output', path.join(staging, m.to), m.from]);
      } else {
        fs.copyFileSync(m.from, path.join(staging, m.to));
      }
    });

    // The loader: fetches the chunks by their new names.
    const loaderName = `${stem}_split.js`;
    let loader = fs.readFileSync(path.join(cut, '__wasm_split.js'), 'utf8');
    for (const f of chunks) loader = replaceAll(loader, `"./${f}"`, `"./${stem}_${f}"`, '__wasm_split.js');
    // The glue: imports the loader by its new name (the wasm module's import keeps
    // the name `./__wasm_split.js`, and so does the glue's imports object).
    let glue = fs.readFileSync(path.join(bound, `${stem}.js`), 'utf8');
    glue = replaceAll(glue, 'from "./__wasm_split.js"', `from "./${loaderName}"`, `${stem}.js`);
    if (release) {
      loader = await minified(loader, loaderName);
      glue = await minified(glue, `${stem}.js`);
    }

    // index.html: Trunk's integrity hashes of the files replaced, and the loader
    // preloaded beside the glue that imports it.
    const html = path.join(staging, 'index.html');
    let page = fs.readFileSync(html, 'utf8');
    const newWasm = sri(fs.readFileSync(path.join(staging, `${stem}_bg.wasm`)));
    // Trunk writes integrity attributes (release builds); where it did, they must
    // all follow the new files.
    if (page.includes('integrity=')) {
      page = replaceAll(page, oldGlue, sri(Buffer.from(glue)), 'index.html (the JS glue)');
      page = replaceAll(page, oldWasm, newWasm, 'index.html (the .wasm)');
    }
    fs.writeFileSync(path.join(staging, `${stem}.js`), glue);
    fs.writeFileSync(path.join(staging, loaderName), loader);
    const base = process.env.TRUNK_PUBLIC_URL || '/';
    const preload = `<link rel="modulepreload" href="${base}${loaderName}" crossorigin integrity="${sri(Buffer.from(loader))}">`;
    page = replaceAll(page, '</head>', `${preload}</head>`, 'index.html');
    fs.writeFileSync(html, page);

    const size = (f) => fs.statSync(path.join(staging, f)).size;
    return {
      chunks: chunks.length,
      mainBytes: size(`${stem}_bg.wasm`),
      chunkBytes: modules.slice(1).reduce((sum, m) => sum + size(m.to), 0),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
