// The app uploads by itself: served by a real `district serve`, the agent
// registers workers while the server is down; when it is back and the phone is
// online again, the app makes the bundle, sends it, shows it as Terkirim on the
// district's signed receipt, and `district report` counts the workers.
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { enrol, repoRoot, runDistrict, serve, stop } from '../district';
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { farmer, fisher, olderFarmer, village } from '../people';

const port = 4191;

/** A fresh register: a SQLite file, or a new database on the PostgreSQL server
 * of LINDUNG_TEST_POSTGRES (a URL ending /DATABASE) when it is given. */
function freshRegister(backend: 'sqlite' | 'postgres', dir: string): string {
  if (backend === 'sqlite') return path.join(dir, 'register.sqlite');
  const url = process.env.LINDUNG_TEST_POSTGRES!;
  const name = `lindung_e2e_${process.pid}_${Date.now()}`;
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`]);
  return url.replace(/\/[^/]*$/, `/${name}`);
}

const postgres = Boolean(process.env.LINDUNG_TEST_POSTGRES);
if (!postgres && process.env.LINDUNG_REQUIRE_POSTGRES) {
  throw new Error('LINDUNG_REQUIRE_POSTGRES is set but LINDUNG_TEST_POSTGRES names no server');
}

for (const backend of ['sqlite', 'postgres'] as const) {
test(`bundles go to the district server by themselves when it can be reached (${backend})`, async ({ page, context, pageErrors }) => {
  test.skip(backend === 'postgres' && !postgres, 'no PostgreSQL server (LINDUNG_TEST_POSTGRES)');
  test.setTimeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-sync-'));
  const db = freshRegister(backend, dir);
  const key = path.join(dir, 'district-key.json');
  const port = backend === 'sqlite' ? 4191 : 4196;
  const base = `http://127.0.0.1:${port}`;
  const init = runDistrict('init', '--db', db, '--key', key, '--district-id', '61.07');
  const districtKid = init.match(/kid ([A-Za-z0-9_-]{43})/)![1];
  let server = await serve(db, key, port);
  try {
    const app = new RosterApp(page, base);
    // The device key, enrolled at the office.
    const kid = await enrol(app, db);
    // The app found its own origin to be the district and pinned its key.
    await expect(app.settings.districtKid).toContainText(districtKid);
    await app.addVillage(village.code, village.name);
    // Every screen once while online (the chunks), then the server goes away.
    await app.openRegister(village.code);
    await app.export.open();
    await expect(app.export.syncStatus).toHaveAttribute('data-status', 'idle');
    await stop(server);

    await app.openRegister(village.code);
    await app.register(farmer);
    await app.register(fisher);
    await app.export.open();
    // Nothing could be made or sent: the district was not reached.
    await expect(app.export.pendingTotal).toHaveText('2 data belum dikirim:');
    await expect(app.export.syncStatus).toHaveAttribute('data-status', 'failed');
    await expect(app.export.syncStatus).toContainText('tidak terjangkau');

    // Signal again: the server is back, and the phone comes online.
    server = await serve(db, key, port);
    await context.setOffline(true);
    await context.setOffline(false);
    await expect(app.export.delivery(1)).toHaveAttribute('data-delivery', 'delivered', { timeout: 20_000 });
    await expect(app.export.delivery(1)).toContainText('Terkirim');
    await expect(app.export.nothingPending).toBeVisible();
    // Handed over by the server: no "mark as received" button.
    await expect(app.export.markDeliveredButton(1)).toHaveCount(0);

    // The office's register has them, as its report says.
    const month = new Date().toISOString().slice(0, 7);
    const report = JSON.parse(runDistrict('report', '--db', db, '--format', 'json', '--month', month));
    const row = report.villages.find((v: { code: string }) => v.code === village.code);
    expect(row).toMatchObject({ funded: 2, waitlisted: 0, agents: ['Petugas Uji'] });
    expect(runDistrict('agents', 'list', '--db', db)).toContain(`${kid}\tPetugas Uji\t-\tapproved\t1\t0\t-`);

    // Home says when the district was last reached.
    await app.goto('#/');
    await expect(app.lastSync).toBeVisible();
    // The tries while the server was down, as the browser logs them; nothing else.
    const refused = (error: string) => /Failed to load resource: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)/.test(error);
    expect(pageErrors.filter(refused).length).toBeGreaterThan(0);
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((error) => !refused(error)));
  } finally {
    await stop(server).catch(() => {});
  }
});
}

test('a page that is not the district, and a district with another key, are never taken for it', async ({ page, pageErrors }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-sync-'));
  const db = path.join(dir, 'register.sqlite');
  const key = path.join(dir, 'district-key.json');
  runDistrict('init', '--db', db, '--key', key, '--district-id', '61.07');
  const otherPort = port + 1;
  const otherBase = `http://127.0.0.1:${otherPort}`;
  let server = await serve(db, key, otherPort);
  const app = new RosterApp(page, otherBase);
  try {
    await enrol(app, db);
    await expect(app.settings.districtKid).toContainText(/[A-Za-z0-9_-]{43}/);
    await app.addVillage(village.code, village.name);
    await app.openRegister(village.code);
    await app.export.open();
    await expect(app.export.syncStatus).toHaveAttribute('data-status', 'idle');
    await stop(server);

    // A wifi login page answers every address with 200 and HTML.
    const portal = createServer((_, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Login wifi</body></html>');
    });
    await new Promise<void>((resolve) => portal.listen(otherPort, '127.0.0.1', resolve));
    try {
      await app.openRegister(village.code);
      await app.register(farmer);
      await app.export.open();
      await app.export.sendNow();
      await expect(app.export.syncStatus).toHaveAttribute('data-status', 'failed');
      await expect(app.export.syncStatus).toContainText('bukan dari server kantor');
      // Nothing counts as sent.
      await expect(app.export.pendingTotal).toHaveText('1 data belum dikirim:');

      // A phone that learnt its origin is the district before the answer was
      // kept as JSON ("yes"): after the update it still knows, and starting
      // behind the same login page does not make it forget.
      await page.evaluate(() => localStorage.setItem('lindung.origin_is_district', 'yes'));
      await page.reload();
      await app.export.open();
      await expect(app.export.syncStatus).not.toHaveAttribute('data-status', 'no-server', { timeout: 10_000 });
    } finally {
      await new Promise((resolve) => portal.close(resolve));
    }

    // Another district (another key) at the same address: refused, and said.
    const otherDir = mkdtempSync(path.join(tmpdir(), 'lindung-sync-'));
    const otherDb = path.join(otherDir, 'register.sqlite');
    const otherKey = path.join(otherDir, 'district-key.json');
    runDistrict('init', '--db', otherDb, '--key', otherKey);
    server = await serve(otherDb, otherKey, otherPort);
    await app.export.sendNow();
    await expect(app.export.syncStatus).toContainText('kunci kantor yang berbeda');
    await expect(app.export.pendingTotal).toHaveText('1 data belum dikirim:');
    expect(runDistrict('agents', 'list', '--db', otherDb)).toBe('');
  } finally {
    await stop(server).catch(() => {});
  }
  const refused = (error: string) => /Failed to load resource: net::ERR_CONNECTION_REFUSED/.test(error);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((error) => !refused(error)));
});

test('what the district says about the records shows on the roster, and its new rules are offered', async ({ page }) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-sync-'));
  const db = path.join(dir, 'register.sqlite');
  const key = path.join(dir, 'district-key.json');
  runDistrict('init', '--db', db, '--key', key, '--district-id', '61.07');
  // The regency's new rules: one funded slot per village, ages 18 to 45.
  const pack = JSON.parse(readFileSync(path.join(repoRoot, 'rules', 'default.json'), 'utf8'));
  pack.version = '2026.2.0';
  pack.age.max = 45;
  pack.funded_slots_per_village.value = 1;
  const packFile = path.join(dir, 'pack.json');
  writeFileSync(packFile, JSON.stringify(pack, null, 2));
  runDistrict('rules', 'publish', '--db', db, packFile);
  const ownPort = port + 2;
  const server = await serve(db, key, ownPort);
  try {
    const app = new RosterApp(page, `http://127.0.0.1:${ownPort}`);
    await enrol(app, db);
    await app.addVillage(village.code, village.name);
    // On the phone (the shipped rules: 100 slots, ages 18-65) all three are funded.
    await app.openRegister(village.code);
    await app.register(farmer);
    await app.register(olderFarmer);
    await app.register(fisher);
    await app.export.open();
    await app.export.sendNow();
    await expect(app.export.delivery(1)).toHaveAttribute('data-delivery', 'delivered', { timeout: 20_000 });

    // The district held the 51-year-old (outside its window) and gave its one
    // slot to the first; the fisher waits. The roster says so, in words.
    await app.goto(`#/desa/${village.code}`);
    const notes = page.getByTestId('village-district-notes');
    await expect(notes).toBeVisible();
    await expect(notes.getByTestId('district-note-row')).toHaveCount(2);
    await expect(notes).toContainText(`${olderFarmer.name}: Ditahan kantor`);
    await expect(notes).toContainText(`${fisher.name}: Status lain di kantor`);
    const older = page.getByTestId('worker-row').filter({ hasText: olderFarmer.name });
    await expect(older.getByTestId('district-note')).toHaveText('Ditahan kantor');
    const first = page.getByTestId('worker-row').filter({ hasText: farmer.name });
    await expect(first.getByTestId('district-note')).toHaveCount(0);
    await older.click();
    const said = page.getByTestId('district-notes');
    await expect(said).toContainText('umurnya di luar batas program');
    await expect(said).not.toContainText('reg.');
    await app.goto(`#/desa/${village.code}`);
    await page.getByTestId('worker-row').filter({ hasText: fisher.name }).click();
    await expect(page.getByTestId('district-notes')).toContainText('Menurut kantor kabupaten: Daftar tunggu #1');

    // Home offers the district's rules; taking them is recorded.
    await app.goto('#/');
    const offer = page.getByTestId('pack-offer');
    await expect(offer).toBeVisible();
    await expect(offer.getByTestId('pack-offer-version')).toHaveText('2026.2.0');
    await offer.getByTestId('take-pack').click();
    await expect(page.getByTestId('pack-offer-message')).toContainText('Aturan baru dipakai');
    await expect(offer).toHaveCount(0);
    await app.goto('#/pengaturan');
    await expect(app.settings.packVersion).toHaveText('2026.2.0');
    await expect(app.settings.packSwitches).toContainText('lindung-default 2026.1.0 → lindung-default 2026.2.0 (PRS-0001)');
    // The notes stay on the phone: they show after a reload too.
    await app.goto(`#/desa/${village.code}`);
    await expect(page.getByTestId('village-district-notes').getByTestId('district-note-row')).toHaveCount(2);
  } finally {
    await stop(server).catch(() => {});
  }
});
