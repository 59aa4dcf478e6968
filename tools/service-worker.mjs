// Post-build step (tools/post-build.mjs, Trunk.toml): writes <staging>/sw.js from the template
// public/sw.js, filling in its BUILD object:
//   version        content hash of every app-shell file and of the template itself
//   regionsVersion content hash of the region files (regions/*), from `cargo xtask regions --json`
//   shell          the app-shell files to precache: everything staged except sw.js,
//                  regions/ and dotfiles (index.html, .js, .wasm, .css, manifest, icons)
//   disabled       true under `trunk serve` (its live-reload script is in index.html):
//                  the worker then removes itself, so development sees every rebuild
// Hashes, not Trunk's file names, decide the cache version: the names did not change
// when the .wasm did.
//
// Run by tools/post-build.mjs. Usage: node tools/service-worker.mjs <staging-dir>

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { files } from './files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE = path.join(root, 'public', 'sw.js');
const OUTPUT = 'sw.js';
const REGIONS = 'regions';
const BUILD_MARKER = /\/\*@build\*\/[^]*?\/\*@end\*\//;
/** What Trunk's `serve` adds to index.html (its live-reload WebSocket). */
const TRUNK_SERVE_MARKER = '.well-known/trunk/ws';

/** Hex SHA-256 (first 16 digits) over names and contents, plus any extra text. */
function contentHash(dir, names, extra = '') {
  const hash = createHash('sha256');
  hash.update(extra);
  for (const name of names) {
    hash.update(`\0${name}\0`);
    hash.update(fs.readFileSync(path.join(dir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Writes `<staging>/sw.js`. Returns true for a `trunk serve` build (worker disabled). */
export function writeServiceWorker(staging) {
  const indexHtml = fs.readFileSync(path.join(staging, 'index.html'), 'utf8');
  const template = fs.readFileSync(TEMPLATE, 'utf8');
  if (!BUILD_MARKER.test(template)) throw new Error(`${TEMPLATE} has no /*@build*/ ... /*@end*/ block`);

  const all = files(staging);
  const shell = all.filter((f) => f !== OUTPUT && !f.startsWith(`${REGIONS}/`));
  const regions = all.filter((f) => f.startsWith(`${REGIONS}/`));
  if (!shell.includes('index.html')) throw new Error(`${staging} has no index.html`);
  const disabled = indexHtml.includes(TRUNK_SERVE_MARKER);
  const build = {
    version: contentHash(staging, shell, template),
    regionsVersion: contentHash(staging, regions),
    shell,
    disabled,
  };
  const text = template.replace(BUILD_MARKER, () => JSON.stringify(build));
  // Write beside, then rename: never change a file Trunk may have linked elsewhere.
  const out = path.join(staging, OUTPUT);
  fs.writeFileSync(`${out}.tmp`, text);
  fs.renameSync(`${out}.tmp`, out);

  const bytes = shell.reduce((sum, f) => sum + fs.statSync(path.join(staging, f)).size, 0);
  console.log(
    disabled
      ? 'service-worker: trunk serve build: sw.js removes itself (no offline cache in development)'
      : `service-worker: version ${build.version}, ${shell.length} shell files (${(bytes / 1e3).toFixed(0)} kB), regions ${build.regionsVersion}`,
  );
  return disabled;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    if (!process.argv[2]) throw new Error('usage: node tools/service-worker.mjs <staging-dir>');
    writeServiceWorker(process.argv[2]);
  } catch (error) {
    console.error(`service-worker: ${error.message}`);
    process.exit(1);
  }
}
