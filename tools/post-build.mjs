// Trunk post_build hook (Trunk.toml), on the staging directory ($TRUNK_STAGING_DIR):
// 1. tools/service-worker.mjs writes sw.js (the app-shell list and cache version);
// 2. on release builds, tools/precompress.mjs writes a Zopfli `.gz` beside every text
//    and wasm file, sw.js included (not under `trunk serve`, which never sends them).
// One hook running both in this order: Trunk starts the hooks of one stage all at once.

import { precompress } from './precompress.mjs';
import { writeServiceWorker } from './service-worker.mjs';

async function main() {
  const staging = process.env.TRUNK_STAGING_DIR;
  if (!staging) throw new Error('run as a Trunk post_build hook ($TRUNK_STAGING_DIR is not set)');
  const trunkServe = writeServiceWorker(staging);
  if (process.env.TRUNK_PROFILE === 'release' && !trunkServe) {
    const started = Date.now();
    const { count, raw, gzipped } = await precompress(staging);
    console.log(
      `precompress: ${count} files, ${(raw / 1e3).toFixed(0)} kB -> ${(gzipped / 1e3).toFixed(0)} kB gzip (Zopfli, ${((Date.now() - started) / 1e3).toFixed(1)} s)`,
    );
  }
}

main().catch((error) => {
  console.error(`post-build: ${error.message}`);
  process.exit(1);
});
