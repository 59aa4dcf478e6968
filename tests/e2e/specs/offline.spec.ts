// An agent opens the app once online, then works with no network: the service worker
// (public/sw.js) serves the app and the provinces already used. A new version waits
// until the agent agrees to reload.
//
// `context.setOffline(true)` does not stop a service worker's own fetches, so these
// tests start their own server (tests/e2e/serve-dist.mjs on another port) and stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures';
import { openAddVillage, RegionPickerPage } from '../pages/region-picker-page';
import { RosterApp } from '../pages/roster-app';
import { farmer, validNik, village } from '../people';

const dist = path.resolve(__dirname, '..', '..', '..', 'dist');
const serveDist = path.resolve(__dirname, '..', 'serve-dist.mjs');
const port = 4183;

/** serve-dist.mjs on its own port, stopped by the test to take the network away. */
class DistServer {
  private process: ChildProcess | null = null;
  readonly url = `http://127.0.0.1:${port}/`;

  constructor(readonly dir: string) {}

  async start() {
    const child = spawn(process.execPath, [serveDist, this.dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('serve-dist:')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`serve-dist exited (${code}): ${output}`)));
    });
  }

  async stop() {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Waits until the service worker controls the page (it claims the first page). */
async function waitForServiceWorker(page: Page) {
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker?.controller != null), {
      message: 'no service worker controls the page: does main.rs call lindung::register_service_worker()?',
      timeout: 15_000,
    })
    .toBe(true);
}

/** The names of this origin's caches. */
function cacheNames(page: Page): Promise<string[]> {
  return page.evaluate(() => caches.keys());
}

/**
 * The agent's first visit: opens the app online, waits until the service worker
 * controls it, uses Kalimantan Barat (61) once; then the server stops and the app is
 * opened again.
 */
async function useOnceThenLoseTheServer(page: Page, server: DistServer) {
  const picker = new RegionPickerPage(page);
  await picker.open(server.url);
  await waitForServiceWorker(page);
  await picker.chooseProvince('61');

  await server.stop();
  await picker.open(server.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lindung');
}

test('with the server gone, the app starts and checks a NIK', async ({ page, checkPerson }) => {
  const server = new DistServer(dist);
  await server.start();
  try {
    await useOnceThenLoseTheServer(page, server);
    await page.goto(`${server.url}#/periksa`);
    await page.reload();
    await expect(checkPerson.heading).toHaveText('Lindung');

    await checkPerson.enterNik(validNik);

    await expect(checkPerson.nikBirthDate).toHaveText('5 Februari 1987');
  } finally {
    await server.stop();
  }
});

test('with the server gone, the villages of a province used before can be picked', async ({ page }) => {
  const picker = new RegionPickerPage(page);
  const server = new DistServer(dist);
  await server.start();
  try {
    await useOnceThenLoseTheServer(page, server);

    // Kab. Bengkayang, Kec. Sungai Raya.
    await picker.chooseProvince('61');
    await picker.regency.selectOption('6107');
    await picker.district.selectOption('610701');
    expect(await picker.villageNames()).toContain('Sungai Duri');
    await picker.village.selectOption('6107012001');

    await expect(picker.picked).toContainText('Sungai Duri, Kec. Sungai Raya, Kabupaten Bengkayang, Kalimantan Barat');
    await expect(picker.picked).toHaveAttribute('data-code', '61.07.01.2001');
  } finally {
    await server.stop();
  }
});

test('with the server gone, a typed village code is found or refused', async ({ page }) => {
  const picker = new RegionPickerPage(page);
  const server = new DistServer(dist);
  await server.start();
  try {
    await useOnceThenLoseTheServer(page, server);

    await picker.enterCode('6107012001');
    await expect(picker.picked).toHaveAttribute('data-code', '61.07.01.2001');
    await expect(picker.district).toHaveValue('610701');
    await expect(picker.village).toHaveValue('6107012001');

    await picker.enterCode('61.07.01.2999');
    await expect(picker.codeError).toHaveAttribute('data-code', 'region.village_unknown');
    await expect(picker.codeError).toHaveText('Kode 61.07.01.2999 tidak ada di daftar desa Kalimantan Barat.');
    // Not a village code at all: the seventh digit says kelurahan, desa or desa adat.
    await picker.enterCode('61.07.01.9999');
    await expect(picker.codeError).toHaveAttribute('data-code', 'region.code_format');
  } finally {
    await server.stop();
  }
});

test('with the server gone, a province never used says it must be downloaded', async ({ page, pageErrors }) => {
  const picker = new RegionPickerPage(page);
  const server = new DistServer(dist);
  await server.start();
  try {
    await useOnceThenLoseTheServer(page, server);

    // Jawa Timur was never opened on this phone.
    await picker.province.selectOption('35');

    await expect(picker.status).toHaveAttribute('data-code', 'region.unreachable');
    await expect(picker.status).toContainText('Daftar desa Jawa Timur belum tersimpan di HP ini');
    await expect(picker.retry).toBeVisible();
    // Chromium itself logs the failed download; that one error is expected here.
    expect(pageErrors).toEqual(['console.error: Failed to load resource: net::ERR_FAILED']);
    pageErrors.length = 0;
  } finally {
    await server.stop();
  }
});

test('a new version waits for the agent, then reloads into it', async ({ page, checkPerson }) => {
  // A copy of the build whose sw.js the test can change, as a new release would.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lindung-e2e-'));
  fs.cpSync(dist, dir, { recursive: true });
  const server = new DistServer(dir);
  await server.start();
  try {
    await page.goto(`${server.url}#/periksa`);
    await expect(checkPerson.heading).toHaveText('Lindung');
    await waitForServiceWorker(page);
    const before = (await cacheNames(page)).filter((name) => name.startsWith('lindung-shell-'));
    expect(before).toHaveLength(1);
    // The agent is in the middle of an entry when the new version arrives.
    await checkPerson.nikInput.fill(validNik);
    const swFile = path.join(dir, 'sw.js');
    const sw = fs.readFileSync(swFile, 'utf8');
    const next = sw.replace(/"version":"([0-9a-f]+)"/, '"version":"$1-next"');
    expect(next).not.toEqual(sw);
    fs.writeFileSync(swFile, next);
    // A release build also has the precompressed copy the server sends (tools/precompress.mjs).
    if (fs.existsSync(`${swFile}.gz`)) fs.writeFileSync(`${swFile}.gz`, zlib.gzipSync(next));
    if (fs.existsSync(`${swFile}.br`)) fs.writeFileSync(`${swFile}.br`, zlib.brotliCompressSync(next));
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });

    const banner = page.getByTestId('update-banner');
    await expect(banner).toContainText('Versi baru tersedia');
    // Nothing reloaded by itself: what the agent typed is still there.
    await expect(checkPerson.nikInput).toHaveValue(validNik);

    await Promise.all([page.waitForEvent('load'), page.getByTestId('update-reload').click()]);

    await expect(checkPerson.heading).toHaveText('Lindung');
    await expect(checkPerson.nikInput).toHaveValue('');
    await expect(banner).toHaveCount(0);
    await expect
      .poll(async () => (await cacheNames(page)).filter((name) => name.startsWith('lindung-shell-')))
      .toEqual([`${before[0]}-next`]);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('with the server gone, a village and a worker can be added and are still there after a reload', async ({ page, pageErrors }) => {
  const server = new DistServer(dist);
  await server.start();
  try {
    const app = new RosterApp(page, server.url.replace(/\/$/, ''));
    await app.goto('#/');
    await waitForServiceWorker(page);
    await server.stop();
    await page.reload();

    await app.setAgent();
    // The province's list of villages was never fetched on this phone: the
    // code is taken as typed, unchecked, under the name the agent types.
    await app.goto('#/');
    await openAddVillage(page);
    const picker = new RegionPickerPage(page);
    await picker.codeInput.fill(village.code);
    await page.getByTestId('add-village-button').click();
    await expect(picker.status).toHaveAttribute('data-code', 'region.unreachable');
    await expect(page.getByTestId('village-unchecked')).toContainText(`kode ${village.code} belum dicek`);
    // Chromium itself logs the failed download of the province's list.
    expect(pageErrors).toEqual(['console.error: Failed to load resource: net::ERR_FAILED']);
    pageErrors.length = 0;
    await page.getByTestId('village-name').fill(village.name);
    await page.getByTestId('add-village-button').click();
    await expect(page.getByTestId('village-added')).toContainText(`${village.name} ditambahkan`);
    await app.openRegister(village.code);
    await app.register(farmer);

    await page.reload();
    await app.openVillage(village.code);
    expect(await app.statusOf(farmer.name)).toBe('funded');
    await expect(app.count('funded')).toHaveText('1 / 100');
  } finally {
    await server.stop();
  }
});
