// Roster bench: a village of 15,000 workers in the built app, at 4x CPU throttling.
//
// Usage: node tests/bench/roster.mjs <dist-dir> <plan.json> <result.json>
// (`cargo xtask bench` writes the plan: xtask/src/bench/workers.rs.)
//
// 1. Opens the app once, so that the app itself creates its IndexedDB database, then
//    writes the plan's rows (villages, records, settings) in one transaction.
// 2. Applies CPU throttling through CDP (Emulation.setCPUThrottlingRate).
// 3. Cold open: reloads at #/desa/<code>; the time from navigation start until the
//    result count shows every worker, a row is rendered and the next frame is painted.
//    Its floor, in the same page and throttling: `indexedDB.open`, one readonly
//    transaction's `getAll()` of the villages, records and settings stores, and
//    `JSON.parse` of each row's `body`: what any app must at least do to read those rows.
//    `roster.open.ratio` is the cold open over that floor.
// 4. Open from home: from #/ to #/desa/<code> in the running app, to the same point.
// 5. Search: types the plan's keystrokes into [data-testid=roster-search]; for each,
//    the time from the keydown event to the frame after the app rendered the result
//    (the count then must equal what the core computed natively), and the app's share
//    of it (its input event to its last change to the page). Clearing the box
//    (select all, Backspace) between words is measured too.
//    Then memory, with the village open and searched, after a forced garbage
//    collection: the JS heap in use (CDP Performance.getMetrics, JSHeapUsedSize) plus
//    the app's wasm linear memory (its `memory` export, from Trunk's
//    TrunkApplicationStarted event; split chunks share it), against the JSON size of
//    the records it holds (the sum of every record row's `body`, in UTF-8 bytes).
// 6. Floor: the same keystroke measurement on a bare page (an input that rewrites a
//    count and 20 lines of text; no app), at the same throttling: what this machine
//    and browser take before any app work. `roster.search.ratio` is the app's
//    median keystroke over the bare page's.
//
// Writes {figures: [{name, value, unit}], keystrokes: [...]} to result.json.

import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, busyLoop, figure, seed, serve } from './common.mjs';

const COLD_OPENS = 3;
const FLOOR_READS = 3;
const HOME_OPENS = 3;
/** Longest wait for one screen or keystroke before the bench gives up. */
const TIMEOUT_MS = 180_000;

const log = (...args) => console.log('roster:', ...args);

async function main() {
  const [dist, planPath, resultPath] = process.argv.slice(2);
  if (!resultPath) throw new Error('usage: node tests/bench/roster.mjs <dist-dir> <plan.json> <result.json>');
  const plan = JSON.parse(readFileSync(planPath, 'utf8'));
  const server = await serve(dist);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const result = await bench(browser, server.url, plan);
    writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function bench(browser, url, plan) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'id-ID',
    timezoneId: 'Asia/Jakarta',
  });
  await context.addInitScript(watchVillage, plan.village.count_text);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const uncaught = [];
  page.on('pageerror', (error) => uncaught.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') log(`console.error in the page: ${message.text()}`);
  });

  // 1. The app creates its database; then the rows go in, in one transaction.
  await page.goto(`${url}/#/`);
  await page.getByTestId('agent-missing').waitFor();
  const seeded = await page.evaluate(seed, { db: plan.db, rowsJson: JSON.stringify(plan.rows) });
  const counts = Object.entries(seeded.counts).map(([store, n]) => `${store}: ${n}`);
  log(`seeded in one transaction (${counts.join(', ')}) in ${seeded.ms.toFixed(0)} ms`);

  // 2. Throttling (it stays on across reloads of this page).
  const busy = () => page.evaluate(busyLoop);
  const before = await busy();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: plan.cpu_throttling });
  const after = await busy();
  log(`CPU throttling ${plan.cpu_throttling}x: a busy loop took ${before.toFixed(0)} ms, now ${after.toFixed(0)} ms`);

  // 3. Cold opens of the big village.
  await page.evaluate((hash) => {
    location.hash = hash;
  }, plan.village.hash);
  const cold = [];
  for (let i = 0; i < COLD_OPENS; i++) {
    await page.reload();
    await page.waitForFunction(() => window.__lindungBench?.villageReady != null, null, { polling: 100 });
    cold.push(await page.evaluate(() => window.__lindungBench.villageReady));
    log(`cold open ${i + 1}: ${cold.at(-1).toFixed(0)} ms (navigation start to "${plan.village.count_text}" painted)`);
  }

  // 3b. Its floor: reading and parsing the same rows in the same page, throttled.
  const reads = [];
  for (let i = 0; i < FLOOR_READS; i++) {
    const read = await page.evaluate(readRows, plan.db.name);
    reads.push(read.ms);
    log(`open floor ${i + 1}: ${read.ms.toFixed(0)} ms (IndexedDB getAll of ${read.rows} rows, JSON.parse of ${read.bodies} bodies)`);
  }

  // 4. From the home screen to the village, in the running app.
  const fromHome = [];
  for (let i = 0; i < HOME_OPENS; i++) {
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await page.locator(`[data-testid="village-link"][data-code="${plan.village.code}"]`).waitFor();
    fromHome.push(await page.evaluate(openVillage, { hash: plan.village.hash, want: plan.village.count_text }));
    log(`open from home ${i + 1}: ${fromHome.at(-1).toFixed(0)} ms`);
  }

  // 5. Search keystrokes.
  const search = page.getByTestId('roster-search');
  await search.click();
  const keystrokes = [];
  for (const step of plan.keystrokes) {
    if (step.key === null) await page.keyboard.press('Control+A');
    await page.evaluate(armKeystroke, step.count_text);
    await page.keyboard.press(step.key === null ? 'Backspace' : step.key === ' ' ? 'Space' : step.key);
    const measured = await page.evaluate(() => window.__lindungBench.keystroke);
    const value = await search.inputValue();
    if (value !== step.text) throw new Error(`the search box holds "${value}", expected "${step.text}"`);
    keystrokes.push({
      key: step.key ?? 'clear',
      text: step.text,
      count: step.count_text,
      ms: measured.ms,
      app_ms: measured.app,
      late: measured.late,
    });
    log(
      `${JSON.stringify(step.text).padEnd(11)} ${step.count_text.padStart(12)}  ${measured.ms.toFixed(0).padStart(6)} ms (app ${measured.app.toFixed(0)} ms)${measured.late ? ' (rendered after the first frame)' : ''}`,
    );
  }
  const memory = await measureMemory(page, cdp);
  const jsonBytes = plan.rows.records.reduce((sum, row) => sum + Buffer.byteLength(row.body, 'utf8'), 0);
  const village = plan.rows.records.filter((r) => r.village === plan.village.code);
  log(
    `memory, village open and searched: JS heap ${mb(memory.jsHeap)} + wasm memory ${mb(memory.wasm)} = ${mb(memory.jsHeap + memory.wasm)}` +
      (memory.embedder == null ? '' : ` (not counted: Blink's own heap, the DOM, ${mb(memory.embedder)})`),
  );
  log(
    `JSON of the ${plan.rows.records.length} records the app holds: ${mb(jsonBytes)} ` +
      `(the village's ${village.length}: ${mb(village.reduce((sum, row) => sum + Buffer.byteLength(row.body, 'utf8'), 0))})`,
  );
  if (uncaught.length > 0) throw new Error(`uncaught errors in the page: ${uncaught.join(' | ')}`);
  const still = await busy();
  if (still < 2 * before) throw new Error(`CPU throttling was lost on the way (busy loop ${still.toFixed(0)} ms)`);

  const floor = await searchFloor(context, plan.cpu_throttling);
  log(`search floor (bare page, ${floor.length} keystrokes): median ${percentile(floor, 50).toFixed(0)} ms, p95 ${percentile(floor, 95).toFixed(0)} ms`);

  const times = keystrokes.map((k) => k.ms);
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  const app = keystrokes.map((k) => k.app_ms);
  const openCold = median(cold);
  const openFloor = median(reads);
  const memoryBytes = memory.jsHeap + memory.wasm;
  log(`search: ${times.length} keystrokes, median ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
  log(`search, the app's share (input event to its last change to the page): median ${percentile(app, 50).toFixed(0)} ms, p95 ${percentile(app, 95).toFixed(0)} ms`);
  return {
    figures: [
      figure('roster.records', plan.rows.records.filter((r) => r.village === plan.village.code).length, 'count'),
      figure('roster.open_cold.ms', round(openCold), 'ms'),
      figure('roster.open.floor.ms', round(openFloor), 'ms'),
      figure('roster.open.ratio', ratio(openCold, openFloor), 'ratio'),
      figure('roster.open_from_home.ms', round(median(fromHome)), 'ms'),
      figure('roster.search.keystrokes', times.length, 'count'),
      figure('roster.search.p50.ms', round(p50), 'ms'),
      figure('roster.search.p95.ms', round(p95), 'ms'),
      figure('roster.search.max.ms', round(Math.max(...times)), 'ms'),
      figure('roster.search.app.p50.ms', round(percentile(app, 50)), 'ms'),
      figure('roster.search.app.p95.ms', round(percentile(app, 95)), 'ms'),
      figure('roster.search.floor.p50.ms', round(percentile(floor, 50)), 'ms'),
      figure('roster.search.floor.p95.ms', round(percentile(floor, 95)), 'ms'),
      figure('roster.search.ratio', ratio(p50, percentile(floor, 50)), 'ratio'),
      figure('roster.memory.js_heap.bytes', memory.jsHeap, 'bytes'),
      figure('roster.memory.wasm.bytes', memory.wasm, 'bytes'),
      figure('roster.memory.bytes', memoryBytes, 'bytes'),
      figure('roster.memory.json_bytes', jsonBytes, 'bytes'),
      figure('roster.memory.ratio', ratio(memoryBytes, jsonBytes), 'ratio'),
    ],
    cpu_throttling: plan.cpu_throttling,
    cold_open_ms: cold,
    open_floor_ms: reads,
    memory,
    open_from_home_ms: fromHome,
    keystrokes,
  };
}

/** The bare page of the floor measurement: no app, the same test ids. */
const FLOOR_PAGE = `<!doctype html><html lang="id"><meta name="viewport" content="width=device-width">
<title>floor</title><input data-testid="roster-search" aria-label="cari"><p data-testid="roster-result-count">0</p><ol></ol>
<script>
  const list = document.querySelector('ol');
  for (let i = 0; i < 20; i++) list.append(document.createElement('li'));
  let typed = 0;
  window.addEventListener('input', () => {
    typed += 1;
    document.querySelector('[data-testid=roster-result-count]').textContent = String(typed);
    for (const [i, line] of [...list.children].entries()) line.textContent = 'pekerja ' + typed + '.' + i;
  });
</script>`;
const FLOOR_KEYSTROKES = 40;

/** Keydown-to-painted-frame times of FLOOR_KEYSTROKES on the bare page, throttled. */
async function searchFloor(context, throttling) {
  const page = await context.newPage();
  try {
    await page.setContent(FLOOR_PAGE);
    await page.evaluate(() => {
      window.__lindungBench = { villageReady: null, keystroke: null };
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttling });
    await page.getByTestId('roster-search').click();
    const times = [];
    for (let i = 1; i <= FLOOR_KEYSTROKES; i++) {
      await page.evaluate(armKeystroke, String(i));
      await page.keyboard.press('a');
      times.push((await page.evaluate(() => window.__lindungBench.keystroke)).ms);
    }
    return times;
  } finally {
    await page.close();
  }
}

/**
 * The JS heap in use after a forced garbage collection, the app's wasm memory, and
 * (logged, not counted) Blink's own heap where CDP reports it.
 */
async function measureMemory(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.send('Performance.disable');
  const jsHeap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
  if (jsHeap == null) throw new Error('CDP Performance.getMetrics reported no JSHeapUsedSize');
  const wasm = await page.evaluate(() => window.__lindungBench.wasmMemory?.buffer.byteLength ?? null);
  if (wasm == null) throw new Error("the app's wasm memory is not reachable (no TrunkApplicationStarted event?)");
  const usage = await cdp.send('Runtime.getHeapUsage').catch(() => ({}));
  return { jsHeap, wasm, embedder: usage.embedderHeapUsedSize ?? null };
}

const round = (ms) => Math.round(ms * 10) / 10;
const ratio = (value, floor) => Math.round((value / floor) * 100) / 100;
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile (the median of an even count is the lower middle). */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

// ---- In the page (serialized by Playwright: no closures over this module) ----

/**
 * Init script: records when the village screen shows `want` and has painted, and
 * keeps the app's wasm memory (Trunk's event carries the module's exports).
 */
function watchVillage(want) {
  const bench = (window.__lindungBench = { villageReady: null, keystroke: null, wasmMemory: null });
  addEventListener('TrunkApplicationStarted', (event) => {
    bench.wasmMemory = event.detail?.wasm?.memory ?? null;
  });
  const ready = () =>
    document.querySelector('[data-testid="roster-result-count"]')?.textContent?.trim() === want &&
    document.querySelector('[data-testid="worker-row"]') !== null;
  const observer = new MutationObserver(() => {
    if (!ready()) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        bench.villageReady = performance.now();
      };
      channel.port2.postMessage(null);
    });
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
}

/**
 * The floor of the cold open: `indexedDB.open`, one readonly transaction's `getAll()`
 * of the villages, records and settings stores, `JSON.parse` of each row's `body`.
 */
async function readRows(name) {
  const start = performance.now();
  const connection = await new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`cannot open ${name}`));
  });
  try {
    const stores = ['villages', 'records', 'settings'];
    const tx = connection.transaction(stores, 'readonly');
    const lists = await Promise.all(
      stores.map(
        (store) =>
          new Promise((resolve, reject) => {
            const request = tx.objectStore(store).getAll();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error ?? new Error(`cannot read ${store}`));
          }),
      ),
    );
    const bodies = [];
    for (const rows of lists) {
      for (const row of rows) if (typeof row.body === 'string') bodies.push(JSON.parse(row.body));
    }
    const ms = performance.now() - start;
    globalThis.__lindungBenchSink = bodies.length;
    return { ms, rows: lists.reduce((sum, rows) => sum + rows.length, 0), bodies: bodies.length };
  } finally {
    connection.close();
  }
}

/** Goes to the village; ms until its count shows `want` and the next frame painted. */
function openVillage({ hash, want }) {
  const afterNextFrame = (then) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => then();
      channel.port2.postMessage(null);
    });
  const count = () => document.querySelector('[data-testid="roster-result-count"]')?.textContent?.trim();
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const observer = new MutationObserver(() => {
      if (count() !== want) return;
      observer.disconnect();
      clearTimeout(timer);
      afterNextFrame(() => resolve(performance.now() - start));
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`the village did not show "${want}" (count: "${count()}")`));
    }, 180_000);
    location.hash = hash;
  });
}

/**
 * Arms the measurement of the next keystroke: from its keydown to the frame after the
 * app rendered the result; the count must then read `want`. If it does not yet (the
 * app rendered later than the first frame), waits for it and one more frame.
 *
 * Also the app's own share: from the start of the `input` event to the app's last
 * change to the page before that frame (a MutationObserver notes each batch of
 * changes), or to the end of the event's handlers when nothing on the page changed.
 * The rest is the browser's: its key handling before `input`, the wait for the next
 * frame, style, layout and paint.
 */
function armKeystroke(want) {
  const afterNextFrame = (then) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => then();
      channel.port2.postMessage(null);
    });
  const count = () => document.querySelector('[data-testid="roster-result-count"]')?.textContent?.trim();
  window.__lindungBench.keystroke = new Promise((resolve, reject) => {
    let start = null;
    let input = null;
    let handled = null;
    let changed = null;
    const changes = new MutationObserver(() => {
      changed = performance.now();
    });
    const onKeydown = (event) => {
      start = event.timeStamp;
      document.removeEventListener('keydown', onKeydown, true);
    };
    const onInputEnd = () => {
      handled = performance.now();
      window.removeEventListener('input', onInputEnd);
    };
    const onInput = () => {
      input = performance.now();
      document.removeEventListener('input', onInput, true);
      changes.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      requestAnimationFrame(() => {
        changes.disconnect();
      });
      afterNextFrame(() => {
        const app = (changed ?? handled ?? input) - input;
        if (count() === want) {
          resolve({ ms: performance.now() - start, app, late: false });
          return;
        }
        const observer = new MutationObserver(() => {
          if (count() !== want) return;
          observer.disconnect();
          clearTimeout(timer);
          afterNextFrame(() => resolve({ ms: performance.now() - start, app, late: true }));
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`the count shows "${count()}", expected "${want}"`));
        }, 180_000);
      });
    };
    document.addEventListener('keydown', onKeydown, true);
    document.addEventListener('input', onInput, true);
    // Registered after the app's own (delegated) listener on window, so it runs after it.
    window.addEventListener('input', onInputEnd);
  });
}

main().catch((error) => {
  console.error(`roster: ${error.stack ?? error}`);
  process.exit(1);
});
