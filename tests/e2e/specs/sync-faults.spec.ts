// What goes wrong between a phone and the district, as the agent meets it: a
// fault proxy (../fault-proxy.ts) stands between the app and a real
// `district serve`. Nothing counts as sent without the district's signed
// receipt, nothing is stored twice, and the agent never has to do anything but
// wait (or press Kirim sekarang).
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { expectFitsPhone, phone } from '../phone';
import { FaultProxy } from '../fault-proxy';
import { enrol, runDistrict, serve, stop } from '../district';
import { farmer, fisher, labourer, secondFarmer, village } from '../people';

const serverPort = 4194;
const proxyPort = 4195;
const base = `http://127.0.0.1:${proxyPort}`;

/** The district's register files (SQLite with its WAL), copied `from` → `to`. */
function copyRegister(from: string, to: string) {
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
    else rmSync(to + suffix, { force: true });
  }
}

/** The highest sequence the register merged for `kid` (0: none), from
 * `district agents list`. */
function lastMerged(db: string, kid: string): number {
  const line = runDistrict('agents', 'list', '--db', db)
    .split('\n')
    .find((l) => l.startsWith(kid))!;
  const merged = line.split('\t')[4];
  return merged === '-' ? 0 : Number(merged);
}

function funded(db: string): number {
  const month = new Date().toISOString().slice(0, 7);
  const report = JSON.parse(runDistrict('report', '--db', db, '--format', 'json', '--month', month));
  return report.villages.find((v: { code: string }) => v.code === village.code)?.funded ?? 0;
}

test('server errors, cut answers, a closed page and a restored register lose nothing and store nothing twice', async ({ page, context, pageErrors }) => {
  // Many steps, each a few round trips: longer than one screen's test.
  test.setTimeout(120_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-faults-'));
  const db = path.join(dir, 'register.sqlite');
  const key = path.join(dir, 'district-key.json');
  runDistrict('init', '--db', db, '--key', key, '--district-id', '61.07');
  let server = await serve(db, key, serverPort);
  const proxy = await FaultProxy.start(proxyPort, serverPort);
  try {
    const app = new RosterApp(page, base);
    const kid = await enrol(app, db);
    await expect(app.settings.districtKid).toContainText(/[A-Za-z0-9_-]{43}/);
    await app.addVillage(village.code, village.name);

    // 1. The server fails with a 500: the bundle waits, and is said to.
    proxy.next('error500');
    await app.openRegister(village.code);
    await app.register(farmer);
    // Leaving the form, the app makes the bundle and sends it by itself.
    await app.export.open();
    await expect(app.export.syncStatus).toContainText('Server kantor sedang bermasalah');
    await expect(app.export.delivery(1)).toHaveAttribute('data-delivery', 'queued');
    // Each state of a bundle is read on a phone: checked at 360 px.
    await page.setViewportSize(phone);
    await expectFitsPhone(page, 'a bundle waiting (Antre)');
    await app.export.sendNow();
    await expect(app.export.delivery(1)).toHaveAttribute('data-delivery', 'delivered');
    expect(lastMerged(db, kid)).toBe(1);

    // 2. The server stores the bundle, and its answers are lost on the way
    // (every one, for a while: Chromium itself sends once more on a reused
    // connection, and the app tries again): the phone does not count it as
    // sent; once answers arrive, the retry gets the stored receipt.
    const before = proxy.uploads.length;
    proxy.always('dropAfterCommit');
    await app.openRegister(village.code);
    await app.register(fisher);
    await app.export.open();
    await expect(app.export.syncStatus).toHaveAttribute('data-status', 'failed');
    await expect(app.export.delivery(2)).toHaveAttribute('data-delivery', 'queued');
    expect(lastMerged(db, kid)).toBe(2);
    proxy.clear();
    await app.export.sendNow();
    await expect(app.export.delivery(2)).toHaveAttribute('data-delivery', 'delivered');
    const statuses = proxy.uploads.slice(before).map((u) => u.status);
    expect(statuses[0]).toBe(201);
    expect(statuses.slice(1).length).toBeGreaterThan(0);
    expect(statuses.slice(1).every((s) => s === 200)).toBe(true);
    expect(lastMerged(db, kid)).toBe(2);
    expect(funded(db)).toBe(2);

    // The office backs its register up now.
    await stop(server);
    const backup = path.join(dir, 'backup.sqlite');
    copyRegister(db, backup);
    server = await serve(db, key, serverPort);

    // 3. The page is closed while a bundle is on its way.
    proxy.next('hold');
    await app.openRegister(village.code);
    await app.register(secondFarmer);
    await app.export.open();
    await proxy.holding();
    await expect(app.export.delivery(3)).toHaveAttribute('data-delivery', 'sending');
    await expectFitsPhone(page, 'a bundle on its way (Mengirim)');
    await page.close();
    proxy.release();
    const again = await context.newPage();
    const reopened = new RosterApp(again, base);
    await reopened.goto('#/kirim');
    // Started again, the app sends what it has no receipt for.
    await expect(reopened.export.delivery(3)).toHaveAttribute('data-delivery', 'delivered', { timeout: 20_000 });
    expect(lastMerged(db, kid)).toBe(3);

    // 4. The office's disk fails and the register is restored from the
    // backup, which lacks bundle 3: the phone learns it and sends it again.
    await stop(server);
    copyRegister(backup, db);
    server = await serve(db, key, serverPort);
    expect(lastMerged(db, kid)).toBe(2);
    await reopened.export.sendNow();
    await expect(reopened.export.syncStatus).toHaveAttribute('data-status', 'idle');
    await expect(reopened.export.delivery(3)).toHaveAttribute('data-delivery', 'delivered');
    expect(lastMerged(db, kid)).toBe(3);
    expect(funded(db)).toBe(3);

    // 5. The office revokes this phone's key: the next bundle is refused, and
    // the agent reads why.
    // `--`: a kid may begin with `-`.
    runDistrict('agents', 'revoke', '--db', db, '--', kid);
    await reopened.openRegister(village.code);
    await reopened.register(labourer);
    await reopened.export.open();
    // The district says the key is revoked: no bundle is made by itself.
    await expect(reopened.export.syncStatus).toHaveAttribute('data-status', 'idle');
    await expect(reopened.export.bundle(4)).toHaveCount(0);
    // The agent makes it by hand; the district refuses it.
    await reopened.export.makeBundle();
    await expect(reopened.export.delivery(4)).toHaveAttribute('data-delivery', 'refused');
    await expect(reopened.export.delivery(4)).toContainText('dicabut');
    // Refused by the district: the file can still be handed in by hand.
    await expect(reopened.export.markDeliveredButton(4)).toBeVisible();
    expect(funded(db)).toBe(3);
    // Delivered and refused bundles side by side, on a phone, in both languages.
    await again.setViewportSize(phone);
    await expectFitsPhone(again, 'bundles delivered and refused (Terkirim, Ditolak)');
    await again.getByTestId('lang-toggle').click();
    await expect(reopened.export.delivery(4)).not.toContainText('dicabut');
    await expectFitsPhone(again, 'bundles delivered and refused, in English');
  } finally {
    await proxy.close();
    await stop(server).catch(() => {});
    // The 500, the cut connections and the closed page, as the browser logs them.
    const expected = (error: string) => /Failed to load resource|net::ERR_/.test(error);
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((error) => !expected(error)));
  }
});

test('a bundle larger than the server takes is refused and said, and stays to hand in as a file', async ({ page }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-faults-'));
  const db = path.join(dir, 'register.sqlite');
  const key = path.join(dir, 'district-key.json');
  runDistrict('init', '--db', db, '--key', key, '--district-id', '61.07');
  // Smaller than any bundle with a record in it.
  const server = await serve(db, key, serverPort, '--max-bundle-bytes', '1500');
  try {
    const app = new RosterApp(page, `http://127.0.0.1:${serverPort}`);
    const kid = await enrol(app, db);
    await app.addVillage(village.code, village.name);
    await app.openRegister(village.code);
    await app.register(farmer);
    await app.export.open();
    await expect(app.export.delivery(1)).toHaveAttribute('data-delivery', 'refused');
    await expect(app.export.delivery(1)).toContainText('terlalu besar');
    await expect(app.export.markDeliveredButton(1)).toBeVisible();
    expect(lastMerged(db, kid)).toBe(0);
    // Not even sent: the district's signed device state gives its limit.
    expect(runDistrict('agents', 'list', '--db', db)).toContain('\tapproved\t-\t0\t-');
  } finally {
    await stop(server).catch(() => {});
  }
});

test('two tabs: only the writing one sends, and the other takes over without sending anything twice', async ({ page, context }) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-faults-'));
  const db = path.join(dir, 'register.sqlite');
  const key = path.join(dir, 'district-key.json');
  runDistrict('init', '--db', db, '--key', key, '--district-id', '61.07');
  const server = await serve(db, key, serverPort);
  const proxy = await FaultProxy.start(proxyPort, serverPort);
  try {
    const first = new RosterApp(page, base);
    const kid = await enrol(first, db);
    await first.addVillage(village.code, village.name);
    const other = await context.newPage();
    const second = new RosterApp(other, base);
    await second.goto('#/kirim');
    await expect(other.getByTestId('read-only')).toContainText('terbuka di tab lain');

    await first.openRegister(village.code);
    await first.register(farmer);
    await first.register(fisher);
    await first.export.open();
    await expect(first.export.delivery(1)).toHaveAttribute('data-delivery', 'delivered');
    // The network comes back in both tabs at once.
    await context.setOffline(true);
    await context.setOffline(false);
    await first.export.sendNow();
    await expect(first.export.syncStatus).toHaveAttribute('data-status', 'idle');

    // The first tab closes; the second writes now, and sends nothing again.
    await page.close();
    await expect(other.getByTestId('read-only')).toHaveCount(0);
    await expect(second.export.delivery(1)).toHaveAttribute('data-delivery', 'delivered');
    await second.export.sendNow();
    await expect(second.export.syncStatus).toHaveAttribute('data-status', 'idle');
    expect(proxy.uploads.map((u) => u.status)).toEqual([201]);
    expect(lastMerged(db, kid)).toBe(1);
    expect(funded(db)).toBe(2);
  } finally {
    await proxy.close();
    await stop(server).catch(() => {});
  }
});
