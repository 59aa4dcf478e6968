// Lindung's service worker: after one visit online the app starts and works with no
// network. This file is a template: tools/service-worker.mjs (run by the post-build hook)
// fills in BUILD below and writes the result into the build as sw.js.
//
// - App shell (index.html, the .js/.wasm/.css, manifest, icons): cached on install,
//   served cache-first. The cache is named after a content hash of the built files
//   (Trunk's file names do not change with every content change).
// - Region files (regions/PP.json): cached the first time the app fetches them, in a
//   cache named after a hash of all region files, so provinces once used work offline
//   and survive app updates that do not change the region data.
// - Navigations get the cached index.html (routes live in the URL hash).
// - A new version installs and then waits; the page asks it to take over
//   ({type: 'SKIP_WAITING'}) only when the agent agrees (src/offline.rs).

/* BUILD: replaced at build time; these defaults are what an unprocessed copy uses. */
const BUILD = /*@build*/ { version: 'unbuilt', regionsVersion: 'unbuilt', shell: [], disabled: true } /*@end*/;

const SHELL_CACHE = `lindung-shell-${BUILD.version}`;
const REGIONS_CACHE = `lindung-regions-${BUILD.regionsVersion}`;
const SCOPE = self.registration.scope; // ends with '/'
const SHELL = new Set(BUILD.shell.map((path) => new URL(path, SCOPE).href));
const INDEX = new URL('index.html', SCOPE).href;
const REGIONS = new URL('regions/', SCOPE).href;

if (BUILD.disabled) {
  // A development build (`trunk serve`): remove any earlier service worker and its
  // caches, so every reload shows the latest build.
  self.addEventListener('install', () => self.skipWaiting());
  self.addEventListener('activate', (event) => {
    event.waitUntil(
      (async () => {
        await deleteCaches(() => true);
        await self.registration.unregister();
      })(),
    );
  });
} else {
  self.addEventListener('install', (event) => event.waitUntil(install()));
  self.addEventListener('activate', (event) => event.waitUntil(activate()));
  self.addEventListener('fetch', onFetch);
  self.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  });
}

async function install() {
  const cache = await caches.open(SHELL_CACHE);
  // 'no-cache': revalidate with the server, never trust a stale HTTP cache entry.
  await cache.addAll(BUILD.shell.map((path) => new Request(new URL(path, SCOPE), { cache: 'no-cache' })));
  await carryOverRegions();
  // No skipWaiting(): with an older version running, this one waits for the agent.
}

/** New region data: fetch again the provinces the old cache had, while online. */
async function carryOverRegions() {
  const names = (await caches.keys()).filter((n) => n.startsWith('lindung-regions-') && n !== REGIONS_CACHE);
  if (names.length === 0) return;
  const fresh = await caches.open(REGIONS_CACHE);
  for (const name of names) {
    const old = await caches.open(name);
    for (const request of await old.keys()) {
      if (await fresh.match(request)) continue;
      try {
        const response = await fetch(request.url, { cache: 'no-cache' });
        if (response.ok) await fresh.put(request.url, response);
      } catch {
        // Best effort: the province is fetched again when next used online.
      }
    }
  }
}

async function activate() {
  await deleteCaches((name) => name !== SHELL_CACHE && name !== REGIONS_CACHE);
  // Control the page that installed us (the first visit), so the region files it
  // fetches are cached too. An update only activates when the agent agreed.
  await self.clients.claim();
}

async function deleteCaches(unwanted) {
  for (const name of await caches.keys()) {
    if (name.startsWith('lindung-') && unwanted(name)) await caches.delete(name);
  }
}

function onFetch(event) {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const url = new URL(request.url);
  if (url.href.startsWith(REGIONS)) {
    event.respondWith(region(request));
  } else if (SHELL.has(url.href)) {
    event.respondWith(fromCache(SHELL_CACHE, url.href, request));
  } else if (request.mode === 'navigate' && isPage(url)) {
    event.respondWith(fromCache(SHELL_CACHE, INDEX, request));
  }
  // Anything else goes to the network as usual.
}

/** The app's own pages: the scope, index.html, or a path without a file extension. */
function isPage(url) {
  const last = url.pathname.split('/').pop();
  return last === '' || last === 'index.html' || !last.includes('.');
}

/** Cache-first: the cached copy of `key`, else the network. */
async function fromCache(cacheName, key, request) {
  const cache = await caches.open(cacheName);
  return (await cache.match(key)) ?? fetch(request);
}

/** Cache-first, and cached when first fetched. Offline and not cached: a network error. */
async function region(request) {
  const cache = await caches.open(REGIONS_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
