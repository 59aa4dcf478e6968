// What the browser benches share: a static host for dist/, Chromium's flags, the
// figure format `cargo xtask bench` reads.
//
// The host serves a built dist/ on 127.0.0.1 at a free port, like
// tests/e2e/serve-dist.mjs (MIME types, index.html for app routes, 404 for a missing
// asset), and sends text and wasm gzip-compressed as production hosts do: the release
// build's precompressed `.gz` copy where there is one (README "Deploying"), else gzip -9
// on the fly. So Lighthouse sees the transfer sizes a field agent's phone downloads.

import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
/** Already compressed: sent as they are. */
const STORED = new Set(['.png', '.woff2']);

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves `dir` until `close()`.
 * @returns {Promise<{url: string, close: () => Promise<void>}>} `url` without a trailing slash
 */
export async function serve(dir) {
  const root = resolve(dir);
  if (!isFile(join(root, 'index.html'))) {
    throw new Error(`${join(root, 'index.html')} is missing; build first (trunk build --release)`);
  }
  const gzipped = new Map(); // path -> { mtimeMs, body }

  const resolveFile = (urlPath) => {
    let decoded;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    const path = resolve(join(root, decoded));
    if (path !== root && !path.startsWith(root + sep)) return null;
    if (isFile(path)) return path;
    if (isFile(join(path, 'index.html'))) return join(path, 'index.html');
    return extname(decoded) === '' ? join(root, 'index.html') : null;
  };

  const body = (file, gzip) => {
    if (!gzip) return readFileSync(file);
    // The release build's Zopfli copy (tools/precompress.mjs), as nginx `gzip_static`.
    if (isFile(`${file}.gz`)) return readFileSync(`${file}.gz`);
    const { mtimeMs } = statSync(file);
    const cached = gzipped.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.body;
    const compressed = gzipSync(readFileSync(file), { level: 9 });
    gzipped.set(file, { mtimeMs, body: compressed });
    return compressed;
  };

  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveFile(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (file === null) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const extension = extname(file).toLowerCase();
    const gzip = !STORED.has(extension) && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    const content = body(file, gzip);
    const headers = {
      'Content-Type': MIME[extension] ?? 'application/octet-stream',
      'Content-Length': content.length,
      'Cache-Control': 'no-cache',
      Vary: 'Accept-Encoding',
    };
    if (gzip) headers['Content-Encoding'] = 'gzip';
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : content);
  });

  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolveListen);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections?.();
        server.close(() => resolveClose());
      }),
  };
}

/** Chromium's flags for a headless run as root on a machine without network. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  // Without these Chromium keeps calling home on a machine with no network.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';

/** One entry of the `figures` list a bench writes to its result file. */
export function figure(name, value, unit) {
  return { name, value, unit };
}

// ---- In the page (passed to page.evaluate: no closures over this module) ----

/** Writes the rows into the app's database (which must exist at `db.version`). */
export async function seed({ db, rowsJson }) {
  const rows = JSON.parse(rowsJson);
  const connection = await new Promise((resolve, reject) => {
    const request = indexedDB.open(db.name, db.version);
    request.onupgradeneeded = () => {
      request.transaction.abort();
      reject(new Error(`the app's database "${db.name}" is not at version ${db.version}`));
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`cannot open ${db.name}`));
  });
  try {
    const start = performance.now();
    const stores = Object.keys(rows);
    const tx = connection.transaction(stores, 'readwrite', { durability: 'strict' });
    const counts = {};
    for (const store of stores) {
      const objectStore = tx.objectStore(store);
      for (const row of rows[store]) objectStore.put(row);
      counts[store] = rows[store].length;
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error ?? new Error('the seeding transaction aborted'));
    });
    return { counts, ms: performance.now() - start };
  } finally {
    connection.close();
  }
}

export function busyLoop() {
  const start = performance.now();
  let x = 0;
  for (let i = 0; i < 2e7; i++) x = (x + i * 7) % 1000003;
  globalThis.__lindungBenchSink = x; // keeps the loop from being optimized away
  return performance.now() - start;
}
