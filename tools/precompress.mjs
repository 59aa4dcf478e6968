// Precompressed copies of the built app: for every text or wasm file in the build
// directory, `<file>.gz` beside it, made with Zopfli (npm `@gfx/zopfli`). Zopfli
// writes ordinary gzip that every browser reads, about 5% smaller than `gzip -9`
// (the .wasm: some 20 kB less on each first visit over a village network).
//
// A static host sends the `.gz` copy to a browser that accepts gzip (nginx
// `gzip_static on;`, Caddy `file_server { precompressed gzip }`; README "Deploying").
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
import { gunzipSync } from 'node:zlib';
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

/**
 * Writes `<file>.gz` beside every compressible file under `dir` (replacing stale
 * copies). Returns the number of files and their raw and compressed bytes.
 */
export async function precompress(dir) {
  let count = 0;
  let raw = 0;
  let gzipped = 0;
  for (const rel of files(dir)) {
    if (!COMPRESSIBLE.has(path.extname(rel).toLowerCase())) continue;
    const file = path.join(dir, rel);
    const bytes = fs.readFileSync(file);
    const gz = await compressed(bytes);
    if (gz.length >= bytes.length) {
      fs.rmSync(`${file}.gz`, { force: true });
      continue;
    }
    fs.writeFileSync(`${file}.gz.tmp`, gz);
    fs.renameSync(`${file}.gz.tmp`, `${file}.gz`);
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
