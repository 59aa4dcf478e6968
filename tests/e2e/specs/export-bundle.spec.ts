// An agent exports what was registered as signed bundles; the district office
// verifies them, merges them into its register and reports the counts. The
// files go from the app's download to the real `district` binary.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { farmer, fisher, villageOfficial, village } from '../people';

const district =
  process.env.LINDUNG_DISTRICT ?? path.resolve(__dirname, '..', '..', '..', 'target', 'debug', 'district');

/** Runs `district`; returns stdout, or throws with its output on a non-zero exit. */
function runDistrict(...args: string[]): string {
  try {
    return execFileSync(district, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { status, stdout, stderr } = error as { status: number; stdout: string; stderr: string };
    throw new Error(`district ${args.join(' ')} exited ${status}: ${stdout}${stderr}`);
  }
}

/** Clicks a bundle's Download and saves the file under `dir`; returns its path. */
async function download(page: Page, sequence: number, dir: string): Promise<string> {
  const bundle = page.locator(`[data-testid="bundle"][data-sequence="${sequence}"]`);
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    bundle.getByTestId('download-bundle').click(),
  ]);
  const target = path.join(dir, `${sequence}-${Date.now()}-${file.suggestedFilename()}`);
  await file.saveAs(target);
  return target;
}

test('registered workers go through a signed bundle into the district report', async ({ page }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-e2e-'));
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);
  await app.register(farmer);
  await app.register(fisher);
  await app.register(villageOfficial);

  // The device key, as Settings shows it for enrolment.
  await app.goto('#/pengaturan');
  const kid = (await page.getByTestId('kid').textContent())!.trim();
  expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  // The QR code scans to the same kid, as the office's phone would read it.
  const png = PNG.sync.read(await page.getByTestId('kid-qr').screenshot());
  const scanned = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(scanned?.data).toBe(kid);

  // Before any export the home screen says so.
  await app.goto('#/');
  await expect(page.getByTestId('export-status')).toContainText('Belum pernah mengirim data');
  await expect(page.getByTestId('export-status')).toContainText('3 data belum dikirim');

  await page.getByTestId('nav-export').click();
  await expect(page.getByTestId('pending-total')).toHaveText('3 data belum dikirim:');
  await page.getByTestId('make-bundle').click();
  await expect(page.getByTestId('export-message')).toContainText('Bundel #1 dibuat');
  await expect(page.getByTestId('nothing-pending')).toBeVisible();
  await expect(page.getByTestId('make-bundle')).toBeDisabled();
  const first = await download(page, 1, dir);
  await expect(page.locator('[data-testid="bundle"][data-sequence="1"]')).toHaveAttribute('data-state', 'exported');

  // A removal is the next bundle's only content.
  await app.openVillage(village.code);
  await app.removeRecord(fisher.name, 'pindah ke kota');
  await page.getByTestId('nav-export').click();
  await expect(page.getByTestId('pending-village')).toContainText('0 baru · 0 diubah · 1 dihapus');
  await page.getByTestId('make-bundle').click();
  await expect(page.getByTestId('export-message')).toContainText('Bundel #2 dibuat');
  const second = await download(page, 2, dir);

  // Bundles survive a reload, and exporting again gives the identical file.
  await page.reload();
  await expect(page.getByTestId('bundle')).toHaveCount(2);
  const firstAgain = await download(page, 1, dir);
  expect(readFileSync(firstAgain).equals(readFileSync(first))).toBe(true);
  await page.locator('[data-testid="bundle"][data-sequence="1"]').getByTestId('mark-delivered').click();
  await expect(page.locator('[data-testid="bundle"][data-sequence="1"]')).toHaveAttribute('data-state', 'delivered');

  // The home screen now counts days since the last export and nothing waiting.
  await page.getByTestId('nav-home').click();
  await expect(page.getByTestId('export-status')).toContainText('Terakhir dikirim 0 hari lalu');
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-at-risk', 'false');

  // The district office: verify (format and signature), enrol, ingest, report.
  const verified = runDistrict('verify', first, second);
  expect(verified).toContain(`kid ${kid} sequence 1 records 3 villages 1`);
  expect(verified).toContain(`kid ${kid} sequence 2 records 1 villages 1`);
  const db = path.join(dir, 'register.sqlite');
  runDistrict('init', '--db', db);
  // Before enrolment the register does not trust the phone: verify --db fails, and
  // ingest only keeps the bundles as pending.
  expect(() => runDistrict('verify', '--db', db, first)).toThrow(/register\.unknown_device/);
  runDistrict('agents', 'add', '--db', db, '--kid', kid, '--name', 'Petugas Uji', '--agent-id', 'PRS-0001');
  expect(runDistrict('verify', '--db', db, second)).toContain('; missing sequence 1');
  const ingested = runDistrict('ingest', '--db', db, first, second);
  expect(ingested).toMatch(/merged .*: 3 records/);
  expect(ingested).toMatch(/merged .*: 1 records/);
  expect(runDistrict('ingest', '--db', db, first)).toContain('already ingested');
  expect(runDistrict('verify', '--db', db, first, second)).toContain('already ingested');
  expect(runDistrict('agents', 'list', '--db', db).trim().split('\t')).toEqual([
    kid, 'Petugas Uji', 'PRS-0001', 'approved', '2', '0', '-',
  ]);

  const month = new Date().toISOString().slice(0, 7);
  const report = JSON.parse(runDistrict('report', '--db', db, '--format', 'json', '--month', month));
  const row = report.villages.find((v: { code: string }) => v.code === village.code);
  expect(row).toMatchObject({
    funded: 1,
    waitlisted: 0,
    apparatus: 1,
    funded_slots: 100,
    coverage_permille: 10,
    agents: ['Petugas Uji'],
    duplicate_niks: 0,
    missing_sequences: 0,
  });
  // Rp16.800 (the farmer, BPU, APBD) + Rp5.400 (the official, PU) a month.
  expect(row.monthly.total).toBe(22200);
  expect(row.yearly.total).toBe(12 * 22200);
});

test('unsent registrations older than the rule pack allows are flagged on the home screen', async ({ page }) => {
  // The default pack warns after 7 days (export.warn_after_days).
  const registeredAt = new Date('2026-11-02T09:00:00+07:00');
  await page.clock.install({ time: registeredAt });
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);
  await app.register(farmer);

  await app.goto('#/');
  const status = page.getByTestId('export-status');
  await expect(status).toHaveAttribute('data-at-risk', 'false');
  await expect(status).toContainText('1 data belum dikirim; yang tertua sudah 0 hari di HP ini.');

  // Six days later: still fine. Seven: the warning.
  await page.clock.setSystemTime(new Date('2026-11-08T10:00:00+07:00'));
  await page.reload();
  await expect(status).toContainText('yang tertua sudah 6 hari');
  await expect(status).toHaveAttribute('data-at-risk', 'false');
  await page.clock.setSystemTime(new Date('2026-11-09T10:00:00+07:00'));
  await page.reload();
  await expect(status).toHaveAttribute('data-at-risk', 'true');
  await expect(status).toContainText('Jika HP hilang atau rusak, data yang belum dikirim ikut hilang.');

  // A bundle made but not yet downloaded still counts as unsent; downloading clears it.
  await page.getByTestId('go-export').click();
  await page.getByTestId('make-bundle').click();
  await expect(page.getByTestId('export-message')).toContainText('Bundel #1 dibuat');
  await page.getByTestId('nav-home').click();
  await expect(status).toHaveAttribute('data-at-risk', 'true');
  await page.getByTestId('nav-export').click();
  await Promise.all([page.waitForEvent('download'), page.getByTestId('download-bundle').click()]);
  await page.getByTestId('nav-home').click();
  await expect(status).toHaveAttribute('data-at-risk', 'false');
  await expect(status).toContainText('Terakhir dikirim 0 hari lalu (9 November 2026).');
});

test('sharing hands the same bundle file to the Web Share API, as text where only text may be shared', async ({ page }) => {
  // Headless Linux Chromium has no file sharing; this stands in for Android Chrome,
  // which shares text files but not JSON.
  await page.addInitScript(() => {
    const shared: { name: string; type: string; text: string }[] = [];
    (window as unknown as { __shared: typeof shared }).__shared = shared;
    Object.defineProperty(navigator, 'canShare', {
      value: (data: ShareData) => data.files?.length === 1 && data.files[0].type === 'text/plain',
    });
    Object.defineProperty(navigator, 'share', {
      value: async (data: ShareData) => {
        const file = data.files![0];
        shared.push({ name: file.name, type: file.type, text: await file.text() });
      },
    });
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-e2e-'));
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);
  await app.register(farmer);
  await page.getByTestId('nav-export').click();
  await page.getByTestId('make-bundle').click();
  await expect(page.getByTestId('export-message')).toContainText('Bundel #1 dibuat');

  await page.getByTestId('share-bundle').click();
  await expect(page.getByTestId('export-message')).toHaveText('Bundel dibagikan.');
  await expect(page.getByTestId('bundle')).toHaveAttribute('data-state', 'exported');
  const shared = await page.evaluate(() => (window as unknown as { __shared: { name: string; type: string; text: string }[] }).__shared);
  expect(shared).toHaveLength(1);
  expect(shared[0].name).toMatch(/^lindung-[A-Za-z0-9_-]{8}-0001\.json\.txt$/);
  expect(shared[0].type).toBe('text/plain');
  const downloaded = await download(page, 1, dir);
  expect(shared[0].text).toBe(readFileSync(downloaded, 'utf8'));
  expect(runDistrict('verify', downloaded)).toContain('sequence 1 records 1 villages 1');
});
