// Export bench: make and sign the first bundle of a device holding N workers, in
// the built app, at 4x CPU throttling, as an agent does on the Export screen.
//
// Usage: node tests/bench/export.mjs <dist-dir> <plan.json> <result.json>
// (`cargo xtask bench` writes the plan: xtask/src/bench/export.rs.)
//
// For each case of the plan (e.g. 100 and 15,000 workers), in a fresh browser
// profile: opens the app (which creates its database and the device key), seeds the
// case's rows in one transaction, reloads at #/kirim and waits until the screen
// counts every worker as not yet sent; then, throttled, measures from the click on
// "Buat bundel" to the frame after "Bundel #1 dibuat" shows: building the payload in
// the core, encoding it, signing with WebCrypto (and verifying), and storing the
// bundle and its file in IndexedDB. Then downloads the bundle and reports its size.
//
// Its floor, in the same page and throttling right after: plain JS making a payload
// of the same size and shape (the seeded records' bodies as objects in an array under
// a small header, built beforehand) into `JSON.stringify` text, its UTF-8 bytes, and
// one WebCrypto ECDSA P-256 SHA-256 signature over them (a throwaway key generated
// beforehand in the page). `export.<n>.ratio` is the app's time over that floor.
//
// Writes {figures: [{name, value, unit}]} to result.json.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, figure, seed, serve } from './common.mjs';

const TIMEOUT_MS = 300_000;
const RUNS = 3;
const log = (...args) => console.log('export:', ...args);

async function main() {
  const [dist, planPath, resultPath] = process.argv.slice(2);
  if (!resultPath) throw new Error('usage: node tests/bench/export.mjs <dist-dir> <plan.json> <result.json>');
  const plan = JSON.parse(readFileSync(planPath, 'utf8'));
  const server = await serve(dist);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const figures = [];
  try {
    for (const c of plan.cases) {
      const times = [];
      const floors = [];
      let bytes = 0;
      for (let run = 0; run < RUNS; run++) {
        const measured = await exportOnce(browser, server.url, plan, c);
        times.push(measured.ms);
        floors.push(measured.floor.ms);
        bytes = measured.bytes;
        log(
          `${c.workers} workers, run ${run + 1}: ${measured.ms.toFixed(0)} ms, bundle ${measured.bytes} bytes; ` +
            `floor ${measured.floor.ms.toFixed(0)} ms (stringify ${measured.floor.bytes} bytes and sign)`,
        );
      }
      const app = median(times);
      const floor = median(floors);
      figures.push(figure(`export.${c.workers}.ms`, round(app), 'ms'));
      figures.push(figure(`export.${c.workers}.bytes`, bytes, 'bytes'));
      figures.push(figure(`export.${c.workers}.floor.ms`, round(floor), 'ms'));
      figures.push(figure(`export.${c.workers}.ratio`, Math.round((app / floor) * 100) / 100, 'ratio'));
    }
    writeFileSync(resultPath, `${JSON.stringify({ figures, cpu_throttling: plan.cpu_throttling }, null, 2)}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The lower middle of `values`. */
function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
}

const round = (ms) => Math.round(ms * 10) / 10;

async function exportOnce(browser, url, plan, c) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    locale: 'id-ID',
    timezoneId: 'Asia/Jakarta',
    acceptDownloads: true,
  });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const uncaught = [];
    page.on('pageerror', (error) => uncaught.push(error.message));
    await page.goto(`${url}/#/`);
    await page.getByTestId('agent-missing').waitFor();
    await page.evaluate(seed, { db: plan.db, rowsJson: JSON.stringify(c.rows) });
    await page.goto(`${url}/#/kirim`);
    await page.reload();
    await page.getByTestId('pending-total').filter({ hasText: c.pending_text }).waitFor();
    await page.getByTestId('export-kid').filter({ hasText: /^.{43}$/ }).waitFor();

    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: plan.cpu_throttling });
    const ms = await page.evaluate(makeBundle);
    const bodies = JSON.stringify(c.rows.records.map((row) => row.body));
    const floor = await page.evaluate(stringifyAndSign, { bodies, sequence: 1 });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="bundle"][data-sequence="1"]').getByTestId('download-bundle').click(),
    ]);
    const path = join(tmpdir(), `lindung-bench-${process.pid}-${c.workers}.json`);
    await download.saveAs(path);
    if (uncaught.length > 0) throw new Error(`uncaught errors in the page: ${uncaught.join(' | ')}`);
    return { ms, bytes: statSync(path).size, floor };
  } finally {
    await context.close();
  }
}

/** In the page: clicks "Buat bundel"; ms until "Bundel #1" shows and a frame painted. */
function makeBundle() {
  const message = () => document.querySelector('[data-testid="export-message"]')?.textContent ?? '';
  return new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      const text = message();
      if (!text) return;
      observer.disconnect();
      if (!text.includes('Bundel #1')) {
        reject(new Error(`export failed: ${text}`));
        return;
      }
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve(performance.now() - start);
        channel.port2.postMessage(null);
      });
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    const start = performance.now();
    document.querySelector('[data-testid="make-bundle"]').click();
  });
}

/**
 * In the page, the floor: `JSON.stringify` of a payload of the same records (built
 * before the clock starts, as the app holds its records before the click), its UTF-8
 * bytes, one ECDSA P-256 SHA-256 signature with a throwaway key; ms and bytes.
 */
async function stringifyAndSign({ bodies, sequence }) {
  const records = JSON.parse(bodies).map((body) => JSON.parse(body));
  const key = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const start = performance.now();
  const payload = {
    format: 'lindung.bundle',
    version: 1,
    sequence,
    created_at: new Date().toISOString(),
    count: records.length,
    records,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, bytes);
  const ms = performance.now() - start;
  globalThis.__lindungBenchSink = signature.byteLength;
  return { ms, bytes: bytes.length };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
