// Trunk post_build hook (Trunk.toml), on the staging directory ($TRUNK_STAGING_DIR):
// 1. tools/split.mjs splits the .wasm into the main module and the chunks of the
//    screens loaded on demand (src/lazy.rs);
// 2. tools/service-worker.mjs writes sw.js (the app-shell list and cache version);
// 3. on release builds, tools/precompress.mjs writes a Zopfli `.gz` and a Brotli `.br`
//    beside every text and wasm file, sw.js included (not under `trunk serve`, which
//    never sends them).
// One hook running them in this order: Trunk starts the hooks of one stage all at once.

import { precompress } from './precompress.mjs';
import { writeServiceWorker } from './service-worker.mjs';
import { split } from './split.mjs';

async function main() {
  const staging = process.env.TRUNK_STAGING_DIR;
  if (!staging) throw new Error('run as a Trunk post_build hook ($TRUNK_STAGING_DIR is not set)');
  const profile = process.env.TRUNK_PROFILE === 'release' ? 'release' : 'debug';
  const started = Date.now();
  const cut = await split(staging, profile);
  if (cut) {
    console.log(
      `split: main .wasm ${(cut.mainBytes / 1e3).toFixed(0)} kB, ${cut.chunks} chunks ${(cut.chunkBytes / 1e3).toFixed(0)} kB (${((Date.now() - started) / 1e3).toFixed(1)} s)`,
    );
  }
  const trunkServe = writeServiceWorker(staging);
  if (profile === 'release' && !trunkServe) {
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
