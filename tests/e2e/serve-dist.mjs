// Serves a built dist/ directory for the end-to-end tests, like a static host would:
// correct MIME types (application/wasm for streaming compilation), and a fallback to
// index.html for app routes (paths without a file extension). A missing asset is a
// 404, never index.html served as JavaScript or WebAssembly. Like nginx `gzip_static`,
// a browser that accepts gzip gets the precompressed `<file>.gz` of a release build
// (tools/precompress.mjs) when there is one, so the tests run the app as users get it.
//
// Usage: node serve-dist.mjs <dist-dir> [port]   (listens on 127.0.0.1 only)

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

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

const root = resolve(process.argv[2] ?? 'dist');
const port = Number(process.argv[3] ?? 4173);
const host = '127.0.0.1';

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

if (!isFile(join(root, 'index.html'))) {
  console.error(`serve-dist: ${join(root, 'index.html')} is missing; build first (trunk build --release)`);
  process.exit(1);
}

/** The file to answer `urlPath` with, or null for 404. */
function resolveFile(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const path = resolve(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return null; // ../ escapes
  if (isFile(path)) return path;
  if (isFile(join(path, 'index.html'))) return join(path, 'index.html');
  return extname(decoded) === '' ? join(root, 'index.html') : null;
}

const server = createServer((request, response) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(request.url ?? '/', `http://${host}`);
  const file = resolveFile(url.pathname);
  if (file === null) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '') && isFile(`${file}.gz`);
  const body = gzip ? `${file}.gz` : file;
  const headers = {
    'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': statSync(body).size,
    'Cache-Control': 'no-cache',
    Vary: 'Accept-Encoding',
  };
  if (gzip) headers['Content-Encoding'] = 'gzip';
  response.writeHead(200, headers);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(body).pipe(response);
});

server.listen(port, host, () => {
  console.log(`serve-dist: ${root} at http://${host}:${port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
