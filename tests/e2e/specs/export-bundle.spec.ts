// An agent exports what was registered as signed bundles; the district office
// verifies them, merges them into its register and reports the counts. The
// files go from the app's download to the real `district` binary.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
  const kid = await app.settings.deviceKid();
  expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  // The QR code scans to the same kid, as the office's phone would read it.
  const png = PNG.sync.read(await app.settings.kidQr.screenshot());
  const scanned = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(scanned?.data).toBe(kid);

  // Before any export the home screen says so.
  await app.goto('#/');
  await expect(app.exportStatus).toContainText('Belum pernah mengirim data');
  await expect(app.exportStatus).toContainText('3 data belum dikirim');

  await app.export.open();
  await expect(app.export.pendingTotal).toHaveText('3 data belum dikirim:');
  await app.export.makeBundle();
  await expect(app.export.message).toContainText('Bundel #1 dibuat');
  await expect(app.export.nothingPending).toBeVisible();
  await expect(app.export.makeBundleButton).toBeDisabled();
  const first = await app.export.downloadTo(1, dir);
  await expect(app.export.bundle(1)).toHaveAttribute('data-state', 'exported');

  // A removal is the next bundle's only content.
  await app.openVillage(village.code);
  await app.removeRecord(fisher.name, 'pindah ke kota');
  await app.export.open();
  await expect(app.export.pendingVillages).toContainText('0 baru · 0 diubah · 1 dihapus');
  await app.export.makeBundle();
  await expect(app.export.message).toContainText('Bundel #2 dibuat');
  const second = await app.export.downloadTo(2, dir);

  // Bundles survive a reload, and exporting again gives the identical file.
  await page.reload();
  await expect(app.export.bundles).toHaveCount(2);
  const firstAgain = await app.export.downloadTo(1, dir);
  expect(readFileSync(firstAgain).equals(readFileSync(first))).toBe(true);
  await app.export.markDelivered(1);
  await expect(app.export.bundle(1)).toHaveAttribute('data-state', 'delivered');

  // The home screen now counts days since the last export and nothing waiting.
  await app.homeLink.click();
  await expect(app.exportStatus).toContainText('Terakhir dikirim 0 hari lalu');
  await expect(app.exportStatus).toHaveAttribute('data-at-risk', 'false');

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
  const status = app.exportStatus;
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
  await app.exportLink.click();
  await app.export.makeBundle();
  await expect(app.export.message).toContainText('Bundel #1 dibuat');
  await app.homeLink.click();
  await expect(status).toHaveAttribute('data-at-risk', 'true');
  await app.export.open();
  await app.export.download(1);
  await app.homeLink.click();
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
  await app.export.open();
  await app.export.makeBundle();
  await expect(app.export.message).toContainText('Bundel #1 dibuat');

  await app.export.share(1);
  await expect(app.export.message).toHaveText('Bundel dibagikan.');
  await expect(app.export.bundles).toHaveAttribute('data-state', 'exported');
  const shared = await page.evaluate(() => (window as unknown as { __shared: { name: string; type: string; text: string }[] }).__shared);
  expect(shared).toHaveLength(1);
  expect(shared[0].name).toMatch(/^lindung-[A-Za-z0-9_-]{8}-0001\.json\.txt$/);
  expect(shared[0].type).toBe('text/plain');
  const downloaded = await app.export.downloadTo(1, dir);
  expect(shared[0].text).toBe(readFileSync(downloaded, 'utf8'));
  expect(runDistrict('verify', downloaded)).toContain('sequence 1 records 1 villages 1');
});
