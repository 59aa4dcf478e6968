// Precompressed copies of the built app: for every text or wasm file in the build
// directory, `<file>.gz` beside it, made with Zopfli (npm `@gfx/zopfli`), and
// `<file>.br`, Brotli at quality 11 (Node's zlib). Zopfli writes ordinary gzip that
// every browser reads, about 5% smaller than `gzip -9` (the .wasm: some 20 kB less on
// each first visit over a village network); Brotli is smaller again, and every
// browser the app supports reads it over HTTPS.
//
// `district serve --app dist/` sends the `.br` or `.gz` copy to a browser that
// accepts it, as does a static host (nginx `gzip_static on;` and `brotli_static on;`,
// Caddy `file_server { precompressed br gzip }`; docs/deploy.md).
// PNGs are left alone (already compressed), and so is any file whose copy would not
// be smaller.
//
// Zopfli is slow (seconds for the .wasm), so results are kept in target/precompress/
// under the SHA-256 of the input: an unchanged file (most region files, the icons) is
// compressed once per checkout.
//
// Run by tools/post-build.mjs on release builds. Usage: node tools/precompress.mjs <dir>

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import { gzipAsync } from '@gfx/zopfli';
import { files } from './files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(root, 'target', 'precompress');
/** What gets a `.gz` copy. */
const COMPRESSIBLE = new Set(['.html', '.js', '.wasm', '.css', '.json', '.webmanifest', '.svg', '.txt']);
/** Zopfli's default; more iterations give a few hundred bytes for much more time. */
const ITERATIONS = 15;

/** The Zopfli gzip of `bytes`, from the cache when the same bytes were seen before. */
async function compressed(bytes) {
  const key = createHash('sha256').update(bytes).digest('hex');
  const cached = path.join(CACHE, `${key}.gz`);
  try {
    return fs.readFileSync(cached);
  } catch {
    // Not compressed yet.
  }
  const gz = Buffer.from(await gzipAsync(bytes, { numiterations: ITERATIONS }));
  // A host sends this instead of the file: it must give back exactly the file.
  if (!gunzipSync(gz).equals(bytes)) throw new Error('Zopfli output does not decompress to its input');
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(`${cached}.tmp`, gz);
  fs.renameSync(`${cached}.tmp`, cached);
  return gz;
}

/** The Brotli (quality 11) of `bytes`, cached like `compressed`. */
function brotli(bytes) {
  const key = createHash('sha256').update(bytes).digest('hex');
  const cached = path.join(CACHE, `${key}.br`);
  try {
    return fs.readFileSync(cached);
  } catch {
    // Not compressed yet.
  }
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  if (!brotliDecompressSync(br).equals(bytes)) throw new Error('Brotli output does not decompress to its input');
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(`${cached}.tmp`, br);
  fs.renameSync(`${cached}.tmp`, cached);
  return br;
}

/** Writes `copy` as `file` + `suffix` if it is smaller than `bytes`, else removes a stale one. */
function writeCopy(file, suffix, bytes, copy) {
  if (copy.length >= bytes.length) {
    fs.rmSync(`${file}${suffix}`, { force: true });
    return false;
  }
  fs.writeFileSync(`${file}${suffix}.tmp`, copy);
  fs.renameSync(`${file}${suffix}.tmp`, `${file}${suffix}`);
  return true;
}

/**
 * Writes `<file>.gz` and `<file>.br` beside every compressible file under `dir`
 * (replacing stale copies). Returns the number of files and their raw and gzip bytes.
 */
export async function precompress(dir) {
  let count = 0;
  let raw = 0;
  let gzipped = 0;
  for (const rel of files(dir)) {
    if (!COMPRESSIBLE.has(path.extname(rel).toLowerCase())) continue;
    const file = path.join(dir, rel);
    const bytes = fs.readFileSync(file);
    writeCopy(file, '.br', bytes, brotli(bytes));
    const gz = await compressed(bytes);
    if (!writeCopy(file, '.gz', bytes, gz)) continue;
    count += 1;
    raw += bytes.length;
    gzipped += gz.length;
  }
  return { count, raw, gzipped };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tools/precompress.mjs <dir>');
    process.exit(2);
  }
  precompress(dir)
    .then(({ count, raw, gzipped }) =>
      console.log(`precompress: ${count} files, ${(raw / 1e3).toFixed(0)} kB -> ${(gzipped / 1e3).toFixed(0)} kB gzip`),
    )
    .catch((error) => {
      console.error(`precompress: ${error.stack ?? error}`);
      process.exit(1);
    });
}
